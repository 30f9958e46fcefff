"""Time per ``request-letter`` PDF: iopauth.render against the naive baseline, side by side.

The baseline is what a user would write: the same HTML from ``render_html`` handed to a fresh
``weasyprint.HTML(string=...).write_pdf()`` with the system's fonts. Both run in this process,
interleaved in pairs after one warm-up each, with a garbage collection before every timed
call. A shared machine's speed drifts (by 20% from second to second on the development
machine), so each pair gives a ratio, and the script prints the median ratio (the target is
at most 0.5) with its quartiles, the median times and the PDF sizes.

It also times the page layout alone: the step of ``iopauth.render`` that lays out the letter
(its style sheet already parsed) with the shipped fonts, nothing drawn or written. Every
WeasyPrint render of this letter pays for that step, the baseline included, so its share of the
baseline's time is a floor under the ratio.

    .venv/bin/python benchmarks/bench_render.py [CASE.json] [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import weasyprint

from iopauth.model import Case
from iopauth.rendering import RenderOptions, render, render_html
from iopauth.rendering.pdf import layout
from iopauth.rendering.render import _determination, _pdf_html
from iopauth.serialize import load_case

_DEFAULT_CASE = (
    Path(__file__).resolve().parent.parent / "examples/cases/medicare-stepdown-depression.json"
)


def _timed(action: Callable[[], bytes]) -> tuple[float, bytes]:
    gc.collect()
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def run(case: Case, rounds: int) -> dict[str, float]:
    """Medians, ratio quartiles and PDF sizes over ``rounds`` interleaved rounds."""
    html = render_html(case, "request-letter")

    def ours() -> bytes:
        return render(case, "request-letter")

    def baseline() -> bytes:
        pdf: bytes = weasyprint.HTML(string=html).write_pdf()
        return pdf

    options = RenderOptions()
    determination = _determination(case, "request-letter", None, options)
    bare_html, css = _pdf_html(case, "request-letter", determination, options, ())

    def layout_only() -> bytes:
        layout(bare_html, options, (), css)
        return b""

    for action in (ours, baseline, layout_only):  # warm-up: imports, templates, font setup
        action()
    our_times, base_times, layout_times, ratios, layout_ratios = [], [], [], [], []
    our_pdf = base_pdf = b""
    for _ in range(rounds):
        seconds, our_pdf = _timed(ours)
        our_times.append(seconds)
        seconds, base_pdf = _timed(baseline)
        base_times.append(seconds)
        ratios.append(our_times[-1] / seconds)
        seconds, _ = _timed(layout_only)
        layout_times.append(seconds)
        layout_ratios.append(seconds / base_times[-1])
    low, median, high = statistics.quantiles(ratios, n=4)
    return {
        "ours_s": statistics.median(our_times),
        "baseline_s": statistics.median(base_times),
        "layout_s": statistics.median(layout_times),
        "layout_ratio": statistics.median(layout_ratios),
        "ratio": median,
        "ratio_q1": low,
        "ratio_q3": high,
        "ours_bytes": len(our_pdf),
        "baseline_bytes": len(base_pdf),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", type=Path, default=_DEFAULT_CASE)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    if args.rounds < 2:
        parser.error("--rounds must be at least 2 (the ratio's quartiles need two pairs)")
    case = load_case(args.case)
    result = run(case, args.rounds)
    print(f"case: {args.case.name}, {args.rounds} rounds, medians")
    print(f"iopauth.render   {result['ours_s'] * 1000:8.1f} ms  {result['ours_bytes']:>8} bytes")
    print(
        f"naive baseline   {result['baseline_s'] * 1000:8.1f} ms  "
        f"{result['baseline_bytes']:>8} bytes"
    )
    print(
        f"ratio (ours / baseline): median {result['ratio']:.2f}, quartiles "
        f"{result['ratio_q1']:.2f}-{result['ratio_q3']:.2f}  (target <= 0.50)"
    )
    print(
        f"layout alone     {result['layout_s'] * 1000:8.1f} ms  "
        f"median {result['layout_ratio']:.2f} of the baseline's time, a floor under the ratio"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
