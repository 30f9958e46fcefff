"""Build valid, fully documented Case objects for tests, with overrides by dotted path.

``build_case()`` is an adult with a recurrent depressive disorder and a co-occurring alcohol
use disorder, requesting 12 hours a week of IOP (services that add up to the schedule) after
outpatient care failed, severely impaired at work and moderately in social life, on one
medication: it meets ``iop-standard`` (initial and continued), ``medicare-iop`` and
``sud-iop``. Overrides replace one attribute deep in the case:
``build_case({"risk.imminent_danger": True})``; a path that ends in a record that is ``None``
(e.g. ``risk`` itself) is set as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from iopauth.caseformat.validity import remember_valid
from iopauth.levels import dimension_keys
from iopauth.model import (
    Address,
    AuthorizationRequest,
    Case,
    Clinician,
    ClinicianRole,
    Coverage,
    DateRange,
    Diagnosis,
    Engagement,
    EpisodeOutcome,
    FunctionalDomain,
    FunctionalImpairment,
    Goal,
    GoalStatus,
    Housing,
    IdeationLevel,
    Instrument,
    LevelOfCare,
    LevelOfCareRating,
    MeasureAdministration,
    MedicalStatus,
    Medication,
    Patient,
    PersonName,
    PlannedService,
    PlanType,
    Presentation,
    Program,
    Psychosocial,
    RatingInstrument,
    RequestKind,
    RiskAssessment,
    Schedule,
    Setting,
    Severity,
    Sex,
    TreatmentEpisode,
    TreatmentPlan,
    WithdrawalRisk,
)

START = date(2026, 3, 2)
REQUEST = date(2026, 3, 20)
PHYSICIAN_NPI = "1987654328"
THERAPIST_NPI = "1543210987"


def base_case() -> Case:
    """The fully documented adult IOP case every test starts from."""
    address = Address(lines=("1 Test Street",), city="Portland", state="ME", postal_code="04101")
    return Case(
        case_id="test-case",
        patient=Patient(
            name=PersonName(given="Test", family="Patient"),
            birth_date=date(1986, 1, 15),
            sex=Sex.FEMALE,
        ),
        coverage=Coverage(payer_name="Test Payer", plan_type=PlanType.MEDICARE, member_id="M1"),
        program=Program(
            name="Test IOP",
            npi="1234567893",
            tin="93-1234567",
            address=address,
            phone="(555) 010-0000",
            setting=Setting.HOSPITAL_OUTPATIENT,
        ),
        clinicians=(
            Clinician(
                name=PersonName(given="Ann", family="Doctor"),
                credentials="MD",
                role=ClinicianRole.ATTENDING_PHYSICIAN,
                npi=PHYSICIAN_NPI,
            ),
            Clinician(
                name=PersonName(given="Tom", family="Therapist"),
                credentials="LCSW",
                role=ClinicianRole.THERAPIST,
                npi=THERAPIST_NPI,
            ),
        ),
        diagnoses=(Diagnosis(code="F33.1", primary=True), Diagnosis(code="F10.20")),
        plan=TreatmentPlan(
            level=LevelOfCare.IOP,
            start_date=START,
            weeks=8,
            schedule=Schedule(days_per_week=3, hours_per_day=4.0),
            services=(
                # 10.5 + 1.5 = 12 hours a week: the schedule's 3 days of 4 hours
                PlannedService(code="90853", sessions_per_week=6, minutes_per_session=105),
                PlannedService(code="90834", sessions_per_week=2, minutes_per_session=45),
            ),
            goals=(
                Goal(
                    description="Reduce depressive symptoms",
                    measure="PHQ-9 below 10",
                    target_date=date(2026, 4, 27),
                    status=GoalStatus.IN_PROGRESS,
                    progress="PHQ-9 down from 20 to 12",
                ),
            ),
            discharge_plan="Step down to weekly outpatient therapy.",
            step_down_level=LevelOfCare.OUTPATIENT,
            signed_on=START,
            certified_by_npi=PHYSICIAN_NPI,
            certified_on=START,
        ),
        request=AuthorizationRequest(
            kind=RequestKind.INITIAL,
            request_date=REQUEST,
            period=DateRange(start=START, end=date(2026, 4, 26)),
            service_code="S9480",
        ),
        presentation=Presentation(
            assessed_on=START,
            symptoms=("low mood", "poor sleep"),
            outpatient_insufficient=True,
            primarily_social_or_custodial=False,
        ),
        measures=(
            MeasureAdministration(instrument=Instrument.PHQ9, administered_on=START, total=20),
            MeasureAdministration(
                instrument=Instrument.PHQ9, administered_on=date(2026, 3, 16), total=12
            ),
        ),
        risk=RiskAssessment(
            assessed_on=START,
            suicidal_ideation=IdeationLevel.PASSIVE,
            suicide_plan=False,
            suicide_intent=False,
            homicidal_ideation=IdeationLevel.NONE,
            self_harm_recent=False,
            safety_plan=True,
            imminent_danger=False,
        ),
        functioning=(
            FunctionalImpairment(domain=FunctionalDomain.WORK, severity=Severity.SEVERE),
            FunctionalImpairment(domain=FunctionalDomain.SOCIAL, severity=Severity.MODERATE),
        ),
        medications=(Medication(name="sertraline", dose="100 mg", frequency="daily"),),
        medical=MedicalStatus(
            medically_stable=True,
            withdrawal_risk=WithdrawalRisk.LOW,
            condition_prevents_benefit=False,
        ),
        history=(
            TreatmentEpisode(
                level=LevelOfCare.OUTPATIENT,
                period=DateRange(start=date(2025, 9, 1), end=date(2026, 2, 20)),
                outcome=EpisodeOutcome.INSUFFICIENT_RESPONSE,
            ),
        ),
        psychosocial=Psychosocial(
            housing=Housing.STABLE,
            safe_environment=True,
            support_system=True,
            transportation=True,
            family_involved=True,
        ),
        engagement=Engagement(
            able_to_participate=True,
            willing=True,
            consent_signed=True,
            expected_to_improve=True,
            sessions_scheduled=8,
            sessions_attended=7,
        ),
        level_of_care_ratings=(
            asam("2.1"),
            LevelOfCareRating(
                instrument=RatingInstrument.LOCUS,
                rated_on=date(2026, 3, 3),
                ratings=dict(_LOCUS_RATINGS),
                recommended_level="3",
            ),
        ),
    )


# Every dimension rated, as validation requires; no fact reads the ratings, only the levels.
# LOCUS ratings are 1-5 (domain/level-of-care.md §1); the domain gives no ASAM range, so the
# ASAM values are test data only.
_LOCUS_RATINGS = dict.fromkeys(dimension_keys(RatingInstrument.LOCUS), 3)
_ASAM_RATINGS = dict.fromkeys(dimension_keys(RatingInstrument.ASAM), 2)


def locus(level: str, rated_on: date = date(2026, 3, 4)) -> LevelOfCareRating:
    """A LOCUS rating recording ``level``, dated after the base case's ratings."""
    return LevelOfCareRating(
        instrument=RatingInstrument.LOCUS,
        rated_on=rated_on,
        ratings=dict(_LOCUS_RATINGS),
        recommended_level=level,
    )


