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

Two more ratios, measured in the same rounds, check that nothing is laid out twice:

- fax cover / request letter (target <= 1.1): ``render(case, "fax-cover")`` lays out the
  packet's parts once to count their pages, then the one-page cover;
- document set / each distinct document once (target <= 1.2): ``render_documents(case)``
  (every applicable document, the packet included) against laying out and writing each
  distinct document (and the packet's list of enclosures) once on its own, the cover with its
  page count given. The packet numbers its pages across the packet ("Packet page 3 of 12")
  without laying a part out again: the numbers are laid out once on empty pages and drawn
  onto the parts' pages, the one cost the set has beyond each document once (laying each
  part out a second time, as issue 22 first did, measured 1.27-2.17). The CPU time ratio is
  printed beside it: other work on a shared machine moves it less than the wall time's.

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

from iopauth.caseformat.serialize import load_case
from iopauth.model import Case
from iopauth.rendering import (
    RenderOptions,
    applicable_documents,
    render,
    render_documents,
    render_html,
)
from iopauth.rendering import pdf as pdf_module
from iopauth.rendering.environment import environment, render_template
from iopauth.rendering.parts import packet_parts
from iopauth.rendering.pdf import layout
from iopauth.rendering.session import Session

_DEFAULT_CASE = (
    Path(__file__).resolve().parent.parent / "examples/cases/medicare-stepdown-depression.json"
)


def _timed(action: Callable[[], bytes]) -> tuple[float, bytes]:
    gc.collect()
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _cpu_timed(action: Callable[[], bytes]) -> tuple[float, float]:
    """Wall time and this process's CPU time of ``action``."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - cpu


def _distinct_once(case: Case) -> Callable[[], bytes]:
    """Lay out and write each distinct document of the set once, each on its own."""
    options = RenderOptions()
    names = [n for n in applicable_documents(case) if n != "packet"]
    names += [p for p in packet_parts(case, options) if p not in names]
    total = Session(case, None, options, ()).cover()[1]

    def action() -> bytes:
        session = Session(case, None, options, ())
        written = b""
        for name in names:
            if name == "fax-cover":
                context = session.context(name, inline_style=False, total_pages=total)
                env = environment(())
                html = render_template(env, "fax-cover.html.j2", context)
                css = render_template(env, "partials/style.css", context)
                laid_out = pdf_module.layout(html, options, (), css)
            else:
                laid_out = session.layout(name)
            written = pdf_module.write(laid_out, options, case.request.request_date)
        return written

    return action


def run(case: Case, rounds: int) -> dict[str, float]:
    """Medians, ratio quartiles and PDF sizes over ``rounds`` interleaved rounds."""
    html = render_html(case, "request-letter")

    def ours() -> bytes:
        return render(case, "request-letter")

    def baseline() -> bytes:
        pdf: bytes = weasyprint.HTML(string=html).write_pdf()
        return pdf

    options = RenderOptions()
    session = Session(case, None, options, ())
    name = "request-letter"
    context = session.context(name, inline_style=False)
    bare_html = render_template(environment(()), f"{name}.html.j2", context)
    css = render_template(environment(()), "partials/style.css", context)

    def layout_only() -> bytes:
        layout(bare_html, options, (), css)
        return b""

    def cover() -> bytes:
        return render(case, "fax-cover")

    def document_set() -> bytes:
        return b"".join(render_documents(case).values())

    distinct = _distinct_once(case)
    for action in (ours, baseline, layout_only, cover, document_set, distinct):  # warm-up
        action()
    our_times, base_times, layout_times, ratios, layout_ratios = [], [], [], [], []
    cover_ratios, set_ratios, set_cpu_ratios = [], [], []
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
        seconds, _ = _timed(cover)
        cover_ratios.append(seconds / our_times[-1])
        set_seconds, set_cpu = _cpu_timed(document_set)
        seconds, cpu = _cpu_timed(distinct)
        set_ratios.append(set_seconds / seconds)
        set_cpu_ratios.append(set_cpu / cpu)
    low, median, high = statistics.quantiles(ratios, n=4)
    cover_q = statistics.quantiles(cover_ratios, n=4)
    set_q = statistics.quantiles(set_ratios, n=4)
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
        "cover_ratio": cover_q[1],
        "cover_q1": cover_q[0],
        "cover_q3": cover_q[2],
        "set_ratio": set_q[1],
        "set_q1": set_q[0],
        "set_q3": set_q[2],
        "set_cpu_ratio": statistics.median(set_cpu_ratios),
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
    print(
        f"fax cover / request letter: median {result['cover_ratio']:.2f}, quartiles "
        f"{result['cover_q1']:.2f}-{result['cover_q3']:.2f}  (target <= 1.10)"
    )
    print(
        f"document set / each distinct document once: median {result['set_ratio']:.2f}, "
        f"quartiles {result['set_q1']:.2f}-{result['set_q3']:.2f}  (target <= 1.20); "
        f"in CPU time {result['set_cpu_ratio']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
