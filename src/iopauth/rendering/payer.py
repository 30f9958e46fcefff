"""What the payer's own records say, for the letters: the authorization and the decision.

A concurrent review given an :class:`~iopauth.authorization.Authorization` states the
authorized period and units, what was asked when the payer granted less, the units used and
left on the document date, and the days attended, all from the authorization. An appeal given
a :class:`~iopauth.authorization.Decision` (or an authorization whose reviews hold the denial)
quotes the decision's date, reference, stated reason, reason codes and denied service lines.

Precedence, when the case and the payer's record disagree: the payer's record wins for what
the payer approved and said (the authorized period and units, the authorization number, the
decision's date, reference and reason); the case still says what is asked now (its request
period and units) and the clinical record. Where the payer's record is silent (no usage
recorded, a decision with no reason text) the case's own value is used, so nothing known is
dropped. Attendance: the review's attendance section states the days attended under the
authorization (its usage through the document date) in place of the case's count since
admission; the criteria evidence still quotes the case's own record, which covers the whole
stay. Records for another case, level of care or service are refused with a
:class:`~iopauth.errors.RenderError` naming the field, never its value.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import attrs

from .._support.dates import long_date
from ..errors import RenderError
from ..model import Case, UnitType
from .labels import service_label
from .views import AuthorizationView, DecisionView

__all__ = [
    "appealed_decision",
    "authorization_view",
    "check_authorization",
    "check_decision",
    "decision_view",
]

if TYPE_CHECKING:
    from ..authorization import Authorization, Decision, DecisionItem

_UNIT_WORDS = {
    UnitType.PER_DIEM: ("program day", "program days"),
    UnitType.HOUR: ("hour", "hours"),
    UnitType.SESSION: ("session", "sessions"),
}


def _units(count: int, unit_type: UnitType) -> str:
    one, many = _UNIT_WORDS[unit_type]
    return f"{count} {one if count == 1 else many}"


def _period(start: date | None, end: date | None) -> str | None:
    if start is None and end is None:
        return None
    if start is None:
        return f"through {long_date(end)}" if end is not None else None
    if end is None:
        return f"from {long_date(start)}, with no end date given"
    return f"from {long_date(start)} to {long_date(end)}"


# --- checks --------------------------------------------------------------------------------


def check_authorization(case: Case, auth: Authorization) -> None:
    """Refuse an authorization that is not this case's: a different case, level or service.

    Messages name the authorization's field and the case's path, never either value.
    """
    from ..authorization import Authorization

    if not isinstance(auth, Authorization):
        raise RenderError("authorization: must be an iopauth.authorization.Authorization")
    problems = []
    if auth.case_id != case.case_id:
        problems.append("authorization.case_id: does not match the case's $.case_id")
    if auth.level_of_care is not case.plan.level:
        problems.append("authorization.level_of_care: does not match the case's $.plan.level")
    if auth.service_codes and case.request.service_code not in auth.service_codes:
        problems.append(
            "authorization.service_codes: do not include the case's $.request.service_code"
        )
    number = case.request.authorization_number
    if number and auth.authorization_number and number != auth.authorization_number:
        problems.append(
            "authorization.authorization_number: does not match the case's "
            "$.request.authorization_number"
        )
    if problems:
        raise RenderError("; ".join(problems))


# Decisions an appeal can answer: a denial, and a partial approval (the part not approved).
_APPEALABLE = frozenset({"denied", "partially_approved"})


def check_decision(case: Case, decision: Decision) -> None:
    """Refuse a decision an appeal of this case cannot answer (approved, or another number)."""
    from ..authorization import Decision

    if not isinstance(decision, Decision):
        raise RenderError("decision: must be an iopauth.authorization.Decision")
    if decision.status.value not in _APPEALABLE:
        raise RenderError(
            "decision.status: an appeal answers a denial or a partial approval; this decision "
            "denies nothing"
        )
    if decision.decided_on is not None and decision.decided_on > case.request.request_date:
        raise RenderError(
            "decision.decided_on: must not be after the case's $.request.request_date (an "
            "appeal answers an earlier decision)"
        )
    number = case.request.authorization_number
    theirs = _decision_number(decision)
    if number and theirs and number != theirs:
        raise RenderError(
            "decision.authorization_number: does not match the case's "
            "$.request.authorization_number"
        )


def _decision_number(decision: Decision) -> str | None:
    return decision.authorization_number or next(
        (i.authorization_number for i in decision.items if i.authorization_number), None
    )


# --- the concurrent review -----------------------------------------------------------------


def _usage_through(auth: Authorization, as_of: date) -> Authorization:
    """The authorization with only the usage recorded on or before ``as_of``."""
    return attrs.evolve(auth, usage=tuple(u for u in auth.usage if u.day <= as_of))


def _latest_grant(auth: Authorization) -> tuple[int, date | None] | None:
    """Index and date of the latest review that granted anything."""
    from ..authorization import DecisionStatus

    grants = (
        DecisionStatus.APPROVED,
        DecisionStatus.PARTIALLY_APPROVED,
        DecisionStatus.MODIFIED,
    )
    for index in range(len(auth.reviews) - 1, -1, -1):
        review = auth.reviews[index]
        if review.outcome in grants:
            return index, review.decided_on
    return None


def authorization_view(auth: Authorization, as_of: date) -> AuthorizationView:
    """What ``auth`` says on ``as_of`` (the document date), ready for the concurrent review."""
    from ..authorization import AuthorizationStatus, units_remaining, units_used

    through = _usage_through(auth, as_of)
    unit_type = auth.unit_type
    latest = _latest_grant(auth)
    partial = auth.status is AuthorizationStatus.PARTIALLY_APPROVED
    # What was asked is known for the grant only while no newer request replaced it.
    asked = (
        auth.requested_units if latest is not None and latest[0] == len(auth.reviews) - 1 else None
    )
    if asked is not None and auth.authorized_units is not None and auth.authorized_units < asked:
        partial = True
    decided = latest[1] if latest is not None else None
    if latest is None:
        decision = "No approval is on record yet"
    elif partial:
        decision = "Approved in part" + (f" on {long_date(decided)}" if decided else "")
    else:
        decision = "Approved" + (f" on {long_date(decided)}" if decided else "")
    period = _period(auth.authorized_start, auth.authorized_end)
    units = None if auth.authorized_units is None else _units(auth.authorized_units, unit_type)
    requested = None
    # more authorized than the latest request asked is an extension adding to earlier grants,
    # not a partial approval: the request is named only when the payer granted less
    if asked is not None and auth.authorized_units is not None and asked > auth.authorized_units:
        requested = _units(asked, unit_type)
    grant = _grant_sentence(
        auth, partial=partial, period=period, units=units, requested=requested, asked=asked
    )
    used = units_used(through)
    left = units_remaining(through) or 0
    used_words = None
    usage = None
    if auth.authorized_units is not None:
        used_words = f"{_units(used, unit_type)} used, {left} remaining"
        noun = _units(auth.authorized_units, unit_type).split(" ", 1)[1]
        usage = (
            f"Through {long_date(as_of)}, {used} of the {auth.authorized_units} {noun} "
            f"authorized {'has' if used == 1 else 'have'} been used and {left} "
            f"{'remains' if left == 1 else 'remain'}."
        )
    return AuthorizationView(
        number=auth.authorization_number,
        decision=decision,
        partial=partial,
        period=period,
        units=units,
        requested=requested,
        used=used_words,
        grant=grant,
        usage=usage,
        attendance=_attendance(through, as_of),
    )


def _grant_sentence(
    auth: Authorization,
    *,
    partial: bool,
    period: str | None,
    units: str | None,
    requested: str | None,
    asked: int | None,
) -> str:
    number = auth.authorization_number
    who = f"Under authorization {number}, the" if number else "The"
    if units is None and period is None:
        return f"{who} plan has not yet approved any dates or units for this stay."
    if partial and requested is not None and auth.authorized_units is not None and asked:
        what = f"approved {auth.authorized_units} of the {requested} requested (a partial approval)"
    elif partial:
        what = f"approved {units or 'care'} in part (a partial approval)"
    else:
        what = f"approved {units or 'care'}"
    when = f", {period}" if period else ""
    return f"{who} plan {what}{when}."


def _attendance(auth: Authorization, as_of: date) -> str | None:
    """Days attended under the authorization through ``as_of``, against the schedule."""
    from ..authorization import usage_outside_window

    outside = set(usage_outside_window(auth))
    days = sorted({u.day for u in auth.usage if u not in outside})
    if not days:
        return None
    count = len(days)
    start = auth.authorized_start or days[0]
    end = as_of if auth.authorized_end is None else min(as_of, auth.authorized_end)
    scheduled = _scheduled_days(auth, start, end)
    if scheduled:
        share = round(100 * min(count, scheduled) / scheduled)
        head = f"Attended {count} of {_units(scheduled, UnitType.PER_DIEM)} scheduled ({share}%)"
    else:
        head = f"Attended {_units(count, UnitType.PER_DIEM)}"
    return (
        f"{head} from {long_date(start)} through {long_date(end)} under the current "
        f"authorization, most recently on {long_date(days[-1])}."
    )


def _scheduled_days(auth: Authorization, start: date, end: date) -> int | None:
    """Program days the schedule's weekdays give from ``start`` to ``end`` (exact weekdays only).

    A schedule given only as days per week names no weekdays, so no count is claimed for it.
    """
    from ..model import Weekday

    schedule = auth.schedule
    if schedule is None or not schedule.sessions or end < start:
        return None
    weekdays = {tuple(Weekday).index(s.day) for s in schedule.sessions}
    days = (end - start).days + 1
    return sum(1 for n in range(days) if (start + timedelta(days=n)).weekday() in weekdays)


# --- the appeal ----------------------------------------------------------------------------


def appealed_decision(auth: Authorization) -> Decision | None:
    """The latest denial or partial approval in ``auth``'s reviews, as a :class:`Decision`.

    A review recorded without the payer's decision (a denial typed from a letter) gives a
    decision holding its date and reference only.
    """
    from ..authorization import Decision

    for review in reversed(auth.reviews):
        if review.outcome is None or review.outcome.value not in _APPEALABLE:
            continue
        if review.decision is not None:
            return review.decision
        return Decision(
            status=review.outcome,
            decided_on=review.decided_on,
            authorization_number=review.reference or auth.authorization_number,
        )
    return None


def decision_view(case: Case, decision: Decision | None) -> DecisionView | None:
    """The decision an appeal of ``case`` answers: ``decision`` over the case's denial."""
    denial = case.request.denial
    if decision is None:
        if denial is None:
            return None
        return DecisionView(
            decided_on=denial.decided_on,
            reference=denial.reference,
            reasons=(denial.stated_reason,) if denial.stated_reason else (),
            reason_codes=(),
            items=(),
            partial=False,
            approved=None,
            from_payer=False,
        )
    reasons: tuple[str, ...] = ()
    if decision.reason_text:
        reasons = (decision.reason_text,)
    elif denial is not None and denial.stated_reason:
        reasons = (denial.stated_reason,)
    partial = decision.status.value == "partially_approved"
    approved = None
    if partial:
        units = (
            None
            if decision.authorized_units is None
            else _units(decision.authorized_units, case.request.unit_type)
        )
        period = _period(decision.authorized_start, decision.authorized_end)
        approved = " ".join(p for p in (units, period) if p) or None
    return DecisionView(
        decided_on=decision.decided_on or (denial.decided_on if denial else None),
        # a denial's number is the payer's reference, not an authorization (issue 23)
        reference=_decision_number(decision)
        or decision.reference_number
        or (denial.reference if denial else None),
        reasons=reasons,
        reason_codes=tuple(dict.fromkeys(decision.reason_codes)),
        items=tuple(
            line
            for item in decision.items
            if (line := _item_sentence(item, case.request.unit_type)) is not None
        ),
        partial=partial,
        approved=approved,
        from_payer=True,
    )


def _item_sentence(item: DecisionItem, unit_type: UnitType) -> str | None:
    """One denied or partly approved service line in words; ``None`` for an approved one."""
    status = None if item.status is None else item.status.value
    if status not in _APPEALABLE:
        return None
    code = item.service_code or item.revenue_code
    name = f"Service line {item.sequence}" if item.sequence else "A service line"
    if code:
        label = service_label(code)
        name += f", {code}" + (f" ({label})" if label else "")
    if status == "denied":
        what = "not approved"
    else:
        units = None if item.authorized_units is None else _units(item.authorized_units, unit_type)
        period = _period(item.authorized_start, item.authorized_end)
        granted = " ".join(p for p in (units, period) if p)
        what = f"approved in part ({granted})" if granted else "approved in part"
    codes = f"; reason codes given: {', '.join(item.reason_codes)}" if item.reason_codes else ""
    return f"{name}: {what}{codes}."
