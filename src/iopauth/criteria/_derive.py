"""How each group of facts is derived from a case (see facts.py for the registry).

Each function returns the facts of one group; a fact it leaves out is unknown. Absent records
(no risk assessment, no diagnoses) leave their whole group unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from enum import Enum
from typing import Any

from ..caseformat.rules import SERVICES_TOLERANCE
from ..model import (
    Case,
    DocumentKind,
    EpisodeOutcome,
    GoalStatus,
    Housing,
    LevelOfCare,
    LevelOfCareRating,
    RatingInstrument,
    Severity,
    WithdrawalRisk,
)
from . import _adapters

Value = bool | int | float | str | tuple[str, ...] | None
"""A fact's value: ``None`` is unknown (not documented)."""


def _enum(value: Enum | None) -> str | None:
    return None if value is None else str(value.value)


def _days(later: date, earlier: date | None) -> int | None:
    return None if earlier is None else (later - earlier).days


# --- group derivations -----------------------------------------------------------------------


def patient(case: Case, as_of: date) -> dict[str, Value]:
    return {
        "patient.age": case.patient.age_on(as_of),
        "patient.sex": _enum(case.patient.sex),
        "coverage.plan_type": _enum(case.coverage.plan_type),
        "program.setting": _enum(case.program.setting),
        "clinicians.has_physician": _any_or_unknown(case.clinicians, lambda c: c.is_physician),
    }


def request(case: Case, as_of: date) -> dict[str, Value]:
    request = case.request
    return {
        "request.kind": _enum(request.kind),
        "request.weeks": request.weeks,
        "request.documents": (
            tuple(sorted({str(d.kind.value) for d in request.documents}))
            if request.documents
            else None
        ),
    }


def schedule(case: Case, as_of: date) -> dict[str, Value]:
    schedule = case.plan.schedule
    hours: float | None
    days: int | None
    min_day: float | None
    if schedule.sessions:
        per_day: dict[str, float] = {}
        for session in schedule.sessions:
            per_day[session.day] = per_day.get(session.day, 0.0) + session.minutes / 60
        hours = sum(per_day.values())
        days = len(per_day)
        min_day = min(per_day.values())
    elif schedule.days_per_week is not None and schedule.hours_per_day is not None:
        days = schedule.days_per_week
        hours = days * schedule.hours_per_day
        min_day = schedule.hours_per_day if days else None
    else:
        days = schedule.days_per_week
        hours = None
        min_day = None
    services = case.plan.services_hours_per_week if case.plan.services else None
    # services that fall short of the schedule (beyond rounding) are what is delivered
    short = None if services is None or hours is None else services < hours - SERVICES_TOLERANCE
    return {
        "plan.hours_per_week": hours,
        "plan.counted_hours_per_week": services if short else hours,
        "plan.services_fall_short": short,
        "plan.days_per_week": days,
        "plan.hours_per_day": hours / days if hours is not None and days else None,
        "plan.min_hours_per_day": min_day,
    }


def _any_or_unknown(items: Collection[Any], test: Callable[[Any], bool]) -> bool | None:
    """Unknown when nothing is recorded; otherwise whether any recorded item passes."""
    return any(test(i) for i in items) if items else None


def _dated_by(day: date | None, as_of: date) -> bool | None:
    """A signature or certification counts from its date: unknown without one."""
    return None if day is None else day <= as_of


def _certified(case: Case, as_of: date) -> bool | None:
    """Certified by a physician on the case, dated on or before ``as_of``.

    Unknown without a date or an NPI, or when the NPI matches no clinician on the case (we
    cannot tell who signed); false when the signer is on the case but is not a physician.
    """
    plan = case.plan
    if plan.certified_on is None or not plan.certified_by_npi:
        return None
    signer = next((c for c in case.clinicians if c.npi == plan.certified_by_npi), None)
    if signer is None:
        return None
    return signer.is_physician and plan.certified_on <= as_of


