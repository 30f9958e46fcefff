"""Authorizations over time: from a case, payer decisions, usage, units and exhaustion."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopauth.authorization import (
    Authorization,
    AuthorizationStatus,
    Decision,
    DecisionItem,
    DecisionStatus,
    ReviewType,
    Usage,
    add_request,
    apply_decision,
    dump_authorization,
    from_case,
    is_open,
    load_authorization,
    projected_exhaustion,
    record_usage,
    status_on,
    units_over,
    units_remaining,
    units_used,
    usage_outside_window,
)
from iopauth.authorization.units import _daily_units
from iopauth.errors import InvalidAuthorizationError
from iopauth.model import (
    Denial,
    LevelOfCare,
    PlanType,
    RequestKind,
    Schedule,
    Session,
    UnitType,
    Weekday,
)

from .casebuilder import build_case
from .strategies import authorizations, decisions, usages

MON_WED_FRI = Schedule(
    sessions=(
        Session(day=Weekday.MON, minutes=180),
        Session(day=Weekday.WED, minutes=180),
        Session(day=Weekday.FRI, minutes=180),
    )
)


def _auth(**changes: Any) -> Authorization:
    """An approved per-diem IOP authorization, 2026-03-02 to 2026-03-29, 12 days."""
    base = Authorization(
        case_id="c-1",
        payer_name="Test Payer",
        plan_type=PlanType.MEDICAID,
        level_of_care=LevelOfCare.IOP,
        service_codes=("S9480",),
        authorization_number="PA-1",
        status=AuthorizationStatus.APPROVED,
        authorized_units=12,
        authorized_start=date(2026, 3, 2),
        authorized_end=date(2026, 3, 29),
        schedule=MON_WED_FRI,
    )
    return attrs.evolve(base, **changes)


def _days(*days: str) -> list[Usage]:
    """Per-diem usage on ISO dates."""
    return [Usage(day=date.fromisoformat(d)) for d in days]


# --- from a case -------------------------------------------------------------------------------


def test_from_case_keeps_the_request_and_awaits_a_decision() -> None:
    """The case's request becomes the requested units and dates; one initial review awaits."""
    case = build_case()
    auth = from_case(case)
    assert auth.case_id == "test-case"
    assert auth.status is AuthorizationStatus.PENDING
    assert auth.requested_start == date(2026, 3, 2)
    assert auth.requested_end == date(2026, 4, 26)
    # 3 program days a week over the 8 whole weeks of the requested period, per diem.
    assert auth.requested_units == 24
    assert auth.authorized_units is None
    assert [r.kind for r in auth.reviews] == [ReviewType.INITIAL]
    assert auth.reviews[0].requested_on == date(2026, 3, 20)
    assert auth.reviews[0].awaiting_decision
    assert auth.admission_date == date(2026, 3, 2)
    assert auth.certified_on == date(2026, 3, 2)


def test_from_appeal_case_puts_the_denial_before_the_appeal() -> None:
    """An appeal case carries its denial into the history, then the appeal awaiting a decision."""
    case = build_case()
    case = attrs.evolve(
        case,
        request=attrs.evolve(
            case.request,
            kind=RequestKind.APPEAL,
            denial=Denial(decided_on=date(2026, 3, 18), reference="DN-9"),
        ),
    )
    auth = from_case(case)
    assert [(r.kind, r.outcome) for r in auth.reviews] == [
        (ReviewType.INITIAL, DecisionStatus.DENIED),
        (ReviewType.APPEAL, None),
    ]
    assert auth.reviews[0].reference == "DN-9"


# --- applying decisions ------------------------------------------------------------------------


def test_partial_approval_keeps_requested_and_authorized_apart() -> None:
    """A partial approval sets what was authorized and leaves what was asked."""
    auth = from_case(build_case())
    decision = Decision(
        status=DecisionStatus.PARTIALLY_APPROVED,
        decided_on=date(2026, 3, 24),
        authorization_number="PA-77",
        authorized_units=10,
        authorized_start=date(2026, 3, 2),
        authorized_end=date(2026, 3, 15),
        reason_codes=("A2",),
    )
    after = apply_decision(auth, decision)
    assert after.status is AuthorizationStatus.PARTIALLY_APPROVED
    assert after.authorization_number == "PA-77"
    assert (after.requested_units, after.authorized_units) == (24, 10)
    assert (after.authorized_start, after.authorized_end) == (date(2026, 3, 2), date(2026, 3, 15))
    assert after.requested_end == date(2026, 4, 26)
    review = after.reviews[-1]
    assert review.outcome is DecisionStatus.PARTIALLY_APPROVED
    assert review.decision == decision
    assert review.decided_on == date(2026, 3, 24)
    assert review.reference == "PA-77"


