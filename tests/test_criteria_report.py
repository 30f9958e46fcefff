"""Determinations and sets as text and JSON (what the CLI prints)."""

from __future__ import annotations

import json
import os
from datetime import date

from iopauth.criteria import (
    CriteriaSet,
    Determination,
    Review,
    criteria_sets,
    describe_set,
    determination_to_json,
    format_table,
    get_criteria,
)
from iopauth.criteria import evaluate as _evaluate
from iopauth.model import Case

from .casebuilder import build_case, weekly


def evaluate(
    case: Case,
    criteria: str | os.PathLike[str] | CriteriaSet = "iop-standard",
    review: str | Review = "initial",
    as_of: date | None = None,
) -> Determination:
    """``iopauth.evaluate`` with this module's fixed set and review: these tests are about
    ``iop-standard``'s initial review (``evaluate(case)`` itself uses the case's defaults,
    tests/test_criteria_defaults.py)."""
    return _evaluate(case, criteria, review, as_of)


def test_table_lists_every_finding() -> None:
    """The table shows the outcome, one row per finding and what is missing."""
    case = build_case({"engagement": None})
    result = evaluate(case)
    table = format_table(result)
    assert "Outcome: INSUFFICIENT INFORMATION" in table
    for finding in result.findings:
        assert finding.criterion in table
    assert "UNKNOWN   adm.can_engage" in table
    assert "CLEAR     ex.imminent_danger" in table
    assert "To decide, document or attach:" in table
    assert all(len(line) <= 100 for line in table.splitlines())


def test_table_shows_recommendation_and_evidence() -> None:
    """The recommendation with its drivers, the statuses and the evidence appear in the table."""
    case = build_case({**weekly(2, 2.0), "presentation.outpatient_insufficient": False})
    table = format_table(evaluate(case))
    assert "Recommended level of care: iop (from adm.program_intensity, adm.impairment)" in table
    assert "NOT MET   adm.program_intensity" in table
    assert "APPLIES   ex.lower_level_suffices" in table
    assert "plan.counted_hours_per_week = 4 ($.plan.schedule)" in table


def test_json_is_json() -> None:
    """The JSON form round-trips through json and keeps every finding and its evidence."""
    result = evaluate(build_case({"risk.imminent_danger": True}), "medicare-iop")
    data = determination_to_json(result)
    assert json.loads(json.dumps(data)) == data
    # mcr.needs_24h_care rests on the unverified 42 CFR 410.44 text: it cannot deny alone
    assert data["outcome"] == "insufficient_information"
    assert data["recommended_level"] == "inpatient"
    assert data["recommendation_basis"] == ["mcr.needs_24h_care"]
    assert "mcr.needs_24h_care" in data["unverified"]
    assert data["as_of"] == "2026-03-20"
    assert [f["criterion"] for f in data["findings"]] == [f.criterion for f in result.findings]
    found = {f["criterion"]: f for f in data["findings"]}
    assert found["mcr.needs_24h_care"]["status"] == "applies"
    assert found["mcr.diversionary"]["status"] == "does_not_apply"
    assert found["mcr.poc_9h"]["citation"].startswith("Social Security Act §1861(ff)")
    assert found["mcr.poc_9h"]["evidence"] == [
        {"fact": "plan.counted_hours_per_week", "path": "$.plan.schedule", "value": 12.0},
        {"fact": "plan.high_hours_per_week", "path": "$.plan.schedule", "value": 12.0},
        {"fact": "plan.hours_reconciled", "path": "$.plan.services", "value": True},
    ]
    assert all(
        f["status"] not in ("met", "not_met") for f in data["findings"] if f["kind"] == "exclusion"
    )


def test_json_lists_are_lists() -> None:
    """Tuple-valued evidence (diagnosis codes) becomes a JSON list."""
    case = build_case()
    data = determination_to_json(evaluate(case, "sud-iop"))
    assert all(isinstance(f["documentation"], list) for f in data["findings"])
    diagnosis = next(f for f in data["findings"] if f["criterion"] == "sud.diagnosis")
    assert diagnosis["evidence"][0]["value"] is True


def test_describe_every_shipped_set() -> None:
    """Describing a set prints its header, parameters, criteria and rules."""
    for name in criteria_sets():
        criteria_set = get_criteria(name)
        text = describe_set(criteria_set)
        assert text.startswith(f"{name}: {criteria_set.title}")
        for criterion in criteria_set.criteria:
            assert criterion.id in text
        assert "rule: " in text
    medicare = describe_set(get_criteria("medicare-iop"))
    assert "min_hours = 9" in medicare
    assert "unverified: confirm against the source" in medicare


def test_table_names_the_level_in_words() -> None:
    """A reviewer found "withdrawal_management" printed as a code."""
    import attrs

    from iopauth.model import LevelOfCare

    result = evaluate(build_case(), "iop-standard")
    table = format_table(attrs.evolve(result, recommended_level=LevelOfCare.WITHDRAWAL_MANAGEMENT))
    assert "Recommended level of care: withdrawal management" in table
