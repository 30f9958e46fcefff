"""The authorization record: what was asked, what the payer granted, reviews and usage.

Everything here is a frozen attrs record like the case model, and every change returns a new
record (:mod:`iopauth.authorization.track`). ``repr`` hides the values: a decision's text may
mention the patient.
"""

from __future__ import annotations

from datetime import date

from attrs import frozen

from ..model import LevelOfCare, PlanType, Schedule, StrEnum, UnitType, Urgency
from ..model._base import Redacted
from .decision import Decision, DecisionStatus

__all__ = [
    "Authorization",
    "AuthorizationStatus",
    "CareManager",
    "Review",
    "ReviewType",
    "Usage",
]


class AuthorizationStatus(StrEnum):
    """Where an authorization stands (tracking.md §1: Kipu's and Ensora's statuses merged).

    ``expired`` and ``exhausted`` are never stored: :func:`~iopauth.authorization.status_on`
    derives them for a date from the authorized window and the units used.
    """

    PENDING = "pending"
    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    DENIED = "denied"
    PENDED = "pended"
    CONTACT_PAYER = "contact_payer"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    CANCELLED = "cancelled"
    NOT_REQUIRED = "not_required"


class ReviewType(StrEnum):
    """Kinds of utilization review (tracking.md §1, Kipu); an appeal's urgency is on the review."""

    INITIAL = "initial"
    CONCURRENT = "concurrent"
    PEER_TO_PEER = "peer_to_peer"
    APPEAL = "appeal"


@frozen(kw_only=True, repr=False)
class CareManager(Redacted):
    """The payer's care manager for this authorization."""

    name: str | None = None
    phone: str | None = None
    fax: str | None = None


@frozen(kw_only=True, repr=False)
class Review(Redacted):
    """One review: asked on ``requested_on``; decided when ``outcome`` is set.

    A review whose outcome is ``None`` or ``pended`` still waits for the payer's decision.
    ``decision`` is the payer's decision it came from, when there is one.
    """

    kind: ReviewType
    requested_on: date
    urgency: Urgency = Urgency.STANDARD
    outcome: DecisionStatus | None = None
    decided_on: date | None = None
    reference: str | None = None
    decision: Decision | None = None

    @property
    def awaiting_decision(self) -> bool:
        """The payer has not decided yet (no outcome, or pended for information)."""
        return self.outcome is None or self.outcome is DecisionStatus.PENDED


@frozen(kw_only=True, repr=False)
class Usage(Redacted):
    """Units used on one date: a program day, hours or sessions attended."""

    day: date
    units: int = 1


@frozen(kw_only=True, repr=False)
class Authorization(Redacted):
    """One prior authorization followed over time.

    The requested and the authorized units and dates are kept apart: payers often approve less
    than asked. ``case_id`` (the caller's opaque reference, never a record number) and the
    payer's ``authorization_number`` name the record in alerts; no patient name is held.
    ``schedule`` is the plan's weekly schedule, used to project when units run out.
    ``review_lead_days`` is how many days before the last covered day the concurrent review is
    due (``None``: :data:`~iopauth.authorization.DEFAULT_REVIEW_LEAD_DAYS`);
    ``appeal_window_days`` how long the payer allows to appeal a denial (``None``: unknown).
    ``admission_date`` and ``certified_on`` (the latest physician certification or
    recertification) drive Medicare recertification dates.
    """

    case_id: str
    payer_name: str
    plan_type: PlanType
    level_of_care: LevelOfCare
    service_codes: tuple[str, ...] = ()
    unit_type: UnitType = UnitType.PER_DIEM
    authorization_number: str | None = None
    status: AuthorizationStatus = AuthorizationStatus.PENDING
    requested_units: int | None = None
    requested_start: date | None = None
    requested_end: date | None = None
    authorized_units: int | None = None
    authorized_start: date | None = None
    authorized_end: date | None = None
    admission_date: date | None = None
    certified_on: date | None = None
    schedule: Schedule | None = None
    review_lead_days: int | None = None
    appeal_window_days: int | None = None
    care_manager: CareManager | None = None
    reviews: tuple[Review, ...] = ()
    usage: tuple[Usage, ...] = ()

    @property
    def label(self) -> str:
        """How alerts name it: the authorization number (when known) and the case id."""
        number = self.authorization_number or "no auth number yet"
        return f"{number} (case {self.case_id})"
