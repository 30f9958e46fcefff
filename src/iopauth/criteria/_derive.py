"""What the fact modules share: the value type, the deriver signature and small readers.

Each ``_*_facts`` module derives the facts of its subject, one function per group; a fact a
function leaves out is unknown. Absent records (no risk assessment, no diagnoses) leave their
whole group unknown. facts.py assembles the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import date
from enum import Enum
from typing import Any

from ..model import Case

Value = bool | int | float | str | tuple[str, ...] | None
"""A fact's value: ``None`` is unknown (not documented)."""


def enum_text(value: Enum | None) -> str | None:
    return None if value is None else str(value.value)


def days_between(later: date, earlier: date | None) -> int | None:
    return None if earlier is None else (later - earlier).days


def any_or_unknown(items: Collection[Any], test: Callable[[Any], bool]) -> bool | None:
    """Unknown when nothing is recorded; otherwise whether any recorded item passes."""
    return any(test(i) for i in items) if items else None


def kleene_or(values: Iterable[bool | None]) -> bool | None:
    """Three-valued "or": true if any is true, false only if there are values and all are
    false, else unknown — so a value added later can never turn false into true."""
    seen = list(values)
    if True in seen:
        return True
    return False if seen and None not in seen else None


def kleene_and(values: Iterable[bool | None]) -> bool | None:
    """Three-valued "and": false if any is false, true only if there are values and all are
    true, else unknown."""
    seen = list(values)
    if False in seen:
        return False
    return True if seen and None not in seen else None


Deriver = Callable[[Case, date], dict[str, Value]]
"""Derives one group's facts from a case as of a day."""

Specs = dict[str, tuple[Deriver, tuple[tuple[str, str, str, str], ...]]]
"""Groups by name: the deriver and each fact's name, type, case path and documentation."""
