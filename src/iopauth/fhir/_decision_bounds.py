"""A decoded decision kept within the limits a stored decision is read back with.

A payer's answer is untrusted: a 20,000-character "number" would make the stored decision
unreadable (``load_decision`` refuses strings over :data:`~iopauth.caseformat.limits.MAX_TEXT`
and lists over their :func:`~iopauth.caseformat.limits.max_items`), so such values are left out
here and the decision's notes say so, once per kind.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..authorization.decision import Decision, DecisionReason
from ..caseformat._text import identifier_ok
from ..caseformat.limits import IDENTIFIER_FIELDS, MAX_TEXT, max_items

__all__ = ["bounded"]


_TOO_LONG = "a value longer than {} characters was left out (see the payer's response)"
_TOO_MANY = "a list longer than {} entries was cut to that length (see the payer's response)"
_NOT_AN_ID = (
    "a number not in the shape identifiers take here was left out (see the payer's response)"
)


_NUMBERS = frozenset({"authorization_number", "response_id"})


def _identifier(value: Any, cut: set[str]) -> Any:
    """A number field's value, or nothing when it lacks the shape a stored one must have
    (caseformat._text.IDENTIFIER): a payer's number with a control character or an odd sign
    would make the stored decision unreadable."""
    if isinstance(value, str) and not identifier_ok(value):
        cut.add(_NOT_AN_ID)
        return None
    return value


def _bound(value: Any, cut: set[str]) -> Any:
    """``value`` within the limits a stored decision is read back with (caseformat.limits)."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        cut.add(_TOO_LONG.format(MAX_TEXT))
        return None
    if isinstance(value, tuple) and value:
        limit = max_items(type(value[0]))
        kept = tuple(v for v in (_bound(v, cut) for v in value) if v is not None)
        if len(kept) > limit:
            cut.add(_TOO_MANY.format(limit))
        return kept[:limit]
    if attrs.has(type(value)):
        # numbers only: unknown codes are kept (the CLI counts what it will not print) and a
        # record holding a hostile code is refused by the store with its path (issue 24.8)
        ids = [n for n in IDENTIFIER_FIELDS.get(type(value), ()) if n in _NUMBERS]
        changes = {
            f.name: _bound(getattr(value, f.name), cut)
            for f in attrs.fields(type(value))
            if f.name != "notes"
        }
        for name in ids:
            changes[name] = _identifier(changes[name], cut)
        if isinstance(value, DecisionReason) and changes["code"] is None:
            return None  # a reason whose code is too long has nothing left to keep
        return attrs.evolve(value, **changes)
    return value


def bounded(decision: Decision) -> Decision:
    """The decision with over-long strings and lists cut, and numbers or codes not in an
    identifier's shape left out, each kind said once in its notes."""
    cut: set[str] = set()
    result = _bound(decision, cut)
    if not cut:
        return decision
    kept: Decision = attrs.evolve(result, notes=(*decision.notes, *sorted(cut)))
    return kept
