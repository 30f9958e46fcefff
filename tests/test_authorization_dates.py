"""The dates that drive the work: review due, decision deadlines, appeals, recertification."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from iopauth.authorization import (
    DECISION_TIME_FRAMES,
    DEFAULT_REVIEW_LEAD_DAYS,
    Authorization,
    AuthorizationStatus,
    Decision,
    DecisionStatus,
    Review,
    ReviewType,
    TimeFrame,
    Usage,
    apply_decision,
    decided_late,
    decision_deadline,
    key_dates,
    medicare_certification,
    record_usage,
)
from iopauth.model import LevelOfCare, PlanType, Schedule, Urgency

MEDICARE_IOP_TOML = (
    Path(__file__).parent.parent / "src" / "iopauth" / "criteria" / "sets" / "medicare-iop.toml"
)


def _pending(
    plan_type: PlanType, requested_on: date, urgency: Urgency, **changes: Any
) -> Authorization:
    """A request awaiting the payer's decision."""
    auth = Authorization(
        case_id="c-2",
        payer_name="Plan Co",
        plan_type=plan_type,
        level_of_care=LevelOfCare.IOP,
        reviews=(Review(kind=ReviewType.INITIAL, requested_on=requested_on, urgency=urgency),),
    )
    return attrs.evolve(auth, **changes)


def _approved(**changes: Any) -> Authorization:
    """Approved per diem, 2 March to 29 March 2026, 12 units, Mon–Wed (3 days a week)."""
    auth = Authorization(
        case_id="c-3",
        payer_name="Plan Co",
        plan_type=PlanType.COMMERCIAL,
        level_of_care=LevelOfCare.IOP,
        authorization_number="PA-3",
        status=AuthorizationStatus.APPROVED,
        authorized_units=12,
        authorized_start=date(2026, 3, 2),
        authorized_end=date(2026, 3, 29),
        schedule=Schedule(days_per_week=3, hours_per_day=3.0),
    )
    return attrs.evolve(auth, **changes)


# --- decision deadlines (payer-criteria.md §6, tracking.md §3) ----------------------------------


@pytest.mark.parametrize(
    "plan_type", [PlanType.MEDICARE_ADVANTAGE, PlanType.MEDICAID, PlanType.CHIP]
)
def test_cms_0057_f_standard_deadline_is_seven_calendar_days(plan_type: PlanType) -> None:
    """MA, Medicaid and CHIP: 7 calendar days, weekends included, across a month end."""
    auth = _pending(plan_type, date(2026, 1, 27), Urgency.STANDARD)
    deadline = decision_deadline(auth)
    assert deadline is not None
    assert deadline.due == date(2026, 2, 3)
    assert "CMS-0057-F" in deadline.rule
    assert "7 calendar days" in deadline.rule


def test_expedited_deadline_is_72_hours_across_a_leap_day() -> None:
    """72 hours from a request on 27 Feb 2028 end on 1 March (29 Feb counted)."""
    auth = _pending(PlanType.MEDICAID, date(2028, 2, 27), Urgency.EXPEDITED)
    deadline = decision_deadline(auth)
    assert deadline is not None
    assert deadline.due == date(2028, 3, 1)
    assert "72 hours" in deadline.rule


def test_decision_overdue_only_after_the_due_day() -> None:
    """Due on 3 Feb: not overdue that day, overdue on the 4th."""
    auth = _pending(PlanType.MEDICARE_ADVANTAGE, date(2026, 1, 27), Urgency.STANDARD)
    assert not key_dates(auth, date(2026, 2, 3)).decision_overdue
    assert key_dates(auth, date(2026, 2, 4)).decision_overdue


@pytest.mark.parametrize(
    "plan_type", [PlanType.COMMERCIAL, PlanType.MEDICARE, PlanType.EXCHANGE, PlanType.OTHER]
)
def test_payers_outside_cms_0057_f_have_no_deadline_unless_given(plan_type: PlanType) -> None:
    """Traditional Medicare, commercial and FFE plans: unknown, and the rule says so."""
    auth = _pending(plan_type, date(2026, 3, 2), Urgency.STANDARD)
    deadline = decision_deadline(auth)
    assert deadline is not None
    assert deadline.due is None
    assert "no decision time frame known" in deadline.rule
    assert not key_dates(auth, date(2027, 1, 1)).decision_overdue


