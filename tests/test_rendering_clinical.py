"""Letters in the payer's language: clinical sentences from the case, no engine internals."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from functools import cache
from pathlib import Path

import attrs
import pypdf
import pytest

from iopauth.caseformat.serialize import load_case
from iopauth.criteria.facts import FACTS
from iopauth.model import (
    Case,
    Diagnosis,
    DocumentKind,
    Guardian,
    LevelOfCareRating,
    PersonName,
    PlanType,
    RatingInstrument,
    RequestKind,
)
from iopauth.rendering import applicable_documents, render, render_documents, render_html
from iopauth.rendering.clinical import (
    attendance_sentence,
    failed_lower_sentences,
    functioning_sentences,
    rating_sentences,
)
from iopauth.rendering.measure_rows import measure_rows, measure_sentence

from .casebuilder import build_case

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples" / "cases").glob("*.json"))
APPEAL = next(p for p in EXAMPLES if p.stem == "commercial-adolescent-appeal")
CONCURRENT = next(p for p in EXAMPLES if p.stem == "medicaid-alcohol-depression-concurrent")
MILD_PATH = next(p for p in EXAMPLES if p.stem == "commercial-mild-adjustment")


def _texts(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


@cache
def _example_documents(path: Path) -> dict[str, list[str]]:
    """Every applicable document of one example, as the text of each page."""
    case = load_case(path)
    return {name: _texts(pdf) for name, pdf in render_documents(case).items()}


# Engine internals a reader must never see: fact names, JSON paths, evidence echoes, URLs.
_INTERNALS = (
    re.compile(r"\$\.[a-z]"),
    re.compile(r"= (yes|no)\b"),
    re.compile(r"\b(Met|Applies|Not documented): "),
    re.compile(r"https?://|www\.|\.com\b|\.org\b|\.md\b"),
    re.compile(r"\[(verified|unverified|standard|conflict)"),
)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_no_document_prints_engine_internals(example: Path) -> None:
    """No page of any document of any example carries a fact name, a JSON path, an evidence
    echo ("= yes", "Met: "), a confidence label or a web address."""
    fact_names = [name for name in FACTS if "." in name]
    for name, pages in _example_documents(example).items():
        for number, page in enumerate(pages, start=1):
            where = f"{example.stem} {name} page {number}"
            # the 988 Lifeline's chat address is for the patient (clinical-thresholds.md §6)
            text = page.replace("988lifeline.org", "988 Lifeline")
            if name != "patient-summary":
                text = page
            for pattern in _INTERNALS:
                assert not pattern.search(text), f"{where}: {pattern.pattern}"
            for fact in fact_names:
                assert fact not in page, f"{where}: {fact}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_only_a_draft_prints_a_not_met_row(example: Path) -> None:
    """A letter that can go to the payer never says "Not met"; a draft does, on the failing
    rows of its criteria table (docs/templates.md "What a letter claims")."""
    for name, pages in _example_documents(example).items():
        if name in ("checklist", "patient-summary"):
            continue
        text = " ".join(pages)
        if "DRAFT" in text and name in ("request-letter", "concurrent-review", "appeal-letter"):
            assert "Not met" in text.split("Medical-necessity criteria", 1)[-1], name
        elif "DRAFT" not in text:
            assert "Not met" not in text, name


def test_measure_sentences_give_dates_and_change() -> None:
    """A repeated measure reads with both dates, bands and the change in points, and what the
    change means by the instrument's rule (a rise of 4 on the PHQ-9 is under its 5 points)."""
    case = load_case(APPEAL)
    phq9 = measure_rows(case)[0]
    assert measure_sentence(phq9) == (
        "PHQ-9 16 (moderately severe) on April 13, 2026, up 4 points from 12 (moderate) on "
        "January 20, 2026: no meaningful change."
    )


