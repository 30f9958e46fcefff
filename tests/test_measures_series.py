"""Measures over time: baseline, latest, change and clinically meaningful change."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopauth.errors import InvalidCaseError
from iopauth.measures import CHANGE_RULES, ChangeRule, series
from iopauth.model import Instrument, MeasureAdministration

from .strategies import measure_administrations


def adm(instrument: Instrument, day: int, total: int) -> MeasureAdministration:
    """A total-only administration on 2026-03-<day>."""
    return MeasureAdministration(
        instrument=instrument, administered_on=date(2026, 3, day), total=total
    )


def phq9_series(*points: tuple[int, int]) -> list[MeasureAdministration]:
    """PHQ-9 administrations from (day, total) pairs."""
    return [adm(Instrument.PHQ9, day, total) for day, total in points]


def test_no_administration_gives_none() -> None:
    """No administration of the instrument means no series."""
    assert series(phq9_series((1, 20)), Instrument.GAD7) is None
    assert series([], Instrument.PHQ9) is None


def test_baseline_and_latest_follow_dates_not_input_order() -> None:
    """Baseline is the earliest date and latest the most recent, whatever the input order."""
    result = series(phq9_series((20, 12), (1, 20), (10, 16)), Instrument.PHQ9)
    assert result is not None
    assert result.baseline.administered_on == date(2026, 3, 1)
    assert result.latest.administered_on == date(2026, 3, 20)
    assert [p.result.total for p in result.points] == [20, 16, 12]
    assert result.change == -8
    assert result.percent_change == pytest.approx(-40.0)


@pytest.mark.parametrize(
    ("baseline", "latest", "improved", "worsened"),
    [
        (20, 15, True, False),  # 5 points
        (20, 16, False, False),  # 4 points, 20%
        (8, 4, False, False),  # 4 points though 50%: under the MCID (response is a flag)
        (8, 5, False, False),  # 3 points, 37.5%
        (10, 15, False, True),  # 5 points worse
        (10, 14, False, False),
        (0, 0, False, False),  # no percentage from a zero baseline
    ],
)
def test_phq9_meaningful_change(baseline: int, latest: int, improved: bool, worsened: bool) -> None:
    """PHQ-9 improvement is a fall of 5 points; worsening a rise of 5 points."""
    result = series(phq9_series((1, baseline), (28, latest)), Instrument.PHQ9)
    assert result is not None
    assert (result.meaningful_improvement, result.meaningful_worsening) == (improved, worsened)
    assert result.rule is CHANGE_RULES[Instrument.PHQ9]
    # improvement (MCID 5) is verified; the worsening mirror rule is not
    assert result.rule.verified is True
    assert result.rule.worsening_verified is False


def test_single_administration_has_no_change() -> None:
    """With one administration there is nothing to compare: change and meaning are unknown."""
    result = series(phq9_series((1, 20)), Instrument.PHQ9)
    assert result is not None
    assert result.baseline == result.latest
    assert result.change is None
    assert result.meaningful_improvement is None


def test_instrument_without_a_rule_reports_change_but_no_judgement() -> None:
    """DAST-10 has no known change rule, so meaningful change is None, not a guess."""
    result = series(
        [adm(Instrument.DAST10, 1, 8), adm(Instrument.DAST10, 20, 2)], Instrument.DAST10
    )
    assert result is not None
    assert result.change == -6
    assert result.meaningful_improvement is None
    assert result.meaningful_worsening is None


@pytest.mark.parametrize(
    ("instrument", "baseline", "latest", "improved", "worsened"),
    [
        (Instrument.GAD7, 19, 15, True, False),  # 4 points: meaningful (Toussaint 2020)
        (Instrument.GAD7, 15, 14, False, False),  # 1 point
        (Instrument.GAD7, 10, 14, False, True),  # mirror rule
        (Instrument.PCL5, 58, 48, True, False),  # 10 points: clinically meaningful
        (Instrument.PCL5, 52, 49, False, False),  # 3 points
        (Instrument.PCL5, 30, 40, False, True),
        (Instrument.AUDIT, 22, 17, True, False),  # zone IV -> III
        (Instrument.AUDIT, 15, 8, False, False),  # 7 points, still zone II
        (Instrument.AUDIT, 7, 8, False, True),  # zone I -> II
    ],
)
def test_gad7_pcl5_audit_change_rules(
    instrument: Instrument, baseline: int, latest: int, improved: bool, worsened: bool
) -> None:
    """GAD-7 (4 points), PCL-5 (10 points) and AUDIT (WHO zone moves) have change rules
    from clinical-thresholds.md §1."""
    result = series([adm(instrument, 1, baseline), adm(instrument, 28, latest)], instrument)
    assert result is not None
    assert (result.meaningful_improvement, result.meaningful_worsening) == (improved, worsened)
    assert result.rule is CHANGE_RULES[instrument]


def test_rules_are_replaceable() -> None:
    """A caller's rule set replaces the default one."""
    rules = {Instrument.GAD7: ChangeRule(improvement_points=4, verified=False, note="site policy")}
    result = series(
        [adm(Instrument.GAD7, 1, 12), adm(Instrument.GAD7, 20, 8)], Instrument.GAD7, rules=rules
    )
    assert result is not None
    assert result.meaningful_improvement is True
    assert result.meaningful_worsening is False


def test_cssrs_series_has_no_totals_to_compare() -> None:
    """The C-SSRS screener has no total, so its series reports dates and risk, no change."""
    items = (1, 0, 0, 0, 0, 0, 0)
    admins = [
        MeasureAdministration(
            instrument=Instrument.CSSRS_SCREENER, administered_on=date(2026, 3, d), items=items
        )
        for d in (1, 8)
    ]
    result = series(admins, Instrument.CSSRS_SCREENER)
    assert result is not None
    assert result.change is None
    assert result.latest.result.risk_level == "low"


def test_invalid_administration_raises_with_its_position() -> None:
    """An invalid administration raises InvalidCaseError naming its position in the input."""
    admins = [
        adm(Instrument.GAD7, 1, 3),
        MeasureAdministration(
            instrument=Instrument.PHQ9, administered_on=date(2026, 3, 2), items=(0,) * 8 + (5,)
        ),
    ]
    with pytest.raises(InvalidCaseError) as info:
        series(admins, Instrument.PHQ9)
    assert info.value.errors == ("$[1].items[8]: must be 0, 1, 2 or 3",)


@given(st.lists(measure_administrations(Instrument.PHQ9), min_size=1, max_size=6))
def test_series_properties(admins: list[MeasureAdministration]) -> None:
    """Change is latest − baseline; improvement and worsening never both hold."""
    result = series(admins, Instrument.PHQ9)
    assert result is not None
    assert len(result.points) == len(admins)
    dates = [p.administered_on for p in result.points]
    assert dates == sorted(dates)
    if len(admins) == 1:
        assert result.change is None
        return
    first, last = result.baseline.result.total, result.latest.result.total
    assert first is not None
    assert last is not None
    assert result.change == last - first
    assert not (result.meaningful_improvement and result.meaningful_worsening)
    assert result.meaningful_improvement is (last - first <= -5)
