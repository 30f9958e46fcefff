"""LOINC codes of the measures: as the domain file gives them, with check digits."""

from __future__ import annotations

import pytest

from iopauth.measures import LOINC, LoincCode, is_valid_loinc, loinc_check_digit
from iopauth.model import Instrument


def all_codes() -> list[LoincCode]:
    """Every LOINC code in the table, answer codes included."""
    found: list[LoincCode] = []
    for codes in LOINC.values():
        found.extend(c for c in (codes.total, codes.panel, codes.risk_level) if c is not None)
        found.extend(codes.items)
        found.extend(code for _, code in codes.answers)
    return found


def test_every_instrument_has_an_entry() -> None:
    """Each instrument iopauth scores has a LOINC entry."""
    assert set(LOINC) == set(Instrument)


def test_numeric_codes_pass_the_check_digit() -> None:
    """Every numeric code passes the LOINC mod-10 check (LA answer codes use another scheme)."""
    numeric = [c.code for c in all_codes() if not c.code.startswith("LA")]
    assert numeric
    assert all(is_valid_loinc(code) for code in numeric)


@pytest.mark.parametrize(
    ("code", "valid"),
    [("44261-6", True), ("71549-8", False), ("71549-0", True), ("44261", False), ("x-1", False)],
)
def test_check_digit(code: str, valid: bool) -> None:
    """The rejected PCL-5 code fails the check digit; known codes pass."""
    assert is_valid_loinc(code) is valid


def test_check_digit_value() -> None:
    """The check digit of 44260 is 8 (PHQ-9 item 9, 44260-8)."""
    assert loinc_check_digit("44260") == 8


def test_totals_and_verification_match_the_domain_table() -> None:
    """Total codes and their verified flags are those of domain/measures.md section 2."""
    totals = {i: (c.total.code, c.total.verified) if c.total else None for i, c in LOINC.items()}
    assert totals == {
        Instrument.PHQ9: ("44261-6", True),
        Instrument.PHQ2: ("55758-7", False),
        Instrument.GAD7: ("70274-6", True),
        Instrument.CSSRS_SCREENER: None,
        Instrument.PCL5: None,
        Instrument.AUDIT: ("75624-7", False),
        Instrument.AUDIT_C: ("75626-2", True),
        Instrument.CIWA_AR: None,  # measures.md and codes.md give none
        Instrument.COWS: None,
        Instrument.DAST10: ("82667-7", False),
    }


def test_item_codes_in_instrument_order() -> None:
    """PHQ-9 item 9 is 44260-8; the C-SSRS "past 3 months" answer is 93269-9."""
    assert LOINC[Instrument.PHQ9].items[8].code == "44260-8"
    assert len(LOINC[Instrument.PHQ9].items) == 9
    assert LOINC[Instrument.CSSRS_SCREENER].items[6].code == "93269-9"
    assert LOINC[Instrument.CSSRS_SCREENER].risk_level == LoincCode(code="93374-7", verified=True)
    assert len(LOINC[Instrument.GAD7].items) == 7
    assert not any(c.verified for c in LOINC[Instrument.GAD7].items)


def test_unverified_codes_say_so() -> None:
    """Every unverified code carries a note saying it must be confirmed."""
    assert all(c.note and "unverified" in c.note for c in all_codes() if not c.verified)


def test_answer_codes() -> None:
    """PHQ-9 answer 3 (nearly every day) is LA6571-9, marked unverified."""
    answers = dict(LOINC[Instrument.PHQ9].answers)
    assert answers[0].code == "LA6568-5"
    assert answers[3] == LoincCode(
        code="LA6571-9", verified=False, note="unverified: confirm at loinc.org"
    )
