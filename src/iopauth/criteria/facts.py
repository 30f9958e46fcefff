"""The facts rules are written over, and the one function that derives them from a case.

A fact is a named value (``plan.hours_per_week``) with a type and one line of documentation.
``None`` means the case does not document it: rules read that as *unknown*, never as false.
Facts are derived in groups (one function per subject) so an evaluation derives only the
groups its criteria set refers to. ``docs/criteria.md`` lists every fact; a test keeps the
two in step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from attrs import frozen

from ..model import Case
from . import _derive
from ._derive import Value
from ._measure_facts import MEASURE_SPECS
from ._rating_facts import RATING_SPECS

__all__ = ["FACTS", "FACT_TYPES", "Fact", "Value", "derive_facts", "groups_for"]

FactType = str
"""One of ``bool``, ``number``, ``string``, ``strings`` (a collection of strings)."""

FACT_TYPES = ("bool", "number", "string", "strings")


@frozen(kw_only=True)
class Fact:
    """A fact's name, type, the case path(s) it is read from, one line of documentation."""

    name: str
    type: FactType
    path: str
    doc: str
    group: str


# --- the registry ------------------------------------------------------------------------------

Deriver = Callable[[Case, date], dict[str, Value]]

# name, type, path, doc; grouped by the function that derives them
_SPECS: dict[str, tuple[Deriver, tuple[tuple[str, str, str, str], ...]]] = {
    "patient": (
        _derive.patient,
        (
            ("patient.age", "number", "$.patient.birth_date", "Age in whole years on as_of."),
            ("patient.sex", "string", "$.patient.sex", "Administrative sex (female, male, ...)."),
            ("coverage.plan_type", "string", "$.coverage.plan_type", "medicare, commercial, ..."),
            ("program.setting", "string", "$.program.setting", "Program setting (cmhc, ...)."),
            (
                "clinicians.has_physician",
                "bool",
                "$.clinicians",
                "An attending physician or psychiatrist is among the clinicians.",
            ),
        ),
    ),
    "request": (
        _derive.request,
        (
            ("request.kind", "string", "$.request.kind", "initial, concurrent, extension, appeal."),
            ("request.weeks", "number", "$.request.period", "Whole weeks the request spans."),
            (
                "request.documents",
                "strings",
                "$.request.documents",
                "Kinds of documents on hand (physician_certification, ...).",
            ),
        ),
    ),
    "schedule": (
        _derive.schedule,
        (
            ("plan.hours_per_week", "number", "$.plan.schedule", "Scheduled hours per week."),
            (
                "plan.counted_hours_per_week",
                "number",
                "$.plan.schedule",
                "Hours per week the hours criteria count: the schedule's, or the listed "
                "services' when they fall short of it.",
            ),
            (
                "plan.services_fall_short",
                "bool",
                "$.plan.services",
                "The listed services add up to fewer hours than the schedule (beyond rounding).",
            ),
            ("plan.days_per_week", "number", "$.plan.schedule", "Program days per week."),
            (
                "plan.hours_per_day",
                "number",
                "$.plan.schedule",
                "Average hours per program day.",
            ),
            (
                "plan.min_hours_per_day",
                "number",
                "$.plan.schedule",
                "Hours on the shortest program day.",
            ),
        ),
    ),
    "plan": (
        _derive.plan,
        (
            ("plan.level", "string", "$.plan.level", "Requested level: iop, php, ..."),
            ("plan.weeks", "number", "$.plan.weeks", "Expected length of stay in weeks."),
            (
                "plan.services_hours_per_week",
                "number",
                "$.plan.services",
                "Hours per week the listed services add up to.",
            ),
            (
                "plan.has_services",
                "bool",
                "$.plan.services",
                "A listed service has an amount and frequency (unknown when none is listed).",
            ),
            (
                "plan.has_measurable_goals",
                "bool",
                "$.plan.goals",
                "A goal states how it is measured (unknown when no goal is listed).",
            ),
            ("plan.all_goals_met", "bool", "$.plan.goals", "Every listed goal has status met."),
            (
                "plan.goal_progress",
                "bool",
                "$.plan.goals",
                "A goal is met or has progress noted (unknown when no goal is listed).",
            ),
            ("plan.revised", "bool", "$.plan.goals", "A listed goal has status revised."),
            ("plan.signed", "bool", "$.plan.signed_on", "The plan is signed on or before as_of."),
            (
                "plan.certified",
                "bool",
                "$.plan.certified_on",
                "A physician on the case (by NPI) certified the plan on or before as_of.",
            ),
            (
                "plan.days_since_admission",
                "number",
                "$.plan.start_date",
                "Days from admission to as_of (negative before admission).",
            ),
            (
                "plan.days_since_certification",
                "number",
                "$.plan.certified_on",
                "Days from the latest certification to as_of.",
            ),
            (
                "plan.certification_day",
                "number",
                "$.plan.certified_on",
                "Day of the stay the latest certification was signed (0 = admission).",
            ),
            (
                "plan.certified_on",
                "string",
                "$.plan.certified_on",
                "Date of the latest certification (ISO).",
            ),
            ("plan.start_date", "string", "$.plan.start_date", "Admission date (ISO)."),
            (
                "plan.days_since_review",
                "number",
                "$.plan.last_reviewed",
                "Days since the plan was last reviewed.",
            ),
            (
                "plan.discharge_plan",
                "bool",
                "$.plan.discharge_plan",
                "A discharge plan is written (false when blank).",
            ),
            (
                "plan.step_down_level",
                "string",
                "$.plan.step_down_level",
                "Planned step-down level.",
            ),
        ),
    ),
    "medications": (
        _derive.medications,
        (
            (
                "medications.evaluated",
                "bool",
                "$.medications",
                "A medication or a medication list is recorded (unknown otherwise).",
            ),
            ("medications.count", "number", "$.medications", "Current medications recorded."),
        ),
    ),
    "diagnoses": (
        _derive.diagnoses,
        (
            ("diagnoses.codes", "strings", "$.diagnoses", "ICD-10-CM codes, e.g. F33.1."),
            (
                "diagnoses.primary_code",
                "string",
                "$.diagnoses",
                "The primary diagnosis code.",
            ),
            (
                "diagnoses.primary_category",
                "string",
                "$.diagnoses",
                "mental_health, substance_use or other (primary diagnosis).",
            ),
            (
                "diagnoses.behavioral",
                "bool",
                "$.diagnoses",
                "A mental-health or substance-use diagnosis is recorded.",
            ),
            (
                "diagnoses.mental_health",
                "bool",
                "$.diagnoses",
                "A mental-health (F, outside F10-F19) diagnosis is recorded.",
            ),
            (
                "diagnoses.substance_use",
                "bool",
                "$.diagnoses",
                "A substance-use (F10-F19) diagnosis is recorded.",
            ),
            (
                "diagnoses.co_occurring",
                "bool",
                "$.diagnoses",
                "Both mental-health and substance-use diagnoses are recorded.",
            ),
        ),
    ),
    "presentation": (
        _derive.presentation,
        (
            (
                "presentation.outpatient_insufficient",
                "bool",
                "$.presentation.outpatient_insufficient",
                "Clinician: routine outpatient care is not enough.",
            ),
            (
                "presentation.primarily_social",
                "bool",
                "$.presentation.primarily_social_or_custodial",
                "Care sought is mainly social, custodial, recreational or diversionary.",
            ),
            (
                "presentation.symptoms_count",
                "number",
                "$.presentation.symptoms",
                "Number of current symptoms documented.",
            ),
            (
                "presentation.assessed_on",
                "string",
                "$.presentation.assessed_on",
                "Date of the clinician's assessment of the presentation (ISO).",
            ),
            (
                "presentation.days_since_assessment",
                "number",
                "$.presentation.assessed_on",
                "Days since the presentation was assessed.",
            ),
        ),
    ),
    "functioning": (
        _derive.functioning,
        (
            (
                "functioning.max_severity",
                "string",
                "$.functioning",
                "Worst rated impairment: none, mild, moderate or severe.",
            ),
            (
                "functioning.severe_domains",
                "number",
                "$.functioning",
                "Life areas rated severely impaired.",
            ),
            (
                "functioning.impaired_domains",
                "number",
                "$.functioning",
                "Life areas rated moderately or severely impaired.",
            ),
        ),
    ),
    "risk": (
        _derive.risk,
        (
            (
                "risk.imminent_danger",
                "bool",
                "$.risk.imminent_danger",
                "Clinician: imminent danger to self or others (needs 24-hour care).",
            ),
            (
                "risk.suicidal_ideation",
                "string",
                "$.risk.suicidal_ideation",
                "none, passive or active.",
            ),
            ("risk.suicide_plan", "bool", "$.risk.suicide_plan", "A suicide plan is reported."),
            ("risk.suicide_intent", "bool", "$.risk.suicide_intent", "Suicidal intent."),
            (
                "risk.homicidal_ideation",
                "string",
                "$.risk.homicidal_ideation",
                "none, passive or active.",
            ),
            (
                "risk.self_harm_recent",
                "bool",
                "$.risk.self_harm_recent",
                "Recent self-harm.",
            ),
            ("risk.safety_plan", "bool", "$.risk.safety_plan", "A safety plan is in place."),
            ("risk.assessed_on", "string", "$.risk.assessed_on", "Date of the risk assessment."),
            (
                "risk.days_since_assessment",
                "number",
                "$.risk.assessed_on",
                "Days since the risk assessment.",
            ),
        ),
    ),
    "medical": (
        _derive.medical,
        (
            ("medical.stable", "bool", "$.medical.medically_stable", "Medically stable."),
            (
                "medical.withdrawal_risk",
                "string",
                "$.medical.withdrawal_risk",
                "none, low, moderate or high.",
            ),
            (
                "medical.withdrawal_needs_monitoring",
                "bool",
                "$.medical.withdrawal_risk",
                "Withdrawal risk is high (needs medical monitoring or 24-hour care).",
            ),
            (
                "medical.condition_prevents_benefit",
                "bool",
                "$.medical.condition_prevents_benefit",
                "A medical or cognitive condition prevents benefit.",
            ),
        ),
    ),
    "history": (
        _derive.history,
        (
            (
                "history.failed_lower_level",
                "bool",
                "$.history",
                "An outpatient episode ended with insufficient response (history recorded).",
            ),
            (
                "history.days_since_inpatient_discharge",
                "number",
                "$.history",
                "Days since the latest inpatient episode ended.",
            ),
            (
                "history.days_since_higher_level_discharge",
                "number",
                "$.history",
                "Days since the latest PHP, residential or inpatient episode ended.",
            ),
            (
                "history.stepped_down",
                "bool",
                "$.history",
                "A PHP, residential or inpatient episode ended in a step-down.",
            ),
            (
                "history.stepped_down_from",
                "string",
                "$.history",
                "Level of the latest higher-level episode that stepped down.",
            ),
        ),
    ),
    "psychosocial": (
        _derive.psychosocial,
        (
            ("psychosocial.housing", "string", "$.psychosocial.housing", "stable, ..."),
            (
                "psychosocial.stable_housing",
                "bool",
                "$.psychosocial.housing",
                "Housing is stable or supervised.",
            ),
            (
                "psychosocial.safe_environment",
                "bool",
                "$.psychosocial.safe_environment",
                "A safe place to live between sessions.",
            ),
            (
                "psychosocial.support_system",
                "bool",
                "$.psychosocial.support_system",
                "Adequate support system.",
            ),
            (
                "psychosocial.family_involved",
                "bool",
                "$.psychosocial.family_involved",
                "Family involved in treatment.",
            ),
            (
                "psychosocial.transportation",
                "bool",
                "$.psychosocial.transportation",
                "Transportation to the program.",
            ),
        ),
    ),
    "engagement": (
        _derive.engagement,
        (
            (
                "engagement.able",
                "bool",
                "$.engagement.able_to_participate",
                "Able to take part cognitively and emotionally.",
            ),
            ("engagement.willing", "bool", "$.engagement.willing", "Willing to take part."),
            ("engagement.consent", "bool", "$.engagement.consent_signed", "Consent signed."),
            (
                "engagement.expected_to_improve",
                "bool",
                "$.engagement.expected_to_improve",
                "Improvement can reasonably be expected.",
            ),
            (
                "engagement.attendance_rate",
                "number",
                "$.engagement.sessions_attended",
                "Sessions attended / scheduled (0 to 1).",
            ),
            (
                "engagement.sessions_attended",
                "number",
                "$.engagement.sessions_attended",
                "Sessions attended so far.",
            ),
        ),
    ),
    **RATING_SPECS,
    **MEASURE_SPECS,
}

