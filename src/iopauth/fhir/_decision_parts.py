"""The parts of a PAS ClaimResponse the decision reader takes apart (see :mod:`._decision`).

Every url and shape below is the IG's (HL7/davinci-pas 46be73e4, ``input/fsh/ClaimResponse.fsh``;
the rules as data in ``data/pas-profiles.json``). The IG's own examples, translated in
``tests/data/pas-ig/examples``, are the test of each reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from attrs import frozen

from ..authorization.decision import (
    DecisionError,
    DecisionItem,
    DecisionReason,
    DecisionStatus,
    status_for_review_action,
)
from . import _systems as cs
from ._bundle import codings, day, items, obj, text

__all__ = [
    "GRANTS",
    "Lookup",
    "Review",
    "decision_item",
    "errors_of",
    "extensions",
    "review_of",
]

# ClaimResponse.fsh:135 "ReviewActionCode named code": the slice is a standalone extension, so
# its url on the wire is the canonical one; number, reasonCode and secondSurgicalOpinionFlag
# are inline sub-extensions whose url is the slice name (ClaimResponse.fsh:135-142).
REVIEW_ACTION = cs.PAS + "extension-reviewAction"
REVIEW_ACTION_CODE = cs.PAS + "extension-reviewActionCode"
# The reference implementation's response-level form (interop.md §3, GrantedResponse.json).
_RI_REASON = cs.PAS + "extension-reviewActionReason"
_AUTHORIZED_DETAIL = cs.PAS + "extension-itemAuthorizedDetail"  # ClaimResponse.fsh:246
_AUTHORIZED_PROVIDER = cs.PAS + "extension-itemAuthorizedProvider"  # ClaimResponse.fsh:276
_PROVIDER_TYPE = cs.PAS + "extension-authorizedProviderType"
_ITEM_PERIOD = cs.PAS + "extension-itemPreAuthPeriod"  # ClaimResponse.fsh:193
_ISSUE_DATE = cs.PAS + "extension-itemPreAuthIssueDate"  # ClaimResponse.fsh:171
_ADMIN_REFERENCE = cs.PAS + "extension-administrationReferenceNumber"  # Claim-update.fsh:97
_AUTHORIZATION_NUMBER = cs.PAS + "extension-authorizationNumber"  # Claim-update.fsh:81
_REVENUE = cs.PAS + "extension-revenueCode"
_ERROR_ELEMENT = cs.PAS + "extension-errorElement"  # ClaimResponse.fsh:214
_ERROR_PATH = cs.PAS + "extension-errorPath"  # ClaimResponse.fsh:229
_ERROR_FOLLOWUP = cs.PAS + "extension-errorFollowupAction"  # ClaimResponse.fsh:237

#: What a payer grants: a ``number`` with one of these is an authorization number.
GRANTS = frozenset(
    {DecisionStatus.APPROVED, DecisionStatus.PARTIALLY_APPROVED, DecisionStatus.MODIFIED}
)

#: Said once in ``Decision.notes`` when a reviewAction's code sits under the bare url "code".
BARE_CODE_NOTE = (
    "a review action names its code under the url 'code', not the IG's canonical "
    "extension-reviewActionCode url (ClaimResponse.fsh:135); that code was not read"
)


@frozen
class Review:
    """What one reviewAction extension says."""

    code: str | None
    number: str | None
    reasons: tuple[DecisionReason, ...]
    bare_code: bool = False


_NO_REVIEW = Review(None, None, ())


class Lookup:
    """A response Bundle's entries by ``fullUrl``, ``Type/id`` and a fullUrl's last two parts.

    Unlike the request reader's index it records no problem: a response may point outside
    itself (PROVENANCE.md oddity 5; a communicationRequest on the payer's server).
    """

    def __init__(self, bundle: dict[str, Any] | None) -> None:
        """Index ``bundle`` (``None``: a ClaimResponse alone, nothing to look up)."""
        self._by_key: dict[str, dict[str, Any]] = {}
        for entry in items(bundle, "entry"):
            resource = obj(entry, "resource")
            rtype, rid = text(resource, "resourceType"), text(resource, "id")
            if rtype is None:
                continue
            if rid is not None:
                self._by_key.setdefault(f"{rtype}/{rid}", resource)
            if (full := text(entry, "fullUrl")) is not None:
                self._by_key.setdefault(full, resource)
                if "/" in full and not full.startswith("urn:"):
                    tail = "/".join(full.rstrip("/").split("/")[-2:])
                    self._by_key.setdefault(tail, resource)

    def get(self, ref: object, rtype: str) -> dict[str, Any] | None:
        """The resource of type ``rtype`` a Reference points to, when it is in the Bundle."""
        target = text(ref, "reference")
        found = self._by_key.get(target) if target is not None else None
        return found if found is not None and found.get("resourceType") == rtype else None


def extensions(node: object, url: str) -> Iterator[dict[str, Any]]:
    """The extensions of ``node`` with this url."""
    for ext in items(node, "extension"):
        if isinstance(ext, dict) and ext.get("url") == url:
            yield ext


def _reason(concept: dict[str, Any]) -> DecisionReason | None:
    words = text(concept, "text")
    for coding in codings(concept):
        if (code := text(coding, "code")) is not None:
            return DecisionReason(
                code=code.strip(),
                system=text(coding, "system"),
                text=words or text(coding, "display"),
            )
    return None


def _code(concept: dict[str, Any]) -> str | None:
    """The X12 306 code of a review action, else the first code (kept, maybe as unknown)."""
    chosen = None
    for coding in codings(concept):
        code = text(coding, "code")
        if code is not None and (chosen is None or coding.get("system") == cs.X12_REVIEW_ACTION):
            chosen = code.strip()
            if coding.get("system") == cs.X12_REVIEW_ACTION:
                break
    return chosen


def review_of(node: object) -> Review:
    """The review action on ``node`` (an adjudication, an item or the ClaimResponse)."""
    bare = False
    for ext in extensions(node, REVIEW_ACTION):
        if (value := text(ext, "valueString")) is not None:  # the RI's response-level form
            reasons = tuple(
                DecisionReason(code=r.strip())
                for e in extensions(node, _RI_REASON)
                if (r := text(e, "valueString"))
            )
            return Review(value.strip(), None, reasons)
        code = next(
            (
                c
                for sub in extensions(ext, REVIEW_ACTION_CODE)
                if (c := _code(obj(sub, "valueCodeableConcept")))
            ),
            None,
        )
        # The bare slice name is how our own old fixtures wrote it (issue 23): not the IG's
        # wire form, so not read as the code; the decision says so in its notes.
        bare = bare or any(True for _ in extensions(ext, "code"))
        # number is a string (ClaimResponse.fsh:137); an earlier version typed it integer
        number = next(
            (
                str(v).strip()
                for s in extensions(ext, "number")
                if (v := s.get("valueString") or s.get("valueInteger")) is not None
                and str(v).strip()
            ),
            None,
        )
        reasons = tuple(
            found
            for s in extensions(ext, "reasonCode")
            if (found := _reason(obj(s, "valueCodeableConcept"))) is not None
        )
        if code is not None or number is not None or reasons:
            return Review(code, number, reasons, bare)
    return Review(None, None, (), bare) if bare else _NO_REVIEW


def item_review(item: dict[str, Any]) -> Review:
    """An item's review action: on its adjudications (PAS 2.x), else on the item (earlier)."""
    bare = False
    first: Review | None = None  # a number or reasons without a readable code are kept
    for adjudication in items(item, "adjudication"):
        found = review_of(adjudication)
        bare = bare or found.bare_code
        if found.code is not None:
            return found
        if first is None and (found.number is not None or found.reasons):
            first = found
    on_item = review_of(item)
    if on_item.code is None and first is not None:
        on_item = first
    return Review(on_item.code, on_item.number, on_item.reasons, bare or on_item.bare_code)


def _value_string(node: object, url: str) -> str | None:
    return next((v.strip() for e in extensions(node, url) if (v := text(e, "valueString"))), None)


def _period(node: object) -> tuple[date | None, date | None]:
    for ext in extensions(node, _ITEM_PERIOD):
        period = obj(ext, "valuePeriod")
        return as_date(day(period.get("start"))), as_date(day(period.get("end")))
    return None, None


def _first_code(node: object, key: str) -> str | None:
    return next((c.strip() for x in codings(obj(node, key)) if (c := text(x, "code"))), None)


@frozen
class _Detail:
    service: str | None = None
    revenue: str | None = None
    units: int | None = None
    modifiers: tuple[str, ...] = ()
    price: float | None = None
    currency: str | None = None


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _detail(item: dict[str, Any]) -> _Detail:
    """``authorizedItemDetail`` (ClaimResponse.fsh:246-252): what was authorized instead."""
    service = revenue = currency = None
    units: int | None = None
    price: float | None = None
    modifiers: list[str] = []
    for detail in extensions(item, _AUTHORIZED_DETAIL):
        for sub in items(detail, "extension"):
            url = sub.get("url") if isinstance(sub, dict) else None
            if url == "productOrServiceCode":
                service = _first_code(sub, "valueCodeableConcept")
            elif url in ("revenue", _REVENUE):  # the slice's url is extension-revenueCode
                revenue = _first_code(sub, "valueCodeableConcept")
            elif url == "modifier" and (m := _first_code(sub, "valueCodeableConcept")):
                modifiers.append(m)
            elif url == "quantity":
                quantity = _number(obj(sub, "valueQuantity").get("value"))
                units = int(quantity) if quantity is not None else units
            elif url == "unitPrice":
                money = obj(sub, "valueMoney")
                price, currency = _number(money.get("value")), text(money, "currency")
    return _Detail(service, revenue, units, tuple(modifiers), price, currency)


def _provider(item: dict[str, Any]) -> tuple[str | None, str | None]:
    """``authorizedProvider`` (ClaimResponse.fsh:276-284): the reference and the X12 type."""
    for ext in extensions(item, _AUTHORIZED_PROVIDER):
        ref = next(
            (
                r
                for s in extensions(ext, "provider")
                if (r := text(obj(s, "valueReference"), "reference"))
            ),
            None,
        )
        kind = next(
            (
                c
                for s in extensions(ext, _PROVIDER_TYPE)
                if (c := _first_code(s, "valueCodeableConcept"))
            ),
            None,
        )
        return ref, kind
    return None, None


def decision_item(
    item: dict[str, Any], unknown: list[str], notes: list[str], *, added: bool
) -> DecisionItem:
    """One adjudicated line (``item`` or, with ``added``, ``addItem``) as a DecisionItem."""
    review = item_review(item)
    if review.bare_code and BARE_CODE_NOTE not in notes:
        notes.append(BARE_CODE_NOTE)
    status = status_for_review_action(review.code) if review.code else None
    if review.code and status is None:
        unknown.append(review.code)
    granted = status in GRANTS
    admin = _value_string(item, _ADMIN_REFERENCE)
    number = review.number or (_value_string(item, _AUTHORIZATION_NUMBER) if granted else None)
    start, end = _period(item)
    detail = _detail(item)
    provider, provider_type = _provider(item)
    service = detail.service
    if service is None and added:  # an addItem names the service it adds
        service = _first_code(item, "productOrService")
    revenue = detail.revenue or (_first_code(item, "revenue") if added else None)
    sequence = item.get("itemSequence")
    if isinstance(sequence, list):  # addItem.itemSequence lists the items it replaces
        sequence = sequence[0] if sequence else None
    issued = next((as_date(day(e.get("valueDate"))) for e in extensions(item, _ISSUE_DATE)), None)
    return DecisionItem(
        sequence=sequence if isinstance(sequence, int) and not isinstance(sequence, bool) else None,
        service_code=service,
        revenue_code=revenue,
        status=status,
        review_action_code=review.code,
        authorization_number=number if granted else None,
        authorized_units=detail.units,
        authorized_start=start,
        authorized_end=end,
        reason_codes=tuple(dict.fromkeys(r.code for r in review.reasons)),
        reasons=review.reasons,
        reference_number=admin or (None if granted else number),
        issued_on=issued,
        authorized_provider=provider,
        authorized_provider_type=provider_type,
        authorized_modifiers=detail.modifiers,
        authorized_unit_price=detail.price,
        authorized_currency=detail.currency,
        added_by_payer=added,
    )


def errors_of(cr: dict[str, Any]) -> tuple[DecisionError, ...]:
    """``ClaimResponse.error`` with its PAS extensions (ClaimResponse.fsh:205-238)."""
    out = []
    for error in items(cr, "error"):
        concept = obj(error, "code")
        coding = next((c for c in codings(concept) if text(c, "code")), {})
        element = next(
            (
                v.strip()
                for e in extensions(error, _ERROR_ELEMENT)
                for s in extensions(e, "error")
                if (v := text(s, "valueString"))
            ),
            None,
        )
        followup = next(
            (
                c
                for e in extensions(error, _ERROR_FOLLOWUP)
                if (c := _first_code(e, "valueCodeableConcept"))
            ),
            None,
        )
        code = text(coding, "code")
        out.append(
            DecisionError(
                code=code.strip() if code else None,
                system=text(coding, "system"),
                element=element,
                path=_value_string(error, _ERROR_PATH),
                followup_action=followup,
            )
        )
    return tuple(out)


def as_date(value: str | None) -> date | None:
    """A ``YYYY-MM-DD`` string as a date; ``None`` when it is not one."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
