"""evaluate(): outcomes, findings, recommendations, the example cases and properties."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopauth.criteria import (
    CriteriaSet,
    CriterionKind,
    Determination,
    Outcome,
    Review,
    Status,
    criteria_sets,
    get_criteria,
)
from iopauth.criteria import evaluate as _evaluate
from iopauth.model import Case, LevelOfCare, PlannedService, Schedule, WithdrawalRisk

from .casebuilder import asam, build_case, locus, weekly
from .strategies import cases, less_documented

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"


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


def test_base_case_meets() -> None:
    """The fully documented base case meets iop-standard with nothing missing."""
    result = evaluate(build_case())
    assert isinstance(result, Determination)
    assert result.outcome is Outcome.MEETS
    assert result.criteria_set == "iop-standard"
    assert result.review is Review.INITIAL
    assert result.as_of == date(2026, 3, 20)
    assert result.missing_documentation == ()
    assert result.recommended_level is None
    assert all(f.status is Status.MET for f in result.findings if f.kind != "exclusion")


def test_required_not_met_means_does_not_meet() -> None:
    """A required criterion not met makes the outcome does_not_meet."""
    case = build_case({"engagement.willing": False})
    result = evaluate(case)
    assert result.outcome is Outcome.DOES_NOT_MEET
    assert result.by_criterion()["adm.can_engage"].status is Status.NOT_MET


def test_exclusion_means_does_not_meet_and_points_up() -> None:
    """An exclusion that applies means does_not_meet and points to a higher level."""
    result = evaluate(build_case({"risk.imminent_danger": True}))
    assert result.outcome is Outcome.DOES_NOT_MEET
    assert result.recommended_level is LevelOfCare.INPATIENT
    withdrawal = evaluate(build_case({"medical.withdrawal_risk": WithdrawalRisk.HIGH}))
    assert withdrawal.recommended_level is LevelOfCare.WITHDRAWAL_MANAGEMENT


def test_unknown_means_insufficient_information() -> None:
    """Unknown findings without a failure give insufficient_information and what to attach."""
    result = evaluate(build_case({"engagement": None}))
    assert result.outcome is Outcome.INSUFFICIENT_INFORMATION
    finding = result.by_criterion()["adm.can_engage"]
    assert finding.status is Status.UNKNOWN
    assert finding.documentation[0] in result.missing_documentation


def test_failure_outranks_unknown() -> None:
    """A not-met criterion decides the outcome even when others are unknown."""
    case = build_case({"engagement": None, "presentation.primarily_social_or_custodial": True})
    assert evaluate(case).outcome is Outcome.DOES_NOT_MEET


def test_hours_above_iop_are_corrected_not_read_as_need() -> None:
    """A plan at PHP hours with nothing showing a PHP need keeps IOP, hours corrected."""
    result = evaluate(build_case(weekly(5, 5.0)))
    finding = result.by_criterion()["adm.program_intensity"]
    assert finding.status is Status.NOT_MET
    assert "schedule 19 hours a week or fewer" in finding.reason
    assert result.recommended_level is LevelOfCare.IOP
    assert result.recommendation_basis == ("adm.program_intensity",)


def test_php_not_iop() -> None:
    """A case rated at PHP with PHP hours meets php-standard."""
    case = build_case({**weekly(5, 5.0), "level_of_care_ratings": (locus("4"),)})
    assert evaluate(case, "php-standard").outcome is Outcome.MEETS
    iop = evaluate(case, "iop-standard")
    assert iop.recommended_level is LevelOfCare.PHP
    assert iop.recommendation_basis == ("adm.level_fit",)


def test_adolescent_hours() -> None:
    """Six hours a week is IOP intensity for an adolescent but not for an adult."""
    six = weekly(3, 2.0)
    adult = evaluate(build_case(six)).by_criterion()["adm.program_intensity"]
    assert adult.status is Status.NOT_MET
    # LOCUS is for adults, so the teen's case keeps only the ASAM rating
    teen_only = {"patient.birth_date": date(2010, 6, 1), "level_of_care_ratings": (asam("2.1"),)}
    teen = build_case({**six, **teen_only})
    assert evaluate(teen).by_criterion()["adm.program_intensity"].status is Status.MET


def test_any_of_group_met_by_one_member() -> None:
    """An any-of group is met when one member is met, whatever the others say."""
    case = build_case({"presentation.outpatient_insufficient": None})
    finding = evaluate(case).by_criterion()["adm.impairment"]
    assert finding.kind is CriterionKind.ANY_OF
    assert finding.status is Status.MET
    assert "insufficient response" in finding.reason


def test_evidence_has_paths_and_values() -> None:
    """Findings carry the facts used, their case paths and their values."""
    finding = evaluate(build_case(), "medicare-iop").by_criterion()["mcr.poc_9h"]
    evidence = {e.fact: e for e in finding.evidence}
    assert evidence["plan.counted_hours_per_week"].path == "$.plan.schedule"
    assert evidence["plan.counted_hours_per_week"].value == 12.0
    assert "12 hours a week" in finding.reason


def test_reviews_select_criteria() -> None:
    """Each review evaluates only its own criteria."""
    initial = {f.criterion for f in evaluate(build_case(), review="initial").findings}
    continued = {f.criterion for f in evaluate(build_case(), review=Review.CONTINUED).findings}
    assert "adm.impairment" in initial
    assert "adm.impairment" not in continued
    assert "cs.discharge_planning" in continued
    assert "cs.discharge_planning" not in initial


def test_discharge_review() -> None:
    """Discharge criteria are met when the goals are met, pointing to outpatient care."""
    assert evaluate(build_case(), review="discharge").outcome is Outcome.DOES_NOT_MEET
    case = build_case({"presentation.outpatient_insufficient": False})
    result = evaluate(case, review="discharge")
    assert result.outcome is Outcome.MEETS


def test_set_without_criteria_for_review() -> None:
    """A review the set has no criteria for is insufficient information, with a note."""
    result = evaluate(build_case(), "medicare-iop", "discharge")
    assert result.outcome is Outcome.INSUFFICIENT_INFORMATION
    assert result.findings == ()
    assert "no criteria for the discharge review" in result.notes[0]


def test_as_of_overrides_request_date() -> None:
    """as_of replaces the request date for day counts."""
    case = build_case()
    early = evaluate(case, "medicare-iop", "continued")
    late = evaluate(case, "medicare-iop", "continued", as_of=date(2026, 5, 15))
    assert early.by_criterion()["mcr.recert_due"].status is Status.MET
    assert late.by_criterion()["mcr.recert_due"].status is Status.UNKNOWN
    assert late.as_of == date(2026, 5, 15)


def test_bad_review_is_value_error() -> None:
    """An unknown review name is a ValueError naming the choices."""
    with pytest.raises(ValueError, match="initial, continued, discharge"):
        evaluate(build_case(), review="weekly")


def test_results_are_reproducible() -> None:
    """The same case evaluated twice, or an equal copy, gives equal determinations."""
    case = build_case()
    copy = attrs.evolve(case)
    for name in criteria_sets():
        assert evaluate(case, name) == evaluate(case, name) == evaluate(copy, name)


def test_cache_follows_the_case_not_its_identity() -> None:
    """Changing the case (a new object) changes the result; facts are never stale."""
    first = evaluate(build_case())
    second = evaluate(build_case({"risk.imminent_danger": True}))
    assert first.outcome is Outcome.MEETS
    assert second.outcome is Outcome.DOES_NOT_MEET


# --- example cases ------------------------------------------------------------------------------


def _example(pattern: str) -> Case:
    from iopauth.caseformat.serialize import load_case

    paths = sorted(EXAMPLES.glob(pattern))
    assert paths, pattern
    return load_case(paths[0].read_text(encoding="utf-8"))


def test_mild_four_hour_case_does_not_meet() -> None:
    """The 4-hours-a-week example does not meet IOP and points to outpatient care."""
    case = _example("*mild*.json")
    for name in ("iop-standard", "medicare-iop"):
        result = evaluate(case, name)
        assert result.outcome is Outcome.DOES_NOT_MEET
        assert result.recommended_level is LevelOfCare.OUTPATIENT


def test_stepdown_case_meets_iop_standard() -> None:
    """The step-down example meets iop-standard and Medicare's IOP conditions."""
    case = _example("*stepdown*.json")
    assert evaluate(case, "iop-standard").outcome is Outcome.MEETS
    assert evaluate(case, "medicare-iop").outcome is Outcome.MEETS
    php = evaluate(case, "php-standard")
    assert php.outcome is Outcome.DOES_NOT_MEET
    assert php.recommended_level is LevelOfCare.IOP


