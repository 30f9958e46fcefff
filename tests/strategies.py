"""Every Hypothesis strategy of the test suite lives here and grows with every model."""

from __future__ import annotations

import enum
import json
import types
from datetime import date, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from iopauth.authorization import (
    Authorization,
    AuthorizationStatus,
    CareManager,
    Decision,
    DecisionError,
    DecisionItem,
    DecisionReason,
    DecisionStatus,
    Review,
    ReviewType,
    Usage,
)

# --- measures and level-of-care ratings (iopauth.measures, iopauth.levels) ---
from iopauth.levels import dimension_keys, valid_levels
from iopauth.measures import SPECS
from iopauth.model import (
    Address,
    AuthorizationRequest,
    Case,
    Clinician,
    ClinicianRole,
    CodeSystem,
    Coverage,
    DateRange,
    Denial,
    Diagnosis,
    DocumentKind,
    DocumentOnHand,
    Engagement,
    EpisodeOutcome,
    FunctionalDomain,
    FunctionalImpairment,
    Goal,
    GoalStatus,
    Guardian,
    Housing,
    IdeationLevel,
    Instrument,
    LabResult,
    LabTest,
    LevelOfCare,
    LevelOfCareRating,
    MeasureAdministration,
    MedicalStatus,
    Medication,
    Patient,
    PersonName,
    PlacementReason,
    PlannedService,
    PlanRevision,
    PlanType,
    Presentation,
    Program,
    Psychosocial,
    RatingInstrument,
    RequestKind,
    RiskAssessment,
    Schedule,
    Session,
    Setting,
    Severity,
    Sex,
    SubscriberRelation,
    TimeOfDay,
    TreatmentEpisode,
    TreatmentPlan,
    UnitType,
    Urgency,
    Vitals,
    Weekday,
    WithdrawalHistory,
    WithdrawalRisk,
)

_MEASURE_DATES = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))


def measure_items(instrument: Instrument) -> st.SearchStrategy[tuple[int, ...]]:
    """Valid item answers for ``instrument`` in instrument order, as marked on the form."""
    spec = SPECS[instrument]
    answers = st.tuples(*(st.sampled_from(values) for values in spec.item_values))
    if instrument is Instrument.CSSRS_SCREENER:
        # "within the past 3 months" (index 6) qualifies a yes to suicidal behavior (index 5)
        return answers.map(lambda a: (*a[:6], a[6] & a[5]))
    return answers


class _Answer(int):
    """An int subclass (as a caller's own enum or numpy-like type may be) for item answers."""


@st.composite
def measure_item_lists(draw: st.DrawFn, instrument: Instrument) -> list[Any]:
    """Item lists for ``instrument``: valid answers with a few replaced by bad ones
    (out-of-range ints, booleans, floats, strings, None) or by an int subclass, or a list
    one item short or long."""
    spec = SPECS[instrument]
    items: list[Any] = list(draw(measure_items(instrument)))
    answer = st.one_of(
        st.integers(-2, 6),
        st.booleans(),
        st.sampled_from([0.0, 1.0, 2.5, "1", None]),
        st.integers(0, 4).map(_Answer),
    )
    for index in draw(st.lists(st.integers(0, spec.item_count - 1), max_size=3)):
        items[index] = draw(answer)
    change = draw(st.sampled_from([0] * 8 + [-1, 1]))
    return items[:-1] if change < 0 else items + items[:1] if change > 0 else items


@st.composite
def _administration(draw: st.DrawFn, instrument: Instrument) -> MeasureAdministration:
    spec = SPECS[instrument]
    items = draw(measure_items(instrument))
    form = "items" if not spec.has_total else draw(st.sampled_from(["items", "total", "both"]))
    if spec.totals_only:  # the withdrawal scales: a total only
        form = "total"
    total = sum(spec.item_score(i, a) for i, a in enumerate(items))
    if form == "total":
        total = draw(st.integers(spec.total_min, spec.total_max))
    return MeasureAdministration(
        instrument=instrument,
        administered_on=draw(_MEASURE_DATES),
        items=None if form == "total" else items,
        total=None if form == "items" else total,
    )


def measure_administrations(
    instrument: Instrument | None = None,
) -> st.SearchStrategy[MeasureAdministration]:
    """Valid administrations (items, a total, or both agreeing) of one or any instrument."""
    instruments = st.sampled_from(list(Instrument)) if instrument is None else st.just(instrument)
    return instruments.flatmap(_administration)


_RATERS = st.none() | st.sampled_from(["clinician A", "intake team", "psychiatrist on call"])
_OVERRIDE_REASONS = st.sampled_from(["clinical judgement", "no PHP slot available"])
# The domain file gives no ASAM rating range; these values are test data only.
_ASAM_TEST_RATINGS = st.integers(0, 4)


def _rating_instruments(age: int | None) -> list[RatingInstrument]:
    """Instruments whose default age checks accept ``age`` (ASAM has none)."""
    allowed = [RatingInstrument.ASAM]
    if age is None or age >= 18:
        allowed.append(RatingInstrument.LOCUS)
    if age is None or 6 <= age <= 18:
        allowed.append(RatingInstrument.CALOCUS_CASII)
    return allowed


@st.composite
def _rating(draw: st.DrawFn, instrument: RatingInstrument) -> LevelOfCareRating:
    keys = dimension_keys(instrument)
    if instrument is RatingInstrument.ASAM:
        version: str | None = draw(st.sampled_from(["3", "4"]))
        values = _ASAM_TEST_RATINGS
    else:
        version = draw(
            st.none() | st.just("20") if instrument is RatingInstrument.LOCUS else st.none()
        )
        values = st.integers(1, 5)
    ratings = {key: draw(values) for key in keys}
    levels = valid_levels(instrument, version)
    override = draw(st.none() | st.sampled_from(levels))
    placement = draw(st.none() | st.sampled_from(PlacementReason))
    return LevelOfCareRating(
        instrument=instrument,
        rated_on=draw(_MEASURE_DATES),
        ratings=ratings,
        recommended_level=draw(st.sampled_from(levels)),
        version=version,
        composite=draw(st.none() | st.just(sum(ratings.values()))),
        rater=draw(_RATERS),
        override_level=override,
        override_reason=None if override is None else draw(_OVERRIDE_REASONS),
        placement_reason=placement,
        placement_note=None if placement is None else draw(st.none() | _OVERRIDE_REASONS),
    )


def level_of_care_ratings(age: int | None = None) -> st.SearchStrategy[LevelOfCareRating]:
    """Valid recorded ratings for a patient of ``age`` (any instrument when ``age`` is None)."""
    return st.sampled_from(_rating_instruments(age)).flatmap(_rating)


