"""docs/case-format.md tells a new user what the case rules otherwise teach by error message
(issue 22 §13): the C-SSRS answer order, rating keys and levels, the history's levels, the
default unit type and the ages questionnaires are (not) checked against."""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest

from iopauth.caseformat.serialize import dump_case, load_case
from iopauth.levels import dimension_keys, valid_levels
from iopauth.measures import CssrsAnswers, cssrs_screener
from iopauth.model import (
    Instrument,
    LevelOfCare,
    MeasureAdministration,
    RatingInstrument,
    TreatmentEpisode,
)

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "case-format.md").read_text(encoding="utf-8")
APPEAL = ROOT / "examples" / "cases" / "commercial-adolescent-appeal.json"
_FIELDS = ("wish_to_be_dead", "active_thoughts", "method", "intent", "plan", "behavior")


def _know() -> str:
    return DOC.split("## Before you write a case", 1)[1].split("\n## ", 1)[0]


def test_the_documented_cssrs_order_is_the_order_iopauth_reads() -> None:
    """Answering yes only to the n-th documented question sets the n-th answer, and the
    documented intent and plan questions are the ones that triage high."""
    listed = re.findall(r"^(\d)\. (.+)$", _know(), flags=re.MULTILINE)
    assert [int(n) for n, _ in listed] == list(range(1, 8))
    for index, field in enumerate(_FIELDS):
        items = [0] * 7
        items[index] = 1
        answers = CssrsAnswers.from_items(items)
        assert [f for f in _FIELDS if getattr(answers, f)] == [field]
    assert listed[3][1].startswith("intent")
    assert listed[4][1].startswith("intent with a plan")
    assert cssrs_screener([0, 0, 0, 1, 0, 0, 0]).risk_level == "high"
    assert cssrs_screener([1, 0, 0, 0, 0, 0, 0]).risk_level == "low"


def test_every_rating_key_and_level_is_documented() -> None:
    know = _know()
    for instrument in RatingInstrument:
        row = next(line for line in know.splitlines() if line.startswith(f"| `{instrument}` |"))
        for key in dimension_keys(instrument):
            assert f"`{key}`" in row
        versions = ("3", "4") if instrument is RatingInstrument.ASAM else (None,)
        for version in versions:
            for level in valid_levels(instrument, version):
                assert f"`{level}`" in row


def test_the_history_example_loads_with_an_emergency_visit_and_a_crisis_stay() -> None:
    """The documented history (an ED visit, then a crisis stay) loads as written."""
    snippet = re.search(r"```json\n(\"history\": \[.*?\])\n```", _know(), flags=re.DOTALL)
    assert snippet is not None
    history = json.loads("{" + snippet.group(1) + "}")["history"]
    data = dump_case(load_case(APPEAL))
    data["history"] = history
    case = load_case(data)
    assert [e.level for e in case.history] == [LevelOfCare.EMERGENCY, LevelOfCare.CRISIS]
    # both rank above residential and below inpatient (Optum's order, payer-criteria.md §1)
    for level in (LevelOfCare.EMERGENCY, LevelOfCare.CRISIS):
        assert LevelOfCare.RESIDENTIAL.rank < level.rank < LevelOfCare.INPATIENT.rank
    for level in LevelOfCare:
        assert f"`{level}`" in _know()


def test_a_plan_at_an_emergency_or_crisis_level_is_refused() -> None:
    from iopauth.errors import InvalidCaseError

    data = dump_case(load_case(APPEAL))
    for level in ("emergency", "crisis"):
        data["plan"]["level"] = level
        with pytest.raises(InvalidCaseError, match=r"\$\.plan\.level"):
            load_case(data)


def test_a_pcl5_for_a_minor_is_accepted_as_the_docs_say() -> None:
    """The adolescent example with a PCL-5 loads; the docs say why (no ages for measures)."""
    case = load_case(APPEAL)
    pcl5 = MeasureAdministration(
        instrument=Instrument.PCL5, administered_on=case.request.request_date, items=(2,) * 20
    )
    data = dump_case(attrs.evolve(case, measures=(*case.measures, pcl5)))
    assert 13 <= load_case(data).age < 18
    assert "a PCL-5 for a 16-year-old is\naccepted as recorded" in _know()
    assert "`request.unit_type` defaults to `per_diem`" in _know()
    assert TreatmentEpisode.__doc__ is not None
    assert "emergency" in TreatmentEpisode.__doc__
