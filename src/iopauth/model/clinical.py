"""The clinical picture: diagnoses, medications, measures, risk, functioning and history.

Optional booleans mean three things on purpose: ``True``, ``False`` and ``None`` for "not
documented". The criteria engine treats ``None`` as unknown, never as ``False``.
"""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from ._base import DateRange, LevelOfCare, Redacted, StrEnum, enum_member, level_of_care


@frozen(kw_only=True, repr=False)
class Diagnosis(Redacted):
    """An ICD-10-CM diagnosis; ``code`` is stored normalized (``F32.9``).

    ``code``: a billable FY2026 ICD-10-CM code written normalized, upper case with its dot
    (``load_case`` normalizes ``f329``; a case built in code must write ``F32.9``). Exactly one
    diagnosis of a case has ``primary=True``. ``onset``: a :class:`datetime.date`.
    """

    code: str
    primary: bool = False
    description: str | None = None
    onset: date | None = None


@frozen(kw_only=True, repr=False)
class Medication(Redacted):
    """A current medication.

    ``name``, ``dose`` (``50 mg``) and ``frequency`` (``daily``) as written in the chart;
    ``end_date`` is not before ``start_date``.
    """

    name: str
    dose: str | None = None
    frequency: str | None = None
    prescriber: str | None = None
    start_date: date | None = None
    end_date: date | None = None


class Instrument(StrEnum):
    """Standardized measures iopauth scores (domain/measures.md)."""

    PHQ9 = "phq9"
    PHQ2 = "phq2"
    GAD7 = "gad7"
    CSSRS_SCREENER = "cssrs_screener"
    PCL5 = "pcl5"
    AUDIT = "audit"
    AUDIT_C = "audit_c"
    DAST10 = "dast10"


def _instrument(value: Instrument | str) -> Instrument:
    return value if type(value) is Instrument else enum_member(Instrument, value)


@frozen(kw_only=True, repr=False)
class MeasureAdministration(Redacted):
    """One administration of a measure: item answers in instrument order, or a recorded total.

    Answers are the scores as marked on the form (for yes/no items 1 = yes, 0 = no; DAST-10
    item 3 is reversed by the scorer, not here). The C-SSRS screener takes seven answers: Q1–Q6
    and "within the past 3 months".

    ``instrument``: an :class:`Instrument` or its value (``"phq9"``, ``"phq2"``, ``"gad7"``,
    ``"cssrs_screener"``, ``"pcl5"``, ``"audit"``, ``"audit_c"``, ``"dast10"``). ``items``: a
    tuple of integers, one per item, each in the instrument's range (PHQ-9: nine answers 0-3);
    ``total``: the recorded total when the items are not given (it must agree with them when
    both are). Each instrument's item count and answer range is in
    ``iopauth.measures.SPECS`` (domain/measures.md).
    """

    instrument: Instrument = field(converter=_instrument)
    administered_on: date
    items: tuple[int, ...] | None = None
    total: int | None = None


class IdeationLevel(StrEnum):
    """Suicidal or homicidal ideation as the clinician recorded it."""

    NONE = "none"
    PASSIVE = "passive"
    ACTIVE = "active"


def _ideation(value: IdeationLevel | str | None) -> IdeationLevel | None:
    return (
        value
        if value is None or type(value) is IdeationLevel
        else enum_member(IdeationLevel, value)
    )


@frozen(kw_only=True, repr=False)
class RiskAssessment(Redacted):
    """The clinician's risk assessment.

    ``imminent_danger`` is the clinician's judgement that the patient is an imminent danger to
    self or others and needs 24-hour care; criteria read it as an exclusion for IOP.

    ``suicidal_ideation`` and ``homicidal_ideation``: ``"none"``, ``"passive"`` or
    ``"active"``. ``last_attempt_date``: not after ``assessed_on``. Every other answer is
    ``True``, ``False`` or ``None`` (not documented).
    """

    assessed_on: date
    suicidal_ideation: IdeationLevel | None = field(default=None, converter=_ideation)
    suicide_plan: bool | None = None
    suicide_intent: bool | None = None
    homicidal_ideation: IdeationLevel | None = field(default=None, converter=_ideation)
    self_harm_recent: bool | None = None
    last_attempt_date: date | None = None
    safety_plan: bool | None = None
    imminent_danger: bool | None = None
    notes: str | None = None