# --- ICD-10-CM code text (iopauth.codes) ---

_ICD_LIKE = st.from_regex(
    r"\s?[A-Za-z][0-9A-Za-z][0-9A-Za-z]{0,6}(\.[0-9A-Za-z.]{0,5})?\s?", fullmatch=True
)
_ICD_SAMPLES = st.sampled_from(
    ["F32.9", "f329", " T14.91xa ", "Z91.5", "u071", "QA0.0101", "F32.", "F3.29", "FF32"]
)


def icd10_like_text() -> st.SearchStrategy[str]:
    """Arbitrary text mixed with near-codes: right shape or nearly, odd case, stray dots."""
    return st.one_of(st.text(max_size=12), _ICD_LIKE, _ICD_SAMPLES)


# --- the case model --------------------------------------------------------------------------

#: Valid NPIs (check digit verified by the validator's tests).
NPIS = ("1234567893", "1987654328", "1543210987", "1678901236", "1456789019", "1765432103")
#: Billable ICD-10-CM codes across the chapters IOP requests use.
BILLABLE_CODES = (
    "F33.2", "F32.1", "F32.9", "F32.A", "F41.1", "F43.10", "F43.23", "F10.20", "F11.20",
    "F31.81", "F60.3", "F50.20", "R45.851", "Z91.51", "T14.91XA",
)  # fmt: skip
SERVICE_CODES = ("S9480", "H0015", "H0035", "S0201", "G0410", "90853")
STATES = ("CA", "OR", "TX", "OH", "IL", "NY", "PR")

_REQUEST_DAYS = (date(2026, 1, 5), date(2026, 9, 30))
_TEXT_ALPHABET = st.characters(
    codec="utf-8", categories=("L", "N", "P", "Zs", "S"), exclude_characters="\x85\xa0"
)


def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Free text as people type it: any letters, digits, punctuation; never blank."""
    return st.text(_TEXT_ALPHABET, min_size=1, max_size=max_size).filter(lambda s: s.strip() != "")


_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"


def identifiers(max_size: int = 16) -> st.SearchStrategy[str]:
    """Identifiers as payers and programs write them: letters and digits, with single
    separators (``CSA-0047-1193``, ``GRP 100``, ``PA/2026.7``) — the identifier shape."""
    part = st.text(_ID_ALPHABET, min_size=1, max_size=max(1, max_size // 3))
    return st.lists(part, min_size=1, max_size=3).flatmap(
        lambda parts: st.lists(
            st.sampled_from("-. /_#:+"), min_size=len(parts) - 1, max_size=len(parts) - 1
        ).map(lambda seps: "".join(p + s for p, s in zip(parts, [*seps, ""], strict=True)))
    )


#: Characters no string of a case may hold although they print as nothing: bidirectional
#: controls (ALM, LRM, RLM, embeddings, overrides, isolates) and invisible format characters.
FORMAT_CONTROLS = (
    "\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\u2060", "\u2063", "\u206a", "\ufeff",
    "\ufff9", "\U000e0001", "\U000e0041",
)  # fmt: skip


def _string_slots(node: Any, tp: Any, path: str) -> list[tuple[Any, Any, str]]:
    """Every (container, key, JSON path) of ``node`` whose declared type is free text."""
    import typing

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _string_slots(node, inner[0], path) if node is not None else []
    if attrs.has(tp) and isinstance(node, dict):
        hints = typing.get_type_hints(tp)
        out: list[tuple[Any, Any, str]] = []
        for name, value in node.items():
            hint = hints[name]
            if hint is str or (
                typing.get_origin(hint) in (typing.Union, types.UnionType)
                and str in typing.get_args(hint)
            ):
                if isinstance(value, str):
                    out.append((node, name, f"{path}.{name}"))
            else:
                out.extend(_string_slots(value, hint, f"{path}.{name}"))
        return out
    if origin is tuple and isinstance(node, list):
        item = args[0]
        if item is str:
            return [(node, i, f"{path}[{i}]") for i in range(len(node))]
        return [s for i, v in enumerate(node) for s in _string_slots(v, item, f"{path}[{i}]")]
    return []


@st.composite
def with_format_control(
    draw: st.DrawFn, document: dict[str, Any], root: type
) -> tuple[dict[str, Any], str]:
    """A copy of a valid JSON document of ``root`` with one of :data:`FORMAT_CONTROLS` put
    into one of its string fields (any of them, at any position); that field's path."""
    copy: dict[str, Any] = json.loads(json.dumps(document))
    container, key, path = draw(st.sampled_from(_string_slots(copy, root, "$")))
    text = container[key]
    at = draw(st.integers(0, len(text)))
    container[key] = text[:at] + draw(st.sampled_from(FORMAT_CONTROLS)) + text[at:]
    return copy, path


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``None`` or a value of ``strategy``."""
    return st.none() | strategy


def between(low: date, high: date) -> st.SearchStrategy[date]:
    """A date from ``low`` to ``high`` inclusive."""
    return st.dates(min_value=low, max_value=max(low, high))


phones = st.builds(
    "({}) 0{}-{}".format,
    st.sampled_from(("555", "212", "503")),
    st.integers(10, 99),
    st.integers(1000, 9999),
)
person_names = st.builds(
    PersonName, given=texts(20), family=texts(20), middle=optional(texts(10)), suffix=st.none()
)
addresses = st.builds(
    Address,
    lines=st.lists(texts(30), min_size=1, max_size=2).map(tuple),
    city=texts(20),
    state=st.sampled_from(STATES),
    postal_code=st.from_regex(r"[0-9]{5}(-[0-9]{4})?", fullmatch=True),
)
guardians = st.builds(
    Guardian,
    name=person_names,
    relationship=st.sampled_from(("mother", "father", "legal guardian", "grandmother")),
    phone=optional(phones),
    email=optional(st.just("parent@mail.example")),
    preferred_language=optional(st.sampled_from(("en", "es", "es-MX", "vi"))),
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A valid case of any shape: every optional section present or absent."""
    request_date = draw(between(*_REQUEST_DAYS))
    age = draw(st.integers(8, 95))
    birth = request_date - timedelta(days=365 * age + draw(st.integers(2, 300)))
    earliest = request_date - timedelta(days=730)  # every other date lies after birth
    past = between(earliest, request_date)
    anywhere = between(earliest, request_date + timedelta(days=365))

    patient = Patient(
        name=draw(person_names),
        birth_date=birth,
        sex=draw(st.sampled_from(Sex)),
        preferred_language=draw(optional(st.sampled_from(("en", "es", "es-MX", "vi")))),
        phone=draw(optional(phones)),
        email=draw(optional(st.just("someone@mail.example"))),
        address=draw(optional(addresses)),
        guardian=draw(optional(guardians)) if age < 18 else None,
    )
    coverage = Coverage(
        payer_name=draw(texts(30)),
        plan_type=draw(st.sampled_from(PlanType)),
        member_id=draw(identifiers(16)),
        payer_id=draw(optional(identifiers(8))),
        group_number=draw(optional(identifiers(10))),
        subscriber_relation=draw(st.sampled_from(SubscriberRelation)),
        plan_state=draw(optional(st.sampled_from(STATES))),
        um_phone=draw(optional(phones)),
        um_fax=draw(optional(phones)),
        member_services_phone=draw(optional(phones)),
    )
    program = Program(
        name=draw(texts(30)),
        npi=draw(st.sampled_from(NPIS)),
        tin=draw(st.from_regex(r"[0-9]{2}-?[0-9]{7}", fullmatch=True)),
        address=draw(addresses),
        phone=draw(phones),
        setting=draw(st.sampled_from(Setting)),
        fax=draw(optional(phones)),
    )
    clinicians = tuple(
        draw(
            st.lists(
                st.builds(
                    Clinician,
                    name=person_names,
                    credentials=st.sampled_from(("MD", "DO", "LCSW", "PhD", "RN")),
                    role=st.sampled_from(ClinicianRole),
                    npi=optional(st.sampled_from(NPIS)),
                    phone=optional(phones),
                    contact=st.booleans(),
                ),
                min_size=1,
                max_size=3,
            )
        )
    )
    codes = draw(st.lists(st.sampled_from(BILLABLE_CODES), min_size=1, max_size=4, unique=True))
    primary = draw(st.integers(0, len(codes) - 1))
    diagnoses = tuple(
        Diagnosis(code=c, primary=i == primary, description=draw(optional(texts(40))))
        for i, c in enumerate(codes)
    )
    plan = draw(plans(anywhere, earliest))
    request = draw(requests(request_date, past, anywhere))
    return Case(
        case_id=draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)),
        patient=patient,
        coverage=coverage,
        program=program,
        clinicians=clinicians,
        diagnoses=diagnoses,
        plan=plan,
        request=request,
        presentation=draw(
            optional(
                st.builds(
                    Presentation,
                    assessed_on=past,
                    symptoms=st.lists(texts(40), max_size=3).map(tuple),
                    summary=optional(texts(200)),
                    outpatient_insufficient=optional(st.booleans()),
                    primarily_social_or_custodial=optional(st.booleans()),
                )
            )
        ),
        medications=tuple(draw(st.lists(medications(past), max_size=3))),
        measures=tuple(
            draw(st.lists(measure_administrations_between(earliest, request_date), max_size=4))
        ),
        risk=draw(optional(risks(past, earliest))),
        functioning=tuple(
            draw(
                st.lists(
                    st.builds(
                        FunctionalImpairment,
                        domain=st.sampled_from(FunctionalDomain),
                        severity=st.sampled_from(Severity),
                        note=optional(texts(40)),
                    ),
                    max_size=3,
                )
            )
        ),
        medical=draw(
            optional(
                st.builds(
                    MedicalStatus,
                    medically_stable=optional(st.booleans()),
                    withdrawal_risk=optional(st.sampled_from(WithdrawalRisk)),
                    condition_prevents_benefit=optional(st.booleans()),
                    assessed_on=optional(past),
                    vitals=st.lists(vitals(past), max_size=2).map(tuple),
                    labs=st.lists(labs(past), max_size=2).map(tuple),
                    withdrawal=optional(
                        st.builds(
                            WithdrawalHistory,
                            pawss=optional(st.integers(0, 10)),
                            seizure_or_dt_history=optional(st.booleans()),
                            last_use=optional(past),
                            management_plan=optional(texts(60)),
                        )
                    ),
                )
            )
        ),
        history=tuple(draw(st.lists(episodes(past), max_size=3))),
        psychosocial=draw(
            optional(
                st.builds(
                    Psychosocial,
                    housing=optional(st.sampled_from(Housing)),
                    safe_environment=optional(st.booleans()),
                    support_system=optional(st.booleans()),
                    transportation=optional(st.booleans()),
                    family_involved=optional(st.booleans()),
                )
            )
        ),
        engagement=draw(optional(engagements())),
        level_of_care_ratings=tuple(draw(ratings_for(birth, earliest, request_date))),
    )


