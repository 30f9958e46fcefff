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
    "DecisionError",
    "DecisionItem",
    "DecisionReason",
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
class DecisionReason:
    """One reason the payer gave (a PAS ``reasonCode``, X12 HCR03), with its words when sent.

    ``text`` is the CodeableConcept's ``text`` or the coding's ``display``: the payer's words,
    redacted in the ``repr``.
    """

    code: str
    system: str | None = None
    text: str | None = field(default=None, repr=_redacted)


@frozen(kw_only=True)
class DecisionError:
    """One error the payer reported (a PAS ``ClaimResponse.error``, an X12 AAA segment).

    ``code`` is the reject reason (X12 element 901), ``element`` the X12 loop and element the
    error is about (``errorElement``, e.g. ``2010A-NM103``), ``path`` the FHIRPath of the element
    in the request (``errorPath``, PAS 2.x) and ``followup_action`` the X12 element 889 code.
    """

    code: str | None = None
    system: str | None = None
    element: str | None = None
    path: str | None = field(default=None, repr=_redacted)
    followup_action: str | None = None


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
    #: Every reason with its system and words (``reason_codes`` keeps the codes alone).
    reasons: tuple[DecisionReason, ...] = ()
    #: The payer's reference that is not an authorization: a denial's or a pended line's
    #: ``number``, or the ``administrationReferenceNumber``.
    reference_number: str | None = None
    #: ``preAuthIssueDate``: the day the authorization was issued.
    issued_on: date | None = None
    #: ``authorizedProvider``: the provider the authorization is for (a reference) and its
    #: X12 entity code (``providerType``, e.g. P3).
    authorized_provider: str | None = None
    authorized_provider_type: str | None = None
    #: From ``authorizedItemDetail``: the modifiers and the unit price authorized.
    authorized_modifiers: tuple[str, ...] = ()
    authorized_unit_price: float | None = None
    authorized_currency: str | None = None
    #: ``True`` for a line the payer added (``ClaimResponse.addItem``).
    added_by_payer: bool = False


@frozen(kw_only=True)
class Decision:
    """A payer's decision on a request: status, what was authorized, and why.

    ``reason_text`` holds the payer's own words and ``information_requested`` what it asked for
    (a PAS ``communicationRequest``); either may mention the patient, so both are redacted in the
    ``repr``. ``unknown_codes`` keeps any code the reader did not recognise, so it can be
    reported instead of silently dropped. ``authorization_number`` is set only when the payer
    granted something; the number on a denial or a pended answer is a ``reference_number``.
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
    #: Every reason with its system and words, the response's and every line's.
    reasons: tuple[DecisionReason, ...] = ()
    #: The payer's reference when it is not an authorization number: a denial's or a pended
    #: answer's ``preAuthRef`` or ``number``, or the ``administrationReferenceNumber``.
    reference_number: str | None = None
    #: The day the authorization was issued (``preAuthIssueDate`` of the first line with one).
    issued_on: date | None = None
    #: Errors the payer reported beside a decision (an ``outcome`` of ``partial``).
    errors: tuple[DecisionError, ...] = ()
    #: ``communicationRequest`` references not in the response (on the payer's server): fetch
    #: them to learn what information the payer asks for.
    information_request_references: tuple[str, ...] = ()
    #: What the reader noticed and could not use, in iopauth's words (never the payer's values).
    notes: tuple[str, ...] = ()
