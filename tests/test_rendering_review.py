"""What a letter claims (iopauth.rendering.review): no evidence it lacks, no hidden failure,
only verified citations. Every check reads the text a reader sees, from the rendered HTML."""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path

import attrs
import pytest

from iopauth.caseformat.serialize import load_case
from iopauth.criteria import default_criteria, default_review, evaluate
from iopauth.criteria.result import Outcome
from iopauth.model import Case, DocumentKind
from iopauth.rendering import RenderOptions, applicable_documents, render_html

from .casebuilder import build_case

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples" / "cases").glob("*.json"))
MILD = next(p for p in EXAMPLES if p.stem == "commercial-mild-adjustment")
LETTERS = ("request-letter", "concurrent-review", "appeal-letter")


def visible_text(markup: str) -> str:
    """The words a reader sees: tags, the style sheet and entities resolved away."""
    markup = re.sub(r"<style.*?</style>", " ", markup, flags=re.DOTALL)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.:;])\s+", text) if s.strip()]


def empty_case() -> Case:
    """The least a valid case holds: no presentation, measures, risk, history, documents."""
    case = build_case(
        {
            "presentation": None,
            "risk": None,
            "medical": None,
            "psychosocial": None,
            "engagement": None,
        }
    )
    plan = attrs.evolve(case.plan, goals=(), discharge_plan=None, step_down_level=None)
    return attrs.evolve(
        case,
        plan=plan,
        measures=(),
        functioning=(),
        history=(),
        medications=(),
        level_of_care_ratings=(),
        request=attrs.evolve(case.request, documents=()),
    )


def _cases() -> list[tuple[str, Case]]:
    return [(p.stem, load_case(p)) for p in EXAMPLES] + [("empty", empty_case())]


def _attached_kinds(case: Case) -> set[DocumentKind]:
    return {d.kind for d in case.request.documents}


@pytest.mark.parametrize(("name", "case"), _cases(), ids=lambda v: v if isinstance(v, str) else "")
@pytest.mark.parametrize("final", [False, True], ids=["draft-or-meets", "final"])
def test_every_claim_of_evidence_points_to_a_fact(name: str, case: Case, final: bool) -> None:
    """No "shown in…" fallback; "enclosed" only where the case holds a document to enclose
    (the attendance record by name); "documented" only as a draft's status of a finding."""
    attached = _attached_kinds(case)
    for document in (d for d in applicable_documents(case) if d in LETTERS):
        markup = render_html(case, document, options=RenderOptions(final=final))
        for sentence in sentences(visible_text(markup)):
            where = f"{name} {document}: {sentence!r}"
            assert "shown in" not in sentence.lower(), where
            if "enclosed" in sentence.lower() or "enclosures" in sentence.lower():
                assert attached, where
            if "attendance record is enclosed" in sentence:
                assert DocumentKind.ATTENDANCE_RECORD in attached, where
            lowered = sentence.lower().replace("not documented", "")
            assert "documented" not in lowered, where
        if not attached:
            assert "Enclosures" not in visible_text(markup), name


def test_the_empty_case_claims_no_presentation_or_enclosure() -> None:
    """A case with no presentation, measures or documents prints no section for them."""
    text = visible_text(render_html(empty_case(), "request-letter"))
    assert "Clinical presentation" not in text
    assert "Standardized measures" not in text
    assert "record attached" not in text
    assert "Enclosures" not in text


def test_a_met_row_with_no_fact_is_left_out_and_named() -> None:
    """The mild example records no level-of-care rating: its "Recorded level of care fits" row
    is not printed as met with a generic phrase; the letter names it as left out."""
    case = load_case(MILD)
    text = visible_text(render_html(case, "request-letter"))
    assert "Recorded level of care fits Met" not in text
    assert "holds no statement on \u201cRecorded level of care fits\u201d" in text


def _determination(case: Case):  # type: ignore[no-untyped-def]
    return evaluate(
        case,
        criteria=default_criteria(case),
        review=default_review(case),
        as_of=case.request.request_date,
    )


def test_a_draft_shows_the_whole_review_with_failing_rows_marked() -> None:
    """The mild example does not meet: its draft says which set it was reviewed against and
    prints the failing rows, marked, beside the others."""
    case = load_case(MILD)
    found = _determination(case)
    assert found.outcome is not Outcome.MEETS
    failing = [f.title for f in found.findings if f.status.value in ("not_met", "applies")]
    assert failing
    text = visible_text(render_html(case, "request-letter"))
    assert "We reviewed the record against iop-standard" in text
    for title in failing:
        assert re.search(re.escape(title) + r" (Not met|Applies)", text), title