def test_users_add_a_payers_or_a_states_time_frame() -> None:
    """A payer named in the extended table gets its deadline; the payer name wins."""
    frames = {
        **DECISION_TIME_FRAMES,
        "plan co": TimeFrame(standard_days=15, expedited_hours=48, source="Plan Co contract"),
    }
    auth = _pending(PlanType.COMMERCIAL, date(2026, 3, 2), Urgency.EXPEDITED)
    deadline = decision_deadline(auth, frames)
    assert deadline is not None
    assert deadline.due == date(2026, 3, 4)
    assert deadline.rule == "Plan Co contract, expedited: 48 hours"


def test_requests_before_2026_are_outside_the_new_time_frames() -> None:
    """CMS-0057-F time frames apply from 1 Jan 2026; a request of 31 Dec 2025 gets none."""
    auth = _pending(PlanType.MEDICAID, date(2025, 12, 31), Urgency.STANDARD)
    deadline = decision_deadline(auth)
    assert deadline is not None
    assert deadline.due is None
    assert "2026-01-01" in deadline.rule


def test_a_decision_arriving_after_its_deadline_is_marked_late() -> None:
    """Requested 2 March (Medicaid, standard, due 9 March), decided 11 March: late."""
    auth = _pending(PlanType.MEDICAID, date(2026, 3, 2), Urgency.STANDARD)
    on_time = apply_decision(
        auth, Decision(status=DecisionStatus.APPROVED, decided_on=date(2026, 3, 9))
    )
    late = apply_decision(
        auth, Decision(status=DecisionStatus.APPROVED, decided_on=date(2026, 3, 11))
    )
    assert decided_late(on_time, on_time.reviews[-1]) is False
    assert decided_late(late, late.reviews[-1]) is True
    assert decision_deadline(late) is None  # nothing awaits any more
    assert not key_dates(late, date(2026, 3, 20)).decision_overdue


def test_a_pended_request_keeps_its_deadline() -> None:
    """Pended for information, the request still awaits a decision by the same day."""
    auth = _pending(PlanType.MEDICAID, date(2026, 3, 2), Urgency.STANDARD)
    pended = apply_decision(
        auth, Decision(status=DecisionStatus.PENDED, decided_on=date(2026, 3, 4))
    )
    deadline = decision_deadline(pended)
    assert deadline is not None
    assert deadline.due == date(2026, 3, 9)


# --- review due and last covered day ------------------------------------------------------------


def test_default_review_lead_time_comes_from_the_reference() -> None:
    """tracking.md §2: the continued-stay packet is due 3–5 days before the last covered day."""
    assert 3 <= DEFAULT_REVIEW_LEAD_DAYS <= 5


def test_review_due_before_the_last_covered_day_when_the_window_ends_first() -> None:
    """Window ends Sun 29 March before 12 days run out: review due the lead time before it."""
    auth = _approved(authorized_units=40)
    dates = key_dates(auth, date(2026, 3, 10))
    assert dates.last_covered_day == date(2026, 3, 29)
    assert dates.review_due == date(2026, 3, 29) - timedelta(days=DEFAULT_REVIEW_LEAD_DAYS)


def test_review_due_follows_exhaustion_when_units_run_out_first() -> None:
    """12 days Mon–Wed from 2 March run out Wed 25 March; a 3-day lead makes the review due 22nd."""
    auth = _approved(review_lead_days=3)
    dates = key_dates(auth, date(2026, 3, 1))
    assert dates.projected_exhaustion == date(2026, 3, 25)
    assert dates.last_covered_day == date(2026, 3, 25)
    assert dates.review_due == date(2026, 3, 22)


def test_recorded_usage_moves_the_projection() -> None:
    """Attending an extra Thursday brings exhaustion forward a program day, to 24 March."""
    week = [Usage(day=date(2026, 3, d)) for d in (2, 3, 4)]
    usual = record_usage(_approved(), week)
    extra = record_usage(_approved(), [*week, Usage(day=date(2026, 3, 5))])
    assert key_dates(usual, date(2026, 3, 5)).projected_exhaustion == date(2026, 3, 25)
    assert key_dates(extra, date(2026, 3, 5)).projected_exhaustion == date(2026, 3, 24)


# --- appeals ------------------------------------------------------------------------------------


