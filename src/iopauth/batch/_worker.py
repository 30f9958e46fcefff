"""The worker side of :mod:`iopauth.batch`: one job renders one case's documents.

A job receives the case as JSON text (never a pickled object graph), so any executor can carry
it: a local process pool, threads, or a Dask cluster on other machines. Everything a worker
builds once — the font configuration, the ``@font-face`` and document style sheets, the Jinja
environment with its compiled templates, the compiled criteria sets, the ICD-10-CM index —
lives in per-process (per-thread for WeasyPrint's fonts) caches, so it stays warm between jobs.
:func:`warm` fills them up front; a job calls it too, for executors that take no initializer.

A job's result is plain JSON-compatible data. Error lines name field paths and rules, never
case data; an unexpected exception is reported by its type alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._support.files import write_atomically

__all__ = ["render_job", "warm"]

_warmed = False


def warm() -> None:
    """Build this process's caches: fonts, templates, criteria sets (idempotent).

    Warming only saves time: if any part fails here, the first job meets (and reports) the
    same failure, so a failing warm-up never breaks a worker pool.
    """
    global _warmed  # noqa: PLW0603  (a per-process flag is the point: warm once per worker)
    if _warmed:
        return
    _warmed = True
    try:
        from ..criteria import criteria_sets, get_criteria
        from ..rendering.environment import environment
        from ..rendering.pdf import _font_setup

        env = environment()
        for name in env.list_templates(extensions=["j2", "css"]):
            env.get_template(name)
        for name in criteria_sets():
            get_criteria(name)
        _font_setup()
    except Exception:  # noqa: S110  (see the docstring: the job reports the failure)
        pass


def pdf_name(name: str, document: str) -> str:
    """The file name of one document of the case named ``name``."""
    return f"{name}--{document}.pdf"


def render_job(
    name: str,
    text: str,
    documents: tuple[str, ...] | None,
    out_dir: str,
    authorization: str | None = None,
) -> dict[str, Any]:
    """Load the case in ``text``, render its documents into ``out_dir``; the report entry.

    ``authorization`` is the case's authorization as JSON text (``dump_authorization``),
    loaded here with ``load_authorization`` and passed to the letters; a record that cannot
    be read is reported like an invalid case, one that does not fit the case as a failure.

    ``documents`` ``None`` renders every document that applies to the case; a list renders
    those of its names that apply (the others are listed as skipped). Files are written aside
    and renamed, so ``out_dir`` never holds a partial PDF.
    """
    from ..caseformat.serialize import load_case
    from ..criteria import default_criteria, default_review, evaluate
    from ..errors import InvalidCaseError, IopAuthError
    from ..rendering import RenderOptions, summary_language
    from ..rendering.render import LETTERS, applicable_documents, is_draft, render_documents

    warm()
    entry: dict[str, Any] = {"status": "ok", "files": [], "skipped": [], "errors": []}
    try:
        case = load_case(text)
    except InvalidCaseError as exc:
        entry.update(status="invalid", errors=list(exc.errors))
        return entry
    except IopAuthError as exc:
        entry.update(status="invalid", errors=str(exc).splitlines())
        return entry
    entry["case_id"] = case.case_id
    records: dict[str, Any] = {}
    if authorization is not None:
        from ..authorization import load_authorization

        try:
            records["authorization"] = load_authorization(authorization)
        except IopAuthError as exc:
            lines = getattr(exc, "errors", None) or str(exc).splitlines()
            entry.update(status="invalid", errors=[f"authorization: {e}" for e in lines])
            return entry
    fitting = applicable_documents(case)
    chosen = fitting if documents is None else tuple(d for d in documents if d in fitting)
    entry["skipped"] = [] if documents is None else [d for d in documents if d not in fitting]
    try:
        determination = evaluate(case, criteria=default_criteria(case), review=default_review(case))
        entry["outcome"] = str(determination.outcome)
        entry["criteria_set"] = determination.criteria_set
        entry["criteria_version"] = determination.criteria_version
        entry["review"] = str(determination.review)
        entry["drafts"] = [d for d in chosen if d in LETTERS and is_draft(case, d, **records)]
        out = Path(out_dir)
        options = None
        spoken = summary_language(case) if "patient-summary" in chosen else None
        if spoken is not None and spoken.fallback is not None:
            # said in the report (and by the batch command), not as a worker's warning
            entry["notices"] = [spoken.fallback]
            options = RenderOptions(language="en")
        # each document laid out once: the packet and cover reuse the letters' pages
        rendered = render_documents(case, chosen, options=options, **records)
        entry["files"].extend(_write(out, name, rendered))
    except IopAuthError as exc:
        entry.update(status="failed", errors=str(exc).splitlines())
    except OSError as exc:  # a file iopauth names refused (a planted link) or the disk full
        where = Path(exc.filename).name if exc.filename else "output"
        entry.update(status="failed", errors=[f"cannot write {where}: {exc.strerror}"])
    except Exception as exc:  # one bad case never stops the batch; its type only: no case data
        entry.update(status="failed", errors=[f"unexpected error ({type(exc).__name__})"])
    return entry


def _write(out: Path, name: str, rendered: dict[str, bytes]) -> Iterator[dict[str, Any]]:
    """Write each document whole (never through a link planted at its name); its entry."""
    for document, data in rendered.items():
        target = out / pdf_name(name, document)
        write_atomically(target, data)
        yield {
            "document": document,
            "file": target.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
        }
