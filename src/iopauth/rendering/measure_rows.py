"""Each instrument's baseline and latest scores as a row, a sentence and a change in words.

The baseline is the score each change is measured from: in a continued-stay letter the score at
admission, otherwise the first score recorded; every letter heads its column "Baseline" and says
which it is. A change is worded by the instrument's published change rule
(:data:`iopauth.measures.CHANGE_RULES`, measures.md and clinical-thresholds.md §1): a change
smaller than the rule is "no meaningful change" however the points moved, and an instrument
without a rule gets no meaning at all. A score without published bands says so.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import attrs

from ..model import Case, Instrument
from .environment import band, long_date, number
from .views import MeasureRow

if TYPE_CHECKING:
    from ..measures import ChangeRule, MeasureResult

_INSTRUMENT_ORDER = tuple(Instrument)


# How many days after admission a first administration may still stand for the score at
# admission when none was recorded on or before the admission date. The domain files give no
# such window (measures.md and clinical-thresholds.md §7 say "latest vs admission scores"
# without one); our conservative choice is one week, the span documents.md §1 gives for the
# symptoms that justify admission ("symptoms in the last week"). [unverified] Later than that,
# the row says "First" and "Measures since admission" is not claimed for it.
ADMISSION_WINDOW = timedelta(days=7)


def _admission_index(dates: list[date], admitted: date) -> int | None:
    """The administration that stands for the score at admission: the last on or before
    ``admitted``, else the first within :data:`ADMISSION_WINDOW` after it, else ``None``."""
    before = [i for i, d in enumerate(dates) if d <= admitted]
    if before:
        return before[-1]
    return next((i for i, d in enumerate(dates) if d <= admitted + ADMISSION_WINDOW), None)


def measure_rows(case: Case, since: date | None = None) -> tuple[MeasureRow, ...]:
    """Each instrument the case records, scored: first (or, with ``since``, the score at
    admission on ``since``) and latest totals with bands; the change is between those two."""
    # imported here: only the documents that show measures pay for loading the scorer
    from ..measures import CHANGE_RULES, SPECS, series

    rows = []
    present = {m.instrument for m in case.measures}
    for instrument in _INSTRUMENT_ORDER:
        if instrument not in present:
            continue
        one = series(case.measures, instrument, sex=case.patient.sex)
        if one is None:
            continue
        start, at_admission = 0, False
        if since is not None:
            found = _admission_index([p.administered_on for p in one.points], since)
            if found is not None:
                start, at_admission = found, True
        points = one.points[start:]
        baseline, latest = points[0], points[-1]
        base, last = baseline.result, latest.result
        spec = SPECS[instrument]
        change = (
            last.total - base.total
            if len(points) > 1 and base.total is not None and last.total is not None
            else None
        )
        risk = None if last.risk_level is None else last.risk_level.value
        rule = CHANGE_RULES.get(instrument)
        row = MeasureRow(
            instrument=instrument,
            name=spec.name,
            count=len(points),
            baseline_date=baseline.administered_on,
            baseline_total=base.total,
            baseline_band=base.severity,
            latest_date=latest.administered_on,
            latest_total=last.total,
            latest_band=last.severity,
            maximum=spec.total_max,
            change=change,
            risk_level=risk,
            flags=last.flags,
            points=tuple(
                (p.administered_on, p.result.total) for p in points if p.result.total is not None
            ),
            band_edges=tuple(b.low for b in spec.bands[1:]),
            change_words="",
            risk_words=risk_words(risk),
            at_admission=at_admission,
            baseline_words=result_words(base),
            latest_words=result_words(last),
            meaning=change_meaning(change, base.total, last.total, rule),
            rule_words=rule_words(rule),
        )
        rows.append(attrs.evolve(row, change_words=change_words(row)))
    return tuple(rows)


_RISK_WORDS = {
    "none": "no risk identified",
    "low": "low risk",
    "moderate": "moderate risk",
    "high": "high risk",
}


def risk_words(level: str | None) -> str:
    """A C-SSRS screener's risk level as a clinician writes it: ``no risk identified``."""
    return "" if level is None else _RISK_WORDS.get(level, f"{level} risk")


