"""Many cases to many PDFs through any :class:`concurrent.futures.Executor`.

- :mod:`.run`: :func:`render_many`, the executor-facing API (jobs out, results in, resume);
- :mod:`._worker`: what runs in a worker: one case read, evaluated and rendered;
- :mod:`._report`: the batch's ``report.json`` and the records it holds.

This package imports the library (the case document, criteria, rendering, authorizations);
the ``iopauth batch`` and ``iopauth demo`` commands live in :mod:`iopauth.cli`. Names
load on first use, so a worker that imports :mod:`._worker` loads nothing else here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._support.lazy import exports

if TYPE_CHECKING:
    from ._report import REPORT_NAME, BatchReport, CaseResult, WrittenFile
    from .run import render_many

# public name -> module that defines it, imported when the name is first used
_LAZY = {
    "REPORT_NAME": "._report",
    "BatchReport": "._report",
    "CaseResult": "._report",
    "WrittenFile": "._report",
    "render_many": ".run",
}

__all__ = ["REPORT_NAME", "BatchReport", "CaseResult", "WrittenFile", "render_many"]

__getattr__, __dir__ = exports(__name__, _LAZY, globals(), __all__)
