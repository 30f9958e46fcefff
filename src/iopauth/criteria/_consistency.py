"""Inconsistent records: two recorded facts that disagree, reported with both figures.

The line (docs/case-format.md, "Invalid versus inconsistent"): a case is *invalid* when a value
cannot be represented or is impossible, and ``load_case`` refuses it; it is *inconsistent* when
two recorded facts disagree. An inconsistent case loads. Each disagreement becomes a note on
the determination that gives both figures, and a line on the checklist asking for the record
to be reconciled. Which figure decides is stated in each note:

* listed services against the schedule's weekly hours: the hours criteria read both (met when
  both reach the threshold, not met when both fall short, unknown when they fall on either
  side, see criteria/_plan_facts.py);
* sessions attended against sessions scheduled: attendance counts as full (both figures say
  every scheduled session was attended; the extra sessions are not counted);
* a rating's composite against the sum of its ratings: the recorded level is used as recorded
  (iopauth never derives a level from scores, domain/level-of-care.md §0); the composite is
  not used by any criterion;
* a measure's recorded total against the sum of its item answers: the item answers are
  scored (the total is their arithmetic; a total that differs was added or copied wrongly);
* the clinician's withdrawal-risk rating (none, low, moderate) against a recorded high risk of
  complicated withdrawal (PAWSS 4 or more, or a past withdrawal seizure or delirium tremens;
  clinical-thresholds.md §3): each criterion reads its own fact (the rating, or the score with
  the risk facts) and its reason says which; the note names both.
"""

from __future__ import annotations

from attrs import frozen

from .._support.dates import long_date
from ..caseformat.rules import SERVICES_TOLERANCE
from ..levels import dimension_keys
from ..measures import SPECS
from ..measures._validate import item_total
from ..model import (
    Case,
    Instrument,
    LevelOfCareRating,
    MeasureAdministration,
    RatingInstrument,
    WithdrawalRisk,
)
from ._withdrawal_facts import PAWSS_HIGH
from ._wording import number

__all__ = ["Inconsistency", "inconsistencies"]


@frozen(kw_only=True)
class Inconsistency:
    """Two recorded facts that disagree.

    ``path``: where in the case (for tools, never printed in a letter). ``note``: both figures
    and which one the determination used, in words. ``reconcile``: what staff should do, for
    the checklist.
    """

    path: str
    note: str
    reconcile: str


_RATING_NAMES = {
    RatingInstrument.LOCUS: "LOCUS",
    RatingInstrument.CALOCUS_CASII: "CALOCUS-CASII",
    RatingInstrument.ASAM: "ASAM",
}


def _hours(value: float) -> str:
    return f"{number(value)} hour{'' if value == 1 else 's'}"


def services_against_schedule(case: Case) -> Inconsistency | None:
    """The listed services' weekly hours against the schedule's, beyond rounding."""
    plan = case.plan
    if not plan.services:
        return None
    scheduled = plan.schedule.hours_per_week
    listed = plan.services_hours_per_week
    if abs(listed - scheduled) <= SERVICES_TOLERANCE:
        return None
    return Inconsistency(
        path="$.plan.services",
        note=(
            f"The schedule gives {_hours(scheduled)} a week; the listed services add up to "
            f"{_hours(listed)}. The hours criteria are met only when both figures reach the "
            "threshold."
        ),
        reconcile=(
            f"Reconcile the plan: the schedule gives {_hours(scheduled)} a week but the listed "
            f"services add up to {_hours(listed)}. Correct the schedule or the service list so "
            "they agree."
        ),
    )


def attendance(case: Case) -> Inconsistency | None:
    """More sessions attended than scheduled."""
    engagement = case.engagement
    if engagement is None:
        return None
    scheduled, attended = engagement.sessions_scheduled, engagement.sessions_attended
    if scheduled is None or attended is None or attended <= scheduled:
        return None
    return Inconsistency(
        path="$.engagement.sessions_attended",
        note=(
            f"The attendance record gives {attended} sessions attended of {scheduled} "
            "scheduled; attendance is counted as full, and the extra sessions are not counted."
        ),
        reconcile=(
            f"Reconcile the attendance record: {attended} sessions attended but only "
            f"{scheduled} scheduled. Count make-up sessions as scheduled, or correct the counts."
        ),
    )


