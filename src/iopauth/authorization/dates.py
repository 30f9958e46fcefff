"""The dates that drive the work: review due, decision deadlines, appeal and recertification.

All of it is computed for an ``as_of`` date given by the caller, never from the clock. Dates
are the program's local calendar days; a deadline in hours is reported as the calendar day on
which it ends (72 hours from a request made on the 1st end on the 4th).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

from attrs import frozen

from ..model import LevelOfCare, PlanType, Urgency
from .decision import DecisionStatus
from .model import Authorization, AuthorizationStatus, Review, ReviewType
from .units import (
    check_date,
    projected_exhaustion,
    scheduled_exhaustion,
    status_on,
    units_remaining,
)

__all__ = [
    "DECISION_TIME_FRAMES",
    "DEFAULT_REVIEW_LEAD_DAYS",
    "CertificationSchedule",
    "DecisionDeadline",
    "KeyDates",
    "TimeFrame",
    "decision_deadline",
    "key_dates",
    "medicare_certification",
]

#: Days before the last covered day that the concurrent-review packet is due, unless the
#: authorization names its payer's lead time. Arizona Complete Health asks for it 3–5 days
#: before the last covered day (tracking.md §2, [verified]); we take the earlier end, 5, so a
#: packet prepared on our date is on time under that rule. No general standard was found.
DEFAULT_REVIEW_LEAD_DAYS = 5


@frozen(kw_only=True)
class TimeFrame:
    """How long a payer has to decide a prior-authorization request.

    ``effective_from``: requests made before it are not covered by this time frame.
    """

    standard_days: int
    expedited_hours: int
    source: str
    effective_from: date | None = None


_CMS_0057_F = TimeFrame(
    standard_days=7,
    expedited_hours=72,
    effective_from=date(2026, 1, 1),
    source="CMS-0057-F",
)

#: Decision time frames by plan type value or payer name (a payer name wins). CMS-0057-F covers
#: Medicare Advantage, Medicaid and CHIP (fee-for-service and managed care) [verified]
#: payer-criteria.md §6. It does not cover Traditional Medicare FFS, commercial/ERISA plans or
#: the federally facilitated exchanges' QHPs: their deadlines come from state law or the plan,
#: so they are absent here; extend with ``{**DECISION_TIME_FRAMES, "Acme Health": TimeFrame(...)}``.
DECISION_TIME_FRAMES: Mapping[str, TimeFrame] = MappingProxyType(
    {
        PlanType.MEDICARE_ADVANTAGE.value: _CMS_0057_F,
        PlanType.MEDICAID.value: _CMS_0057_F,
        PlanType.CHIP.value: _CMS_0057_F,
    }
)


@frozen(kw_only=True)
class DecisionDeadline:
    """When the payer must decide the open request; ``due`` is ``None`` when no rule is known."""

    requested_on: date
    urgency: Urgency
    due: date | None
    rule: str


def _time_frame(auth: Authorization, time_frames: Mapping[str, TimeFrame]) -> TimeFrame | None:
    by_name = {k.casefold(): v for k, v in time_frames.items()}
    return by_name.get(auth.payer_name.casefold()) or by_name.get(auth.plan_type.value)


def _awaiting(auth: Authorization) -> Review | None:
    last = auth.reviews[-1] if auth.reviews else None
    return last if last is not None and last.awaiting_decision else None


def deadline_for(
    auth: Authorization, review: Review, time_frames: Mapping[str, TimeFrame]
) -> DecisionDeadline:
    """The decision deadline that applies to one review of ``auth``."""
    frame = _time_frame(auth, time_frames)
    if frame is None:
        rule = f"no decision time frame known for {auth.plan_type.value} plans; add the payer's"
        return DecisionDeadline(
            requested_on=review.requested_on, urgency=review.urgency, due=None, rule=rule
        )
    if frame.effective_from is not None and review.requested_on < frame.effective_from:
        rule = f"requested before {frame.effective_from.isoformat()}: {frame.source} not in force"
        return DecisionDeadline(
            requested_on=review.requested_on, urgency=review.urgency, due=None, rule=rule
        )
    if review.urgency is Urgency.EXPEDITED:
        days = math.ceil(frame.expedited_hours / 24)
        rule = f"{frame.source}, expedited: {frame.expedited_hours} hours"
    else:
        days = frame.standard_days
        rule = f"{frame.source}, standard: {frame.standard_days} calendar days"
    return DecisionDeadline(
        requested_on=review.requested_on,
        urgency=review.urgency,
        due=review.requested_on + timedelta(days=days),
        rule=rule,
    )


def decision_deadline(
    auth: Authorization, time_frames: Mapping[str, TimeFrame] = DECISION_TIME_FRAMES
) -> DecisionDeadline | None:
    """The deadline for the request awaiting the payer's decision; ``None`` when none awaits."""
    review = _awaiting(auth)
    return None if review is None else deadline_for(auth, review, time_frames)


@frozen(kw_only=True)
class CertificationSchedule:
    """When Medicare wants the physician's recertification, counted from admission."""

    first_recert_day: int
    recert_interval_days: int
    verified: bool
    source: str


# PHP: day 18, then at least every 30 days [unverified, high] medicare-iop.md §5, 42 CFR 424.24(e).
_PHP = CertificationSchedule(
    first_recert_day=18,
    recert_interval_days=30,
    verified=False,
    source="42 CFR 424.24(e), medicare-iop.md §5 [unverified, high]",
)


