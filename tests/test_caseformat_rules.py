"""The rule pass's own checks: NPI check digits and phone numbers, against their definitions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopauth import InvalidCaseError, load_case
from iopauth.caseformat.rules import npi_is_valid

BASE = Path(__file__).parent.parent / "examples" / "cases" / "medicare-stepdown-depression.json"


def _luhn_npi(npi: str) -> bool:
    """The NPI check as CMS defines it: the Luhn formula over 80840 followed by the ten digits."""
    if len(npi) != 10 or not (npi.isascii() and npi.isdigit()):
        return False
    total = 0
    for i, char in enumerate(reversed("80840" + npi)):
        digit = int(char) * (2 if i % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


@given(st.text("0123456789", min_size=10, max_size=10) | st.text(max_size=11))
def test_npi_check_is_the_luhn_formula(npi: str) -> None:
    """npi_is_valid agrees with the Luhn formula over 80840 + NPI for any text."""
    assert npi_is_valid(npi) == _luhn_npi(npi)


@pytest.mark.parametrize(("npi", "valid"), [("1234567893", True), ("1234567890", False)])
def test_npi_known_values(npi: str, valid: bool) -> None:
    """The NPI example in CMS's check-digit paper (1234567893) passes; its neighbour fails."""
    assert npi_is_valid(npi) is valid


def _phone_errors(phone: str) -> list[str]:
    """The lines load_case reports when the patient's phone is ``phone``."""
    doc: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    doc["patient"]["phone"] = phone
    try:
        load_case(doc)
    except InvalidCaseError as exc:
        return list(exc.errors)
    return []


@given(st.text("0123456789 ().-+x\u0663", min_size=1, max_size=30).filter(str.strip))
def test_phone_needs_ten_digits_among_phone_characters(phone: str) -> None:
    """A phone is refused exactly when it has other characters, a misplaced +, 7-25 characters
    missed, or fewer than ten digits."""
    body = phone[1:] if phone.startswith("+") else phone
    valid = (
        all(c in "0123456789 ().-" for c in body)
        and 7 <= len(body) <= 25
        and sum(c in "0123456789" for c in phone) >= 10
    )
    expected = [] if valid else ["$.patient.phone: must be a phone number with at least 10 digits"]
    assert _phone_errors(phone) == expected