def test_functioning_attendance_rating_and_failed_care_in_sentences() -> None:
    """Impairment, attendance, the recorded rating with its version and failed lower care read
    as a reviewer writes them."""
    appeal = load_case(APPEAL)
    assert "Severe impairment at school: missed 11 of 20 school days." in functioning_sentences(
        appeal
    )
    assert failed_lower_sentences(appeal) == [
        "Outpatient care (weekly individual therapy and psychiatry follow-up) from January 20, "
        "2026 to April 10, 2026 ended with an insufficient response."
    ]
    concurrent = load_case(CONCURRENT)
    assert attendance_sentence(concurrent) == (
        "Attended 15 of 16 scheduled program days (94%) since admission on May 4, 2026."
    )
    locus = LevelOfCareRating(
        instrument=RatingInstrument.LOCUS,
        rated_on=date(2026, 6, 5),
        ratings={},
        recommended_level="3",
        version="20",
        composite=18,
    )
    case = attrs.evolve(build_case(), level_of_care_ratings=(locus,))
    assert rating_sentences(case) == [
        "LOCUS version 20, rated June 5, 2026, composite score 18: recommended level 3."
    ]


def test_appeal_answers_each_cited_criterion_with_the_record() -> None:
    """The appeal quotes measures with change, impairment, failed care and the recorded rating
    under the criteria the denial named, and never says only "Met in the record"."""
    text = " ".join(_example_documents(APPEAL)["appeal-letter"])
    section = text.split("Response to each criterion cited as unmet", 1)[1].split("Diagnoses", 1)[0]
    for fact in (
        "The decision found this criterion unmet. The record shows that it is met",
        "up 4 points from 12 (moderate) on January 20, 2026",
        "missed 11 of 20 school days",
        "ended with an insufficient response",
        "CALOCUS-CASII, rated April 13, 2026",
        "The decision treats this exclusion as applying. The record shows that it does not",
    ):
        assert fact in section, fact
    assert "in the record" not in section


def test_standards_of_care_bear_on_this_patient() -> None:
    """Co-occurring treatment only with a substance-use diagnosis, chronic-condition language
    only with a recurrent or chronic diagnosis."""
    appeal = load_case(APPEAL)  # F32.1 single episode and F41.1: neither substance nor chronic
    html = render_html(appeal, "appeal-letter")
    assert "Co-occurring" not in html
    assert "Chronic conditions" not in html
    assert "Treatment should address the underlying condition" in html
    recurrent_sud = attrs.evolve(
        appeal,
        diagnoses=(
            Diagnosis(
                code="F33.1", primary=True, description="Major depressive disorder, recurrent"
            ),
            Diagnosis(code="F10.20"),
        ),
    )
    html = render_html(recurrent_sud, "appeal-letter")
    assert "Co-occurring mental-health and substance-use conditions" in html
    assert "Chronic conditions warrant effective treatment" in html


def test_citations_name_the_primary_authority() -> None:
    """The appeal cites Wit by docket and the request cites CMS-0057-F by Federal Register,
    never a web page."""
    appeal = " ".join(_example_documents(APPEAL)["appeal-letter"])
    assert "No. 14-cv-02346-JCS (N.D. Cal. Feb. 28, 2019)" in appeal
    assert "casetext" not in appeal
    base = build_case()
    medicaid = attrs.evolve(base, coverage=attrs.evolve(base.coverage, plan_type=PlanType.MEDICAID))
    letter = render_html(medicaid, "request-letter")
    assert "89 Fed. Reg. 8758" in letter
    assert "cms-0057-f.com" not in letter


def test_checklist_tells_stated_in_the_case_from_attached() -> None:
    """A discharge plan and a level-of-care rating the case states are "In the letter", not
    "Missing", when no document is on hand to attach."""
    text = " ".join(_example_documents(APPEAL)["checklist"])
    row = text.split("Discharge, aftercare or step-down plan", 1)[1][:60]
    assert row.lstrip().startswith("In the letter"), row
    assert "Level-of-care assessment (e.g. LOCUS, ASAM) In the letter" in text


def test_concurrent_review_lists_the_attendance_record_only_when_on_hand() -> None:
    """The attendance record is named as enclosed only when the case has one."""
    case = load_case(CONCURRENT)
    assert "The attendance record is enclosed." in render_html(case, "concurrent-review")
    without = attrs.evolve(
        case,
        request=attrs.evolve(
            case.request,
            documents=tuple(
                d for d in case.request.documents if d.kind is not DocumentKind.ATTENDANCE_RECORD
            ),
        ),
    )
    html = render_html(without, "concurrent-review")
    assert "attendance record is enclosed" not in html
    assert "Attended 15 of 16 scheduled program days" in html


