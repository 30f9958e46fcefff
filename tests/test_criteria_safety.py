"""Suicide-risk screens decide on their answers and dates (issue #21 §4, clinical-thresholds.md
§6): C-SSRS intent or a plan points above IOP; a safety plan dated on or after a moderate screen
is its follow-up."""

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


def _run(data: dict[str, Any], case: dict[str, Any] | None = None, **kw: Any) -> Determination:
    return evaluate(
        load_case(data["case"] if case is None else case),
        kw.get("criteria", data["criteria"]),
        data["review"],
        as_of=kw.get("as_of", date.fromisoformat(data["as_of"])),
    )


def test_intent_with_a_plan_points_to_inpatient_and_quotes_the_disagreement() -> None:
    """C-SSRS Q5 yes with a form that says 'no imminent danger': the exclusion applies, the
    reason names the screen, its date and the disagreement, inpatient is recommended."""
    result = _run(_vignette("10"))
    finding = result.by_criterion()["ex.high_suicide_risk"]
    assert finding.status is Status.APPLIES
    # the risk assessment records intent and a plan too: not a disagreement (a reviewer's find)
    assert finding.reason.startswith(
        "The C-SSRS screener of April 6, 2026 answers yes to suicidal intent with a plan, and "
        "the risk assessment of April 6, 2026 records intent and a plan too, while marking no "
        "imminent danger."
    )
    assert result.outcome is Outcome.DOES_NOT_MEET
    assert result.recommended_level is LevelOfCare.INPATIENT
    assert "ex.high_suicide_risk" in result.recommendation_basis
    case = copy.deepcopy(_vignette("10")["case"])
    case["risk"].update(suicide_intent=False, suicide_plan=False)
    finding = _run(_vignette("10"), case).by_criterion()["ex.high_suicide_risk"]
    assert finding.reason.startswith(
        "The C-SSRS screener of April 6, 2026 answers yes to suicidal intent with a plan, while "
        "the risk assessment of April 6, 2026 marks no imminent danger: the two disagree."
    )


def test_the_same_screen_under_every_set() -> None:
    """Every shipped IOP set carries the high-risk exclusion."""
    data = _vignette("10")
    for name in ("iop-standard", "sud-iop", "medicare-iop"):
        found = _run(data, criteria=name).by_criterion()
        assert found["ex.high_suicide_risk"].status is Status.APPLIES, name


def test_an_old_screen_does_not_decide() -> None:
    """The screener asks about the past month: 31 days on, it no longer decides (the risk
    assessment still records intent with a plan here, so drop those)."""
    data = _vignette("10")
    case = copy.deepcopy(data["case"])
    case["risk"].update(suicide_intent=False, suicide_plan=False)
    later = _run(data, case, as_of=date(2026, 5, 7)).by_criterion()["ex.high_suicide_risk"]
    assert later.status is Status.DOES_NOT_APPLY


def test_safety_plan_on_the_screen_day_is_the_follow_up() -> None:
    """A moderate screen on March 12 and a safety plan written that day: followed up, and the
    reason says so instead of claiming that no safety plan is recorded."""
    result = _run(_vignette("11"))
    finding = result.by_criterion()["safety.followup"]
    assert finding.status is Status.MET
    assert finding.reason == (
        "The C-SSRS screener of March 12, 2026 indicates moderate suicide risk; a safety plan "
        "written on March 12, 2026 follows it up."
    )
    assert result.outcome is Outcome.MEETS
    assert result.missing_documentation == ()


def test_a_safety_plan_before_the_screen_is_not_its_follow_up() -> None:
    """Dated before the moderate screen, the safety plan does not follow it up: asked for."""
    data = _vignette("11")
    case = copy.deepcopy(data["case"])
    case["risk"]["safety_plan_on"] = "2026-03-05"
    finding = _run(data, case).by_criterion()["safety.followup"]
    assert finding.status is Status.UNKNOWN
    assert "no risk assessment or safety plan dated on or after it" in finding.reason
