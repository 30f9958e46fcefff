"""Changing an authorization over time: new requests, payer decisions and usage.

Every function returns a new record and reads no clock: a date is always an argument.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from ..errors import InvalidAuthorizationError
from ..model import Case, RequestKind, Schedule, UnitType, Urgency, Weekday
from .decision import Decision, DecisionStatus
from .model import Authorization, AuthorizationStatus, Review, ReviewType, Usage

__all__ = [
    "add_request",
    "apply_decision",
    "check_date",
    "from_case",
    "is_open",
    "projected_exhaustion",
    "record_usage",
    "status_on",
    "units_over",
    "units_remaining",
    "units_used",
    "usage_outside_window",
]

_KIND = {
    RequestKind.INITIAL: ReviewType.INITIAL,
    RequestKind.CONCURRENT: ReviewType.CONCURRENT,
    RequestKind.EXTENSION: ReviewType.CONCURRENT,
    RequestKind.APPEAL: ReviewType.APPEAL,
}
# A6 "modified" [unverified meaning, interop.md §3]: the payer certified with changes; the
# authorized units and dates say what it certified, so the authorization counts as approved.
_STATUS = {
    DecisionStatus.APPROVED: AuthorizationStatus.APPROVED,
    DecisionStatus.PARTIALLY_APPROVED: AuthorizationStatus.PARTIALLY_APPROVED,
    DecisionStatus.MODIFIED: AuthorizationStatus.APPROVED,
    DecisionStatus.DENIED: AuthorizationStatus.DENIED,
    DecisionStatus.PENDED: AuthorizationStatus.PENDED,
    DecisionStatus.CONTACT_PAYER: AuthorizationStatus.CONTACT_PAYER,
    DecisionStatus.CANCELLED: AuthorizationStatus.CANCELLED,
    DecisionStatus.NOT_REQUIRED: AuthorizationStatus.NOT_REQUIRED,
}
_GRANTS = frozenset(
    {DecisionStatus.APPROVED, DecisionStatus.PARTIALLY_APPROVED, DecisionStatus.MODIFIED}
)
_CLOSED = frozenset(
    {AuthorizationStatus.CANCELLED, AuthorizationStatus.NOT_REQUIRED, AuthorizationStatus.EXPIRED}
)
_WEEKDAYS = tuple(Weekday)


def check_date(value: date, name: str = "as_of") -> date:
    """``value`` itself, refusing a ``datetime``: iopauth counts calendar days, not hours.

    A ``datetime`` is a ``date`` to Python, but which calendar day it falls on depends on a
    time zone; the caller converts it to the program's local date first.
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a date (the program's local calendar day)")
    return value


def from_case(case: Case) -> Authorization:
    """A new authorization for the request a case carries, awaiting the payer's decision.

    An appeal case brings its denial into the review history, so the appeal follows it.
    """
    request = case.request
    reviews: list[Review] = []
    if request.denial is not None:
        reviews.append(
            Review(
                kind=ReviewType.INITIAL,
                requested_on=min(request.denial.decided_on, request.request_date),
                outcome=DecisionStatus.DENIED,
                decided_on=request.denial.decided_on,
                reference=request.denial.reference,
            )
        )
    reviews.append(
        Review(kind=_KIND[request.kind], requested_on=request.request_date, urgency=request.urgency)
    )
    return Authorization(
        case_id=case.case_id,
        payer_name=case.coverage.payer_name,
        plan_type=case.coverage.plan_type,
        level_of_care=case.plan.level,
        service_codes=(request.service_code,),
        unit_type=request.unit_type,
        authorization_number=request.authorization_number,
        requested_units=math.ceil(case.requested_units),
        requested_start=request.period.start,
        requested_end=request.period.end,
        admission_date=case.plan.start_date,
        certified_on=case.plan.certified_on,
        schedule=case.plan.schedule,
        reviews=tuple(reviews),
    )


def add_request(
    auth: Authorization,
    *,
    kind: ReviewType,
    requested_on: date,
    urgency: Urgency = Urgency.STANDARD,
    units: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Authorization:
    """Record a new request to the payer (a concurrent review, peer-to-peer, appeal)."""
    review = Review(
        kind=kind, requested_on=check_date(requested_on, "requested_on"), urgency=urgency
    )
    changes: dict[str, Any] = {"reviews": (*auth.reviews, review)}
    if units is not None:
        changes["requested_units"] = units
    if start is not None:
        changes["requested_start"] = start
    if end is not None:
        changes["requested_end"] = end
    return attrs.evolve(auth, **changes)


def apply_decision(
    auth: Authorization, decision: Decision, *, kind: ReviewType | None = None
) -> Authorization:
    """The authorization after the payer's ``decision``; applying it again changes nothing.

    The decision answers the latest review when that review still awaits one (a pended review
    stays in the history and the answer follows it); otherwise it is recorded as a new review
    of ``kind`` (default: initial for the first review, concurrent after). An approval sets
    the authorized units and, when it gives any date, the whole window (a start alone is
    open-ended); an approval of a concurrent review whose window starts after the current one
    ends extends it: its units are added and the end moves.
    """
    if any(review.decision == decision for review in auth.reviews):
        return auth
    reviews = list(auth.reviews)
    last = reviews[-1] if reviews else None
    answers_last = last is not None and (
        last.outcome is None or (last.outcome is DecisionStatus.PENDED and kind is None)
    )
    if (
        answers_last
        and last is not None
        and decision.decided_on is not None
        and decision.decided_on < last.requested_on
    ):
        raise InvalidAuthorizationError(
            ["$.decided_on: must not be before the request it answers (requested_on)"],
            "decision",
        )
    if last is not None and last.outcome is None:
        reviews[-1] = _decided(last, decision)
    elif last is not None and last.outcome is DecisionStatus.PENDED and kind is None:
        reviews.append(_decided(attrs.evolve(last, decision=None), decision))
    else:
        requested_on = decision.decided_on
        if requested_on is None:
            raise InvalidAuthorizationError(
                ["$.decided_on: required when the decision answers no open review"], "decision"
            )
        default = ReviewType.CONCURRENT if reviews else ReviewType.INITIAL
        fresh = Review(kind=kind or default, requested_on=requested_on)
        reviews.append(_decided(fresh, decision))
    changes: dict[str, Any] = {"reviews": tuple(reviews), "status": _STATUS[decision.status]}
    number = decision.authorization_number or next(
        (i.authorization_number for i in decision.items if i.authorization_number), None
    )
    if number is not None:
        changes["authorization_number"] = number
    if decision.status in _GRANTS:
        changes.update(_granted(auth, decision, reviews[-1].kind))
    return attrs.evolve(auth, **changes)


def _decided(review: Review, decision: Decision) -> Review:
    return attrs.evolve(
        review,
        outcome=decision.status,
        decided_on=decision.decided_on,
        reference=decision.response_id or decision.authorization_number or review.reference,
        decision=decision,
    )


def _granted(auth: Authorization, decision: Decision, kind: ReviewType) -> dict[str, Any]:
    """The authorized fields a granting decision sets (item totals when the top is silent)."""
    items = [
        i
        for i in decision.items
        if i.status is None or i.status in _GRANTS
        if i.service_code is None or not auth.service_codes or i.service_code in auth.service_codes
    ]
    units = decision.authorized_units
    if units is None and any(i.authorized_units is not None for i in items):
        units = sum(i.authorized_units or 0 for i in items)
    starts = [i.authorized_start for i in items if i.authorized_start is not None]
    ends = [i.authorized_end for i in items if i.authorized_end is not None]
    if decision.authorized_start is not None or decision.authorized_end is not None:
        start, end = decision.authorized_start, decision.authorized_end
    else:
        start, end = (min(starts) if starts else None), (max(ends) if ends else None)
        if start is not None and end is not None and end < start:
            raise InvalidAuthorizationError(
                ["$.items: the service lines' authorized dates do not form one window"],
                "decision",
            )
    extends = (
        kind is ReviewType.CONCURRENT
        and auth.authorized_end is not None
        and start is not None
        and start > auth.authorized_end
    )
    out: dict[str, Any] = {}
    if extends:
        if units is not None:
            out["authorized_units"] = (auth.authorized_units or 0) + units
        if end is not None:
            out["authorized_end"] = end
        return out
    if units is not None:
        out["authorized_units"] = units
    if start is not None or end is not None:
        # A window in the decision replaces the whole window: a start alone is open-ended.
        out["authorized_start"] = start
        out["authorized_end"] = end
    return out


def record_usage(auth: Authorization, entries: Iterable[Usage]) -> Authorization:
    """The authorization with ``entries`` added; the order of recording does not matter.

    Per diem counts one unit per date of service (tracking.md §1), so a per-diem entry must be
    one unit and a date recorded twice still counts once; hours and sessions add up.
    """
    new = tuple(entries)
    problems = []
    for i, entry in enumerate(new):
        check_date(entry.day, "usage day")
        if entry.units < 1:
            problems.append(f"usage[{i}].units: must be at least 1")
        elif auth.unit_type is UnitType.PER_DIEM and entry.units != 1:
            problems.append(f"usage[{i}].units: per diem counts one unit per day of service")
    if problems:
        raise InvalidAuthorizationError(problems, "usage")
    if not new:
        return auth
    usage = tuple(sorted((*auth.usage, *new), key=lambda u: (u.day, u.units)))
    return attrs.evolve(auth, usage=usage)


def _granted_anything(auth: Authorization) -> bool:
    return (
        auth.authorized_units is not None
        or auth.authorized_start is not None
        or auth.authorized_end is not None
    )


def _in_window(auth: Authorization, day: date) -> bool:
    if not _granted_anything(auth):
        return False
    start, end = auth.authorized_start, auth.authorized_end
    return (start is None or day >= start) and (end is None or day <= end)


def _counted(auth: Authorization, entries: Iterable[Usage]) -> int:
    entries = list(entries)
    if auth.unit_type is UnitType.PER_DIEM:
        return len({u.day for u in entries})
    return sum(u.units for u in entries)


def units_used(auth: Authorization) -> int:
    """Units used inside the authorized window (usage outside it is flagged, not counted)."""
    return _counted(auth, (u for u in auth.usage if _in_window(auth, u.day)))


def units_remaining(auth: Authorization) -> int | None:
    """Authorized units not yet used: from 0 to the authorized units; ``None`` when none set."""
    if auth.authorized_units is None:
        return None
    return max(0, auth.authorized_units - units_used(auth))


def units_over(auth: Authorization) -> int:
    """Units used in the window beyond what was authorized (0 when within)."""
    if auth.authorized_units is None:
        return 0
    return max(0, units_used(auth) - auth.authorized_units)


def usage_outside_window(auth: Authorization) -> tuple[Usage, ...]:
    """Usage recorded on dates the authorization does not cover (or before any grant)."""
    return tuple(u for u in auth.usage if not _in_window(auth, u.day))


def status_on(auth: Authorization, as_of: date) -> AuthorizationStatus:
    """The status on ``as_of``: an approval past its end is expired, with no units exhausted."""
    check_date(as_of)
    if auth.status in (AuthorizationStatus.APPROVED, AuthorizationStatus.PARTIALLY_APPROVED):
        if auth.authorized_end is not None and as_of > auth.authorized_end:
            return AuthorizationStatus.EXPIRED
        if units_remaining(auth) == 0:
            return AuthorizationStatus.EXHAUSTED
    return auth.status


def is_open(auth: Authorization, as_of: date | None = None) -> bool:
    """Still needs attention: not cancelled, not "no authorization required", not expired.

    A denial stays open (its appeal may follow) until a cancelling decision closes it.
    """
    status = auth.status if as_of is None else status_on(auth, as_of)
    return status not in _CLOSED


def _daily_units(schedule: Schedule, unit_type: UnitType) -> dict[int, float]:
    """Units the plan's schedule uses on each weekday (0 = Monday).

    A schedule given as days per week names no weekdays: we assume consecutive days from
    Monday (3 days: Monday to Wednesday). The projection can then be a day or two early or
    late; give ``sessions`` for exact weekdays.
    """
    per_day: dict[int, float] = {}
    if schedule.sessions:
        for session in schedule.sessions:
            day = _WEEKDAYS.index(session.day)
            if unit_type is UnitType.HOUR:
                per_day[day] = per_day.get(day, 0.0) + session.minutes / 60
            elif unit_type is UnitType.SESSION:
                per_day[day] = per_day.get(day, 0.0) + 1
            else:
                per_day[day] = 1.0
        return per_day
    days = min(schedule.days_per_week or 0, 7)
    if unit_type is UnitType.HOUR:
        return dict.fromkeys(range(days), schedule.hours_per_day or 0.0)
    return dict.fromkeys(range(days), 1.0)


def projected_exhaustion(auth: Authorization, as_of: date) -> date | None:
    """The program day the authorized units run out if the plan's schedule is kept.

    Counting starts the day after ``as_of`` (usage is recorded through ``as_of``) or after the
    last recorded usage, whichever is later. ``None`` when the window ends first (expiry
    before exhaustion), or when units or the schedule are not known. Already exhausted: the
    day the last unit was used.
    """
    check_date(as_of)
    remaining = units_remaining(auth)
    if remaining is None:
        return None
    if remaining == 0:
        return _exhausted_on(auth)
    if auth.schedule is None:
        return None
    per_day = _daily_units(auth.schedule, auth.unit_type)
    if not any(v > 0 for v in per_day.values()):
        return None
    in_window = [u.day for u in auth.usage if _in_window(auth, u.day)]
    day = max([as_of, *in_window]) + timedelta(days=1)
    if auth.authorized_start is not None:
        day = max(day, auth.authorized_start)
    # Bounded even when the window is open-ended: at least one unit a week gets there in time.
    last = auth.authorized_end or day + timedelta(weeks=remaining + 1)
    used, weekly = 0.0, sum(per_day.values())
    while day <= last:
        # Seven consecutive days hold each weekday once: skip whole weeks that cannot finish
        # the units, keeping the last week to walk day by day.
        weeks = min(int((remaining - used) // weekly) - 1, ((last - day).days + 1) // 7)
        if weeks >= 1:
            used += weeks * weekly
            day += timedelta(weeks=weeks)
            continue
        used += per_day.get(day.weekday(), 0.0)
        if used >= remaining - 1e-9:
            return day
        day += timedelta(days=1)
    return None


def _exhausted_on(auth: Authorization) -> date | None:
    """The date the cumulative usage in the window reached the authorized units."""
    total = auth.authorized_units or 0
    seen: set[date] = set()
    used = 0
    for entry in sorted(auth.usage, key=lambda u: (u.day, u.units)):
        if not _in_window(auth, entry.day):
            continue
        if auth.unit_type is UnitType.PER_DIEM:
            if entry.day in seen:
                continue
            seen.add(entry.day)
            used += 1
        else:
            used += entry.units
        if used >= total:
            return entry.day
    return auth.authorized_start
