"""Each instrument's first and latest scores as a row, a sentence and a change in words."""

from __future__ import annotations

import attrs

from ..model import Case, Instrument
from .environment import band, long_date
from .views import MeasureRow

_INSTRUMENT_ORDER = tuple(Instrument)


def measure_rows(case: Case) -> tuple[MeasureRow, ...]:
    """Each instrument the case records, scored: first and latest totals with bands."""
    # imported here: only the documents that show measures pay for loading the scorer
    from ..measures import SPECS, series

    rows = []
    present = {m.instrument for m in case.measures}
    for instrument in _INSTRUMENT_ORDER:
        if instrument not in present:
            continue
        one = series(case.measures, instrument, sex=case.patient.sex)
        if one is None:
            continue
        base, last = one.baseline.result, one.latest.result
        spec = SPECS[instrument]
        row = MeasureRow(
            instrument=instrument,
            name=spec.name,
            count=len(one.points),
            baseline_date=one.baseline.administered_on,
            baseline_total=base.total,
            baseline_band=base.severity,
            latest_date=one.latest.administered_on,
            latest_total=last.total,
            latest_band=last.severity,
            maximum=spec.total_max,
            change=one.change,
            risk_level=None if last.risk_level is None else last.risk_level.value,
            flags=last.flags,
            points=tuple(
                (p.administered_on, p.result.total)
                for p in one.points
                if p.result.total is not None
            ),
            band_edges=tuple(b.low for b in spec.bands[1:]),
            change_words="",
        )
        rows.append(attrs.evolve(row, change_words=change_words(row)))
    return tuple(rows)


def score_text(total: int | None, band_name: str | None) -> str:
    if total is None:
        return ""
    return f"{total} ({band(band_name)})" if band_name else str(total)


def measure_sentence(m: MeasureRow) -> str:
    """``PHQ-9 12 (moderate) on June 1, 2026, down 6 points from 18 (…) on May 4, 2026.``"""
    if m.latest_total is None:
        risk = f": {m.risk_level} risk" if m.risk_level else ""
        return f"{m.name} on {long_date(m.latest_date)}{risk}."
    latest = f"{m.name} {score_text(m.latest_total, m.latest_band)} on {long_date(m.latest_date)}"
    if m.count < 2 or m.change is None or m.baseline_total is None:
        return latest + "."
    points = "point" if abs(m.change) == 1 else "points"
    if m.change == 0:
        movement = "unchanged from"
    else:
        movement = f"{'up' if m.change > 0 else 'down'} {abs(m.change)} {points} from"
    baseline = score_text(m.baseline_total, m.baseline_band)
    return f"{latest}, {movement} {baseline} on {long_date(m.baseline_date)}."


def change_words(m: MeasureRow) -> str:
    """The change between first and latest total in words, for a chart's caption."""
    if m.change is None or m.baseline_total is None or m.latest_total is None:
        return ""
    if m.change == 0:
        return f"{m.name} is unchanged at {m.latest_total} since {long_date(m.baseline_date)}."
    direction = "fell" if m.change < 0 else "rose"
    meaning = "fewer symptoms" if m.change < 0 else "more symptoms"
    return (
        f"{m.name} {direction} {abs(m.change)} points, from {m.baseline_total} on "
        f"{long_date(m.baseline_date)} to {m.latest_total} on {long_date(m.latest_date)} "
        f"({meaning})."
    )
