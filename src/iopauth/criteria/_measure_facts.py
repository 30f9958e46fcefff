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


# Published "moderate" cut-offs (measures.md §1: Kroenke 2001, Spitzer 2006): a latest total at
# or above them reads as symptoms of at least moderate severity.
_MODERATE = {Instrument.PHQ9: 10, Instrument.GAD7: 10}

# The instrument that fits a primary diagnosis (ICD-10-CM prefixes, most specific first).
# Any other behavioral-health diagnosis is served by a PHQ-9 or a GAD-7.
_FITTING: tuple[tuple[str, tuple[Instrument, ...], str], ...] = (
    ("F10", (Instrument.AUDIT, Instrument.AUDIT_C), "AUDIT or AUDIT-C"),
    ("F1", (Instrument.DAST10,), "DAST-10"),
    ("F43.1", (Instrument.PCL5,), "PCL-5"),
    ("F41", (Instrument.GAD7,), "GAD-7"),
    ("F3", (Instrument.PHQ9,), "PHQ-9"),
)
_DEFAULT_FITTING = ((Instrument.PHQ9, Instrument.GAD7), "PHQ-9 or GAD-7")


def _fitting(case: Case) -> tuple[tuple[Instrument, ...], str] | None:
    primary = next((d.code for d in case.diagnoses if d.primary), None)
    if primary is None:
        return None
    for prefix, instruments, label in _FITTING:
        if primary.upper().startswith(prefix):
            return instruments, label
    return _DEFAULT_FITTING


def _safety(
    case: Case, phq9: MeasureSeries | None, cssrs: MeasureSeries | None
) -> dict[str, Value]:
    """PHQ-9 item 9 and the C-SSRS screener against the risk assessment that follows them.

    measures.md §1: any non-zero item 9 (or a moderate/high screener) needs documented safety
    follow-up. ``safety.followup_documented`` is true when a risk assessment is dated on or
    after the flagged administration (or, with nothing flagged, when one is recorded at all),
    and unknown otherwise: the case cannot show that follow-up did not happen.
    """
    flags: list[tuple[bool, date, str]] = []
    item9: int | None = None
    if phq9 is not None and phq9.latest.result.items is not None:
        item9 = phq9.latest.result.items[8]
        flags.append((item9 > 0, phq9.latest.administered_on, "PHQ-9 item 9"))
    if cssrs is not None:
        latest = cssrs.latest
        flags.append((latest.result.has_flag(FLAG_SAFETY), latest.administered_on, "C-SSRS"))
    flagged = [f for f in flags if f[0]]
    risk_on = None if case.risk is None else case.risk.assessed_on
    followup: bool | None = None
    screened_on: date | None = None
    screen: str | None = None
    if flagged:
        _, screened_on, screen = max(flagged, key=lambda f: f[1])
        followup = True if risk_on is not None and risk_on >= screened_on else None
    else:
        if flags:
            _, screened_on, screen = max(flags, key=lambda f: f[1])
        followup = True if risk_on is not None else None
    return {
        "safety.flagged": bool(flagged) if flags else None,
        "safety.screen": screen,
        "safety.screened_on": None if screened_on is None else screened_on.isoformat(),
        "safety.followup_documented": followup,
        "phq9.item9": item9,
    }


def _measures(case: Case, as_of: date) -> dict[str, Value]:
    facts: dict[str, Value] = {}
    found_by: dict[Instrument, MeasureSeries] = {}
    improved: list[bool | None] = []
    worsened: list[bool | None] = []
    safety: list[bool | None] = []
    present = {m.instrument for m in case.measures}
    for instrument in PREFIX:
        found = _series(case, instrument) if instrument in present else None
        if found is None:
            facts.update(_ABSENT[instrument])  # the same names, in the same order, unknown
            continue
        found_by[instrument] = found
        name = _NAMES[instrument]
        latest_point = found.latest
        latest = latest_point.result
        facts[name["days_since"]] = (as_of - latest_point.administered_on).days
        if instrument is Instrument.CSSRS_SCREENER:
            level = latest.risk_level
            facts["cssrs.risk_level"] = None if level is None else str(level.value)
            safety.append(latest.has_flag(FLAG_SAFETY))
            continue
        baseline = found.baseline
        facts[name["total"]] = latest.total
        facts[name["baseline_total"]] = baseline.result.total
        facts[name["latest_on"]] = latest_point.administered_on.isoformat()
        facts[name["baseline_on"]] = baseline.administered_on.isoformat()
        facts[name["severity"]] = latest.severity
        facts[name["positive"]] = latest.positive
        facts[name["change"]] = found.change
        facts[name["improved"]] = found.meaningful_improvement
        facts[name["worsened"]] = found.meaningful_worsening
        if found.change is not None:
            improved.append(found.meaningful_improvement)
            worsened.append(found.meaningful_worsening)
        if instrument is Instrument.PHQ9:
            followup = None if latest.items is None else latest.has_flag(FLAG_SAFETY_FOLLOWUP)
            facts["phq9.item9_positive"] = followup
            if followup is not None:
                safety.append(followup)
    facts["measures.improved"] = _any(improved)
    facts["measures.worsened"] = _any(worsened)
    facts["measures.safety_flag"] = _any(safety)
    facts.update(_across(case, as_of, found_by))
    return facts