def rating_composite(rating: LevelOfCareRating) -> tuple[int, int] | None:
    """``(recorded composite, sum of the ratings)`` when they differ, else ``None``."""
    composite = rating.composite
    keys = dimension_keys(rating.instrument)
    ratings = rating.ratings
    if composite is None or rating.instrument is RatingInstrument.ASAM:
        return None
    values = [ratings.get(key) for key in keys]
    if not all(isinstance(v, int) for v in values):
        return None
    total = sum(int(v) for v in values if v is not None)
    return None if total == composite else (composite, total)


def _rating(rating: LevelOfCareRating, index: int) -> Inconsistency | None:
    found = rating_composite(rating)
    if found is None:
        return None
    composite, total = found
    name = _RATING_NAMES[rating.instrument]
    when = long_date(rating.rated_on)
    return Inconsistency(
        path=f"$.level_of_care_ratings[{index}].composite",
        note=(
            f"The {name} rating of {when} records a composite score of {composite}; its "
            f"ratings add up to {total}. The recommended level is used as the clinician "
            "recorded it."
        ),
        reconcile=(
            f"Reconcile the {name} rating of {when}: composite {composite}, ratings adding up "
            f"to {total}. Check the ratings and the composite in the licensed tool."
        ),
    )


def measure_total(adm: MeasureAdministration) -> tuple[int, int] | None:
    """``(recorded total, sum of the item answers)`` when they differ, else ``None``."""
    spec = SPECS.get(adm.instrument)
    if spec is None or adm.total is None or adm.items is None or not spec.has_total:
        return None
    if adm.instrument is Instrument.CSSRS_SCREENER:
        return None
    total = item_total(spec, adm.items)
    return None if total == adm.total else (adm.total, total)


def _measure(adm: MeasureAdministration, index: int) -> Inconsistency | None:
    found = measure_total(adm)
    if found is None:
        return None
    recorded, total = found
    name = SPECS[adm.instrument].name
    when = long_date(adm.administered_on)
    return Inconsistency(
        path=f"$.measures[{index}].total",
        note=(
            f"The {name} of {when} records a total of {recorded}; its item answers add up to "
            f"{total}. The item answers are scored ({total})."
        ),
        reconcile=(
            f"Reconcile the {name} of {when}: recorded total {recorded}, item answers adding "
            f"up to {total}. Correct the total on the scored form."
        ),
    )


def withdrawal_rating(case: Case) -> Inconsistency | None:
    """A withdrawal risk rated below high beside a recorded high risk of complicated
    withdrawal."""
    medical = case.medical
    if medical is None or medical.withdrawal is None or medical.withdrawal_risk is None:
        return None
    if medical.withdrawal_risk is WithdrawalRisk.HIGH:
        return None
    history = medical.withdrawal
    high = []
    if history.pawss is not None and history.pawss >= PAWSS_HIGH:
        high.append(f"a PAWSS of {history.pawss} ({PAWSS_HIGH} or more is high risk)")
    if history.seizure_or_dt_history:
        high.append("a past withdrawal seizure or delirium tremens")
    if not high:
        return None
    rated = medical.withdrawal_risk.value
    return Inconsistency(
        path="$.medical.withdrawal_risk",
        note=(
            f"The clinician rates withdrawal risk {rated}, but the record holds "
            f"{' and '.join(high)}, a high risk of complicated withdrawal. The findings on "
            "withdrawal name which of the two each one reads."
        ),
        reconcile=(
            f"Reconcile the withdrawal risk: rated {rated}, while {' and '.join(high)} "
            f"{'mean' if len(high) > 1 else 'means'} a high risk of complicated withdrawal. "
            "Update the rating, or document why ambulatory withdrawal management is safe."
        ),
    )


def inconsistencies(case: Case) -> tuple[Inconsistency, ...]:
    """Every disagreement between two recorded facts of ``case``: measures, ratings,
    attendance, then the plan."""
    found: list[Inconsistency | None] = []
    found.extend(_measure(adm, i) for i, adm in enumerate(case.measures))
    found.extend(_rating(r, i) for i, r in enumerate(case.level_of_care_ratings))
    found.append(attendance(case))
    found.append(services_against_schedule(case))
    found.append(withdrawal_rating(case))
    return tuple(item for item in found if item is not None)
