"""Changing an authorization over time: new requests, payer decisions and usage.

Every function returns a new record and reads no clock: a date is always an argument. What
the record says on a date (units used and left, status, the day units run out) is
:mod:`iopauth.authorization.units`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from ..errors import InvalidAuthorizationError
from ..model import Case, RequestKind, UnitType, Urgency
from .decision import Decision, DecisionStatus
from .model import Authorization, AuthorizationStatus, Review, ReviewType, Usage
from .units import check_date

__all__ = [
    "add_request",
    "apply_decision",
    "from_case",
    "record_usage",
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
