"""Every determination byte-identical to the one the engine gave before its speed work.

The golden file holds a SHA-256 of each determination's ``repr`` (outcome, findings with their
statuses, reasons, citations and evidence, the documentation asked for, the recommendation, its
basis, notes, unverified criteria) over the example cases and the benchmark's variants of them
(``benchmarks/_cases.py``) x every shipped set x every review x three days. It was written by
the engine as it stood on ``main`` before issue 14's compiled criteria and scoring core
(``python tests/test_criteria_golden.py --write``); a change of wording is a deliberate change
of this file, never a side effect of making the engine faster.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from iopauth.caseformat.serialize import load_case
from iopauth.criteria import criteria_sets, evaluate, get_criteria
from iopauth.criteria.engine import clear_caches
from iopauth.criteria.result import Determination, Review
from iopauth.model import Case

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "data" / "golden" / "determinations.json"
VARIANTS = 40
# the request date, a month later and past a year: every "days since" fact moves
SHIFTS = (0, 30, 400)


def _variants() -> list[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("_bench_cases", ROOT / "benchmarks" / "_cases.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    docs: list[dict[str, Any]] = module.examples() + module.variants(VARIANTS)
    return docs


def cases() -> list[Case]:
    """The golden cases, loaded: the examples, then the benchmark's variants of them."""
    return [load_case(json.dumps(doc)) for doc in _variants()]


def _key(doc: dict[str, Any], name: str, review: Review, shift: int) -> str:
    return f"{doc['case_id']}|{name}|{review.value}|{shift}"


def _digest(determination: Determination) -> str:
    return hashlib.sha256(repr(determination).encode("utf-8")).hexdigest()


def _determinations(*, cold: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for doc in _variants():
        case = load_case(json.dumps(doc))
        for name in criteria_sets():
            criteria = get_criteria(name)
            for review in Review:
                for shift in SHIFTS:
                    if cold:
                        clear_caches()
                    day = case.request.request_date + timedelta(days=shift)
                    found = evaluate(case, criteria, review, as_of=day)
                    out[_key(doc, name, review, shift)] = _digest(found)
    return out


def _golden() -> dict[str, str]:
    data: dict[str, str] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


def test_cold_determinations_match_golden() -> None:
    """With caches cleared before each evaluation, every determination is the golden one."""
    golden = _golden()
    found = _determinations(cold=True)
    assert found.keys() == golden.keys()
    differ = [k for k in golden if found[k] != golden[k]]
    assert differ == [], f"{len(differ)} determinations changed, first: {differ[:5]}"


def test_warm_determinations_match_golden() -> None:
    """With facts and findings cached across sets and reviews, the same determinations."""
    golden = _golden()
    clear_caches()
    found = _determinations(cold=False)
    differ = [k for k in golden if found[k] != golden[k]]
    assert differ == [], f"{len(differ)} determinations changed, first: {differ[:5]}"


def test_golden_covers_every_outcome_and_set() -> None:
    """The golden cases reach every outcome and every shipped set (so the check has teeth)."""
    outcomes = set()
    for doc in _variants()[:8]:
        case = load_case(json.dumps(doc))
        for name in criteria_sets():
            for review in (Review.INITIAL, Review.CONTINUED):
                outcomes.add(evaluate(case, name, review).outcome)
    assert len(outcomes) == 3
    assert {k.split("|")[1] for k in _golden()} == set(criteria_sets())


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    GOLDEN.write_text(json.dumps(_determinations(cold=True), indent=0, sort_keys=True) + "\n")