def test_applying_the_same_decision_twice_changes_nothing() -> None:
    """The second application returns the record unchanged, even after another decision."""
    auth = from_case(build_case())
    pended = Decision(status=DecisionStatus.PENDED, decided_on=date(2026, 3, 21))
    approved = Decision(
        status=DecisionStatus.APPROVED, decided_on=date(2026, 3, 25), authorized_units=24
    )
    once = apply_decision(apply_decision(auth, pended), approved)
    assert apply_decision(once, approved) == once
    assert apply_decision(once, pended) == once


def test_a_pended_review_stays_in_the_history_when_the_answer_comes() -> None:
    """Pended then approved: two entries for the same request, the pended one kept."""
    auth = from_case(build_case())
    pended = Decision(
        status=DecisionStatus.PENDED,
        decided_on=date(2026, 3, 21),
        information_requested=("psychiatric evaluation",),
    )
    after_pend = apply_decision(auth, pended)
    assert after_pend.status is AuthorizationStatus.PENDED
    assert after_pend.reviews[-1].awaiting_decision
    final = apply_decision(
        after_pend,
        Decision(status=DecisionStatus.APPROVED, decided_on=date(2026, 3, 26), authorized_units=24),
    )
    assert [r.outcome for r in final.reviews] == [DecisionStatus.PENDED, DecisionStatus.APPROVED]
    assert final.reviews[0].requested_on == final.reviews[1].requested_on == date(2026, 3, 20)
    assert not final.reviews[-1].awaiting_decision


def test_a_concurrent_approval_after_the_window_extends_it() -> None:
    """Approving a concurrent review for the days after the window adds units and moves the end."""
    auth = add_request(_auth(), kind=ReviewType.CONCURRENT, requested_on=date(2026, 3, 23))
    decision = Decision(
        status=DecisionStatus.APPROVED,
        decided_on=date(2026, 3, 26),
        authorized_units=9,
        authorized_start=date(2026, 3, 30),
        authorized_end=date(2026, 4, 19),
    )
    after = apply_decision(auth, decision)
    assert after.authorized_units == 21
    assert (after.authorized_start, after.authorized_end) == (date(2026, 3, 2), date(2026, 4, 19))
    assert after.reviews[-1].kind is ReviewType.CONCURRENT


def test_an_approval_with_a_start_only_replaces_the_whole_window() -> None:
    """An appeal approved from 10 April with no end: the window is 10 April onwards."""
    auth = add_request(_auth(), kind=ReviewType.APPEAL, requested_on=date(2026, 4, 1))
    after = apply_decision(
        auth,
        Decision(
            status=DecisionStatus.APPROVED,
            decided_on=date(2026, 4, 3),
            authorized_start=date(2026, 4, 10),
        ),
    )
    assert (after.authorized_start, after.authorized_end) == (date(2026, 4, 10), None)
    assert after.authorized_units == 12
    assert load_authorization(dump_authorization(after)) == after


def test_a_denied_concurrent_review_keeps_the_earlier_grant() -> None:
    """A denial of more days leaves the days already authorized, and the status says denied."""
    auth = add_request(_auth(), kind=ReviewType.CONCURRENT, requested_on=date(2026, 3, 23))
    after = apply_decision(
        auth, Decision(status=DecisionStatus.DENIED, decided_on=date(2026, 3, 26))
    )
    assert after.status is AuthorizationStatus.DENIED
    assert (after.authorized_units, after.authorized_end) == (12, date(2026, 3, 29))


def test_item_level_grant_is_used_when_the_top_level_is_silent() -> None:
    """Units and dates come from the approved service lines when the decision gives none."""
    auth = from_case(build_case())
    decision = Decision(
        status=DecisionStatus.APPROVED,
        decided_on=date(2026, 3, 24),
        items=(
            DecisionItem(
                sequence=1,
                service_code="S9480",
                status=DecisionStatus.APPROVED,
                review_action_code="A1",
                authorization_number="PA-5",
                authorized_units=15,
                authorized_start=date(2026, 3, 2),
                authorized_end=date(2026, 4, 5),
            ),
            DecisionItem(sequence=2, service_code="90853", authorized_units=40),
        ),
    )
    after = apply_decision(auth, decision)
    assert after.authorization_number == "PA-5"
    assert after.authorized_units == 15
    assert after.authorized_end == date(2026, 4, 5)


def test_a_decision_dated_before_its_request_is_refused() -> None:
    """A decision cannot answer a request made after it: the date is refused, by path."""
    auth = from_case(build_case())  # requested 20 March 2026
    with pytest.raises(InvalidAuthorizationError) as info:
        apply_decision(auth, Decision(status=DecisionStatus.APPROVED, decided_on=date(2026, 3, 19)))
    assert info.value.errors == (
        "$.decided_on: must not be before the request it answers (requested_on)",
    )


def test_service_lines_whose_dates_form_no_window_are_refused() -> None:
    """One line starting after another ends gives no single window: refused, by path."""
    decision = Decision(
        status=DecisionStatus.APPROVED,
        decided_on=date(2026, 3, 24),
        items=(
            DecisionItem(sequence=1, authorized_start=date(2026, 4, 6)),
            DecisionItem(sequence=2, authorized_end=date(2026, 3, 29)),
        ),
    )
    with pytest.raises(InvalidAuthorizationError) as info:
        apply_decision(from_case(build_case()), decision)
    assert info.value.errors == (
        "$.items: the service lines' authorized dates do not form one window",
    )


def test_a_hand_entered_decision_without_a_date_or_open_review_is_refused() -> None:
    """With no review to answer, the decision's date is needed to place it in the history."""
    with pytest.raises(InvalidAuthorizationError, match=r"\$\.decided_on"):
        apply_decision(_auth(), Decision(status=DecisionStatus.APPROVED))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(authorizations(), decisions())
def test_applying_a_decision_is_idempotent(auth: Authorization, decision: Decision) -> None:
    """apply(apply(a, d), d) == apply(a, d) for any authorization and decision."""
    # A decision dated on or after every request it could answer (earlier ones are refused).
    latest = max([r.requested_on for r in auth.reviews], default=date(2024, 1, 1))
    if decision.decided_on is None or decision.decided_on < latest:
        decision = attrs.evolve(decision, decided_on=latest + timedelta(days=3))
    once = apply_decision(auth, decision)
    assert apply_decision(once, decision) == once
    assert load_authorization(dump_authorization(once)) == once  # always a valid record


# --- usage -------------------------------------------------------------------------------------


def test_per_diem_counts_a_day_once() -> None:
    """Per diem is one unit per date of service: the same date twice counts once."""
    auth = record_usage(_auth(), _days("2026-03-02", "2026-03-04", "2026-03-04"))
    assert units_used(auth) == 2
    assert units_remaining(auth) == 10


def test_per_diem_refuses_more_than_one_unit_a_day() -> None:
    """A per-diem entry of 3 units is refused, naming the entry and the rule."""
    with pytest.raises(InvalidAuthorizationError) as info:
        record_usage(_auth(), [Usage(day=date(2026, 3, 2), units=3)])
    assert info.value.errors == ("usage[0].units: per diem counts one unit per day of service",)


def test_hour_units_add_up() -> None:
    """Hours recorded on the same day add up."""
    auth = _auth(unit_type=UnitType.HOUR, authorized_units=36)
    auth = record_usage(auth, [Usage(day=date(2026, 3, 2), units=3)] * 2)
    assert units_used(auth) == 6
    assert units_remaining(auth) == 30


def test_usage_outside_the_window_is_flagged_and_not_counted() -> None:
    """A day before the start and a day after the end are flagged; only the day inside counts."""
    auth = record_usage(_auth(), _days("2026-02-27", "2026-03-02", "2026-03-30"))
    assert [u.day for u in usage_outside_window(auth)] == [date(2026, 2, 27), date(2026, 3, 30)]
    assert units_used(auth) == 1


def test_usage_before_any_grant_is_outside() -> None:
    """While the request is pending nothing is authorized, so every day is outside."""
    auth = record_usage(from_case(build_case()), _days("2026-03-02"))
    assert len(usage_outside_window(auth)) == 1
    assert units_remaining(auth) is None


def test_units_used_beyond_the_grant_are_reported_but_remaining_stays_zero() -> None:
    """Over-use shows in units_over; units remaining never goes negative."""
    auth = _auth(authorized_units=2)
    auth = record_usage(auth, _days("2026-03-02", "2026-03-04", "2026-03-06"))
    assert units_remaining(auth) == 0
    assert units_over(auth) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(authorizations(), st.data())
def test_units_remaining_stays_between_zero_and_authorized(
    auth: Authorization, data: st.DataObject
) -> None:
    """0 <= remaining <= authorized whatever usage is recorded."""
    auth = record_usage(
        auth, data.draw(usages(auth.unit_type, date(2023, 12, 1), date(2029, 6, 1)))
    )
    remaining = units_remaining(auth)
    if auth.authorized_units is None:
        assert remaining is None
    else:
        assert remaining is not None
        assert 0 <= remaining <= auth.authorized_units


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(authorizations(), st.data())
def test_recording_usage_is_order_independent(auth: Authorization, data: st.DataObject) -> None:
    """Recording entries in any order, all at once or one by one, gives the same record."""
    entries = data.draw(usages(auth.unit_type, date(2023, 12, 1), date(2029, 6, 1)))
    shuffled = data.draw(st.permutations(entries))
    one_by_one = auth
    for entry in shuffled:
        one_by_one = record_usage(one_by_one, [entry])
    assert record_usage(auth, entries) == record_usage(auth, shuffled) == one_by_one


# --- status and exhaustion ---------------------------------------------------------------------


def test_exhaustion_before_expiry() -> None:
    """12 days on Mon/Wed/Fri from Mon 2 March run out on Fri 27 March, before the 29th."""
    auth = _auth()
    assert projected_exhaustion(auth, date(2026, 3, 1)) == date(2026, 3, 27)
    used = record_usage(auth, _days(*[f"2026-03-{d:02}" for d in (2, 4, 6, 9, 11, 13)]))
    # Six days used through Friday 13 March; six more from Monday 16 March end on the 27th.
    assert projected_exhaustion(used, date(2026, 3, 13)) == date(2026, 3, 27)


def test_expiry_before_exhaustion() -> None:
    """20 days cannot be used on three days a week before 29 March: no exhaustion date."""
    auth = _auth(authorized_units=20)
    assert projected_exhaustion(auth, date(2026, 3, 1)) is None
    assert status_on(auth, date(2026, 3, 29)) is AuthorizationStatus.APPROVED
    assert status_on(auth, date(2026, 3, 30)) is AuthorizationStatus.EXPIRED
    assert not is_open(auth, date(2026, 3, 30))


def test_exhausted_units_make_the_status_exhausted() -> None:
    """All units used inside the window: exhausted, and the exhaustion date is the last day."""
    auth = record_usage(_auth(authorized_units=2), _days("2026-03-02", "2026-03-04"))
    assert status_on(auth, date(2026, 3, 5)) is AuthorizationStatus.EXHAUSTED
    assert projected_exhaustion(auth, date(2026, 3, 5)) == date(2026, 3, 4)
    assert is_open(auth, date(2026, 3, 5))


def test_projection_crosses_a_leap_day_and_skips_weekends() -> None:
    """Five days a week from Fri 25 Feb 2028: Fri, Mon 28, Tue 29 Feb, Wed 1, Thu 2 March."""
    auth = _auth(
        authorized_units=5,
        authorized_start=date(2028, 2, 25),
        authorized_end=date(2028, 3, 31),
        schedule=Schedule(days_per_week=5, hours_per_day=3.0),
    )
    assert projected_exhaustion(auth, date(2028, 2, 24)) == date(2028, 3, 2)


def test_projection_across_a_year_end_in_hours() -> None:
    """12 hours at 3 h on Mon/Wed/Fri (sessions) from Mon 28 Dec 2026 end on Mon 4 Jan 2027."""
    auth = _auth(
        unit_type=UnitType.HOUR,
        authorized_units=12,
        authorized_start=date(2026, 12, 28),
        authorized_end=date(2027, 1, 31),
    )
    assert projected_exhaustion(auth, date(2026, 12, 27)) == date(2027, 1, 4)


def test_dates_must_be_dates_not_datetimes() -> None:
    """A datetime (with or without a time zone) is refused: its calendar day is ambiguous."""
    aware = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    with pytest.raises(TypeError, match="as_of must be a date"):
        status_on(_auth(), aware)
    with pytest.raises(TypeError, match="usage day must be a date"):
        record_usage(_auth(), [Usage(day=aware)])


def _walk_day_by_day(auth: Authorization, as_of: date) -> date | None:
    """Reference projection: walk every calendar day, no shortcuts."""
    remaining = units_remaining(auth)
    assert remaining is not None
    assert auth.schedule is not None
    per_day = _daily_units(auth.schedule, auth.unit_type)
    in_window = [u.day for u in auth.usage if u not in usage_outside_window(auth)]
    day = max([as_of, *in_window]) + timedelta(days=1)
    if auth.authorized_start is not None:
        day = max(day, auth.authorized_start)
    last = auth.authorized_end or day + timedelta(weeks=remaining + 1)
    used = 0.0
    while day <= last:
        used += per_day.get(day.weekday(), 0.0)
        if used >= remaining - 1e-9:
            return day
        day += timedelta(days=1)
    return None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(authorizations(), st.dates(min_value=date(2023, 12, 1), max_value=date(2029, 6, 1)))
def test_projection_skipping_whole_weeks_matches_a_day_by_day_walk(
    auth: Authorization, as_of: date
) -> None:
    """The week-skipping projection gives the same day as walking every day."""
    remaining = units_remaining(auth)
    if auth.schedule is None or not remaining:
        return
    assert projected_exhaustion(auth, as_of) == _walk_day_by_day(auth, as_of)
