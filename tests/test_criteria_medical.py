"""Medical stability in eating disorders decided on the recorded numbers (issue #21 §4;
iopauth.criteria._medical_facts, clinical-thresholds.md §2): adolescent (SAHM 2022) and adult
values apart, a value past a threshold points to inpatient care, the ed-iop overlay asks for
the values."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from iopauth.caseformat.serialize import load_case
from iopauth.criteria import Outcome, Status, derive_facts, evaluate
from iopauth.criteria.result import Determination
from iopauth.model import LevelOfCare

VIGNETTES = Path(__file__).resolve().parent / "data" / "vignettes"


def _vignette(prefix: str) -> dict[str, Any]:
    path = next(VIGNETTES.glob(f"{prefix}-*.json"))
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _run(data: dict[str, Any], case: dict[str, Any], criteria: str | None = None) -> Determination:
    return evaluate(
        load_case(case),
        criteria or data["criteria"],
        data["review"],
        as_of=date.fromisoformat(data["as_of"]),
    )


def _with(prefix: str, vitals: dict[str, Any], labs: list[dict[str, Any]] | None = None) -> Any:
    data = _vignette(prefix)
    case = copy.deepcopy(data["case"])
    on = case["medical"]["vitals"][0]["on"]
    case["medical"]["vitals"] = [{"on": on, **vitals}]
    case["medical"]["labs"] = [{"on": on, **lab} for lab in labs or []]
    return data, case


def test_adult_heart_rate_and_potassium_past_thresholds_point_to_inpatient() -> None:
    """Adult anorexia, HR 38 and K 2.8 with a 'medically stable' tick box: the exclusion
    applies, the reason quotes both values, the date and the disagreement."""
    data = _vignette("06")
    result = _run(data, data["case"])
    finding = result.by_criterion()["ex.medical_instability"]
    assert finding.status is Status.APPLIES
    assert finding.reason == (
        "The record states that the patient is medically stable, but the values of May 1, 2026 "
        "are past the adult eating-disorder thresholds (APA 2006-era values, World Psychiatry "
        "review table): heart rate 38 bpm (below 40), blood pressure "
        "88/56 mm Hg (below 90/60) and potassium 2.8 mEq/L (below 3.0). A level above intensive "
        "outpatient care is to be considered until a physician clears the patient."
    )
    assert result.outcome is Outcome.DOES_NOT_MEET
    assert result.recommended_level is LevelOfCare.INPATIENT
    assert any("medical stability" in m for m in result.missing_documentation)


def test_adolescent_values_are_sahm_2022_not_the_adult_ones() -> None:
    """A 15-year-old's daytime HR 46 is past SAHM's 50 (the adult 40 would pass it); her
    potassium 2.9 has no SAHM number and does not decide."""
    data = _vignette("07")
    finding = _run(data, data["case"]).by_criterion()["ex.medical_instability"]
    assert finding.status is Status.APPLIES
    assert "daytime heart rate 46 bpm (below 50)" in finding.reason
    assert "Society for Adolescent Health and Medicine 2022" in finding.reason
    assert "potassium" not in finding.reason


@pytest.mark.parametrize(
    ("prefix", "vitals", "labs", "unstable"),
    [
        ("07", {"heart_rate_bpm": 47, "time_of_day": "night"}, [], False),  # night: below 45
        ("07", {"heart_rate_bpm": 44, "time_of_day": "night"}, [], True),
        ("07", {"orthostatic_pulse_rise_bpm": 35}, [], False),  # under 19: above 40
        ("07", {"orthostatic_pulse_rise_bpm": 41}, [], True),
        ("07", {"percent_median_bmi": 75}, [], True),  # 75% or less
        ("07", {"temperature_f": 95.9}, [], True),
        ("07", {"systolic_mm_hg": 95, "diastolic_mm_hg": 44}, [], True),
        ("06", {"heart_rate_bpm": 45}, [], False),  # adult: below 40
        ("06", {"heart_rate_bpm": 72, "temperature_f": 96.9}, [], True),  # adult: below 97 °F
        (
            "06",
            {"heart_rate_bpm": 72},
            [{"test": "potassium", "value": 3.1, "unit": "mEq/L"}],
            False,
        ),
        ("06", {"heart_rate_bpm": 72}, [{"test": "glucose", "value": 55, "unit": "mg/dL"}], True),
        ("06", {"orthostatic_pulse_rise_bpm": 21}, [], True),  # adult: above 20
    ],
)
def test_thresholds_by_population(
    prefix: str, vitals: dict[str, Any], labs: list[dict[str, Any]], unstable: bool
) -> None:
    """Each threshold of clinical-thresholds.md §2 in its population, at its edge."""
    data, case = _with(prefix, vitals, labs)
    facts = derive_facts(load_case(case), date.fromisoformat(data["as_of"]))
    assert facts["medical.ed_unstable"] is unstable


def test_values_within_thresholds_read_stable_with_their_date() -> None:
    """Adult values within every threshold: the statement stands, and the reason dates the
    vitals it was checked against."""
    data, case = _with("06", {"heart_rate_bpm": 62, "systolic_mm_hg": 104, "diastolic_mm_hg": 68})
    finding = _run(data, case).by_criterion()["ex.medical_instability"]
    assert finding.status is Status.DOES_NOT_APPLY
    assert finding.reason.endswith(
        "the vital signs of May 1, 2026 are within the adult eating-disorder thresholds "
        "(APA 2006-era values, World Psychiatry review table)."
    )


def test_vitals_of_a_patient_without_an_eating_disorder_are_not_judged() -> None:
    """The thresholds are eating-disorder thresholds: a depressed patient's HR 38 is not."""
    data, case = _with("06", {"heart_rate_bpm": 38})
    case["diagnoses"] = [{"code": "F33.1", "primary": True}]
    facts = derive_facts(load_case(case), date.fromisoformat(data["as_of"]))
    assert facts["medical.ed_unstable"] is None
    assert _run(data, case).by_criterion()["ex.medical_instability"].status is (
        Status.DOES_NOT_APPLY
    )


def test_eating_disorder_has_no_fitting_measure_and_says_so() -> None:
    """measures.md names no eating-disorder measure: the baseline criterion says so instead of
    asking for a PHQ-9."""
    data = _vignette("06")
    finding = _run(data, data["case"]).by_criterion()["adm.baseline_measure"]
    assert finding.status is Status.MET
    assert finding.reason == (
        "No standardized symptom measure for an eating disorder (F50.012) is among the measures "
        "scored here; severity rests on the medical findings and functioning."
    )


def test_ed_overlay_asks_for_the_values() -> None:
    """ed-iop extends iop-standard: without vitals, weight and potassium it asks for them."""
    data = _vignette("06")
    case = copy.deepcopy(data["case"])
    case["medical"].pop("vitals")
    case["medical"].pop("labs")
    result = _run(data, case, "ed-iop")
    finding = result.by_criterion()["ed.medical_values"]
    assert finding.status is Status.UNKNOWN
    assert finding.reason == (
        "No dated vital signs, weight or electrolytes are recorded, so medical stability rests "
        "on the statement alone."
    )
    assert result.outcome is Outcome.INSUFFICIENT_INFORMATION
    assert "adm.impairment" in result.by_criterion()  # the base set's criteria are all there