# each group's facts, all unknown: what a group's deriver leaves out stays unknown
_GROUP_UNKNOWN: dict[str, dict[str, Value]] = {
    group: dict.fromkeys(spec[0] for spec in specs) for group, (_, specs) in _SPECS.items()
}

FACTS: Mapping[str, Fact] = {
    name: Fact(name=name, type=type_, path=path, doc=doc, group=group)
    for group, (_, specs) in _SPECS.items()
    for name, type_, path, doc in specs
}
"""Every fact, by name, in documentation order."""

_DERIVERS: Mapping[str, Deriver] = {group: fn for group, (fn, _) in _SPECS.items()}


def groups_for(names: Iterable[str]) -> tuple[str, ...]:
    """The fact groups that must be derived to know ``names`` (in registry order)."""
    wanted = {FACTS[n].group for n in names}
    return tuple(g for g in _DERIVERS if g in wanted)


def derive_facts(
    case: Case, as_of: date | None = None, groups: Iterable[str] | None = None
) -> dict[str, Value]:
    """Derive the facts of ``case`` as of ``as_of`` (default: the request date).

    ``groups`` limits the work to the named groups (see :func:`groups_for`); by default every
    fact is derived. Values are ``None`` where the case does not document the fact.
    """
    day = case.request.request_date if as_of is None else as_of
    wanted = tuple(_DERIVERS) if groups is None else tuple(groups)
    # every fact of the groups, unknown, in registry order: what a group leaves out stays so
    facts = dict(_unknown(wanted))
    for group in wanted:
        facts.update(_DERIVERS[group](case, day))
    return facts


_UNKNOWN_BY_GROUPS: dict[tuple[str, ...], dict[str, Value]] = {}


def _unknown(groups: tuple[str, ...]) -> dict[str, Value]:
    """The groups' facts, all unknown, in the order ``groups`` names them (built once per
    combination; a set asks for a few, so the table stays small)."""
    found = _UNKNOWN_BY_GROUPS.get(groups)
    if found is None:
        found = {}
        for group in groups:
            found.update(_GROUP_UNKNOWN[group])
        if len(_UNKNOWN_BY_GROUPS) >= 256:
            _UNKNOWN_BY_GROUPS.clear()
        _UNKNOWN_BY_GROUPS[groups] = found
    return found