def plan(case: Case, as_of: date) -> dict[str, Value]:
    plan = case.plan
    goals = plan.goals
    statuses = {g.status for g in goals}
    text = plan.discharge_plan
    return {
        "plan.level": _enum(plan.level),
        "plan.weeks": plan.weeks,
        "plan.services_hours_per_week": plan.services_hours_per_week if plan.services else None,
        "plan.has_services": _any_or_unknown(
            plan.services, lambda s: s.sessions_per_week > 0 and s.minutes_per_session > 0
        ),
        "plan.has_measurable_goals": _any_or_unknown(goals, lambda g: bool(g.measure.strip())),
        "plan.all_goals_met": (statuses == {GoalStatus.MET}) if goals else None,
        "plan.goal_progress": _any_or_unknown(
            goals, lambda g: g.status is GoalStatus.MET or bool(g.progress)
        ),
        "plan.revised": _any_or_unknown(goals, lambda g: g.status is GoalStatus.REVISED),
        "plan.signed": _dated_by(plan.signed_on, as_of),
        "plan.certified": _certified(case, as_of),
        "plan.days_since_admission": (as_of - plan.start_date).days,
        "plan.days_since_certification": _days(as_of, plan.certified_on),
        "plan.certification_day": (
            None if plan.certified_on is None else (plan.certified_on - plan.start_date).days
        ),
        "plan.days_since_review": _days(as_of, plan.last_reviewed),
        "plan.certified_on": None if plan.certified_on is None else plan.certified_on.isoformat(),
        "plan.start_date": plan.start_date.isoformat(),
        "plan.discharge_plan": None if text is None else bool(text.strip()),
        "plan.step_down_level": _enum(plan.step_down_level),
    }


def medications(case: Case, as_of: date) -> dict[str, Value]:
    on_hand = any(d.kind is DocumentKind.MEDICATION_LIST for d in case.request.documents)
    return {
        # a recorded regimen or medication list shows medication was evaluated; their absence
        # does not show it was not (no medication may be indicated)
        "medications.evaluated": True if case.medications or on_hand else None,
        "medications.count": len(case.medications),
    }


def diagnoses(case: Case, as_of: date) -> dict[str, Value]:
    if not case.diagnoses:
        return {}
    codes = tuple(d.code for d in case.diagnoses)
    categories = {_adapters.diagnosis_category(c) for c in codes}
    substance = "substance_use" in categories
    mental = "mental_health" in categories
    primary = next((d.code for d in case.diagnoses if d.primary), None)
    return {
        "diagnoses.codes": codes,
        "diagnoses.primary_code": primary,
        "diagnoses.primary_category": (
            None if primary is None else _adapters.diagnosis_category(primary)
        ),
        "diagnoses.behavioral": substance or mental,
        "diagnoses.mental_health": mental,
        "diagnoses.substance_use": substance,
        "diagnoses.co_occurring": mental and substance,
    }


def presentation(case: Case, as_of: date) -> dict[str, Value]:
    p = case.presentation
    return {
        "presentation.outpatient_insufficient": None if p is None else p.outpatient_insufficient,
        "presentation.primarily_social": None if p is None else p.primarily_social_or_custodial,
        "presentation.symptoms_count": len(p.symptoms) if p is not None and p.symptoms else None,
        "presentation.days_since_assessment": None if p is None else _days(as_of, p.assessed_on),
        "presentation.assessed_on": None if p is None else p.assessed_on.isoformat(),
    }


_IMPAIRED = frozenset({Severity.MODERATE, Severity.SEVERE})


_SEVERITY_ORDER = (Severity.NONE, Severity.MILD, Severity.MODERATE, Severity.SEVERE)


def functioning(case: Case, as_of: date) -> dict[str, Value]:
    rated = case.functioning
    worst = max((_SEVERITY_ORDER.index(f.severity) for f in rated), default=None)
    return {
        "functioning.max_severity": None if worst is None else _SEVERITY_ORDER[worst].value,
        "functioning.severe_domains": (
            sum(f.severity is Severity.SEVERE for f in rated) if rated else None
        ),
        "functioning.impaired_domains": (
            sum(f.severity in _IMPAIRED for f in rated) if rated else None
        ),
    }


