"""Determinations a utilization reviewer would agree with: cases written from the domain files.

Each test is a clinical situation (level-of-care.md, measures.md, payer-criteria.md,
medicare-iop.md) and checks what the determination says: statuses, reasons, the recommended
level and the findings that drove it, and what it asks for.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import attrs
import pytest

from iopauth.criteria import CriteriaSet, Determination, Outcome, Review, Status, criteria_sets
from iopauth.criteria import evaluate as _evaluate
from iopauth.levels import dimension_keys
from iopauth.model import (
    Case,
    Diagnosis,
    DocumentKind,
    DocumentOnHand,
    FunctionalDomain,
    FunctionalImpairment,
    Instrument,
    LevelOfCare,
    LevelOfCareRating,
    MeasureAdministration,
    PlacementReason,
    PlannedService,
    RatingInstrument,
    Schedule,
    Severity,
)

from .casebuilder import START, asam, build_case, locus, weekly

# --- 1. a recorded level above the set's level -------------------------------------------------


def evaluate(
    case: Case,
    criteria: str | os.PathLike[str] | CriteriaSet = "iop-standard",
    review: str | Review = "initial",
    as_of: date | None = None,
) -> Determination:
    """``iopauth.evaluate`` with this module's fixed set and review: these tests are about
    ``iop-standard``'s initial review (``evaluate(case)`` itself uses the case's defaults,
    tests/test_criteria_defaults.py)."""
    return _evaluate(case, criteria, review, as_of)


@pytest.mark.parametrize(
    ("level", "expected"),
    [("4", LevelOfCare.PHP), ("5", LevelOfCare.RESIDENTIAL), ("6", LevelOfCare.INPATIENT)],
)
@pytest.mark.parametrize("review", [Review.INITIAL, Review.CONTINUED])
def test_locus_above_iop_is_not_met_and_recommended(
    level: str, expected: LevelOfCare, review: Review
) -> None:
    """LOCUS 4, 5 or 6 makes the level fit not met and recommends that level."""
    case = build_case({"level_of_care_ratings": (locus(level),)})
    result = evaluate(case, "iop-standard", review)
    finding = result.by_criterion()["adm.level_fit"]
    assert finding.status is Status.NOT_MET
    assert f"LOCUS, rated on March 4, 2026, recommends level {level}" in finding.reason
    assert "does not say why the patient is placed lower" in finding.reason
    assert result.outcome is Outcome.DOES_NOT_MEET
    assert result.recommended_level is expected
    assert result.recommendation_basis == ("adm.level_fit",)


def test_calocus_and_asam_above_iop() -> None:
    """CALOCUS-CASII 4 points to PHP in iop-standard; ASAM 2.5 does so in sud-iop."""
    calocus = LevelOfCareRating(
        instrument=RatingInstrument.CALOCUS_CASII,
        rated_on=date(2026, 3, 4),
        # every dimension rated (1-5, level-of-care.md), as validation requires
        ratings=dict.fromkeys(dimension_keys(RatingInstrument.CALOCUS_CASII), 4),
        recommended_level="4",
    )
    teen = build_case({"patient.birth_date": date(2010, 6, 1), "level_of_care_ratings": (calocus,)})
    result = evaluate(teen, "iop-standard")
    assert result.by_criterion()["adm.level_fit"].status is Status.NOT_MET
    assert "CALOCUS-CASII" in result.by_criterion()["adm.level_fit"].reason
    assert result.recommended_level is LevelOfCare.PHP
    sud = evaluate(build_case({"level_of_care_ratings": (asam("2.5"),)}), "sud-iop")
    finding = sud.by_criterion()["sud.asam_level"]
    assert finding.status is Status.NOT_MET
    assert "ASAM Criteria (3rd edition) assessment of March 2, 2026" in finding.reason
    assert "level 2.5 (partial hospitalization care), above intensive outpatient" in finding.reason
    assert sud.recommended_level is LevelOfCare.PHP
    assert sud.recommendation_basis == ("sud.asam_level",)


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (PlacementReason.PATIENT_DECLINED, "the patient declined that level"),
        (PlacementReason.NOT_AVAILABLE, "that level is not available to the patient"),
        (PlacementReason.WAITING_LIST, "on a waiting list for that level"),
        (PlacementReason.OTHER, "the clinician records why"),
    ],
)
def test_recorded_placement_reason_makes_the_level_fit(reason: PlacementReason, words: str) -> None:
    """A recorded reason for placing lower makes the finding met and says why, in every set."""
    rating = attrs.evolve(locus("4"), placement_reason=reason, placement_note="sees in May")
    case = build_case({"level_of_care_ratings": (rating,)})
    for name, criterion in (("iop-standard", "adm.level_fit"), ("medicare-iop", "mcr.level_fit")):
        result = evaluate(case, name)
        finding = result.by_criterion()[criterion]
        assert finding.status is Status.MET
        assert words in finding.reason
        assert "sees in May" not in finding.reason  # the free-text note is patient data
        assert result.outcome is Outcome.MEETS
        assert result.recommended_level is None
    declined = attrs.evolve(asam("2.5"), placement_reason=reason)
    sud = evaluate(build_case({"level_of_care_ratings": (declined,)}), "sud-iop")
    assert sud.by_criterion()["sud.asam_level"].status is Status.MET
    assert words in sud.by_criterion()["sud.asam_level"].reason


def test_php_set_reads_a_rating_above_php() -> None:
    """In php-standard, LOCUS 6 (inpatient) is above the set's level; LOCUS 4 fits."""
    six = evaluate(
        build_case({**weekly(5, 5.0), "level_of_care_ratings": (locus("6"),)}), "php-standard"
    )
    assert six.by_criterion()["php.level_fit"].status is Status.NOT_MET
    assert six.recommended_level is LevelOfCare.INPATIENT
    four = evaluate(
        build_case({**weekly(5, 5.0), "level_of_care_ratings": (locus("4"),)}), "php-standard"
    )
    assert four.by_criterion()["php.level_fit"].status is Status.MET
    assert four.outcome is Outcome.MEETS


