"""A payer's PAS answer → :class:`~iopauth.authorization.Decision` (``decision_from_response``).

Reads a ClaimResponse, a response Bundle (``$submit``), a Parameters of Bundles (2.2.1
``$inquire``) or an OperationOutcome (raised as :class:`~iopauth.errors.FhirError`). The review
action is found in all three places interop.md §3 lists: the PAS 2.x adjudication extension (of
``item``, ``addItem`` and the ClaimResponse), the earlier item extension, and the reference
implementation's response-level string extension. In the PAS 2.x extension the code is the
sub-extension with the IG's canonical ``extension-reviewActionCode`` url (ClaimResponse.fsh:135);
a bare ``"code"`` url is not read, and the decision's notes say so. Codes iopauth does not know
are kept in ``unknown_codes``, never dropped. The readers of each part are in
:mod:`._decision_parts`; the IG's own examples (tests/data/pas-ig) are their tests.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..authorization.decision import (
    Decision,
    DecisionError,
    DecisionItem,
    DecisionStatus,
    status_for_review_action,
)
from ..errors import FhirError, outcome_lines
from ._bundle import Index, codings, day, items, obj, read_json, text
from ._decision_bounds import bounded
from ._decision_parts import (
    BARE_CODE_NOTE,
    GRANTS,
    Lookup,
    as_date,
    decision_item,
    errors_of,
    review_of,
)
from ._shapes import FHIR_PATH, X12_CODE, X12_ELEMENT, shown

__all__ = ["decision_from_response"]

_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'")
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

    Raises :class:`~iopauth.errors.FhirError` for an OperationOutcome (one line per issue,
    :func:`~iopauth.errors.outcome_lines`, as the payer clients word it: its FHIR codes, X12
    detail codes and masked paths, its text only counted), a response without a
    ClaimResponse, or a ClaimResponse whose ``outcome`` is ``error`` (its X12 error codes).
    """
    data = read_json(response, "response")
    claim_response, at, bundle = _find(data)
    return _decide(claim_response, at, bundle)


def _find(data: dict[str, Any]) -> tuple[dict[str, Any], str, dict[str, Any] | None]:
    rtype = data.get("resourceType")
    if rtype == "OperationOutcome":
        raise FhirError(outcome_lines(data, "$"))
    if rtype == "ClaimResponse":
        return data, "$", None
    if rtype == "Parameters":
        for i, param in enumerate(items(data, "parameter")):
            resource = obj(param, "resource")
            if resource.get("resourceType") in ("Bundle", "ClaimResponse", "OperationOutcome"):
                try:
                    found, at, bundle = _find(resource)
                except FhirError as exc:
                    raise FhirError(
                        [f"$.parameter[{i}].resource{e[1:]}" for e in exc.errors]
                    ) from None
                return found, f"$.parameter[{i}].resource{at[1:]}", bundle
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
            raise FhirError(outcome_lines(outcomes[0].resource, outcomes[0].path))
        raise FhirError(["$.entry: holds no ClaimResponse"])
    return responses[0].resource, responses[0].path, data


def _error_lines(errors: tuple[DecisionError, ...], at: str) -> list[str]:
    """The payer's errors as lines; a value is quoted only in its code system's shape."""
    lines = []
    for i, error in enumerate(errors):
        line = f"{at}.error[{i}]: the payer reports error " + shown(error.code, X12_CODE, "code")
        if error.element is not None:
            line += " at X12 element " + shown(error.element, X12_ELEMENT, "element")
        if error.path is not None:
            line += " at " + shown(_QUOTED.sub("'…'", error.path), FHIR_PATH, "path")
        if error.followup_action is not None:
            line += "; follow-up action " + shown(error.followup_action, X12_CODE, "code")
        lines.append(line)
    return lines