def _denied(window: int | None) -> Authorization:
    """Denied on 27 Feb 2026 after an initial request."""
    auth = _pending(PlanType.COMMERCIAL, date(2026, 2, 20), Urgency.STANDARD)
    auth = attrs.evolve(auth, appeal_window_days=window)
    return apply_decision(
        auth, Decision(status=DecisionStatus.DENIED, decided_on=date(2026, 2, 27))
    )


def test_appeal_deadline_from_the_payers_window() -> None:
    """A 60-day window from 27 Feb 2026 ends on 28 April."""
    dates = key_dates(_denied(60), date(2026, 3, 1))
    assert dates.denied_on == date(2026, 2, 27)
    assert dates.appeal_due == date(2026, 4, 28)
    assert not dates.appeal_deadline_unknown


def test_unknown_appeal_window_stays_unknown() -> None:
    """No window on record: no date is invented and the gap is reported."""
    dates = key_dates(_denied(None), date(2026, 3, 1))
    assert dates.appeal_due is None
    assert dates.appeal_deadline_unknown


def test_no_appeal_deadline_once_the_appeal_is_filed() -> None:
    """After the appeal is requested there is no filing deadline left to meet."""
    from iopauth.authorization import add_request

    auth = add_request(_denied(60), kind=ReviewType.APPEAL, requested_on=date(2026, 3, 5))
    dates = key_dates(auth, date(2026, 3, 6))
    assert dates.appeal_due is None
    assert not dates.appeal_deadline_unknown


# --- Medicare certification (medicare-iop.md §5, intervals unverified) ---------------------------


def test_iop_intervals_are_the_criteria_sets_params() -> None:
    """The IOP intervals are read from medicare-iop.toml, not restated: every 60 days
    (424.24(d)(3)(ii)), with no separate first recertification while first_recert_day is 0."""
    params = tomllib.loads(MEDICARE_IOP_TOML.read_text())["params"]
    schedule = medicare_certification(LevelOfCare.IOP)
    assert schedule is not None
    assert params["first_recert_day"] == 0
    assert schedule.first_recert_day == params["recert_interval_days"] == 60
    assert schedule.recert_interval_days == params["recert_interval_days"]
    assert schedule.verified
    assert "424.24(d)(3)(ii)" in schedule.source


def test_php_intervals_are_day_18_then_every_30_days() -> None:
    """medicare-iop.md §5: PHP recertifies on day 18, then at least every 30 days."""
    schedule = medicare_certification(LevelOfCare.PHP)
    assert schedule is not None
    assert (schedule.first_recert_day, schedule.recert_interval_days) == (18, 30)
    assert medicare_certification(LevelOfCare.OUTPATIENT) is None


def _medicare(level: LevelOfCare, certified_on: date | None) -> Authorization:
    """A Traditional Medicare stay admitted 2 March 2026."""
    return _approved(
        plan_type=PlanType.MEDICARE,
        level_of_care=level,
        admission_date=date(2026, 3, 2),
        certified_on=certified_on,
    )


def test_medicare_recertification_dates() -> None:
    """IOP: admission + first day, then the interval after each recertification; PHP: day 18."""
    iop = medicare_certification(LevelOfCare.IOP)
    assert iop is not None
    first = key_dates(_medicare(LevelOfCare.IOP, date(2026, 3, 2)), date(2026, 3, 10))
    assert first.recertification_due == date(2026, 3, 2) + timedelta(days=iop.first_recert_day)
    later = key_dates(_medicare(LevelOfCare.IOP, date(2026, 4, 1)), date(2026, 4, 10))
    assert later.recertification_due == date(2026, 4, 1) + timedelta(days=iop.recert_interval_days)
    php = key_dates(_medicare(LevelOfCare.PHP, date(2026, 3, 2)), date(2026, 3, 10))
    assert php.recertification_due == date(2026, 3, 20)


def test_missing_certification_is_due_on_admission() -> None:
    """No physician certification on file: it was due on the admission day."""
    dates = key_dates(_medicare(LevelOfCare.IOP, None), date(2026, 3, 10))
    assert dates.recertification_due == date(2026, 3, 2)


def test_recertification_is_for_traditional_medicare_only() -> None:
    """Medicare Advantage and commercial plans get no 424.24 recertification date."""
    auth = attrs.evolve(
        _medicare(LevelOfCare.IOP, date(2026, 3, 2)), plan_type=PlanType.MEDICARE_ADVANTAGE
    )
    assert key_dates(auth, date(2026, 3, 10)).recertification_due is None