def test_rating_below_iop_keeps_todays_behaviour() -> None:
    """A LOCUS 2 fits the level-fit criterion; the lower-level exclusion applies."""
    result = evaluate(build_case({"level_of_care_ratings": (locus("2"),)}))
    assert result.by_criterion()["adm.level_fit"].status is Status.MET
    lower = result.by_criterion()["ex.lower_level_suffices"]
    assert lower.status is Status.APPLIES
    assert "LOCUS, rated on March 4, 2026, recommends level 2" in lower.reason
    assert result.outcome is Outcome.DOES_NOT_MEET
    # the clinician and the failed outpatient episode say outpatient care is not enough
    assert result.recommended_level is LevelOfCare.IOP
    assert result.recommendation_basis == ("adm.impairment",)
    agreed = build_case(
        {
            "level_of_care_ratings": (locus("2"),),
            "presentation.outpatient_insufficient": False,
            "history": (),
        }
    )
    assert evaluate(agreed).recommended_level is LevelOfCare.OUTPATIENT


def test_placement_note_is_redacted_and_round_trips() -> None:
    """The placement reason survives dump/load; the free-text note never shows in a repr."""
    from iopauth import dump_case, load_case
    from iopauth.levels import dimension_keys

    rating = attrs.evolve(
        locus("4"),
        ratings=dict.fromkeys(dimension_keys(RatingInstrument.LOCUS), 3),
        placement_reason=PlacementReason.WAITING_LIST,
        placement_note="Private words",
    )
    case = build_case({"level_of_care_ratings": (rating,)})
    assert "Private words" not in repr(rating)
    data = dump_case(case)
    assert data["level_of_care_ratings"][0]["placement_reason"] == "waiting_list"
    assert load_case(data) == case


# --- 2. PHQ-9 item 9 and the C-SSRS screener -------------------------------------------------

_LATER = date(2026, 3, 16)


def _phq9(item9: int, on: date = _LATER) -> MeasureAdministration:
    return MeasureAdministration(
        instrument=Instrument.PHQ9, administered_on=on, items=(2, 2, 1, 1, 1, 1, 1, 1, item9)
    )