def _decide(cr: dict[str, Any], at: str, bundle: dict[str, Any] | None) -> Decision:
    errors = errors_of(cr)
    if cr.get("outcome") == "error":
        raise FhirError(_error_lines(errors, at) or [f"{at}.outcome: the payer reports an error"])
    unknown: list[str] = []
    notes: list[str] = []
    decision_items = [
        decision_item(item, unknown, notes, added=added)
        for key, added in (("item", False), ("addItem", True))
        for item in items(cr, key)
        if isinstance(item, dict)
    ]
    review = review_of(cr)
    if review.code is None:
        for adjudication in items(cr, "adjudication"):
            found = review_of(adjudication)
            if found.code is not None or found.bare_code:
                review = found
            if found.code is not None:
                break
    if review.bare_code and BARE_CODE_NOTE not in notes:
        notes.append(BARE_CODE_NOTE)
    lookup = Lookup(bundle)
    asked, elsewhere = _requests(cr, lookup)
    status = _status(cr, review.code, decision_items, unknown, asked or elsewhere)
    granted = status in GRANTS
    pre_auth = obj(cr, "preAuthPeriod")
    start, end = as_date(day(pre_auth.get("start"))), as_date(day(pre_auth.get("end")))
    if start is None and end is None and decision_items:
        start = _first(i.authorized_start for i in decision_items)
        end = _first(i.authorized_end for i in decision_items)
    units = [i.authorized_units for i in decision_items if i.authorized_units is not None]
    reasons = tuple(
        dict.fromkeys([*review.reasons, *(r for i in decision_items for r in i.reasons)])
    )
    pre_auth_ref = text(cr, "preAuthRef")
    number = pre_auth_ref or review.number
    if errors:
        notes.append(f"the payer reported {len(errors)} error(s) beside its decision")
    decision = Decision(
        status=status,
        decided_on=as_date(day(cr.get("created"))),
        authorization_number=(
            (number or _first(i.authorization_number for i in decision_items)) if granted else None
        ),
        authorized_start=start,
        authorized_end=end,
        authorized_units=sum(units) if units else None,
        reason_codes=tuple(dict.fromkeys(r.code for r in reasons)),
        reason_text=text(cr, "disposition"),
        information_requested=asked,
        unknown_codes=tuple(dict.fromkeys(unknown)),
        items=tuple(decision_items),
        response_id=text(cr, "id"),
        reasons=reasons,
        # a denial's or a pended answer's number is the payer's reference, not an authorization
        reference_number=(None if granted else number)
        or _first(i.reference_number for i in decision_items),
        issued_on=_first(i.issued_on for i in decision_items),
        errors=errors,
        information_request_references=elsewhere,
        notes=tuple(notes),
    )
    return bounded(decision)


def _status(  # noqa: PLR0911 -- one return per source of the status, in order of precedence
    cr: dict[str, Any],
    code: str | None,
    decided: list[DecisionItem],
    unknown: list[str],
    information_asked: tuple[str, ...],
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
    if statuses & GRANTS and DecisionStatus.DENIED in statuses:
        return DecisionStatus.PARTIALLY_APPROVED
    if statuses:
        return sorted(statuses)[0]
    if unknown:  # a review action iopauth cannot read: a person must ask, whatever else it says
        return DecisionStatus.CONTACT_PAYER
    # "queued" is the RI's and FHIR's; the PAS value set has complete|error|partial
    # (Terminology.fsh:219-225), and a payer asking for information has not decided yet
    if cr.get("outcome") in ("queued", "partial") or information_asked:
        return DecisionStatus.PENDED
    by_words = _DISPOSITIONS.get((text(cr, "disposition") or "").strip().lower())
    if by_words is not None:
        return by_words
    # nothing iopauth can read as a decision (or only unknown codes): a person must ask
    return DecisionStatus.CONTACT_PAYER


def _requests(cr: dict[str, Any], lookup: Lookup) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the payer asks for (payloads in the Bundle) and references to requests elsewhere.

    A communicationRequest not in the Bundle points at the payer's server: the answer is still
    a pended decision, with the reference kept to fetch it (issue 23).
    """
    asked: list[str] = []
    elsewhere: list[str] = []
    for ref in items(cr, "communicationRequest"):
        found = lookup.get(ref, "CommunicationRequest")
        if found is None:
            if (target := text(ref, "reference")) is not None:
                elsewhere.append(target.strip())
            elif (label := text(ref, "display")) is not None:
                asked.append(label)
            continue
        for payload in items(found, "payload"):
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
                asked.append(words)
    return tuple(asked), tuple(dict.fromkeys(elsewhere))


def _first(values: Iterator[Any] | Any) -> Any:
    return next((v for v in values if v is not None), None)
