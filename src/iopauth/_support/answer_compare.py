"""FHIR ``enableWhen`` comparisons of two answers, shared by DTR (``fhir._dtr_enable``) and the
rendered payer questionnaire (``rendering.answers``), which cannot import each other."""

from __future__ import annotations

import operator as op
from collections.abc import Callable
from typing import Any

__all__ = ["OPERATORS", "compare_answers"]

#: The ordering and equality operators of ``Questionnaire.item.enableWhen.operator``.
OPERATORS: dict[str, Callable[[Any, Any], object]] = {
    "=": op.eq,
    "!=": op.ne,
    ">": op.gt,
    "<": op.lt,
    ">=": op.ge,
    "<=": op.le,
}


def compare_answers(left: object, operator: str, right: object) -> bool:
    """Whether ``left operator right`` holds: codings compare by system and code (equality
    only), a yes/no answer never equals a number (``True == 1`` in Python), and answers of
    different kinds (a date against a number) do not compare."""
    if isinstance(left, dict) or isinstance(right, dict):
        same = (
            isinstance(left, dict)
            and isinstance(right, dict)
            and left.get("code") == right.get("code")
            and left.get("system") == right.get("system")
        )
        return same if operator == "=" else (not same if operator == "!=" else False)
    if isinstance(left, bool) != isinstance(right, bool):
        return operator == "!="
    try:
        return bool(OPERATORS[operator](left, right))
    except TypeError:
        return False
