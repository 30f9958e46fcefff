"""The clinical picture: diagnoses, medications, measures, risk, functioning and history.

Optional booleans mean three things on purpose: ``True``, ``False`` and ``None`` for "not
documented". The criteria engine treats ``None`` as unknown, never as ``False``.
"""

from __future__ import annotations

from datetime import date

from attrs import frozen

from ._base import DateRange, LevelOfCare, Redacted, StrEnum


@frozen(kw_only=True, repr=False)
class Diagnosis(Redacted):
    """An ICD-10-CM diagnosis; ``code`` is stored normalized (``F32.9``)."""

    code: str
    primary: bool = False
    description: str | None = None
    onset: date | None = None


@frozen(kw_only=True, repr=False)
class Medication(Redacted):
    """A current medication."""

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


@frozen(kw_only=True, repr=False)
class MeasureAdministration(Redacted):
    """One administration of a measure: item answers in instrument order, or a recorded total.

    Answers are the scores as marked on the form (for yes/no items 1 = yes, 0 = no; DAST-10
    item 3 is reversed by the scorer, not here). The C-SSRS screener takes seven answers: Q1–Q6
    and "within the past 3 months".
    """

    instrument: Instrument
    administered_on: date
    items: tuple[int, ...] | None = None
    total: int | None = None


class IdeationLevel(StrEnum):
    """Suicidal or homicidal ideation as the clinician recorded it."""

    NONE = "none"
    PASSIVE = "passive"
    ACTIVE = "active"


@frozen(kw_only=True, repr=False)
class RiskAssessment(Redacted):
    """The clinician's risk assessment.

    ``imminent_danger`` is the clinician's judgement that the patient is an imminent danger to
    self or others and needs 24-hour care; criteria read it as an exclusion for IOP.
    """

    assessed_on: date
    suicidal_ideation: IdeationLevel | None = None
    suicide_plan: bool | None = None
    suicide_intent: bool | None = None
    homicidal_ideation: IdeationLevel | None = None
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


class Severity(StrEnum):
    """How much a domain is impaired, least to most."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@frozen(kw_only=True, repr=False)
class FunctionalImpairment(Redacted):
    """Impairment in one life area, with an optional example in the clinician's words."""

    domain: FunctionalDomain
    severity: Severity
    note: str | None = None


class WithdrawalRisk(StrEnum):
    """Withdrawal risk; ``high`` means withdrawal needs medical monitoring or 24-hour care."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


@frozen(kw_only=True, repr=False)
class MedicalStatus(Redacted):
    """Medical stability and withdrawal risk, and whether a condition prevents benefit."""

    medically_stable: bool | None = None
    withdrawal_risk: WithdrawalRisk | None = None
    condition_prevents_benefit: bool | None = None
    notes: str | None = None


class EpisodeOutcome(StrEnum):
    """How an earlier episode of care ended."""

    COMPLETED = "completed"
    STEPPED_DOWN = "stepped_down"
    INSUFFICIENT_RESPONSE = "insufficient_response"
    DISCONTINUED = "discontinued"
    ONGOING = "ongoing"


@frozen(kw_only=True, repr=False)
class TreatmentEpisode(Redacted):
    """An earlier (or current) episode of care at some level."""

    level: LevelOfCare
    period: DateRange
    outcome: EpisodeOutcome
    provider: str | None = None
    notes: str | None = None


class Housing(StrEnum):
    """Where the patient lives between sessions."""

    STABLE = "stable"
    UNSTABLE = "unstable"
    HOMELESS = "homeless"
    SUPERVISED = "supervised"


@frozen(kw_only=True, repr=False)
class Psychosocial(Redacted):
    """Support system and living environment."""

    housing: Housing | None = None
    safe_environment: bool | None = None
    support_system: bool | None = None
    transportation: bool | None = None
    family_involved: bool | None = None
    notes: str | None = None


@frozen(kw_only=True, repr=False)
class Engagement(Redacted):
    """Ability and willingness to take part, consent, and attendance so far (continued stay)."""

    able_to_participate: bool | None = None
    willing: bool | None = None
    consent_signed: bool | None = None
    expected_to_improve: bool | None = None
    sessions_scheduled: int | None = None
    sessions_attended: int | None = None


@frozen(kw_only=True, repr=False)
class Presentation(Redacted):
    """Why the patient needs care now: the symptoms of the last week, in the clinician's words."""

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


class PlacementReason(StrEnum):
    """Why the patient is placed below the level a rating recommends (not a clinical override)."""

    PATIENT_DECLINED = "patient_declined"
    NOT_AVAILABLE = "not_available"
    WAITING_LIST = "waiting_list"
    OTHER = "other"


@frozen(kw_only=True, repr=False)
class LevelOfCareRating(Redacted):
    """Ratings a clinician made with a licensed instrument and the level that tool recommended.

    No instrument text or placement grid is stored or computed: ``ratings`` maps our short
    dimension keys to the integers the clinician entered. ``override_level`` is the clinician's
    clinical override of the tool's level. ``placement_reason`` (with an optional free-text
    ``placement_note``) records why the patient is nonetheless placed at a lower level than the
    recorded one: the patient declined it, it is not available, a waiting list, or another reason.
    """

    instrument: RatingInstrument
    rated_on: date
    ratings: dict[str, int]
    recommended_level: str
    version: str | None = None
    composite: int | None = None
    rater: str | None = None
    override_level: str | None = None
    override_reason: str | None = None
    placement_reason: PlacementReason | None = None
    placement_note: str | None = None
