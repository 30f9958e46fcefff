"""The proposed treatment plan and the authorization request that carries it."""

from __future__ import annotations

import math
from datetime import date

from attrs import field, frozen

from ._base import (
    DateRange,
    LevelOfCare,
    Redacted,
    StrEnum,
    enum_member,
    level_of_care,
    optional_level_of_care,
)


class Weekday(StrEnum):
    """Days of the week."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


def _weekday(value: Weekday | str) -> Weekday:
    return value if type(value) is Weekday else enum_member(Weekday, value)


@frozen(kw_only=True, repr=False)
class Session(Redacted):
    """One scheduled program session in the week.

    ``day``: a :class:`Weekday` or its value (``"mon"`` … ``"sun"``). ``minutes``: the
    session's length in minutes, 1 to 1440; sessions on one day add up to at most 24 hours.
    """

    day: Weekday = field(converter=_weekday)
    minutes: int


@frozen(kw_only=True, repr=False)
class Schedule(Redacted):
    """The weekly schedule: days and hours per day, or a list of sessions with durations.

    Give either ``days_per_week`` with ``hours_per_day`` or ``sessions``, not both.
    ``days_per_week``: program days per week, 0 to 7. ``hours_per_day``: program hours on
    each of those days, 0 to 24 (a float: ``3.5``). ``sessions``: a tuple of :class:`Session`.
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


def _code_system(value: CodeSystem | str) -> CodeSystem:
    return value if type(value) is CodeSystem else enum_member(CodeSystem, value)


@frozen(kw_only=True, repr=False)
class PlannedService(Redacted):
    """A service in the plan, with its code and how often it is given.

    ``code``: a CPT (``90853``) or HCPCS Level II (``G0410``) code, as ``system`` says
    (``"cpt"``, the default, or ``"hcpcs"``). ``sessions_per_week``: more than 0, at most 168
    (a float: ``0.5`` is every other week). ``minutes_per_session``: 1 to 1440. The services'
    hours may exceed the schedule's by at most a quarter hour (rounding).
    """

    code: str
    sessions_per_week: float
    minutes_per_session: int
    system: CodeSystem = field(default=CodeSystem.CPT, converter=_code_system)
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


def _goal_status(value: GoalStatus | str | None) -> GoalStatus | None:
    if value is None:
        return None
    return value if type(value) is GoalStatus else enum_member(GoalStatus, value)


@frozen(kw_only=True, repr=False)
class Goal(Redacted):
    """A measurable treatment goal.

    ``measure``: how progress is measured, in words (``PHQ-9 below 10``). ``target_date``: not
    before the plan's ``start_date``. ``status``: ``"not_started"``, ``"in_progress"``,
    ``"met"`` or ``"revised"``, or ``None`` (the default) when the record does not say — never
    read as "not started"; ``progress``: free text.
    """

    description: str
    measure: str
    target_date: date
    status: GoalStatus | None = field(default=None, converter=_goal_status)
    progress: str | None = None


@frozen(kw_only=True, repr=False)
class PlanRevision(Redacted):
    """A dated review of the plan and what it changed.

    ``on``: the review date. ``changes``: what changed (services, medication, goals), in the
    clinician's words; absent or blank when the review changed nothing. A review that changed
    nothing is not a plan change when progress stalls (payer-criteria.md §2 item 10).
    """

    on: date
    changes: str | None = None


@frozen(kw_only=True, repr=False)
class TreatmentPlan(Redacted):
    """The proposed program: level, schedule, services, goals and the way out.

    ``start_date`` is the admission (or planned admission) date; ``weeks`` the expected length
    of stay, which may run past the period one request covers. ``certified_by_npi`` and
    ``certified_on`` record a physician's certification (42 CFR 424.24, medicare-iop.md §5).

    ``level``: the plan's level, ``"outpatient"``, ``"iop"`` or ``"php"`` (a
    :class:`~iopauth.model.LevelOfCare` or its value). ``weeks``: whole weeks, 1 to 104.
    ``step_down_level``: a less intensive level than ``level``. ``services`` and ``goals``:
    tuples. ``certified_by_npi``: a 10-digit NPI with a valid check digit. Dates are
    :class:`datetime.date` objects.
    """

    level: LevelOfCare = field(converter=level_of_care)
    start_date: date
    weeks: int
    schedule: Schedule
    services: tuple[PlannedService, ...] = ()
    goals: tuple[Goal, ...] = ()
    discharge_plan: str | None = None
    step_down_level: LevelOfCare | None = field(default=None, converter=optional_level_of_care)
    signed_on: date | None = None
    certified_by_npi: str | None = None
    certified_on: date | None = None
    last_reviewed: date | None = None
    revisions: tuple[PlanRevision, ...] = ()

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