class FunctionalDomain(StrEnum):
    """Life areas in which impairment is rated."""

    WORK = "work"
    SCHOOL = "school"
    FAMILY = "family"
    SOCIAL = "social"
    SELF_CARE = "self_care"
    HOUSING = "housing"
    LEGAL = "legal"
    HEALTH = "health"


def _domain(value: FunctionalDomain | str) -> FunctionalDomain:
    return value if type(value) is FunctionalDomain else enum_member(FunctionalDomain, value)


class Severity(StrEnum):
    """How much a domain is impaired, least to most."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


def _severity(value: Severity | str) -> Severity:
    return value if type(value) is Severity else enum_member(Severity, value)


@frozen(kw_only=True, repr=False)
class FunctionalImpairment(Redacted):
    """Impairment in one life area, with an optional example in the clinician's words.

    ``domain``: ``"work"``, ``"school"``, ``"family"``, ``"social"``, ``"self_care"``,
    ``"housing"``, ``"legal"`` or ``"health"``. ``severity``: ``"none"``, ``"mild"``,
    ``"moderate"`` or ``"severe"``.
    """

    domain: FunctionalDomain = field(converter=_domain)
    severity: Severity = field(converter=_severity)
    note: str | None = None


class WithdrawalRisk(StrEnum):
    """Withdrawal risk; ``high`` means withdrawal needs medical monitoring or 24-hour care."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


def _withdrawal(value: WithdrawalRisk | str | None) -> WithdrawalRisk | None:
    if value is None or type(value) is WithdrawalRisk:
        return value
    return enum_member(WithdrawalRisk, value)


@frozen(kw_only=True, repr=False)
class MedicalStatus(Redacted):
    """Medical stability and withdrawal risk, and whether a condition prevents benefit.

    ``withdrawal_risk``: ``"none"``, ``"low"``, ``"moderate"`` or ``"high"``; the booleans are
    ``True``, ``False`` or ``None`` (not documented).
    """

    medically_stable: bool | None = None
    withdrawal_risk: WithdrawalRisk | None = field(default=None, converter=_withdrawal)
    condition_prevents_benefit: bool | None = None
    notes: str | None = None


class EpisodeOutcome(StrEnum):
    """How an earlier episode of care ended."""

    COMPLETED = "completed"
    STEPPED_DOWN = "stepped_down"
    INSUFFICIENT_RESPONSE = "insufficient_response"
    DISCONTINUED = "discontinued"
    ONGOING = "ongoing"


def _episode_outcome(value: EpisodeOutcome | str) -> EpisodeOutcome:
    return value if type(value) is EpisodeOutcome else enum_member(EpisodeOutcome, value)


@frozen(kw_only=True, repr=False)
class TreatmentEpisode(Redacted):
    """An earlier (or current) episode of care at some level.

    ``level``: ``"outpatient"``, ``"iop"``, ``"php"``, ``"residential"``, ``"inpatient"``,
    ``"crisis"`` (a crisis stabilization stay) or ``"emergency"`` (an emergency-department
    visit: its ``period`` is the visit's day, start and end).
    ``period``: its dates (``end`` open while ongoing). ``outcome``: ``"completed"``,
    ``"stepped_down"``, ``"insufficient_response"``, ``"discontinued"`` or ``"ongoing"``.
    """

    level: LevelOfCare = field(converter=level_of_care)
    period: DateRange
    outcome: EpisodeOutcome = field(converter=_episode_outcome)
    provider: str | None = None
    notes: str | None = None


class Housing(StrEnum):
    """Where the patient lives between sessions."""

    STABLE = "stable"
    UNSTABLE = "unstable"
    HOMELESS = "homeless"
    SUPERVISED = "supervised"


def _housing(value: Housing | str | None) -> Housing | None:
    return value if value is None or type(value) is Housing else enum_member(Housing, value)


