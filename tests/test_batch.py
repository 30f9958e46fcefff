"""iopauth.batch: many cases through any executor, atomic files, the report, resume."""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from iopauth import evaluate
from iopauth.batch import CaseResult, render_many
from iopauth.caseformat.serialize import load_case
from iopauth.criteria import default_criteria, default_review
from iopauth.model import Case

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"
LETTER = ("request-letter",)


def example_case() -> Case:
    """A valid example case as a Case object."""
    return load_case(EXAMPLES / "medicare-stepdown-depression.json")


def _copies(folder: Path, count: int) -> list[Path]:
    """``count`` valid case files, each with its own case id."""
    base = json.loads((EXAMPLES / "medicare-stepdown-depression.json").read_text())
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"case-{n:02d}.json"
        path.write_text(json.dumps({**base, "case_id": f"batch-{n:02d}"}))
        paths.append(path)
    return paths


class RecordingExecutor(cf.ThreadPoolExecutor):
    """A thread pool that records the arguments of every job it is given."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.arguments: list[tuple[Any, ...]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        """Record, then submit."""
        self.arguments.append(args)
        return super().submit(fn, *args, **kwargs)


def test_mixed_inputs_one_bad_case_does_not_stop_the_batch(tmp_path: Path) -> None:
    """Paths, dicts and Case objects render; a bad dict and a missing file are reported."""
    case = example_case()
    paths = _copies(tmp_path / "in", 1)
    executor = RecordingExecutor()
    with executor:
        report = render_many(
            [paths[0], {"case_id": "broken"}, case, tmp_path / "missing.json"],
            tmp_path / "out",
            documents=LETTER,
            executor=executor,
        )
    by_name = {c.name: c for c in report.cases}
    assert [c.status for c in report.cases] == ["ok", "invalid", "ok", "invalid"]
    assert "$.patient: required field missing" in by_name["broken"].errors
    assert by_name["missing"].errors == ("$: cannot read the file: No such file or directory",)
    made = by_name[case.case_id]
    expected = evaluate(case, criteria=default_criteria(case), review=default_review(case))
    assert made.outcome == str(expected.outcome)
    assert (made.criteria_set, made.criteria_version) == (
        expected.criteria_set,
        expected.criteria_version,
    )
    assert made.review == str(expected.review)
    assert made.case_id == case.case_id
    (written,) = made.files
    data = (tmp_path / "out" / written.file).read_bytes()
    assert written.file == f"{case.case_id}--request-letter.pdf"
    assert written.sha256 == hashlib.sha256(data).hexdigest()
    assert written.bytes == len(data)
    assert len(report.failed) == 2
    assert report.outcomes() == {str(expected.outcome): 2, "invalid": 2}
    # what crossed to the worker is JSON text, never a Case object
    for name, text, documents, out_dir in executor.arguments:
        assert isinstance(name, str)
        assert isinstance(text, str)
        assert isinstance(json.loads(text), dict)
        assert documents == LETTER
        assert isinstance(out_dir, str)
    assert load_case(executor.arguments[2][1]) == case


def test_report_json_lists_every_case(tmp_path: Path) -> None:
    """report.json holds each case's files with SHA-256, outcome, or error lines."""
    with cf.ThreadPoolExecutor(1) as executor:
        report = render_many(
            [*_copies(tmp_path / "in", 1), {"case_id": "x", "patient": 3}],
            tmp_path / "out",
            documents=LETTER,
            executor=executor,
        )
    data = json.loads(report.report_path.read_text())
    assert data == report.to_json()
    assert data["complete"] is True
    assert data["summary"]["cases"] == 2
    assert data["summary"]["failed"] == 1
    assert data["summary"]["documents_written"] == 1
    good, bad = data["cases"]
    assert good["files"][0]["document"] == "request-letter"
    assert bad["status"] == "invalid"
    assert any(line.startswith("$.patient:") for line in bad["errors"])
    assert "Harold" not in report.report_path.read_text()  # no patient data in the report


def test_documents_that_do_not_apply_are_skipped(tmp_path: Path) -> None:
    """An appeal letter is skipped (and said so) for a case without a denial."""
    with cf.ThreadPoolExecutor(1) as executor:
        report = render_many(
            [example_case()],
            tmp_path,
            documents=("appeal-letter", "fax-cover"),
            executor=executor,
        )
    (case,) = report.cases
    assert case.skipped == ("appeal-letter",)
    assert [f.document for f in case.files] == ["fax-cover"]


