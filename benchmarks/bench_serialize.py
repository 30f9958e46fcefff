"""Load + dump round trips of the example cases per second, and the cost of ``import iopauth``.

Run: ``.venv/bin/python benchmarks/bench_serialize.py``. Results are ratios against baselines
measured in the same run, so they hold on any machine:

- round trip: ``load_case(dump_case(case))`` against ``json.loads(json.dumps(data))`` of the
  same documents (the floor any loader pays), plus the absolute rate (target >= 10,000/s);
- import: a fresh interpreter importing iopauth against one importing only ``json`` (target
  <= 150 ms above that), and a check that neither WeasyPrint nor the ICD-10-CM table was loaded.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from iopauth import dump_case, load_case

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "cases").glob("*.json"))


def _rate(work: Callable[[], None], per_call: int, seconds: float = 2.0) -> float:
    """Calls of ``work`` per second (each handling ``per_call`` items), best of 5 rounds."""
    rates = []
    for _ in range(5):
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / 5:
            work()
            count += 1
        rates.append(count * per_call / elapsed)
    return max(rates)


def _import_ms(statement: str) -> float:
    """Median wall time of a fresh interpreter running ``statement``, in milliseconds."""
    times = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print the measurements and whether each target is met."""
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]
    cases = [load_case(d) for d in documents]
    texts = [json.dumps(d) for d in documents]

    def ours() -> None:
        for case in cases:
            load_case(dump_case(case))

    def baseline() -> None:
        for text in texts:
            json.loads(json.dumps(json.loads(text)))

    ours_rate = _rate(ours, len(cases))
    base_rate = _rate(baseline, len(cases))
    print(f"round trip: {ours_rate:,.0f} cases/s (target >= 10,000)")
    print(f"json-only baseline: {base_rate:,.0f} documents/s; ratio {base_rate / ours_rate:.1f}x")

    heavy = ("weasyprint", "simple_icd_10_cm", "iopauth.rendering", "jinja2")
    probe = (
        f"import sys, iopauth; bad = [m for m in {heavy!r} if m in sys.modules]; "
        "assert not bad, bad"
    )
    iopauth_ms = _import_ms(probe)
    python_ms = _import_ms("import json")
    print(
        f"import iopauth: {iopauth_ms - python_ms:.0f} ms above a bare interpreter "
        f"({iopauth_ms:.0f} vs {python_ms:.0f} ms; target <= 150); heavy modules not loaded"
    )


if __name__ == "__main__":
    main()
