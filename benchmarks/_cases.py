"""Distinct, valid case documents for the benchmarks, made from the shipped examples."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"


def examples() -> list[dict[str, Any]]:
    """The example case documents, in name order."""
    return [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]


def variants(count: int) -> list[dict[str, Any]]:
    """``count`` different valid cases: the examples in turn, each with its own case id, name
    and PHQ-9 / GAD-7 item scores (so facts, findings and letters differ from case to case)."""
    bases = examples()
    out = []
    for n in range(count):
        case = copy.deepcopy(bases[n % len(bases)])
        case["case_id"] = f"bench-{n:05d}"
        case["patient"]["name"]["family"] = f"Testperson{n}"
        for k, measure in enumerate(case.get("measures", ())):
            if measure.get("instrument") in ("phq9", "gad7") and "items" in measure:
                items = measure["items"]
                for i in range(len(items) - 1):  # the last PHQ-9 item (risk) stays as recorded
                    items[i] = (n // (i + 1) + k + items[i]) % 4
        out.append(case)
    return out