def test_unknown_document_raises_before_any_work(tmp_path: Path) -> None:
    """A misspelt document name is an error of the call, naming the choices."""
    with pytest.raises(ValueError, match="unknown document 'letter'; choose among"):
        render_many([example_case()], tmp_path, documents=("letter",))
    assert not (tmp_path / "report.json").exists()


def test_same_names_get_distinct_files(tmp_path: Path) -> None:
    """Two cases with one case id write to two sets of files."""
    case = example_case()
    with cf.ThreadPoolExecutor(1) as executor:
        report = render_many([case, case], tmp_path, documents=LETTER, executor=executor)
    names = [c.name for c in report.cases]
    assert names == [case.case_id, f"{case.case_id}-2"]
    assert len({f.file for c in report.cases for f in c.files}) == 2


def test_resume_redoes_exactly_the_incomplete_cases(tmp_path: Path) -> None:
    """Resume skips finished cases; a damaged file or a changed input is rendered again."""
    paths = _copies(tmp_path / "in", 3)
    out = tmp_path / "out"
    with cf.ThreadPoolExecutor(1) as executor:
        first = render_many(paths, out, documents=LETTER, executor=executor)
        damaged = out / first.cases[0].files[0].file
        damaged.write_bytes(damaged.read_bytes()[:100])
        changed = json.loads(paths[2].read_text())
        changed["case_id"] = "batch-changed"
        paths[2].write_text(json.dumps(changed))
        again = render_many(paths, out, documents=LETTER, executor=executor, resume=True)
    assert [c.resumed for c in again.cases] == [False, True, False]
    assert again.cases[0].files == first.cases[0].files  # same bytes as before the damage
    assert hashlib.sha256(damaged.read_bytes()).hexdigest() == first.cases[0].files[0].sha256
    assert again.cases[2].input_sha256 != first.cases[2].input_sha256
    assert (again.cases[2].status, again.cases[2].case_id) == ("ok", "batch-changed")
    # a different choice of documents is a different batch: nothing is skipped
    with cf.ThreadPoolExecutor(1) as executor:
        other = render_many(
            paths[:1], out, documents=("fax-cover",), executor=executor, resume=True
        )
    assert not other.cases[0].resumed


def test_default_process_pool(tmp_path: Path) -> None:
    """Without an executor a process pool renders; the progress callback sees every case."""
    seen: list[CaseResult] = []
    report = render_many(
        [example_case(), {"case_id": "bad"}],
        tmp_path,
        documents=LETTER,
        workers=1,
        progress=seen.append,
    )
    assert sorted(c.status for c in seen) == ["invalid", "ok"]
    assert [c.status for c in report.cases] == ["ok", "invalid"]
    assert PdfReader(io.BytesIO((tmp_path / report.cases[0].files[0].file).read_bytes())).pages


def _pdfs_are_whole(out: Path) -> list[str]:
    names = []
    for path in sorted(out.glob("*.pdf")):
        data = path.read_bytes()
        assert data.rstrip().endswith(b"%%EOF"), path.name
        assert len(PdfReader(io.BytesIO(data)).pages) >= 1
        names.append(path.name)
    return names