def test_every_example_evaluates_under_every_set() -> None:
    """Every example case evaluates under every shipped set and review."""
    for path in sorted(EXAMPLES.glob("*.json")):
        case = _example(path.name)
        for name in criteria_sets():
            for review in Review:
                assert evaluate(case, name, review).outcome in set(Outcome)


# --- properties -------------------------------------------------------------------------------

_STATUS_RANK = {
    Status.NOT_MET: 0,
    Status.APPLIES: 0,
    Status.UNKNOWN: 1,
    Status.MET: 2,
    Status.DOES_NOT_APPLY: 2,
}
_OUTCOME_RANK = {Outcome.DOES_NOT_MEET: 0, Outcome.INSUFFICIENT_INFORMATION: 1, Outcome.MEETS: 2}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), review=st.sampled_from(Review))
def test_evaluate_never_raises(case: Case, review: Review) -> None:
    """evaluate never raises on a valid case, for every shipped set."""
    for name in criteria_sets():
        result = evaluate(case, name, review)
        assert result.outcome in set(Outcome)
        top = [f for f in result.findings if not f.group]
        assert len(top) == len(get_criteria(name).for_review(review))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), case=cases(), review=st.sampled_from(Review))
def test_documentation_never_reverses_a_decided_finding(
    data: st.DataObject, case: Case, review: Review
) -> None:
    """Adding documentation never turns a met criterion into not met (or the reverse)."""
    sparse = data.draw(less_documented(case))
    for name in criteria_sets():
        before = evaluate(sparse, name, review).by_criterion()
        after = evaluate(case, name, review).by_criterion()
        for criterion, finding in before.items():
            if finding.status is not Status.UNKNOWN:
                assert after[criterion].status is finding.status, (name, criterion)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), review=st.sampled_from([Review.INITIAL, Review.CONTINUED]))
