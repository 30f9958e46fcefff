"""The proposed treatment plan and the authorization request that carries it."""

from __future__ import annotations

import math
from datetime import date

from attrs import frozen

from ._base import DateRange, LevelOfCare, Redacted, StrEnum


class Weekday(StrEnum):
    """Days of the week."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


@frozen(kw_only=True, repr=False)
class Session(Redacted):
    """One scheduled program session in the week."""

    day: Weekday
    minutes: int


@frozen(kw_only=True, repr=False)
class Schedule(Redacted):
    """The weekly schedule: days and hours per day, or a list of sessions with durations.

    Give either ``days_per_week`` with ``hours_per_day`` or ``sessions``, not both.
    """

    days_per_week: int | None = None
    hours_per_day: float | None = None
    sessions: tuple[Session, ...] = ()

    @property
    def days(self) -> int:
        """Program days per week."""
        if self.sessions:
            return len({s.day for s in self.sessions})
        return self.days_per_week or 0

    @property
    def hours_per_week(self) -> float:
        """Scheduled program hours per week."""
        if self.sessions:
            return sum(s.minutes for s in self.sessions) / 60
        return (self.days_per_week or 0) * (self.hours_per_day or 0.0)


class CodeSystem(StrEnum):
    """Code systems for services."""

    HCPCS = "hcpcs"
    CPT = "cpt"


@frozen(kw_only=True, repr=False)
class PlannedService(Redacted):
    """A service in the plan, with its code and how often it is given."""

    code: str
    sessions_per_week: float
    minutes_per_session: int
    system: CodeSystem = CodeSystem.CPT
    label: str | None = None

    @property
    def hours_per_week(self) -> float:
        """Hours per week this service takes."""
        return self.sessions_per_week * self.minutes_per_session / 60


class GoalStatus(StrEnum):
    """Progress on a treatment goal."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    MET = "met"
    REVISED = "revised"


@frozen(kw_only=True, repr=False)
class Goal(Redacted):
    """A measurable treatment goal."""

    description: str
    measure: str
    target_date: date
    status: GoalStatus = GoalStatus.NOT_STARTED
    progress: str | None = None


@frozen(kw_only=True, repr=False)
class TreatmentPlan(Redacted):
    """The proposed program: level, schedule, services, goals and the way out.

    ``start_date`` is the admission (or planned admission) date; ``weeks`` the expected length
    of stay, which may run past the period one request covers. ``certified_by_npi`` and
    ``certified_on`` record a physician's certification (42 CFR 424.24, medicare-iop.md §5).
    """

    level: LevelOfCare
    start_date: date
    weeks: int
    schedule: Schedule
    services: tuple[PlannedService, ...] = ()
    goals: tuple[Goal, ...] = ()
    discharge_plan: str | None = None
    step_down_level: LevelOfCare | None = None
    signed_on: date | None = None
    certified_by_npi: str | None = None
    certified_on: date | None = None
    last_reviewed: date | None = None

    @property
    def services_hours_per_week(self) -> float:
        """Hours per week that the listed services add up to."""
        return sum(s.hours_per_week for s in self.services)


class RequestKind(StrEnum):
    """What the request asks for."""

    INITIAL = "initial"
    CONCURRENT = "concurrent"
    EXTENSION = "extension"
    APPEAL = "appeal"


class Urgency(StrEnum):
    """Expedited requests have shorter decision deadlines (tracking.md §3)."""

    STANDARD = "standard"
    EXPEDITED = "expedited"


class UnitType(StrEnum):
    """How the payer counts units (tracking.md §1)."""

    PER_DIEM = "per_diem"
    HOUR = "hour"
    SESSION = "session"


class DocumentKind(StrEnum):
    """Documents a payer may want attached (documents.md §2)."""

    PSYCHIATRIC_EVALUATION = "psychiatric_evaluation"
    PHYSICIAN_RECOMMENDATION = "physician_recommendation"
    TREATMENT_PLAN = "treatment_plan"
    MEASURE_SCORES = "measure_scores"
    MEDICATION_LIST = "medication_list"
    RISK_ASSESSMENT = "risk_assessment"
    SAFETY_PLAN = "safety_plan"
    DISCHARGE_SUMMARY = "discharge_summary"
    PROGRAM_SCHEDULE = "program_schedule"
    DISCHARGE_PLAN = "discharge_plan"
    PAYER_FORM = "payer_form"
    PHYSICIAN_CERTIFICATION = "physician_certification"
    PROGRESS_NOTES = "progress_notes"
    ATTENDANCE_RECORD = "attendance_record"
    LEVEL_OF_CARE_ASSESSMENT = "level_of_care_assessment"
    DENIAL_LETTER = "denial_letter"
    OTHER = "other"


@frozen(kw_only=True, repr=False)
class DocumentOnHand(Redacted):
    """A document the program has and can attach."""

    kind: DocumentKind
    dated: date | None = None
    title: str | None = None


@frozen(kw_only=True, repr=False)
class Denial(Redacted):
    """The adverse determination an appeal answers."""

    decided_on: date
    reference: str | None = None
    stated_reason: str | None = None
    unmet_criteria: tuple[str, ...] = ()


@frozen(kw_only=True, repr=False)
class AuthorizationRequest(Redacted):
    """The request itself: kind, urgency, the period and service asked for, and attachments.

    Units are derived (``units``), never stored: per diem counts program days, hour counts
    scheduled hours, session counts sessions, over the whole weeks of ``period``.
    """

    kind: RequestKind
    request_date: date
    period: DateRange
    service_code: str
    urgency: Urgency = Urgency.STANDARD
    unit_type: UnitType = UnitType.PER_DIEM
    revenue_code: str | None = None
    authorization_number: str | None = None
    documents: tuple[DocumentOnHand, ...] = ()
    denial: Denial | None = None

    @property
    def weeks(self) -> int:
        """Whole weeks the requested period spans (a part week counts as one)."""
        days = self.period.days()
        return math.ceil(days / 7) if days else 0
