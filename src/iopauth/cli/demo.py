"""``iopauth demo``: every document of the bundled example cases, through the batch path.

The example cases ship with iopauth (see :func:`iopauth._support.resources.examples_dir`);
each is evaluated and rendered by :func:`iopauth.batch.render_many`, with the progress of
``iopauth batch``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from ..errors import IopAuthError
from .batch import progress

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add ``demo`` to the main parser's subcommands."""
    demo = sub.add_parser("demo", help="write the documents of the bundled example cases")
    demo.add_argument(
        "-o", "--output", default="iopauth-demo", help="folder to write (default: %(default)s)"
    )
    demo.add_argument("--force", action="store_true", help="replace files without a notice")


def run(args: argparse.Namespace, out: TextIO, stdin: TextIO | None) -> int:
    """``iopauth demo``: every document of the example cases, through the batch path.

    One line per case (outcome, criteria set and version, review, letters marked DRAFT), then
    the path of each file written, in the cases' name order as they finish; a progress bar on
    a terminal. An existing file about to be replaced is named on stderr unless ``--force``.
    """
    from .._support.resources import examples_dir
    from ..batch.run import default_workers, render_many

    del stdin
    err: TextIO = getattr(args, "stderr", None) or sys.stderr
    folder = examples_dir()
    if folder is None:
        raise IopAuthError("the example cases are not part of this installation")
    files = sorted(folder.glob("*.json"))
    target = Path(args.output)
    if not args.force:
        for path in sorted(target.glob("*--*.pdf")) if target.is_dir() else ():
            if path.name.split("--", 1)[0] in {f.stem for f in files}:
                print(f"iopauth: replacing the existing file {path}", file=err)
    ready: dict[int, Any] = {}
    order = {f.stem: i for i, f in enumerate(files)}
    shown = [0]
    tick, close = progress(len(files), None, err)

    def show(case: Any) -> None:
        tick(case)
        ready[order.get(case.name, len(order))] = case
        while shown[0] in ready:
            for line in _demo_lines(ready.pop(shown[0]), target, err):
                print(line, file=out, flush=True)
            shown[0] += 1

    try:
        report = render_many(
            files, target, workers=min(default_workers(), len(files)), progress=show
        )
    finally:
        close()
    return 1 if report.failed else 0


def _demo_lines(case: Any, target: Path, err: TextIO) -> list[str]:
    from ..criteria.result import Outcome, Review
    from ..rendering.labels import label

    if not case.ok:
        for line in case.errors:
            print(f"iopauth: {case.source}: {line}", file=err)
        return []
    line = (
        f"{case.name}: {label(Outcome(case.outcome)).lower()} "
        f"({case.criteria_set} {case.criteria_version}, {label(Review(case.review))} review)"
    )
    if case.drafts:
        line += f"; marked DRAFT: {', '.join(case.drafts)} (and the packet and cover)"
    return [line, *(str(target / f.file) for f in case.files)]
