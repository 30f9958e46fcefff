"""Every speed and memory target of issue 14, measured side by side; a table and results.json.

    .venv/bin/python benchmarks/run_all.py [--only NAME ...] [--batch-letters 200]
        [--memory-letters 300] [--rounds 7] [--seconds 2] [--json benchmarks/results.json]

Each figure is a ratio against a baseline measured in the same run, or a rate with its target.
The machine may be shared: each step's CPU time ÷ wall time is printed (a one-process step on a
free core gives about 1.0; much less means other load squeezed it and its figures are slow by
that much), the batch rows give it per run (2 workers on 2 free cores: about 2.0), and the load
average before the run is recorded. The default run takes about
three minutes on two cores; ``--memory-letters 1000`` measures the full memory target.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import gc
import json
import logging
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_memory  # noqa: E402  (the benchmarks folder is not a package)
from _cases import EXAMPLES, variants  # noqa: E402
from bench_serialize import _import_ms, _plain_converter, _rates  # noqa: E402

from iopauth import Case, dump_case, load_case  # noqa: E402

Row = dict[str, Any]


def round_trip(seconds: float) -> Row:
    """``load_case(dump_case(c))`` against an unchecked cattrs round trip of the same cases.

    Both are timed in CPU time, in turns (best of 10 rounds each): on a shared machine wall
    time counts the moments another process had the core, which fall on either side by chance
    (rates in wall time are in the detail, for comparison).
    """
    cases = [load_case(p) for p in sorted(EXAMPLES.glob("*.json"))]
    plain = _plain_converter()

    def ours() -> None:
        for case in cases:
            load_case(dump_case(case))

    def unchecked() -> None:
        for case in cases:
            plain.structure(plain.unstructure(case), Case)

    ours_cpu, plain_cpu = _rates([ours, unchecked], len(cases), seconds, clock=time.process_time)
    ours_wall, plain_wall = _rates([ours, unchecked], len(cases), seconds / 2)
    return {
        "name": "case round trip",
        "value": plain_cpu / ours_cpu,
        "unit": "x unchecked cattrs",
        "target": 1.5,
        "met": plain_cpu / ours_cpu <= 1.5,
        "detail": f"{ours_cpu:,.0f} vs {plain_cpu:,.0f} cases per CPU second; in wall time "
        f"{ours_wall:,.0f} vs {plain_wall:,.0f} cases/s ({plain_wall / ours_wall:.2f}x)",
    }


def _subsetting_backend() -> str:
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0):
        return "HarfBuzz-Subset"
    return "fontTools"


def request_letter(rounds: int) -> list[Row]:
    """``render`` against WeasyPrint laying out, drawing and writing the same HTML, style sheet
    and fonts (iopauth's own overhead), and against a naive ``write_pdf`` of the HTML."""
    import weasyprint

    from iopauth._support.resources import templates_dir
    from iopauth.rendering import RenderOptions, render, render_html
    from iopauth.rendering.environment import environment, render_template
    from iopauth.rendering.pdf import AssetFetcher, _font_setup, _style
    from iopauth.rendering.session import Session

    case = load_case(EXAMPLES / "medicare-stepdown-depression.json")
    options = RenderOptions()
    context = Session(case, None, options, ()).context("request-letter", inline_style=False)
    bare_html = render_template(environment(()), "request-letter.html.j2", context)
    css = render_template(environment(()), "partials/style.css", context)
    html = render_html(case, "request-letter")
    base_url = templates_dir().as_uri() + "/"

    def ours() -> object:
        return render(case, "request-letter")

    def same() -> object:
        config, fonts = _font_setup()
        document = weasyprint.HTML(
            string=bare_html, base_url=base_url, url_fetcher=AssetFetcher()
        ).render(stylesheets=[fonts, _style(css, config)], font_config=config)
        return document.write_pdf(full_fonts=True)

    def naive() -> object:
        return weasyprint.HTML(string=html).write_pdf()

    def own_steps() -> object:
        # what render does that the baseline does not: context, both templates (the layout,
        # drawing and writing are the baseline's own calls; the /ID step is a hash of bytes)
        session = Session(case, None, options, ())
        part = session.context("request-letter", inline_style=False)
        env = environment(())
        return (
            render_template(env, "request-letter.html.j2", part),
            render_template(env, "partials/style.css", part),
        )

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # fontTools fallback notice
    works = [ours, same, naive, own_steps]
    for work in works:
        work()
    times: list[list[float]] = [[] for _ in works]
    for _ in range(rounds):
        for i, work in enumerate(works):
            # A full collection costs 30-200 ms on this heap (WeasyPrint's boxes, fonts and
            # caches) and lands on whichever call crosses the threshold, often one that did
            # not make the garbage; collecting before every call (untimed) charges each call
            # only the collections its own allocations trigger.
            gc.collect()
            start = time.perf_counter()
            work()
            times[i].append(time.perf_counter() - start)
    ratio_same = statistics.median(o / s for o, s in zip(times[0], times[1], strict=True))
    ratio_naive = statistics.median(o / n for o, n in zip(times[0], times[2], strict=True))
    own = statistics.median(o / s for o, s in zip(times[3], times[1], strict=True))
    ms = [statistics.median(t) * 1000 for t in times]
    return [
        {
            "name": "request letter",
            "value": ratio_same,
            "unit": "x WeasyPrint, same HTML+CSS+fonts",
            "target": 1.10,
            "met": ratio_same <= 1.10,
            "detail": f"{ms[0]:.0f} vs {ms[1]:.0f} ms (median of {rounds} pairs, collected "
            f"before each call); iopauth's own steps (context, templates) {own:.3f}x",
            "own_steps": own,
        },
        {
            "name": "request letter, naive",
            "value": ratio_naive,
            "unit": "x naive write_pdf",
            "target": None,
            "met": None,
            "detail": f"{ms[2]:.0f} ms naive; subsetting backend {_subsetting_backend()}",
        },
    ]


def _batch_once(cases: list[dict[str, Any]], workers: int) -> dict[str, float]:
    """One timed batch. The pool is forked from this process (the default pool's workers are
    children of the forkserver, invisible to ``RUSAGE_CHILDREN``) so their CPU time counts."""
    from iopauth.batch import render_many
    from iopauth.batch._worker import warm

    # What earlier steps left on this process's heap (laid-out letters, cases) is frozen out of
    # the collector first: otherwise every full collection in this parent, which collects the
    # workers' results while they run, rescans it, and the forked workers copy the pages its
    # reference counts touch. `iopauth batch` starts its workers from a clean forkserver.
    gc.collect()
    gc.freeze()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            context = multiprocessing.get_context("fork")
            with cf.ProcessPoolExecutor(workers, mp_context=context, initializer=warm) as pool:
                report = render_many(cases, out, documents=("request-letter",), executor=pool)
            wall = time.perf_counter() - start
    finally:
        gc.unfreeze()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if report.failed:
        raise SystemExit(f"the batch benchmark failed: {report.failed[0].errors}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"rate": len(cases) / wall, "wall": wall, "cpu_per_wall": cpu / wall}


def _spin(seconds: float) -> int:
    """Busy-loop for ``seconds`` of this process's CPU time."""
    start, count = time.process_time(), 0
    while time.process_time() - start < seconds:
        count += 1
    return count


def _capacity() -> float:
    """CPU ÷ wall of two processes that only spin: what two workers could get right now."""
    before, start = _cpu(), time.perf_counter()
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(_spin, [1.0, 1.0, 1.0, 1.0]))
    return (_cpu() - before) / (time.perf_counter() - start)


def batch(letters: int) -> list[Row]:
    """Letters per second with 2 worker processes against 1, pool start-up included."""
    cases = variants(letters)
    capacity = _capacity()
    one = _batch_once(cases, 1)
    two = _batch_once(cases, 2)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    speedup = two["rate"] / one["rate"]
    return [
        {
            "name": "batch 2 workers / 1",
            "value": speedup,
            "unit": "x letters/s",
            "target": 1.8,
            "met": speedup >= 1.8,
            "detail": (
                f"{letters} letters: {one['rate']:.1f} vs {two['rate']:.1f}/s; CPU/wall "
                f"{one['cpu_per_wall']:.2f} (1 worker), {two['cpu_per_wall']:.2f} (2 workers); "
                f"two spinning processes got {capacity:.2f} CPUs just before"
            ),
            "cpu_per_wall": [one["cpu_per_wall"], two["cpu_per_wall"]],
            "spin_capacity": capacity,
        },
        {
            "name": "peak RSS per worker",
            "value": peak,
            "unit": "MB",
            "target": None,
            "met": None,
            "detail": "largest worker of the batch runs",
        },
    ]


def _process_ms(command: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def cold_start() -> list[Row]:
    """``import iopauth`` above a bare interpreter; ``iopauth check`` as a whole process."""
    iopauth_ms = _import_ms("import iopauth")
    python_ms = _import_ms("import json")
    example = str(EXAMPLES / "medicare-stepdown-depression.json")
    check_ms = _process_ms([sys.executable, "-m", "iopauth", "check", example])
    return [
        {
            "name": "import iopauth",
            "value": iopauth_ms - python_ms,
            "unit": "ms",
            "target": 150,
            "met": iopauth_ms - python_ms <= 150,
            "detail": f"{iopauth_ms:.0f} ms vs {python_ms:.0f} ms bare interpreter",
        },
        {
            "name": "iopauth check process",
            "value": check_ms / 1000,
            "unit": "s",
            "target": 0.5,
            "met": check_ms <= 500,
            "detail": "python -m iopauth check <example>, median of 5",
        },
    ]


def evaluations(seconds: float) -> Row:
    """Evaluations per second of cases seen once (facts and findings caches cleared)."""
    from bench_criteria import run

    rate = run(seconds, cold=True)
    return {
        "name": "evaluations, case seen once",
        "value": rate,
        "unit": "/s",
        "target": 3000,
        "met": rate >= 3000,
        "detail": "caches cleared before every evaluation",
    }


def memory(letters: int) -> Row:
    """Resident memory growth of one worker over ``letters`` letters after the first 50."""
    result = bench_memory.run(letters, 50)
    return {
        "name": "memory growth, one worker",
        "value": result["growth_mb"],
        "unit": "MB",
        "target": 30,
        "met": result["growth_mb"] <= 30,
        "detail": f"{letters} letters, {result['rss_after_warmup_mb']} -> "
        f"{result['rss_final_mb']} MB after the first 50",
    }


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children so far."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _table(rows: list[Row]) -> str:
    lines = [f"{'target':30} {'measured':>10}  {'goal':>7}  met  cpu/wall  detail"]
    for row in rows:
        goal = "" if row["target"] is None else f"{row['target']:g}"
        met = {True: "yes", False: "NO", None: ""}[row["met"]]
        value = f"{row['value']:,.2f}"
        lines.append(
            f"{row['name']:30} {value:>10}  {goal:>7}  {met:3}  "
            f"{row['step_cpu_per_wall']:8.2f}  {row['unit']}; {row['detail']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; print the table; write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    choices = ("round-trip", "letter", "batch", "cold-start", "evaluations", "memory")
    parser.add_argument("--only", nargs="+", choices=choices, default=list(choices))
    parser.add_argument("--batch-letters", type=int, default=200)
    parser.add_argument("--memory-letters", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    steps: dict[str, Callable[[], Row | list[Row]]] = {
        "round-trip": lambda: round_trip(args.seconds),
        "letter": lambda: request_letter(args.rounds),
        "batch": lambda: batch(args.batch_letters),
        "cold-start": cold_start,
        "evaluations": lambda: evaluations(args.seconds),
        "memory": lambda: memory(args.memory_letters),
    }
    load = os.getloadavg()
    rows: list[Row] = []
    started = time.perf_counter()
    for name in args.only:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        wall, cpu = time.perf_counter(), _cpu()
        result = steps[name]()
        share = (_cpu() - cpu) / (time.perf_counter() - wall)
        for row in result if isinstance(result, list) else [result]:
            row["step_cpu_per_wall"] = round(share, 2)
            rows.append(row)
    print(_table(rows))
    summary = {
        "load_average_before": load,
        "cpus": os.cpu_count(),
        "seconds": round(time.perf_counter() - started, 1),
        "results": rows,
    }
    args.json.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"load average before: {load[0]:.1f}; {summary['seconds']} s; wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