@st.composite
def medications(draw: st.DrawFn, days: st.SearchStrategy[date]) -> Medication:
    """A medication whose end (if any) follows its start."""
    start = draw(optional(days))
    end = None if start is None else draw(optional(between(start, start + timedelta(days=90))))
    return Medication(
        name=draw(texts(20)),
        dose=draw(optional(texts(10))),
        frequency=draw(optional(texts(10))),
        start_date=start,
        end_date=end,
    )


@st.composite
def risks(draw: st.DrawFn, days: st.SearchStrategy[date], earliest: date) -> RiskAssessment:
    """A risk assessment; a recorded attempt never postdates the assessment."""
    assessed = draw(days)
    return RiskAssessment(
        assessed_on=assessed,
        suicidal_ideation=draw(optional(st.sampled_from(IdeationLevel))),
        suicide_plan=draw(optional(st.booleans())),
        suicide_intent=draw(optional(st.booleans())),
        homicidal_ideation=draw(optional(st.sampled_from(IdeationLevel))),
        self_harm_recent=draw(optional(st.booleans())),
        last_attempt_date=draw(optional(between(earliest, assessed))),
        safety_plan=draw(optional(st.booleans())),
        imminent_danger=draw(optional(st.booleans())),
        notes=draw(optional(texts(100))),
        safety_plan_on=draw(optional(between(earliest, assessed))),
    )


def vitals(days: st.SearchStrategy[date]) -> st.SearchStrategy[Vitals]:
    """Vital signs and body measures in physiological ranges, any subset recorded."""
    return st.builds(
        Vitals,
        on=days,
        time_of_day=optional(st.sampled_from(TimeOfDay)),
        heart_rate_bpm=optional(st.integers(25, 200)),
        systolic_mm_hg=optional(st.integers(50, 220)),
        diastolic_mm_hg=optional(st.integers(30, 140)),
        orthostatic_pulse_rise_bpm=optional(st.integers(0, 60)),
        orthostatic_systolic_fall_mm_hg=optional(st.integers(0, 60)),
        orthostatic_diastolic_fall_mm_hg=optional(st.integers(0, 40)),
        temperature_f=optional(st.floats(90.0, 106.0).map(lambda t: round(t, 1))),
        bmi=optional(st.floats(10.0, 60.0).map(lambda b: round(b, 1))),
        percent_median_bmi=optional(st.floats(50.0, 150.0).map(lambda b: round(b, 1))),
    )