def risk(case: Case, as_of: date) -> dict[str, Value]:
    r = case.risk
    if r is None:
        return {}
    return {
        "risk.imminent_danger": r.imminent_danger,
        "risk.suicidal_ideation": _enum(r.suicidal_ideation),
        "risk.suicide_plan": r.suicide_plan,
        "risk.suicide_intent": r.suicide_intent,
        "risk.homicidal_ideation": _enum(r.homicidal_ideation),
        "risk.self_harm_recent": r.self_harm_recent,
        "risk.safety_plan": r.safety_plan,
        "risk.days_since_assessment": _days(as_of, r.assessed_on),
        "risk.assessed_on": r.assessed_on.isoformat(),
    }


def medical(case: Case, as_of: date) -> dict[str, Value]:
    m = case.medical
    if m is None:
        return {}
    return {
        "medical.stable": m.medically_stable,
        "medical.withdrawal_risk": _enum(m.withdrawal_risk),
        "medical.withdrawal_needs_monitoring": (
            None if m.withdrawal_risk is None else m.withdrawal_risk is WithdrawalRisk.HIGH
        ),
        "medical.condition_prevents_benefit": m.condition_prevents_benefit,
    }


def history(case: Case, as_of: date) -> dict[str, Value]:
    iop = LevelOfCare.IOP.rank
    episodes = sorted(case.history, key=lambda e: e.period.start)
    lower = [e for e in episodes if e.level.rank < iop]
    higher = [e for e in episodes if e.level.rank > iop]
    if not episodes:
        return {}
    failed = any(e.outcome is EpisodeOutcome.INSUFFICIENT_RESPONSE for e in lower)

    def since_end(levels: Collection[LevelOfCare]) -> int | None:
        ends = [e.period.end for e in episodes if e.level in levels and e.period.end]
        return (as_of - max(ends)).days if ends else None

    stepped = [e for e in higher if e.outcome is EpisodeOutcome.STEPPED_DOWN]
    return {
        "history.failed_lower_level": failed,
        "history.days_since_inpatient_discharge": since_end({LevelOfCare.INPATIENT}),
        "history.days_since_higher_level_discharge": since_end(
            {LevelOfCare.PHP, LevelOfCare.RESIDENTIAL, LevelOfCare.INPATIENT}
        ),
        "history.stepped_down": bool(stepped),
        "history.stepped_down_from": _enum(stepped[-1].level) if stepped else None,
    }


_SAFE_HOUSING = frozenset({Housing.STABLE, Housing.SUPERVISED})


def psychosocial(case: Case, as_of: date) -> dict[str, Value]:
    p = case.psychosocial
    if p is None:
        return {}
    return {
        "psychosocial.housing": _enum(p.housing),
        "psychosocial.stable_housing": None if p.housing is None else p.housing in _SAFE_HOUSING,
        "psychosocial.safe_environment": p.safe_environment,
        "psychosocial.support_system": p.support_system,
        "psychosocial.family_involved": p.family_involved,
        "psychosocial.transportation": p.transportation,
    }


def engagement(case: Case, as_of: date) -> dict[str, Value]:
    e = case.engagement
    if e is None:
        return {}
    rate: float | None = None
    if e.sessions_scheduled and e.sessions_attended is not None:
        rate = e.sessions_attended / e.sessions_scheduled
    return {
        "engagement.able": e.able_to_participate,
        "engagement.willing": e.willing,
        "engagement.consent": e.consent_signed,
        "engagement.expected_to_improve": e.expected_to_improve,
        "engagement.attendance_rate": rate,
        "engagement.sessions_attended": e.sessions_attended,
    }


_RATING_NAMES = {
    RatingInstrument.LOCUS: "LOCUS",
    RatingInstrument.CALOCUS_CASII: "CALOCUS-CASII",
    RatingInstrument.ASAM: "ASAM Criteria",
}
_ORDINALS = {"1": "1st", "2": "2nd", "3": "3rd"}


