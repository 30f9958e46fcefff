"""Which cases are known valid: ``load_case`` records each case it returns, and
:func:`~iopauth.caseformat.validity.validate_case` each case it has checked, so neither is
checked again.

This registry sits below both the loader (:mod:`.serialize`) and ``validate_case``
(:mod:`.validity`, which runs the loader's structural pass), so neither imports the other to
reach it.
"""

from __future__ import annotations

import weakref
from typing import cast

from ..model import Case

__all__ = ["is_known_valid", "remember_valid"]


# Cases known valid, by identity: id(case) -> a weak reference to it. Not a WeakSet: a WeakSet
# hashes its members, and hashing a frozen attrs case hashes every field recursively (a second
# full pass, and a TypeError for the ``ratings`` dict). Not a WeakValueDictionary: its entries
# are built in Python, five times the cost of this one (2.6 against 0.5 us; a load takes
# about 450 us). A reused id is caught by the ``is`` check; an entry leaves when its case is
# collected, so the table holds only live cases and never forgets one. A race between threads
# can only drop an entry, which costs a re-check, never a wrong answer.
# Every record is frozen and every sequence a tuple (validate_case refuses lists), so a case
# checked once stays valid; the one mutable part is LevelOfCareRating.ratings, a dict that a
# caller could change in place after the check (the model's documentation forbids it).
class _Entry(weakref.ref[Case]):
    __slots__ = ("key",)
    key: int


_KNOWN_VALID: dict[int, _Entry] = {}


def _forget(entry: weakref.ref[Case]) -> None:
    key = cast("_Entry", entry).key
    if _KNOWN_VALID.get(key) is entry:
        del _KNOWN_VALID[key]


def remember_valid(case: Case) -> None:
    """Record that ``case`` passed every check (``load_case`` calls this)."""
    entry = _Entry(case, _forget)
    entry.key = key = id(case)
    _KNOWN_VALID[key] = entry


def is_known_valid(case: object) -> bool:
    """Whether ``case`` came from ``load_case`` or passed ``validate_case`` already."""
    entry = _KNOWN_VALID.get(id(case))
    return entry is not None and entry() is case