def labs(days: st.SearchStrategy[date]) -> st.SearchStrategy[LabResult]:
    """A laboratory value with its unit."""
    return st.builds(
        LabResult,
        on=days,
        test=st.sampled_from(LabTest),
        value=st.floats(0.5, 500.0).map(lambda v: round(v, 1)),
        unit=st.sampled_from(("mEq/L", "mmol/L", "mg/dL")),
    )


@st.composite
def episodes(draw: st.DrawFn, days: st.SearchStrategy[date]) -> TreatmentEpisode:
    """An earlier episode of care with an ordered period."""
    start = draw(days)
    end = draw(optional(between(start, start + timedelta(days=120))))
    return TreatmentEpisode(
        level=draw(st.sampled_from(LevelOfCare)),
        period=DateRange(start=start, end=end),
        outcome=draw(st.sampled_from(EpisodeOutcome)),
        provider=draw(optional(texts(30))),
        sessions=draw(optional(st.integers(0, 200))),
        frequency=draw(optional(st.sampled_from(("weekly", "twice weekly", "monthly")))),
    )


@st.composite
def engagements(draw: st.DrawFn) -> Engagement:
    """Engagement with attendance never above what was scheduled."""
    scheduled = draw(optional(st.integers(0, 60)))
    attended = None if scheduled is None else draw(optional(st.integers(0, scheduled)))
    return Engagement(
        able_to_participate=draw(optional(st.booleans())),
        willing=draw(optional(st.booleans())),
        consent_signed=draw(optional(st.booleans())),
        expected_to_improve=draw(optional(st.booleans())),
        sessions_scheduled=scheduled,
        sessions_attended=attended,
    )


