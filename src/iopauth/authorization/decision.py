"""A payer's decision on a prior-authorization request, as iopauth keeps it.

One ``Decision`` type is shared by everything that reads a payer's answer: the FHIR reader
(a Da Vinci PAS ``ClaimResponse``), a decision typed in by hand, and the authorization tracker
that applies it. The X12 278 review-action codes (HCR01) map to :class:`DecisionStatus` through
:data:`REVIEW_ACTION_STATUS`, kept as data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from attrs import field, frozen

from ..model import StrEnum

__all__ = [
    "REVIEW_ACTION_STATUS",
    "Decision",
    "DecisionItem",
    "DecisionStatus",
    "status_for_review_action",
]


class DecisionStatus(StrEnum):
    """What the payer decided, in iopauth's words."""

    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    DENIED = "denied"
    PENDED = "pended"
    MODIFIED = "modified"
    CANCELLED = "cancelled"
    CONTACT_PAYER = "contact_payer"
    NOT_REQUIRED = "not_required"


# X12 278 HCR01 review-action codes -> our status (interop.md §3). X12 owns and licenses the code
# list; the meanings come from a third-party page itself "pending verification".
#   A1 "certified in total": [verified] in a PAS example and the reference implementation's
#      fixtures (Granted).
#   A3 "not certified": [verified] paired with Denied in the reference implementation's fixtures.
#   A4 "pended": [verified] paired with Pending in the reference implementation's fixtures.
#   A2, A6, C, CT, NA: [unverified] until checked against the licensed TR3.
# A code not in this table is kept in ``Decision.unknown_codes`` by readers, never dropped.
REVIEW_ACTION_STATUS: Mapping[str, DecisionStatus] = MappingProxyType(
    {
        "A1": DecisionStatus.APPROVED,
        "A2": DecisionStatus.PARTIALLY_APPROVED,  # [unverified] certified, partial
        "A3": DecisionStatus.DENIED,
        "A4": DecisionStatus.PENDED,
        "A6": DecisionStatus.MODIFIED,  # [unverified] modified
        "C": DecisionStatus.CANCELLED,  # [unverified] cancelled
        "CT": DecisionStatus.CONTACT_PAYER,  # [unverified] contact payer
        "NA": DecisionStatus.NOT_REQUIRED,  # [unverified] no action required
    }
)


def status_for_review_action(code: str) -> DecisionStatus | None:
    """The status an X12 HCR01 review-action code stands for; ``None`` when the code is unknown.

    Surrounding blanks are ignored and letters may be lower case (``" a1"`` is ``A1``).
    """
    return REVIEW_ACTION_STATUS.get(code.strip().upper())


def _redacted(value: object) -> str:
    """Repr of a field that may hold the payer's words about the patient."""
    if value is None or value == ():
        return repr(value)
    return "<redacted>"


@frozen(kw_only=True)
class DecisionItem:
    """One adjudicated service line of a decision."""

    sequence: int | None = None
    service_code: str | None = None
    revenue_code: str | None = None
    status: DecisionStatus | None = None
    #: The X12 HCR01 code as received ("A1", "A2", ...), unknown codes included.
    review_action_code: str | None = None
    authorization_number: str | None = None
    authorized_units: int | None = None
    authorized_start: date | None = None
    authorized_end: date | None = None
    reason_codes: tuple[str, ...] = ()


@frozen(kw_only=True)
class Decision:
    """A payer's decision on a request: status, what was authorized, and why.

    ``reason_text`` holds the payer's own words and ``information_requested`` what it asked for
    (a PAS ``communicationRequest``); either may mention the patient, so both are redacted in the
    ``repr``. ``unknown_codes`` keeps any code the reader did not recognise, so it can be
    reported instead of silently dropped.
    """

    status: DecisionStatus
    decided_on: date | None = None
    authorization_number: str | None = None
    authorized_start: date | None = None
    authorized_end: date | None = None
    authorized_units: int | None = None
    reason_codes: tuple[str, ...] = ()
    reason_text: str | None = field(default=None, repr=_redacted)
    information_requested: tuple[str, ...] = field(default=(), repr=_redacted)
    unknown_codes: tuple[str, ...] = ()
    items: tuple[DecisionItem, ...] = ()
    response_id: str | None = None
