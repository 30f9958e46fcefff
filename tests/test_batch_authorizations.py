"""iopauth.batch with the payer's records: authorizations cross to workers as JSON."""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
from pathlib import Path
from typing import Any

import attrs
from pypdf import PdfReader

from iopauth.authorization import AuthorizationStore
from iopauth.batch import render_many
from iopauth.caseformat.serialize import load_case as _load
from iopauth.cli import main

from .test_rendering_payer import CONCURRENT, NUMBER, _current

REVIEW = ("concurrent-review",)


class _Recording(cf.ThreadPoolExecutor):
    """A thread pool that keeps the arguments of every job it is given."""

    def __init__(self) -> None:
        super().__init__(1)
        self.calls: list[tuple[Any, ...]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        self.calls.append(args)
        return super().submit(fn, *args, **kwargs)


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def _other_case(tmp_path: Path) -> Path:
    """The concurrent example under another case id (no record for it)."""
    doc = json.loads(CONCURRENT.read_text(encoding="utf-8"))
    doc["case_id"] = "ex-no-record"
    path = tmp_path / "other.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_each_case_gets_its_own_record_as_json(tmp_path: Path) -> None:
    """The record goes to the worker as JSON text and its review states the authorization;
    a case without a record renders as before."""
    auth = _current(_load(CONCURRENT))
    with _Recording() as executor:
        report = render_many(
            [CONCURRENT, _other_case(tmp_path)],
            tmp_path / "out",
            documents=REVIEW,
            executor=executor,
            authorizations=[auth],
        )
    assert [c.status for c in report.cases] == ["ok", "ok"]
    with_auth, without_auth = executor.calls
    assert with_auth[2] == REVIEW
    # the case and the record as JSON text, nothing pickled
    assert all(isinstance(with_auth[i], str) for i in (0, 1, 3, 4))
    assert json.loads(with_auth[4])["authorization_number"] == NUMBER
    assert len(without_auth) == 4  # a case without a record: the job as before
    with_record = _text(tmp_path / "out" / f"{CONCURRENT.stem}--concurrent-review.pdf")
    assert f"Under authorization {NUMBER}, the plan approved 12 of the 16" in with_record
    without = _text(tmp_path / "out" / "other--concurrent-review.pdf")
    assert "Current authorization" not in without


def test_a_record_that_does_not_fit_fails_only_its_case(tmp_path: Path) -> None:
    """A record with another level of care fails its case with the field's line."""
    from iopauth.model import LevelOfCare

    auth = attrs.evolve(_current(_load(CONCURRENT)), level_of_care=LevelOfCare.PHP)
    with cf.ThreadPoolExecutor(1) as executor:
        report = render_many(
            [CONCURRENT, _other_case(tmp_path)],
            tmp_path / "out",
            documents=REVIEW,
            executor=executor,
            authorizations=[auth],
        )
    first, second = report.cases
    assert first.status == "failed"
    assert first.errors == ("authorization.level_of_care: does not match the case's $.plan.level",)
    assert second.status == "ok"


def test_resume_renders_again_when_the_record_changes(tmp_path: Path) -> None:
    """The record is part of the input digest: a new usage day means a new letter."""
    auth = _current(_load(CONCURRENT), attended=10)
    out = tmp_path / "out"
    with cf.ThreadPoolExecutor(1) as executor:
        render_many([CONCURRENT], out, documents=REVIEW, executor=executor, authorizations=[auth])
        same = render_many(
            [CONCURRENT], out, documents=REVIEW, executor=executor, authorizations=[auth],
            resume=True,
        )  # fmt: skip
        assert same.cases[0].resumed
        changed = render_many(
            [CONCURRENT], out, documents=REVIEW, executor=executor,
            authorizations=[_current(_load(CONCURRENT), attended=11)], resume=True,
        )  # fmt: skip
    assert not changed.cases[0].resumed
    assert "11 of the 12 program days authorized" in _text(
        out / f"{CONCURRENT.stem}--concurrent-review.pdf"
    )


def test_batch_command_reads_records_from_the_store(tmp_path: Path) -> None:
    """``iopauth batch --db FILE`` gives each case its stored authorization."""
    db = tmp_path / "auth.db"
    with AuthorizationStore(db) as store:
        store.add(_current(_load(CONCURRENT)))
    out, err = io.StringIO(), io.StringIO()
    argv = [
        "batch", str(CONCURRENT), "-o", str(tmp_path / "out"), "--workers", "1",
        "--documents", "concurrent-review", "--db", str(db),
    ]  # fmt: skip
    assert main(argv, stdout=out, stderr=err) == 0, err.getvalue()
    text = _text(tmp_path / "out" / f"{CONCURRENT.stem}--concurrent-review.pdf")
    assert f"Authorization number {NUMBER}" in text
