"""validate_case: a case built in code is checked like a JSON one, once."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

import iopauth
from iopauth import Case, InvalidCaseError, dump_case, evaluate, load_case, validate_case
from iopauth.caseformat.validity import _Writer, is_known_valid
from iopauth.model import Diagnosis, PlanType, Sex

from .casebuilder import with_path
from .pas_options import options
from .strategies import broken_cases, cases, with_any_value

EXAMPLE = Path(__file__).parent.parent / "examples" / "cases" / "medicare-stepdown-depression.json"
_FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def case() -> Case:
    """A valid example case, loaded from JSON."""
    return load_case(EXAMPLE)


def _errors(call: Any, *args: Any) -> tuple[str, ...]:
    """The lines of the InvalidCaseError ``call(*args)`` raises (none when it returns)."""
    try:
        call(*args)
    except InvalidCaseError as exc:
        return exc.errors
    return ()


def _round_trip_errors(case: Case) -> tuple[str, ...]:
    """The lines load_case(dump_case(case)) gives."""
    return _errors(lambda: load_case(dump_case(case)))


def _changed(case: Case, path: str, value: object) -> Case:
    return with_path(case, path, value)  # type: ignore[no-any-return]


def test_a_str_birth_date_is_a_clean_line_from_evaluate_and_render(case: Case) -> None:
    """The issue's first bad construction: a str where a date belongs, named by path."""
    bad = _changed(case, "patient.birth_date", "not a date")
    expected = ("$.patient.birth_date: must be a datetime.date, not str",)
    assert _errors(evaluate, bad) == expected
    assert _errors(iopauth.render, bad) == expected
    assert _errors(iopauth.render_html, bad) == expected
    assert _errors(validate_case, bad) == expected


def test_pas_request_refuses_an_invalid_case(case: Case) -> None:
    """The PAS request Bundle is never written for a case that breaks a rule."""
    from iopauth import fhir

    bad = _changed(case, "patient.birth_date", "not a date")
    expected = ("$.patient.birth_date: must be a datetime.date, not str",)
    assert _errors(lambda c: fhir.pas_request(c, **options()), bad) == expected
    assert fhir.pas_request(case, **options())["resourceType"] == "Bundle"


def test_negative_weeks_are_refused_by_evaluate_and_render(case: Case) -> None:
    """The issue's second bad construction: weeks=-5 is refused, not evaluated to a result."""
    bad = _changed(case, "plan.weeks", -5)
    expected = ("$.plan.weeks: must be between 1 and 104",)
    assert _errors(evaluate, bad) == expected
    assert _errors(iopauth.render, bad, "checklist") == expected
    assert _errors(iopauth.render_html, bad, "patient-summary") == expected
    assert _round_trip_errors(bad) == expected


@_FEW
@given(broken=broken_cases())
def test_lines_are_those_of_the_round_trip(broken: Case) -> None:
    """For any case dump_case can write, validate_case says what load_case(dump_case(c)) says."""
    expected = _round_trip_errors(broken)
    assert expected, "every break breaks a rule"
    assert _errors(validate_case, broken) == expected


@_FEW
@given(valid=cases())
def test_a_valid_case_built_in_code_passes(valid: Case) -> None:
    """Cases the strategies build in code are valid both ways, and are then remembered."""
    assert _round_trip_errors(valid) == ()
    assert not is_known_valid(valid)
    validate_case(valid)
    assert is_known_valid(valid)


_LINE = re.compile(r"\$(\.[a-z_0-9]+|\[\d+\])*: \S.*")


@_FEW
@given(changed=with_any_value(load_case(EXAMPLE)))
def test_any_value_anywhere_gives_lines_never_a_crash(changed: tuple[Case, str]) -> None:
    """Whatever Python value lands in whatever field, the answer is path lines or a pass."""
    case, path = changed
    lines = _errors(validate_case, case)
    for line in lines:
        assert _LINE.fullmatch(line), line
    if lines:
        assert _errors(evaluate, case) == lines
    else:
        # a value that happens to be valid there: the case must then really be valid
        assert _round_trip_errors(case) == (), path


