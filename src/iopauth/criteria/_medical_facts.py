"""Medical stability in eating disorders decided on the recorded numbers (issue #21 §4).

The thresholds are domain/clinical-thresholds.md §2, kept as data with their sources; a value
past any one of them points to a level above intensive outpatient care until a physician clears
the patient ("any one item justifies hospitalization", SAHM 2022). They apply only when a
diagnosis is an eating disorder (ICD-10-CM F50): the numbers come from eating-disorder
sources and say nothing of other patients.

Populations. Under 18 the Society for Adolescent Health and Medicine 2022 values apply
(adolescents and young adults with restrictive eating disorders [verified]); from 18 the adult
values of the World Psychiatry review table of APA-2006-era criteria ([verified] as that table;
that they equal APA 2006 exactly is [unverified]; APA 2023 Table 6 was not retrieved). SAHM
covers young adults too, but the domain file gives no upper age: 18 is our choice, the set's
adult age elsewhere. Orthostatic pulse: [conflict] SAHM 2022 > 30 bpm over age 19 and > 40
under 19 (our default) vs AAFP 2020 > 20 (alternate, ``ORTHOSTATIC_PULSE_ALTERNATE``); at
exactly 19 we apply > 30 (SAHM names neither side). Electrolytes: SAHM gives no numbers, so
potassium, phosphate and the rest decide only for adults (K < 3.0 mEq/L, glucose < 60 mg/dL in
the adult table); Children's Wisconsin's K < 3.0 for children is that hospital's own criterion
and is not encoded. Adult "BP fall > 10-20 mm Hg": we use a systolic fall above 20 (the
table's range gives no single figure). Temperature is stored in °F (the domain file's choice).
"""

from __future__ import annotations

from datetime import date

from ..model import Case, LabTest, TimeOfDay, Vitals
from ._derive import Specs, Value

SAHM_2022 = "Society for Adolescent Health and Medicine 2022"
ADULT_TABLE = "APA 2006-era values, World Psychiatry review table"
#: AAFP 2020's orthostatic pulse rise (alternate to SAHM's 30/40): ``> 20`` bpm.
ORTHOSTATIC_PULSE_ALTERNATE = 20
_ED_PREFIX = "F50"


def _adolescent_vitals(v: Vitals, age: int) -> list[str]:
    found: list[str] = []
    night = v.time_of_day is TimeOfDay.NIGHT
    hr_cut = 45 if night else 50
    if v.heart_rate_bpm is not None and v.heart_rate_bpm < hr_cut:
        when = "night-time" if night else "daytime"
        found.append(f"{when} heart rate {v.heart_rate_bpm} bpm (below {hr_cut})")
    if (v.systolic_mm_hg is not None and v.systolic_mm_hg < 90) or (
        v.diastolic_mm_hg is not None and v.diastolic_mm_hg < 45
    ):
        found.append(f"blood pressure {_bp(v)} mm Hg (below 90/45)")
    if v.temperature_f is not None and v.temperature_f < 96.0:
        found.append(f"temperature {v.temperature_f:g} °F (below 96 °F)")
    cut = 40 if age < 19 else 30
    rise = v.orthostatic_pulse_rise_bpm
    if rise is not None and rise > cut:
        found.append(f"orthostatic pulse rise {rise} bpm (above {cut})")
    found += _orthostatic_fall(v, systolic=20, diastolic=10)
    if v.percent_median_bmi is not None and v.percent_median_bmi <= 75:
        found.append(f"weight {v.percent_median_bmi:g}% of median BMI (75% or less)")
    return found


def _adult_vitals(v: Vitals) -> list[str]:
    found: list[str] = []
    if v.heart_rate_bpm is not None and v.heart_rate_bpm < 40:
        found.append(f"heart rate {v.heart_rate_bpm} bpm (below 40)")
    if (v.systolic_mm_hg is not None and v.systolic_mm_hg < 90) or (
        v.diastolic_mm_hg is not None and v.diastolic_mm_hg < 60
    ):
        found.append(f"blood pressure {_bp(v)} mm Hg (below 90/60)")
    if v.temperature_f is not None and v.temperature_f < 97.0:
        found.append(f"temperature {v.temperature_f:g} °F (below 97 °F)")
    rise = v.orthostatic_pulse_rise_bpm
    if rise is not None and rise > 20:
        found.append(f"orthostatic pulse rise {rise} bpm (above 20)")
    found += _orthostatic_fall(v, systolic=20, diastolic=None)
    return found