@st.composite
def plans(draw: st.DrawFn, days: st.SearchStrategy[date], earliest: date) -> TreatmentPlan:
    """A plan whose services add up to its weekly schedule."""
    services = tuple(
        draw(
            st.lists(
                st.builds(
                    PlannedService,
                    code=st.sampled_from(("90853", "90834", "G0410", "G0177", "90846")),
                    sessions_per_week=st.sampled_from((0.5, 1.0, 2.0, 3.0)),
                    minutes_per_session=st.integers(15, 120),
                    system=st.sampled_from(CodeSystem),
                    label=optional(texts(30)),
                ),
                max_size=3,
            )
        )
    )
    needed_minutes = sum(s.sessions_per_week * s.minutes_per_session for s in services)
    # with services listed, the schedule gives the hours they add up to (validation allows a
    # quarter hour a week of rounding); without, any schedule
    extra = (0.0,) if services else (0.5, 1.0, 3.0)
    if draw(st.booleans()):
        weekdays = draw(st.lists(st.sampled_from(Weekday), min_size=1, max_size=7, unique=True))
        per_day = -(-int(needed_minutes) // len(weekdays))  # ceiling: at most 6 minutes over
        per_day += int(60 * draw(st.sampled_from(extra)))
        schedule = Schedule(sessions=tuple(Session(day=d, minutes=per_day) for d in weekdays))
    else:
        days_per_week = draw(st.integers(1, 7))
        hours = needed_minutes / 60 / days_per_week + draw(st.sampled_from(extra))
        schedule = Schedule(days_per_week=days_per_week, hours_per_day=min(24.0, hours))
    level = draw(st.sampled_from((LevelOfCare.OUTPATIENT, LevelOfCare.IOP, LevelOfCare.PHP)))
    lower = [lv for lv in LevelOfCare if lv.rank < level.rank]
    start = draw(days)
    return TreatmentPlan(
        level=level,
        start_date=start,
        weeks=draw(st.integers(1, 104)),
        schedule=schedule,
        services=services,
        goals=tuple(
            draw(
                st.lists(
                    st.builds(
                        Goal,
                        description=texts(40),
                        measure=texts(40),
                        target_date=between(start, start + timedelta(days=200)),
                        status=st.none() | st.sampled_from(GoalStatus),
                        progress=optional(texts(40)),
                    ),
                    max_size=3,
                )
            )
        ),
        discharge_plan=draw(optional(texts(100))),
        step_down_level=draw(optional(st.sampled_from(lower))) if lower else None,
        signed_on=draw(optional(days)),
        certified_by_npi=draw(optional(st.sampled_from(NPIS))),
        certified_on=draw(optional(days)),
        revisions=tuple(
            draw(
                st.lists(
                    st.builds(
                        PlanRevision,
                        on=between(start, start + timedelta(days=120)),
                        changes=optional(texts(60)),
                    ),
                    max_size=2,
                )
            )
        ),
    )


@st.composite
def requests(
    draw: st.DrawFn,
    request_date: date,
    past: st.SearchStrategy[date],
    anywhere: st.SearchStrategy[date],
) -> AuthorizationRequest:
    """A request; an appeal always carries the denial it answers."""
    kind = draw(st.sampled_from(RequestKind))
    start = draw(anywhere)
    denial = None
    if kind is RequestKind.APPEAL or draw(st.booleans()):
        denial = Denial(
            decided_on=draw(past),
            reference=draw(optional(texts(20))),
            stated_reason=draw(optional(texts(100))),
            unmet_criteria=tuple(
                draw(st.lists(st.sampled_from(("adm.impairment", "mcr.poc_9h")), unique=True))
            ),
        )
    return AuthorizationRequest(
        kind=kind,
        request_date=request_date,
        period=DateRange(start=start, end=draw(between(start, start + timedelta(days=90)))),
        service_code=draw(st.sampled_from(SERVICE_CODES)),
        urgency=draw(st.sampled_from(Urgency)),
        unit_type=draw(st.sampled_from(UnitType)),
        revenue_code=draw(optional(st.sampled_from(("0905", "0906", "0912", "0913")))),
        authorization_number=draw(optional(identifiers(20))),
        documents=tuple(
            draw(
                st.lists(
                    st.builds(
                        DocumentOnHand,
                        kind=st.sampled_from(DocumentKind),
                        dated=optional(past),
                        title=optional(texts(30)),
                        pages=optional(st.integers(1, 40)),
                    ),
                    max_size=4,
                )
            )
        ),
        denial=denial,
        expedited_reason=draw(optional(texts(80))),
    )


@st.composite
def measure_administrations_between(
    draw: st.DrawFn, low: date, high: date
) -> MeasureAdministration:
    """A valid administration given between ``low`` and ``high``."""
    administration = draw(measure_administrations())
    return attrs.evolve(administration, administered_on=draw(between(low, high)))


@st.composite
def ratings_for(draw: st.DrawFn, birth: date, low: date, high: date) -> list[LevelOfCareRating]:
    """Zero to two recorded ratings, each valid for the patient's age on its date."""
    out = []
    for _ in range(draw(st.integers(0, 2))):
        rated_on = draw(between(low, high))
        age = (
            rated_on.year - birth.year - ((rated_on.month, rated_on.day) < (birth.month, birth.day))
        )
        rating = draw(level_of_care_ratings(age))
        out.append(attrs.evolve(rating, rated_on=rated_on))
    return out


# --- criteria (iopauth.criteria) ---------------------------------------------------------------

#: Optional documentation a case may lack: (record attribute, field) pairs whose value ``None``
#: means "not documented". Removing any of them must only ever turn findings unknown.
UNDOCUMENTABLE = (
    ("presentation", "outpatient_insufficient"),
    ("presentation", "primarily_social_or_custodial"),
    ("risk", "imminent_danger"),
    ("risk", "suicidal_ideation"),
    ("risk", "safety_plan"),
    ("medical", "medically_stable"),
    ("medical", "withdrawal_risk"),
    ("medical", "condition_prevents_benefit"),
    ("psychosocial", "housing"),
    ("psychosocial", "safe_environment"),
    ("psychosocial", "support_system"),
    ("psychosocial", "family_involved"),
    ("engagement", "able_to_participate"),
    ("engagement", "willing"),
    ("engagement", "consent_signed"),
    ("engagement", "expected_to_improve"),
    ("engagement", "sessions_attended"),
    ("plan", "signed_on"),
    ("plan", "certified_on"),
    ("plan", "discharge_plan"),
    ("plan", "last_reviewed"),
)
#: Whole optional sections of a case.
UNDOCUMENTABLE_SECTIONS = ("presentation", "risk", "medical", "psychosocial", "engagement")


@st.composite
def less_documented(draw: st.DrawFn, case: Case) -> Case:
    """``case`` with a random part of its optional documentation removed (set to ``None``)."""
    for record, name in draw(st.lists(st.sampled_from(UNDOCUMENTABLE), max_size=6, unique=True)):
        inner = getattr(case, record)
        if inner is not None and getattr(inner, name) is not None:
            blank: dict[str, Any] = {name: None}
            replaced: dict[str, Any] = {record: attrs.evolve(inner, **blank)}
            case = attrs.evolve(case, **replaced)
    for section in draw(st.lists(st.sampled_from(UNDOCUMENTABLE_SECTIONS), max_size=2)):
        removed: dict[str, Any] = {section: None}
        case = attrs.evolve(case, **removed)
    return case


# --- documents (iopauth.rendering) ---------------------------------------------------------------

#: Markup, style, template syntax and a local-file URL: each must print as literal text.
HOSTILE_SNIPPETS = (
    "<b>bold</b>",
    "<script>alert(1)</script>",
    "<style>body{display:none}</style>",
    "{{ 7*7 }}",
    "{% raw %}x",
    '<img src="file:///etc/passwd">',
    "&amp; &lt;",
    "url(file:///etc/passwd)",
)
#: String fields that hold codes, identifiers or formatted values (phone numbers, email), left
#: valid by :func:`hostile_case` so the case stays valid and a render reaches the templates.
_CODE_FIELDS = frozenset(
    {
        "code", "service_code", "revenue_code", "npi", "tin", "certified_by_npi", "state",
        "postal_code", "country", "recommended_level", "override_level", "preferred_language",
        "media_type", "case_id", "phone", "fax", "um_phone", "um_fax", "email", "version",
        # identifiers and codes (caseformat.limits.IDENTIFIER_FIELDS): their own shape
        "member_id", "group_number", "payer_id", "authorization_number", "reference",
        "response_id", "review_action_code", "reason_codes", "unknown_codes", "service_codes",
    }
)  # fmt: skip


def hostile_texts() -> st.SearchStrategy[str]:
    """Free text carrying markup, CSS, Jinja syntax or a ``file:`` URL among ordinary words."""
    return st.builds(
        "{} {} {}".format, texts(12), st.sampled_from(HOSTILE_SNIPPETS), texts(12)
    ).map(lambda s: s.replace("\x00", ""))


def payer_texts() -> st.SearchStrategy[str]:
    """What a payer's questionnaire or CRD answer may say: ordinary words or hostile ones."""
    return st.one_of(texts(80), hostile_texts())


def with_text(obj: Any, text: Any) -> Any:
    """``obj`` with every free-text string field (recursively) replaced by ``text(path)``."""
    if isinstance(obj, tuple):
        return tuple(with_text(item, text) for item in obj)
    if not attrs.has(type(obj)):
        return obj
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if isinstance(value, str) and not isinstance(value, enum.Enum):
            if field.name not in _CODE_FIELDS:
                changes[field.name] = text(field.name)
        elif isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
            if field.name not in _CODE_FIELDS:
                changes[field.name] = tuple(text(field.name) for _ in value)
        elif isinstance(value, tuple) or attrs.has(type(value)):
            changes[field.name] = with_text(value, text)
    return attrs.evolve(obj, **changes)


@st.composite
def hostile_case(draw: st.DrawFn, case: Case) -> Case:
    """``case`` with hostile text in every free-text field."""
    return with_text(case, lambda _name: draw(hostile_texts()))  # type: ignore[no-any-return]


# --- cases built in code with a broken value (iopauth.caseformat.validity) ------------------------

#: Values a caller may put into a case built in code that ``dump_case`` can still write but the
#: loader refuses: (dotted path, value). Wrong ranges, formats, codes and JSON types. (A string
#: naming no enum member is kept by the converter, and ``dump_case`` cannot write it.)
DUMPABLE_BREAKS: tuple[tuple[str, Any], ...] = (
    ("case_id", "no spaces allowed"),
    ("case_id", 17),
    ("patient.name.given", ""),
    ("patient.name.family", "tab\tand\x01control"),
    ("patient.birth_date", date(2099, 1, 1)),
    ("coverage.member_id", "   "),
    ("coverage.plan_state", "ZZ"),
    ("program.npi", "1234567890"),
    ("program.tin", "12"),
    ("program.phone", "555"),
    ("plan.weeks", -5),
    ("plan.weeks", 0),
    ("plan.weeks", True),
    ("plan.weeks", "8"),
    ("plan.weeks", 8.0),
    ("plan.level", "inpatient"),
    ("plan.schedule", Schedule(days_per_week=8, hours_per_day=25.0)),
    ("plan.schedule", Schedule(days_per_week=3, hours_per_day=float("nan"))),
    ("plan.schedule", Schedule()),
    ("request.service_code", "?"),
    ("request.revenue_code", "9"),
    ("request.period", DateRange(start=date(2026, 3, 2))),
)


def _replaced(obj: Any, path: str, value: Any) -> Any:
    head, _, rest = path.partition(".")
    inner = value if not rest else _replaced(getattr(obj, head), rest, value)
    return attrs.evolve(obj, **{head: inner})


@st.composite
def broken_cases(draw: st.DrawFn) -> Case:
    """A valid case with one to three values from :data:`DUMPABLE_BREAKS` put in, built in code."""
    case = draw(cases())
    chosen = draw(
        st.lists(st.sampled_from(DUMPABLE_BREAKS), min_size=1, max_size=3, unique_by=lambda b: b[0])
    )
    for path, value in chosen:
        case = _replaced(case, path, value)
    return case


#: Python values of every kind a caller might put in a field by mistake.
python_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    texts(12),
    st.just(""),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(texts(4), st.integers(0, 5), max_size=2),
    st.tuples(texts(4)),
    st.builds(object),
    st.sampled_from([Sex.FEMALE, LevelOfCare.PHP, PersonName(given="A", family="B")]),
)


