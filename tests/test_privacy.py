"""Patient data never reaches messages, reprs, logs or the command line's output."""

from __future__ import annotations

import copy
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from iopauth import InvalidCaseError, load_case
from iopauth.cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "cases" / "medicare-stepdown-depression.json"
MARK = "Zebulon"  # a recognizable token planted in every patient-data field
BIRTH = "1958-09-14"


def _planted() -> dict[str, Any]:
    """The example with the marker in every name, id, contact and free-text field."""
    doc: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    patient = doc["patient"]
    patient["name"] = {"given": MARK, "family": MARK + "son", "middle": MARK}
    patient["email"] = f"{MARK}@mail.example"
    patient["address"]["lines"] = [f"1 {MARK} Road"]
    patient["address"]["city"] = MARK
    patient["guardian"] = {
        "name": {"given": MARK, "family": MARK + "sdottir"},
        "relationship": f"{MARK}'s aunt",
        "phone": "(555) 010-9999",
        "email": f"{MARK}.guardian@mail.example",
    }
    doc["coverage"]["member_id"] = f"{MARK}-ID-77"
    doc["coverage"]["group_number"] = f"{MARK}-GROUP"
    doc["presentation"]["summary"] = f"{MARK} reports low mood."
    doc["presentation"]["symptoms"] = [f"{MARK} sleeps poorly"]
    doc["psychosocial"]["notes"] = f"{MARK} lives with family"
    doc["risk"]["notes"] = f"{MARK} denies intent"
    for medication in doc["medications"]:
        medication["prescriber"] = MARK
    return doc


def _broken_documents() -> Iterator[tuple[str, dict[str, Any]]]:
    """The planted case broken in every way that touches a patient-data field."""
    base = _planted()

    def variant(name: str, change: Any) -> tuple[str, dict[str, Any]]:
        doc = copy.deepcopy(base)
        change(doc)
        return name, doc

    yield variant("name-control-chars", lambda d: d["patient"]["name"].update(given=MARK + "\x07"))
    yield variant("name-too-long", lambda d: d["patient"]["name"].update(family=MARK * 2000))
    yield variant("name-wrong-type", lambda d: d["patient"]["name"].update(given=[MARK]))
    yield variant("member-id-number", lambda d: d["coverage"].update(member_id=123))
    yield variant("member-id-empty", lambda d: d["coverage"].update(member_id=" "))
    yield variant("birth-date-format", lambda d: d["patient"].update(birth_date="14/09/1958"))
    yield variant(
        "birth-date-after-request", lambda d: d["patient"].update(birth_date="2030-01-01")
    )
    yield variant("email-invalid", lambda d: d["patient"].update(email=MARK))
    yield variant("guardian-email-invalid", lambda d: d["patient"]["guardian"].update(email=MARK))
    yield variant(
        "guardian-name-wrong-type", lambda d: d["patient"]["guardian"]["name"].update(given=[MARK])
    )
    yield variant("phone-invalid", lambda d: d["patient"].update(phone=MARK))
    yield variant("zip-invalid", lambda d: d["patient"]["address"].update(postal_code=MARK))
    yield variant("state-invalid", lambda d: d["patient"]["address"].update(state=MARK))
    yield variant("summary-wrong-type", lambda d: d["presentation"].update(summary={"x": MARK}))
    yield variant("language-invalid", lambda d: d["patient"].update(preferred_language=MARK + "!"))
    yield variant("enum-given-marker", lambda d: d["patient"].update(sex=MARK))
    yield variant("plan-type-marker", lambda d: d["coverage"].update(plan_type=MARK))
    yield variant("code-marker", lambda d: d["diagnoses"][0].update(code=MARK))
    yield variant("measure-total-marker", lambda d: d["measures"][0].update(total=MARK))


BROKEN = list(_broken_documents())


def _assert_clean(text: str) -> None:
    assert MARK not in text
    assert MARK.lower() not in text.lower()
    assert BIRTH not in text


@pytest.mark.parametrize("doc", [b[1] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_errors_carry_no_patient_data(doc: dict[str, Any]) -> None:
    """Every error line, the exception text and its repr name paths and rules only."""
    with pytest.raises(InvalidCaseError) as info:
        load_case(doc)
    assert info.value.errors
    _assert_clean("\n".join(info.value.errors))
    _assert_clean(str(info.value))
    _assert_clean(repr(info.value))


@pytest.mark.parametrize("doc", [b[1] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_cli_output_carries_no_patient_data(doc: dict[str, Any], tmp_path: Path) -> None:
    """The command line reports the same problems with exit code 2 and nothing identifying."""
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["validate", str(path)], stdout=out, stderr=err) == 2
    _assert_clean(out.getvalue() + err.getvalue())
    assert "Traceback" not in err.getvalue()


def test_no_log_records_carry_patient_data(caplog: pytest.LogCaptureFixture) -> None:
    """Loading good and bad planted cases logs nothing that identifies the patient."""
    caplog.set_level(logging.DEBUG)
    load_case(_planted())
    for _name, doc in BROKEN:
        with pytest.raises(InvalidCaseError):
            load_case(doc)
    _assert_clean("\n".join(r.getMessage() for r in caplog.records))


def _records(value: object) -> Iterator[object]:
    """Every record object inside ``value``."""
    cls = type(value)
    if attrs.has(cls):
        yield value
        for field in attrs.fields(cls):
            yield from _records(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _records(item)


def test_reprs_of_every_record_are_redacted() -> None:
    """repr() and str() of the case and each record inside it hide the values."""
    case = load_case(_planted())
    records = list(_records(case))
    assert len(records) > 20
    for record in records:
        _assert_clean(repr(record))
        _assert_clean(str(record))
        assert "redacted" in repr(record)