def test_nine_hours_never_worse_than_eight_for_medicare(case: Case, review: Review) -> None:
    """Raising planned hours from 8 to 9 a week never makes medicare-iop worse."""
    results = []
    for hours in (8.0, 9.0):
        schedule = Schedule(days_per_week=2, hours_per_day=hours / 2)
        service = PlannedService(
            code="90853", sessions_per_week=2, minutes_per_session=int(hours * 30)
        )
        plan = attrs.evolve(case.plan, schedule=schedule, services=(service,))
        changed = attrs.evolve(case, plan=plan)
        results.append(evaluate(changed, "medicare-iop", review))
    eight, nine = results
    assert _OUTCOME_RANK[nine.outcome] >= _OUTCOME_RANK[eight.outcome]
    for before, after in zip(eight.findings, nine.findings, strict=True):
        if before.kind is CriterionKind.EXCLUSION:
            assert before.status is after.status
        else:
            assert _STATUS_RANK[after.status] >= _STATUS_RANK[before.status]
    assert nine.by_criterion()["mcr.poc_9h"].status is Status.MET
    assert eight.by_criterion()["mcr.poc_9h"].status is Status.NOT_MET


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), review=st.sampled_from(Review))
def test_recommendation_agrees_with_its_basis(case: Case, review: Review) -> None:
    """Each driver of the recommendation is a finding against the case or a met floor."""
    for name in criteria_sets():
        result = evaluate(case, name, review)
        assert (result.recommended_level is None) == (result.recommendation_basis == ())
        found = result.by_criterion()
        criteria = {c.id: c for c in get_criteria(name).criteria}
        for criterion_id in result.recommendation_basis:
            status = found[criterion_id].status
            floor = criteria[criterion_id].floor
            # the one met basis that is no floor: a plan at partial-hospitalization hours
            # under medicare-iop, which keeps its outcome and recommends PHP (issue 21 §5)
            php_hours = criterion_id == "mcr.poc_9h" and result.recommended_level is LevelOfCare.PHP
            # and a met discharge criterion, which says where the patient goes next
            discharge = review is Review.DISCHARGE and status is Status.MET
            assert (
                status in (Status.NOT_MET, Status.APPLIES)
                or (status is Status.MET and floor is result.recommended_level)
                or php_hours
                or discharge
            ), (name, criterion_id, status)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), review=st.sampled_from(Review))
def test_memoized_determinations_equal_fresh_ones(case: Case, review: Review) -> None:
    """A determination served from the caches equals one computed with every cache cleared."""
    from iopauth.criteria.engine import clear_caches

    warm = [evaluate(case, name, review) for name in criteria_sets()]
    clear_caches()
    assert [evaluate(case, name, review) for name in criteria_sets()] == warm
