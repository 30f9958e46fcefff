"""``iopauth batch``: progress lines, the summary, failures on stderr, exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf

from iopauth.cli import main
from iopauth.cli.batch import case_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "cases"


class _Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        """Always a terminal."""
        return True


def _cases(folder: Path) -> Path:
    folder.mkdir()
    source = EXAMPLES / "commercial-mild-adjustment.json"
    (folder / "a-good.json").write_text(source.read_text())
    bad = json.loads(source.read_text())
    bad["plan"]["schedule"]["hours_per_day"] = 30
    (folder / "b-bad.json").write_text(json.dumps(bad))
    (folder / "notes.txt").write_text("not a case")
    return folder


def test_batch_writes_summarizes_and_fails_on_a_bad_case(tmp_path: Path) -> None:
    """A folder of cases: one line per case, a summary, the bad case's rule on stderr, exit 1."""
    folder = _cases(tmp_path / "in")
    out, err = io.StringIO(), io.StringIO()
    args = ["batch", str(folder), "-o", str(tmp_path / "out"), "--workers", "1"]
    code = main([*args, "--documents", "request-letter"], out, err)
    assert code == 1
    lines = out.getvalue().splitlines()
    # one line per case as it finishes (the invalid case may finish first)
    assert sorted(line.split("] ", 1)[1] for line in lines[:2]) == [
        "a-good: does_not_meet, 1 document",
        "b-bad: invalid",
    ]
    assert sorted(line.split("]", 1)[0] for line in lines[:2]) == ["[1/2", "[2/2"]
    assert "cases: 2" in lines
    assert "documents written: 1" in lines
    assert "outcomes: does_not_meet 1, invalid 1" in lines
    assert "failed: 1" in lines
    assert any(line.startswith("time: ") and "1 worker" in line for line in lines)
    assert err.getvalue().splitlines() == [
        f"iopauth: {folder / 'b-bad.json'}: $.plan.schedule.hours_per_day: must be between 0 and 24"
    ]
    assert (tmp_path / "out" / "a-good--request-letter.pdf").exists()
    assert not list((tmp_path / "out").glob("b-bad*.pdf"))


def test_resume_and_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """--resume skips the finished case; on a terminal the progress goes to a bar on stderr."""
    folder = _cases(tmp_path / "in")
    (folder / "b-bad.json").unlink()
    args = ["batch", str(folder), "-o", str(tmp_path / "out"), "--documents", "fax-cover"]
    assert main(args, io.StringIO(), io.StringIO()) == 0
    out, err = io.StringIO(), _Terminal()
    assert main([*args, "--resume"], out, err) == 0
    assert "cases: 1 (1 already done)" in out.getvalue().splitlines()
    assert "documents written: 0" in out.getvalue().splitlines()
    assert "[1/1]" not in out.getvalue()
    assert "1/1" in err.getvalue()  # the bar's count


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    """No case files, an unknown document or zero workers: one line on stderr, exit 2."""
    err = io.StringIO()
    assert main(["batch", str(tmp_path), "-o", str(tmp_path / "o")], io.StringIO(), err) == 2
    assert err.getvalue() == f"iopauth: no case files (*.json) found in {tmp_path}\n"
    folder = _cases(tmp_path / "in")
    err = io.StringIO()
    args = ["batch", str(folder), "-o", str(tmp_path / "o"), "--documents", "letter"]
    assert main(args, io.StringIO(), err) == 2
    assert err.getvalue().startswith("iopauth: unknown document 'letter'; choose among")
    err = io.StringIO()
    assert main(["batch", str(folder), "-o", "x", "--workers", "0"], io.StringIO(), err) == 2
    assert err.getvalue() == "iopauth: --workers must be at least 1\n"


def test_case_files_expands_folders_in_name_order(tmp_path: Path) -> None:
    """A folder gives its *.json files sorted; a file argument is kept as given."""
    folder = _cases(tmp_path / "in")
    extra = tmp_path / "z.json"
    assert case_files([str(extra), str(folder)]) == [
        extra,
        folder / "a-good.json",
        folder / "b-bad.json",
    ]


def test_batch_says_when_a_summary_fell_back_to_english(tmp_path: Path) -> None:
    """A case whose patient prefers a language without a catalog: the summary is written in
    English, report.json notes why, and stderr says it once for the case; exit 0."""
    folder = tmp_path / "in"
    folder.mkdir()
    case = json.loads((EXAMPLES / "commercial-mild-adjustment.json").read_text())
    case["patient"]["preferred_language"] = "fr-CA"
    (folder / "french.json").write_text(json.dumps(case))
    out, err = io.StringIO(), io.StringIO()
    args = ["batch", str(folder), "-o", str(tmp_path / "out"), "--workers", "1"]
    assert main([*args, "--documents", "patient-summary"], out, err) == 0
    notice = "no message catalog for language 'fr'; the patient summary is written in English"
    assert err.getvalue().splitlines() == [f"iopauth: {folder / 'french.json'}: {notice}"]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [c["notices"] for c in report["cases"]] == [[notice]]
    pdf = pypdf.PdfReader(tmp_path / "out" / "french--patient-summary.pdf")
    assert "Your schedule" in pdf.pages[0].extract_text()