def test_concurrent_review_carries_what_a_reviewer_asks_for() -> None:
    """Diagnoses, medication changes, attendance against the schedule, goal progress, the
    measure trend, barriers to discharge, the relapse plan and the next review date."""
    text = " ".join(_example_documents(CONCURRENT)["concurrent-review"])
    for fact in (
        "Diagnoses",
        "F10.20",
        "No medication was started or stopped since admission on May 4, 2026.",
        "Attended 15 of 16 scheduled program days (94%)",
        "The schedule is 4 days and 12 hours a week",
        "In progress: two lapses in week three",
        "PHQ-9 fell 8 points, from 18 at admission on May 4, 2026 to 10 on June 1, 2026",
        "Barriers to discharge",
        "Goal not yet met: Return to work plan.",  # recorded as not started
        "Discharge and relapse-prevention plan",
        "We request the next review on or before June 28, 2026",
    ):
        assert fact in text, fact


def test_phq9_chart_uses_the_instrument_scale_and_labels_every_date() -> None:
    """The chart runs 0 to 27 with the band edges 5, 10, 15 and 20 marked, labels each
    administration's date and total, and states the change in words beside it."""
    html = render_html(load_case(CONCURRENT), "concurrent-review")
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    labels = re.findall(r">([^<>]+)</text>", svg)
    for edge in ("0", "5", "10", "15", "20", "27"):
        assert edge in labels, edge
    for day in ("05/04/26", "05/18/26", "06/01/26"):
        assert day in labels, day
    assert "PHQ-9 fell 8 points, from 18 at admission on May 4, 2026 to 10 on June 1, 2026" in html


def test_patient_summary_speaks_to_a_minor_and_the_guardian() -> None:
    """A minor's summary names the parent or guardian, the program days and hours, and the
    plan's member-services number rather than the providers' UM line."""
    case = load_case(APPEAL)
    text = " ".join(_example_documents(APPEAL)["patient-summary"])
    assert "For Maya Examplegirl and Lucia Examplegirl (mother)" in text
    assert "Monday: 3 hours" in text
    assert "member services, (555) 020-7100" in text
    assert case.coverage.um_phone is not None
    assert case.coverage.um_phone not in text
    adult = attrs.evolve(
        build_case(),
        patient=attrs.evolve(
            build_case().patient,
            guardian=Guardian(name=PersonName(given="Pat", family="Parent"), relationship="father"),
        ),
    )
    assert "Pat Parent" not in render_html(adult, "patient-summary")  # an adult's own page


def test_patient_summary_of_a_concurrent_review_says_what_was_approved_and_when_next() -> None:
    """For a continued stay the summary gives the approval so far and the next review date."""
    text = " ".join(_example_documents(CONCURRENT)["patient-summary"])
    assert "approved the care you have had since May 4, 2026" in text
    assert "The next review is on or before June 28, 2026" in text


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_patient_summary_fits_on_one_page(example: Path) -> None:
    """The patient summary of every example is one page."""
    assert len(_example_documents(example)["patient-summary"]) == 1


def test_request_letter_cites_rating_version_as_a_version() -> None:
    """A recorded LOCUS version reads "LOCUS version 20", never "LOCUS (20)"."""
    path = next(p for p in EXAMPLES if p.stem == "medicare-stepdown-depression")
    text = " ".join(_example_documents(path)["request-letter"])
    assert "LOCUS version 20" in text
    assert "LOCUS (20)" not in text


def test_documents_only_offer_what_fits() -> None:
    """The concurrent example offers the review; an initial request does not."""
    case: Case = load_case(CONCURRENT)
    assert "concurrent-review" in applicable_documents(case)
    initial = attrs.evolve(case, request=attrs.evolve(case.request, kind=RequestKind.INITIAL))
    assert "concurrent-review" not in applicable_documents(initial)


