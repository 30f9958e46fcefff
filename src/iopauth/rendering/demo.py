"""Every document for every example case, written to a folder (``iopauth demo``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from .._files import write_output
from .._resources import examples_dir
from ..errors import IopAuthError
from .options import RenderOptions
from .render import applicable_documents, render


def write_demo(
    out_dir: str | Path,
    cases: Iterable[str | Path] | None = None,
    options: RenderOptions | None = None,
    on_replace: Callable[[Path], None] | None = None,
) -> tuple[Path, ...]:
    """Render each document for each case file into ``out_dir``; return the paths written.

    ``cases`` defaults to the example cases shipped with iopauth. Files are named
    ``<case file stem>--<document>.pdf`` and written in a stable order; ``on_replace`` is
    called with each existing file before it is replaced.
    """
    from ..serialize import load_case

    if cases is None:
        folder = examples_dir()
        if folder is None:
            raise IopAuthError("the example cases are not part of this installation")
        cases = sorted(folder.glob("*.json"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for source in cases:
        path = Path(source)
        case = load_case(path)
        for document in applicable_documents(case):
            target = out / f"{path.stem}--{document}.pdf"
            write_output(target, render(case, document, options=options), on_replace=on_replace)
            written.append(target)
    return tuple(written)
