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

    One line per case (outcome, criteria set and version, the review and the kind of request,
    letters marked DRAFT), a line saying what to send the payer, then the path of each file
    written, in the cases' name order as they finish; last, where ``report.json`` is. A
    progress bar on a terminal. When files of earlier runs are replaced, one line on stderr
    says how many (none with ``--force``).
    """
    from .._support.resources import examples_dir
    from ..batch.run import default_workers, render_many
    from ..caseformat.serialize import load_case

    del stdin
    err: TextIO = getattr(args, "stderr", None) or sys.stderr
    folder = examples_dir()
    if folder is None:
        raise IopAuthError("the example cases are not part of this installation")
    files = sorted(folder.glob("*.json"))
    target = Path(args.output)
    if not args.force:
        stems = {f.stem for f in files}
        earlier = [
            p
            for p in (sorted(target.glob("*--*.pdf")) if target.is_dir() else ())
            if p.name.split("--", 1)[0] in stems
        ]
        if earlier:
            many = "s" if len(earlier) != 1 else ""
            print(
                f"iopauth: replacing {len(earlier)} file{many} of an earlier run in {target}",
                file=err,
            )
    kinds = {f.stem: load_case(f) for f in files}
    ready: dict[int, Any] = {}
    order = {f.stem: i for i, f in enumerate(files)}
    shown = [0]
    tick, close = progress(len(files), None, err)

    def show(case: Any) -> None:
        tick(case)
        ready[order.get(case.name, len(order))] = case
        while shown[0] in ready:
            for line in _demo_lines(ready.pop(shown[0]), target, err, kinds):
                print(line, file=out, flush=True)
            shown[0] += 1

    try:
        report = render_many(
            files, target, workers=min(default_workers(), len(files)), progress=show
        )
    finally:
        close()
    print(f"report: {target / 'report.json'} (every case, its files and their SHA-256)", file=out)
    return 1 if report.failed else 0


# What each kind of request is, as the demo names it beside the review the criteria ran.
_REQUESTS = {
    "initial": "initial request",
    "concurrent": "continued-stay request",
    "extension": "extension request",
    "appeal": "appeal of a denial",
}
# The packet's parts by name, as a person sending it reads them.
_PARTS = {
    "request-letter": "the request letter",
    "enclosures": "the list of enclosures",
    "concurrent-review": "the concurrent review",
    "appeal-letter": "the appeal letter",
    "original-request": "the original request",
    "payer-form": "the payer's form",
}


def _demo_lines(case: Any, target: Path, err: TextIO, cases: dict[str, Any]) -> list[str]:
    from ..criteria.result import Outcome, Review
    from ..rendering import packet_parts
    from ..rendering.labels import label

    if not case.ok:
        for line in case.errors:
            print(f"iopauth: {case.source}: {line}", file=err)
        return []
    model = cases.get(case.name)
    request = "" if model is None else f"{_REQUESTS[model.request.kind.value]}: "
    line = (
        f"{case.name}: {request}{label(Outcome(case.outcome)).lower()} "
        f"({case.criteria_set} {case.criteria_version}, {label(Review(case.review))} review)"
    )
    if case.drafts:
        line += f"; marked DRAFT: {', '.join(case.drafts)} (and the packet and cover)"
    lines = [line]
    if model is not None:
        parts = ", ".join(_PARTS.get(p, p) for p in packet_parts(model))
        send = f"  send: the packet (the fax cover, {parts})"
        written = {f.document for f in case.files}
        continuing = model.request.kind.value in ("concurrent", "extension")
        if continuing and "request-letter" in written:
            send += (
                "; not the request letter, which is for a payer that asks for a letter of "
                "medical necessity instead of a concurrent review"
            )
        lines.append(send)
    return [*lines, *(str(target / f.file) for f in case.files)]
