"""The converter's hooks: the fast first pass never accepts what the detailed pass refuses."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from iopauth import Case, InvalidCaseError, dump_case, load_case
from iopauth._hooks import (
    RuleError,
    structure_date,
    structure_enum,
    structure_str,
)
from iopauth.model import LevelOfCare, Sex
from iopauth.serialize import _structurer, structure_problems

from .strategies import NEAR_MISSES, broken_documents

_STRUCTURE_CASE = _structurer("detailed")
_STRUCTURE_CASE_FAST = _structurer("first")
EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "cases").glob("*.json"))
_DOCUMENTS = [json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
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
    if _BAD_CHARS.search(obj):
        if re.search(r"[\ud800-\udfff]", obj):
            return "refused: must be valid Unicode text (it holds a lone surrogate)"
        return "refused: must not contain control characters"
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
        expected = "refused: must be one of: outpatient, iop, php, residential, inpatient"
    assert _outcome(structure_enum, value, LevelOfCare) == expected


def _structured(structure: Any, document: dict[str, Any]) -> object:
    """The case a structuring function builds from ``document``, or None when it raises."""
    try:
        return structure(document)
    except Exception:  # any failure counts as refused here
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_DOCUMENTS).flatmap(broken_documents))
def test_first_pass_never_accepts_what_the_detailed_pass_refuses(document: dict[str, Any]) -> None:
    """On broken documents the first pass builds the detailed pass's case, or fails."""
    first = _structured(_STRUCTURE_CASE_FAST, document)
    if first is not None:
        assert _structured(lambda d: _STRUCTURE_CASE(d, Case), document) == first


@pytest.mark.parametrize("document", _DOCUMENTS, ids=[p.stem for p in EXAMPLES])
def test_first_pass_builds_every_example(document: dict[str, Any]) -> None:
    """Valid documents, as read from JSON and as dump_case writes them (enum members), never
    need the detailed pass: the first pass builds the same case."""
    case = _STRUCTURE_CASE(document, Case)
    assert _STRUCTURE_CASE_FAST(document) == case
    assert _STRUCTURE_CASE_FAST(dump_case(case)) == case


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_DOCUMENTS).flatmap(broken_documents))
def test_loader_reports_every_problem_the_detailed_pass_finds(document: dict[str, Any]) -> None:
    """The fast first try changes no error line: a refused document gets the detailed lines."""
    try:
        _STRUCTURE_CASE(document, Case)
    except Exception:  # the detailed pass refused it: its lines must come out
        lines = structure_problems(document)
        assert lines
        with pytest.raises(InvalidCaseError) as info:
            load_case(document)
        assert list(info.value.errors) == lines


def test_several_problems_in_one_document_are_all_reported() -> None:
    """A document with a problem in each of several places is reported at every one of them."""
    document = json.loads(json.dumps(_DOCUMENTS[0]))
    document["patient"]["birth_date"] = "2024-W01-1"
    document["patient"]["name"]["given"] = "a\x01b"
    document["plan"]["weeks"] = True
    document["diagnoses"][0]["primary"] = 1
    document["clinicians"] = [document["clinicians"][0]] * 21
    with pytest.raises(InvalidCaseError) as info:
        load_case(document)
    assert list(info.value.errors) == [
        "$.patient.name.given: must not contain control characters",
        "$.patient.birth_date: must be a date written YYYY-MM-DD",
        "$.clinicians: must have at most 20 items",
        "$.diagnoses[0].primary: must be true or false",
        "$.plan.weeks: must be an integer",
    ]


@pytest.mark.parametrize(
    "text", ["line one\nline two", "tab\tseparated", "no-break\u00a0space", "caf\u00e9 \u2028"]
)
def test_first_pass_builds_free_text_that_is_not_printable_but_allowed(text: str) -> None:
    """Line breaks, tabs and Unicode spaces are allowed, and the first pass takes them itself."""
    document = json.loads(json.dumps(_DOCUMENTS[0]))
    document["patient"]["name"]["given"] = text
    case = _STRUCTURE_CASE_FAST(document)
    assert case == _STRUCTURE_CASE(document, Case)
    assert case.patient.name.given == text


_VALUES: list[object] = [None, "text", 3, 2.5, True, "2024-03-15", "iop", *NEAR_MISSES]


@pytest.mark.parametrize("inner", [str, int, float, bool, date, LevelOfCare])
def test_optional_hooks_answer_as_their_type_or_none(inner: type) -> None:
    """X | None takes None, and otherwise answers every value exactly as X's own hook."""
    from iopauth.serialize import _CONVERTER

    optional = _CONVERTER.get_structure_hook(inner | None)
    plain = _CONVERTER.get_structure_hook(inner)
    for value in _VALUES:
        expected = None if value is None else _outcome(plain, value, inner)
        assert _outcome(optional, value, inner | None) == expected
