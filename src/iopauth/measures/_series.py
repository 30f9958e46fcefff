"""Scores over time: baseline, latest, change, and whether the change is clinically meaningful.

Continued-stay criteria and the concurrent-review letter use this to show progress, or its
absence. A "meaningful change" needs a published rule; where none is known the answer is
``None`` (not documented), never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from types import MappingProxyType

from attrs import frozen

from ..errors import InvalidCaseError
from ..model import Instrument, MeasureAdministration, Sex
from ..model._base import Redacted
from ._result import MeasureResult
from ._scoring import ScoringConfig, score
from ._validate import join_path, problems

# How many days after admission a first administration may still stand for the score at
# admission when none was recorded on or before the admission date. The domain files give no
# such window (measures.md and clinical-thresholds.md §7 say "latest vs admission scores"
# without one); our conservative choice is one week, the span documents.md §1 gives for the
# symptoms that justify admission ("symptoms in the last week"). [unverified]
ADMISSION_WINDOW = timedelta(days=7)


def admission_index(dates: Sequence[date], admitted: date) -> int | None:
    """The administration (index into ``dates``, in date order) that stands for the score at
    admission on ``admitted``: the last on or before it, else the first within
    :data:`ADMISSION_WINDOW` after it, else ``None``. Progress is measured from this score in
    the criteria and in the letters alike."""
    before = [i for i, d in enumerate(dates) if d <= admitted]
    if before:
        return before[-1]
    return next((i for i, d in enumerate(dates) if d <= admitted + ADMISSION_WINDOW), None)


@frozen(kw_only=True)
class ChangeRule:
    """When a change in total counts as clinically meaningful (lower totals are better).

    Improvement: a fall of at least ``improvement_points`` or at least ``improvement_percent``
    of the baseline. Worsening: a rise of at least ``worsening_points`` or
    ``worsening_percent``. A ``None`` threshold is not applied. ``zones``: the lower bounds of
    risk zones above the first (AUDIT: 8, 16, 20); when given, change is a move between zones,
    not points (clinical-thresholds.md §1: "encode alcohol change as zone transitions").
    ``verified`` labels the improvement rule, ``worsening_verified`` the worsening rule.
    """

    improvement_points: int | None = None
    improvement_percent: float | None = None
    worsening_points: int | None = None
    worsening_percent: float | None = None
    verified: bool
    note: str
    zones: tuple[int, ...] = ()
    worsening_verified: bool = False

    def zone(self, total: int) -> int:
        """The 0-based zone ``total`` falls in (0 without zones)."""
        return sum(1 for low in self.zones if total >= low)


#: Known change rules, from domain/clinical-thresholds.md §1 (our choices where it records a
#: conflict). No deterioration threshold is validated for any instrument: each worsening rule
#: mirrors the improvement figure [unverified, our choice], so a criterion never rests on it
#: alone. Replace via ``series(..., rules=...)``.
CHANGE_RULES: Mapping[Instrument, ChangeRule] = MappingProxyType(
    {
        # MCID 5 points (Löwe04, 2 x SEM) [verified]; response >= 50% lower (HEDIS DRR-E,
        # KP20) [verified]. [conflict] Kounali22's ~1.7 points: our choice is 5.
        # clinical-thresholds.md §1: "no change" is an absolute change under 5 and the MCID
        # is 5 (Löwe 2004); response (50% lower, HEDIS DRR-E, from an elevated index score)
        # is a flag, not a second way to "meaningful" (4 points from 8 is 50% yet no change).
        Instrument.PHQ9: ChangeRule(
            improvement_points=5,
            worsening_points=5,
            verified=True,
            note=(
                "PHQ-9: a fall of 5 points (the minimal clinically important difference, Löwe "
                "2004) counts as improvement; a rise of 5 as worsening is our unverified "
                "mirror rule"
            ),
        ),
        # [conflict] 4 (Toussaint20) vs 6 (Bischoff20 reliable change) vs ~1.5 (Kounali22):
        # our choice is "meaningful" at 4; deterioration = rise >= 4 [unverified mirror].
        Instrument.GAD7: ChangeRule(
            improvement_points=4,
            worsening_points=4,
            verified=True,
            note=(
                "GAD-7: a fall of 4 points is meaningful (Toussaint 2020; 6 is the reliable "
                "change, Bischoff 2020); a rise of 4 as worsening is our unverified mirror rule"
            ),
        ),
        # [conflict] reliable change 5-10 (NCPTSD, PCL for DSM-IV) vs 15/18 (Marx22); MID 9-12
        # (Blanchard23). Our choice: "clinically meaningful" at 10 [verified, copy only].
        Instrument.PCL5: ChangeRule(
            improvement_points=10,
            worsening_points=10,
            verified=True,
            note=(
                "PCL-5: a fall of 10 points is clinically meaningful (National Center for PTSD; "
                "9-12 in Blanchard 2023); a rise of 10 as worsening is our unverified mirror rule"
            ),
        ),
        # No validated point change (AUDITcut); change is a move between WHO zones
        # (I 0-7, II 8-15, III 16-19, IV 20-40, measures.md §1) [verified zones; zone moves as
        # the change rule follow Bradley16's risk-group transitions, shown for AUDIT-C].
        # AUDIT-C: its risk-group score bands are [unverified], so it has no rule.
        Instrument.AUDIT: ChangeRule(
            verified=True,
            zones=(8, 16, 20),
            worsening_verified=True,
            note=(
                "AUDIT: change is a move between WHO risk zones, not points (no point change "
                "is validated; Bradley 2016 for risk-group transitions)"
            ),
        ),
    }
)


@frozen(kw_only=True, repr=False)
class MeasurePoint(Redacted):
    """One scored administration and its date."""

    administered_on: date
    result: MeasureResult


@frozen(kw_only=True, repr=False)
class MeasureSeries(Redacted):
    """The administrations of one instrument in date order, with the change since baseline.

    ``change`` is latest − baseline (negative is improvement on every instrument here) and
    ``percent_change`` that change as a percentage of the baseline. Both are ``None`` with a
    single administration, without totals (C-SSRS), or (percentage) from a baseline of 0.
    ``meaningful_improvement`` / ``meaningful_worsening`` are ``None`` when no rule is known
    for the instrument or there is nothing to compare.
    """

    instrument: Instrument
    points: tuple[MeasurePoint, ...]
    baseline: MeasurePoint
    latest: MeasurePoint
    change: int | None
    percent_change: float | None
    meaningful_improvement: bool | None
    meaningful_worsening: bool | None
    rule: ChangeRule | None


def _meets(change: int, percent: float | None, points: int | None, pct: float | None) -> bool:
    """``change`` and ``percent`` are signed so that the direction tested is positive."""
    by_points = points is not None and change >= points
    by_percent = pct is not None and percent is not None and percent >= pct
    return by_points or by_percent


Change = tuple[int | None, float | None, bool | None, bool | None]
"""``(change, percent_change, meaningful_improvement, meaningful_worsening)``."""

_NO_CHANGE: Change = (None, None, None, None)


def changed(count: int, first: int | None, last: int | None, rule: ChangeRule | None) -> Change:
    """The change from a baseline total ``first`` to a latest total ``last`` over ``count``
    administrations, and whether ``rule`` counts it as meaningful (as :class:`MeasureSeries`
    reports it; the criteria facts read it from here)."""
    if count < 2 or first is None or last is None:
        return _NO_CHANGE
    change = last - first
    percent = None if first == 0 else change / first * 100
    improved = worsened = None
    if rule is not None and rule.zones:
        improved = rule.zone(last) < rule.zone(first)
        worsened = rule.zone(last) > rule.zone(first)
    elif rule is not None:
        improved = _meets(
            -change,
            None if percent is None else -percent,
            rule.improvement_points,
            rule.improvement_percent,
        )
        worsened = _meets(change, percent, rule.worsening_points, rule.worsening_percent)
    return change, percent, improved, worsened


def series(
    administrations: Iterable[MeasureAdministration],
    instrument: Instrument,
    *,
    sex: Sex | None = None,
    config: ScoringConfig | None = None,
    rules: Mapping[Instrument, ChangeRule] | None = None,
) -> MeasureSeries | None:
    """The series of ``instrument`` among ``administrations``; ``None`` when there is none.

    Administrations on the same date keep their given order. Invalid ones raise
    :class:`InvalidCaseError` with paths ``$[i]...`` where ``i`` is the position in
    ``administrations``.
    """
    chosen: list[tuple[int, MeasureAdministration]] = [
        (i, adm) for i, adm in enumerate(administrations) if adm.instrument is instrument
    ]
    if not chosen:
        return None
    ordered = sorted((adm for _, adm in chosen), key=lambda adm: adm.administered_on)
    try:
        # scoring checks each administration itself; the lines with every administration's
        # position are gathered only when one fails (a valid series is checked once)
        points = tuple(
            MeasurePoint(
                administered_on=adm.administered_on, result=score(adm, sex=sex, config=config)
            )
            for adm in ordered
        )
    except ValueError:  # InvalidCaseError, or a bad cut-off in ``config``
        errors = [
            f"{join_path(f'$[{i}]', path)}: {rule}"
            for i, adm in chosen
            for path, rule in problems(adm)
        ]
        if errors:
            raise InvalidCaseError(errors) from None
        raise
    baseline, latest = points[0], points[-1]
    rule = (CHANGE_RULES if rules is None else rules).get(instrument)
    first, last = baseline.result.total, latest.result.total
    change, percent, improved, worsened = changed(len(points), first, last, rule)
    return MeasureSeries(
        instrument=instrument,
        points=points,
        baseline=baseline,
        latest=latest,
        change=change,
        percent_change=percent,
        meaningful_improvement=improved,
        meaningful_worsening=worsened,
        rule=rule,
    )
