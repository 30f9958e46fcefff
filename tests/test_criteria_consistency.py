"""Inconsistent records load, and the determination reports both figures (issue 21 §1).

Invalid (cannot be represented, impossible) is refused by ``load_case``; inconsistent (two
recorded facts disagree) loads, and the determination gives a note with both figures, an
action item to reconcile them, and decides on the figures as the module docstring says.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from iopauth import load_case
from iopauth.caseformat.rules import case_problems
from iopauth.criteria import Outcome, Status, derive_facts, evaluate
from iopauth.criteria._consistency import inconsistencies
from iopauth.levels import dimension_keys
from iopauth.model import (
    Instrument,
    LevelOfCareRating,
    MeasureAdministration,
    PlannedService,
    RatingInstrument,
    Schedule,
)

from .casebuilder import build_case

EXAMPLES = Path(__file__).parent.parent / "examples" / "cases"


def _plan(hours_per_day: float, service_minutes: int, days: int = 3) -> dict[str, Any]:
    """A schedule of ``days`` x ``hours_per_day`` and one group service per program day."""
    return {
        "plan.schedule": Schedule(days_per_week=days, hours_per_day=hours_per_day),
        "plan.services": (
            PlannedService(
                code="90853", sessions_per_week=days, minutes_per_session=service_minutes
            ),
        ),
    }


def test_services_short_of_the_schedule_load_from_json() -> None:
    """The round-2 refusal: services an hour short of the schedule now load."""
    raw = json.loads((EXAMPLES / "medicare-stepdown-depression.json").read_text())
    plan = raw["plan"]
    scheduled = plan["schedule"]["days_per_week"] * plan["schedule"]["hours_per_day"]
    listed = sum(s["sessions_per_week"] * s["minutes_per_session"] for s in plan["services"]) / 60
    assert abs(scheduled - listed) <= 0.25  # the example agrees; make it an hour short
    plan["services"][0]["minutes_per_session"] -= round(
        60 / plan["services"][0]["sessions_per_week"]
    )
    case = load_case(raw)  # no InvalidCaseError
    assert not any("services" in line for line in case_problems(case))
    (found,) = inconsistencies(case)
    assert found.path == "$.plan.services"
    assert "the listed services add up to" in found.note


def test_hours_on_either_side_of_the_threshold_are_unknown_and_ask_to_reconcile() -> None:
    """Schedule 9 h, services 8 h, Medicare 9 h: a reviewer pends, never denies."""
    case = build_case(_plan(3.0, 160))
    result = evaluate(case, "medicare-iop")
    finding = result.by_criterion()["mcr.poc_9h"]
    assert finding.status is Status.UNKNOWN
    assert finding.reason == (
        "The schedule gives 9 hours a week; the listed services add up to 8 hours. One figure "
        "reaches the 9 hours a week Medicare requires and the other falls short: reconcile "
        "the plan."
    )
    assert result.outcome is Outcome.INSUFFICIENT_INFORMATION
    assert (
        "The schedule gives 9 hours a week; the listed services add up to 8 hours. The hours "
        "criteria are met only when both figures reach the threshold."
    ) in result.notes
    assert any(
        item.startswith(
            "Reconcile the plan: the schedule gives 9 hours a week but the listed services add "
            "up to 8 hours."
        )
        for item in result.action_items
    )
    # the schedule alone stays a corrected IOP plan, not a lower level
    assert result.recommended_level is None
    commercial = evaluate(case, "iop-standard").by_criterion()["adm.program_intensity"]
    assert commercial.status is Status.UNKNOWN
    assert "One figure is within the intensive outpatient range and the other is not" in (
        commercial.reason
    )


def test_hours_met_when_both_figures_reach_the_threshold() -> None:
    """Schedule 12 h, services 10 h: both reach 9, met, with both figures in the reason."""
    result = evaluate(build_case(_plan(4.0, 200)), "medicare-iop")
    finding = result.by_criterion()["mcr.poc_9h"]
    assert finding.status is Status.MET
    assert finding.reason == (
        "The schedule gives 12 hours a week and the listed services add up to 10 hours; both "
        "reach the 9 hours a week Medicare requires."
    )
    assert any("Reconcile the plan" in item for item in result.action_items)


def test_hours_not_met_when_both_figures_fall_short() -> None:
    """Schedule 8 h, services 7 h: both short of 9, not met and decided."""
    result = evaluate(build_case(_plan(8 / 3, 140)), "medicare-iop")
    finding = result.by_criterion()["mcr.poc_9h"]
    assert finding.status is Status.NOT_MET
    assert finding.reason.startswith(
        "The schedule gives 8 hours a week and the listed services add up to 7 hours; both "
        "fall short of the 9 hours a week"
    )
    assert result.outcome is Outcome.DOES_NOT_MEET
    assert result.recommended_level is not None
    assert result.recommended_level.value == "iop"


def test_a_plan_whose_figures_agree_has_no_note() -> None:
    result = evaluate(build_case(), "medicare-iop")
    assert not any("listed services" in note for note in result.notes)
    assert not any("Reconcile" in item for item in result.action_items)


def test_measure_total_against_items_loads_and_scores_the_items() -> None:
    """A PHQ-9 total of 15 beside items that add up to 14: both figures, the items scored."""
    items = (2, 2, 2, 2, 2, 2, 1, 1, 0)
    phq9 = MeasureAdministration(
        instrument=Instrument.PHQ9, administered_on=date(2026, 3, 16), items=items, total=15
    )
    case = build_case({"measures": (*build_case().measures[:1], phq9)})
    assert case_problems(case) == []
    result = evaluate(case, "iop-standard")
    assert (
        "The PHQ-9 of March 16, 2026 records a total of 15; its item answers add up to 14. "
        "The item answers are scored (14)."
    ) in result.notes
    assert any(
        "Reconcile the PHQ-9 of March 16, 2026: recorded total 15, item answers adding up to 14"
        in item
        for item in result.action_items
    )


def test_rating_composite_against_ratings_loads_with_a_note() -> None:
    ratings = dict.fromkeys(dimension_keys(RatingInstrument.LOCUS), 3)  # sum 21
    rating = LevelOfCareRating(
        instrument=RatingInstrument.LOCUS,
        rated_on=date(2026, 3, 3),
        ratings=ratings,
        composite=22,
        recommended_level="3",
    )
    case = build_case({"level_of_care_ratings": (rating,)})
    assert case_problems(case) == []
    result = evaluate(case, "iop-standard")
    assert (
        "The LOCUS rating of March 3, 2026 records a composite score of 22; its ratings add up "
        "to 21. The recommended level is used as the clinician recorded it."
    ) in result.notes


def test_more_sessions_attended_than_scheduled_counts_as_full_attendance() -> None:
    case = build_case({"engagement.sessions_scheduled": 8, "engagement.sessions_attended": 9})
    assert case_problems(case) == []
    result = evaluate(case, "iop-standard", "continued")
    assert (
        "The attendance record gives 9 sessions attended of 8 scheduled; attendance is counted "
        "as full, and the extra sessions are not counted."
    ) in result.notes
    assert derive_facts(case)["engagement.attendance_rate"] == 1.0


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"plan.goals": ()}, None),  # a valid case: no problem at all
        ({"patient.birth_date": date(2027, 1, 1)}, "$.patient.birth_date"),  # impossible
    ],
)
def test_impossible_stays_invalid(overrides: dict[str, Any], path: str | None) -> None:
    """The line holds the other way: an impossible date is still refused."""
    problems = case_problems(build_case(overrides))
    if path is None:
        assert problems == []
    else:
        assert any(line.startswith(path) for line in problems)


def test_a_withdrawal_rating_below_a_recorded_high_risk_is_reported() -> None:
    """Rated moderate beside a PAWSS of 5: a note with both, and an action item (a reviewer's
    case showed "manageable in an outpatient program" beside "withdrawal management first")."""
    from iopauth.model import WithdrawalHistory, WithdrawalRisk

    case = build_case(
        {
            "medical.withdrawal_risk": WithdrawalRisk.MODERATE,
            "medical.withdrawal": WithdrawalHistory(pawss=5, seizure_or_dt_history=False),
        }
    )
    (found,) = [i for i in inconsistencies(case) if i.path == "$.medical.withdrawal_risk"]
    assert found.note.startswith(
        "The clinician rates withdrawal risk moderate, but the record holds a PAWSS of 5 "
        "(4 or more is high risk)"
    )
    assert "means a high risk" in found.reconcile
    result = evaluate(case)
    assert found.note in result.notes
    assert found.reconcile in result.action_items
    rated_high = build_case(
        {
            "medical.withdrawal_risk": WithdrawalRisk.HIGH,
            "medical.withdrawal": WithdrawalHistory(pawss=5),
        }
    )
    low_pawss = build_case(
        {
            "medical.withdrawal_risk": WithdrawalRisk.LOW,
            "medical.withdrawal": WithdrawalHistory(pawss=2, seizure_or_dt_history=False),
        }
    )
    for agreeing in (rated_high, low_pawss):
        assert not [i for i in inconsistencies(agreeing) if i.path == "$.medical.withdrawal_risk"]