def asam(level: str) -> LevelOfCareRating:
    """An ASAM (3rd edition) rating recording ``level``."""
    return LevelOfCareRating(
        instrument=RatingInstrument.ASAM,
        rated_on=START,
        ratings=dict(_ASAM_RATINGS),
        recommended_level=level,
        version="3",
    )


def weekly(days: int, hours_per_day: float) -> dict[str, Any]:
    """Overrides for a schedule of ``days`` x ``hours_per_day`` with services that fill it."""
    return {
        "plan.schedule": Schedule(days_per_week=days, hours_per_day=hours_per_day),
        "plan.services": (
            PlannedService(
                code="90853", sessions_per_week=days, minutes_per_session=round(hours_per_day * 60)
            ),
        ),
    }


def episode(level: LevelOfCare, outcome: EpisodeOutcome) -> TreatmentEpisode:
    """A closed episode of care ending shortly before admission."""
    return TreatmentEpisode(
        level=level,
        period=DateRange(start=date(2026, 1, 5), end=date(2026, 2, 20)),
        outcome=outcome,
    )


def with_path(obj: Any, path: str, value: Any) -> Any:
    """``obj`` with the attribute at dotted ``path`` replaced by ``value``."""
    head, _, rest = path.partition(".")
    if not rest:
        return attrs.evolve(obj, **{head: value})
    inner = getattr(obj, head)
    if inner is None:
        raise ValueError(f"cannot set {path}: {head} is not recorded in this case")
    return attrs.evolve(obj, **{head: with_path(inner, rest, value)})


def unchecked(case: Case) -> Case:
    """``case`` marked as already checked, although it breaks a rule of the case format.

    ``evaluate`` and ``render`` refuse an invalid case. Only tests of the engine's handling of
    facts that no valid case can lack (no diagnosis, no weekly hours, a blank discharge plan)
    use this, to reach those defensive branches on purpose.
    """
    remember_valid(case)
    return case


def build_case(overrides: Mapping[str, Any] | None = None) -> Case:
    """The base case with ``overrides`` (dotted path -> value) applied in order."""
    case = base_case()
    for path, value in (overrides or {}).items():
        case = with_path(case, path, value)
    return case