@st.composite
def with_any_value(draw: st.DrawFn, case: Case) -> tuple[Case, str]:
    """``case`` with one field, anywhere in it, set to any Python value; and that field's path."""

    def replace(obj: Any, path: str) -> tuple[Any, str]:
        names = [f.name for f in attrs.fields(type(obj))]
        name = draw(st.sampled_from(names))
        value, where = getattr(obj, name), f"{path}.{name}"
        if attrs.has(type(value)) and draw(st.booleans()):
            new, where = replace(value, where)
        elif (
            isinstance(value, tuple) and value and attrs.has(type(value[0])) and draw(st.booleans())
        ):
            index = draw(st.integers(0, len(value) - 1))
            item, where = replace(value[index], f"{where}[{index}]")
            new = (*value[:index], item, *value[index + 1 :])
        else:
            new = draw(python_values)
        return attrs.evolve(obj, **{name: new}), where

    return replace(case, "$")


@st.composite
def with_dates_moved(draw: st.DrawFn, case: Case) -> Case:
    """``case`` with some of its dates, anywhere in it, moved to any day from 1900 to 2100
    (before the birth date, after the request date, ranges ending before they start)."""
    days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))

    def move(obj: Any) -> Any:
        if isinstance(obj, tuple):
            return tuple(move(item) for item in obj)
        if type(obj) is date:
            return draw(days) if draw(st.integers(0, 3)) == 0 else obj
        if not attrs.has(type(obj)):
            return obj
        return attrs.evolve(
            obj, **{f.name: move(getattr(obj, f.name)) for f in attrs.fields(type(obj))}
        )

    return move(case)  # type: ignore[no-any-return]


# --- payer decisions and authorizations (iopauth.authorization) ---
codes = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=5)


@st.composite
def _grant(draw: st.DrawFn) -> dict[str, Any]:
    """Authorized units and an authorized window, each possibly absent."""
    start = draw(optional(between(date(2023, 12, 1), date(2028, 3, 1))))
    end = None if start is None else draw(optional(between(start, start + timedelta(days=200))))
    return {
        "authorized_units": draw(optional(st.integers(0, 400))),
        "authorized_start": start,
        "authorized_end": end,
    }


@st.composite
def decision_items(draw: st.DrawFn) -> DecisionItem:
    """One adjudicated service line, as a PAS reader may decode it."""
    return DecisionItem(
        sequence=draw(optional(st.integers(1, 99))),
        service_code=draw(optional(st.sampled_from(["S9480", "H0015", "0905", "90853"]))),
        revenue_code=draw(optional(st.sampled_from(["0905", "0906", "0912"]))),
        status=draw(optional(st.sampled_from(DecisionStatus))),
        review_action_code=draw(optional(codes)),
        authorization_number=draw(optional(codes)),
        reason_codes=tuple(draw(st.lists(codes, max_size=3))),
        reasons=tuple(draw(st.lists(decision_reasons(), max_size=2))),
        reference_number=draw(optional(codes)),
        issued_on=draw(optional(between(date(2024, 1, 1), date(2028, 12, 31)))),
        authorized_provider=draw(optional(st.sampled_from(["Practitioner/p1", "Organization/o"]))),
        authorized_provider_type=draw(optional(codes)),
        authorized_modifiers=tuple(draw(st.lists(codes, max_size=2))),
        authorized_unit_price=draw(optional(st.floats(0, 100_000, allow_nan=False))),
        authorized_currency=draw(optional(st.sampled_from(["USD"]))),
        added_by_payer=draw(st.booleans()),
        **draw(_grant()),
    )


@st.composite
def decision_reasons(draw: st.DrawFn) -> DecisionReason:
    """A payer's reason (X12 HCR03), perhaps with its words."""
    return DecisionReason(
        code=draw(codes),
        system=draw(optional(st.just("https://codesystem.x12.org/external/886"))),
        text=draw(optional(texts())),
    )


@st.composite
def decision_errors(draw: st.DrawFn) -> DecisionError:
    """An error a payer reports (X12 AAA): code, element, FHIRPath, follow-up action."""
    return DecisionError(
        code=draw(optional(codes)),
        system=draw(optional(st.just("https://codesystem.x12.org/005010/901"))),
        element=draw(optional(st.just("2010A-NM103"))),
        path=draw(optional(st.just("Bundle.entry[1].resource.name"))),
        followup_action=draw(optional(codes)),
    )


