"""What the patient summary says about the payer's record and about a crisis line.

The summary is for the patient (and a minor's guardian), so it says in plain words where the
request stands: what the payer approved (dates and amount), approved in part or refused, and
what happens next. It reads, in this order, the payer's :class:`~iopauth.authorization.Decision`
given to ``render``, then the :class:`~iopauth.authorization.Authorization`, then the case's
recorded denial; only with none of them does it say the plan has not decided yet.

The words are in the template (``patient-summary.html.j2``), each sentence a whole message for
the catalogs; this module only picks the facts. No wording here is shown to anyone.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from attrs import frozen

from ..model import Case, IdeationLevel, Instrument, RequestKind

if TYPE_CHECKING:
    from ..authorization import Authorization, Decision

__all__ = ["PayerRecord", "check_summary_decision", "crisis_line", "payer_record"]

# 0-based index of PHQ-9 item 9 ("thoughts that you would be better off dead, or of hurting
# yourself"); the C-SSRS screener's first six items are its questions (the seventh is "within
# the past 3 months"), measures.md.
_PHQ9_ITEM_9 = 8
_CSSRS_QUESTIONS = 6


@frozen(kw_only=True)
class PayerRecord:
    """Where the payer's answer stands, for the summary.

    ``state``: ``approved``, ``partial`` (approved in part), ``denied``, ``pended`` (the payer
    asked for more information) or ``pending`` (no answer on record). ``decided_on``,
    ``start``, ``end`` and ``units`` are what the payer's record gives (``None`` when silent);
    ``unit_type`` is ``per_diem``, ``hour`` or ``session``. ``asked_more`` says that after the
    approval a request for more care was sent and is not answered yet (the authorization's
    latest review awaits a decision, or the case's continued-stay request starts after the
    approved dates end); the summary then states the case's request period. ``appeal`` says the
    request now is an appeal of a refusal.
    """

    state: str
    decided_on: date | None = None
    start: date | None = None
    end: date | None = None
    units: int | None = None
    unit_type: str = "per_diem"
    number: str | None = None
    asked_more: bool = False
    appeal: bool = False


_STATES = {
    "approved": "approved",
    "modified": "approved",
    "partially_approved": "partial",
    "denied": "denied",
    "pended": "pended",
    "expired": "approved",
    "exhausted": "approved",
}


def payer_record(
    case: Case, authorization: Authorization | None, decision: Decision | None
) -> PayerRecord:
    """The payer's answer as the summary states it (see the module docstring for the order)."""
    appeal = case.request.kind is RequestKind.APPEAL
    unit_type = case.request.unit_type.value
    if decision is not None:
        state = _STATES.get(decision.status.value, "pending")
        granted = state in ("approved", "partial")
        return PayerRecord(
            state=state,
            decided_on=decision.decided_on,
            start=decision.authorized_start,
            end=decision.authorized_end,
            units=decision.authorized_units,
            unit_type=unit_type,
            number=decision.authorization_number or case.request.authorization_number,
            asked_more=granted and _asks_beyond(case, decision.authorized_end),
            appeal=appeal and state in ("denied", "partial"),
        )
    if authorization is not None:
        record = _from_authorization(case, authorization, appeal)
        if record is not None:
            return record
    denial = case.request.denial
    if denial is not None:
        return PayerRecord(
            state="denied", decided_on=denial.decided_on, unit_type=unit_type, appeal=appeal
        )
    return PayerRecord(state="pending", unit_type=unit_type)


def _from_authorization(case: Case, auth: Authorization, appeal: bool) -> PayerRecord | None:
    """The authorization's latest decided review, or ``None`` when it records no answer."""
    decided = [r for r in auth.reviews if r.outcome is not None]
    status = auth.status.value
    state = _STATES.get(status)
    if state is None and decided:
        state = _STATES.get(decided[-1].outcome.value if decided[-1].outcome else "")
    if state is None:
        return None
    last = auth.reviews[-1] if auth.reviews else None
    granted = state in ("approved", "partial")
    return PayerRecord(
        state=state,
        decided_on=decided[-1].decided_on if decided else None,
        start=auth.authorized_start if granted else None,
        end=auth.authorized_end if granted else None,
        units=auth.authorized_units if granted else None,
        unit_type=auth.unit_type.value,
        number=auth.authorization_number,
        asked_more=granted
        and (
            (last is not None and last.awaiting_decision) or _asks_beyond(case, auth.authorized_end)
        ),
        appeal=appeal and state in ("denied", "partial"),
    )


def _asks_beyond(case: Case, authorized_end: date | None) -> bool:
    """The case asks to continue past the approval on record (a continued-stay request whose
    period starts after the approved dates end): that request is not answered yet."""
    continuing = case.request.kind in (RequestKind.CONCURRENT, RequestKind.EXTENSION)
    return continuing and authorized_end is not None and case.request.period.start > authorized_end


def crisis_line(case: Case) -> bool:
    """Whether the summary gives the 988 Suicide & Crisis Lifeline.

    Yes when the case records suicidal ideation (passive or active), a suicide plan or intent,
    a PHQ-9 item 9 answered above zero, or a C-SSRS screener with any of its six questions
    answered yes (the Columbia triage guidance refers every positive screen to crisis lines,
    clinical-thresholds.md §6). A PHQ-9 recorded as a total only cannot show item 9.
    """
    risk = case.risk
    if risk is not None and (
        risk.suicidal_ideation in (IdeationLevel.PASSIVE, IdeationLevel.ACTIVE)
        or risk.suicide_plan
        or risk.suicide_intent
    ):
        return True
    for given in case.measures:
        items = given.items
        if items is None:
            continue
        phq9 = given.instrument is Instrument.PHQ9 and len(items) > _PHQ9_ITEM_9
        if phq9 and items[_PHQ9_ITEM_9] > 0:
            return True
        if given.instrument is Instrument.CSSRS_SCREENER and any(items[:_CSSRS_QUESTIONS]):
            return True
    return False


def check_summary_decision(case: Case, decision: Decision) -> None:
    """Refuse a decision that is not this case's (another authorization number).

    Unlike an appeal, the summary reports any answer, an approval included.
    """
    from ..authorization import Decision
    from ..errors import RenderError

    if not isinstance(decision, Decision):
        raise RenderError("decision: must be an iopauth.authorization.Decision")
    number = case.request.authorization_number
    theirs = decision.authorization_number or next(
        (i.authorization_number for i in decision.items if i.authorization_number), None
    )
    if number and theirs and number != theirs:
        raise RenderError(
            "decision.authorization_number: does not match the case's "
            "$.request.authorization_number"
        )
