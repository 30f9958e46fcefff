"""Facts from standardized measures: latest result and change since baseline, per instrument.

Scoring and change rules are :mod:`iopauth.measures`': its scoring core (``core``, what
``score`` returns without the result object) and its change rule (``changed``, what ``series``
reports); this module only names the results. An administration that cannot be scored leaves
its facts unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ..errors import InvalidCaseError
from ..measures import CHANGE_RULES
from ..measures._scoring import PHQ9_SAFETY_ITEM, core, flags_safety
from ..measures._series import changed
from ..model import Case, Instrument, MeasureAdministration, Sex
from ._derive import Value, kleene_or
from ._screen_facts import Scored, cssrs_answers, high_risk, safety

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
    Instrument.CIWA_AR: "ciwa_ar",
    Instrument.COWS: "cows",
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
    Instrument.CIWA_AR: "CIWA-Ar",
    Instrument.COWS: "COWS",
}


_Scored = Scored


def _scored(administrations: list[MeasureAdministration], sex: Sex | None) -> list[_Scored] | None:
    """One instrument's administrations in date order (same-day ones as given), each scored
    by the measures module's scoring core; ``None`` when one of them cannot be scored."""
    try:
        scored = [(adm.administered_on, core(adm, sex)) for adm in administrations]
    except InvalidCaseError:
        # validation reports bad answers; here they just leave the facts unknown
        return None
    if len(scored) > 1:
        scored.sort(key=_on)
    return scored


def _on(point: _Scored) -> date:
    return point[0]


# Published "moderate" cut-offs (measures.md §1: Kroenke 2001, Spitzer 2006): a latest total at
# or above them reads as symptoms of at least moderate severity.
_MODERATE = {Instrument.PHQ9: 10, Instrument.GAD7: 10}

