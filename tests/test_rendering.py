"""Documents: what each PDF says and must not say, options, determinism."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pypdf
import pytest

from iopauth.caseformat.serialize import dump_case, load_case
from iopauth.criteria import default_criteria, evaluate
from iopauth.criteria.result import (
    CriterionKind,
    Determination,
    Evidence,
    Finding,
    Outcome,
    Review,
    Status,
)
from iopauth.errors import RenderError
from iopauth.model import (
    Case,
    Denial,
    DocumentKind,
    DocumentOnHand,
    PlanType,
    RequestKind,
    Urgency,
)
from iopauth.rendering import (
    Attachment,
    Letterhead,
    PaperSize,
    RenderOptions,
    documents,
    render,
    render_html,
)

from .casebuilder import build_case

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"


def text_of(pdf: bytes) -> str:
    """All text of a PDF, whitespace collapsed to single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _root(reader: pypdf.PdfReader) -> Any:
    """The document catalog (pypdf types it loosely)."""
    return reader.trailer["/Root"]


def _xmp(reader: pypdf.PdfReader) -> bytes:
    """The XMP metadata stream of a PDF."""
    data: bytes = _root(reader)["/Metadata"].get_object().get_data()
    return data


def finding(
    criterion: str,
    status: Status,
    title: str,
    *,
    kind: CriterionKind = CriterionKind.REQUIRED,
    evidence: tuple[Evidence, ...] = (),
    documentation: tuple[str, ...] = (),
) -> Finding:
    """A hand-made finding."""
    return Finding(
        criterion=criterion,
        title=title,
        kind=kind,
        status=status,
        reason=f"Reason for {title.lower()}.",
        source="https://example.org/criteria",
        evidence=evidence,
        documentation=documentation,
    )


DETERMINATION = Determination(
    criteria_set="test-set",
    criteria_version="1",
    review=Review.INITIAL,
    as_of=date(2026, 3, 20),
    outcome=Outcome.INSUFFICIENT_INFORMATION,
    findings=(
        finding(
            "adm.diagnosis",
            Status.MET,
            "Diagnosis on record",
            evidence=(Evidence(fact="diagnoses.behavioral", path="$.diagnoses", value=True),),
        ),
        finding("adm.impairment", Status.NOT_MET, "Impairment severe enough"),
        finding(
            "adm.support_safe_home",
            Status.UNKNOWN,
            "Support and a safe home",
            documentation=("Document the living situation",),
        ),
        finding(
            "ex.imminent_danger",
            Status.DOES_NOT_APPLY,
            "Imminent danger",
            kind=CriterionKind.EXCLUSION,
        ),
    ),
    missing_documentation=("Document the living situation",),
)


@pytest.fixture(scope="module")
def case() -> Case:
    """The fully documented base case, with a payer fax and a partial document set."""
    base = build_case()
    return attrs.evolve(
        base,
        coverage=attrs.evolve(base.coverage, um_fax="(555) 010-4401", plan_name="Gold"),
        request=attrs.evolve(
            base.request,
            documents=(
                DocumentOnHand(kind=DocumentKind.TREATMENT_PLAN, dated=date(2026, 3, 2)),
                DocumentOnHand(kind=DocumentKind.SAFETY_PLAN, title="Safety plan v2"),
            ),
        ),
    )


@pytest.fixture(scope="module")
def letter(case: Case) -> str:
    """Text of the request letter rendered with the hand-made determination."""
    return text_of(render(case, "request-letter", DETERMINATION))


def test_documents_names_every_document() -> None:
    """documents() lists the seven documents in the contract."""
    assert documents() == (
        "request-letter",
        "checklist",
        "concurrent-review",
        "appeal-letter",
        "fax-cover",
        "patient-summary",
        "packet",
    )


def test_request_letter_carries_the_request(letter: str) -> None:
    """The letter names member, program, clinician, service, dates, units and schedule."""
    for fact in (
        "Test Patient",
        "Member ID M1",
        "1234567893",  # program NPI
        "93-1234567",
        "Ann Doctor, MD",
        "S9480",
        "March 2, 2026 to April 26, 2026",
        "8 weeks",
        "24 days (per diem)",
        "3 days a week, 4 hours a day, 12 hours a week",
        "F33.1",
        "F10.20",
    ):
        assert fact in letter, fact