@pytest.mark.parametrize("name", ["iop-standard", "medicare-iop", "sud-iop", "php-standard"])
def test_item9_with_a_later_risk_assessment_is_met_and_says_so(name: str) -> None:
    """Item 9 above zero followed by a risk assessment is met, naming the answer and dates."""
    case = build_case({"measures": (_phq9(2),), "risk.assessed_on": _LATER})
    finding = evaluate(case, name).by_criterion()["safety.followup"]
    assert finding.status is Status.MET
    assert "The PHQ-9 of March 16, 2026 answers item 9" in finding.reason
    assert "with 2" in finding.reason
    assert "the risk assessment of March 16, 2026 follows it up" in finding.reason
    assert "a safety plan is in place" in finding.reason


@pytest.mark.parametrize("name", ["iop-standard", "medicare-iop", "sud-iop", "php-standard"])
def test_item9_without_follow_up_is_unknown_and_asks(name: str) -> None:
    """Item 9 above zero with only an older risk assessment is unknown and asks for one."""
    php = (
        {**weekly(5, 5.0), "level_of_care_ratings": (locus("4"),)} if name == "php-standard" else {}
    )
    case = build_case({**php, "measures": (_phq9(1),), "risk.assessed_on": START})
    result = evaluate(case, name)
    finding = result.by_criterion()["safety.followup"]
    assert finding.status is Status.UNKNOWN
    assert "calls for safety follow-up" in finding.reason
    assert result.outcome is Outcome.INSUFFICIENT_INFORMATION
    assert any("suicide risk assessment" in d for d in result.missing_documentation)


def test_item9_zero_and_cssrs() -> None:
    """Item 9 of 0 is met and says so; a moderate C-SSRS screener needs follow-up too."""
    zero = evaluate(build_case({"measures": (_phq9(0),)})).by_criterion()["safety.followup"]
    assert zero.status is Status.MET
    assert (
        "answers item 9 (thoughts of being better off dead or of self-harm) with 0" in zero.reason
    )
    screener = MeasureAdministration(
        instrument=Instrument.CSSRS_SCREENER, administered_on=_LATER, items=(1, 1, 1, 0, 0, 0, 0)
    )
    flagged = build_case({"measures": (screener,), "risk.assessed_on": START})
    finding = evaluate(flagged).by_criterion()["safety.followup"]
    assert finding.status is Status.UNKNOWN
    assert "C-SSRS screener of March 16, 2026 indicates moderate suicide risk" in finding.reason


# --- 3. the recommendation agrees with the findings that drive it ----------------------------


def test_short_schedule_recommends_iop_with_the_hours_to_schedule() -> None:
    """Only the hours short: recommend IOP and say how many hours to schedule."""
    result = evaluate(build_case(weekly(3, 2.0)))
    finding = result.by_criterion()["adm.program_intensity"]
    assert finding.status is Status.NOT_MET
    assert "The plan schedules 6 hours a week" in finding.reason
    assert "schedule 9 hours a week" in finding.reason
    assert result.recommended_level is LevelOfCare.IOP
    assert result.recommendation_basis == ("adm.program_intensity",)
    medicare = evaluate(build_case(weekly(2, 4.0)), "medicare-iop")
    assert "schedule 9 hours a week" in medicare.by_criterion()["mcr.poc_9h"].reason
    assert medicare.recommended_level is LevelOfCare.IOP


def test_outpatient_never_recommended_when_findings_say_it_is_not_enough() -> None:
    """A failed outpatient episode (met) outweighs a pointer to outpatient care."""
    case = build_case({**weekly(3, 2.0), "presentation.outpatient_insufficient": False})
    result = evaluate(case)
    assert result.by_criterion()["adm.impairment"].status is Status.MET
    assert result.by_criterion()["ex.lower_level_suffices"].status is Status.APPLIES
    assert result.recommended_level is LevelOfCare.IOP
    assert result.recommendation_basis == ("adm.program_intensity", "adm.impairment")


def test_low_need_and_low_hours_recommend_outpatient() -> None:
    """With outpatient care enough and never failed, a short schedule is not corrected."""
    case = build_case(
        {**weekly(2, 2.0), "presentation.outpatient_insufficient": False, "history": ()}
    )
    result = evaluate(case)
    assert result.recommended_level is LevelOfCare.OUTPATIENT
    assert result.recommendation_basis == ("ex.lower_level_suffices",)
    reason = result.by_criterion()["adm.program_intensity"].reason
    assert "the intensity of routine outpatient care" in reason
    assert "schedule 9" not in reason


