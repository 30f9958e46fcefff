"""``iopauth batch``: render many cases' documents with every core, then summarize.

Exit codes: 0 every case written, 1 the batch ran and at least one case was invalid or failed
(each listed on stderr with its error lines), 2 bad usage (no case files, unknown document).
On a terminal a progress bar (tqdm) runs on stderr; otherwise one plain line per case.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..errors import IopAuthError

__all__ = ["add_parser", "case_files", "progress", "run", "run_command", "summary_lines"]


def add_parser(sub: Any) -> None:
    """Register ``batch`` on the main parser's subcommands."""
    batch = sub.add_parser("batch", help="render the documents of many cases, on every core")
    batch.add_argument("cases", nargs="+", metavar="DIR|FILE", help="case files or folders")
    batch.add_argument("-o", "--output", required=True, help="folder for the PDFs and report")
    batch.add_argument("--workers", type=int, help="worker processes (default: the CPUs)")
    batch.add_argument(
        "--documents",
        help="comma-separated documents to write where they apply (default: all that apply)",
    )
    batch.add_argument(
        "--resume", action="store_true", help="skip cases already written per the report"
    )
    batch.add_argument(
        "--db",
        metavar="FILE",
        help="authorization store: each case's letters read its authorization (by case id)",
    )


def run_command(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    """The ``batch`` handler in the main CLI's shape (its stderr is ``args.stderr``)."""
    del stdin  # batch reads files only
    err: TextIO = getattr(args, "stderr", None) or sys.stderr
    return run(args, out, err)


def case_files(arguments: Sequence[str]) -> list[Path]:
    """The case files named: a folder gives its ``*.json`` files in name order."""
    files: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.json") if p.is_file()))
        else:
            files.append(path)
    return files


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``iopauth batch``; the exit code."""
    from ..batch.run import default_workers, render_many

    files = case_files(args.cases)
    if not files:
        raise IopAuthError("no case files (*.json) found in " + ", ".join(args.cases))
    if args.workers is not None and args.workers < 1:
        raise IopAuthError("--workers must be at least 1")
    documents = None
    if args.documents:
        documents = tuple(d.strip() for d in args.documents.split(",") if d.strip())
    workers = args.workers or min(default_workers(), len(files))
    authorizations = None
    if getattr(args, "db", None) is not None:
        from ..authorization import AuthorizationStore

        with AuthorizationStore(args.db, create=False) as store:  # never creates a store
            authorizations = store.all()
            for case_id in store.skipped:
                err.write(f"iopauth: the record of case {case_id} is damaged; skipped\n")
    start = time.perf_counter()
    tick, close = progress(len(files), out, err)
    try:
        report = render_many(
            files,
            args.output,
            documents=documents,
            workers=workers,
            resume=args.resume,
            progress=tick,
            authorizations=authorizations,
        )
    except ValueError as exc:  # an unknown document name
        raise IopAuthError(str(exc)) from None
    finally:
        close()
    for case in report.failed:
        for line in case.errors:
            print(f"iopauth: {case.source}: {line}", file=err)
    for case in report.cases:
        for line in case.notices:
            print(f"iopauth: {case.source}: {line}", file=err)
    for line in summary_lines(report, workers, time.perf_counter() - start):
        print(line, file=out)
    return 1 if report.failed else 0


def summary_lines(report: Any, workers: int, seconds: float) -> list[str]:
    """The closing summary: cases, documents, outcomes by kind, failures, time."""
    resumed = sum(1 for c in report.cases if c.resumed)
    written = sum(len(c.files) for c in report.cases if not c.resumed)
    outcomes = ", ".join(f"{k} {v}" for k, v in report.outcomes().items()) or "none"
    lines = [
        f"cases: {len(report.cases)} ({resumed} already done)" if resumed else
        f"cases: {len(report.cases)}",
        f"documents written: {written}",
        f"outcomes: {outcomes}",
        f"failed: {len(report.failed)}",
        f"time: {seconds:.1f} s with {workers} worker{'s' if workers != 1 else ''}",
        f"report: {report.report_path}",
    ]  # fmt: skip
    return lines


def progress(
    total: int, out: TextIO | None, err: TextIO
) -> tuple[Callable[[Any], None], Callable[[], None]]:
    """A per-case callback and a closer: a tqdm bar on a terminal, plain lines on ``out``
    otherwise (none when ``out`` is ``None``)."""
    if err.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, file=err, unit="case", dynamic_ncols=True)

        failed = [0]

        def tick_bar(case: Any) -> None:
            if not case.ok:
                failed[0] += 1
                bar.set_postfix(failed=failed[0], refresh=False)
            bar.update(1)

        return tick_bar, bar.close
    done = [0]

    def line(case: Any) -> None:
        done[0] += 1
        if out is None:
            return
        if case.resumed:
            state = "already done"
        elif case.ok:
            count = len(case.files)
            state = f"{case.outcome}, {count} document{'s' if count != 1 else ''}"
        else:
            state = case.status
        print(f"[{done[0]}/{total}] {case.name}: {state}", file=out, flush=True)

    return line, lambda: None