def test_every_fact_a_rule_can_read_chooses_sentences() -> None:
    """Each fact but those the request table already states leads to clinical sentences, so a
    criterion on any fact is answered from the record, not "shown in the enclosed record"."""
    from iopauth.rendering.basis import topics_for

    stated_elsewhere = {
        "patient.age",
        "patient.sex",
        "coverage.plan_type",
        "program.setting",
        "request.kind",
        "request.weeks",
        "request.documents",
    }
    silent = [name for name in FACTS if "." in name and not topics_for((name,))]
    assert sorted(silent) == sorted(stated_elsewhere)


def test_letter_quotes_each_sentence_of_the_record_once() -> None:
    """The criteria table quotes a sentence of the record in one row only; later rows that
    rest on it name the row that quotes it."""
    html = render_html(load_case(CONCURRENT), "concurrent-review")
    table = html.split('<table class="criteria">', 1)[1].split("</table>", 1)[0]
    assert table.count("Attended 15 of 16 scheduled program days") == 1
    assert "See also the record quoted under" in table


def _all_texts() -> list[tuple[str, str]]:
    """Every document of every example as the reader sees it (HTML text, packet left out)."""
    from .test_rendering_review import visible_text

    out = []
    for example in EXAMPLES:
        case = load_case(example)
        for name in applicable_documents(case):
            if name != "packet":
                out.append((f"{example.stem} {name}", visible_text(render_html(case, name))))
    return out


def test_no_document_prints_enum_values_doubled_words_or_field_answers() -> None:
    """No snake_case value, no word printed twice in a row, no "Label: yes." answer, no two
    parentheses in a row, no "none risk" (issue #22 point 4, over every document)."""
    faults = []
    for where, text in _all_texts():
        for pattern in (
            r"\b[a-z]+_[a-z_]+\b",  # an enum value or field name
            r"\b(\w+) \1\b",  # a doubled word
            r":\s*(yes|no)\.",  # a form's answer pasted into a sentence
            # "(fictional Medicaid plan) (Medicaid)"; a court citation's parentheses are its own
            r"\)\s*\((?!findings of fact)",
            r"none risk",
            r"Housing: ",
            r"\bat withdrawal\b",
        ):
            for match in re.finditer(pattern, text):
                faults.append(f"{where}: {text[max(0, match.start() - 40) : match.end() + 40]!r}")
    assert faults == []


def test_the_clinician_words_replace_the_generated_ones() -> None:
    """Issue #22 point 4, case by case, on the example the reader saw."""
    concurrent = load_case(CONCURRENT)
    text = " ".join(_texts(render(concurrent, "concurrent-review")))
    assert "C-SSRS screener on June 1, 2026: no risk identified." in text
    assert "ASAM Criteria, 3rd edition, rated June 1, 2026" in text
    assert "Buckeye Community Care (fictional Medicaid plan) Requesting" in text
    assert "inpatient care (withdrawal management unit, April 27, 2026 to May 1, 2026)" in text
    assert text.count("Step down to standard outpatient counselling") == 1
    mild = render_html(load_case(MILD_PATH), "request-letter")
    assert "(age 31); sex recorded as other" in mild
    assert "The patient lives in stable housing." in mild
    assert "The home is a safe place to live between sessions." in mild
    assert "Example</th>" not in mild  # no note recorded: no empty column


def test_an_expedited_letter_quotes_the_clinician_or_only_asks() -> None:
    """Without a recorded statement the letter only asks for an expedited review; with one it
    quotes the clinician's words, never a judgment generated from the urgency alone."""
    from iopauth.model import Urgency

    case = build_case()
    urgent = attrs.evolve(case, request=attrs.evolve(case.request, urgency=Urgency.EXPEDITED))
    plain = render_html(urgent, "request-letter")
    assert "We request an expedited decision." in plain
    assert "judges that waiting" not in plain
    assert "risks harm" not in plain
    stated = "Daily panic attacks; she cannot wait two weeks without losing her job."
    with_reason = attrs.evolve(
        urgent, request=attrs.evolve(urgent.request, expedited_reason=stated)
    )
    quoted = render_html(with_reason, "request-letter")
    assert "The treating clinician states: &ldquo;" in quoted or "states: \u201c" in quoted
    assert "Daily panic attacks; she cannot wait two weeks without losing her job." in quoted


