"""The converter's hooks: their shortcuts give the answers of the rules as written."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from iopauth.caseformat._hooks import (
    RuleError,
    structure_date,
    structure_enum,
)
from iopauth.caseformat._text import structure_str
from iopauth.model import LevelOfCare, Sex

from .strategies import NEAR_MISSES

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile("[\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _outcome(hook: Any, value: object, *args: object) -> object:
    """What a hook returns, or the rule it raises."""
    try:
        return hook(value, *args)
    except RuleError as exc:
        return f"refused: {exc}"


def _reference_str(obj: object) -> object:
    """The string rules as written before the fast path: every rule in order."""
    if not isinstance(obj, str):
        return "refused: must be a string"
    if not obj.strip():
        return "refused: must not be empty"
    if len(obj) > 10_000:
        return "refused: must be at most 10000 characters"
    for pattern, rule in (
        (re.compile(r"[\ud800-\udfff]"), "must be valid Unicode text (it holds a lone surrogate)"),
        (_CONTROLS, "must not contain control characters"),
        (_BIDI, "must not contain bidirectional control characters"),
        (_INVISIBLE, "must not contain invisible formatting characters"),
    ):
        if pattern.search(obj):
            return f"refused: {rule}"
    return obj


def _reference_date(obj: object) -> object:
    """The date rule as written before the fast path: the pattern, then the calendar."""
    if isinstance(obj, str) and _DATE.fullmatch(obj):
        try:
            return date.fromisoformat(obj)
        except ValueError:
            return "refused: must be a real calendar date"
    return "refused: must be a date written YYYY-MM-DD"


@settings(max_examples=400)
@given(st.text() | st.sampled_from([v for v in NEAR_MISSES if isinstance(v, str)]))
@example("\u00a0x")
@example("a\u202eb")
@example("a\u061cb\x01")
@example("a\U000e0041b")
@example("a\u200db")
@example("x" * 10_001)
def test_string_shortcut_gives_the_rules_answer(text: str) -> None:
    """A string is accepted, or refused with the same rule, as by every rule checked in turn."""
    assert _outcome(structure_str, text, str) == _reference_str(text)


@settings(max_examples=400)
@given(
    st.text("0123456789-W+ T:.\uff10", min_size=8, max_size=12)
    | st.dates().map(date.isoformat)
    | st.sampled_from([v for v in NEAR_MISSES if isinstance(v, str)])
)
@example("2024-W01-1")
@example("2024-02-30")
def test_date_shortcut_gives_the_rules_answer(text: str) -> None:
    """A date string is read, or refused with the same rule, as by the pattern and calendar."""
    assert _outcome(structure_date, text, date) == _reference_date(text)


@pytest.mark.parametrize("value", ["iop", "IOP", "iop ", "", 3, None, LevelOfCare.IOP, Sex.FEMALE])
def test_enum_lookup_answers_as_the_enum_does(value: object) -> None:
    """The value-table lookup finds what LevelOfCare(value) finds and refuses the rest."""
    try:
        expected: object = LevelOfCare(value)  # type: ignore[arg-type]
    except ValueError:
        expected = "refused: must be one of: " + ", ".join(level.value for level in LevelOfCare)
    assert _outcome(structure_enum, value, LevelOfCare) == expected


_VALUES: list[object] = [None, "text", 3, 2.5, True, "2024-03-15", "iop", *NEAR_MISSES]


@pytest.mark.parametrize("inner", [str, int, float, bool, date, LevelOfCare])
def test_optional_hooks_answer_as_their_type_or_none(inner: type) -> None:
    """X | None takes None, and otherwise answers every value exactly as X's own hook."""
    from iopauth.caseformat.serialize import _CONVERTER

    optional = _CONVERTER.get_structure_hook(inner | None)
    plain = _CONVERTER.get_structure_hook(inner)
    for value in _VALUES:
        expected = None if value is None else _outcome(plain, value, inner)
        assert _outcome(optional, value, inner | None) == expected
