"""The criteria engine's facts cache and findings memo: bounded, and invisible in results."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopauth.caseformat.serialize import load_case
from iopauth.criteria import (
    CriteriaSet,
    Determination,
    criteria_sets,
    default_criteria,
    default_review,
    engine,
    get_criteria,
)
from iopauth.criteria import evaluate as _evaluate
from iopauth.criteria._finders import without_unknown_asides
from iopauth.criteria._request_review import annotate
from iopauth.criteria._wording import formatted, show
from iopauth.criteria.facts import Value, derive_facts
from iopauth.criteria.result import Review
from iopauth.criteria.sets import Template
from iopauth.model import Case

from .strategies import cases

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"


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


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), name=st.sampled_from(criteria_sets()), review=st.sampled_from(list(Review)))
def test_a_review_derives_only_what_it_reads(case: Case, name: str, review: Review) -> None:
    """Deriving only the fact groups a review reads decides exactly as deriving every fact."""
    engine.clear_caches()
    criteria = get_criteria(name)
    got = evaluate(case, criteria, review)
    engine.clear_caches()
    every_fact = derive_facts(case, case.request.request_date)
    reference = engine._decide(criteria, review, every_fact)
    decided = Determination(
        criteria_set=criteria.id,
        criteria_version=criteria.version,
        review=review,
        as_of=case.request.request_date,
        **reference,
    )
    # the per-case notes (inconsistencies, the request itself) are added after the memo
    assert attrs.asdict(got, recurse=False) == attrs.asdict(
        annotate(decided, case, criteria), recurse=False
    )
    assert set(criteria.groups_for(review)) <= set(criteria.groups)


def _interpreted(template: Template, facts: Mapping[str, Value], params: Mapping[str, Any]) -> str:
    """A reason read straight from its ``parts``, as the engine did before ``pieces``."""
    out = []
    for is_name, text in template.parts:
        if not is_name:
            out.append(text)
            continue
        name, _, form = text.partition("|")
        if name.startswith("params."):
            value = params[name.removeprefix("params.")]
        else:
            value = facts.get(name)
        out.append(formatted(value, form) if form else show(value))
    return without_unknown_asides("".join(out))  # an unknown aside is left out, as on every path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_resolved_reason_pieces_read_as_their_parts(case: Case) -> None:
    """Every shipped reason written from its resolved pieces reads as written from its parts."""
    facts = derive_facts(case, case.request.request_date)
    for name in criteria_sets():
        criteria = get_criteria(name)
        for criterion in criteria.criteria:
            for item in (criterion, *criterion.members):
                for template in (*item.met_reason, *item.not_met_reason, *item.unknown_reason):
                    expected = _interpreted(template, facts, criteria.params)
                    assert engine._render(template, facts, criteria.params) == expected
                    assert engine._pick((template,), facts, criteria.params) in (expected, None)
