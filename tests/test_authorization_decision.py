"""The shared payer-decision type, its review-action codes and its JSON form."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from iopauth.authorization import (
    REVIEW_ACTION_STATUS,
    Decision,
    DecisionItem,
    DecisionStatus,
    dump_decision,
    load_decision,
    status_for_review_action,
)
from iopauth.errors import InvalidAuthorizationError, IopAuthError

from .strategies import decisions

# interop.md §3, the table "Review action codes (X12 HCR01)", read from the domain reference.
_HCR01 = {
    "A1": "approved",
    "A2": "partially_approved",
    "A3": "denied",
    "A4": "pended",
    "A6": "modified",
    "C": "cancelled",
    "CT": "contact_payer",
    "NA": "not_required",
}


@pytest.mark.parametrize(("code", "status"), sorted(_HCR01.items()))
def test_review_action_codes_map_as_the_reference_table(code: str, status: str) -> None:
    """Each HCR01 code of interop.md §3 maps to the status the table gives it."""
    assert status_for_review_action(code) == DecisionStatus(status)
    assert REVIEW_ACTION_STATUS[code] == status


def test_review_action_table_holds_exactly_the_reference_codes() -> None:
    """No code is invented beyond the table in the domain reference."""
    assert set(REVIEW_ACTION_STATUS) == set(_HCR01)


def test_unknown_review_action_code_is_unknown() -> None:
    """A code outside the table gives None, for the reader to keep in unknown_codes."""
    assert status_for_review_action("A9") is None
    assert status_for_review_action("") is None


def test_review_action_code_tolerates_case_and_blanks() -> None:
    """' a1 ' is read as A1."""
    assert status_for_review_action(" a1 ") is DecisionStatus.APPROVED


def test_review_action_table_is_read_only() -> None:
    """The shared table cannot be changed by one caller for everyone."""
    with pytest.raises(TypeError):
        REVIEW_ACTION_STATUS["ZZ"] = DecisionStatus.APPROVED  # type: ignore[index]


def test_repr_hides_the_payers_words() -> None:
    """reason_text and information_requested never show in a repr; codes and status do."""
    decision = Decision(
        status=DecisionStatus.DENIED,
        reason_text="Jane Roe, born 1980-02-03, no longer meets criteria",
        information_requested=("Jane Roe's discharge summary",),
        reason_codes=("CO-50",),
    )
    text = repr(decision)
    assert "Jane" not in text
    assert "1980" not in text
    assert "<redacted>" in text
    assert "denied" in text.lower()
    assert "CO-50" in text


def test_decision_is_immutable_and_keyword_only() -> None:
    """Frozen and keyword-only, like the case model."""
    decision = Decision(status=DecisionStatus.APPROVED)
    with pytest.raises(AttributeError):
        decision.status = DecisionStatus.DENIED  # type: ignore[misc]
    with pytest.raises(TypeError):
        Decision(DecisionStatus.APPROVED)  # type: ignore[call-arg]


def test_dump_leaves_out_defaults_and_writes_iso_dates() -> None:
    """The JSON form is small and uses ISO dates and enum values."""
    decision = Decision(
        status=DecisionStatus.PARTIALLY_APPROVED,
        authorized_start=date(2026, 2, 28),
        authorized_end=date(2026, 3, 13),
        authorized_units=10,
        items=(DecisionItem(sequence=1, review_action_code="A2", authorized_units=10),),
    )
    assert dump_decision(decision) == {
        "status": "partially_approved",
        "authorized_start": "2026-02-28",
        "authorized_end": "2026-03-13",
        "authorized_units": 10,
        "items": [{"sequence": 1, "review_action_code": "A2", "authorized_units": 10}],
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decisions())
def test_decision_round_trips(decision: Decision) -> None:
    """load_decision(dump_decision(d)) == d, through JSON text too."""
    data = dump_decision(decision)
    assert load_decision(data) == decision
    assert load_decision(json.dumps(data)) == decision


def test_decision_loads_from_a_path_and_bytes(tmp_path: Path) -> None:
    """A file path and UTF-8 bytes give the same decision as the mapping."""
    data = {"status": "approved", "authorization_number": "PA-1", "authorized_units": 20}
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(data))
    assert load_decision(path) == load_decision(json.dumps(data).encode()) == load_decision(data)


def test_every_problem_is_reported_with_its_path() -> None:
    """All structural and rule problems come back at once, each naming its path and rule."""
    with pytest.raises(InvalidAuthorizationError) as info:
        load_decision({"status": "granted", "authorized_units": "20", "colour": "red"})
    errors = info.value.errors
    assert any(e.startswith("$.status: must be one of: approved,") for e in errors)
    assert "$.authorized_units: must be an integer" in errors
    assert "$[unknown key of 6 characters]: unknown field" in errors
    assert isinstance(info.value, IopAuthError)
    assert isinstance(info.value, ValueError)


def test_rule_problems_name_the_rule() -> None:
    """Negative units and a window ending before it starts are refused, items too."""
    with pytest.raises(InvalidAuthorizationError) as info:
        load_decision(
            {
                "status": "approved",
                "authorized_units": -1,
                "authorized_start": "2026-03-02",
                "authorized_end": "2026-03-01",
                "items": [{"sequence": 0, "authorized_units": -3}],
            }
        )
    assert info.value.errors == (
        "$.authorized_units: must not be negative",
        "$.authorized_end: must not be before authorized_start",
        "$.items[0].sequence: must be at least 1",
        "$.items[0].authorized_units: must not be negative",
    )


def test_errors_never_carry_the_payers_words() -> None:
    """A bad reason_text is reported by path and rule, never by its content."""
    with pytest.raises(InvalidAuthorizationError) as info:
        load_decision({"status": "denied", "reason_text": "Jane Roe\x07 relapsed"})
    assert "Jane" not in str(info.value)
    assert info.value.errors == ("$.reason_text: must not contain control characters",)


def test_bad_json_and_non_objects_are_clear_errors() -> None:
    """Broken JSON and a JSON array each give one line at $."""
    with pytest.raises(InvalidAuthorizationError, match=r"\$: not valid JSON"):
        load_decision("{")
    with pytest.raises(InvalidAuthorizationError, match=r"\$: the decision must be a JSON object"):
        load_decision("[]")


def test_importing_iopauth_does_not_import_the_authorization_package() -> None:
    """``import iopauth`` stays as light as before: this package loads only on use."""
    code = "import sys, iopauth; print('iopauth.authorization' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_a_key_given_twice_is_refused_at_its_path() -> None:
    """Read as strictly as a case: a duplicated key is an error, not a silent last-wins."""
    with pytest.raises(InvalidAuthorizationError) as info:
        load_decision('{"status": "approved", "items": [{"sequence": 1, "sequence": 2}]}')
    assert info.value.errors == ("$.items[0].sequence: given more than once",)
    assert str(info.value).startswith("invalid decision: 1 problem")
