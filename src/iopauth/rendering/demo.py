"""Every document for every example case, written to a folder (``iopauth demo``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .._support.files import write_output
from .._support.resources import examples_dir
from ..errors import IopAuthError
from .options import RenderOptions
from .parts import LETTERS, applicable_documents
from .render import is_draft, render_documents


def _case_files(cases: Iterable[str | Path] | None) -> list[Path]:
    if cases is not None:
        return [Path(c) for c in cases]
    folder = examples_dir()
    if folder is None:
        raise IopAuthError("the example cases are not part of this installation")
    return sorted(folder.glob("*.json"))


def demo_lines(
    out_dir: str | Path,
    cases: Iterable[str | Path] | None = None,
    options: RenderOptions | None = None,
    on_replace: Callable[[Path], None] | None = None,
) -> Iterator[tuple[str, Path | None]]:
    """Write each case's documents into ``out_dir``, yielding a report line per case (with
    ``None``) and then each path written (with that path).

    The case line gives the criteria outcome and says when its letters are marked DRAFT;
    ``on_replace`` is called with each existing file before it is replaced.
    """
    from ..caseformat.serialize import load_case
    from ..criteria import default_criteria, default_review, evaluate
    from .labels import label

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    options = options or RenderOptions()
    for path in _case_files(cases):
        case = load_case(path)
        determination = evaluate(
            case,
            criteria=default_criteria(case),
            review=default_review(case),
            as_of=options.document_date or case.request.request_date,
        )
        names = applicable_documents(case)
        drafts = [d for d in names if d in LETTERS and is_draft(case, d, None, options)]
        line = (
            f"{path.stem}: {label(determination.outcome).lower()} "
            f"({determination.criteria_set} {determination.criteria_version}, "
            f"{label(determination.review)} review)"
        )
        if drafts:
            line += f"; marked DRAFT: {', '.join(drafts)} (and the packet and cover)"
        yield line, None
        for document, data in render_documents(case, names, options=options).items():
            target = out / f"{path.stem}--{document}.pdf"
            write_output(target, data, on_replace=on_replace)
            yield str(target), target


def write_demo(
    out_dir: str | Path,
    cases: Iterable[str | Path] | None = None,
    options: RenderOptions | None = None,
    on_replace: Callable[[Path], None] | None = None,
) -> tuple[Path, ...]:
    """Render each document for each case file into ``out_dir``; return the paths written.

    ``cases`` defaults to the example cases shipped with iopauth. Files are named
    ``<case file stem>--<document>.pdf`` and written in a stable order; each case's documents
    are laid out once, the packet and cover reusing the letters' pages. ``on_replace`` is
    called with each existing file before it is replaced.
    """
    lines = demo_lines(out_dir, cases, options, on_replace)
    return tuple(p for _, p in lines if p is not None)
