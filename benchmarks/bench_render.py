"""Time per ``request-letter`` PDF: iopauth.render against the naive baseline, side by side.

The baseline is what a user would write: the same HTML from ``render_html`` handed to a fresh
``weasyprint.HTML(string=...).write_pdf()`` with the system's fonts. Both run in this process,
interleaved, after one warm-up each; the script prints the median times, their ratio (the
target is at most 0.5) and the PDF sizes.

    .venv/bin/python benchmarks/bench_render.py [CASE.json] [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import weasyprint

from iopauth.model import Case
from iopauth.rendering import render, render_html
from iopauth.serialize import load_case

_DEFAULT_CASE = (
    Path(__file__).resolve().parent.parent / "examples/cases/medicare-stepdown-depression.json"
)


def _timed(action: Callable[[], bytes]) -> tuple[float, bytes]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def run(case: Case, rounds: int) -> dict[str, float]:
    """Median seconds and sizes of ``rounds`` interleaved renders of each kind."""
    html = render_html(case, "request-letter")

    def ours() -> bytes:
        return render(case, "request-letter")

    def baseline() -> bytes:
        pdf: bytes = weasyprint.HTML(string=html).write_pdf()
        return pdf

    ours()  # warm-up: imports, template compilation, the font configuration
    baseline()
    our_times, base_times = [], []
    our_pdf = base_pdf = b""
    for _ in range(rounds):
        seconds, our_pdf = _timed(ours)
        our_times.append(seconds)
        seconds, base_pdf = _timed(baseline)
        base_times.append(seconds)
    ours_median = statistics.median(our_times)
    base_median = statistics.median(base_times)
    return {
        "ours_s": ours_median,
        "baseline_s": base_median,
        "ratio": ours_median / base_median,
        "ours_bytes": len(our_pdf),
        "baseline_bytes": len(base_pdf),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", type=Path, default=_DEFAULT_CASE)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    case = load_case(args.case)
    result = run(case, args.rounds)
    print(f"case: {args.case.name}, {args.rounds} rounds, medians")
    print(f"iopauth.render   {result['ours_s'] * 1000:8.1f} ms  {result['ours_bytes']:>8} bytes")
    print(
        f"naive baseline   {result['baseline_s'] * 1000:8.1f} ms  "
        f"{result['baseline_bytes']:>8} bytes"
    )
    print(f"ratio (ours / baseline): {result['ratio']:.2f}  (target <= 0.50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