def _pages_text(path: Path, document: str) -> str:
    return " ".join(_example_documents(path)[document])


MEDICARE = next(p for p in EXAMPLES if p.stem == "medicare-stepdown-depression")


def test_concurrent_review_gives_the_clinical_presentation() -> None:
    """documents.md §3: the continued-stay review states the clinical presentation, as the
    record words it (review item 9)."""
    text = _pages_text(CONCURRENT, "concurrent-review")
    assert "Clinical presentation" in text
    assert "cravings and depressive symptoms are improving but not yet stable" in text


def test_concurrent_review_states_the_cms_0057f_time_frame_where_it_applies() -> None:
    """A Medicaid managed-care review carries the same decision-time-frame statement as the
    request letter (review item 10)."""
    request = _pages_text(CONCURRENT, "request-letter")
    review = _pages_text(CONCURRENT, "concurrent-review")
    sentence = "a decision on this standard request is due within 7 calendar days"
    assert sentence in request
    assert sentence in review
    assert "a denial must state its specific reason" in review


def test_medicines_started_on_the_admission_day_are_not_changes() -> None:
    """Naltrexone and escitalopram began on the admission day: no "changes since admission"
    (review item 19); one started later is still listed."""
    text = _pages_text(CONCURRENT, "concurrent-review")
    assert "Changes since admission" not in text
    case = load_case(CONCURRENT)
    later = attrs.evolve(case.medications[0], start_date=date(2026, 5, 20))
    changed = attrs.evolve(case, medications=(later, *case.medications[1:]))
    html = render_html(changed, "concurrent-review")
    assert (
        "Changes since admission on May 4, 2026: Naltrexone 50 mg once daily: started on May 20"
        in html
    )


def test_concurrent_review_heads_risk_and_criteria_apart_from_the_reasons() -> None:
    """Denying suicidal ideation is stated under its own heading, not as a reason for continued
    care, and the criteria table has its heading as in the other letters (review item 20)."""
    text = _pages_text(CONCURRENT, "concurrent-review")
    assert "Medical-necessity criteria" in text
    assert "Current risk:" not in text
    assert "Risk and safety" in text


def test_no_generated_claim_about_the_structure_iop_provides() -> None:
    """ "IOP provides the structure needed to keep the gains made there" is in no case: no letter
    says it (review item 17); the stay it follows is still named."""
    for example in EXAMPLES:
        for name, pages in _example_documents(example).items():
            assert "structure needed to keep the gains" not in " ".join(pages), (example, name)
    assert "The patient is stepping down from" in _pages_text(MEDICARE, "request-letter")


def test_no_heading_without_content() -> None:
    """The mild case has no step-down stay, no lower-level reasons and no rating: its request
    letter prints no "Why intensive outpatient" heading with nothing under it (review item 13)."""
    case = load_case(MILD_PATH)
    html = render_html(case, "request-letter")
    heading = re.search(r"<h2>Why [^<]*</h2>\s*(<h[12])", html)
    assert heading is None, heading


def test_appeal_names_the_denial_reference_as_such() -> None:
    """The appeal's payer number is the denial's reference, not an authorization (item 15)."""
    text = _pages_text(APPEAL, "appeal-letter")
    assert "denial reference GV-UM-2026-041553" in text
    assert "authorization GV-UM-2026-041553" not in text


def test_an_initial_request_gives_no_goal_status_the_case_did_not_record() -> None:
    """A goal's status is optional: the Medicare initial request, which records none, names its
    goals without a status; the concurrent review gives each recorded status (item 16), here
    "not started" as the case records it."""
    assert "(not started)" not in _pages_text(MEDICARE, "request-letter")
    assert "Resume daily routines" in _pages_text(MEDICARE, "request-letter")
    review = _pages_text(CONCURRENT, "concurrent-review")
    assert "Return to work plan (not started)" in review


def test_a_note_from_the_record_reads_as_a_sentence() -> None:
    """A free-text note is printed with a capital and a full stop (review item 18)."""
    assert "Sister drives him to sessions." in _pages_text(CONCURRENT, "request-letter")
    assert "Lives with his wife, who attends family sessions." in _pages_text(
        MEDICARE, "request-letter"
    )


