"""Facts about earlier care and present circumstances: treatment history (lower levels that
fell short, recent discharges, step-downs), the psychosocial situation, and engagement.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from ..model import Case, EpisodeOutcome, Housing, LevelOfCare
from ._derive import Specs, Value, enum_text


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
        "history.stepped_down_from": enum_text(stepped[-1].level) if stepped else None,
    }


_SAFE_HOUSING = frozenset({Housing.STABLE, Housing.SUPERVISED})


def psychosocial(case: Case, as_of: date) -> dict[str, Value]:
    p = case.psychosocial
    if p is None:
        return {}
    return {
        "psychosocial.housing": enum_text(p.housing),
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
        # more attended than scheduled (make-up sessions, or a miscount) is an inconsistency
        # reported with both figures (criteria/_consistency.py): attendance counts as full
        rate = min(1.0, e.sessions_attended / e.sessions_scheduled)
    return {
        "engagement.able": e.able_to_participate,
        "engagement.willing": e.willing,
        "engagement.consent": e.consent_signed,
        "engagement.guardian_consent": e.guardian_consent_signed,
        "engagement.expected_to_improve": e.expected_to_improve,
        "engagement.attendance_rate": rate,
        "engagement.sessions_attended": e.sessions_attended,
        "engagement.sessions_scheduled": e.sessions_scheduled,
    }


# name, type, path, doc; by group, in the registry's order (facts.py)
HISTORY_SPECS: Specs = {
    "history": (
        history,
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
        psychosocial,
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
        engagement,
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
                "engagement.guardian_consent",
                "bool",
                "$.engagement.guardian_consent_signed",
                "For a minor: the parent or guardian signed consent to treatment.",
            ),
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
            (
                "engagement.sessions_scheduled",
                "number",
                "$.engagement.sessions_scheduled",
                "Sessions scheduled so far.",
            ),
        ),
    ),
}
