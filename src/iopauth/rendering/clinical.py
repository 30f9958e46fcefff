"""Clinical sentences built from the case, as a payer's reviewer reads them.

Letters state the case's facts in the reviewer's words ("PHQ-9 16 (moderately severe) on
May 2, 2026, up 4 points from 12 on April 4, 2026"; "Severe impairment at school: missed 11
of 20 school days"). They never print the engine's fact names, JSON paths or evidence values:
a finding's evidence only chooses *which* of these sentences bear on its criterion.

Every sentence comes from a documented field; a field the case leaves out produces none.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..codes import lookup_icd10
from ..criteria._adapters import diagnosis_category
from ..levels import asam_edition
from ..model import (
    Case,
    Diagnosis,
    EpisodeOutcome,
    FunctionalDomain,
    Goal,
    GoalStatus,
    IdeationLevel,
    LevelOfCareRating,
    RatingInstrument,
    RequestKind,
    Severity,
)
from .environment import long_date, number
from .labels import label
from .measure_rows import score_text
from .views import MeasureRow

_WHERE = {
    FunctionalDomain.WORK: "at work",
    FunctionalDomain.SCHOOL: "at school",
    FunctionalDomain.FAMILY: "in family life",
    FunctionalDomain.SOCIAL: "in social life",
    FunctionalDomain.SELF_CARE: "in self-care",
    FunctionalDomain.HOUSING: "in housing",
    FunctionalDomain.LEGAL: "in legal matters",
    FunctionalDomain.HEALTH: "in physical health",
}


def functioning_sentences(case: Case) -> list[str]:
    """``Severe impairment at school: missed 11 of 20 school days.``"""
    out = []
    for f in case.functioning:
        if f.severity is Severity.NONE:
            continue
        note = f": {f.note}" if f.note else ""
        out.append(f"{label(f.severity).capitalize()} impairment {_WHERE[f.domain]}{note}.")
    return out


def attendance_sentence(case: Case) -> str | None:
    """Program days attended against the days scheduled, from the record."""
    eng = case.engagement
    if eng is None or not eng.sessions_scheduled or eng.sessions_attended is None:
        return None
    share = round(100 * eng.sessions_attended / eng.sessions_scheduled)
    return (
        f"Attended {eng.sessions_attended} of {eng.sessions_scheduled} scheduled program days "
        f"({share}%) since admission on {long_date(case.plan.start_date)}."
    )


_INSTRUMENT_NAMES = {
    RatingInstrument.LOCUS: "LOCUS",
    RatingInstrument.CALOCUS_CASII: "CALOCUS-CASII",
    RatingInstrument.ASAM: "ASAM Criteria",
}


def rating_name(rating: LevelOfCareRating) -> str:
    """``LOCUS version 20``: a version reads as a version, never as a score."""
    name = _INSTRUMENT_NAMES[rating.instrument]
    if not rating.version:
        return name
    # ASAM numbers editions; LOCUS and CALOCUS-CASII number versions (level-of-care.md §1).
    # The edition printed is the rating's own: "3" or "2013" reads "3rd edition"; a version we
    # cannot place is printed as the clinician recorded it.
    if rating.instrument is RatingInstrument.ASAM:
        edition = asam_edition(rating.version)
        if edition is not None:
            return f"{name}, {edition}{'rd' if edition == 3 else 'th'} edition"
        return f"{name} ({rating.version})"
    return f"{name} version {rating.version}"


def rating_sentences(case: Case) -> list[str]:
    """The recorded level-of-care ratings and the level each recommended."""
    out = []
    for r in case.level_of_care_ratings:
        by = f" by {r.rater}" if r.rater else ""
        composite = f", composite score {r.composite}" if r.composite is not None else ""
        text = (
            f"{rating_name(r)}, rated {long_date(r.rated_on)}{by}{composite}: "
            f"recommended level {r.recommended_level}"
        )
        if r.override_level:
            reason = f" ({r.override_reason})" if r.override_reason else ""
            text += f"; clinician override to level {r.override_level}{reason}"
        out.append(text + ".")
    return out


def failed_lower_sentences(case: Case) -> list[str]:
    """Earlier care at a lower level that ended with an insufficient response."""
    out = []
    for e in case.history:
        if e.level.rank >= case.plan.level.rank:
            continue
        if e.outcome is not EpisodeOutcome.INSUFFICIENT_RESPONSE:
            continue
        where = f" ({e.provider})" if e.provider else ""
        until = f"to {long_date(e.period.end)}" if e.period.end else "to the present"
        out.append(
            f"{label(e.level).capitalize()} care{where} from {long_date(e.period.start)} "
            f"{until} ended with an insufficient response."
        )
    return out


def risk_statements(case: Case) -> list[str]:
    """Documented risk facts in words; undocumented ones are left out, never assumed."""
    risk = case.risk
    out: list[str] = []
    if risk is None:
        return out
    if risk.suicidal_ideation is IdeationLevel.NONE:
        out.append("denies suicidal ideation")
    elif risk.suicidal_ideation is not None:
        out.append(f"{label(risk.suicidal_ideation)} suicidal ideation")
    for flag, yes, no in (
        (risk.suicide_plan, "has a suicide plan", "no suicide plan"),
        (risk.suicide_intent, "reports intent to act", "no intent to act"),
        (risk.self_harm_recent, "recent self-harm", "no recent self-harm"),
        (risk.safety_plan, "a safety plan is in place", "no safety plan yet"),
    ):
        if flag is not None:
            out.append(yes if flag else no)
    if risk.homicidal_ideation is IdeationLevel.NONE:
        out.append("denies homicidal ideation")
    elif risk.homicidal_ideation is not None:
        out.append(f"{label(risk.homicidal_ideation)} homicidal ideation")
    if risk.last_attempt_date is not None:
        out.append(f"last suicide attempt on {long_date(risk.last_attempt_date)}")
    if risk.imminent_danger is False:
        out.append(
            "the clinician judges that the patient is not an imminent danger to self or others"
        )
    elif risk.imminent_danger is True:
        out.append("the clinician judges that the patient is an imminent danger to self or others")
    return out


def risk_sentences(case: Case) -> list[str]:
    statements = risk_statements(case)
    if not statements or case.risk is None:
        return []
    joined = "; ".join(statements)
    return [f"Risk assessment of {long_date(case.risk.assessed_on)}: {joined}."]


def benefit_sentences(case: Case) -> list[str]:
    med = case.medical
    if med is None or med.condition_prevents_benefit is None:
        return []
    if med.condition_prevents_benefit:
        return ["A medical or cognitive condition is recorded that may limit benefit."]
    return ["No medical or cognitive condition is recorded that would prevent benefit."]


def engagement_sentences(case: Case) -> list[str]:
    eng = case.engagement
    if eng is None:
        return []
    parts = []
    if eng.able_to_participate:
        parts.append("is able to take part in a structured program")
    if eng.willing:
        parts.append("is willing to take part")
    if eng.consent_signed:
        parts.append("has signed consent to treatment")
    return (
        [f"The patient {', '.join(parts[:-1])}{' and ' if len(parts) > 1 else ''}{parts[-1]}."]
        if parts
        else []
    )


def improvement_sentences(case: Case) -> list[str]:
    eng = case.engagement
    if eng is None or eng.expected_to_improve is None:
        return []
    if eng.expected_to_improve:
        return ["The treating clinician expects the patient to improve with this treatment."]
    return []


def presentation_sentences(case: Case) -> list[str]:
    p = case.presentation
    if p is None or not p.outpatient_insufficient:
        return []
    return [
        f"The treating clinician assessed on {long_date(p.assessed_on)} that routine outpatient "
        "care is not enough for the current symptoms and functioning."
    ]


def treatment_sentences(case: Case) -> list[str]:
    p = case.presentation
    if p is None or p.primarily_social_or_custodial is not False:
        return []
    return ["The care planned is active treatment, not custodial, social or respite care."]


def schedule_sentence(case: Case) -> str:
    """``3 days and 9 hours a week``, with the planned length."""
    schedule = case.plan.schedule
    days = schedule.days
    return (
        f"The plan schedules {number(schedule.hours_per_week)} hours a week on {days} "
        f"{'day' if days == 1 else 'days'}, for about {case.plan.weeks} weeks from "
        f"{long_date(case.plan.start_date)}."
    )


def goals_sentences(case: Case) -> list[str]:
    goals = case.plan.goals
    if not goals:
        return []
    out = [
        f"The treatment plan sets {len(goals)} measurable {'goal' if len(goals) == 1 else 'goals'}."
    ]
    # A goal's status defaults to "not started" when the case gives none (the model cannot tell
    # the two apart), so "not started" is never printed: a goal without recorded progress says
    # so ("no progress recorded"), which is true either way. An initial request or an appeal
    # names a goal with its progress only when one is recorded.
    continuing = case.request.kind in (RequestKind.CONCURRENT, RequestKind.EXTENSION)
    for g in goals:
        status = goal_status_words(g)
        if status:
            progress = f": {g.progress}" if g.progress else ""
            out.append(f"{g.description} ({status}{progress}).")
        elif g.progress:
            out.append(f"{g.description} ({g.progress}).")
        elif continuing:
            out.append(f"{g.description} (no progress recorded).")
        else:
            out.append(f"{g.description}.")
    return out


def goal_status_words(goal: Goal) -> str:
    """A goal's recorded status in words (``not started``, ``in progress``, ``met``,
    ``revised``); empty when the case does not record one."""
    return "" if goal.status is None else label(goal.status)


def discharge_sentences(case: Case) -> list[str]:
    plan = case.plan
    out = []
    if plan.discharge_plan:
        out.append(f"Discharge plan: {plan.discharge_plan}")
    if plan.step_down_level:
        out.append(f"Planned step-down: {label(plan.step_down_level)}.")
    return out


def certification_sentences(case: Case) -> list[str]:
    plan = case.plan
    out = []
    if plan.signed_on:
        out.append(f"The treatment plan was signed on {long_date(plan.signed_on)}.")
    if plan.certified_on:
        out.append(f"A physician certified the plan of care on {long_date(plan.certified_on)}.")
    return out


def diagnosis_title(dx: Diagnosis) -> str:
    """The case's description of a diagnosis, else the code's title in the shipped ICD-10-CM
    index (``F10.20``: ``Alcohol dependence, uncomplicated``), else empty."""
    if dx.description:
        return dx.description
    entry = lookup_icd10(dx.code)
    return "" if entry is None else entry.title


def diagnosis_sentences(case: Case) -> list[str]:
    """The primary and other diagnoses with their codes."""
    out = []
    for dx in case.diagnoses:
        role = "Primary diagnosis" if dx.primary else "Also diagnosed"
        title = diagnosis_title(dx)
        text = f"{title} ({dx.code})" if title else dx.code
        out.append(f"{role}: {text}.")
    return out


def physician_sentences(case: Case) -> list[str]:
    doctors = [c for c in case.clinicians if c.is_physician]
    return [f"Physician on the case: {d.name.full}, {d.credentials}." for d in doctors[:1]]


def has_substance_use(case: Case) -> bool:
    """True when the case records a substance-use diagnosis (ICD-10-CM F10–F19)."""
    return any(diagnosis_category(d.code) == "substance_use" for d in case.diagnoses)


# ICD-10-CM categories named recurrent or persistent (codes.md §4: F33 major depressive
# disorder, recurrent; F34 persistent mood disorders). [unverified as a complete list of
# chronic conditions] A diagnosis described as recurrent, chronic or persistent also counts.
_CHRONIC_CATEGORIES = ("F33", "F34")
_CHRONIC_WORDS = ("recurrent", "chronic", "persistent")


def has_chronic_history(case: Case) -> bool:
    """True when a diagnosis is recurrent or chronic, by its code or its description."""
    for dx in case.diagnoses:
        if dx.code.upper().startswith(_CHRONIC_CATEGORIES):
            return True
        if dx.description and any(w in dx.description.lower() for w in _CHRONIC_WORDS):
            return True
    return False


def discharge_barriers(case: Case, rows: Iterable[MeasureRow] = ()) -> tuple[str, ...]:
    """What still stands between the patient and discharge, from the record.

    Goals not recorded as met (a goal with no status or progress recorded says just that), a
    repeated measure whose latest score is still in the instrument's third band or above
    (PHQ-9 and GAD-7 moderate, AUDIT harmful; the bands of measures.md), and moderate or
    severe impairment.
    """
    out = []
    # a goal whose status is not recorded is worded so that it is true either way (no progress
    # recorded, or not recorded as met)
    for g in case.plan.goals:
        progress = f" ({g.progress})" if g.progress else ""
        if g.status is GoalStatus.MET:
            continue
        if goal_status_words(g):
            out.append(f"Goal not yet met: {g.description}{progress}.")
        elif g.progress:
            out.append(f"Goal not recorded as met: {g.description}{progress}.")
        else:
            out.append(f"Goal with no progress recorded: {g.description}.")
    for m in rows:
        edges, total = m.band_edges, m.latest_total
        if m.count > 1 and total is not None and len(edges) >= 2 and total >= edges[1]:
            out.append(
                f"{m.name} is still {score_text(total, m.latest_words)} on "
                f"{long_date(m.latest_date)}."
            )
    for f in case.functioning:
        if f.severity in (Severity.MODERATE, Severity.SEVERE):
            note = f": {f.note}" if f.note else ""
            out.append(
                f"{label(f.severity).capitalize()} impairment {_WHERE[f.domain]} remains{note}."
            )
    return tuple(out)


def medication_changes(case: Case) -> tuple[str, ...]:
    """Medications started after the admission day or stopped, with their dates.

    A medicine started on the admission day is part of the admission plan, not a change.
    """
    out = []
    for m in case.medications:
        dose = " ".join(p for p in (m.dose, m.frequency) if p)
        name = f"{m.name} {dose}".strip()
        if m.end_date is not None:
            out.append(f"{name}: stopped on {long_date(m.end_date)}.")
        elif m.start_date is not None and m.start_date > case.plan.start_date:
            out.append(f"{name}: started on {long_date(m.start_date)}.")
    return tuple(out)


def medication_sentences(case: Case) -> list[str]:
    """Current medications with dose and frequency, in one sentence."""
    items = [" ".join(p for p in (m.name, m.dose, m.frequency) if p) for m in case.medications]
    return [f"Current medications: {'; '.join(items)}."] if items else []
