"""The case: everything one prior-authorization request needs, in one immutable record."""

from __future__ import annotations

import math

from attrs import frozen

from ._base import Redacted
from .clinical import (
    Diagnosis,
    Engagement,
    FunctionalImpairment,
    LevelOfCareRating,
    MeasureAdministration,
    MedicalStatus,
    Medication,
    Presentation,
    Psychosocial,
    RiskAssessment,
    TreatmentEpisode,
)
from .coverage import Coverage
from .patient import Patient
from .plan import AuthorizationRequest, TreatmentPlan, UnitType
from .provider import Clinician, Program


@frozen(kw_only=True, repr=False)
class Case(Redacted):
    """One patient's request for intensive outpatient (or partial hospitalization) care.

    ``case_id`` is an opaque reference chosen by the caller (never a medical record number):
    it is the only identifier iopauth puts in logs and file names.
    """

    case_id: str
    patient: Patient
    coverage: Coverage
    program: Program
    clinicians: tuple[Clinician, ...]
    diagnoses: tuple[Diagnosis, ...]
    plan: TreatmentPlan
    request: AuthorizationRequest
    presentation: Presentation | None = None
    medications: tuple[Medication, ...] = ()
    measures: tuple[MeasureAdministration, ...] = ()
    risk: RiskAssessment | None = None
    functioning: tuple[FunctionalImpairment, ...] = ()
    medical: MedicalStatus | None = None
    history: tuple[TreatmentEpisode, ...] = ()
    psychosocial: Psychosocial | None = None
    engagement: Engagement | None = None
    level_of_care_ratings: tuple[LevelOfCareRating, ...] = ()

    @property
    def age(self) -> int:
        """The patient's age in whole years on the request date."""
        return self.patient.age_on(self.request.request_date)

    @property
    def primary_diagnosis(self) -> Diagnosis:
        """The diagnosis marked primary (validation guarantees exactly one)."""
        return next(d for d in self.diagnoses if d.primary)

    @property
    def requested_units(self) -> float:
        """Units the request asks for, derived from the schedule and the requested period."""
        schedule = self.plan.schedule
        weeks = self.request.weeks
        if self.request.unit_type is UnitType.PER_DIEM:
            return schedule.days * weeks
        if self.request.unit_type is UnitType.HOUR:
            return math.ceil(schedule.hours_per_week * weeks)
        per_week = len(schedule.sessions) or schedule.days
        return per_week * weeks
