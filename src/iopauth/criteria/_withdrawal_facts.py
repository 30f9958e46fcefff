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
from ._derive import Specs, Value, kleene_and, kleene_or

#: PAWSS at or above this is high risk of complicated withdrawal (BCCSU, clinical-thresholds §3).
PAWSS_HIGH = 4
# Withdrawal-management levels with 24-hour monitoring (clinical-thresholds.md §3: 1-WM and
# 2-WM are ambulatory; 3.2-WM, 3.7-WM and 4-WM are not).
_WM_24H = ("3.2-WM", "3.7-WM", "4-WM")
_DIMENSION_1 = "dimension_1"


def _bool(value: Value) -> bool | None:
    return value if isinstance(value, bool) else None


def withdrawal(case: Case, as_of: date) -> dict[str, Value]:
    facts: dict[str, Value] = {}
    m = case.medical
    history = None if m is None else m.withdrawal
    if history is not None:
        facts["withdrawal.pawss"] = history.pawss
        facts["withdrawal.seizure_or_dt"] = history.seizure_or_dt_history
        # Kleene OR: a low PAWSS with the seizure history unrecorded is not yet "low risk"
        facts["withdrawal.high_risk"] = kleene_or(
            (
                None if history.pawss is None else history.pawss >= PAWSS_HIGH,
                history.seizure_or_dt_history,
            )
        )
        facts["withdrawal.ambulatory_plan"] = bool(
            history.management_plan and history.management_plan.strip()
        )
    ciwa = [
        m
        for m in case.measures
        if m.instrument is Instrument.CIWA_AR and m.total is not None and m.administered_on <= as_of
    ]
    # No CIWA-Ar recorded reads as "no severe score" [our choice]: the scale measures current
    # withdrawal and is taken when withdrawal is present or expected, so its absence is not
    # missing documentation when an ASAM Dimension 1 rating carries the assessment. This is
    # the one route that is not three-valued; the risk facts and the ASAM routes are.
    severe: bool | None = False
    if ciwa:
        latest = max(ciwa, key=lambda m: m.administered_on)
        total = latest.total if latest.total is not None else 0
        severe = SPECS[Instrument.CIWA_AR].band_for(total) == "severe"
    # ASAM-AWM Rec III.1: a severe score decides only together with a high risk recorded
    scale = kleene_and((severe, _bool(facts.get("withdrawal.high_risk"))))
    asam = [
        r
        for r in case.level_of_care_ratings
        if r.instrument is RatingInstrument.ASAM and r.rated_on <= as_of
    ]
    dimension_route: bool | None = None
    level_route: bool | None = None
    if asam:
        rating = max(asam, key=lambda r: r.rated_on)
        level = (rating.override_level or rating.recommended_level).strip().upper()
        dimension_1 = rating.ratings.get(_DIMENSION_1)
        facts["withdrawal.asam_rated_on"] = rating.rated_on.isoformat()
        facts["withdrawal.asam_dimension_1"] = dimension_1
        facts["withdrawal.asam_wm_level"] = level if level.endswith("-WM") else None
        facts["withdrawal.asam_wm_24h"] = level_route = level in _WM_24H
        dimension_route = None if dimension_1 is None else dimension_1 >= 3
    # Three-valued (Kleene) OR of the three routes: "no" only when every route is recorded and
    # says no, so adding a risk fact or a rating can never turn "no" into "yes". A route that
    # is not recorded (a severe CIWA-Ar without its risk facts, no ASAM rating; a recorded ASAM
    # rating always has its six dimensions, caseformat requires them) leaves the answer
    # unknown unless another route already says yes.
    facts["withdrawal.points_to_management"] = kleene_or((scale, dimension_route, level_route))
    facts["withdrawal.scale_route"] = scale
    facts["withdrawal.asam_route"] = kleene_or((dimension_route, level_route))
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
            (
                "withdrawal.scale_route",
                "bool",
                "$.measures, $.medical.withdrawal",
                "A severe CIWA-Ar together with a high risk of complicated withdrawal "
                "(unknown until both are recorded, unless one already says no).",
            ),
            (
                "withdrawal.asam_route",
                "bool",
                _R,
                "The latest ASAM rating records Dimension 1 of 3 or more or a 24-hour "
                "withdrawal-management level (unknown without a rating).",
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
