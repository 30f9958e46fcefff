"""What the fact modules share: the value type, the deriver signature and small readers.

Each ``_*_facts`` module derives the facts of its subject, one function per group; a fact a
function leaves out is unknown. Absent records (no risk assessment, no diagnoses) leave their
whole group unknown. facts.py assembles the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
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


Deriver = Callable[[Case, date], dict[str, Value]]
"""Derives one group's facts from a case as of a day."""

Specs = dict[str, tuple[Deriver, tuple[tuple[str, str, str, str], ...]]]
"""Groups by name: the deriver and each fact's name, type, case path and documentation."""