def test_a_final_letter_for_a_case_that_does_not_meet_claims_no_review() -> None:
    """``final=True``: no "we reviewed against", no criteria table; the clinician's reasons
    (presentation, why this level) remain, and no DRAFT mark."""
    case = load_case(MILD)
    markup = render_html(case, "request-letter", options=RenderOptions(final=True))
    text = visible_text(markup)
    assert "reviewed the record against" not in text
    assert "Medical-necessity criteria" not in text
    assert 'class="criteria"' not in markup
    assert "DRAFT" not in text
    assert "Why intensive outpatient (IOP)" in text
    assert case.presentation is not None
    assert case.presentation.summary
    assert case.presentation.summary in text


def test_a_final_appeal_that_does_not_meet_claims_no_review() -> None:
    """The same rule in an appeal whose denial names no criteria."""
    case = load_case(next(p for p in EXAMPLES if p.stem == "commercial-adolescent-appeal"))
    assert case.request.denial is not None
    denial = attrs.evolve(case.request.denial, unmet_criteria=())
    case = attrs.evolve(
        case,
        request=attrs.evolve(case.request, denial=denial),
        presentation=None,
        measures=(),
    )
    assert _determination(case).outcome is not Outcome.MEETS
    final = visible_text(render_html(case, "appeal-letter", options=RenderOptions(final=True)))
    assert "reviewed the record against" not in final
    assert "The treating clinician's reasons for this level of care follow." in final
    draft = visible_text(render_html(case, "appeal-letter"))
    assert "reviewed the record against" in draft


def test_the_cli_final_letter_claims_no_review(tmp_path: Path) -> None:
    """``iopauth render --final`` writes the same final letter (text read from the PDF)."""
    import io

    import pypdf

    from iopauth.cli.main import main

    out = tmp_path / "letter.pdf"
    code = main(["render", str(MILD), "-d", "request-letter", "--final", "-o", str(out)])
    assert code == 0
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "reviewed the record against" not in text
    assert "Medical-necessity criteria" not in text
    assert "Why intensive outpatient (IOP)" in text


def test_a_letter_cites_only_verified_sources() -> None:
    """A finding whose source is unverified is stated without its citation in the letter; the
    checklist still flags it."""
    case = build_case()
    found = _determination(case)
    assert found.outcome is Outcome.MEETS
    cited = [f for f in found.findings if f.citation]
    assert cited
    target = cited[0]
    unverified = attrs.evolve(target, verified=False)
    changed = attrs.evolve(
        found,
        findings=tuple(unverified if f is target else f for f in found.findings),
    )
    letter = render_html(case, "request-letter", determination=changed)
    assert target.citation not in visible_text(letter)
    verified_letter = render_html(case, "request-letter", determination=found)
    assert target.citation in visible_text(verified_letter)
    checklist = visible_text(render_html(case, "checklist", determination=changed))
    assert "Source unverified" in checklist


def test_a_row_never_only_points_elsewhere() -> None:
    """A row whose every sentence an earlier row quoted states them again; a row with a
    sentence of its own names the earlier row for the rest."""
    from iopauth.rendering.review import letter_findings
    from iopauth.rendering.views import FindingView

    def row(title: str, *basis: str) -> FindingView:
        return FindingView(
            criterion=title,
            title=title,
            kind="required",
            status="met",
            status_label="Met",
            tone="good",
            reason="",
            basis=basis,
            citation="",
            documentation=(),
            verified=True,
        )

    shown, left_out = letter_findings(
        (row("A", "One.", "Two."), row("B", "One."), row("C", "Two.", "Three."), row("D")),
        draft=False,
    )
    assert [r.basis for r in shown] == [
        ("One.", "Two."),
        ("One.",),
        ("Three.", "See also the record quoted under \u201cA\u201d above."),
    ]
    assert left_out == ("D",)


def test_the_review_notes_reach_the_staff_as_written() -> None:
    """Notes on the determination (a retrospective request, an inconsistency) print in the
    checklist and in a draft's first-page note, with no template naming them."""
    case = load_case(MILD)
    found = _determination(case)
    note = "The request was made 12 days after the first date of service."
    noted = attrs.evolve(found, notes=(*found.notes, note))
    assert note in visible_text(render_html(case, "checklist", determination=noted))
    draft = visible_text(render_html(case, "request-letter", determination=noted))
    assert note in draft.split("Capitol Counseling Group", 1)[0]  # in the first-page note
