"""The criteria engine's facts cache and findings memo: bounded, and invisible in results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iopauth.criteria import (
    criteria_sets,
    default_criteria,
    default_review,
    engine,
    evaluate,
    get_criteria,
)
from iopauth.model import Case
from iopauth.serialize import load_case

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"


def _cases() -> list[Case]:
    """Twelve valid cases whose ages and PHQ-9 answers (so facts and findings) differ."""
    base = json.loads((EXAMPLES / "commercial-mild-adjustment.json").read_text())
    cases = []
    for n in range(12):
        data = json.loads(json.dumps(base))
        data["case_id"] = f"cache-{n}"
        data["patient"]["birth_date"] = f"{1950 + n}-01-15"
        for measure in data["measures"]:
            if measure["instrument"] == "phq9":  # the last (risk) item stays as recorded
                measure["items"][:8] = [(n + i) % 4 for i in range(8)]
        cases.append(load_case(data))
    return cases


def test_caches_stay_within_their_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many different cases never hold more facts or findings than the bounds allow."""
    cases = _cases()
    expected = []
    for case in cases:
        engine.clear_caches()
        expected.append(evaluate(case, default_criteria(case), default_review(case)))
    engine.clear_caches()
    for case in cases:
        evaluate(case, default_criteria(case), default_review(case))
    widest = max(len(c.memo) for name in criteria_sets() for c in get_criteria(name).criteria)
    assert widest > 2, "unbounded, the memo would outgrow the bound this test sets"
    monkeypatch.setattr(engine, "_MEMO_SIZE", 2)
    monkeypatch.setattr(engine, "_FACTS_CACHE_SIZE", 3)
    engine.clear_caches()
    for _ in range(2):
        got = [evaluate(c, default_criteria(c), default_review(c)) for c in cases]
        assert got == expected
        assert len(engine._FACTS_CACHE) <= 3
        for name in criteria_sets():
            criteria_set = get_criteria(name)
            assert len(criteria_set.memo) <= 2
            assert all(len(c.memo) <= 2 for c in criteria_set.criteria)


def test_memo_bound_is_modest() -> None:
    """The findings memo holds at most a few hundred entries per criterion (flat memory)."""
    assert engine._MEMO_SIZE <= 512
    assert engine._FACTS_CACHE_SIZE <= 64