def _orthostatic_fall(v: Vitals, *, systolic: int, diastolic: int | None) -> list[str]:
    found: list[str] = []
    fall = v.orthostatic_systolic_fall_mm_hg
    if fall is not None and fall > systolic:
        found.append(f"orthostatic systolic fall {fall} mm Hg (above {systolic})")
    fall = v.orthostatic_diastolic_fall_mm_hg
    if diastolic is not None and fall is not None and fall > diastolic:
        found.append(f"orthostatic diastolic fall {fall} mm Hg (above {diastolic})")
    return found


def _bp(v: Vitals) -> str:
    def part(x: int | None) -> str:
        return "?" if x is None else str(x)

    return f"{part(v.systolic_mm_hg)}/{part(v.diastolic_mm_hg)}"


# Adult laboratory thresholds (World Psychiatry table): (test, below, units accepted, words).
_ADULT_LABS: tuple[tuple[LabTest, float, frozenset[str], str], ...] = (
    (LabTest.POTASSIUM, 3.0, frozenset({"meq/l", "mmol/l"}), "potassium {v:g} {u} (below 3.0)"),
    (LabTest.GLUCOSE, 60.0, frozenset({"mg/dl"}), "glucose {v:g} {u} (below 60)"),
)


def medical_values(case: Case, as_of: date) -> dict[str, Value]:
    m = case.medical
    eating_disorder = any(d.code.upper().startswith(_ED_PREFIX) for d in case.diagnoses)
    if m is None:
        return {"medical.eating_disorder": eating_disorder}
    vitals = [v for v in m.vitals if v.on <= as_of]
    labs = [lab for lab in m.labs if lab.on <= as_of]
    facts: dict[str, Value] = {
        "medical.eating_disorder": eating_disorder,
        "medical.assessed_on": None if m.assessed_on is None else m.assessed_on.isoformat(),
        "medical.has_vitals": bool(vitals),
        "medical.has_weight": any(
            v.bmi is not None or v.percent_median_bmi is not None for v in vitals
        ),
        "medical.has_electrolytes": any(lab.test is LabTest.POTASSIUM for lab in labs),
        "medical.values_on": max(v.on for v in vitals).isoformat() if vitals else None,
    }
    if not eating_disorder or not (vitals or labs):
        return facts
    age = case.patient.age_on(as_of)
    adolescent = age < 18
    found: list[tuple[date, str]] = []
    latest = max(vitals, key=lambda v: v.on) if vitals else None
    if latest is not None:
        items = _adolescent_vitals(latest, age) if adolescent else _adult_vitals(latest)
        found += [(latest.on, item) for item in items]
    if not adolescent:
        for test, below, units, words in _ADULT_LABS:
            done = [lab for lab in labs if lab.test is test and lab.unit.lower() in units]
            if done:
                lab = max(done, key=lambda x: x.on)
                if lab.value < below:
                    found.append((lab.on, words.format(v=lab.value, u=lab.unit)))
    dates = sorted({on for on, _ in found})
    facts.update(
        {
            "medical.ed_unstable": bool(found),
            "medical.ed_population": "adolescent" if adolescent else "adult",
            "medical.ed_source": SAHM_2022 if adolescent else ADULT_TABLE,
            "medical.ed_findings": _and([text for _, text in found]) if found else None,
            "medical.ed_on": dates[-1].isoformat() if dates else None,
        }
    )
    return facts


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_M = "$.medical"
MEDICAL_SPECS: Specs = {
    "medical_values": (
        medical_values,
        (
            (
                "medical.eating_disorder",
                "bool",
                "$.diagnoses",
                "A recorded diagnosis is an eating disorder (ICD-10-CM F50).",
            ),
            ("medical.assessed_on", "string", "$.medical.assessed_on", "Date of the statement."),
            ("medical.has_vitals", "bool", "$.medical.vitals", "Dated vital signs are recorded."),
            (
                "medical.has_weight",
                "bool",
                "$.medical.vitals",
                "A BMI or % median BMI is recorded.",
            ),
            (
                "medical.has_electrolytes",
                "bool",
                "$.medical.labs",
                "A potassium value is recorded.",
            ),
            (
                "medical.ed_unstable",
                "bool",
                _M,
                "Eating disorder: a recorded vital sign, weight or lab is past a threshold of "
                "clinical-thresholds.md §2 (unknown without values).",
            ),
            ("medical.ed_population", "string", _M, "adolescent (under 18) or adult."),
            ("medical.ed_source", "string", _M, "The threshold source applied, by name."),
            (
                "medical.ed_findings",
                "string",
                _M,
                "The values past a threshold, each with its threshold, in words.",
            ),
            ("medical.ed_on", "string", _M, "Date of the latest value past a threshold (ISO)."),
            ("medical.values_on", "string", "$.medical.vitals", "Date of the latest vitals."),
        ),
    ),
}
