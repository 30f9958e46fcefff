"""Evaluations per second of the shipped criteria sets over the example cases.

Run: ``.venv/bin/python benchmarks/bench_criteria.py [--seconds N]``. Sets are compiled once
(cached by name). The "warm" figure is the target (>= 20,000 evaluations per second on the
development machine): facts are derived once per case and findings are memoized by the values
they depend on, so evaluating the same cases against several sets and reviews is cheap. The
"cold" figure clears those caches before every evaluation: the cost of a case seen once.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from iopauth.caseformat.serialize import load_case
from iopauth.criteria import criteria_sets, evaluate, get_criteria
from iopauth.criteria.engine import clear_caches
from iopauth.criteria.result import Review
from iopauth.model import Case

TARGET = 20_000
CASES = Path(__file__).resolve().parent.parent / "examples" / "cases"


def _cases() -> list[Case]:
    return [load_case(path.read_text(encoding="utf-8")) for path in sorted(CASES.glob("*.json"))]


def run(seconds: float, *, cold: bool = False) -> float:
    """Evaluate every (case, set, review) combination repeatedly; return evaluations/second."""
    cases = _cases()
    sets = [get_criteria(name) for name in criteria_sets()]
    jobs = [(c, s, r) for c in cases for s in sets for r in (Review.INITIAL, Review.CONTINUED)]
    for case, criteria, review in jobs:  # warm up caches and code paths
        evaluate(case, criteria, review)
    count = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds:
        for case, criteria, review in jobs:
            if cold:
                clear_caches()
            evaluate(case, criteria, review)
        count += len(jobs)
        elapsed = time.perf_counter() - start
    return count / elapsed


def main() -> None:
    """Print evaluations per second and whether the target is reached."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    rate = run(args.seconds)
    cold = run(args.seconds, cold=True)
    verdict = "meets" if rate >= TARGET else "below"
    print(f"warm: {rate:,.0f} evaluations per second ({verdict} the {TARGET:,} target)")
    print(f"cold: {cold:,.0f} evaluations per second (no caches: a case seen once)")
    print(f"ratio warm/cold, measured in this run: {rate / cold:.1f}x")


if __name__ == "__main__":
    main()