def result_words(result: MeasureResult) -> str:
    """The band of a score in words, or for a screen without bands its published cut-off
    (AUDIT-C: ``positive screen (cut-off 4)``), else ``no published bands``; empty for a
    C-SSRS screener, which has a risk level instead (:attr:`MeasureRow.risk_words`)."""
    if result.total is None:
        return ""
    if result.severity:
        return band(result.severity)
    if result.positive is not None and result.cutoff is not None:
        side = "positive screen" if result.positive else "negative screen"
        return f"{side} (cut-off {result.cutoff})"
    return "no published bands"


def rule_words(rule: ChangeRule | None) -> str:
    """The size of a meaningful change under ``rule``: ``5 points``."""
    if rule is None:
        return ""
    if rule.zones:
        return "a move between risk zones"
    parts = []
    if rule.improvement_points is not None:
        parts.append(f"{rule.improvement_points} points")
    if rule.improvement_percent is not None:
        parts.append(f"{number(rule.improvement_percent)}%")
    return " or ".join(parts)


def change_meaning(
    change: int | None, first: int | None, last: int | None, rule: ChangeRule | None
) -> str:
    """``improved``, ``no meaningful change`` or ``worse`` by the instrument's change rule;
    empty when there is no change to judge or no published rule (lower totals are better)."""
    # imported here: only the documents that show measures pay for loading the scorer
    from ..measures._series import changed

    if change is None or rule is None:
        return ""
    _, _, improved, worsened = changed(2, first, last, rule)
    if improved:
        return "improved"
    if worsened:
        return "worse"
    return "no meaningful change"


def score_text(total: int | None, words: str) -> str:
    """``18 (moderately severe)``: a total with its band or screen words."""
    if total is None:
        return ""
    return f"{total} ({words})" if words else str(total)


def measure_sentence(m: MeasureRow) -> str:
    """``PHQ-9 12 (moderate) on June 1, 2026, down 6 points from 18 (…) on May 4, 2026.``"""
    if m.latest_total is None:
        risk = f": {m.risk_words}" if m.risk_words else ""
        return f"{m.name} on {long_date(m.latest_date)}{risk}."
    latest = f"{m.name} {score_text(m.latest_total, m.latest_words)} on {long_date(m.latest_date)}"
    if m.count < 2 or m.change is None or m.baseline_total is None:
        return latest + "."
    points = "point" if abs(m.change) == 1 else "points"
    if m.change == 0:
        movement = "unchanged from"
    else:
        movement = f"{'up' if m.change > 0 else 'down'} {abs(m.change)} {points} from"
    baseline = score_text(m.baseline_total, m.baseline_words)
    meaning = f": {m.meaning}" if m.meaning else ""
    return f"{latest}, {movement} {baseline} on {long_date(m.baseline_date)}{meaning}."


def change_words(m: MeasureRow) -> str:
    """The change between baseline and latest total in words, for a chart's caption, with
    what it means under the instrument's change rule."""
    if m.change is None or m.baseline_total is None or m.latest_total is None:
        return ""
    since = " at admission" if m.at_admission else ""
    meaning = ""
    if m.meaning:
        meaning = f" {_MEANING_SENTENCE[m.meaning].format(name=m.name, rule=m.rule_words)}"
    if m.change == 0:
        return (
            f"{m.name} is unchanged at {m.latest_total} since {long_date(m.baseline_date)}"
            f"{since}.{meaning}"
        )
    direction = "fell" if m.change < 0 else "rose"
    points = "point" if abs(m.change) == 1 else "points"
    return (
        f"{m.name} {direction} {abs(m.change)} {points}, from {m.baseline_total}{since} on "
        f"{long_date(m.baseline_date)} to {m.latest_total} on {long_date(m.latest_date)}."
        f"{meaning}"
    )


_MEANING_SENTENCE = {
    "improved": "By the {name}'s change rule ({rule}) that is a meaningful improvement.",
    "worse": "By the {name}'s change rule ({rule}) that is a meaningful worsening.",
    "no meaningful change": "By the {name}'s change rule ({rule}) that is no meaningful change.",
}