def test_an_exclusion_that_does_not_apply_reads_not_present() -> None:
    """ "Needs 24-hour care or is dangerous — Does not apply" read as "not assessed": the
    Result column says the exclusion's condition is "Not present" (review item 16)."""
    text = _pages_text(MEDICARE, "request-letter")
    assert "Does not apply" not in text
    assert re.search(r"Needs 24-hour care or is\s+dangerous Not present\b", text)


def test_chart_point_labels_keep_clear_of_the_axis_numbers() -> None:
    """The first total's label starts well right of the axis numbers (review item 24: the axis
    "20" and the first PHQ-9 total "18" overlapped)."""
    html = render_html(load_case(CONCURRENT), "concurrent-review")
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    axis = [
        float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="end" fill="#444">', svg)
    ]
    totals = [float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*font-weight="bold"', svg)]
    assert axis
    assert totals
    assert min(totals) - min(axis) >= 12, (axis, totals)  # axis numbers end at the left edge


@pytest.mark.parametrize("example", [APPEAL, CONCURRENT], ids=lambda p: p.stem)
def test_appeal_and_concurrent_packets_end_with_the_enclosure_list(example: Path) -> None:
    """The adolescent appeal and the Medicaid review packets list their enclosures as the
    Medicare and mild packets do (review item 31)."""
    last = _texts(render(load_case(example), "packet"))[-1]
    assert "Enclosures" in last
    kind = "the appeal for" if example == APPEAL else "the continued-stay review for"
    assert f"Enclosed with {kind} intensive outpatient (IOP)" in last


_REVIEW_CASES = Path(__file__).resolve().parent / "data" / "review-cases"


def _html_text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace("&#39;", "'").split())


def test_a_goal_without_a_recorded_status_is_never_given_one() -> None:
    """The reviewer's week-6 case records no goal status: the concurrent review says no
    progress is recorded and never prints "Not started" or "Goal not yet met" for it."""
    case = load_case(_REVIEW_CASES / "1b-mcr-cs-wk6-nobaseline.json")
    text = _html_text(render_html(case, document="concurrent-review"))
    assert "Not started" not in text
    assert "not started" not in text
    assert "Goal not yet met" not in text
    assert (
        "Keep safe no suicidal behavior; uses safety plan steps when ideation rises "
        "08/01/2026 No progress recorded" in text
    )
    assert "Goal with no progress recorded: Keep safe." in text
    assert "Keep safe (no progress recorded)." in text


def test_a_diagnosis_without_a_description_gets_the_index_title() -> None:
    """F10.20 with no description in the case: the table and the criteria row print the
    title of the shipped ICD-10-CM index."""
    case = load_case(_REVIEW_CASES / "2-sud-ciwa21.json")
    assert case.diagnoses[0].description is None
    text = _html_text(render_html(case, document="request-letter"))
    assert "F10.20 Alcohol dependence, uncomplicated Primary" in text
    assert "Primary diagnosis: Alcohol dependence, uncomplicated (F10.20)." in text


def test_a_recorded_not_started_status_is_printed() -> None:
    """With the status optional, a goal recorded as not started says so (only an unrecorded
    status is left out)."""
    raw = json.loads((_REVIEW_CASES / "1b-mcr-cs-wk6-nobaseline.json").read_text("utf-8"))
    raw["plan"]["goals"][0]["status"] = "not_started"
    text = _html_text(render_html(load_case(raw), document="concurrent-review"))
    assert "Not started" in text


def test_a_single_score_after_admission_is_not_shown_as_the_baseline() -> None:
    """A reviewer found the C-SSRS of June 1 under "Baseline" in a continued-stay letter whose
    note defines the baseline as the score at admission on May 4."""
    page = render_html(load_case(CONCURRENT), "concurrent-review")
    row = " ".join(page.split("C-SSRS screener</td>", 1)[1].split("</tr>", 1)[0].split())
    assert row.startswith('<td class="muted">none at admission</td> <td>06/01/2026')
    audit = " ".join(page.split(">AUDIT</td>", 1)[1].split("</tr>", 1)[0].split())
    assert audit.startswith("<td>26 / 40 on 05/04/2026")  # taken at admission: the baseline