def _request_kind(value: RequestKind | str) -> RequestKind:
    return value if type(value) is RequestKind else enum_member(RequestKind, value)


class Urgency(StrEnum):
    """Expedited requests have shorter decision deadlines (tracking.md §3)."""

    STANDARD = "standard"
    EXPEDITED = "expedited"


def _urgency(value: Urgency | str) -> Urgency:
    return value if type(value) is Urgency else enum_member(Urgency, value)


class UnitType(StrEnum):
    """How the payer counts units (tracking.md §1)."""

    PER_DIEM = "per_diem"
    HOUR = "hour"
    SESSION = "session"


def _unit_type(value: UnitType | str) -> UnitType:
    return value if type(value) is UnitType else enum_member(UnitType, value)


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


def _document_kind(value: DocumentKind | str) -> DocumentKind:
    return value if type(value) is DocumentKind else enum_member(DocumentKind, value)


@frozen(kw_only=True, repr=False)
class DocumentOnHand(Redacted):
    """A document the program has and can attach.

    ``kind``: a :class:`DocumentKind` or its value (``"psychiatric_evaluation"``,
    ``"treatment_plan"``, ``"safety_plan"``, …). ``dated``: not after the request date.
    ``pages``: how many pages staff will add to the fax packet for it (1 to 1000), when known;
    the fax cover adds it to the packet's count.
    """

    kind: DocumentKind = field(converter=_document_kind)
    dated: date | None = None
    title: str | None = None
    pages: int | None = None


@frozen(kw_only=True, repr=False)
class Denial(Redacted):
    """The adverse determination an appeal answers.

    ``decided_on``: not after the request date. ``reference``: the payer's reference number.
    ``unmet_criteria``: the criteria the payer named, as a tuple of strings in its words.
    """

    decided_on: date
    reference: str | None = None
    stated_reason: str | None = None
    unmet_criteria: tuple[str, ...] = ()


@frozen(kw_only=True, repr=False)
class AuthorizationRequest(Redacted):
    """The request itself: kind, urgency, the period and service asked for, and attachments.

    Units are derived (``units``), never stored: per diem counts program days, hour counts
    scheduled hours, session counts sessions, over the whole weeks of ``period``.

    ``kind``: ``"initial"``, ``"concurrent"``, ``"extension"`` or ``"appeal"`` (an appeal needs
    ``denial``). ``period``: the dates requested, both ends included; ``end`` is required.
    ``service_code``: the HCPCS or CPT code of the program (``S9480``, ``H0015``).
    ``urgency``: ``"standard"`` (default) or ``"expedited"``. ``unit_type``: ``"per_diem"``
    (default), ``"hour"`` or ``"session"``. ``revenue_code``: a 4-digit UB-04 revenue code
    (``0905``). ``documents``: a tuple of :class:`DocumentOnHand`. ``expedited_reason``: the
    treating clinician's own statement of why the standard time frame could seriously harm the
    patient; letters quote it for an expedited request and, without it, say only that an
    expedited review is requested.
    """

    kind: RequestKind = field(converter=_request_kind)
    request_date: date
    period: DateRange
    service_code: str
    urgency: Urgency = field(default=Urgency.STANDARD, converter=_urgency)
    unit_type: UnitType = field(default=UnitType.PER_DIEM, converter=_unit_type)
    revenue_code: str | None = None
    authorization_number: str | None = None
    documents: tuple[DocumentOnHand, ...] = ()
    denial: Denial | None = None
    expedited_reason: str | None = None

    @property
    def weeks(self) -> int:
        """Whole weeks the requested period spans (a part week counts as one)."""
        days = self.period.days()
        return math.ceil(days / 7) if days else 0
