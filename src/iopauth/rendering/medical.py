"""Medical status and withdrawal risk in a letter's words, with the recorded values and dates.

A letter states the dated vital signs, weight and laboratory values the case records, not only
the clinician's yes/no on medical stability. When those values are past the eating-disorder
thresholds the criteria apply (domain/clinical-thresholds.md §2, judged by
:func:`iopauth.criteria._medical_facts.medical_values`, the same function the criteria read),
the letter names the values and the thresholds and never calls the patient medically stable.
The withdrawal sentences quote the risk facts the withdrawal criterion weighs beside the score
(clinical-thresholds.md §3): PAWSS with its date, a past seizure or delirium tremens, last use
and a recorded ASAM Dimension 1 rating.
"""

from __future__ import annotations

from ..criteria._medical_facts import medical_values
from ..criteria._withdrawal_facts import PAWSS_HIGH
from ..model import Case, LabResult, RatingInstrument, TimeOfDay, Vitals, WithdrawalRisk
from .environment import long_date, number
from .labels import label

__all__ = [
    "medical_sentences",
    "stable_without_concern",
    "threshold_sentence",
    "values_sentences",
    "withdrawal_risk_sentences",
    "withdrawal_sentences",
]


def _vitals_parts(v: Vitals) -> list[str]:
    parts: list[str] = []
    if v.heart_rate_bpm is not None:
        when = "night-time " if v.time_of_day is TimeOfDay.NIGHT else ""
        parts.append(f"{when}heart rate {v.heart_rate_bpm} bpm")
    if v.systolic_mm_hg is not None and v.diastolic_mm_hg is not None:
        parts.append(f"blood pressure {v.systolic_mm_hg}/{v.diastolic_mm_hg} mm Hg")
    elif v.systolic_mm_hg is not None:
        parts.append(f"systolic blood pressure {v.systolic_mm_hg} mm Hg")
    elif v.diastolic_mm_hg is not None:
        parts.append(f"diastolic blood pressure {v.diastolic_mm_hg} mm Hg")
    if v.orthostatic_pulse_rise_bpm is not None:
        parts.append(f"orthostatic pulse rise {v.orthostatic_pulse_rise_bpm} bpm")
    if v.orthostatic_systolic_fall_mm_hg is not None:
        parts.append(f"orthostatic systolic fall {v.orthostatic_systolic_fall_mm_hg} mm Hg")
    if v.orthostatic_diastolic_fall_mm_hg is not None:
        parts.append(f"orthostatic diastolic fall {v.orthostatic_diastolic_fall_mm_hg} mm Hg")
    if v.temperature_f is not None:
        parts.append(f"temperature {v.temperature_f:g} °F")
    if v.bmi is not None:
        parts.append(f"BMI {v.bmi:g}")
    if v.percent_median_bmi is not None:
        parts.append(f"weight {v.percent_median_bmi:g}% of the median BMI for age and sex")
    return parts


def _lab_text(lab: LabResult) -> str:
    return f"{lab.test.value} {number(lab.value)} {lab.unit}"


def values_sentences(case: Case) -> list[str]:
    """``Vital signs on June 5, 2026: heart rate 44 bpm, blood pressure 94/58 mm Hg.`` and the
    laboratory values by date, oldest first; nothing when the case records none."""
    med = case.medical
    if med is None:
        return []
    out = []
    for v in sorted(med.vitals, key=lambda x: x.on):
        parts = _vitals_parts(v)
        if parts:
            out.append(f"Vital signs on {long_date(v.on)}: {', '.join(parts)}.")
    days = sorted({lab.on for lab in med.labs})
    for day in days:
        texts = [_lab_text(lab) for lab in med.labs if lab.on == day]
        out.append(f"Laboratory values on {long_date(day)}: {', '.join(texts)}.")
    return out


