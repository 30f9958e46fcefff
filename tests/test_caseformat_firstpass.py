"""The first pass never takes what the converter refuses, and the loader still reports every
problem with its path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopauth import Case, InvalidCaseError, dump_case, load_case
from iopauth.caseformat.serialize import _structurer, structure_problems

from .strategies import broken_documents

_STRUCTURE_CASE = _structurer("detailed")
_STRUCTURE_CASE_FAST = _structurer("first")
EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "cases").glob("*.json"))
_DOCUMENTS = [json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]


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
