"""Facts from standardized measures: latest result and change since baseline, per instrument.

Scoring and change rules are :mod:`iopauth.measures`' (``score``/``series``); this module only
names the results. An administration that cannot be scored leaves its facts unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..errors import InvalidCaseError
from ..measures import FLAG_SAFETY, FLAG_SAFETY_FOLLOWUP, MeasureSeries, series
from ..model import Case, Instrument
from ._derive import Value

#: fact-name prefix of each instrument
PREFIX = {
    Instrument.PHQ9: "phq9",
    Instrument.PHQ2: "phq2",
    Instrument.GAD7: "gad7",
    Instrument.CSSRS_SCREENER: "cssrs",
    Instrument.PCL5: "pcl5",
    Instrument.AUDIT: "audit",
    Instrument.AUDIT_C: "audit_c",
    Instrument.DAST10: "dast10",
}

_LABEL = {
    Instrument.PHQ9: "PHQ-9",
    Instrument.PHQ2: "PHQ-2",
    Instrument.GAD7: "GAD-7",
    Instrument.CSSRS_SCREENER: "C-SSRS screener",
    Instrument.PCL5: "PCL-5",
    Instrument.AUDIT: "AUDIT",
    Instrument.AUDIT_C: "AUDIT-C",
    Instrument.DAST10: "DAST-10",
}


def _series(case: Case, instrument: Instrument) -> MeasureSeries | None:
    try:
        return series(case.measures, instrument, sex=case.patient.sex)
    except InvalidCaseError:
        # validation reports bad answers; here they just leave the facts unknown
        return None


def _any(values: list[bool | None]) -> bool | None:
    """Kleene "or" over the instruments: true if any is true, false only if all are false."""
    if any(v is True for v in values):
        return True
    if values and all(v is False for v in values):
        return False
    return None


def _measures(case: Case, as_of: date) -> dict[str, Value]:
    facts: dict[str, Value] = {}
    improved: list[bool | None] = []
    worsened: list[bool | None] = []
    safety: list[bool | None] = []
    present = {m.instrument for m in case.measures}
    for instrument, prefix in PREFIX.items():
        found = _series(case, instrument) if instrument in present else None
        latest = None if found is None else found.latest.result
        facts[f"{prefix}.days_since"] = (
            None if found is None else (as_of - found.latest.administered_on).days
        )
        if instrument is Instrument.CSSRS_SCREENER:
            level = None if latest is None or latest.risk_level is None else latest.risk_level
            facts["cssrs.risk_level"] = None if level is None else str(level.value)
            if latest is not None:
                safety.append(latest.has_flag(FLAG_SAFETY))
            continue
        facts[f"{prefix}.total"] = None if latest is None else latest.total
        facts[f"{prefix}.severity"] = None if latest is None else latest.severity
        facts[f"{prefix}.positive"] = None if latest is None else latest.positive
        facts[f"{prefix}.change"] = None if found is None else found.change
        facts[f"{prefix}.improved"] = None if found is None else found.meaningful_improvement
        facts[f"{prefix}.worsened"] = None if found is None else found.meaningful_worsening
        if found is not None and found.change is not None:
            improved.append(found.meaningful_improvement)
            worsened.append(found.meaningful_worsening)
        if instrument is Instrument.PHQ9:
            followup = None
            if latest is not None and latest.items is not None:
                followup = latest.has_flag(FLAG_SAFETY_FOLLOWUP)
            facts["phq9.item9_positive"] = followup
            if followup is not None:
                safety.append(followup)
    facts["measures.improved"] = _any(improved)
    facts["measures.worsened"] = _any(worsened)
    facts["measures.safety_flag"] = _any(safety)
    return facts


def _specs() -> tuple[tuple[str, str, str, str], ...]:
    path = "$.measures"
    specs: list[tuple[str, str, str, str]] = []
    for instrument, prefix in PREFIX.items():
        label = _LABEL[instrument]
        if instrument is Instrument.CSSRS_SCREENER:
            specs.append(
                (
                    f"{prefix}.risk_level",
                    "string",
                    path,
                    f"Latest {label}: none, low, moderate, high.",
                )
            )
        else:
            specs += [
                (f"{prefix}.total", "number", path, f"Latest {label} total."),
                (f"{prefix}.severity", "string", path, f"Latest {label} severity band."),
                (f"{prefix}.positive", "bool", path, f"Latest {label} at or above its cut-off."),
                (f"{prefix}.change", "number", path, f"{label} latest minus baseline total."),
                (
                    f"{prefix}.improved",
                    "bool",
                    path,
                    f"{label} improved meaningfully (by the measures module's change rule).",
                ),
                (f"{prefix}.worsened", "bool", path, f"{label} worsened meaningfully."),
            ]
        if instrument is Instrument.PHQ9:
            specs.append(("phq9.item9_positive", "bool", path, "Latest PHQ-9 item 9 above zero."))
        specs.append((f"{prefix}.days_since", "number", path, f"Days since the latest {label}."))
    specs += [
        ("measures.improved", "bool", path, "Any measure improved meaningfully."),
        ("measures.worsened", "bool", path, "Any measure worsened meaningfully."),
        (
            "measures.safety_flag",
            "bool",
            path,
            "PHQ-9 item 9 or a moderate/high C-SSRS screener calls for safety follow-up.",
        ),
    ]
    return tuple(specs)


Deriver = Callable[[Case, date], dict[str, Value]]

MEASURE_SPECS: dict[str, tuple[Deriver, tuple[tuple[str, str, str, str], ...]]] = {
    "measures": (_measures, _specs()),
}