# --- 4. exclusions read applies / does not apply ----------------------------------------------


def test_exclusions_never_read_met_or_not_met() -> None:
    """Every exclusion in every set reports applies, does not apply or unknown."""
    for name in criteria_sets():
        for review in Review:
            for finding in evaluate(build_case(), name, review).findings:
                if finding.kind == "exclusion":
                    assert finding.status in (Status.APPLIES, Status.DOES_NOT_APPLY, Status.UNKNOWN)
    medicare = evaluate(build_case(), "medicare-iop").by_criterion()
    assert medicare["mcr.needs_24h_care"].status is Status.DOES_NOT_APPLY
    assert medicare["mcr.diversionary"].status is Status.DOES_NOT_APPLY
    assert "mcr.no_24h_care" not in medicare
    social = evaluate(
        build_case({"presentation.primarily_social_or_custodial": True}), "medicare-iop"
    )
    assert social.by_criterion()["mcr.diversionary"].status is Status.APPLIES
    assert social.outcome is Outcome.DOES_NOT_MEET


# --- 5. Medicare Advantage --------------------------------------------------------------------


def test_medicare_advantage_is_judged_by_medicare_criteria() -> None:
    """A Medicare Advantage case gets medicare-iop by default (42 CFR 422.101(b)(6))."""
    from iopauth.criteria import default_criteria
    from iopauth.model import PlanType

    case = build_case({"coverage.plan_type": PlanType.MEDICARE_ADVANTAGE})
    assert default_criteria(case) == "medicare-iop"


# --- 6. unverified criteria never decide does_not_meet alone ----------------------------------


def test_overdue_recertification_is_insufficient_information() -> None:
    """An overdue recertification (unverified interval) asks for it instead of denying."""
    result = evaluate(build_case(), "medicare-iop", "continued", as_of=date(2026, 4, 15))
    finding = result.by_criterion()["mcr.recert_due"]
    assert finding.status is Status.NOT_MET
    assert finding.verified is False
    assert "first recertification was due by day 30" in finding.reason
    assert "certification of March 2, 2026" in finding.reason
    assert result.outcome is Outcome.INSUFFICIENT_INFORMATION
    assert "mcr.recert_due" in result.unverified
    assert "The latest physician recertification with its date" in result.missing_documentation
    assert any("could not verify" in note for note in result.notes)


def test_verified_failure_still_decides() -> None:
    """A verified criterion not met still makes the outcome does_not_meet."""
    case = build_case({**weekly(2, 4.0), "presentation.outpatient_insufficient": False})
    assert evaluate(case, "medicare-iop").outcome is Outcome.DOES_NOT_MEET


# --- 7. improvement is decided at a continued-stay review -------------------------------------

_REVIEW = date(2026, 4, 10)


def _improved(**extra: Any) -> dict[str, Any]:
    return {
        "request.request_date": _REVIEW,
        "presentation.assessed_on": date(2026, 4, 8),
        "presentation.outpatient_insufficient": False,
        "measures": (
            MeasureAdministration(instrument=Instrument.PHQ9, administered_on=START, total=20),
            MeasureAdministration(
                instrument=Instrument.PHQ9, administered_on=date(2026, 4, 8), total=3
            ),
        ),
        "functioning": (
            FunctionalImpairment(domain=FunctionalDomain.WORK, severity=Severity.MILD),
            FunctionalImpairment(domain=FunctionalDomain.SOCIAL, severity=Severity.NONE),
        ),
        "level_of_care_ratings": (),
        **extra,
    }


@pytest.mark.parametrize("name", ["iop-standard", "sud-iop"])
def test_documented_improvement_is_decided_not_unknown(name: str) -> None:
    """Minimal PHQ-9, mild functioning, outpatient enough: still-meets is not met, decided."""
    result = evaluate(build_case(_improved()), name, "continued")
    finding = result.by_criterion()["cs.still_meets_severity"]
    assert finding.status is Status.NOT_MET
    assert "the PHQ-9 of April 8, 2026 is 3 (minimal)" in finding.reason
    assert "the most impaired life area is rated mild" in finding.reason
    assert "A current reassessment of symptoms and functioning" not in result.missing_documentation
    assert result.recommended_level is LevelOfCare.OUTPATIENT


