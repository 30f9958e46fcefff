"""Facts about the treatment plan: the weekly schedule, services, goals, signature and
certification, length of stay, discharge plan, and the medications recorded.
"""

from __future__ import annotations

from datetime import date

from ..caseformat.rules import SERVICES_TOLERANCE
from ..model import Case, DocumentKind, GoalStatus
from ._derive import Specs, Value, any_or_unknown, days_between, enum_text, kleene_and


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
    # Two figures for one plan: the schedule's and the listed services'. When they disagree
    # beyond rounding the case is inconsistent, not invalid: an hours criterion is met when
    # both reach its threshold, not met when both fall short, unknown (reconcile the plan)
    # when they fall on either side. Rules read the low and the high figure, and
    # ``plan.hours_reconciled`` is unknown while the two disagree (true otherwise), so
    # "low >= X or high >= X and plan.hours_reconciled" gives exactly that.
    short = None if services is None or hours is None else services < hours - SERVICES_TOLERANCE
    disagree = (
        None
        if hours is None
        else services is not None and abs(services - hours) > SERVICES_TOLERANCE
    )
    low = high = hours
    if disagree and hours is not None and services is not None:
        low, high = min(hours, services), max(hours, services)
    return {
        "plan.hours_per_week": hours,
        "plan.counted_hours_per_week": low,
        "plan.high_hours_per_week": high,
        "plan.hours_disagree": disagree,
        "plan.hours_reconciled": None if disagree or disagree is None else True,
        "plan.services_fall_short": short,
        "plan.days_per_week": days,
        "plan.hours_per_day": hours / days if hours is not None and days else None,
        "plan.min_hours_per_day": min_day,
    }


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


def _certifier(case: Case) -> tuple[bool | None, str | None]:
    """Who certified the plan (issue 21 §5): whether the certifying NPI is a physician on the
    case (``None`` when no NPI is recorded or it matches no clinician), and their credentials."""
    npi = case.plan.certified_by_npi
    signer = next((c for c in case.clinicians if npi and c.npi == npi), None)
    if signer is None:
        return None, None
    return signer.is_physician, signer.credentials


def plan(case: Case, as_of: date) -> dict[str, Value]:
    plan = case.plan
    by_physician, credentials = _certifier(case)
    goals = plan.goals
    # each goal met, not met, or (status not recorded) unknown
    met = [None if g.status is None else g.status is GoalStatus.MET for g in goals]
    text = plan.discharge_plan
    return {
        "plan.level": enum_text(plan.level),
        "plan.weeks": plan.weeks,
        "plan.services_hours_per_week": plan.services_hours_per_week if plan.services else None,
        "plan.has_services": any_or_unknown(
            plan.services, lambda s: s.sessions_per_week > 0 and s.minutes_per_session > 0
        ),
        "plan.has_measurable_goals": any_or_unknown(goals, lambda g: bool(g.measure.strip())),
        "plan.all_goals_met": kleene_and(met),
        "plan.goal_progress": any_or_unknown(
            goals, lambda g: g.status is GoalStatus.MET or bool(g.progress)
        ),
        "plan.revised": any_or_unknown(goals, lambda g: g.status is GoalStatus.REVISED),
        "plan.signed": _dated_by(plan.signed_on, as_of),
        "plan.certified": _certified(case, as_of),
        "plan.certified_by_physician": by_physician,
        "plan.certifier_credentials": credentials,
        "plan.certifier_npi_unmatched": (
            None if not plan.certified_by_npi else by_physician is None
        ),
        "plan.certified_after_review": (
            None if plan.certified_on is None else plan.certified_on > as_of
        ),
        "plan.days_since_admission": (as_of - plan.start_date).days,
        "plan.days_since_certification": days_between(as_of, plan.certified_on),
        "plan.certification_day": (
            None if plan.certified_on is None else (plan.certified_on - plan.start_date).days
        ),
        "plan.days_since_review": days_between(as_of, plan.last_reviewed),
        "plan.certified_on": None if plan.certified_on is None else plan.certified_on.isoformat(),
        "plan.start_date": plan.start_date.isoformat(),
        "plan.discharge_plan": None if text is None else bool(text.strip()),
        "plan.step_down_level": enum_text(plan.step_down_level),
    }


def medications(case: Case, as_of: date) -> dict[str, Value]:
    on_hand = any(d.kind is DocumentKind.MEDICATION_LIST for d in case.request.documents)
    return {
        # a recorded regimen or medication list shows medication was evaluated; their absence
        # does not show it was not (no medication may be indicated)
        "medications.evaluated": True if case.medications or on_hand else None,
        "medications.count": len(case.medications),
    }


# name, type, path, doc; by group, in the registry's order (facts.py)
PLAN_SPECS: Specs = {
    "schedule": (
        schedule,
        (
            ("plan.hours_per_week", "number", "$.plan.schedule", "Scheduled hours per week."),
            (
                "plan.counted_hours_per_week",
                "number",
                "$.plan.schedule",
                "The lower of the two weekly-hours figures (schedule, listed services) when "
                "they disagree beyond rounding; else the schedule's hours.",
            ),
            (
                "plan.high_hours_per_week",
                "number",
                "$.plan.schedule",
                "The higher of the two weekly-hours figures when they disagree; else the "
                "schedule's hours.",
            ),
            (
                "plan.hours_disagree",
                "bool",
                "$.plan.services",
                "The listed services' weekly hours differ from the schedule's beyond rounding "
                "(an inconsistency to reconcile).",
            ),
            (
                "plan.hours_reconciled",
                "bool",
                "$.plan.services",
                "True when the schedule and the listed services agree (or no services are "
                "listed); unknown while they disagree, so a rule that needs both figures "
                "stays undecided.",
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
        plan,
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
                "plan.certified_by_physician",
                "bool",
                "$.plan.certified_by_npi",
                "The certifying NPI belongs to a physician on the case (unknown when no NPI is "
                "recorded or it matches no clinician).",
            ),
            (
                "plan.certifier_credentials",
                "string",
                "$.plan.certified_by_npi",
                "Credentials of the clinician whose NPI certified the plan (MD, LCSW, ...).",
            ),
            (
                "plan.certifier_npi_unmatched",
                "bool",
                "$.plan.certified_by_npi",
                "A certifying NPI is recorded but matches no clinician on the case.",
            ),
            (
                "plan.certified_after_review",
                "bool",
                "$.plan.certified_on",
                "The certification is dated after as_of.",
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
        medications,
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
}