@functools.cache
def medicare_certification(level: LevelOfCare) -> CertificationSchedule | None:
    """Medicare's recertification intervals for IOP or PHP; ``None`` for other levels.

    The IOP intervals are the ``medicare-iop`` criteria set's ``first_recert_day`` and
    ``recert_interval_days`` params ([unverified, MEDIUM]: verify eCFR 424.24(d)), so one
    place holds them and an update there updates both.
    """
    if level is LevelOfCare.PHP:
        return _PHP
    if level is not LevelOfCare.IOP:
        return None
    from ..criteria import get_criteria

    params = get_criteria("medicare-iop").params
    return CertificationSchedule(
        first_recert_day=int(params["first_recert_day"]),
        recert_interval_days=int(params["recert_interval_days"]),
        verified=False,
        source="42 CFR 424.24(d), medicare-iop.md §5 [unverified, MEDIUM: verify eCFR 424.24(d)]",
    )


def recertification_due(auth: Authorization) -> date | None:
    """Next Medicare (re)certification date for a Traditional Medicare IOP or PHP stay.

    No certification on file: due on admission. Certified on or before admission: the first
    recertification (admission + first day). Recertified since: that date + the interval.
    Medicare Advantage is left out: 42 CFR 424.24 is a Traditional Medicare payment condition
    and the domain reference does not say MA plans require it.
    """
    if auth.plan_type is not PlanType.MEDICARE or auth.admission_date is None:
        return None
    schedule = medicare_certification(auth.level_of_care)
    if schedule is None:
        return None
    if auth.certified_on is None:
        return auth.admission_date
    if auth.certified_on <= auth.admission_date:
        return auth.admission_date + timedelta(days=schedule.first_recert_day)
    return auth.certified_on + timedelta(days=schedule.recert_interval_days)


def appeal_due(auth: Authorization) -> tuple[Review | None, date | None]:
    """The denial still open to appeal and the last day to file (``None`` when unknown).

    A denial is open to appeal while it is the latest decided review and no appeal followed.
    """
    for review in reversed(auth.reviews):
        if review.kind is ReviewType.APPEAL and review.awaiting_decision:
            return None, None
        if review.outcome is None:
            continue
        if review.outcome is not DecisionStatus.DENIED or review.decided_on is None:
            return None, None
        if auth.appeal_window_days is None:
            return review, None
        return review, review.decided_on + timedelta(days=auth.appeal_window_days)
    return None, None


@frozen(kw_only=True)
class KeyDates:
    """What one authorization needs, and by when, on ``as_of``."""

    as_of: date
    status: AuthorizationStatus
    units_remaining: int | None
    projected_exhaustion: date | None
    last_covered_day: date | None
    review_due: date | None
    decision: DecisionDeadline | None
    decision_overdue: bool
    denied_on: date | None
    appeal_due: date | None
    recertification_due: date | None

    @property
    def appeal_deadline_unknown(self) -> bool:
        """A denial is open to appeal but the payer's filing window is not on record."""
        return self.denied_on is not None and self.appeal_due is None


def key_dates(
    auth: Authorization,
    as_of: date,
    *,
    time_frames: Mapping[str, TimeFrame] = DECISION_TIME_FRAMES,
) -> KeyDates:
    """The dates that drive the work on ``auth`` for ``as_of``.

    The last covered day is the end of the authorized window or, when the plan's schedule
    uses the units up earlier, the day they run out: the earlier of the schedule kept from the
    authorized start (:func:`scheduled_exhaustion`, fixed by the authorized period) and the
    recorded usage projected forward (:func:`projected_exhaustion`, earlier when more was used
    than scheduled). So a review due date never moves later because no usage was logged. The
    concurrent review is due the payer's lead time before it. A decision is overdue once
    ``as_of`` is past its due day.
    """
    check_date(as_of)
    exhaustion = projected_exhaustion(auth, as_of)
    scheduled = scheduled_exhaustion(auth)
    candidates = [d for d in (auth.authorized_end, exhaustion, scheduled) if d is not None]
    last_covered = min(candidates) if candidates else None
    lead = DEFAULT_REVIEW_LEAD_DAYS if auth.review_lead_days is None else auth.review_lead_days
    review_due = None if last_covered is None else last_covered - timedelta(days=lead)
    deadline = decision_deadline(auth, time_frames)
    denial, appeal = appeal_due(auth)
    return KeyDates(
        as_of=as_of,
        status=status_on(auth, as_of),
        units_remaining=units_remaining(auth),
        projected_exhaustion=exhaustion,
        last_covered_day=last_covered,
        review_due=review_due,
        decision=deadline,
        decision_overdue=deadline is not None and deadline.due is not None and as_of > deadline.due,
        denied_on=None if denial is None else denial.decided_on,
        appeal_due=appeal,
        recertification_due=recertification_due(auth),
    )


def decided_late(
    auth: Authorization,
    review: Review,
    time_frames: Mapping[str, TimeFrame] = DECISION_TIME_FRAMES,
) -> bool | None:
    """Whether the payer decided ``review`` after its deadline; ``None`` when it cannot tell."""
    if review.decided_on is None:
        return None
    due = deadline_for(auth, review, time_frames).due
    return None if due is None else review.decided_on > due
