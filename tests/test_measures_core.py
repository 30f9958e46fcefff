"""The scoring core the criteria facts read agrees with ``score``'s result objects."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopauth.errors import InvalidCaseError
from iopauth.measures import CHANGE_RULES, SPECS, score
from iopauth.measures._scoring import core, flags_safety
from iopauth.measures._series import changed
from iopauth.model import Instrument, MeasureAdministration, Sex

from .strategies import measure_administrations, measure_item_lists


@given(measure_administrations(), st.none() | st.sampled_from(list(Sex)))
def test_core_says_what_score_says(adm: MeasureAdministration, sex: Sex | None) -> None:
    """Total, severity band, cut-off verdict, answers and risk level are the result's own."""
    result = score(adm, sex=sex)
    assert core(adm, sex) == (
        result.total,
        result.severity,
        result.positive,
        result.items,
        result.risk_level,
    )
    assert flags_safety(result.risk_level) == result.has_flag("safety")


@given(
    st.sampled_from([i for i in Instrument if not SPECS[i].totals_only]).flatmap(
        lambda i: st.tuples(st.just(i), measure_item_lists(i))
    )
)
def test_core_refuses_what_score_refuses(drawn: tuple[Instrument, list[object]]) -> None:
    """Answers ``score`` refuses (bad values, booleans, wrong length) the core refuses too."""
    instrument, items = drawn
    adm = MeasureAdministration(instrument=instrument, administered_on=date(2026, 1, 5), items=(0,))
    adm = attrs.evolve(adm, items=tuple(items))  # type: ignore[arg-type]
    try:
        expected = score(adm)
    except InvalidCaseError:
        with pytest.raises(InvalidCaseError):
            core(adm)
        return
    assert core(adm)[0] == expected.total


def test_phq9_item9_and_severity_from_the_core() -> None:
    """A PHQ-9 of 14 with item 9 at 1 (measures.md §1): moderate, positive, item 9 kept."""
    adm = MeasureAdministration(
        instrument=Instrument.PHQ9,
        administered_on=date(2026, 1, 5),
        items=(2, 2, 2, 2, 2, 1, 1, 1, 1),
    )
    total, severity, positive, items, risk = core(adm)
    assert (total, severity, positive, risk) == (14, "moderate", True, None)
    assert items is not None
    assert items[8] == 1


def test_change_rule_from_the_core() -> None:
    """PHQ-9 from 20 to 9 is a fall of 11 points (55%): meaningful improvement, no worsening."""
    change, percent, improved, worsened = changed(2, 20, 9, CHANGE_RULES[Instrument.PHQ9])
    assert (change, improved, worsened) == (-11, True, False)
    assert percent == pytest.approx(-55.0)
    assert changed(1, 20, None, CHANGE_RULES[Instrument.PHQ9]) == (None, None, None, None)
