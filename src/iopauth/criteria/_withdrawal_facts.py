"""Withdrawal facts beside the current score (issue #21 §4, clinical-thresholds.md §3).

A withdrawal scale shows current symptoms only and must not set the level alone (ASAM-AWM
Rec III.1 [verified]); the risk of severe or complicated withdrawal weighs with it: PAWSS 4 or
more is high risk (BCCSU [verified]), and a withdrawal seizure or delirium tremens before. A
recorded ASAM assessment is read as recorded: its Dimension 1 rating (intoxication and
withdrawal potential) and a withdrawal-management level it recommends (3.2-WM, 3.7-WM and
4-WM are 24-hour levels). iopauth never computes an ASAM level; the "Dimension 1 of 3 or more"
and "3.2-WM or higher" encodings are ours [unverified] (the domain file labels the encoding so).
"""

from __future__ import annotations

from datetime import date

from ..measures import SPECS
from ..model import Case, Instrument, RatingInstrument
from ._derive import Specs, Value

#: PAWSS at or above this is high risk of complicated withdrawal (BCCSU, clinical-thresholds §3).
PAWSS_HIGH = 4
# Withdrawal-management levels with 24-hour monitoring (clinical-thresholds.md §3: 1-WM and
# 2-WM are ambulatory; 3.2-WM, 3.7-WM and 4-WM are not).
_WM_24H = ("3.2-WM", "3.7-WM", "4-WM")
_DIMENSION_1 = "dimension_1"


def withdrawal(case: Case, as_of: date) -> dict[str, Value]:
    facts: dict[str, Value] = {}
    m = case.medical
    history = None if m is None else m.withdrawal
    if history is not None:
        risks: list[bool] = []
        if history.pawss is not None:
            risks.append(history.pawss >= PAWSS_HIGH)
        if history.seizure_or_dt_history is not None:
            risks.append(history.seizure_or_dt_history)
        facts["withdrawal.pawss"] = history.pawss
        facts["withdrawal.seizure_or_dt"] = history.seizure_or_dt_history
        facts["withdrawal.high_risk"] = any(risks) if risks else None
        facts["withdrawal.ambulatory_plan"] = bool(
            history.management_plan and history.management_plan.strip()
        )
    ciwa = [
        m
        for m in case.measures
        if m.instrument is Instrument.CIWA_AR and m.total is not None and m.administered_on <= as_of
    ]
    severe = None
    if ciwa:
        latest = max(ciwa, key=lambda m: m.administered_on)
        total = latest.total if latest.total is not None else 0
        severe = SPECS[Instrument.CIWA_AR].band_for(total) == "severe"
    # ASAM-AWM Rec III.1: a severe score decides only together with a high risk recorded
    scale = bool(severe) and facts.get("withdrawal.high_risk") is True
    asam = [
        r
        for r in case.level_of_care_ratings
        if r.instrument is RatingInstrument.ASAM and r.rated_on <= as_of
    ]
    if asam:
        rating = max(asam, key=lambda r: r.rated_on)
        level = (rating.override_level or rating.recommended_level).strip().upper()
        facts["withdrawal.asam_rated_on"] = rating.rated_on.isoformat()
        facts["withdrawal.asam_dimension_1"] = rating.ratings.get(_DIMENSION_1)
        facts["withdrawal.asam_wm_level"] = level if level.endswith("-WM") else None
        facts["withdrawal.asam_wm_24h"] = level in _WM_24H
    dimension_1 = facts.get("withdrawal.asam_dimension_1")
    points = (
        scale
        or (isinstance(dimension_1, int) and dimension_1 >= 3)
        or facts.get("withdrawal.asam_wm_24h") is True
    )
    # nothing recorded (no score, no history, no ASAM rating): unknown, not "no"
    recorded = bool(ciwa) or history is not None or bool(asam)
    facts["withdrawal.points_to_management"] = points if recorded else None
    return facts


_W = "$.medical.withdrawal"
_R = "$.level_of_care_ratings"
WITHDRAWAL_SPECS: Specs = {
    "withdrawal": (
        withdrawal,
        (
            ("withdrawal.pawss", "number", _W, "PAWSS score."),
            (
                "withdrawal.seizure_or_dt",
                "bool",
                _W,
                "A withdrawal seizure or delirium tremens before.",
            ),
            (
                "withdrawal.high_risk",
                "bool",
                _W,
                "High risk of complicated withdrawal: PAWSS 4 or more, or a past withdrawal "
                "seizure or delirium tremens.",
            ),
            (
                "withdrawal.ambulatory_plan",
                "bool",
                _W,
                "An ambulatory withdrawal-management plan is written.",
            ),
            (
                "withdrawal.points_to_management",
                "bool",
                "$.measures, $.medical.withdrawal, $.level_of_care_ratings",
                "A severe CIWA-Ar with a high risk of complicated withdrawal, a recorded ASAM "
                "Dimension 1 of 3 or more, or a recorded 24-hour withdrawal-management level.",
            ),
            ("withdrawal.asam_rated_on", "string", _R, "Date of the latest ASAM rating (ISO)."),
            (
                "withdrawal.asam_dimension_1",
                "number",
                _R,
                "Its recorded Dimension 1 rating (intoxication and withdrawal potential).",
            ),
            (
                "withdrawal.asam_wm_level",
                "string",
                _R,
                "The withdrawal-management level it records (e.g. 3.7-WM), if any.",
            ),
            (
                "withdrawal.asam_wm_24h",
                "bool",
                _R,
                "The recorded level is 3.2-WM, 3.7-WM or 4-WM (24-hour withdrawal management).",
            ),
        ),
    ),
}