def test_request_letter_carries_the_clinical_picture(letter: str) -> None:
    """Symptoms, measure bands, risk, impairment, failed care and the plan are in the letter."""
    for fact in (
        "low mood",
        "20 / 27",
        "severe",  # PHQ-9 20 is in the 20-27 band
        "12 / 27",
        "moderate",
        "Passive suicidal ideation",
        "not an imminent danger",
        "work (severe)",
        "insufficient response",
        "Reduce depressive symptoms",
        "Step down to weekly outpatient therapy.",
        "Why a lower level of care is not enough",
        "Why a more intensive level is not needed",
    ):
        assert fact in letter, fact


def test_request_letter_lists_each_criterion_with_its_status(letter: str) -> None:
    """Supporting and undocumented findings appear with their status and the record's words;
    a draft shows the whole review, the unmet row marked (docs/templates.md "What a letter
    claims"); a row with no fact behind it is left out and named."""
    for title in ("Diagnosis on record", "Support and a safe home"):
        assert title in letter
    assert "Not documented" in letter
    assert "Documentation to follow: Document the living situation" in letter
    # the basis, in words; a code without a description gets the ICD-10-CM index's title
    assert (
        "Primary diagnosis: Major depressive disorder, recurrent, moderate (F33.1). "
        "Also diagnosed: Alcohol dependence, uncomplicated (F10.20)." in letter
    )
    assert "Impairment severe enough: not met" in letter  # the draft note
    assert "Impairment severe enough Not met" in letter  # and its row, marked
    assert "Imminent danger Not present" not in letter  # no fact behind it
    assert "holds no statement on \u201cImminent danger\u201d" in letter
    assert "diagnoses.behavioral" not in letter
    assert "example.org" not in letter  # a finding's source is a maintainer's field


def test_request_letter_does_not_claim_undocumented_findings(case: Case) -> None:
    """With no risk, medical or psychosocial record, the letter makes no such statement."""
    bare = attrs.evolve(case, risk=None, medical=None, psychosocial=None, presentation=None)
    text = text_of(render(bare, "request-letter", DETERMINATION))
    for claim in (
        "imminent danger to self",
        "medically stable",
        "safe place to live",
        "safety plan",
        "suicidal ideation",
        "routine outpatient care is not enough",
    ):
        assert claim not in text, claim
    assert "None" not in text


def test_request_letter_evaluates_the_default_set_when_given_no_determination(
    case: Case,
) -> None:
    """Without a determination the letter shows the default set's evaluation."""
    text = text_of(render(case, "request-letter"))
    assert f"against {default_criteria(case)} (version" in text


def test_checklist_marks_criteria_and_documents(case: Case) -> None:
    """Every criterion has a status; documents are attached or missing with a fix."""
    text = text_of(render(case, "checklist", DETERMINATION))
    assert "Impairment severe enough" in text
    assert "Not met" in text
    assert "To resolve: Document the living situation" in text
    assert "Attached" in text
    assert "Safety plan v2" in text
    assert "Missing" in text
    assert "Attach the psychiatric evaluation" in text
    assert "Have the physician sign the certification" in text  # Medicare plan


def test_concurrent_review_shows_progress_and_next_review(case: Case) -> None:
    """Diagnoses, medications, attendance, goal progress, measure trend and chart, barriers,
    the discharge plan and the next review date requested are shown."""
    continued = attrs.evolve(case, request=attrs.evolve(case.request, kind=RequestKind.CONCURRENT))
    determination = evaluate(continued, criteria="iop-standard", review="continued")
    html = render_html(continued, "concurrent-review", determination)
    assert "<svg" in html
    text = text_of(render(continued, "concurrent-review", determination))
    for fact in (
        "F33.1",
        "Current medications",
        "Attended 7 of 8 scheduled program days (88%)",
        "In progress: PHQ-9 down from 20 to 12",
        "PHQ-9 fell 8 points, from 20 at admission on",
        "Barriers to discharge",
        "next review on or before April 26, 2026",
        "Step down to weekly outpatient therapy.",
    ):
        assert fact in text, fact
    assert "The attendance record is enclosed" not in text  # the case has none on hand


def _appeal_case(case: Case, **denial: object) -> Case:
    fields: dict[str, object] = {
        "decided_on": date(2026, 3, 18),  # before the request_date, as validation requires
        "reference": "REF-991",
        "stated_reason": "Lower level suffices.",
        "unmet_criteria": ("adm.impairment", "pay.custom"),
    }
    fields.update(denial)
    return attrs.evolve(
        case,
        coverage=attrs.evolve(case.coverage, plan_type=PlanType.COMMERCIAL, plan_state="CA"),
        request=attrs.evolve(
            case.request,
            kind=RequestKind.APPEAL,
            urgency=Urgency.EXPEDITED,
            denial=Denial(**fields),  # type: ignore[arg-type]
        ),
    )