def threshold_sentence(case: Case) -> str | None:
    """The recorded values past the eating-disorder thresholds, with the thresholds' source,
    or ``None`` when none is past (or the thresholds do not apply to this patient)."""
    facts = medical_values(case, case.request.request_date)
    found = facts.get("medical.ed_findings")
    if not facts.get("medical.ed_unstable") or not isinstance(found, str):
        return None
    population = facts.get("medical.ed_population")
    return (
        f"These values are past the {population} eating-disorder thresholds "
        f"({facts.get('medical.ed_source')}): {found}. The recorded statement of medical "
        "stability does not hold against these values: a level above intensive outpatient care "
        "is to be considered until a physician clears the patient."
    )


def stable_without_concern(case: Case) -> bool:
    """True when the case records the patient as medically stable and no recorded value is
    past a threshold the criteria apply: only then may a letter say "medically stable"."""
    med = case.medical
    return bool(med is not None and med.medically_stable) and threshold_sentence(case) is None


def medical_sentences(case: Case) -> list[str]:
    """The recorded values (dated), then what they mean against the thresholds or, when no
    threshold applies or none is past, the recorded statement of stability (dated)."""
    med = case.medical
    if med is None:
        return []
    out = values_sentences(case)
    concern = threshold_sentence(case)
    if concern is not None:
        out.append(concern)
    elif med.medically_stable is not None:
        state = "medically stable" if med.medically_stable else "not medically stable"
        if med.assessed_on:
            out.append(
                f"Medical assessment of {long_date(med.assessed_on)}: the patient is {state}."
            )
        else:
            out.append(f"The patient is {state}.")
    return out


def withdrawal_risk_sentences(case: Case) -> list[str]:
    """The withdrawal risk as the clinician recorded it."""
    med = case.medical
    if med is None or med.withdrawal_risk is None:
        return []
    text = f"Withdrawal risk is recorded as {label(med.withdrawal_risk)}"
    if med.withdrawal_risk in (WithdrawalRisk.NONE, WithdrawalRisk.LOW):
        text += "; no medically monitored withdrawal management is needed"
    return [text + "."]


def _risk_facts(case: Case) -> list[str]:
    med = case.medical
    history = None if med is None else med.withdrawal
    if med is None or history is None:
        return []
    parts = []
    if history.pawss is not None:
        parts.append(
            f"PAWSS {history.pawss} (a high risk of complicated withdrawal at {PAWSS_HIGH} or more)"
        )
    if history.seizure_or_dt_history is not None:
        parts.append(
            "a withdrawal seizure or delirium tremens before"
            if history.seizure_or_dt_history
            else "no withdrawal seizure or delirium tremens before"
        )
    if history.last_use is not None:
        parts.append(f"last use on {long_date(history.last_use)}")
    out = []
    if parts:
        where = f"Medical assessment of {long_date(med.assessed_on)}" if med.assessed_on else ""
        joined = "; ".join(parts)
        out.append(f"{where}: {joined}." if where else f"{joined[0].upper()}{joined[1:]}.")
    if history.management_plan:
        plan = history.management_plan.strip().rstrip(".")
        out.append(f"Ambulatory withdrawal-management plan: {plan}.")
    return out


def _asam_dimension_1(case: Case) -> list[str]:
    asam = [r for r in case.level_of_care_ratings if r.instrument is RatingInstrument.ASAM]
    if not asam:
        return []
    rating = max(asam, key=lambda r: r.rated_on)
    dimension_1 = rating.ratings.get("dimension_1")
    if dimension_1 is None:
        return []
    return [
        f"ASAM assessment of {long_date(rating.rated_on)}: Dimension 1 (intoxication and "
        f"withdrawal potential) rated {dimension_1}."
    ]


def withdrawal_sentences(case: Case) -> list[str]:
    """The recorded withdrawal risk and the risk facts weighed beside a withdrawal score."""
    return withdrawal_risk_sentences(case) + _risk_facts(case) + _asam_dimension_1(case)
