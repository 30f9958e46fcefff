"""LOINC codes for each instrument (domain/measures.md section 2), for FHIR import and export.

Each code carries ``verified``: false means the domain file marks it [unverified] (seen in
public code, or passing only the check digit) and it should be confirmed at loinc.org before
an exchange partner relies on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from attrs import frozen

from ..model import Instrument


@frozen(kw_only=True)
class LoincCode:
    """One LOINC code and whether the domain file verified it."""

    code: str
    verified: bool
    note: str | None = None


@frozen(kw_only=True)
class InstrumentCodes:
    """The LOINC codes of one instrument.

    ``items`` are in instrument order (empty when the codes are not known). ``answers`` maps
    an item score to its LOINC answer code, where known. ``risk_level`` is the C-SSRS
    suicide-risk-level observation. ``total`` is ``None`` when no usable code is known.
    """

    total: LoincCode | None
    panel: LoincCode | None = None
    items: tuple[LoincCode, ...] = ()
    answers: tuple[tuple[int, LoincCode], ...] = ()
    risk_level: LoincCode | None = None


def _v(code: str) -> LoincCode:
    return LoincCode(code=code, verified=True)


def _u(code: str, note: str) -> LoincCode:
    return LoincCode(code=code, verified=False, note=note)


_PHQ9_ITEMS = (
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
)

# Shared by PHQ-9 and GAD-7 items. LA6571-9 is [unverified] in the domain file.
_FREQUENCY_ANSWERS = (
    (0, _v("LA6568-5")),
    (1, _v("LA6569-3")),
    (2, _v("LA6570-1")),
    (3, _u("LA6571-9", "unverified: confirm at loinc.org")),
)

_SEEN_IN_CODE = "unverified: seen in public code; confirm at loinc.org"

LOINC: Mapping[Instrument, InstrumentCodes] = MappingProxyType(
    {
        Instrument.PHQ9: InstrumentCodes(
            total=_v("44261-6"),
            panel=_u("44249-1", "unverified: seen in public test code"),
            items=tuple(_v(c) for c in _PHQ9_ITEMS),
            answers=_FREQUENCY_ANSWERS,
        ),
        # The PHQ-2 is PHQ-9 items 1–2, so we reuse those item codes; that reuse is our
        # inference, not a statement of the domain file, hence unverified.
        Instrument.PHQ2: InstrumentCodes(
            total=_u("55758-7", "unverified: one public repository; medium confidence"),
            items=tuple(
                _u(c, "unverified: PHQ-9 item code reused for the PHQ-2") for c in _PHQ9_ITEMS[:2]
            ),
        ),
        Instrument.GAD7: InstrumentCodes(
            total=_v("70274-6"),
            panel=_u("69737-5", _SEEN_IN_CODE),
            items=tuple(
                _u(c, _SEEN_IN_CODE)
                for c in (
                    "69725-0",
                    "68509-9",
                    "69733-4",
                    "69734-2",
                    "69735-9",
                    "69689-8",
                    "69736-7",
                )
            ),
            answers=_FREQUENCY_ANSWERS,
        ),
        # The screener has no total score; its result is the risk level (93374-7).
        Instrument.CSSRS_SCREENER: InstrumentCodes(
            total=None,
            panel=_u("93373-9", "unverified: only the check digit was confirmed"),
            items=tuple(
                _v(c)
                for c in (
                    "93246-7",
                    "93247-5",
                    "93248-3",
                    "93249-1",
                    "93250-9",
                    "93267-3",
                    "93269-9",
                )
            ),
            risk_level=_v("93374-7"),
        ),
        # PCL-5 total: unknown. A public configuration uses "71549-8", which fails the LOINC
        # check digit, so it must not be used; no other code is known.
        Instrument.PCL5: InstrumentCodes(total=None),
        # One repository mapped 75624-7 to AUDIT-C, but US Core uses 75626-2 for AUDIT-C.
        Instrument.AUDIT: InstrumentCodes(
            total=_u("75624-7", "unverified: one repository mapped it to AUDIT-C"),
        ),
        Instrument.AUDIT_C: InstrumentCodes(total=_v("75626-2")),
        Instrument.DAST10: InstrumentCodes(
            total=_u("82667-7", "unverified: medium confidence"),
            panel=_u("82666-9", "unverified: medium confidence"),
        ),
        # measures.md and codes.md give no LOINC code for the withdrawal scales: none is used.
        Instrument.CIWA_AR: InstrumentCodes(total=None),
        Instrument.COWS: InstrumentCodes(total=None),
    }
)


def loinc_check_digit(base: str) -> int:
    """The LOINC mod-10 check digit of the numeric part of a code (``"44261"`` -> 6)."""
    total = 0
    for position, char in enumerate(reversed(base)):
        digit = int(char)
        if position % 2 == 0:  # rightmost and every second digit leftwards are doubled
            digit *= 2
        total += digit // 10 + digit % 10
    return (10 - total % 10) % 10


def is_valid_loinc(code: str) -> bool:
    """True when ``code`` is ``digits-digit`` with a matching check digit (not LA answer codes)."""
    base, sep, check = code.partition("-")
    if not sep or not base.isdigit() or not check.isdigit() or len(check) != 1:
        return False
    return loinc_check_digit(base) == int(check)