def test_appeal_letter_answers_each_unmet_criterion(case: Case) -> None:
    """Decision, point-by-point answer, GASC, state law, peer-to-peer and urgency appear."""
    text = text_of(render(_appeal_case(case), "appeal-letter", DETERMINATION))
    for fact in (
        "March 18, 2026",
        "REF-991",
        "Lower level suffices.",
        "Impairment severe enough",
        "pay.custom",
        "Generally accepted standards of care",
        "Wit v. United Behavioral Health",
        "persuasive",
        "California SB 855",
        "§1374.721",
        "peer-to-peer review",
        "We request an expedited appeal",
    ):
        assert fact in text, fact


def test_appeal_letter_cites_state_law_only_where_in_force(case: Case) -> None:
    """No state section without a listed state; Illinois only from 1 January 2026."""
    appeal = _appeal_case(case)
    oregon = attrs.evolve(appeal, coverage=attrs.evolve(appeal.coverage, plan_state="OR"))
    assert "State law" not in render_html(oregon, "appeal-letter", DETERMINATION)
    illinois = attrs.evolve(appeal, coverage=attrs.evolve(appeal.coverage, plan_state="IL"))
    before = RenderOptions(document_date=date(2025, 12, 31))
    assert "215 ILCS 134/87" not in render_html(illinois, "appeal-letter", DETERMINATION, before)
    assert "215 ILCS 134/87" in render_html(illinois, "appeal-letter", DETERMINATION)


def test_appeal_letter_asks_for_the_reason_when_none_was_given(case: Case) -> None:
    """A denial without a reason gets a request for it, citing CMS-0057-F for Medicaid."""
    appeal = _appeal_case(case, stated_reason=None)
    medicaid = attrs.evolve(
        appeal, coverage=attrs.evolve(appeal.coverage, plan_type=PlanType.MEDICAID)
    )
    html = render_html(medicaid, "appeal-letter", DETERMINATION)
    assert "No specific reason was given." in html
    assert "CMS-0057-F" in html
    assert "CMS-0057-F" not in render_html(appeal, "appeal-letter", DETERMINATION)


def test_fax_cover_has_no_clinical_detail_and_the_packet_page_count(case: Case) -> None:
    """The cover names sender and recipient, no diagnosis, and the packet's real page count."""
    cover = text_of(render(case, "fax-cover", DETERMINATION))
    packet = render(case, "packet", DETERMINATION)
    pages = len(pypdf.PdfReader(io.BytesIO(packet)).pages)
    assert f"{pages}, including this cover" in cover
    assert "Test Payer" in cover
    assert "(555) 010-4401" in cover
    assert "Confidentiality notice" in cover
    for clinical in ("F33.1", "F10.20", "Test Patient", "PHQ", "depress", "S9480", "suicid"):
        assert clinical not in cover, clinical


def test_fax_cover_leaves_out_empty_fields(case: Case) -> None:
    """A field with no value (here the payer's phone) is left out, not printed blank."""
    html = render_html(case, "fax-cover", DETERMINATION)
    assert case.coverage.um_phone is None
    assert html.count("<th>Phone</th>") == 1  # the sender's phone only
    assert "<td></td>" not in html


def test_packet_is_cover_letter_and_enclosures(case: Case) -> None:
    """The initial packet holds the cover, the letter and the enclosures, not the checklist,
    and its cover states its own page count."""
    packet = render(case, "packet", DETERMINATION)
    reader = pypdf.PdfReader(io.BytesIO(packet))
    first = " ".join(reader.pages[0].extract_text().split())
    assert f"{len(reader.pages)}, including this cover" in first
    text = text_of(packet)
    assert "letter of medical necessity" in text
    assert "Safety plan v2" in " ".join(reader.pages[-1].extract_text().split())
    assert "Prior authorization checklist" not in text


def test_patient_summary_is_plain_and_has_no_codes(case: Case) -> None:
    """The summary gives schedule, start, decision and questions, and no codes at all."""
    text = text_of(render(case, "patient-summary"))
    for fact in (
        "What is it?",
        "March 2, 2026",
        "Days each week 3",
        "Hours each day 4",
        "Hours each week 12",
        "About 8",
        "They have not decided yet",
        "What will I have to pay myself?",
    ):
        assert fact in text, fact
    assert not re.search(r"\b[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?\b", text), "ICD-10-CM code"
    for code in (case.request.service_code, *(s.code for s in case.plan.services)):
        assert code not in text, code
    assert "criteria" not in text.lower()


