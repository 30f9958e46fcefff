"""FHIR import of a 10,000-entry Bundle and PAS Bundle building, against JSON baselines.

Run: ``.venv/bin/python benchmarks/bench_fhir.py``. Results are ratios against baselines
measured in the same run, in interleaved rounds, so they hold on any machine:

- import: ``case_from_bundle(text)`` of the example Bundle padded to 10,000 entries, against
  ``json.loads(text)`` of the same text (the least any reader of that text must do);
- PAS: ``pas_request(case)`` of the example cases, against ``json.dumps(bundle)`` of the
  Bundles it writes (turning the same data into text, which every sender does anyway).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from iopauth import load_case
from iopauth.fhir import PasCodes, case_from_bundle, pas_request
from iopauth.model import RequestKind

# A fixed creation time and stand-in X12 codes (the IG's example codes; "X-..." where the IG
# has none): the benchmark measures building, not a payer's code list.
_PAS: dict[str, Any] = {
    "timestamp": datetime(2026, 6, 5, 14, 30, tzinfo=UTC),
    "codes": PasCodes(
        service_type="1",
        place_of_service="11",
        certification_types=dict.fromkeys(RequestKind, "X-kind") | {RequestKind.INITIAL: "I"},
        relationships=dict.fromkeys(("spouse", "child", "other"), "X-relation"),
    ),
    "subscriber_id": "SUB-0001",
}

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "tests" / "data" / "fhir" / "medicare-stepdown-depression.bundle.json"
CASES = sorted((ROOT / "examples" / "cases").glob("*.json"))


def _padded(size: int) -> str:
    bundle: dict[str, Any] = json.loads(BUNDLE.read_text())
    filler = next(e for e in bundle["entry"] if e["resource"]["id"] == "vital-weight")
    for n in range(size - len(bundle["entry"])):
        bundle["entry"].append({"resource": {**filler["resource"], "id": f"vital-{n}"}})
    return json.dumps(bundle)


def _seconds(works: list[Callable[[], object]], rounds: int = 7) -> list[float]:
    """Median seconds per call of each work, the works taking turns round by round."""
    times: list[list[float]] = [[] for _ in works]
    for _ in range(rounds):
        for i, work in enumerate(works):
            start = time.perf_counter()
            work()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def main() -> None:
    """Print the two comparisons."""
    text = _padded(10_000)
    imported, parsed = _seconds(
        [lambda: case_from_bundle(text, case_id="bench"), lambda: json.loads(text)]
    )
    print(
        f"import, 10,000 entries ({len(text) / 1e6:.1f} MB): {imported * 1000:.0f} ms; "
        f"json.loads alone {parsed * 1000:.0f} ms; ratio {imported / parsed:.1f}x"
    )
    cases = [load_case(p) for p in CASES]
    bundles = [pas_request(c, **_PAS) for c in cases]
    built, copied = _seconds(
        [
            lambda: [pas_request(c, **_PAS) for c in cases],
            lambda: [json.dumps(b) for b in bundles],
        ],
        rounds=21,
    )
    per_case = built / len(cases)
    print(
        f"pas_request: {per_case * 1e6:.0f} µs per case; json.dumps of its Bundle "
        f"{copied / len(cases) * 1e6:.0f} µs; ratio {built / copied:.1f}x"
    )


if __name__ == "__main__":
    main()
