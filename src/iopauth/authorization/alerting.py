"""What needs action across many authorizations, most urgent first.

The conventions (reviews due today, tomorrow or overdue; expiry bands of 14 and 30 days; at most
5 units left) are the ones utilization-review tools use (tracking.md §2); each is an argument.
An active authorization with no usage recorded for more than ``stale_usage_days`` (default 7,
our choice: no source sets it) is flagged, since its units and projections are then unknown.
An alert names the authorization by its number and case id and says what to do; it never
carries the patient's name or the payer's words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from attrs import frozen

from ..model import StrEnum
from .dates import DECISION_TIME_FRAMES, KeyDates, TimeFrame, key_dates
from .model import Authorization, AuthorizationStatus, ReviewType
from .units import check_date, units_over, usage_outside_window

__all__ = ["DEFAULT_STALE_USAGE_DAYS", "Alert", "AlertKind", "alerts", "alerts_to_json"]

#: Days without recorded usage after which an active authorization is flagged (our choice:
#: tracking.md names no such convention; a week covers any IOP or PHP schedule's gap).
DEFAULT_STALE_USAGE_DAYS = 7


class AlertKind(StrEnum):
    """Kinds of alert; on the same due day, earlier kinds are listed first."""

    DECISION_OVERDUE = "decision_overdue"
    REVIEW_OVERDUE = "review_overdue"
    REVIEW_DUE_TODAY = "review_due_today"
    REVIEW_DUE_TOMORROW = "review_due_tomorrow"
    UNITS_EXHAUSTED = "units_exhausted"
    UNITS_OVER = "units_over"
    USAGE_OUTSIDE_WINDOW = "usage_outside_window"
    USAGE_NOT_RECORDED = "usage_not_recorded"
    INFORMATION_REQUESTED = "information_requested"
    CONTACT_PAYER = "contact_payer"
    UNRECOGNIZED_CODES = "unrecognized_codes"
    APPEAL_DUE = "appeal_due"
    APPEAL_DEADLINE_UNKNOWN = "appeal_deadline_unknown"
    RECERTIFICATION_DUE = "recertification_due"
    UNITS_LOW = "units_low"
    EXPIRES_WITHIN_14_DAYS = "expires_within_14_days"
    EXPIRES_WITHIN_30_DAYS = "expires_within_30_days"


_ORDER = {kind: i for i, kind in enumerate(AlertKind)}
_ACTIVE = frozenset(
    {
        AuthorizationStatus.APPROVED,
        AuthorizationStatus.PARTIALLY_APPROVED,
        AuthorizationStatus.EXHAUSTED,
    }
)


@frozen(kw_only=True)
class Alert:
    """One thing to do: which authorization, what, and by when (``None``: now)."""

    kind: AlertKind
    due: date | None
    authorization_number: str | None
    case_id: str
    action: str

    @property
    def label(self) -> str:
        """The authorization number (or that there is none yet) and the case id."""
        return f"{self.authorization_number or 'no auth number yet'} (case {self.case_id})"


def alerts(
    authorizations: Iterable[Authorization],
    as_of: date,
    *,
    low_units: int = 5,
    recertification_notice_days: int = 7,
    time_frames: Mapping[str, TimeFrame] = DECISION_TIME_FRAMES,
    stale_usage_days: int = DEFAULT_STALE_USAGE_DAYS,
) -> list[Alert]:
    """Every alert for ``authorizations`` on ``as_of``, most urgent first.

    Sorted by due day (overdue first, then today, tomorrow, ...; an alert with no due day is
    due now), then by kind. ``low_units``: alert when at most this many units are left
    (tracking.md §2: drchrono's default of 5). ``recertification_notice_days``: how early a
    Medicare recertification shows (our choice; no source sets it). ``stale_usage_days``: alert
    when an active authorization has had no usage recorded for more than this many days since
    its start or its latest recorded usage (our choice, no source sets it).
    """
    check_date(as_of)
    if stale_usage_days < 1:
        raise ValueError("stale_usage_days: must be at least 1")
    found: list[Alert] = []
    for auth in authorizations:
        dates = key_dates(auth, as_of, time_frames=time_frames)
        found.extend(_for(auth, dates, low_units, recertification_notice_days))
        found.extend(_stale_usage(auth, dates, stale_usage_days))
    return sorted(found, key=lambda a: (a.due or as_of, _ORDER[a.kind], a.case_id))


def _for(auth: Authorization, kd: KeyDates, low_units: int, notice_days: int) -> Iterable[Alert]:
    def alert(kind: AlertKind, due: date | None, action: str) -> Alert:
        return Alert(
            kind=kind,
            due=due,
            authorization_number=auth.authorization_number,
            case_id=auth.case_id,
            action=action,
        )

    as_of = kd.as_of
    if auth.status in (AuthorizationStatus.CANCELLED, AuthorizationStatus.NOT_REQUIRED):
        return
    contact = _contact(auth)
    if kd.decision_overdue and kd.decision is not None and kd.decision.due is not None:
        yield alert(
            AlertKind.DECISION_OVERDUE,
            kd.decision.due,
            f"payer decision overdue since {_day(kd.decision.due)} ({kd.decision.rule}): "
            f"call the payer{contact} and escalate",
        )
    if kd.status in _ACTIVE:
        yield from _active(auth, kd, low_units, alert)
    last = auth.reviews[-1] if auth.reviews else None
    if kd.status is AuthorizationStatus.PENDED and last is not None and last.decision is not None:
        asked = len(last.decision.information_requested)
        what = f"{asked} item{'s' if asked != 1 else ''}" if asked else "information"
        yield alert(
            AlertKind.INFORMATION_REQUESTED,
            None,
            f"the payer pended the request and asked for {what}: send it",
        )
    if kd.status is AuthorizationStatus.CONTACT_PAYER:
        yield alert(
            AlertKind.CONTACT_PAYER, None, f"the payer asks to be contacted: call them{contact}"
        )
    if last is not None and last.decision is not None and last.decision.unknown_codes:
        codes = ", ".join(last.decision.unknown_codes)
        yield alert(
            AlertKind.UNRECOGNIZED_CODES,
            None,
            f"the payer's latest decision carries codes iopauth does not know ({codes}): "
            "ask the payer what they mean",
        )
    if kd.appeal_due is not None and kd.appeal_due >= as_of:
        yield alert(
            AlertKind.APPEAL_DUE,
            kd.appeal_due,
            f"denied on {_day(kd.denied_on)}: file the appeal by {_day(kd.appeal_due)}",
        )
    if kd.appeal_deadline_unknown:
        yield alert(
            AlertKind.APPEAL_DEADLINE_UNKNOWN,
            None,
            f"denied on {_day(kd.denied_on)}; the appeal filing deadline is unknown: "
            "find it in the denial letter or ask the payer",
        )
    outside = usage_outside_window(auth)
    if outside:
        yield alert(
            AlertKind.USAGE_OUTSIDE_WINDOW,
            None,
            f"{len(outside)} usage date{'s' if len(outside) != 1 else ''} outside the "
            f"authorized window (first {_day(outside[0].day)}): check the dates or request "
            "authorization",
        )
    over = units_over(auth)
    if over:
        yield alert(
            AlertKind.UNITS_OVER, None, f"{over} units used beyond those authorized: request more"
        )
    recert = kd.recertification_due
    open_ = kd.status not in (AuthorizationStatus.EXPIRED, AuthorizationStatus.CANCELLED)
    if recert is not None and open_ and recert <= as_of + timedelta(days=notice_days):
        word = "overdue since" if recert < as_of else "due"
        yield alert(
            AlertKind.RECERTIFICATION_DUE,
            recert,
            f"Medicare physician recertification {word} {_day(recert)} (interval unverified: "
            "42 CFR 424.24)",
        )


def _active(auth: Authorization, kd: KeyDates, low_units: int, alert: Any) -> Iterable[Alert]:
    as_of = kd.as_of
    last = auth.reviews[-1] if auth.reviews else None
    review_sent = last is not None and last.kind is ReviewType.CONCURRENT and last.awaiting_decision
    if kd.review_due is not None and not review_sent:
        covered = f"last covered day {_day(kd.last_covered_day)}"
        if kd.review_due < as_of:
            yield alert(
                AlertKind.REVIEW_OVERDUE,
                kd.review_due,
                f"concurrent review overdue since {_day(kd.review_due)} ({covered}): send it now",
            )
        elif kd.review_due == as_of:
            yield alert(
                AlertKind.REVIEW_DUE_TODAY,
                kd.review_due,
                f"concurrent review due today ({covered})",
            )
        elif kd.review_due == as_of + timedelta(days=1):
            yield alert(
                AlertKind.REVIEW_DUE_TOMORROW,
                kd.review_due,
                f"concurrent review due tomorrow ({covered})",
            )
    remaining = kd.units_remaining
    if remaining == 0:
        yield alert(
            AlertKind.UNITS_EXHAUSTED,
            kd.projected_exhaustion,
            "no authorized units left: request more before the next program day",
        )
    elif remaining is not None and remaining <= low_units:
        when = (
            f", projected to run out {_day(kd.projected_exhaustion)}"
            if kd.projected_exhaustion
            else ""
        )
        yield alert(
            AlertKind.UNITS_LOW,
            kd.projected_exhaustion,
            f"{remaining} authorized unit{'s' if remaining != 1 else ''} left{when}",
        )
    end = auth.authorized_end
    if end is not None and end >= as_of:
        days = (end - as_of).days
        if days <= 14:
            yield alert(
                AlertKind.EXPIRES_WITHIN_14_DAYS,
                end,
                f"authorization ends {_day(end)} ({_in(days)})",
            )
        elif days <= 30:
            yield alert(
                AlertKind.EXPIRES_WITHIN_30_DAYS,
                end,
                f"authorization ends {_day(end)} ({_in(days)})",
            )


def _stale_usage(auth: Authorization, kd: KeyDates, days: int) -> Iterable[Alert]:
    """No usage recorded under an active authorization for more than ``days`` days."""
    start = auth.authorized_start
    if kd.status not in _ACTIVE or start is None or start > kd.as_of:
        return
    recorded = [u.day for u in auth.usage if u.day >= start and u.day <= kd.as_of]
    since = max(recorded, default=None)
    quiet = (kd.as_of - (since or start)).days
    if quiet <= days:
        return
    what = (
        f"no usage recorded since {_day(since)} ({quiet} days)"
        if since is not None
        else f"no usage recorded since the authorization started on {_day(start)} ({quiet} days)"
    )
    yield Alert(
        kind=AlertKind.USAGE_NOT_RECORDED,
        due=None,
        authorization_number=auth.authorization_number,
        case_id=auth.case_id,
        action=f"{what}: record attendance; units left and the review date assume the "
        "schedule was kept",
    )


def _contact(auth: Authorization) -> str:
    """The care manager's name and phone for an action text, when on record."""
    manager = auth.care_manager
    if manager is None:
        return ""
    parts = [p for p in (manager.name, manager.phone) if p]
    return f" (care manager {', '.join(parts)})" if parts else ""


def _day(value: date | None) -> str:
    return "an unknown date" if value is None else value.isoformat()


def _in(days: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")


def alerts_to_json(found: Iterable[Alert]) -> list[dict[str, Any]]:
    """Alerts as JSON-compatible dicts, in order."""
    return [
        {
            "kind": a.kind.value,
            "due": None if a.due is None else a.due.isoformat(),
            "authorization_number": a.authorization_number,
            "case_id": a.case_id,
            "action": a.action,
        }
        for a in found
    ]


def format_alerts(found: Iterable[Alert], as_of: date) -> str:
    """A readable table for a terminal: due, authorization, action."""
    rows = [(_due_label(a.due, as_of), a.label, a.action) for a in found]
    if not rows:
        return f"No alerts on {as_of.isoformat()}.\n"
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    lines = [f"Alerts on {as_of.isoformat()}, most urgent first:"]
    lines += [f"  {d:<{widths[0]}}  {label:<{widths[1]}}  {action}" for d, label, action in rows]
    return "\n".join(lines) + "\n"


def _due_label(due: date | None, as_of: date) -> str:
    if due is None:
        return "now"
    if due < as_of:
        return f"OVERDUE {due.isoformat()}"
    if due == as_of:
        return "today"
    if due == as_of + timedelta(days=1):
        return "tomorrow"
    return due.isoformat()