@frozen(kw_only=True, repr=False)
class Psychosocial(Redacted):
    """Support system and living environment.

    ``housing``: ``"stable"``, ``"unstable"``, ``"homeless"`` or ``"supervised"``; the booleans
    are ``True``, ``False`` or ``None`` (not documented).
    """

    housing: Housing | None = field(default=None, converter=_housing)
    safe_environment: bool | None = None
    support_system: bool | None = None
    transportation: bool | None = None
    family_involved: bool | None = None
    notes: str | None = None


@frozen(kw_only=True, repr=False)
class Engagement(Redacted):
    """Ability and willingness to take part, consent, and attendance so far (continued stay).

    ``sessions_scheduled`` and ``sessions_attended``: counts since admission, not negative
    (more attended than scheduled loads; the determination asks to reconcile the counts).
    ``guardian_consent_signed``: for a minor, whether the parent or guardian signed consent to
    treatment too.
    """

    able_to_participate: bool | None = None
    willing: bool | None = None
    consent_signed: bool | None = None
    expected_to_improve: bool | None = None
    sessions_scheduled: int | None = None
    sessions_attended: int | None = None
    guardian_consent_signed: bool | None = None


@frozen(kw_only=True, repr=False)
class Presentation(Redacted):
    """Why the patient needs care now: the symptoms of the last week, in the clinician's words.

    ``symptoms``: a tuple of short phrases; ``summary``: a paragraph. ``assessed_on``: not
    after the request date.
    """

    assessed_on: date
    symptoms: tuple[str, ...] = ()
    summary: str | None = None
    outpatient_insufficient: bool | None = None
    primarily_social_or_custodial: bool | None = None


class RatingInstrument(StrEnum):
    """Level-of-care instruments whose ratings a clinician may record (level-of-care.md)."""

    LOCUS = "locus"
    CALOCUS_CASII = "calocus_casii"
    ASAM = "asam"


def _rating_instrument(value: RatingInstrument | str) -> RatingInstrument:
    return value if type(value) is RatingInstrument else enum_member(RatingInstrument, value)


class PlacementReason(StrEnum):
    """Why the patient is placed below the level a rating recommends (not a clinical override)."""

    PATIENT_DECLINED = "patient_declined"
    NOT_AVAILABLE = "not_available"
    WAITING_LIST = "waiting_list"
    OTHER = "other"


def _placement_reason(value: PlacementReason | str | None) -> PlacementReason | None:
    if value is None or type(value) is PlacementReason:
        return value
    return enum_member(PlacementReason, value)


@frozen(kw_only=True, repr=False)
class LevelOfCareRating(Redacted):
    """Ratings a clinician made with a licensed instrument and the level that tool recommended.

    No instrument text or placement grid is stored or computed: ``ratings`` maps our short
    dimension keys to the integers the clinician entered. ``override_level`` is the clinician's
    clinical override of the tool's level. ``placement_reason`` (with an optional free-text
    ``placement_note``) records why the patient is nonetheless placed at a lower level than the
    recorded one: the patient declined it, it is not available, a waiting list, or another reason.

    ``instrument``: ``"locus"``, ``"calocus_casii"`` or ``"asam"``. ``ratings``: a dict of the
    instrument's dimension keys to ratings in its range (:func:`iopauth.levels.dimension_keys`).
    ``recommended_level`` and ``override_level``: a level the instrument defines
    (:func:`iopauth.levels.valid_levels`). The patient's age on ``rated_on`` must fit the
    instrument. ``placement_reason``: ``"patient_declined"``, ``"not_available"``,
    ``"waiting_list"`` or ``"other"``. ``ratings`` is the model's one mutable value: never change
    it in place (build a new rating), because a case that was checked once is not checked again.
    """

    instrument: RatingInstrument = field(converter=_rating_instrument)
    rated_on: date
    ratings: dict[str, int]
    recommended_level: str
    version: str | None = None
    composite: int | None = None
    rater: str | None = None
    override_level: str | None = None
    override_reason: str | None = None
    placement_reason: PlacementReason | None = field(default=None, converter=_placement_reason)
    placement_note: str | None = None