@st.composite
def decisions(draw: st.DrawFn, status: DecisionStatus | None = None) -> Decision:
    """A payer decision with any status (or the one given), possibly with service lines."""
    return Decision(
        status=status if status is not None else draw(st.sampled_from(DecisionStatus)),
        decided_on=draw(optional(between(date(2024, 1, 1), date(2028, 12, 31)))),
        authorization_number=draw(optional(codes)),
        reason_codes=tuple(draw(st.lists(codes, max_size=3))),
        reason_text=draw(optional(texts())),
        information_requested=tuple(draw(st.lists(texts(), max_size=2))),
        unknown_codes=tuple(draw(st.lists(codes, max_size=2))),
        items=tuple(draw(st.lists(decision_items(), max_size=3))),
        response_id=draw(optional(codes)),
        reasons=tuple(draw(st.lists(decision_reasons(), max_size=2))),
        reference_number=draw(optional(codes)),
        issued_on=draw(optional(between(date(2024, 1, 1), date(2028, 12, 31)))),
        errors=tuple(draw(st.lists(decision_errors(), max_size=2))),
        information_request_references=tuple(
            draw(st.lists(st.just("https://payer.example/fhir/CommunicationRequest/1"), max_size=1))
        ),
        notes=tuple(draw(st.lists(texts(), max_size=1))),
        **draw(_grant()),
    )


unit_types = st.sampled_from(UnitType)


def usages(
    unit_type: UnitType, low: date, high: date, max_size: int = 20
) -> st.SearchStrategy[list[Usage]]:
    """Usage entries between two dates: one unit per day for per diem, 1–8 units otherwise."""
    units = st.just(1) if unit_type is UnitType.PER_DIEM else st.integers(1, 8)
    return st.lists(st.builds(Usage, day=between(low, high), units=units), max_size=max_size)


@st.composite
def reviews(draw: st.DrawFn, low: date) -> Review:
    """A review requested on or after ``low``, decided or still awaiting a decision."""
    requested = draw(between(low, low + timedelta(days=60)))
    decided = draw(st.booleans())
    decision = draw(optional(decisions())) if decided else None
    return Review(
        kind=draw(st.sampled_from(ReviewType)),
        requested_on=requested,
        urgency=draw(st.sampled_from(Urgency)),
        outcome=draw(st.sampled_from(DecisionStatus)) if decided else None,
        decided_on=draw(between(requested, requested + timedelta(days=20))) if decided else None,
        reference=draw(optional(codes)),
        decision=decision,
    )


@st.composite
def authorizations(draw: st.DrawFn, unit_type: UnitType | None = None) -> Authorization:
    """An authorization in any state: requested and maybe granted units, reviews and usage."""
    unit = unit_type if unit_type is not None else draw(unit_types)
    start = draw(between(date(2024, 1, 1), date(2028, 12, 1)))
    granted = draw(st.booleans())
    auth_start = draw(between(start, start + timedelta(days=14))) if granted else None
    auth_end = (
        draw(optional(between(auth_start, auth_start + timedelta(days=90))))
        if auth_start is not None
        else None
    )
    schedule = draw(
        optional(
            st.builds(
                Schedule, days_per_week=st.integers(1, 7), hours_per_day=st.sampled_from([3.0, 4.5])
            )
        )
    )
    return Authorization(
        case_id=draw(codes),
        payer_name=draw(texts(20)),
        plan_type=draw(st.sampled_from(PlanType)),
        level_of_care=draw(st.sampled_from([LevelOfCare.IOP, LevelOfCare.PHP])),
        service_codes=tuple(
            draw(st.lists(st.sampled_from(["S9480", "H0015", "0905"]), max_size=2))
        ),
        unit_type=unit,
        authorization_number=draw(optional(codes)),
        status=draw(
            st.sampled_from(
                [s for s in AuthorizationStatus if s.value not in ("expired", "exhausted")]
            )
        ),
        requested_units=draw(optional(st.integers(0, 80))),
        requested_start=start,
        requested_end=start + timedelta(days=draw(st.integers(0, 90))),
        authorized_units=draw(st.integers(0, 80)) if granted else None,
        authorized_start=auth_start,
        authorized_end=auth_end,
        admission_date=draw(optional(st.just(start))),
        certified_on=draw(optional(between(start, start + timedelta(days=60)))),
        schedule=schedule,
        review_lead_days=draw(optional(st.integers(0, 10))),
        appeal_window_days=draw(optional(st.integers(0, 180))),
        care_manager=draw(
            optional(st.builds(CareManager, name=optional(texts(20)), phone=optional(phones)))
        ),
        reviews=tuple(draw(st.lists(reviews(start), max_size=3))),
        usage=tuple(
            sorted(
                draw(usages(unit, start - timedelta(days=7), start + timedelta(days=120))),
                key=lambda u: (u.day, u.units),
            )
        ),
    )


# --- FHIR (iopauth.fhir) ---