def test_patient_summary_reports_a_denial(case: Case) -> None:
    """After a denial under appeal the summary says so in plain words."""
    text = text_of(render(_appeal_case(case), "patient-summary"))
    assert "Your plan said no on March 18, 2026" in text
    assert "appeal" in text


def test_letterhead_replaces_the_program_block(case: Case, tmp_path: Path) -> None:
    """A letterhead's name, address, contacts and logo file appear in the letter."""
    logo = tmp_path / "logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#123456"/></svg>'
    )
    options = RenderOptions(
        letterhead=Letterhead(
            name="Lakeside Partners",
            address_lines=("9 Shore Road", "Lakeside, OR 97000"),
            phone="(555) 010-7777",
            website="lakeside.example",
            logo=logo,
        )
    )
    html = render_html(case, "request-letter", DETERMINATION, options)
    assert "data:image/svg+xml;base64," in html
    text = text_of(render(case, "request-letter", DETERMINATION, options))
    for fact in ("Lakeside Partners", "9 Shore Road", "(555) 010-7777", "lakeside.example"):
        assert fact in text


def test_letterhead_logo_must_be_an_image_file() -> None:
    """A logo with another suffix is refused when the letterhead is made."""
    with pytest.raises(ValueError, match="logo"):
        Letterhead(name="X", logo=Path("notes.txt"))


def test_missing_logo_file_is_a_render_error(case: Case, tmp_path: Path) -> None:
    """An unreadable logo file raises RenderError naming the caller's file."""
    options = RenderOptions(letterhead=Letterhead(name="X", logo=tmp_path / "gone.png"))
    with pytest.raises(RenderError, match=r"gone\.png"):
        render_html(case, "request-letter", DETERMINATION, options)


@pytest.mark.parametrize(
    ("paper", "size"), [(PaperSize.LETTER, (612, 792)), (PaperSize.A4, (595, 842))]
)
def test_paper_size(case: Case, paper: PaperSize, size: tuple[int, int]) -> None:
    """Pages come out in the chosen paper size (points, rounded)."""
    pdf = render(case, "patient-summary", options=RenderOptions(paper=paper))
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_document_date_defaults_to_the_request_date(case: Case) -> None:
    """Metadata dates are the request date, or the document date when one is given."""
    reader = pypdf.PdfReader(io.BytesIO(render(case, "patient-summary")))
    assert reader.metadata is not None
    assert str(reader.metadata["/CreationDate"]).startswith("D:20260320")
    later = RenderOptions(document_date=date(2026, 4, 1))
    text = text_of(render(case, "patient-summary", options=later))
    assert "Prepared April 1, 2026" in text