def _across(case: Case, as_of: date, found_by: dict[Instrument, MeasureSeries]) -> dict[str, Value]:
    """The facts that read several instruments: recency, severity, fit, safety follow-up."""
    facts: dict[str, Value] = {}
    dates = [f.latest.administered_on for f in found_by.values()]
    facts["measures.days_since_latest"] = (as_of - max(dates)).days if dates else None
    moderate: list[bool | None] = []
    for instrument, cut in _MODERATE.items():
        one = found_by.get(instrument)
        if one is not None and one.latest.result.total is not None:
            moderate.append(one.latest.result.total >= cut)
    facts["measures.moderate_or_worse"] = _any(moderate)
    fitting = _fitting(case)
    facts["measures.fitting_instrument"] = None if fitting is None else fitting[1]
    facts["measures.fits_primary"] = (
        True if fitting is not None and any(i in found_by for i in fitting[0]) else None
    )
    facts.update(
        _safety(case, found_by.get(Instrument.PHQ9), found_by.get(Instrument.CSSRS_SCREENER))
    )
    return facts


def _absent(instrument: Instrument) -> dict[str, Value]:
    """The facts ``_measures`` gives an instrument the case has no administration of."""
    prefix = PREFIX[instrument]
    if instrument is Instrument.CSSRS_SCREENER:
        return {f"{prefix}.days_since": None, "cssrs.risk_level": None}
    keys = ["days_since", "total", "baseline_total", "latest_on", "baseline_on", "severity"]
    keys += ["positive", "change", "improved", "worsened"]
    if instrument is Instrument.PHQ9:
        keys.append("item9_positive")
    return dict.fromkeys(f"{prefix}.{key}" for key in keys)


_ABSENT = {instrument: _absent(instrument) for instrument in PREFIX}
# each instrument's fact names by their last part ("total" -> "phq9.total"), built once
_NAMES = {
    instrument: {name.partition(".")[2]: name for name in names}
    for instrument, names in _ABSENT.items()
}


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
                (f"{prefix}.baseline_total", "number", path, f"First {label} total."),
                (f"{prefix}.latest_on", "string", path, f"Date of the latest {label} (ISO)."),
                (f"{prefix}.baseline_on", "string", path, f"Date of the first {label} (ISO)."),
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
            specs.append(("phq9.item9", "number", path, "Latest PHQ-9 item 9 answer (0-3)."))
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
        (
            "measures.days_since_latest",
            "number",
            path,
            "Days since the latest standardized measure of any kind.",
        ),
        (
            "measures.moderate_or_worse",
            "bool",
            path,
            "Latest PHQ-9 or GAD-7 total at or above 10 (moderate).",
        ),
        (
            "measures.fitting_instrument",
            "string",
            path,
            "The instrument that fits the primary diagnosis (PHQ-9, GAD-7, PCL-5, AUDIT, ...).",
        ),
        (
            "measures.fits_primary",
            "bool",
            path,
            "A score from the instrument that fits the primary diagnosis is recorded "
            "(unknown otherwise).",
        ),
        (
            "safety.flagged",
            "bool",
            path,
            "Latest PHQ-9 item 9 above zero or latest C-SSRS screener moderate/high "
            "(unknown without item answers or a screener).",
        ),
        (
            "safety.screen",
            "string",
            path,
            "Which screen the safety facts read (PHQ-9 item 9, C-SSRS).",
        ),
        ("safety.screened_on", "string", path, "Date of that screen (ISO)."),
        (
            "safety.followup_documented",
            "bool",
            "$.risk.assessed_on",
            "A risk assessment dated on or after the flagged screen (unknown otherwise).",
        ),
    ]
    return tuple(specs)


Deriver = Callable[[Case, date], dict[str, Value]]

MEASURE_SPECS: dict[str, tuple[Deriver, tuple[tuple[str, str, str, str], ...]]] = {
    "measures": (_measures, _specs()),
}
