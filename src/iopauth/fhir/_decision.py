"""A payer's PAS answer → :class:`~iopauth.authorization.Decision` (``decision_from_response``).

Reads a ClaimResponse, a response Bundle (``$submit``), a Parameters of Bundles (2.2.1
``$inquire``) or an OperationOutcome (raised as :class:`~iopauth.errors.FhirError`). The review
action is found in all three places interop.md §3 lists: the PAS 2.x item adjudication
extension, the earlier item extension, and the reference implementation's response-level
string extension. Codes iopauth does not know are kept in ``unknown_codes``, never dropped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from ..authorization.decision import (
    Decision,
    DecisionItem,
    DecisionStatus,
    status_for_review_action,
)
from ..errors import FhirError, outcome_lines
from . import _systems as cs
from ._bundle import Index, code_in, codings, day, items, obj, read_json, text

__all__ = ["decision_from_response"]

_REVIEW_ACTION = cs.PAS + "extension-reviewAction"
_REVIEW_ACTION_CODE = cs.PAS + "extension-reviewActionCode"
_REVIEW_REASON = cs.PAS + "extension-reviewActionReason"
# the PAS id is itemAuthorizedDetail; "authorizedItemDetail" (interop.md's name) is also read
_AUTHORIZED_DETAILS = (
    cs.PAS + "extension-itemAuthorizedDetail",
    cs.PAS + "extension-authorizedItemDetail",
)
_ITEM_PERIOD = cs.PAS + "extension-itemPreAuthPeriod"
_PREAUTH_PERIOD = cs.PAS + "extension-preAuthPeriod"
# The reference implementation's ``disposition`` words (prior-auth fixtures), used only when a
# response carries no review-action code at all.
_DISPOSITIONS = {
    "granted": DecisionStatus.APPROVED,
    "denied": DecisionStatus.DENIED,
    "pending": DecisionStatus.PENDED,
}


def decision_from_response(
    response: Mapping[str, Any] | str | bytes | os.PathLike[str],
) -> Decision:
    """The payer's decision in a PAS response (dict, JSON text, bytes or a file path).

    Raises :class:`~iopauth.errors.FhirError` for an OperationOutcome (one line per issue:
    severity, code and where), a response without a ClaimResponse, or a ClaimResponse whose
    ``outcome`` is ``error`` (its X12 error codes).
    """
    data = read_json(response, "response")
    claim_response, at, index = _find(data)
    return _decide(claim_response, at, index)


def _find(data: dict[str, Any]) -> tuple[dict[str, Any], str, Index | None]:
    rtype = data.get("resourceType")
    if rtype == "OperationOutcome":
        raise FhirError(_issues(data, "$"))
    if rtype == "ClaimResponse":
        return data, "$", None
    if rtype == "Parameters":
        for i, param in enumerate(items(data, "parameter")):
            resource = obj(param, "resource")
            if resource.get("resourceType") in ("Bundle", "ClaimResponse", "OperationOutcome"):
                try:
                    found, at, index = _find(resource)
                except FhirError as exc:
                    raise FhirError(
                        [f"$.parameter[{i}].resource{e[1:]}" for e in exc.errors]
                    ) from None
                return found, f"$.parameter[{i}].resource{at[1:]}", index
        raise FhirError(["$.parameter: holds no response Bundle or ClaimResponse"])
    if rtype != "Bundle":
        raise FhirError(
            ["$.resourceType: must be ClaimResponse, Bundle, Parameters or OperationOutcome"]
        )
    index = Index(data, strict=False)
    if index.errors:
        raise FhirError(index.errors)
    outcomes = index.of_type("OperationOutcome")
    responses = index.of_type("ClaimResponse")
    if not responses:
        if outcomes:
            raise FhirError(_issues(outcomes[0].resource, outcomes[0].path))
        raise FhirError(["$.entry: holds no ClaimResponse"])
    return responses[0].resource, responses[0].path, index


def _issues(outcome: dict[str, Any], at: str) -> list[str]:
    # codes only when they have their code system's shape; texts and literals never quoted
    return outcome_lines(outcome, at)


def _extensions(node: object, url: str) -> Iterator[dict[str, Any]]:
    for ext in items(node, "extension"):
        if isinstance(ext, dict) and ext.get("url") == url:
            yield ext


def _review(node: object) -> tuple[str | None, str | None, list[str]]:
    """The review action on ``node``: (code, authorization number, reason codes)."""
    for ext in _extensions(node, _REVIEW_ACTION):
        if text(ext, "valueString"):  # the RI's response-level string form
            reasons = [
                r for e in _extensions(node, _REVIEW_REASON) if (r := text(e, "valueString"))
            ]
            return str(ext["valueString"]).strip(), None, reasons
        code = None
        for sub in _extensions(ext, "code"):
            concept = obj(sub, "valueCodeableConcept")
            code = code_in(concept, cs.X12_REVIEW_ACTION) or next(
                (text(c, "code") for c in codings(concept)), None
            )
        # the auth number is a string in PAS 2.x; an earlier version typed it integer
        number = next(
            (
                str(v)
                for s in _extensions(ext, "number")
                if (v := s.get("valueString") or s.get("valueInteger"))
            ),
            None,
        )
        reasons = [
            c
            for s in _extensions(ext, "reasonCode")
            for c in (text(x, "code") for x in codings(obj(s, "valueCodeableConcept")))
            if c
        ]
        if code is not None:
            return code, number, reasons
    return None, None, []


def _item_review(item: dict[str, Any]) -> tuple[str | None, str | None, list[str]]:
    for adjudication in items(item, "adjudication"):
        found = _review(adjudication)
        if found[0] is not None:
            return found
    return _review(item)


def _period(node: object, *urls: str) -> tuple[str | None, str | None]:
    for url in urls:
        for ext in _extensions(node, url):
            period = obj(ext, "valuePeriod")
            return day(period.get("start")), day(period.get("end"))
    return None, None


def _decide(cr: dict[str, Any], at: str, index: Index | None) -> Decision:
    if cr.get("outcome") == "error":
        errors = [
            f"{at}.error[{i}]: the payer reports error {code}"
            for i, e in enumerate(items(cr, "error"))
            if (code := next((text(c, "code") for c in codings(obj(e, "code"))), None))
        ]
        raise FhirError(errors or [f"{at}.outcome: the payer reports an error"])
    unknown: list[str] = []
    decision_items = [
        _decision_item(item, unknown)
        for item in [*items(cr, "item"), *items(cr, "addItem")]
        if isinstance(item, dict)
    ]
    code, number, reasons = _review(cr)
    if code is None:
        for adjudication in items(cr, "adjudication"):
            code, number, reasons = _review(adjudication)
            if code is not None:
                break
    status = _status(cr, code, decision_items, unknown)
    start, end = (
        day(obj(cr, "preAuthPeriod").get("start")),
        day(obj(cr, "preAuthPeriod").get("end")),
    )
    if start is None and decision_items:
        start = _first(i.authorized_start for i in decision_items)
        end = _first(i.authorized_end for i in decision_items)
    units = [i.authorized_units for i in decision_items if i.authorized_units is not None]
    all_reasons = tuple(
        dict.fromkeys([*reasons, *(r for i in decision_items for r in i.reason_codes)])
    )
    return Decision(
        status=status,
        decided_on=_date(day(cr.get("created"))),
        authorization_number=text(cr, "preAuthRef")
        or number
        or _first(i.authorization_number for i in decision_items),
        authorized_start=_date(start) if isinstance(start, str) else start,
        authorized_end=_date(end) if isinstance(end, str) else end,
        authorized_units=sum(units) if units else None,
        reason_codes=all_reasons,
        reason_text=text(cr, "disposition"),
        information_requested=_requests(cr, at, index),
        unknown_codes=tuple(dict.fromkeys(unknown)),
        items=tuple(decision_items),
        response_id=text(cr, "id"),
    )


def _decision_item(item: dict[str, Any], unknown: list[str]) -> DecisionItem:
    code, number, reasons = _item_review(item)
    status = status_for_review_action(code) if code else None
    if code and status is None:
        unknown.append(code)
    start, end = _period(item, _ITEM_PERIOD, _PREAUTH_PERIOD)
    service, revenue, units = None, None, None
    details = [d for url in _AUTHORIZED_DETAILS for d in _extensions(item, url)]
    for detail in details:
        for sub in items(detail, "extension"):
            url = obj({"s": sub}, "s").get("url")
            if url == "productOrServiceCode":
                service = next(
                    (text(c, "code") for c in codings(obj(sub, "valueCodeableConcept"))), None
                )
            elif url == "revenue":
                revenue = next(
                    (text(c, "code") for c in codings(obj(sub, "valueCodeableConcept"))), None
                )
            elif url == "quantity":
                value = obj(sub, "valueQuantity").get("value")
                if isinstance(value, int | float) and not isinstance(value, bool):
                    units = int(value)
    if service is None:  # an addItem names the service it adds
        service = next((text(c, "code") for c in codings(obj(item, "productOrService"))), None)
    sequence = item.get("itemSequence")
    if isinstance(sequence, list):  # addItem.itemSequence lists the items it replaces
        sequence = sequence[0] if sequence else None
    return DecisionItem(
        sequence=sequence if isinstance(sequence, int) and not isinstance(sequence, bool) else None,
        service_code=service,
        revenue_code=revenue,
        status=status,
        review_action_code=code,
        authorization_number=number,
        authorized_units=units,
        authorized_start=_date(start),
        authorized_end=_date(end),
        reason_codes=tuple(reasons),
    )


def _status(  # noqa: PLR0911 -- one return per source of the status, in order of precedence
    cr: dict[str, Any], code: str | None, decided: list[DecisionItem], unknown: list[str]
) -> DecisionStatus:
    if cr.get("status") == "cancelled":
        return DecisionStatus.CANCELLED
    if code is not None:
        status = status_for_review_action(code)
        if status is not None:
            return status
        unknown.append(code)
    statuses = {i.status for i in decided if i.status is not None}
    if len(statuses) == 1:
        return statuses.pop()
    if DecisionStatus.PENDED in statuses:
        return DecisionStatus.PENDED
    granted = {DecisionStatus.APPROVED, DecisionStatus.PARTIALLY_APPROVED, DecisionStatus.MODIFIED}
    if statuses & granted and DecisionStatus.DENIED in statuses:
        return DecisionStatus.PARTIALLY_APPROVED
    if statuses:
        return sorted(statuses)[0]
    if cr.get("outcome") in ("queued", "partial"):
        return DecisionStatus.PENDED
    by_words = _DISPOSITIONS.get((text(cr, "disposition") or "").strip().lower())
    if by_words is not None:
        return by_words
    # nothing iopauth can read as a decision (or only unknown codes): a person must ask
    return DecisionStatus.CONTACT_PAYER


def _requests(cr: dict[str, Any], at: str, index: Index | None) -> tuple[str, ...]:
    out: list[str] = []
    for i, ref in enumerate(items(cr, "communicationRequest")):
        found = index.resolve(ref, f"{at}.communicationRequest[{i}]") if index else None
        if found is None:
            if (label := text(ref, "display")) is not None:
                out.append(label)
            continue
        for payload in items(found.resource, "payload"):
            words = text(payload, "contentString") or text(
                obj(payload, "contentCodeableConcept"), "text"
            )
            if words is None:
                words = next(
                    (
                        text(c, "display") or text(c, "code")
                        for c in codings(obj(payload, "contentCodeableConcept"))
                    ),
                    None,
                )
            if words is not None:
                out.append(words)
    if index is not None and index.errors:
        raise FhirError(index.errors)
    return tuple(out)


def _first(values: Iterator[Any] | Any) -> Any:
    return next((v for v in values if v is not None), None)


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
