"""``iopauth render`` with the payer's records: --authorization, --db and --decision."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from iopauth.authorization import AuthorizationStore, dump_authorization, dump_decision
from iopauth.caseformat.serialize import load_case
from iopauth.cli import main

from .test_rendering_payer import APPEAL, CONCURRENT, NUMBER, _current, _denial


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(""))
    return code, out.getvalue(), err.getvalue()


def _words(path: Path) -> str:
    markup = path.read_text(encoding="utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _auth_file(tmp_path: Path, **changes: Any) -> Path:
    auth = attrs.evolve(_current(load_case(CONCURRENT)), **changes)
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(dump_authorization(auth)), encoding="utf-8")
    return path


def test_render_reads_the_authorization_file(tmp_path: Path) -> None:
    """--authorization FILE (the JSON 'auth show' prints) puts the grant and usage in."""
    target = tmp_path / "review.html"
    code, out, err = _run(
        "render", str(CONCURRENT), "-d", "concurrent-review", "--html", "--final",
        "--authorization", str(_auth_file(tmp_path)), "-o", str(target),
    )  # fmt: skip
    assert (code, out, err) == (0, f"{target}\n", "")
    text = _words(target)
    assert f"Authorization number {NUMBER}" in text
    assert "11 of the 12 program days authorized have been used and 1 remains." in text


def test_render_reads_the_authorization_from_the_store(tmp_path: Path) -> None:
    """--db FILE finds the case's authorization by its case id in the store."""
    db = tmp_path / "auth.db"
    with AuthorizationStore(db) as store:
        store.add(_current(load_case(CONCURRENT)))
    target = tmp_path / "review.html"
    code, _, err = _run(
        "render", str(CONCURRENT), "-d", "concurrent-review", "--html", "--final",
        "--db", str(db), "-o", str(target),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "the plan approved 12 of the 16 program days requested" in _words(target)


def test_render_reads_the_decision_file(tmp_path: Path) -> None:
    """--decision FILE (iopauth's decision JSON) is quoted in the appeal."""
    decision = tmp_path / "decision.json"
    decision.write_text(json.dumps(dump_decision(_denial())), encoding="utf-8")
    target = tmp_path / "appeal.html"
    code, _, err = _run(
        "render", str(APPEAL), "-d", "appeal-letter", "--html", "--final",
        "--decision", str(decision), "-o", str(target),
    )  # fmt: skip
    assert (code, err) == (0, "")
    text = _words(target)
    assert "Date of decision April 16, 2026" in text
    assert "Does not meet medical necessity: outpatient therapy is sufficient." in text


def test_authorization_for_another_case_is_one_line_and_nothing_written(tmp_path: Path) -> None:
    """A record for another case: exit 2, one line naming the field, no file, no values."""
    target = tmp_path / "review.pdf"
    code, _, err = _run(
        "render", str(CONCURRENT), "-d", "concurrent-review",
        "--authorization", str(_auth_file(tmp_path, case_id="ex-other")), "-o", str(target),
    )  # fmt: skip
    assert code == 2
    assert err == "iopauth: authorization.case_id: does not match the case's $.case_id\n"
    assert not target.exists()


def test_missing_store_is_refused_and_not_created(tmp_path: Path) -> None:
    """--db naming no store: exit 2, and no store file is created."""
    db = tmp_path / "none.db"
    code, _, err = _run(
        "render", str(CONCURRENT), "-d", "concurrent-review", "--db", str(db),
        "-o", str(tmp_path / "o.pdf"),
    )  # fmt: skip
    assert code == 2
    assert err.startswith("iopauth: no authorization store at ")
    assert not db.exists()


def test_authorization_and_db_together_is_a_usage_error(tmp_path: Path) -> None:
    """--authorization and --db name the same thing twice: a usage error."""
    code, _, err = _run(
        "render", str(CONCURRENT), "--authorization", "a.json", "--db", "b.db", "-o", "x.pdf"
    )
    assert code == 2
    assert "not allowed with argument" in err


def test_stale_decision_dates_refused(tmp_path: Path) -> None:
    """A decision dated after the appeal's request date is refused naming the field."""
    decision = tmp_path / "decision.json"
    decision.write_text(
        json.dumps(dump_decision(_denial(decided_on=date(2026, 5, 1)))), encoding="utf-8"
    )
    code, _, err = _run(
        "render", str(APPEAL), "-d", "appeal-letter", "--decision", str(decision),
        "-o", str(tmp_path / "o.pdf"),
    )  # fmt: skip
    assert code == 2
    assert err.startswith("iopauth: decision.decided_on: must not be after")
