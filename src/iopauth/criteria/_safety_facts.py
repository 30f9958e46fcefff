"""Facts about safety: the risk assessment (suicidal and homicidal ideation, self-harm, safety
plan) and medical stability, including withdrawal risk.
"""

from __future__ import annotations

from datetime import date

from ..model import Case, WithdrawalRisk
from ._derive import Specs, Value, days_between, enum_text


def risk(case: Case, as_of: date) -> dict[str, Value]:
    r = case.risk
    if r is None:
        return {}
    return {
        "risk.imminent_danger": r.imminent_danger,
        "risk.suicidal_ideation": enum_text(r.suicidal_ideation),
        "risk.suicide_plan": r.suicide_plan,
        "risk.suicide_intent": r.suicide_intent,
        "risk.homicidal_ideation": enum_text(r.homicidal_ideation),
        "risk.self_harm_recent": r.self_harm_recent,
        "risk.safety_plan": r.safety_plan,
        "risk.days_since_assessment": days_between(as_of, r.assessed_on),
        "risk.assessed_on": r.assessed_on.isoformat(),
    }


def medical(case: Case, as_of: date) -> dict[str, Value]:
    m = case.medical
    if m is None:
        return {}
    return {
        "medical.stable": m.medically_stable,
        "medical.withdrawal_risk": enum_text(m.withdrawal_risk),
        "medical.withdrawal_needs_monitoring": (
            None if m.withdrawal_risk is None else m.withdrawal_risk is WithdrawalRisk.HIGH
        ),
        "medical.condition_prevents_benefit": m.condition_prevents_benefit,
    }


# name, type, path, doc; by group, in the registry's order (facts.py)
SAFETY_SPECS: Specs = {
    "risk": (
        risk,
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
        medical,
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
}
