"""What ``iopauth fhir decision`` prints: the payer's decision in words.

The payer's answer is untrusted text. A payer-supplied code or number (review action, error,
reason, service code, authorization or reference number) is printed only when it has the shape of
its code system (:mod:`iopauth.fhir._shapes`); anything else is counted, never quoted (issue 24
point 1: no escape sequence, name or 20,000 characters reaches the terminal). The payer's own
words (reasons, what it asks for) are counted and left to ``--json``, which escapes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from ..authorization.decision import Decision, DecisionItem, DecisionStatus
from ..fhir._shapes import AUTHORIZATION_NUMBER, X12_CODE, X12_ELEMENT, fits

__all__ = ["decision_lines"]

_SERVICE_CODE = re.compile(r"[A-Z0-9]{1,5}")
_STATUS_WORDS = {
    DecisionStatus.APPROVED: "The payer approved the request.",
    DecisionStatus.PARTIALLY_APPROVED: "The payer approved part of the request.",
    DecisionStatus.DENIED: "The payer denied the request.",
    DecisionStatus.PENDED: "The payer has not decided yet: the request is pended.",
    DecisionStatus.MODIFIED: "The payer approved the request with changes.",
    DecisionStatus.CANCELLED: "The request is cancelled.",
    DecisionStatus.CONTACT_PAYER: "The answer does not say what was decided: contact the payer.",
    DecisionStatus.NOT_REQUIRED: "The payer says no prior authorization is required.",
}
_LINE_WORDS = {
    DecisionStatus.APPROVED: "approved",
    DecisionStatus.PARTIALLY_APPROVED: "partly approved",
    DecisionStatus.DENIED: "denied",
    DecisionStatus.PENDED: "not decided yet",
    DecisionStatus.MODIFIED: "approved with changes",
    DecisionStatus.CANCELLED: "cancelled",
    DecisionStatus.CONTACT_PAYER: "contact the payer",
    DecisionStatus.NOT_REQUIRED: "no authorization required",
}


def _number(label: str, value: str | None) -> Iterator[str]:
    if value is None:
        return
    if fits(value, AUTHORIZATION_NUMBER):
        yield f"{label}: {value}"
    else:
        yield f"{label}: sent in an unexpected form, not shown (see --json)"


def _codes(label: str, values: list[str | None], shape: re.Pattern[str]) -> Iterator[str]:
    if not values:
        return
    shown = [v for v in values if v is not None and fits(v, shape)]
    hidden = len(values) - len(shown)
    text = ", ".join(dict.fromkeys(shown))
    if hidden:
        text += ("; " if text else "") + f"{hidden} not shown (not in the expected form)"
    yield f"{label}: {text}"


def _units(count: int | None) -> str | None:
    if count is None:
        return None
    return f"{count} unit" if count == 1 else f"{count} units"


def _period(start: date | None, end: date | None) -> str | None:
    if start is None and end is None:
        return None
    if end is None:
        return f"from {start}"
    if start is None:
        return f"until {end}"
    return f"from {start} to {end}"


def _item(item: DecisionItem, position: int) -> str:
    where = f"Line {item.sequence}" if item.sequence is not None else f"Line {position}"
    if item.added_by_payer:
        where += " (added by the payer)"
    parts = [_LINE_WORDS[item.status] if item.status is not None else "no review action read"]
    if item.review_action_code is not None and fits(item.review_action_code, X12_CODE):
        parts[0] += f" (X12 {item.review_action_code})"
    if item.service_code is not None:
        shown = item.service_code if fits(item.service_code, _SERVICE_CODE) else "not shown"
        parts.append(f"service {shown}")
    if item.authorization_number is not None:
        ok = fits(item.authorization_number, AUTHORIZATION_NUMBER)
        parts.append(f"authorization number {item.authorization_number if ok else 'not shown'}")
    if item.reference_number is not None:
        ok = fits(item.reference_number, AUTHORIZATION_NUMBER)
        parts.append(f"payer's reference {item.reference_number if ok else 'not shown'}")
    if (units := _units(item.authorized_units)) is not None:
        parts.append(units)
    if (period := _period(item.authorized_start, item.authorized_end)) is not None:
        parts.append(period)
    if item.issued_on is not None:
        parts.append(f"issued {item.issued_on}")
    return f"{where}: " + "; ".join(parts)


def decision_lines(decision: Decision) -> list[str]:
    """The decision in words, one line per fact, payer values quoted only in their shape."""
    lines = [_STATUS_WORDS[decision.status]]
    if decision.decided_on is not None:
        undecided = decision.status in (DecisionStatus.PENDED, DecisionStatus.CONTACT_PAYER)
        lines.append(f"{'Answered' if undecided else 'Decided'} on: {decision.decided_on}")
    lines += _number("Authorization number", decision.authorization_number)
    lines += _number("Payer's reference", decision.reference_number)
    granted = [
        _units(decision.authorized_units),
        _period(decision.authorized_start, decision.authorized_end),
    ]
    if any(granted):
        lines.append("Authorized: " + ", ".join(g for g in granted if g))
    lines += [_item(item, i) for i, item in enumerate(decision.items, 1)]
    lines += _codes(
        "Reason codes", [r.code for r in decision.reasons] or list(decision.reason_codes), X12_CODE
    )
    worded = sum(1 for r in decision.reasons if r.text) + (1 if decision.reason_text else 0)
    if worded:
        lines.append(f"The payer's own words: {worded} (see --json)")
    if decision.information_requested:
        lines.append(
            f"The payer asks for more information: {len(decision.information_requested)} "
            "request(s) in its own words (see --json)"
        )
    if decision.information_request_references:
        lines.append(
            "The payer asks for more information in "
            f"{len(decision.information_request_references)} request(s) on its server: fetch "
            "them (references in --json)"
        )
    lines += _codes(
        "Review action codes iopauth does not know", list(decision.unknown_codes), X12_CODE
    )
    for error in decision.errors:
        code = error.code if fits(error.code, X12_CODE) else "not shown"
        line = f"Error reported by the payer: {code}"
        if error.element is not None:
            element = error.element if fits(error.element, X12_ELEMENT) else "not shown"
            line += f" at X12 element {element}"
        lines.append(line)
    lines += [f"Note: {note}" for note in decision.notes]  # iopauth's words, never the payer's
    return lines