@pytest.mark.parametrize(
    ("path", "value", "line"),
    [
        ("patient.name", {"given": "A", "family": "B"}, "must be a PersonName, not dict"),
        ("clinicians", [], "must be a tuple, not list"),
        ("diagnoses", ("F33.1",), "[0]: must be a Diagnosis, not str"),
        ("plan.start_date", datetime(2026, 3, 2, 9, 0), "must be a datetime.date, not datetime"),
        ("plan.start_date", None, "must be a datetime.date, not NoneType"),
        ("coverage", None, "must be a Coverage, not NoneType"),
        ("request.period.end", "2026-04-26", "must be a datetime.date, not str"),
    ],
)
def test_values_dump_case_cannot_write_get_a_python_line(
    case: Case, path: str, value: object, line: str
) -> None:
    """Wrong Python types are named by path and by the type expected and found, never raise
    inside dump_case."""
    bad = _changed(case, path, value)
    joined = f"$.{path}{line}" if line.startswith("[") else f"$.{path}: {line}"
    assert _errors(validate_case, bad) == (joined,)


def test_an_unknown_enum_string_gets_the_json_line(case: Case) -> None:
    """A string naming no member is kept at construction and refused as JSON refuses it."""
    bad = _changed(case, "patient.sex", "femal")
    assert bad.patient.sex == "femal"
    data = dump_case(case)
    data["patient"]["sex"] = "femal"
    expected = _errors(load_case, data)
    assert expected == ("$.patient.sex: must be one of: female, male, other, unknown",)
    assert _errors(validate_case, bad) == expected
    assert _errors(validate_case, _changed(case, "coverage.plan_type", 7)) == (
        "$.coverage.plan_type: must be one of: " + ", ".join(p.value for p in PlanType),
    )


def test_values_the_round_trip_would_change_are_refused(case: Case) -> None:
    """An ICD code not written normalized and a 0 in a boolean field are refused, not changed."""
    code = Diagnosis(code="f33.1", primary=True)
    assert _errors(validate_case, _changed(case, "diagnoses", (code,))) == (
        "$.diagnoses[0].code: write the code normalized, as F33.1",
    )
    zero: dict[str, Any] = {"contact": 0}  # what mypy would refuse, and a caller may still do
    contact = attrs.evolve(case.clinicians[0], **zero)
    bad = _changed(case, "clinicians", (contact, *case.clinicians[1:]))
    assert _errors(validate_case, bad) == ("$.clinicians[0].contact: must be true or false",)


def test_every_problem_is_reported_at_once(case: Case) -> None:
    """Python-type lines and JSON lines come together, in document order."""
    bad = _changed(case, "case_id", "")
    bad = _changed(bad, "patient.birth_date", "1980-01-01")
    bad = _changed(bad, "plan.weeks", "8")
    assert _errors(validate_case, bad) == (
        "$.case_id: must not be empty",
        "$.patient.birth_date: must be a datetime.date, not str",
        "$.plan.weeks: must be an integer",
    )


def test_messages_never_carry_the_value(case: Case) -> None:
    """A wrong value that is patient data does not appear in the error."""
    private = "Jane Q. Private 1980-01-01"
    bad = _changed(case, "patient.birth_date", private)
    bad = _changed(bad, "patient.name", private)
    with pytest.raises(InvalidCaseError) as info:
        validate_case(bad)
    assert private not in str(info.value)
    assert "Private" not in " ".join(info.value.errors)


def test_not_a_case_is_refused() -> None:
    """Something that is not a Case is refused with one line."""
    assert _errors(validate_case, json.loads(EXAMPLE.read_text())) == (
        "$: must be a Case, not dict",
    )


def test_a_loaded_case_is_not_checked_again(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """load_case's result, and a case checked once, skip the full pass in evaluate and render."""

    def second_pass(*_args: object) -> object:
        raise AssertionError("a known-valid case was checked again")

    built = _changed(case, "case_id", "built-in-code")
    validate_case(built)
    monkeypatch.setattr(_Writer, "record", second_pass)
    for known in (case, built):
        validate_case(known)
        evaluate(known)
        iopauth.render_html(known, "patient-summary")
    with pytest.raises(AssertionError):
        validate_case(_changed(case, "case_id", "new-object"))


def test_a_failed_check_is_not_remembered(case: Case) -> None:
    """An invalid case is refused every time it is used."""
    bad = _changed(case, "plan.weeks", 0)
    for _ in range(2):
        with pytest.raises(InvalidCaseError):
            evaluate(bad)
    assert not is_known_valid(bad)


def test_enum_values_build_the_same_case(case: Case) -> None:
    """Strings where the JSON has them make the same case as the members."""
    patient = attrs.evolve(case.patient, sex="female")
    assert patient.sex is Sex.FEMALE
    by_value = _changed(case, "coverage.plan_type", "medicare-advantage")
    assert by_value.coverage.plan_type is PlanType.MEDICARE_ADVANTAGE
    validate_case(by_value)
    assert load_case(dump_case(by_value)) == by_value