# The instrument that fits a primary diagnosis (ICD-10-CM prefixes, most specific first).
# Any other behavioral-health diagnosis is served by a PHQ-9 or a GAD-7.
# measures.md names no eating-disorder measure (F50): none fits, and the facts say so rather
# than asking for a PHQ-9 that does not measure the disorder.
_FITTING: tuple[tuple[str, tuple[Instrument, ...], str], ...] = (
    ("F50", (), "none (no eating-disorder measure is in measures.md)"),
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


def _measures(case: Case, as_of: date) -> dict[str, Value]:
    facts: dict[str, Value] = {}
    latest_by: dict[Instrument, _Scored] = {}
    improved: list[bool | None] = []
    worsened: list[bool | None] = []
    safety: list[bool | None] = []
    given: dict[Instrument, list[MeasureAdministration]] = {}
    for adm in case.measures:
        given.setdefault(adm.instrument, []).append(adm)
    sex = case.patient.sex
    for instrument in PREFIX:
        administrations = given.get(instrument)
        found = None if administrations is None else _scored(administrations, sex)
        if found is None:
            # its facts stay unknown: derive_facts starts every group's facts at unknown
            continue
        latest_on, latest = found[-1]
        latest_by[instrument] = found[-1]
        days = (as_of - latest_on).days
        if instrument is Instrument.CSSRS_SCREENER:
            level = latest[4]
            facts["cssrs.days_since"] = days
            facts["cssrs.risk_level"] = None if level is None else str(level.value)
            facts.update(cssrs_answers(latest[3], latest_on))
            safety.append(flags_safety(level))
            continue
        baseline_on, baseline = found[0]
        total = latest[0]
        change, _, better, worse = changed(len(found), baseline[0], total, _RULES.get(instrument))
        values: tuple[Value, ...] = (
            days,
            total,
            baseline[0],
            latest_on.isoformat(),
            baseline_on.isoformat(),
            latest[1],
            latest[2],
            change,
            better,
            worse,
        )
        facts.update(zip(_SCORED_NAMES[instrument], values, strict=True))
        if change is not None:
            improved.append(better)
            worsened.append(worse)
        if instrument is Instrument.PHQ9:
            items = latest[3]
            followup = None if items is None else items[PHQ9_SAFETY_ITEM] > 0
            facts["phq9.item9_positive"] = followup
            if followup is not None:
                safety.append(followup)
    facts["measures.improved"] = kleene_or(improved)
    facts["measures.worsened"] = kleene_or(worsened)
    facts["measures.safety_flag"] = kleene_or(safety)
    facts.update(_across(case, as_of, latest_by))
    return facts


_RULES = CHANGE_RULES


def _across(case: Case, as_of: date, latest_by: dict[Instrument, _Scored]) -> dict[str, Value]:
    """The facts that read several instruments: recency, severity, fit, safety follow-up."""
    facts: dict[str, Value] = {}
    dates = [on for on, _ in latest_by.values()]
    facts["measures.days_since_latest"] = (as_of - max(dates)).days if dates else None
    moderate: list[bool | None] = []
    for instrument, cut in _MODERATE.items():
        one = latest_by.get(instrument)
        if one is not None and one[1][0] is not None:
            moderate.append(one[1][0] >= cut)
    facts["measures.moderate_or_worse"] = kleene_or(moderate)
    fitting = _fitting(case)
    facts["measures.fitting_instrument"] = None if fitting is None else fitting[1]
    facts["measures.fits_primary"] = (
        True if fitting is not None and any(i in latest_by for i in fitting[0]) else None
    )
    facts["measures.no_fitting_instrument"] = None if fitting is None else not fitting[0]
    cssrs = latest_by.get(Instrument.CSSRS_SCREENER)
    facts.update(safety(case, latest_by.get(Instrument.PHQ9), cssrs))
    facts["safety.high_risk"] = high_risk(case, as_of, cssrs)
    return facts


def _absent(instrument: Instrument) -> dict[str, Value]:
    """The facts ``_measures`` gives an instrument the case has no administration of."""
    prefix = PREFIX[instrument]
    if instrument is Instrument.CSSRS_SCREENER:
        screener = ("days_since", "risk_level", "latest_on", "intent", "plan", "behavior_recent")
        return dict.fromkeys(f"{prefix}.{key}" for key in screener)
    keys = ["days_since", "total", "baseline_total", "latest_on", "baseline_on", "severity"]
    keys += ["positive", "change", "improved", "worsened"]
    if instrument is Instrument.PHQ9:
        keys.append("item9_positive")
    return dict.fromkeys(f"{prefix}.{key}" for key in keys)


_ABSENT = {instrument: _absent(instrument) for instrument in PREFIX}
# the facts of an instrument with a total, in the order ``_measures`` gives their values
_SCORED_NAMES = {
    instrument: tuple(
        f"{prefix}.{key}"
        for key in (
            "days_since",
            "total",
            "baseline_total",
            "latest_on",
            "baseline_on",
            "severity",
            "positive",
            "change",
            "improved",
            "worsened",
        )
    )
    for instrument, prefix in PREFIX.items()
}


def _specs() -> tuple[tuple[str, str, str, str], ...]:
    path = "$.measures"
    specs: list[tuple[str, str, str, str]] = []
    for instrument, prefix in PREFIX.items():
        label = _LABEL[instrument]
        if instrument is Instrument.CSSRS_SCREENER:
            specs += [
                (
                    f"{prefix}.risk_level",
                    "string",
                    path,
                    f"Latest {label}: none, low, moderate, high.",
                ),
                (f"{prefix}.latest_on", "string", path, f"Date of the latest {label} (ISO)."),
                (f"{prefix}.intent", "bool", path, "Latest screener: yes to Q4 (intent)."),
                (
                    f"{prefix}.plan",
                    "bool",
                    path,
                    "Latest screener: yes to Q5 (intent with a plan).",
                ),
                (
                    f"{prefix}.behavior_recent",
                    "bool",
                    path,
                    "Latest screener: suicidal behavior within the past 3 months.",
                ),
            ]
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
            "measures.no_fitting_instrument",
            "bool",
            "$.diagnoses",
            "No instrument in measures.md fits the primary diagnosis (eating disorders, F50).",
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
            "A risk assessment or safety plan dated on or after the flagged screen "
            "(unknown otherwise).",
        ),
        (
            "safety.followup_by",
            "string",
            "$.risk.assessed_on, $.risk.safety_plan_on",
            "What follows the flagged screen up: risk assessment or safety plan.",
        ),
        ("safety.plan_on", "string", "$.risk.safety_plan_on", "Date of the safety plan (ISO)."),
        (
            "safety.high_risk",
            "bool",
            "$.measures, $.risk",
            "C-SSRS screener of the last 30 days with yes to Q4 or Q5 or behavior in 3 months, "
            "or a risk assessment recording intent with a plan (Columbia triage: high).",
        ),
    ]
    return tuple(specs)


Deriver = Callable[[Case, date], dict[str, Value]]

MEASURE_SPECS: dict[str, tuple[Deriver, tuple[tuple[str, str, str, str], ...]]] = {
    "measures": (_measures, _specs()),
}