def test_stale_reassessment_stays_unknown() -> None:
    """Scores older than the review window do not decide the severity finding."""
    stale = _improved(**{"request.request_date": date(2026, 6, 1)})
    result = evaluate(build_case(stale), "iop-standard", "continued")
    assert result.by_criterion()["cs.still_meets_severity"].status is Status.UNKNOWN


# --- 8. services against the schedule ---------------------------------------------------------


def test_hours_criteria_read_both_schedule_and_services() -> None:
    """A 10.5-hour schedule whose services add up to 8.42 hours: one figure reaches 9 hours
    and one falls short, so the hours finding is unknown and asks to reconcile the plan (it
    was refused at load before issue 21, then counted as not met)."""
    short = {
        "plan.schedule": Schedule(days_per_week=3, hours_per_day=3.5),
        "plan.services": (
            PlannedService(code="G0410", sessions_per_week=6, minutes_per_session=50),
            PlannedService(code="90834", sessions_per_week=1, minutes_per_session=45),
            PlannedService(code="G0177", sessions_per_week=3, minutes_per_session=45),
            PlannedService(code="90846", sessions_per_week=0.5, minutes_per_session=50),
        ),
    }
    case = build_case(short)  # loads: inconsistent, not invalid
    result = evaluate(case, "medicare-iop")
    finding = result.by_criterion()["mcr.poc_9h"]
    assert finding.status is Status.UNKNOWN
    assert "The schedule gives 10.5 hours a week" in finding.reason
    assert "the listed services add up to 8.42 hours" in finding.reason
    assert "reconcile the plan" in finding.reason
    iop = evaluate(case).by_criterion()["adm.program_intensity"]
    assert iop.status is Status.UNKNOWN


def test_examples_services_add_up_to_their_schedules() -> None:
    """Every example case's services add up to its schedule (within the tolerance)."""
    from pathlib import Path

    from iopauth import load_case
    from iopauth.caseformat.rules import SERVICES_TOLERANCE

    for path in sorted((Path(__file__).parent.parent / "examples" / "cases").glob("*.json")):
        plan = load_case(path).plan
        gap = abs(plan.services_hours_per_week - plan.schedule.hours_per_week)
        assert gap <= SERVICES_TOLERANCE, path.name


# --- 9. criteria the domain reference lists ---------------------------------------------------


def test_medicare_severe_interference_with_several_life_areas() -> None:
    """A severe impairment in one area and a moderate one in another is several areas."""
    result = evaluate(build_case(), "medicare-iop").by_criterion()["mcr.severe_interference"]
    assert result.status is Status.MET
    assert result.verified is True
    assert "2 life areas at least moderately impaired, 1 of them severely" in result.reason
    one = (FunctionalImpairment(domain=FunctionalDomain.WORK, severity=Severity.SEVERE),)
    alone = evaluate(build_case({"functioning": one}), "medicare-iop")
    assert alone.by_criterion()["mcr.severe_interference"].status is Status.NOT_MET
    assert (
        "only 1 life area at least moderately impaired"
        in alone.by_criterion()["mcr.severe_interference"].reason
    )


def test_family_and_medication_at_continued_stay() -> None:
    """Family involved and medication evaluated is met; family not involved asks why."""
    met = evaluate(build_case(), "iop-standard", "continued").by_criterion()["cs.family_and_meds"]
    assert met.status is Status.MET
    assert "records 1 current medication" in met.reason
    listed = build_case(
        {
            "medications": (),
            "request.documents": (DocumentOnHand(kind=DocumentKind.MEDICATION_LIST),),
        }
    )
    on_file = evaluate(listed, "iop-standard", "continued").by_criterion()["cs.family_and_meds"]
    assert "a medication list is on file" in on_file.reason
    apart = evaluate(
        build_case({"psychosocial.family_involved": False}), "iop-standard", "continued"
    )
    finding = apart.by_criterion()["cs.family_and_meds"]
    assert finding.status is Status.UNKNOWN
    assert "where family involvement is not indicated" in finding.reason