def rating_name(rating: LevelOfCareRating) -> str:
    """``LOCUS version 20``, ``ASAM Criteria (3rd edition)``: a version never reads as a score."""
    name = _RATING_NAMES[rating.instrument]
    version = (rating.version or "").strip()
    if not version:
        return name
    if rating.instrument is RatingInstrument.ASAM:
        ordinal = _ORDINALS.get(version, f"{version}th" if version.isdigit() else version)
        return f"{name} ({ordinal} edition)"
    return f"{name} version {version}"


def _rank_facts(
    prefix: str, rating: LevelOfCareRating | None, level: LevelOfCare | None
) -> dict[str, Value]:
    """Where a rating (mapped to ``level``) sits against IOP and PHP, and why a lower
    placement was chosen."""
    rank = None if level is None else level.rank
    if rating is not None and rank is None and _adapters.below_iop(rating, level):
        rank = LevelOfCare.OUTPATIENT.rank  # LOCUS / CALOCUS-CASII 0 and 1: below any program
    return {
        # no rating recorded: nothing points above (or at) a level
        f"{prefix}.above_iop": False if rating is None else _above(rank, LevelOfCare.IOP),
        f"{prefix}.above_php": False if rating is None else _above(rank, LevelOfCare.PHP),
        f"{prefix}.placement_reason": None if rating is None else _enum(rating.placement_reason),
        f"{prefix}.placement_explained": rating is not None and rating.placement_reason is not None,
    }


def _above(rank: int | None, level: LevelOfCare) -> bool | None:
    return None if rank is None else rank > level.rank


def ratings(case: Case, as_of: date) -> dict[str, Value]:
    # the latest rating of each instrument and of all, in one pass (the first of a day wins,
    # as max() picks it)
    latest: LevelOfCareRating | None = None
    by_instrument: dict[RatingInstrument, LevelOfCareRating] = {}
    for rated in case.level_of_care_ratings:
        if latest is None or rated.rated_on > latest.rated_on:
            latest = rated
        seen = by_instrument.get(rated.instrument)
        if seen is None or rated.rated_on > seen.rated_on:
            by_instrument[rated.instrument] = rated
    out: dict[str, Value] = {}
    for instrument, name in _RATING_FACTS.items():
        rating = by_instrument.get(instrument)
        out[name] = (
            None if rating is None else (rating.override_level or rating.recommended_level).strip()
        )
    # each rating is looked up in the level tables once
    mapped = None if latest is None else _adapters.mapped_level(latest)
    below = None if latest is None else _adapters.below_iop(latest, mapped)
    out["rating.level"] = _enum(mapped)
    # absence of a rating is not a sign that a lower level would do
    out["rating.below_iop"] = False if latest is None else below
    out["rating.at_or_above_iop"] = (
        False if latest is None else (None if mapped is None else mapped.rank >= _IOP_RANK)
    )
    if latest is not None and mapped is None and below:
        out["rating.at_or_above_iop"] = False
    out["rating.name"] = None if latest is None else rating_name(latest)
    out["rating.recorded_level"] = (
        None if latest is None else (latest.override_level or latest.recommended_level).strip()
    )
    out["rating.rated_on"] = None if latest is None else latest.rated_on.isoformat()
    out.update(_rank_facts("rating", latest, mapped))
    asam = by_instrument.get(RatingInstrument.ASAM)
    asam_level = None if asam is None else _adapters.mapped_level(asam)
    out["asam.mapped_level"] = _enum(asam_level)
    out["asam.name"] = None if asam is None else rating_name(asam)
    out["asam.rated_on"] = None if asam is None else asam.rated_on.isoformat()
    out.update(_rank_facts("asam", asam, asam_level))
    return out


_IOP_RANK = LevelOfCare.IOP.rank


_RATING_FACTS = {
    RatingInstrument.LOCUS: "locus.level",
    RatingInstrument.CALOCUS_CASII: "calocus.level",
    RatingInstrument.ASAM: "asam.level",
}
