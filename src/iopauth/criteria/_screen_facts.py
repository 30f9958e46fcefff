"""Facts from the suicide-risk screens: PHQ-9 item 9 and the C-SSRS screener against the risk
assessment or safety plan that follows them, and the Columbia triage "high" answers
(measures.md §1, clinical-thresholds.md §6). Split from :mod:`._measure_facts`, which calls
these with the scored latest administrations.
"""

from __future__ import annotations

from datetime import date

from ..measures._scoring import Core, flags_safety
from ..model import Case
from ._derive import Value

# one administration's date and its score as plain values (``measures.core``)
Scored = tuple[date, Core]


def safety(case: Case, phq9: Scored | None, cssrs: Scored | None) -> dict[str, Value]:
    """PHQ-9 item 9 and the C-SSRS screener (their latest administrations) against the risk
    assessment or safety plan that follows them.

    measures.md §1: any non-zero item 9 (or a moderate/high screener) needs documented safety
    follow-up. ``safety.followup_documented`` is true when a risk assessment or a safety plan
    (``risk.safety_plan_on``) is dated on or after the flagged administration (or, with nothing
    flagged, when a risk assessment is recorded at all), and unknown otherwise: the case cannot
    show that follow-up did not happen. On the same day the C-SSRS screener is the screen
    named (it carries the triage level).
    """
    flags: list[tuple[bool, date, str]] = []
    item9: int | None = None
    if cssrs is not None:
        flags.append((flags_safety(cssrs[1][4]), cssrs[0], "C-SSRS"))
    if phq9 is not None and phq9[1][3] is not None:
        item9 = phq9[1][3][8]
        flags.append((item9 > 0, phq9[0], "PHQ-9 item 9"))
    flagged = [f for f in flags if f[0]]
    risk = case.risk
    risk_on = None if risk is None else risk.assessed_on
    plan_on = None if risk is None else risk.safety_plan_on
    followup: bool | None = None
    screened_on: date | None = None
    screen: str | None = None
    by: str | None = None
    if flagged:
        _, screened_on, screen = max(flagged, key=_second)
        if risk_on is not None and risk_on >= screened_on:
            followup, by = True, "risk assessment"
        elif plan_on is not None and plan_on >= screened_on:
            followup, by = True, "safety plan"
    else:
        if flags:
            _, screened_on, screen = max(flags, key=_second)
        followup = True if risk_on is not None else None
    return {
        "safety.flagged": bool(flagged) if flags else None,
        "safety.screen": screen,
        "safety.screened_on": None if screened_on is None else screened_on.isoformat(),
        "safety.followup_documented": followup,
        "safety.followup_by": by,
        "safety.plan_on": None if plan_on is None else plan_on.isoformat(),
        "phq9.item9": item9,
    }


def _second(flag: tuple[bool, date, str]) -> date:
    return flag[1]


def cssrs_answers(items: tuple[int, ...] | None, on: date) -> dict[str, Value]:
    """The screener's answers that decide "high" in the Columbia triage guidance
    (clinical-thresholds.md §6): Q4 intent, Q5 intent with a plan, Q6 behavior in 3 months."""
    if items is None:
        return {}
    return {
        "cssrs.latest_on": on.isoformat(),
        "cssrs.intent": bool(items[3]),
        "cssrs.plan": bool(items[4]),
        "cssrs.behavior_recent": bool(items[5] and items[6]),
    }


# The screener asks about the past month (C-SSRS "recent"): an older screen does not decide.
_SCREEN_DAYS = 30


def high_risk(case: Case, as_of: date, cssrs: Scored | None) -> bool | None:
    """Columbia triage "imminent risk" (clinical-thresholds.md §6 [verified]): yes to Q4 or Q5
    in the past month, or suicidal behavior in the past 3 months, on a screener of the last
    30 days; or a risk assessment recording suicidal intent with a plan. Unknown with neither
    a screener nor a risk assessment."""
    risk = case.risk
    recorded = risk is not None and bool(risk.suicide_intent) and bool(risk.suicide_plan)
    items = None if cssrs is None else cssrs[1][3]
    screened = (
        cssrs is not None
        and items is not None
        and (as_of - cssrs[0]).days <= _SCREEN_DAYS
        and bool(items[3] or items[4] or (items[5] and items[6]))
    )
    if recorded or screened:
        return True
    return None if cssrs is None and risk is None else False