@pytest.mark.parametrize("name", ["iop-standard", "sud-iop"])
def test_consent_withdrawn_is_its_own_discharge_finding(name: str) -> None:
    """A withdrawn consent reads as consent withdrawn, not as failure to engage."""
    result = evaluate(build_case({"engagement.consent_signed": False}), name, "discharge")
    found = result.by_criterion()
    assert result.outcome is Outcome.MEETS
    assert found["dc.consent_withdrawn"].status is Status.MET
    assert found["dc.consent_withdrawn"].group == "dc.discharge"
    assert found["dc.no_engagement_or_progress"].status is Status.NOT_MET
    assert found["dc.discharge"].reason == "The patient has withdrawn consent to treatment."
    assert "engage" not in found["dc.discharge"].reason
    for member in ("dc.goals_met_or_step_down", "dc.needs_higher_level"):
        assert found[member].status is Status.NOT_MET


def test_sud_set_has_the_missing_criteria() -> None:
    """sud-iop decides improvement expected, custodial care, benefit, lower level and stay."""
    initial = evaluate(build_case(), "sud-iop").by_criterion()
    for criterion in (
        "adm.expect_improvement",
        "ex.custodial_social",
        "ex.cannot_benefit",
        "ex.lower_level_suffices",
    ):
        assert criterion in initial
    continued = evaluate(build_case(), "sud-iop", "continued").by_criterion()
    assert continued["cs.still_meets_severity"].status is Status.MET
    assert continued["cs.no_safe_lower_level"].status is Status.MET
    legal = build_case({"presentation.primarily_social_or_custodial": True})
    assert evaluate(legal, "sud-iop").by_criterion()["ex.custodial_social"].status is Status.APPLIES


@pytest.mark.parametrize(
    ("primary", "instrument"),
    [("F33.1", "PHQ-9"), ("F41.1", "GAD-7"), ("F10.20", "AUDIT or AUDIT-C"), ("F43.10", "PCL-5")],
)
def test_missing_scores_are_asked_for_at_admission(primary: str, instrument: str) -> None:
    """Without a score fitting the primary diagnosis, admission asks for one by name."""
    case = build_case({"measures": (), "diagnoses": (Diagnosis(code=primary, primary=True),)})
    result = evaluate(case)
    finding = result.by_criterion()["adm.baseline_measure"]
    assert finding.status is Status.UNKNOWN
    assert (
        f"No {instrument} score is recorded for the primary diagnosis ({primary})" in finding.reason
    )
    assert any("standardized score" in d for d in result.missing_documentation)


# --- 10. reasons say only what the case records ----------------------------------------------


def test_reasons_follow_what_the_case_records() -> None:
    """A non-F primary code is not called behavioral; no rating, no claim about one."""
    codes = (Diagnosis(code="R45.851", primary=True), Diagnosis(code="F33.1"))
    found = evaluate(build_case({"diagnoses": codes})).by_criterion()
    assert found["adm.diagnosis"].reason == (
        "The recorded diagnoses (R45.851 and F33.1) include a behavioral-health diagnosis "
        "(ICD-10-CM chapter F)."
    )
    bare = evaluate(build_case({"level_of_care_ratings": ()})).by_criterion()
    assert bare["adm.level_fit"].reason == (
        "The record holds no level-of-care rating that calls for a more intensive level."
    )
    assert "rating" not in bare["ex.lower_level_suffices"].reason
    low = evaluate(build_case({"level_of_care_ratings": (locus("1"),)})).by_criterion()
    assert low["adm.level_fit"].status is Status.MET  # LOCUS 1 sits below every program


def test_certification_reasons_write_dates() -> None:
    """Certification and recertification reasons give dates and days of the stay in words."""
    found = evaluate(build_case(), "medicare-iop", "continued").by_criterion()
    assert found["mcr.physician_cert"].reason == (
        "A physician treating the patient certified the plan on March 2, 2026."
    )
    assert found["mcr.recert_due"].reason == (
        "This review falls on day 18 of the stay, before the first recertification is due on "
        "day 30."
    )
    early = evaluate(build_case(), "medicare-iop", "continued", as_of=date(2026, 2, 20))
    assert early.by_criterion()["mcr.recert_due"].reason.startswith(
        "This review falls before admission on March 2, 2026"
    )
