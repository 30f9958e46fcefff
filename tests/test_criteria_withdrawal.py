"""Withdrawal decided on the score with its risk, or on the recorded ASAM assessment (issue
#21 §4, clinical-thresholds.md §3; iopauth.criteria._withdrawal_facts and sud-iop)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

from iopauth.caseformat.serialize import load_case
from iopauth.criteria import Outcome, Status, evaluate
from iopauth.criteria.result import Determination
from iopauth.model import LevelOfCare

VIGNETTES = Path(__file__).resolve().parent / "data" / "vignettes"


def _vignette(prefix: str) -> dict[str, Any]:
    path = next(VIGNETTES.glob(f"{prefix}-*.json"))
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _run(data: dict[str, Any], case: dict[str, Any] | None = None) -> Determination:
    return evaluate(
        load_case(data["case"] if case is None else case),
        data["criteria"],
        data["review"],
        as_of=date.fromisoformat(data["as_of"]),
    )


def test_severe_ciwa_with_high_risk_points_to_withdrawal_management() -> None:
    """CIWA-Ar 22 (severe) with PAWSS 6 and a past seizure: withdrawal management first; the
    reasons quote the score, its date and band."""
    result = _run(_vignette("08"))
    found = result.by_criterion()
    assert found["ex.withdrawal_monitoring"].reason == (
        "Withdrawal risk is recorded as high and the CIWA-Ar of January 20, 2026 is 22 (severe: "
        "19 or more in the ASAM 2020 bands): withdrawal needs medical monitoring first."
    )
    assert found["wd.withdrawal_management"].status is Status.APPLIES
    assert "PAWSS 6" in found["wd.withdrawal_management"].reason
    assert result.outcome is Outcome.DOES_NOT_MEET
    assert result.recommended_level is LevelOfCare.WITHDRAWAL_MANAGEMENT


def test_a_severe_score_alone_does_not_set_the_level() -> None:
    """Without a high risk recorded (ASAM-AWM Rec III.1), a severe CIWA-Ar does not point to
    withdrawal management by itself."""
    data = _vignette("08")
    case = copy.deepcopy(data["case"])
    case["medical"]["withdrawal"] = {"pawss": 2, "seizure_or_dt_history": False}
    case["medical"]["withdrawal_risk"] = "moderate"
    # without an ASAM rating the Dimension 1 route is open, so the finding is unknown ...
    finding = _run(data, case).by_criterion()["wd.withdrawal_management"]
    assert finding.status is Status.UNKNOWN
    assert "no ASAM assessment is recorded" in finding.reason
    # ... and with one rating Dimension 1 at 2 (an IOP level), it does not apply
    case["level_of_care_ratings"] = [
        {
            "instrument": "asam",
            "version": "3",
            "rated_on": "2026-01-20",
            "ratings": {f"dimension_{n}": 2 for n in range(1, 7)},
            "recommended_level": "2.1",
        }
    ]
    finding = _run(data, case).by_criterion()["wd.withdrawal_management"]
    assert finding.status is Status.DOES_NOT_APPLY
    assert finding.reason.startswith("The CIWA-Ar of January 20, 2026 is 22 (severe)")


def test_the_unverified_encoding_never_decides_alone() -> None:
    """Severe score and high risk with the clinician's rating at moderate: the (unverified)
    encoding recommends withdrawal management and leaves the outcome undecided."""
    data = _vignette("08")
    case = copy.deepcopy(data["case"])
    case["medical"]["withdrawal_risk"] = "moderate"
    result = _run(data, case)
    assert result.by_criterion()["wd.withdrawal_management"].verified is False
    assert result.by_criterion()["wd.withdrawal_management"].status is Status.APPLIES
    assert result.recommended_level is LevelOfCare.WITHDRAWAL_MANAGEMENT
    assert "wd.withdrawal_management" in result.unverified


def test_recorded_asam_dimension_1_and_wm_level_are_quoted() -> None:
    """ASAM Dimension 1 rated 3 with 3.7-WM recommended: the reason gives both and the date."""
    result = _run(_vignette("20"))
    finding = result.by_criterion()["wd.withdrawal_management"]
    assert finding.reason == (
        "The ASAM assessment of February 17, 2026 rates Dimension 1 (intoxication and "
        "withdrawal potential) 3 and recommends 3.7-WM, a withdrawal-management level with "
        "24-hour monitoring: withdrawal management comes before intensive outpatient care."
    )
    assert result.recommended_level is LevelOfCare.WITHDRAWAL_MANAGEMENT


def test_cows_is_reported_never_decisive() -> None:
    """COWS 15 (moderate) is banded and reported; no source maps COWS to a level of care."""
    result = _run(_vignette("09"))
    finding = result.by_criterion()["wd.withdrawal_management"]
    assert finding.status is Status.DOES_NOT_APPLY
    assert finding.reason == (
        "The COWS of February 3, 2026 is 15 (moderate); no source maps COWS bands to a level of "
        "care, and the ASAM assessment of February 3, 2026 rates Dimension 1 (intoxication and "
        "withdrawal potential) 2, below 3, with no 24-hour withdrawal-management level."
    )
    assert result.outcome is Outcome.MEETS


def test_a_severe_score_with_its_risk_half_recorded_stays_unknown() -> None:
    """PAWSS 2 with the seizure history unrecorded does not yet rule out a high risk, so a
    severe CIWA-Ar leaves the finding unknown (three-valued: adding the history can only
    decide it), and the reason says what would settle it."""
    data = _vignette("08")
    case = copy.deepcopy(data["case"])
    case["medical"]["withdrawal"] = {"pawss": 2}
    case["level_of_care_ratings"] = []
    finding = _run(data, case).by_criterion()["wd.withdrawal_management"]
    assert finding.status is Status.UNKNOWN
    case["medical"]["withdrawal"] = {"pawss": 2, "seizure_or_dt_history": True}
    assert _run(data, case).by_criterion()["wd.withdrawal_management"].status is Status.APPLIES
    case["medical"]["withdrawal"] = {"pawss": 5}
    assert _run(data, case).by_criterion()["wd.withdrawal_management"].status is Status.APPLIES


def test_severe_withdrawal_is_read_by_every_set_not_only_sud() -> None:
    """A reviewer's Medicare case with alcohol dependence, CIWA-Ar 22 and PAWSS 6 passed as
    "no 24-hour care needed": medicare-iop, iop-standard and php-standard now read the same
    routes (unverified: the outcome is left open and withdrawal management recommended)."""
    data = _vignette("08")
    case = load_case(data["case"])
    for name in ("medicare-iop", "iop-standard", "php-standard"):
        result = evaluate(case, name, "initial", as_of=date.fromisoformat(data["as_of"]))
        finding = result.by_criterion()["wd.withdrawal_24h"]
        assert finding.status is Status.APPLIES, name
        assert "CIWA-Ar of January 20, 2026 is 22" in finding.reason
        assert "PAWSS 6" in finding.reason
        assert result.outcome is not Outcome.MEETS, name
        assert result.recommended_level in (
            LevelOfCare.WITHDRAWAL_MANAGEMENT,
            LevelOfCare.INPATIENT,
        ), name
    # a mental-health case with no withdrawal score or rating: nothing to ask for
    plain = copy.deepcopy(data["case"])
    plain["measures"] = [m for m in plain["measures"] if m["instrument"] != "ciwa_ar"]
    plain["level_of_care_ratings"] = []
    found = evaluate(load_case(plain), "iop-standard", "initial").by_criterion()
    assert found["wd.withdrawal_24h"].status is Status.DOES_NOT_APPLY


def test_a_recorded_asam_rating_is_named_when_withdrawal_needs_no_24h_care() -> None:
    """The mental-health sets' withdrawal row does not say "no withdrawal-management level is
    recorded" beside a recorded ASAM assessment."""
    data = _vignette("09")
    case = copy.deepcopy(data["case"])
    case["measures"] = [m for m in case["measures"] if m["instrument"] not in ("ciwa_ar", "cows")]
    finding = evaluate(load_case(case), "iop-standard", "initial").by_criterion()[
        "wd.withdrawal_24h"
    ]
    assert finding.status is Status.DOES_NOT_APPLY
    assert finding.reason == (
        "The ASAM assessment of February 3, 2026 recommends no 24-hour withdrawal-management "
        "level, and no CIWA-Ar score is recorded."
    )
