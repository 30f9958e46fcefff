"""Many cases to many PDFs through any :class:`concurrent.futures.Executor`.

:func:`render_many` sends each case to a worker as JSON text, so the executor may be the
default local process pool, a thread pool, or a Dask distributed client's executor
(``client.get_executor()``) reaching other machines — the workers then need ``out_dir`` on a
shared file system, because they write the files themselves.

Guarantees: one bad case never stops the batch (it is reported with its error lines); every
PDF appears whole or not at all (written aside, then renamed); ``out_dir/report.json`` lists
every case — its files with their SHA-256, the determination outcome, or its error lines — and
is rewritten (atomically) as cases finish, so a batch killed at any moment can be resumed:
``resume=True`` skips exactly the cases whose report entry is ``ok`` for the same input and
documents and whose files are all present with the reported SHA-256.

``authorizations`` gives each case its payer record (matched by case id), so its concurrent
review states the authorized period, units and attendance and its appeal quotes the denial in
the record's reviews. A record crosses to the worker as JSON (``dump_authorization``), like
the case, and is loaded there with ``load_authorization``; it is part of the case's input
digest, so a changed record renders the case again on ``resume``.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from .._support.files import write_atomically
from ..model import Case
from ._orphans import start_worker
from ._report import (
    REPORT_NAME,
    BatchReport,
    CaseResult,
    WrittenFile,
    complete,
    read_report,
    remove_stale_parts,
    report_json,
)
from ._worker import render_job

if TYPE_CHECKING:
    from ..authorization import Authorization

__all__ = ["REPORT_NAME", "BatchReport", "CaseResult", "WrittenFile", "render_many"]

# Seconds between report rewrites while a batch runs: at least this, and at least 20 times as
# long as the last rewrite took (a report of many thousand cases costs at most 5% of the time).
_REPORT_EVERY = 1.0
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@frozen
class _Job:
    index: int
    name: str
    source: str
    text: str
    digest: str
    tries: int = 0
    authorization: str | None = None


def render_many(
    cases: Iterable[str | os.PathLike[str] | Mapping[str, Any] | Case],
    out_dir: str | os.PathLike[str],
    *,
    documents: Sequence[str] | None = None,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: Callable[[CaseResult], None] | None = None,
    authorizations: Iterable[Authorization] | None = None,
) -> BatchReport:
    """Render the documents of every case into ``out_dir``; the report of every case.

    ``cases`` are case files (paths), case documents (dicts) or :class:`Case` objects.
    ``documents`` names the documents to write where they apply to a case (default: every
    document that applies). ``executor`` is any :class:`concurrent.futures.Executor`;
    without one, a process pool of ``workers`` processes (default: the CPUs this process may
    use) is started, its workers warmed once, and shut down at the end. ``progress`` is called
    in this process as each case finishes. ``authorizations`` are the payer's records, each
    used for the case with its ``case_id`` (see :func:`iopauth.render`'s ``authorization``);
    a record that does not fit its case fails that case only. A case that cannot be read, is
    invalid or fails to render is reported and the batch goes on; an error in ``documents``
    or ``out_dir`` raises.
    """
    from ..rendering import documents as known_documents

    chosen = None if documents is None else tuple(dict.fromkeys(documents))
    unknown = [d for d in chosen or () if d not in known_documents()]
    if unknown:
        names = ", ".join(known_documents())
        raise ValueError(f"unknown document {unknown[0]!r}; choose among {names}")
    start = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(out)
    report_path = out / REPORT_NAME
    previous = read_report(report_path, chosen) if resume else {}
    results: dict[int, CaseResult] = {}
    jobs: list[_Job] = []
    for index, job in _prepare(cases, _records(authorizations)):
        if isinstance(job, CaseResult):
            results[index] = job
            _notify(progress, job)
            continue
        done = previous.get(job.name)
        if done is not None and complete(done, job.digest, out):
            results[job.index] = CaseResult.from_json(done.to_json(), resumed=True)
            _notify(progress, results[job.index])
        else:
            jobs.append(job)

    def save(final: bool = False, seconds: float | None = None) -> None:
        entries = [results[i] for i in sorted(results)]
        took = time.perf_counter() - start if seconds is None else seconds
        text = json.dumps(report_json(entries, chosen, took, done=final), indent=2)
        write_atomically(report_path, text.encode("utf-8") + b"\n")

    pools: list[cf.Executor] = [] if executor is None else [executor]
    try:
        _run(
            jobs,
            pools,
            own=executor is None,
            workers=workers,
            chosen=chosen,
            out=out,
            results=results,
            progress=progress,
            save=save,
        )
    finally:
        if executor is None:
            for pool in pools:
                pool.shutdown(wait=True, cancel_futures=True)
    seconds = time.perf_counter() - start
    save(final=True, seconds=seconds)
    return BatchReport(
        cases=tuple(results[i] for i in sorted(results)),
        documents=chosen,
        seconds=seconds,
        report_path=report_path,
    )


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _process_pool(workers: int | None) -> cf.ProcessPoolExecutor:
    count = workers or default_workers()
    # forkserver (spawn where there is none): a fork of a process holding WeasyPrint's and
    # the caller's threads may deadlock
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    # each worker exits when this process dies, even by kill -9 (see _orphans)
    return cf.ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context(method),
        initializer=start_worker,
        initargs=(os.getpid(),),
    )


def _run(
    jobs: list[_Job],
    pools: list[cf.Executor],
    *,
    own: bool,
    workers: int | None,
    chosen: tuple[str, ...] | None,
    out: Path,
    results: dict[int, CaseResult],
    progress: Callable[[CaseResult], None] | None,
    save: Callable[[], None],
) -> None:
    """Submit ``jobs`` a window at a time; collect results; replace a broken own pool.

    ``pools`` holds the caller's executor, or receives each pool started here (to shut down).
    """
    if not jobs:
        return
    if own:
        pools.append(_process_pool(workers))
    pool = pools[-1]
    window = 4 * (workers or default_workers())
    queue = list(reversed(jobs))
    running: dict[cf.Future[dict[str, Any]], _Job] = {}
    last_save, interval = time.monotonic(), _REPORT_EVERY
    while queue or running:
        while queue and len(running) < window:
            job = queue.pop()
            # the record only when there is one: a job without stays four strings
            extra = () if job.authorization is None else (job.authorization,)
            future = pool.submit(render_job, job.name, job.text, chosen, str(out), *extra)
            running[future] = job
        finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
        for future in finished:
            job = running.pop(future)
            try:
                entry = future.result()
            except BrokenProcessPool:
                # a worker died (killed, out of memory); retry its cases once on a new pool
                if own and job.tries == 0:
                    queue.append(attrs.evolve(job, tries=1))
                    continue
                entry = {"status": "failed", "errors": ["the worker process died"]}
            except Exception as exc:  # an executor's own failure, by type only
                entry = {"status": "failed", "errors": [f"worker error ({type(exc).__name__})"]}
            result = _result(job, entry)
            results[job.index] = result
            _notify(progress, result)
        if own and isinstance(pool, cf.ProcessPoolExecutor) and _broken(pool):
            for job in running.values():
                queue.append(attrs.evolve(job, tries=1))
            running.clear()
            pool.shutdown(wait=False, cancel_futures=True)
            pool = _process_pool(workers)
            pools.append(pool)
        if time.monotonic() - last_save >= interval:
            began = time.monotonic()
            save()
            last_save = time.monotonic()
            interval = max(_REPORT_EVERY, 20 * (last_save - began))


def _broken(pool: cf.ProcessPoolExecutor) -> bool:
    return bool(getattr(pool, "_broken", False))


def _notify(progress: Callable[[CaseResult], None] | None, result: CaseResult) -> None:
    if progress is not None:
        progress(result)


def _result(job: _Job, entry: Mapping[str, Any]) -> CaseResult:
    return CaseResult.from_json(
        {**entry, "name": job.name, "source": job.source, "input_sha256": job.digest}
    )


def _records(authorizations: Iterable[Authorization] | None) -> dict[str, str]:
    """Each authorization as JSON text by its case id (the last one given for a case wins)."""
    if authorizations is None:
        return {}
    from ..authorization import dump_authorization

    return {a.case_id: json.dumps(dump_authorization(a), sort_keys=True) for a in authorizations}


def _case_id(text: str) -> str | None:
    """The ``case_id`` of a case document's JSON text, or ``None`` (the worker reports why)."""
    from ..caseformat._reading import parse_json
    from ..errors import InvalidCaseError

    try:
        data = parse_json(text)
    except InvalidCaseError:
        return None
    value = data.get("case_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _prepare(
    cases: Iterable[str | os.PathLike[str] | Mapping[str, Any] | Case],
    records: Mapping[str, str],
) -> Iterable[tuple[int, _Job | CaseResult]]:
    """Each case as JSON text with a unique file-name prefix (and its authorization's JSON
    text, when one is given for its case id); an unreadable file's result."""
    from ..caseformat._reading import read_document
    from ..caseformat.serialize import dump_case
    from ..errors import InvalidCaseError

    taken: set[str] = set()
    for index, case in enumerate(cases):
        if isinstance(case, Case):
            source, text, base = f"<Case #{index}>", json.dumps(dump_case(case)), case.case_id
        elif isinstance(case, Mapping):
            source, base = f"<dict #{index}>", str(case.get("case_id") or f"case-{index}")
            try:
                text = json.dumps(case)
            except (TypeError, ValueError) as exc:
                yield index, _unreadable(source, base, taken, f"$: not JSON data ({exc})")
                continue
        else:
            path = Path(case)
            source, base = str(case), path.stem
            try:  # the one bounded reader: a 1 GB file is refused unread, not loaded
                text = read_document(path).decode("utf-8")
            except InvalidCaseError as exc:
                yield index, _unreadable(source, base, taken, exc.errors[0])
                continue
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or "not UTF-8 text"
                yield index, _unreadable(source, base, taken, f"$: cannot read the file: {reason}")
                continue
        record = records.get(_case_id(text) or "") if records else None
        hashed = text if record is None else f"{text}\n{record}"
        digest = hashlib.sha256(hashed.encode("utf-8")).hexdigest()
        yield index, _Job(index, _unique(base, taken), source, text, digest, 0, record)


def _unreadable(source: str, base: str, taken: set[str], error: str) -> CaseResult:
    return CaseResult(
        name=_unique(base, taken), source=source, input_sha256="", status="invalid",
        errors=(error,),
    )  # fmt: skip


def _unique(base: str, taken: set[str]) -> str:
    name = _SAFE.sub("_", base).strip("._") or "case"
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate
