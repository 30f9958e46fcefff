"""Alerts across authorizations: what needs action, most urgent first, named safely."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest

from iopauth.authorization import (
    Alert,
    AlertKind,
    Authorization,
    AuthorizationStatus,
    CareManager,
    Decision,
    DecisionStatus,
    Review,
    ReviewType,
    Usage,
    add_request,
    alerts,
    alerts_to_json,
    apply_decision,
    format_alerts,
    from_case,
    record_usage,
)
from iopauth.model import LevelOfCare, PlanType, Schedule, Urgency

from .casebuilder import build_case


def _approved(**changes: Any) -> Authorization:
    """Approved per diem 2–29 March 2026, 12 units, three days a week (Mon–Wed)."""
    auth = Authorization(
        case_id="case-A",
        payer_name="Plan Co",
        plan_type=PlanType.COMMERCIAL,
        level_of_care=LevelOfCare.IOP,
        authorization_number="PA-A",
        status=AuthorizationStatus.APPROVED,
        authorized_units=30,
        authorized_start=date(2026, 3, 2),
        authorized_end=date(2026, 3, 29),
        review_lead_days=5,
        schedule=Schedule(days_per_week=3, hours_per_day=3.0),
    )
    return attrs.evolve(auth, **changes)


def _kinds(found: list[Alert]) -> list[AlertKind]:
    """The kinds of a list of alerts, in order."""
    return [a.kind for a in found]


@pytest.mark.parametrize(
    ("as_of", "kind"),
    [
        (date(2026, 3, 24), AlertKind.REVIEW_DUE_TODAY),
        (date(2026, 3, 23), AlertKind.REVIEW_DUE_TOMORROW),
        (date(2026, 3, 26), AlertKind.REVIEW_OVERDUE),
    ],
)
def test_review_due_today_tomorrow_overdue(as_of: date, kind: AlertKind) -> None:
    """The window ends 29 March, lead 5 days: the review is due on 24 March."""
    found = alerts([_approved()], as_of)
    assert kind in _kinds(found)
    review = next(a for a in found if a.kind is kind)
    assert review.due == date(2026, 3, 24)
    assert "last covered day 2026-03-29" in review.action


def test_no_review_alert_before_the_day_before_or_once_sent() -> None:
    """Two days ahead nothing is due yet; a concurrent request already sent silences it."""
    assert AlertKind.REVIEW_DUE_TOMORROW not in _kinds(alerts([_approved()], date(2026, 3, 22)))
    sent = add_request(_approved(), kind=ReviewType.CONCURRENT, requested_on=date(2026, 3, 23))
    kinds = _kinds(alerts([sent], date(2026, 3, 26)))
    assert AlertKind.REVIEW_OVERDUE not in kinds


@pytest.mark.parametrize(
    ("as_of", "kind", "text"),
    [
        (date(2026, 3, 15), AlertKind.EXPIRES_WITHIN_14_DAYS, "in 14 days"),
        (date(2026, 3, 14), AlertKind.EXPIRES_WITHIN_30_DAYS, "in 15 days"),
        (date(2026, 2, 27), AlertKind.EXPIRES_WITHIN_30_DAYS, "in 30 days"),
        (date(2026, 3, 29), AlertKind.EXPIRES_WITHIN_14_DAYS, "today"),
    ],
)
def test_expiry_bands_of_14_and_30_days(as_of: date, kind: AlertKind, text: str) -> None:
    """tracking.md §2: alerts 30 and 14 days before the end date."""
    found = [a for a in alerts([_approved()], as_of) if a.kind.value.startswith("expires")]
    assert _kinds(found) == [kind]
    assert text in found[0].action


def test_no_expiry_alert_more_than_30_days_out_or_after_expiry() -> None:
    """31 days before the end and the day after it: no expiry alert."""
    for as_of in (date(2026, 2, 26), date(2026, 3, 30)):
        kinds = _kinds(alerts([_approved()], as_of))
        assert not [k for k in kinds if k.value.startswith("expires")]


def test_units_low_at_five_left_by_default_and_configurable() -> None:
    """tracking.md §2: at most 5 units left alerts; the threshold is an argument."""
    auth = record_usage(
        _approved(authorized_units=8), [Usage(day=date(2026, 3, d)) for d in (2, 3, 4)]
    )
    low = [a for a in alerts([auth], date(2026, 3, 4)) if a.kind is AlertKind.UNITS_LOW]
    assert len(low) == 1
    assert low[0].action.startswith("5 authorized units left, projected to run out 2026-03-17")
    assert not [
        a for a in alerts([auth], date(2026, 3, 4), low_units=4) if a.kind is AlertKind.UNITS_LOW
    ]


def test_no_units_left_says_so() -> None:
    """All units used: an exhausted alert asking for more."""
    auth = record_usage(
        _approved(authorized_units=2), [Usage(day=date(2026, 3, 2)), Usage(day=date(2026, 3, 3))]
    )
    found = [a for a in alerts([auth], date(2026, 3, 4)) if a.kind is AlertKind.UNITS_EXHAUSTED]
    assert found[0].action == "no authorized units left: request more before the next program day"


def test_decision_overdue_names_the_rule() -> None:
    """A Medicaid request of 2 March undecided on 10 March is overdue since 9 March."""
    auth = from_case(build_case({"coverage.plan_type": PlanType.MEDICAID}))
    auth = attrs.evolve(
        auth, reviews=(Review(kind=ReviewType.INITIAL, requested_on=date(2026, 3, 2)),)
    )
    found = alerts([auth], date(2026, 3, 10))
    assert _kinds(found)[0] is AlertKind.DECISION_OVERDUE
    assert found[0].action == (
        "payer decision overdue since 2026-03-09 (CMS-0057-F, standard: 7 calendar days): "
        "call the payer and escalate"
    )
    assert found[0].label == "no auth number yet (case test-case)"


def test_pended_request_asks_for_the_information() -> None:
    """A pended decision with two requests for information says how many, not what."""
    auth = from_case(build_case())
    auth = apply_decision(
        auth,
        Decision(
            status=DecisionStatus.PENDED,
            decided_on=date(2026, 3, 21),
            information_requested=("Test Patient's discharge summary", "latest PHQ-9"),
        ),
    )
    found = [
        a for a in alerts([auth], date(2026, 3, 22)) if a.kind is AlertKind.INFORMATION_REQUESTED
    ]
    assert found[0].action == "the payer pended the request and asked for 2 items: send it"


def test_appeal_deadline_known_and_unknown() -> None:
    """After a denial: file by the date when the window is known, otherwise say it is unknown."""
    auth = from_case(build_case())
    denial = Decision(status=DecisionStatus.DENIED, decided_on=date(2026, 3, 24))
    known = apply_decision(attrs.evolve(auth, appeal_window_days=180), denial)
    unknown = apply_decision(auth, denial)
    [due] = [a for a in alerts([known], date(2026, 3, 25)) if a.kind is AlertKind.APPEAL_DUE]
    assert due.due == date(2026, 9, 20)
    assert "file the appeal by 2026-09-20" in due.action
    [gap] = [
        a
        for a in alerts([unknown], date(2026, 3, 25))
        if a.kind is AlertKind.APPEAL_DEADLINE_UNKNOWN
    ]
    assert "appeal filing deadline is unknown" in gap.action


def test_recertification_due_within_the_notice_days() -> None:
    """A Traditional Medicare IOP stay: recertification shows 7 days ahead and when overdue."""
    auth = _approved(
        plan_type=PlanType.MEDICARE, admission_date=date(2026, 3, 2), certified_on=date(2026, 3, 2)
    )
    due = [a for a in alerts([auth], date(2026, 3, 25)) if a.kind is AlertKind.RECERTIFICATION_DUE]
    assert len(due) == 1
    assert "unverified" in due[0].action
    early = alerts([auth], date(2026, 3, 5))
    assert AlertKind.RECERTIFICATION_DUE not in _kinds(early)


def test_usage_outside_the_window_alerts() -> None:
    """A day recorded before the authorized start is flagged for checking."""
    auth = record_usage(_approved(), [Usage(day=date(2026, 2, 27))])
    [flag] = [
        a for a in alerts([auth], date(2026, 3, 3)) if a.kind is AlertKind.USAGE_OUTSIDE_WINDOW
    ]
    assert "1 usage date outside the authorized window (first 2026-02-27)" in flag.action


def test_most_urgent_first_across_authorizations() -> None:
    """Overdue before today, today before tomorrow, then later dates."""
    overdue = _approved(case_id="c-overdue", authorization_number="PA-1")
    today = _approved(
        case_id="c-today", authorization_number="PA-2", authorized_end=date(2026, 3, 31)
    )
    later = _approved(
        case_id="c-later", authorization_number="PA-3", authorized_end=date(2026, 4, 20)
    )
    found = alerts([later, today, overdue], date(2026, 3, 26))
    assert [(a.case_id, a.kind) for a in found[:2]] == [
        ("c-overdue", AlertKind.REVIEW_OVERDUE),
        ("c-today", AlertKind.REVIEW_DUE_TODAY),
    ]
    dues = [a.due or date(2026, 3, 26) for a in found]
    assert dues == sorted(dues)


def test_alerts_never_carry_the_patients_name() -> None:
    """Names, member ids and the payer's words stay out of every alert and its JSON."""
    case = build_case({"coverage.plan_type": PlanType.MEDICAID})
    auth = apply_decision(
        from_case(case),
        Decision(
            status=DecisionStatus.PENDED,
            decided_on=date(2026, 3, 21),
            reason_text="Test Patient, member M1, needs more notes",
            information_requested=("Test Patient notes",),
        ),
    )
    found = alerts([auth], date(2026, 4, 30))
    text = format_alerts(found, date(2026, 4, 30)) + repr(alerts_to_json(found))
    assert found
    for secret in ("Test", "Patient", "M1", "1986"):
        assert secret not in text
    assert "case test-case" in text


def test_table_and_json_forms() -> None:
    """The table says when and what; JSON keeps every field."""
    found = alerts([_approved()], date(2026, 3, 24))
    table = format_alerts(found, date(2026, 3, 24))
    assert table.startswith("Alerts on 2026-03-24, most urgent first:")
    assert "today" in table
    assert "PA-A (case case-A)" in table
    assert alerts_to_json(found)[0] == {
        "kind": "review_due_today",
        "due": "2026-03-24",
        "authorization_number": "PA-A",
        "case_id": "case-A",
        "action": "concurrent review due today (last covered day 2026-03-29)",
    }
    assert format_alerts([], date(2026, 1, 2)) == "No alerts on 2026-01-02.\n"


def test_expedited_urgency_shortens_the_deadline_alert() -> None:
    """An expedited Medicaid request of 2 March is overdue on 6 March (72 hours end the 5th)."""
    auth = Authorization(
        case_id="c-x",
        payer_name="State Medicaid",
        plan_type=PlanType.MEDICAID,
        level_of_care=LevelOfCare.IOP,
        reviews=(
            Review(
                kind=ReviewType.INITIAL, requested_on=date(2026, 3, 2), urgency=Urgency.EXPEDITED
            ),
        ),
    )
    assert AlertKind.DECISION_OVERDUE not in _kinds(alerts([auth], date(2026, 3, 5)))
    assert AlertKind.DECISION_OVERDUE in _kinds(alerts([auth], date(2026, 3, 6)))


def test_contact_payer_names_the_care_manager_and_unknown_codes_are_raised() -> None:
    """'Contact payer' gives the care manager to call; unrecognized codes ask what they mean."""
    auth = _approved(care_manager=CareManager(name="R. Reviewer", phone="(207) 555-0100"))
    auth = apply_decision(
        auth,
        Decision(
            status=DecisionStatus.CONTACT_PAYER, decided_on=date(2026, 3, 3), unknown_codes=("A9",)
        ),
    )
    found = alerts([auth], date(2026, 3, 4))
    actions = {a.kind: a.action for a in found}
    assert actions[AlertKind.CONTACT_PAYER] == (
        "the payer asks to be contacted: call them (care manager R. Reviewer, (207) 555-0100)"
    )
    assert actions[AlertKind.UNRECOGNIZED_CODES] == (
        "the payer's latest decision carries codes iopauth does not know (A9): "
        "ask the payer what they mean"
    )


def test_cancelled_and_not_required_authorizations_raise_nothing() -> None:
    """No alert, not even for usage, once the request is cancelled or needs no authorization."""
    for status in (AuthorizationStatus.CANCELLED, AuthorizationStatus.NOT_REQUIRED):
        auth = record_usage(
            _approved(
                status=status, authorized_units=None, authorized_start=None, authorized_end=None
            ),
            [Usage(day=date(2026, 3, 2))],
        )
        assert alerts([auth], date(2026, 3, 3)) == []


def _per_diem_nothing_logged() -> Authorization:
    """Per diem, 12 program days from Monday 1 June 2026 to 31 August, Monday, Wednesday and
    Thursday, lead 5 days; no usage recorded at all."""
    from iopauth.model import Session, Weekday

    sessions = tuple(Session(day=d, minutes=180) for d in (Weekday.MON, Weekday.WED, Weekday.THU))
    return _approved(
        authorized_units=12,
        authorized_start=date(2026, 6, 1),
        authorized_end=date(2026, 8, 31),
        schedule=Schedule(sessions=sessions),
    )


def test_review_due_comes_from_the_authorized_period_when_nothing_is_logged() -> None:
    """Kept from 1 June, the schedule uses the 12th day on Thursday 25 June; the review is due
    5 days before, on 20 June, whatever the day it is asked and although nothing is logged
    (it used to move one day later each day without usage)."""
    from iopauth.authorization import key_dates

    auth = _per_diem_nothing_logged()
    for as_of in (date(2026, 6, 2), date(2026, 6, 10), date(2026, 6, 19)):
        dates = key_dates(auth, as_of)
        assert dates.last_covered_day == date(2026, 6, 25)
        assert dates.review_due == date(2026, 6, 20)
    assert AlertKind.REVIEW_DUE_TODAY in _kinds(alerts([auth], date(2026, 6, 20)))
    # usage logged ahead of the schedule still brings the day earlier
    busy = record_usage(auth, [Usage(day=date(2026, 6, d)) for d in range(1, 13)])
    assert key_dates(busy, date(2026, 6, 12)).last_covered_day == date(2026, 6, 12)


def test_no_usage_recorded_for_more_than_a_week_is_an_alert() -> None:
    auth = _per_diem_nothing_logged()
    assert AlertKind.USAGE_NOT_RECORDED not in _kinds(alerts([auth], date(2026, 6, 8)))
    found = alerts([auth], date(2026, 6, 9))
    stale = next(a for a in found if a.kind is AlertKind.USAGE_NOT_RECORDED)
    assert stale.due is None
    assert stale.action.startswith(
        "no usage recorded since the authorization started on 2026-06-01 (8 days): record "
        "attendance"
    )
    # counted from the latest usage once some is logged
    logged = record_usage(auth, [Usage(day=date(2026, 6, 3))])
    assert AlertKind.USAGE_NOT_RECORDED not in _kinds(alerts([logged], date(2026, 6, 9)))
    later = next(
        a for a in alerts([logged], date(2026, 6, 12)) if a.kind is AlertKind.USAGE_NOT_RECORDED
    )
    assert "no usage recorded since 2026-06-03 (9 days)" in later.action
    # the threshold is an argument; a closed authorization is never flagged
    assert AlertKind.USAGE_NOT_RECORDED in _kinds(
        alerts([auth], date(2026, 6, 5), stale_usage_days=3)
    )
    assert AlertKind.USAGE_NOT_RECORDED not in _kinds(
        alerts([attrs.evolve(auth, status=AuthorizationStatus.CANCELLED)], date(2026, 6, 30))
    )
    with pytest.raises(ValueError, match="stale_usage_days"):
        alerts([auth], date(2026, 6, 9), stale_usage_days=0)