def test_archival_pdf_embeds_the_case_as_json(case: Case) -> None:
    """PDF/A-3b letters carry case.json (the case without the patient's contact details) and
    extra attachments."""
    extra = Attachment(name="pas-bundle.json", data=b'{"resourceType": "Bundle"}')
    pdf = render(
        case, "request-letter", DETERMINATION, RenderOptions(archival=True, attachments=[extra])
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    files = reader.attachments
    expected = dump_case(case)
    for field in ("phone", "email", "address", "guardian", "preferred_language"):
        expected["patient"].pop(field, None)
    assert json.loads(files["case.json"][0]) == expected
    assert files["pas-bundle.json"] == [b'{"resourceType": "Bundle"}']
    xmp = _xmp(reader)
    assert b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3</pdfaid:part>" in xmp
    assert b"pdfaid:conformance" in xmp


def test_tagged_pdf_declares_pdf_ua_title_and_language(case: Case) -> None:
    """Tagged output has a structure tree, a title shown in the window, language and PDF/UA id."""
    options = RenderOptions(tagged=True, language="en-US")
    reader = pypdf.PdfReader(io.BytesIO(render(case, "patient-summary", options=options)))
    root = _root(reader)
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-US"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata is not None
    assert reader.metadata.title == "Your intensive outpatient program"
    xmp = _xmp(reader)
    assert b"pdfuaid" in xmp


def test_archival_and_tagged_together(case: Case) -> None:
    """Both options give PDF/A-3a with tags that also declares PDF/UA-1."""
    options = RenderOptions(tagged=True, archival=True)
    reader = pypdf.PdfReader(io.BytesIO(render(case, "patient-summary", options=options)))
    xmp = _xmp(reader)
    assert b"pdfuaid" in xmp
    assert b"pdfaid" in xmp
    assert "/StructTreeRoot" in _root(reader)


def test_same_bytes_twice_in_one_process(case: Case) -> None:
    """Two renders of the same case and options are byte-identical."""
    options = RenderOptions(archival=True)
    assert render(case, "request-letter", DETERMINATION, options) == render(
        case, "request-letter", DETERMINATION, options
    )


def test_same_bytes_across_processes(tmp_path: Path) -> None:
    """A render in a fresh interpreter gives the same bytes as one here."""
    example = EXAMPLES / "medicare-stepdown-depression.json"
    if not example.exists():
        pytest.skip("example cases are not in this checkout")

    here = render(load_case(example), "request-letter")
    out = tmp_path / "other.pdf"
    script = (
        "import sys, pathlib\n"
        "from iopauth.caseformat.serialize import load_case\n"
        "from iopauth.rendering import render\n"
        "case = load_case(pathlib.Path(sys.argv[1]))\n"
        "pathlib.Path(sys.argv[2]).write_bytes(render(case, 'request-letter'))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(example), str(out)], check=True, timeout=120)
    assert out.read_bytes() == here


def test_unknown_document_is_a_render_error(case: Case) -> None:
    """Asking for a document that does not exist raises RenderError listing the names."""
    with pytest.raises(RenderError, match="request-letter"):
        render_html(case, "discharge-letter")


def test_template_guide_documents_every_context_variable(case: Case) -> None:
    """docs/templates.md names every variable the templates receive, and every filter."""
    from iopauth.rendering.context import build_context
    from iopauth.rendering.environment import FILTERS

    guide = (Path(__file__).resolve().parent.parent / "docs" / "templates.md").read_text("utf-8")
    context = build_context(case, "request-letter", DETERMINATION, RenderOptions())
    for name in (*context, *FILTERS):
        assert f"`{name}`" in guide, name


def test_write_demo_writes_every_document_that_fits(tmp_path: Path) -> None:
    """write_demo renders each document that fits a case file and returns the paths."""
    from iopauth.rendering import write_demo

    example = EXAMPLES / "commercial-mild-adjustment.json"
    paths = write_demo(tmp_path / "out", [example])
    fitting = [d for d in documents() if d not in ("concurrent-review", "appeal-letter")]
    assert [p.name for p in paths] == [f"commercial-mild-adjustment--{d}.pdf" for d in fitting]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in paths)
    assert not list((tmp_path / "out").glob(".*.part"))


def test_applicable_documents_follow_the_request() -> None:
    """The appeal letter needs a denial; the concurrent review a continued-stay request."""
    from iopauth.rendering import applicable_documents

    appeal = load_case(EXAMPLES / "commercial-adolescent-appeal.json")
    concurrent = load_case(EXAMPLES / "medicaid-alcohol-depression-concurrent.json")
    assert "appeal-letter" in applicable_documents(appeal)
    assert "concurrent-review" not in applicable_documents(appeal)
    assert "concurrent-review" in applicable_documents(concurrent)
    assert "appeal-letter" not in applicable_documents(concurrent)


def test_appeal_letter_without_a_denial_is_refused(case: Case) -> None:
    """An appeal letter needs the decision it appeals; without one, RenderError says so."""
    no_denial = attrs.evolve(case, request=attrs.evolve(case.request, denial=None))
    with pytest.raises(RenderError, match=r"\$\.request\.denial"):
        render_html(no_denial, "appeal-letter")


def test_checklist_names_the_code_set_and_warns_past_its_last_day(case: Case) -> None:
    """The checklist says which ICD-10-CM release checked the codes, and warns when the
    requested dates run past it (the code set follows the date of service)."""
    from datetime import date

    from iopauth.model import DateRange

    text = text_of(render(case, "checklist", DETERMINATION))
    assert "Checked against ICD-10-CM FY2026" in text
    assert "run past the last day" not in text
    late = attrs.evolve(
        case,
        request=attrs.evolve(
            case.request, period=DateRange(start=date(2026, 9, 1), end=date(2026, 10, 15))
        ),
    )
    assert "run past the last day of this code set" in text_of(
        render(late, "checklist", DETERMINATION)
    )


def test_continued_stay_does_not_call_the_patient_stepping_down_again() -> None:
    """In week four of IOP the inpatient stay is where the patient came from, not a step down
    happening now."""
    concurrent = load_case(EXAMPLES / "medicaid-alcohol-depression-concurrent.json")
    text = text_of(render(concurrent, "concurrent-review"))
    assert "came to this program after inpatient care" in text
    assert "stepping down from" not in text