def test_sigkill_leaves_no_partial_pdf_and_resume_completes(tmp_path: Path) -> None:
    """A batch killed with SIGKILL mid-run leaves whole PDFs only; --resume finishes it."""
    paths = _copies(tmp_path / "in", 8)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "iopauth", "batch", str(tmp_path / "in"), "-o", str(out)]
    command += ["--documents", "request-letter,fax-cover", "--workers", "2"]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 240
    try:
        while len(list(out.glob("*.pdf"))) < 3 and process.poll() is None:
            assert time.monotonic() < deadline, "the batch wrote nothing in time"
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the batch and its workers, at once
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the batch finished before it was killed"
    before = _pdfs_are_whole(out)
    assert 0 < len(before) < 16
    result = subprocess.run(
        [*command, "--resume"], capture_output=True, text=True, check=False, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "failed: 0" in result.stdout
    report = json.loads((out / "report.json").read_text())
    assert report["complete"] is True
    assert [c["status"] for c in report["cases"]] == ["ok"] * len(paths)
    after = _pdfs_are_whole(out)
    assert len(after) == 16
    assert not list(out.glob(".*.part"))
    for case in report["cases"]:
        for written in case["files"]:
            data = (out / written["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == written["sha256"]


def test_dask_local_cluster_executor(tmp_path: Path) -> None:
    """A Dask distributed LocalCluster's executor runs the batch (skipped if dask can't start)."""
    distributed = pytest.importorskip("distributed")
    try:
        cluster = distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        )
    except Exception as exc:  # any failure to start means: cannot test here
        pytest.skip(f"dask cannot start a LocalCluster on this machine ({type(exc).__name__})")
    with cluster, distributed.Client(cluster) as client:
        executor = client.get_executor()
        report = render_many(
            [*_copies(tmp_path / "in", 2), {"case_id": "bad"}],
            tmp_path / "out",
            documents=LETTER,
            executor=executor,
        )
    assert [c.status for c in report.cases] == ["ok", "ok", "invalid"]
    assert [c.case_id for c in report.cases[:2]] == ["batch-00", "batch-01"]
    for case in report.cases[:2]:
        data = (tmp_path / "out" / case.files[0].file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == case.files[0].sha256


def test_the_same_case_renders_the_same_bytes_in_a_batch(tmp_path: Path) -> None:
    """A batch writes the bytes iopauth.render gives for the case (deterministic output)."""
    from iopauth import render

    case = example_case()
    with cf.ThreadPoolExecutor(1) as executor:
        report = render_many([case], tmp_path, documents=LETTER, executor=executor)
    assert (tmp_path / report.cases[0].files[0].file).read_bytes() == render(case)


class FailingExecutor(cf.Executor):
    """An executor whose every job fails in the executor itself (a lost remote worker)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        """A future that already holds the executor's failure."""
        future: cf.Future[Any] = cf.Future()
        future.set_exception(ConnectionError("lost a worker holding case text"))
        return future


def test_an_executor_failure_is_reported_per_case(tmp_path: Path) -> None:
    """A job the executor loses is a failed case naming the error type only; the batch ends."""
    report = render_many(
        _copies(tmp_path / "in", 2), tmp_path / "out", documents=LETTER, executor=FailingExecutor()
    )
    assert [c.errors for c in report.cases] == [("worker error (ConnectionError)",)] * 2
    assert "case text" not in report.report_path.read_text()


def test_a_failing_warm_up_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """Warming a worker only saves time: a failure in it is left for the job to report."""
    from iopauth.batch import _worker as _batch_worker
    from iopauth.rendering import environment

    def broken(*_args: object) -> object:
        raise RuntimeError("no templates")

    monkeypatch.setattr(_batch_worker, "_warmed", False)
    monkeypatch.setattr(environment, "environment", broken)
    _batch_worker.warm()
    assert _batch_worker._warmed


def test_input_files_are_read_bounded_and_a_huge_one_does_not_stop_the_batch(
    tmp_path: Path,
) -> None:
    """A 1.2 GB (sparse) file, a FIFO nobody writes, /dev/zero and a 100,000-deep file each
    become an invalid case; the valid case beside them renders."""
    folder = tmp_path / "in"
    (good,) = _copies(folder, 1)
    huge = folder / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(1_200_000_000)  # sparse: no disk used, read would be 1.2 GB
    deep = folder / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    fifo = folder / "fifo.json"
    os.mkfifo(fifo)
    with RecordingExecutor() as executor:
        report = render_many(
            [good, huge, fifo, Path("/dev/zero"), deep],
            tmp_path / "out",
            documents=LETTER,
            executor=executor,
        )
    errors = {c.name: c.errors for c in report.cases}
    assert [c.status for c in report.cases] == ["ok", "invalid", "invalid", "invalid", "invalid"]
    assert errors["huge"] == ("$: the document is larger than 16777216 bytes",)
    assert errors["zero"] == ("$: the path is not a regular file or pipe",)
    assert errors["fifo"][0].startswith("$: not valid JSON")
    assert errors["deep"] == ("$: JSON nested too deeply",)


def test_a_symlink_planted_in_the_output_folder_is_never_followed(tmp_path: Path) -> None:
    """A link at a PDF's name (pointing at a file elsewhere) fails that case; the link's target
    keeps its bytes and no PHI document lands there."""
    (path,) = _copies(tmp_path / "in", 1)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (out / "case-00--request-letter.pdf").symlink_to(victim)
    with RecordingExecutor() as executor:
        report = render_many([path], out, documents=LETTER, executor=executor)
    (result,) = report.cases
    assert result.status == "failed"
    assert result.errors == (
        "cannot write case-00--request-letter.pdf: is a symbolic link; "
        "iopauth never writes through one",
    )
    assert victim.read_bytes() == b"precious"
    assert (out / "case-00--request-letter.pdf").is_symlink()
