"""The bad-input corpus: each document breaks rules and must be reported at exactly these paths."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from iopauth import InvalidCaseError, load_case

BASE = Path(__file__).parent.parent / "examples" / "cases" / "medicare-stepdown-depression.json"
_DELETE = object()


def _base() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    return data


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets (or, with _DELETE, removes) the value at a dotted path."""

    def apply(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        elif value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return apply


def _many(*mutations: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(doc)

    return apply


# (id, mutation of the base document, exact error lines expected)
MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None], list[str]]] = [
    ("missing-patient", _set("patient", _DELETE), ["$.patient: required field missing"]),
    (
        "missing-birth-date",
        _set("patient.birth_date", _DELETE),
        ["$.patient.birth_date: required field missing"],
    ),
    (
        "unknown-key-with-hint",
        _set("patient.nmae", "x"),
        ["$.patient[unknown key of 4 characters]: unknown field; did you mean 'name'?"],
    ),
    ("unknown-key-no-hint", _set("zzz", 1), ["$[unknown key of 3 characters]: unknown field"]),
    (
        "hours-as-string",
        _set("plan.schedule.hours_per_day", "3.5"),
        ["$.plan.schedule.hours_per_day: must be a number"],
    ),
    (
        "hours-negative",
        _set("plan.schedule.hours_per_day", -1),
        ["$.plan.schedule.hours_per_day: must be between 0 and 24"],
    ),
    (
        "hours-over-24",
        _set("plan.schedule.hours_per_day", 25),
        [
            "$.plan.schedule.hours_per_day: must be between 0 and 24",
        ],
    ),
    (
        "days-over-7",
        _set("plan.schedule.days_per_week", 8),
        ["$.plan.schedule.days_per_week: must be between 0 and 7"],
    ),
    (
        "days-as-float",
        _set("plan.schedule.days_per_week", 3.0),
        ["$.plan.schedule.days_per_week: must be an integer"],
    ),
    (
        "days-as-bool",
        _set("plan.schedule.days_per_week", True),
        ["$.plan.schedule.days_per_week: must be an integer"],
    ),
    (
        "weeks-zero",
        _set("plan.weeks", 0),
        ["$.plan.weeks: must be between 1 and 104"],
    ),
    (
        "schedule-both-forms",
        _set("plan.schedule.sessions", [{"day": "mon", "minutes": 60}]),
        ["$.plan.schedule: give days_per_week and hours_per_day, or sessions, not both"],
    ),
    (
        "schedule-empty",
        _set("plan.schedule", {}),
        ["$.plan.schedule: give days_per_week and hours_per_day, or sessions"],
    ),
    (
        "bad-weekday",
        _many(
            _set("plan.schedule", {"sessions": [{"day": "funday", "minutes": 60}]}),
            _set("plan.services", []),
        ),
        ["$.plan.schedule.sessions[0].day: must be one of: mon, tue, wed, thu, fri, sat, sun"],
    ),
    (
        "bad-enum",
        _set("coverage.plan_type", "Medicare"),
        [
            "$.coverage.plan_type: must be one of: commercial, medicare, medicare-advantage, "
            "medicaid, chip, exchange, tricare, other"
        ],
    ),
    (
        "invalid-icd-format",
        _set("diagnoses.0.code", "33.2"),
        [
            "$.diagnoses[0].code: not in ICD-10-CM format "
            "(a letter, a digit, then 1 to 5 letters or digits)"
        ],
    ),
    (
        "header-only-code",
        _set("diagnoses.0.code", "F32"),
        [
            "$.diagnoses[0].code: category header; "
            "choose a billable code such as F32.9, F32.A or F32.0"
        ],
    ),
    (
        "unknown-icd-code",
        _set("diagnoses.0.code", "F99.99"),
        [
            "$.diagnoses[0].code: not a code in ICD-10-CM FY2026, "
            "April 1, 2026 release (via simple-icd-10-cm 1.5.0)"
        ],
    ),
    (
        "no-primary",
        _set("diagnoses.0.primary", False),
        ["$.diagnoses: exactly one diagnosis must be marked primary"],
    ),
    (
        "two-primaries",
        _set("diagnoses.1.primary", True),
        ["$.diagnoses: exactly one diagnosis must be marked primary"],
    ),
    (
        "duplicate-diagnosis",
        _set("diagnoses.1.code", "F33.2"),
        ["$.diagnoses[1].code: is listed twice"],
    ),
    ("no-diagnoses", _set("diagnoses", []), ["$.diagnoses: must list at least one diagnosis"]),
    (
        "diagnoses-not-array",
        _set("diagnoses", {"code": "F33.2"}),
        ["$.diagnoses: must be an array"],
    ),
    (
        "impossible-date",
        _set("patient.birth_date", "1958-02-30"),
        ["$.patient.birth_date: must be a real calendar date"],
    ),
    (
        "non-iso-date",
        _set("patient.birth_date", "09/14/1958"),
        ["$.patient.birth_date: must be a date written YYYY-MM-DD"],
    ),
    (
        "birth-after-request",
        _set("patient.birth_date", "2027-01-01"),
        ["$.patient.birth_date: must be before the request_date"],
    ),
    (
        "date-before-birth",
        _set("history.0.period.start", "1950-01-01"),
        ["$.history[0].period.start: must not be before the patient's birth_date"],
    ),
    (
        "end-before-start",
        _set("request.period.end", "2026-06-01"),
        ["$.request.period.end: must not be before start"],
    ),
    (
        "open-request-period",
        _set("request.period.end", _DELETE),
        ["$.request.period.end: required: the last day requested"],
    ),
    (
        "measure-after-request",
        _set("measures.1.administered_on", "2026-07-01"),
        ["$.measures[1].administered_on: must not be after the request_date"],
    ),
    (
        "bad-npi-check-digit",
        _set("program.npi", "1234567890"),
        ["$.program.npi: must be a 10-digit NPI with a valid check digit"],
    ),
    (
        "bad-tin",
        _set("program.tin", "12345"),
        ["$.program.tin: must be a 9-digit tax id (12-3456789)"],
    ),
    (
        "bad-state",
        _set("coverage.plan_state", "Oregon"),
        ["$.coverage.plan_state: must be a two-letter USPS state code"],
    ),
    (
        "bad-zip",
        _set("patient.address.postal_code", "9747"),
        ["$.patient.address.postal_code: must be a ZIP code (12345 or 12345-6789)"],
    ),
    ("empty-string", _set("patient.name.given", ""), ["$.patient.name.given: must not be empty"]),
    (
        "huge-string",
        _set("presentation.summary", "x" * 10_001),
        ["$.presentation.summary: must be at most 10000 characters"],
    ),
    (
        "control-characters",
        _set("patient.name.family", "A\x00B"),
        ["$.patient.name.family: must not contain control characters"],
    ),
    (
        "phq9-item-out-of-range",
        _set("measures.0.items", [3, 3, 3, 3, 2, 3, 3, 2, 4]),
        ["$.measures[0].items[8]: must be 0, 1, 2 or 3"],
    ),
    (
        "phq9-wrong-count",
        _set("measures.0.items", [3, 3, 3]),
        ["$.measures[0].items: PHQ-9 has 9 items, got 3"],
    ),
    (
        "items-not-integers",
        _set("measures.0.items", ["3", 3, 3, 3, 2, 3, 3, 2, 2]),
        ["$.measures[0].items[0]: must be an integer"],
    ),
    (
        "appeal-without-denial",
        _set("request.kind", "appeal"),
        ["$.request.denial: required for an appeal: the decision being appealed"],
    ),
    (
        "step-down-not-lower",
        _set("plan.step_down_level", "php"),
        ["$.plan.step_down_level: must be a less intensive level than the plan's"],
    ),
    (
        "bad-service-code",
        _set("request.service_code", "IOP"),
        [
            "$.request.service_code: not a HCPCS Level II code (a letter, then 4 digits) "
            "or a CPT code (4 digits, then a digit or letter)"
        ],
    ),
    (
        "record-given-as-string",
        _set("coverage", "Medicare"),
        ["$.coverage: must be an object"],
    ),
    (
        "null-for-required",
        _set("patient.sex", None),
        ["$.patient.sex: must be one of: female, male, other, unknown"],
    ),
    (
        "several-problems-at-once",
        _many(
            _set("patient.nmae", "x"),
            _set("plan.weeks", "eight"),
            _set("program.npi", "1234567890"),
        ),
        [
            "$.patient[unknown key of 4 characters]: unknown field; did you mean 'name'?",
            "$.plan.weeks: must be an integer",
        ],
    ),
]

# (id, raw document, exact error lines expected)
RAW: list[tuple[str, str | bytes, list[str]]] = [
    ("top-level-array", "[1, 2, 3]", ["$: the case must be a JSON object"]),
    ("top-level-string", '"case"', ["$: the case must be a JSON object"]),
    ("empty-document", "", ["$: not valid JSON (Expecting value at line 1, column 1)"]),
    ("truncated", '{"case_id": ', ["$: not valid JSON (Expecting value at line 1, column 13)"]),
    ("non-utf8", b'{"case_id": "\xff\xfe"}', ["$: the document is not UTF-8 text"]),
    ("deeply-nested", "[" * 100_000 + "]" * 100_000, ["$: JSON nested too deeply"]),
]


@pytest.mark.parametrize(
    ("mutation", "expected"), [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS]
)
def test_mutated_document_reports_exact_paths(
    mutation: Callable[[dict[str, Any]], None], expected: list[str]
) -> None:
    """A mutated example is refused with exactly the expected path and rule lines."""
    doc = copy.deepcopy(_base())
    mutation(doc)
    with pytest.raises(InvalidCaseError) as info:
        load_case(doc)
    assert list(info.value.errors) == expected


# Inconsistent, not invalid (issue 21 §1): two recorded facts disagree, so the document loads
# and the determination reports both figures (tests/test_criteria_consistency.py).
INCONSISTENT: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("services-exceed-schedule", _set("plan.schedule.hours_per_day", 2), "$.plan.services"),
    # the Medicare example before issue 9: a 10.5-hour schedule, services of 8.4 hours
    ("services-fall-short-of-schedule", _set("plan.schedule.hours_per_day", 5), "$.plan.services"),
    (
        "attended-exceeds-scheduled",
        _set("engagement", {"sessions_scheduled": 3, "sessions_attended": 5}),
        "$.engagement.sessions_attended",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "path"), [m[1:] for m in INCONSISTENT], ids=[m[0] for m in INCONSISTENT]
)
def test_inconsistent_document_loads(mutation: Callable[[dict[str, Any]], None], path: str) -> None:
    """A document whose recorded facts disagree loads; the disagreement is reported."""
    from iopauth.criteria._consistency import inconsistencies

    doc = copy.deepcopy(_base())
    mutation(doc)
    case = load_case(doc)
    assert [found.path for found in inconsistencies(case)] == [path]


@pytest.mark.parametrize(("raw", "expected"), [r[1:] for r in RAW], ids=[r[0] for r in RAW])
def test_raw_document_reports_exact_paths(raw: str | bytes, expected: list[str]) -> None:
    """Malformed JSON text and bytes are refused with one clear line."""
    with pytest.raises(InvalidCaseError) as info:
        load_case(raw)
    assert list(info.value.errors) == expected


def test_nan_in_json_is_refused_at_its_path() -> None:
    """NaN, which Python's json module accepts, is refused where it appears."""
    text = BASE.read_text(encoding="utf-8").replace('"hours_per_day": 3.5', '"hours_per_day": NaN')
    with pytest.raises(InvalidCaseError) as info:
        load_case(text)
    assert list(info.value.errors) == ["$.plan.schedule.hours_per_day: must be a finite number"]


def test_corpus_is_large_enough() -> None:
    """The issue asks for at least 40 bad documents."""
    assert len(MUTATIONS) + len(RAW) + 1 >= 40