#: Any JSON value, small: what a careless or hostile exporter may put where FHIR wants another.
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def _json_slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) of a JSON document, depth first."""
    out: list[tuple[Any, Any]] = []
    keys = node.keys() if isinstance(node, dict) else range(len(node))
    for key in keys:
        out.append((node, key))
        if isinstance(node[key], dict | list):
            out.extend(_json_slots(node[key]))
    return out


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """A copy of a JSON document with one value, at any depth, replaced by any JSON value."""
    copy: dict[str, Any] = json.loads(json.dumps(document))
    container, key = draw(st.sampled_from(_json_slots(copy)))
    container[key] = draw(json_values)
    return copy


#: JSON values one step from valid: each sits on an edge of a check the loader's fast first
#: pass takes a shortcut on (strings, integers, dates, enums, arrays, records).
NEAR_MISSES: tuple[Any, ...] = (
    "",
    " ",
    "\t",
    "\u00a0",
    "a\x01b",
    "a\x7fb",
    "a\ud800b",
    "tab\tand\nnewline",
    "line\u2028separator",
    "x" * 10_000,
    "x" * 10_001,
    True,
    1.0,
    10**9,
    10**9 + 1,
    -(10**9) - 1,
    float("inf"),
    "2024-02-30",
    "2024-W01-1",
    "2024W011",
    "20240101",
    "2024-1-01",
    "\uff12\uff10\uff12\uff14-01-01",
    "2024-01-01 ",
    "+024-01-01",
    "2024-01-0a",
    "0000-01-01",
    "9999-12-31",
    "iop",
    "IOP",
    "iop ",
    [],
    [1] * 101,
    [""] * 51,
    {},
    {"unknown": 1},
)


@st.composite
def broken_documents(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """A copy of a JSON document with one to three values, at any depth, replaced by any JSON
    value or a near miss from :data:`NEAR_MISSES`."""
    copy: dict[str, Any] = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        slots = _json_slots(copy)
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        value = draw(json_values | st.sampled_from(NEAR_MISSES))
        container[key] = json.loads(json.dumps(value))  # a fresh copy: a later step may edit it
    return copy


# Pieces of hostile template expressions: values that may be huge, operators that grow them.
_TEMPLATE_ATOMS = (
    "'A'",
    "'AB' * 1000",
    "[1, 2]",
    "7",
    "9",
    "2.5",
    "99999",
    "40000000",
    "range(50)",
    "patient.name.full",
    "case.diagnoses",
    "request.request_date",
)
_TEMPLATE_FORMS = (
    "({} * {})",
    "({} ** {})",
    "({} + {})",
    "({} ~ {})",
    "('%5d' % {})",
    "({}|join({}))",
    "({}|string|center({}))",
    "({}|replace('', {}|string))",
    "({}|list * {})",
    "range({}|int, {}|int)",
)


def template_expressions(depth: int = 3) -> st.SearchStrategy[str]:
    """Jinja expressions that combine possibly huge values with operators and filters."""
    atoms = st.sampled_from(_TEMPLATE_ATOMS)
    return st.recursive(
        atoms,
        lambda inner: st.builds(str.format, st.sampled_from(_TEMPLATE_FORMS), inner, inner),
        max_leaves=depth * 2,
    )


def hostile_templates() -> st.SearchStrategy[str]:
    """A template printing a hostile expression, possibly inside nested loops."""
    loops = st.sampled_from(("{}", "{{% for i in range(40) %}}{}{{% endfor %}}"))
    body = template_expressions().map(lambda e: "{{ " + e + " }}")
    return st.builds(lambda outer, inner, b: outer.format(inner.format(b)), loops, loops, body)


# --- form mappings (iopauth.forms) ---------------------------------------------------------

_MAPPING_PATHS = (
    "patient.name.full",
    "patient.birth_date",
    "patient.sex",
    "diagnoses[0].code",
    "coverage.member_id",
    "request.period.start",
    "patient.nme",  # a typo: refused at its path
    "patient",  # a record: refused
)
_MAPPING_DERIVED = ("age", "hours_per_week", "units", "primary_diagnosis_code", "hours_per_wk")


@st.composite
def _mapping_entry(draw: st.DrawFn, index: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"field": f"f{index}"}
    source = draw(st.sampled_from(("path", "derived", "text", "none", "two")))
    if source in ("path", "two"):
        entry["path"] = draw(st.sampled_from(_MAPPING_PATHS))
    if source in ("derived", "two"):
        entry["derived"] = draw(st.sampled_from(_MAPPING_DERIVED))
    if source == "text":
        letters = st.characters(categories=("L", "N", "Zs"), exclude_characters='"\\')
        entry["text"] = draw(st.text(letters, max_size=10))
    if draw(st.booleans()):
        entry["checked_when"] = draw(st.sampled_from(("female", "met", "yes")))
    if draw(st.integers(0, 9)) == 0:
        entry["colour"] = "blue"  # an unknown key
    return entry


@st.composite
def mapping_tables(draw: st.DrawFn) -> dict[str, Any]:
    """A form mapping as TOML tables: some entries valid, some with a typo, two sources…"""
    count = draw(st.integers(1, 5))
    return {"fields": [draw(_mapping_entry(i)) for i in range(count)]}


def toml_text(tables: dict[str, Any]) -> str:
    """``mapping_tables()`` written as TOML (strings only, as those tables hold)."""
    lines = []
    for entry in tables["fields"]:
        lines.append("[[fields]]")
        lines += [f'{key} = "{value}"' for key, value in entry.items()]
    return "\n".join(lines) + "\n"


def form_texts(max_size: int) -> st.SearchStrategy[str]:
    """Text a form field may receive: ASCII letters, digits and spaces (any font draws them).

    Never blank: a blank value leaves a field empty, which other tests cover.
    """
    alphabet = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -")
    return st.text(alphabet, min_size=1, max_size=max_size).filter(lambda text: bool(text.strip()))


@st.composite
def pas_item_decisions(draw: st.DrawFn) -> DecisionItem:
    """A service line as a payer adjudicates it: a known review action and what it granted.

    The line's ``number`` is an authorization number when the code grants something and the
    payer's reference otherwise (a denial's number, issue 23); reasons are X12 HCR03 codes
    (https://codesystem.x12.org/external/886, the IG's X12278ReviewDecisionReasonCode).
    """
    from iopauth.authorization.decision import REVIEW_ACTION_STATUS, DecisionReason, DecisionStatus

    code = draw(st.sampled_from(sorted(REVIEW_ACTION_STATUS)))
    status = REVIEW_ACTION_STATUS[code]
    number = draw(optional(codes))
    grants = status in (
        DecisionStatus.APPROVED,
        DecisionStatus.PARTIALLY_APPROVED,
        DecisionStatus.MODIFIED,
    )
    reason_codes = tuple(draw(st.lists(codes, max_size=3, unique=True)))
    return DecisionItem(
        sequence=draw(st.integers(1, 99)),
        service_code=draw(optional(st.sampled_from(["S9480", "H0015", "S0201", "90853"]))),
        revenue_code=draw(optional(st.sampled_from(["0905", "0906", "0912"]))),
        status=status,
        review_action_code=code,
        authorization_number=number if grants else None,
        reference_number=None if grants else number,
        reason_codes=reason_codes,
        reasons=tuple(
            DecisionReason(code=c, system="https://codesystem.x12.org/external/886")
            for c in reason_codes
        ),
        **draw(_grant()),
    )


# --- languages of the patient summary (iopauth.rendering.language) -----------------------------

#: Tags with a catalog (Spanish, its regions in any case), English, and languages without one.
LANGUAGE_TAGS = (
    "es", "es-US", "es-MX", "es-419", "ES-us", "en", "en-US", "en-GB",
    "fr", "fr-CA", "vi", "zh-Hant-TW", "pt-BR", "tl",
)  # fmt: skip


def language_tags() -> st.SearchStrategy[str]:
    """A BCP 47 tag a case or RenderOptions may carry, with or without a shipped catalog."""
    return st.sampled_from(LANGUAGE_TAGS)


@st.composite
def certified_cases(draw: st.DrawFn) -> Case:
    """A valid case whose plan may carry a certification, a signature date and a last review."""
    case = draw(cases())
    start = case.plan.start_date
    days = between(start - timedelta(days=30), start + timedelta(days=60))
    npis = [c.npi for c in case.clinicians if c.npi] or list(NPIS)
    plan = attrs.evolve(
        case.plan,
        certified_on=draw(optional(days)),
        certified_by_npi=draw(optional(st.sampled_from(npis))),
        last_reviewed=draw(optional(days)),
        signed_on=draw(optional(days)),
    )
    return attrs.evolve(case, plan=plan)
