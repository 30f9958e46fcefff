"""Derived values a mapping can name (``derived = "hours_per_week"``).

Each is a pure function of the case (and, for the last few, of the determination). Forms ask for
these more than for stored fields: an age, the hours per week, the units asked for, the primary
diagnosis code, an address on one line. ``docs/forms.md`` lists them with this same text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from attrs import frozen

from ..model import Address, Case, Clinician, LevelOfCare, TreatmentEpisode

if TYPE_CHECKING:
    from ..criteria import Determination

__all__ = ["DERIVED", "Derived"]


@frozen
class Derived:
    """A derived value: one line of documentation and how to compute it."""

    doc: str
    compute: Callable[[Case, Determination | None], object]
    needs_determination: bool = False


def _street(address: Address | None) -> str | None:
    return None if address is None else ", ".join(address.lines)


def _city_state_zip(address: Address | None) -> str | None:
    if address is None:
        return None
    return f"{address.city}, {address.state} {address.postal_code}"


def _full_address(address: Address | None) -> str | None:
    if address is None:
        return None
    return f"{_street(address)}, {_city_state_zip(address)}"


def _contact(case: Case) -> Clinician | None:
    """The clinician marked ``contact``, else the first clinician with a phone."""
    marked = [c for c in case.clinicians if c.contact]
    with_phone = [c for c in case.clinicians if c.phone]
    chosen = marked or with_phone
    return chosen[0] if chosen else None


def _attending(case: Case) -> Clinician | None:
    physicians = [c for c in case.clinicians if c.is_physician]
    return physicians[0] if physicians else None


def _name_credentials(clinician: Clinician | None) -> str | None:
    if clinician is None:
        return None
    return f"{clinician.name.full}, {clinician.credentials}"


def _hours_per_day(case: Case) -> float | None:
    schedule = case.plan.schedule
    if schedule.hours_per_day is not None:
        return schedule.hours_per_day
    return schedule.hours_per_week / schedule.days if schedule.days else None


def _secondary_codes(case: Case) -> str | None:
    codes = [d.code for d in case.diagnoses if not d.primary]
    return ", ".join(codes) or None


def _outpatient_trial(case: Case) -> TreatmentEpisode | None:
    """The latest outpatient episode the history records as begun before the plan's start."""
    trials = [
        e
        for e in case.history
        if e.level is LevelOfCare.OUTPATIENT and e.period.start < case.plan.start_date
    ]
    return max(trials, key=lambda e: e.period.start, default=None)


def _d(doc: str, compute: Callable[[Case], object]) -> Derived:
    return Derived(doc, lambda case, _determination: compute(case))


def _with_determination(doc: str, compute: Callable[[Determination], object]) -> Derived:
    def run(case: Case, determination: Determination | None) -> object:
        if determination is None:  # the caller of fill() evaluates when a mapping needs it
            raise RuntimeError("a determination is needed")
        return compute(determination)

    return Derived(doc, run, needs_determination=True)


DERIVED: dict[str, Derived] = {
    "age": _d("the patient's age in whole years on the request date", lambda c: c.age),
    "hours_per_week": _d(
        "scheduled program hours per week", lambda c: c.plan.schedule.hours_per_week
    ),
    "days_per_week": _d("program days per week", lambda c: c.plan.schedule.days),
    "hours_per_day": _d(
        "program hours per day (hours per week over days when the plan lists sessions)",
        _hours_per_day,
    ),
    "weeks_requested": _d(
        "whole weeks the requested period spans (a part week counts as one)",
        lambda c: c.request.weeks,
    ),
    "units": _d(
        "units the request asks for, by the request's unit type (per diem, hour or session)",
        lambda c: c.requested_units,
    ),
    "primary_diagnosis_code": _d(
        "the ICD-10-CM code of the primary diagnosis", lambda c: c.primary_diagnosis.code
    ),
    "primary_diagnosis_description": _d(
        "the primary diagnosis's description as the case gives it",
        lambda c: c.primary_diagnosis.description,
    ),
    "secondary_diagnosis_codes": _d(
        "the other diagnoses' codes, comma-separated", _secondary_codes
    ),
    "patient_street": _d(
        "the patient's street lines on one line", lambda c: _street(c.patient.address)
    ),
    "patient_city_state_zip": _d(
        "the patient's city, state and ZIP code: 'Springfield, OR 97477'",
        lambda c: _city_state_zip(c.patient.address),
    ),
    "patient_address": _d(
        "the patient's whole address on one line", lambda c: _full_address(c.patient.address)
    ),
    "program_street": _d(
        "the program's street lines on one line", lambda c: _street(c.program.address)
    ),
    "program_city_state_zip": _d(
        "the program's city, state and ZIP code", lambda c: _city_state_zip(c.program.address)
    ),
    "program_address": _d(
        "the program's whole address on one line", lambda c: _full_address(c.program.address)
    ),
    "contact_name": _d(
        "the clinical contact (the clinician marked contact, else the first with a phone)",
        lambda c: None if (x := _contact(c)) is None else x.name.full,
    ),
    "contact_name_credentials": _d(
        "the clinical contact's name and credentials: 'Dana Whitfield, RN'",
        lambda c: _name_credentials(_contact(c)),
    ),
    "contact_phone": _d(
        "the clinical contact's phone, else the program's",
        lambda c: x.phone if (x := _contact(c)) is not None and x.phone else c.program.phone,
    ),
    "attending_name_credentials": _d(
        "the first physician on the case (attending or psychiatrist) with credentials",
        lambda c: _name_credentials(_attending(c)),
    ),
    "attending_npi": _d(
        "the first physician's NPI", lambda c: None if (x := _attending(c)) is None else x.npi
    ),
    "medications": _d(
        "current medications on one line: 'Sertraline 150 mg once daily; …'",
        lambda c: (
            "; ".join(
                " ".join(p for p in (m.name, m.dose, m.frequency) if p)
                for m in c.medications
                if m.end_date is None
            )
            or None
        ),
    ),
    # a history without an outpatient episode may simply not record one: no answer then
    "outpatient_trial": _d(
        "true when the treatment history records outpatient care begun before the plan's start; "
        "no answer when it records none",
        lambda c: True if _outpatient_trial(c) is not None else None,
    ),
    "outpatient_trial_start": _d(
        "the start date of the latest such outpatient episode",
        lambda c: None if (e := _outpatient_trial(c)) is None else e.period.start,
    ),
    "outpatient_trial_end": _d(
        "its end date (no answer while it is ongoing)",
        lambda c: None if (e := _outpatient_trial(c)) is None else e.period.end,
    ),
    "outcome": _with_determination(
        "the determination's outcome: meets, does_not_meet or insufficient_information",
        lambda d: d.outcome,
    ),
    "recommended_level": _with_determination(
        "the level of care the determination points to, when it points away from the plan's",
        lambda d: d.recommended_level,
    ),
}
