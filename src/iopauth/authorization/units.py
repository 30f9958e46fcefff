"""What an authorization's record says on a date: units used and left, status, run-out day.

Every function reads the record only and no clock: a date is always an argument. Changing the
record (a new request, a payer decision, usage) is :mod:`iopauth.authorization.track`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from ..model import Schedule, UnitType, Weekday
from .model import Authorization, AuthorizationStatus, Usage

__all__ = [
    "check_date",
    "is_open",
    "projected_exhaustion",
    "scheduled_exhaustion",
    "status_on",
    "units_over",
    "units_remaining",
    "units_used",
    "usage_outside_window",
]

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


def scheduled_exhaustion(auth: Authorization) -> date | None:
    """The program day the authorized units run out if the plan's schedule is kept from the
    authorized start, whatever usage is (or is not) recorded.

    A fixed date for the authorized period: unlike :func:`projected_exhaustion`, which
    counts from the last recorded usage, it does not move later while no usage is logged.
    ``None`` without a start, units or a schedule, or when the window ends first.
    """
    start, total = auth.authorized_start, auth.authorized_units
    if start is None or total is None or total <= 0 or auth.schedule is None:
        return None
    per_day = _daily_units(auth.schedule, auth.unit_type)
    weekly = sum(per_day.values())
    if weekly <= 0:
        return None
    # whole weeks that cannot finish the units, then day by day (at most two weeks)
    weeks = max(int(total // weekly) - 1, 0)
    used, day = weeks * weekly, start + timedelta(weeks=weeks)
    last = auth.authorized_end or day + timedelta(weeks=2)
    while day <= last:
        used += per_day.get(day.weekday(), 0.0)
        if used >= total - 1e-9:
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
