"""Loading, dumping and describing the case document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopauth import Case, InvalidCaseError, case_schema, dump_case, load_case
from iopauth.model import LevelOfCare

from .strategies import cases

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "cases").glob("*.json"))
_SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _errors_of(source: Any) -> tuple[str, ...]:
    """The error lines load_case reports for ``source`` (none when it loads)."""
    try:
        load_case(source)
    except InvalidCaseError as exc:
        return exc.errors or ("(no lines)",)
    return ()


def test_there_are_at_least_four_examples() -> None:
    """The issue asks for four realistic example cases."""
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_loads_and_round_trips(path: Path) -> None:
    """Every example is a valid case and survives dump and load unchanged."""
    case = load_case(path)
    assert load_case(dump_case(case)) == case
    assert load_case(json.dumps(dump_case(case))) == case


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_accepted_by_schema(path: Path) -> None:
    """The JSON Schema accepts every example as written."""
    jsonschema.Draft202012Validator(case_schema()).validate(json.loads(path.read_text()))


def test_sources_of_every_kind_load_the_same_case() -> None:
    """A path, JSON text, bytes and a mapping give the same case."""
    path = EXAMPLES[0]
    text = path.read_text(encoding="utf-8")
    from_path = load_case(path)
    assert load_case(text) == from_path
    assert load_case(text.encode("utf-8")) == from_path
    assert load_case(json.loads(text)) == from_path


def test_a_string_naming_a_file_is_read_as_a_path() -> None:
    """load_case("case.json") reads the file; other strings are JSON text."""
    assert load_case(str(EXAMPLES[0])) == load_case(EXAMPLES[0])
    assert _errors_of("no-such-file.json") == (
        "$: not valid JSON (Expecting value at line 1, column 1)",
    )


def test_icd_codes_are_normalized_on_load() -> None:
    """A code typed as 'f332' is stored as 'F33.2'."""
    data = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    data["diagnoses"][0]["code"] = "f332"
    case = load_case(data)
    assert case.diagnoses[0].code == "F33.2"


def test_derived_values_come_from_the_plan_and_request() -> None:
    """Age, hours per week and units are computed, not stored."""
    case = load_case(
        Path(__file__).parent.parent / "examples/cases/medicare-stepdown-depression.json"
    )
    assert case.age == 67
    assert case.plan.schedule.hours_per_week == 10.5
    assert case.request.weeks == 4
    assert case.requested_units == 12
    assert case.plan.level is LevelOfCare.IOP


def test_unknown_keys_are_refused_with_hint() -> None:
    """A misspelt key is refused and the closest real key suggested."""
    data = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    data["plan"]["schedul"] = data["plan"].pop("schedule")
    with pytest.raises(InvalidCaseError) as info:
        load_case(data)
    assert info.value.errors == (
        "$.plan.schedule: required field missing",
        "$.plan[unknown key of 7 characters]: unknown field; did you mean 'schedule'?",
    )


def test_an_unknown_key_does_not_hide_the_rules_problems() -> None:
    """An unknown key and a rule broken elsewhere: both lines, the unknown key first (a
    reviewer found only the key reported); the key's name is not echoed."""
    data = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    data["patient"]["extra"] = "Harold"
    data["plan"]["weeks"] = 0
    errors = _errors_of(data)
    assert errors == (
        "$.patient[unknown key of 5 characters]: unknown field",
        "$.plan.weeks: must be between 1 and 104",
    )
    # another structural problem besides: the rules cannot be read, only the structure's lines
    data["plan"]["schedule"] = "every day"
    assert all("weeks" not in line for line in _errors_of(data))


def test_invalid_case_error_is_a_value_error() -> None:
    """Callers may catch the built-in ValueError."""
    with pytest.raises(ValueError, match="invalid case"):
        load_case("[]")


@pytest.mark.parametrize("source", [42, None, [{"case_id": "x"}], ("a",), 1.5])
def test_load_case_rejects_other_source_types(source: object) -> None:
    """A list or any other non-mapping is an InvalidCaseError, as its JSON text is."""
    with pytest.raises(InvalidCaseError) as info:
        load_case(source)  # type: ignore[arg-type]
    assert list(info.value.errors) == ["$: the case must be a JSON object"]


def test_schema_is_draft_2020_12_and_refuses_unknown_keys() -> None:
    """The schema validates against its meta-schema and forbids extra keys."""
    schema = case_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    data = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    data["surprise"] = 1
    assert not jsonschema.Draft202012Validator(schema).is_valid(data)


@_SLOW
@given(cases())
def test_round_trip(case: Case) -> None:
    """load_case(dump_case(c)) == c for every valid case."""
    assert load_case(dump_case(case)) == case


@_SLOW
@given(cases())
def test_schema_accepts_every_dumped_case(case: Case) -> None:
    """The JSON Schema accepts whatever dump_case writes."""
    jsonschema.Draft202012Validator(case_schema()).validate(dump_case(case))


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_arbitrary_json_raises_only_invalid_case_error(value: Any) -> None:
    """Whatever JSON comes in, the loader answers with a case or InvalidCaseError."""
    errors = _errors_of(json.dumps(value))
    assert all(line.startswith("$") for line in errors)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_arbitrary_values_in_a_valid_case_raise_only_invalid_case_error(
    data: st.DataObject,
) -> None:
    """Any JSON value put in place of any field of a valid case is accepted or reported."""
    doc = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    node: Any = doc
    while isinstance(node, dict | list) and node:
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        if data.draw(st.booleans()):
            node[key] = data.draw(json_values)
            break
        node = node[key]
    assert all(line.startswith("$") for line in _errors_of(doc))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_dump_is_byte_for_byte_what_it_was(path: Path) -> None:
    """dump_case writes each example exactly as before its hooks were reworked (tests/data)."""
    golden = Path(__file__).parent / "data" / "dumped" / path.name
    written = json.dumps(dump_case(load_case(path)), indent=2, ensure_ascii=False) + "\n"
    assert written == golden.read_text(encoding="utf-8")


def test_guardian_and_member_services_phone_load_and_are_checked() -> None:
    """A minor's guardian and the plan's member-services number load, dump and are validated."""
    path = Path(__file__).parent.parent / "examples" / "cases" / "commercial-adolescent-appeal.json"
    case = load_case(path)
    assert case.patient.guardian is not None
    assert case.patient.guardian.relationship == "mother"
    assert case.coverage.member_services_phone == "(555) 020-7100"
    data = dump_case(case)
    assert data["patient"]["guardian"]["name"]["given"] == "Lucia"
    data["patient"]["guardian"]["phone"] = "12"
    data["coverage"]["member_services_phone"] = "call us"
    assert set(_errors_of(data)) == {
        "$.patient.guardian.phone: must be a phone number with at least 10 digits",
        "$.coverage.member_services_phone: must be a phone number with at least 10 digits",
    }
