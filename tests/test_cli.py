"""The ``iopauth`` command, run in-process with injected streams."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

from iopauth.cli import main

from .formfiles import NOFR001, requires_nofr001

EXAMPLES = Path(__file__).parent.parent / "examples" / "cases"
STEPDOWN = EXAMPLES / "medicare-stepdown-depression.json"


def _run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(stdin or ""))
    return code, out.getvalue(), err.getvalue()


def test_validate_accepts_an_example() -> None:
    """A valid case is reported valid with exit code 0."""
    code, out, err = _run("validate", str(STEPDOWN))
    assert (code, err) == (0, "")
    assert out.startswith("ex-medicare-stepdown: valid (diagnosis codes checked against ICD-10-CM")


def test_validate_reports_each_problem_on_its_own_line() -> None:
    """An invalid case gives exit code 2 and one stderr line per problem, no traceback."""
    doc = json.loads(STEPDOWN.read_text(encoding="utf-8"))
    doc["plan"]["schedule"]["hours_per_day"] = 30
    doc["program"]["npi"] = "1234567890"
    code, out, err = _run("validate", "-", stdin=json.dumps(doc))
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        "iopauth: $.program.npi: must be a 10-digit NPI with a valid check digit",
        "iopauth: $.plan.schedule.hours_per_day: must be between 0 and 24",
    ]


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    """A case file that does not exist gives exit code 2 and one line."""
    code, _out, err = _run("validate", str(tmp_path / "nope.json"))
    assert code == 2
    assert err.count("\n") == 1
    assert "No such file" in err


def test_unknown_command_and_missing_command_are_usage_errors() -> None:
    """Usage mistakes exit with code 2 and say what is wrong."""
    assert _run("frobnicate")[0] == 2
    code, _out, err = _run()
    assert code == 2
    assert "choose a command" in err


def test_schema_prints_json_schema() -> None:
    """'iopauth schema' prints the JSON Schema of the case document."""
    code, out, _err = _run("schema")
    assert code == 0
    assert json.loads(out)["$schema"].endswith("2020-12/schema")


def test_version() -> None:
    """'iopauth --version' names the package version."""
    code, out, _err = _run("--version")
    assert code == 0
    assert out.startswith("iopauth ")


def test_console_script_entry_point_runs() -> None:
    """The installed 'iopauth' entry point is wired to cli.main."""
    result = subprocess.run(
        [sys.executable, "-m", "iopauth", "validate", str(STEPDOWN)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ex-medicare-stepdown: valid")


MILD = EXAMPLES / "commercial-mild-adjustment.json"


def test_check_meets_exits_zero_with_a_table() -> None:
    """A case that meets its default set exits 0 and prints a table of findings."""
    code, out, err = _run("check", str(STEPDOWN))
    assert (code, err) == (0, "")
    assert "Outcome: MEETS" in out
    # a Medicare Advantage case is judged by Medicare's IOP conditions (42 CFR 422.101(b)(6))
    assert "Criteria set: medicare-iop" in out
    assert "mcr.poc_9h" in out
    assert "CLEAR     mcr.diversionary" in out
    assert "NOT MET" not in out


def test_check_does_not_meet_exits_one() -> None:
    """The 4-hours-a-week case does not meet IOP criteria: exit code 1."""
    code, out, _err = _run("check", str(MILD))
    assert code == 1
    assert "Outcome: DOES NOT MEET" in out


def test_check_json_output() -> None:
    """--json prints the determination as JSON with one finding per criterion."""
    code, out, _err = _run("check", str(STEPDOWN), "--criteria", "medicare-iop", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["criteria_set"] == "medicare-iop"
    assert data["outcome"] == "meets"
    assert {f["criterion"] for f in data["findings"]} >= {"mcr.poc_9h", "mcr.physician_cert"}
    found = {f["criterion"]: f for f in data["findings"]}
    assert found["mcr.diversionary"]["status"] == "does_not_apply"
    assert found["mcr.needs_24h_care"]["status"] == "does_not_apply"
    assert found["mcr.physician_cert"]["citation"] == "42 CFR 424.24"
    assert data["recommendation_basis"] == []
    assert "mcr.recert_due" not in data["unverified"]  # an initial review has no recertification
    assert "mcr.physician_cert" in data["unverified"]


def test_check_json_names_what_drove_the_recommendation() -> None:
    """For the mild case --json recommends outpatient care and names the finding behind it."""
    code, out, _err = _run("check", str(MILD), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["recommended_level"] == "outpatient"
    assert data["recommendation_basis"] == ["ex.lower_level_suffices"]
    lower = next(f for f in data["findings"] if f["criterion"] == "ex.lower_level_suffices")
    assert lower["status"] == "applies"
    assert lower["reason"] == "The clinician records that routine outpatient care is enough."


def test_check_with_a_user_overlay_file(tmp_path: Path) -> None:
    """--criteria takes a TOML overlay that raises a threshold."""
    overlay = tmp_path / "payer.toml"
    overlay.write_text(
        'id = "payer-x"\ntitle = "Payer X"\nversion = "1"\nextends = "iop-standard"\n'
        "[params]\nmin_hours_adult = 12\n",
        encoding="utf-8",
    )
    code, out, err = _run("check", str(STEPDOWN), "--criteria", str(overlay))
    assert code == 1, err
    assert "payer-x" in out


def test_check_unknown_set_is_a_usage_error() -> None:
    """An unknown set name exits 2 and lists the shipped sets."""
    code, _out, err = _run("check", str(STEPDOWN), "--criteria", "nope")
    assert code == 2
    assert "iop-standard" in err


def test_criteria_lists_and_describes_sets() -> None:
    """'iopauth criteria' lists the shipped sets; with a name it prints that set's criteria."""
    code, out, _err = _run("criteria")
    assert code == 0
    assert out.split()[0::1].count("medicare-iop") == 1
    code, out, _err = _run("criteria", "medicare-iop")
    assert code == 0
    assert "mcr.poc_9h" in out


def test_render_writes_a_pdf_and_prints_its_path(tmp_path: Path) -> None:
    """'iopauth render' writes the PDF atomically and prints where."""
    target = tmp_path / "out" / "letter.pdf"
    code, out, err = _run("render", str(STEPDOWN), "-d", "fax-cover", "-o", str(target))
    assert (code, err) == (0, "")
    assert out.strip() == str(target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in target.parent.iterdir()] == ["letter.pdf"]


def test_render_of_a_draft_says_so_and_exits_one(tmp_path: Path) -> None:
    """A letter for a case that does not meet is written as a DRAFT: one stderr line, exit 1;
    with --final it is written clean with exit 0."""
    target = tmp_path / "letter.pdf"
    code, out, err = _run("render", str(MILD), "-o", str(target))
    assert code == 1
    assert out.strip() == str(target)
    assert err.count("\n") == 1
    assert "is a DRAFT" in err
    assert "--final" in err
    code, _out, err = _run("render", str(MILD), "-o", str(target), "--final", "--force")
    assert (code, err) == (0, "")


def test_render_help_lists_the_documents_and_every_option_has_help() -> None:
    """'render --help' names every document; no option of any command lacks help text."""
    from iopauth.cli.main import _parser
    from iopauth.rendering import documents

    code, out, _err = _run("render", "--help")
    assert code == 0
    flat = " ".join(out.split())
    for name in documents():
        assert name in flat, name
    parser = _parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        for action in sub._actions:
            if action.dest != "help" and not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"{name} {action.dest}"


def test_render_with_a_missing_template_folder_is_a_usage_error(tmp_path: Path) -> None:
    """A --template-dir that does not exist exits 2 naming the folder; nothing is written."""
    missing = tmp_path / "my-templates"
    code, _out, err = _run(
        "render", str(STEPDOWN), "--template-dir", str(missing), "-o", str(tmp_path / "x.pdf")
    )
    assert code == 2
    assert "my-templates" in err
    assert list(tmp_path.iterdir()) == []


def test_render_of_a_bad_case_writes_nothing(tmp_path: Path) -> None:
    """Bad input exits 2 and leaves no file, not even a partial one."""
    doc = json.loads(MILD.read_text(encoding="utf-8"))
    doc["plan"]["weeks"] = -1
    target = tmp_path / "letter.pdf"
    code, _out, err = _run("render", "-", "-o", str(target), stdin=json.dumps(doc))
    assert code == 2
    assert err == "iopauth: $.plan.weeks: must be between 1 and 104\n"
    assert list(tmp_path.iterdir()) == []


def test_render_unknown_document_and_missing_denial_are_usage_errors(tmp_path: Path) -> None:
    """An unknown document name, or an appeal without a denial, exits 2 with one line."""
    code, _out, err = _run("render", str(MILD), "-d", "memo", "-o", str(tmp_path / "x.pdf"))
    assert code == 2
    assert "invalid choice: 'memo'" in err
    code, _out, err = _run(
        "render", str(MILD), "-d", "appeal-letter", "-o", str(tmp_path / "x.pdf")
    )
    assert code == 2
    assert "$.request.denial" in err
    assert list(tmp_path.iterdir()) == []


def test_demo_writes_the_documents_of_every_example(tmp_path: Path) -> None:
    """'iopauth demo -o DIR' prints each case's outcome, then writes each fitting document and
    prints its path."""
    code, out, err = _run("demo", "-o", str(tmp_path))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    outcomes = [line for line in lines if ": " in line and not line.startswith(("  ", "report"))]
    printed = [Path(line) for line in lines if line.startswith(str(tmp_path))]
    from iopauth.criteria import get_criteria

    def version(name: str) -> str:
        return f"{name} {get_criteria(name).version}"

    assert outcomes == [
        "commercial-adolescent-appeal: appeal of a denial: meets criteria "
        f"({version('iop-standard')}, initial review)",
        "commercial-mild-adjustment: initial request: does not meet criteria "
        f"({version('iop-standard')}, initial review); marked DRAFT: request-letter (and the "
        "packet and cover)",
        "medicaid-alcohol-depression-concurrent: continued-stay request: meets criteria "
        f"({version('sud-iop')}, continued review)",
        "medicare-stepdown-depression: initial request: meets criteria "
        f"({version('medicare-iop')}, initial review)",
    ]
    sends = [line.strip() for line in lines if line.startswith("  send: ")]
    assert sends[0] == "send: the packet (the fax cover, the appeal letter, the list of enclosures)"
    assert sends[2] == (
        "send: the packet (the fax cover, the concurrent review, the list of enclosures); not "
        "the request letter, "
        "which is for a payer that asks for a letter of medical necessity instead of a "
        "concurrent review"
    )
    assert (
        lines[-1] == f"report: {tmp_path / 'report.json'} (every case, its files and their SHA-256)"
    )
    assert (tmp_path / "report.json").is_file()
    assert len(printed) == 21
    assert sorted(printed) == sorted(tmp_path.glob("*.pdf"))
    # a second run replaces the files and says so in one line, not one per file
    code, _, err = _run("demo", "-o", str(tmp_path))
    assert (code, err) == (0, f"iopauth: replacing 21 files of an earlier run in {tmp_path}\n")
    assert tmp_path / "commercial-adolescent-appeal--appeal-letter.pdf" in printed


def _binary_run(*argv: str, stdin: bytes = b"") -> tuple[int, bytes, str]:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    source = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", errors="surrogateescape")
    code = main(list(argv), stdout=out, stderr=err, stdin=source)
    out.flush()
    buffer = out.buffer
    assert isinstance(buffer, io.BytesIO)
    return code, buffer.getvalue(), err.getvalue()


def test_undecodable_standard_input_is_refused_as_in_a_file() -> None:
    """Bytes that are not UTF-8 on standard input are an error, not a lone surrogate."""
    data = STEPDOWN.read_bytes().replace(b"Testperson", b"Test\xffperson")
    code, _out, err = _binary_run("validate", "-", stdin=data)
    assert (code, err) == (2, "iopauth: $: the document is not UTF-8 text\n")


def test_render_to_dash_writes_standard_output() -> None:
    """-o - writes the document to standard output and prints no path."""
    code, out, err = _binary_run(
        "render", str(STEPDOWN), "-d", "patient-summary", "--html", "-o", "-"
    )
    assert (code, err) == (0, "")
    assert out.startswith(b"<!DOCTYPE html>")


def test_render_says_when_it_replaces_a_file_unless_forced(tmp_path: Path) -> None:
    """Overwriting an existing output is allowed, with a notice on stderr unless --force."""
    target = tmp_path / "summary.html"
    target.write_text("old", encoding="utf-8")
    args = ("render", str(STEPDOWN), "-d", "patient-summary", "--html", "-o", str(target))
    code, out, err = _run(*args)
    assert (code, out) == (0, f"{target}\n")
    assert err == f"iopauth: replacing the existing file {target}\n"
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert _run(*args, "--force")[2] == ""
    assert list(tmp_path.iterdir()) == [target]


def test_number_past_the_digit_limit_is_exit_2_not_a_traceback() -> None:
    """A 5,000-digit number on standard input is one error line and exit code 2."""
    text = STEPDOWN.read_text(encoding="utf-8").replace('"weeks": 8', '"weeks": ' + "9" * 5000)
    code, _out, err = _run("validate", "-", stdin=text)
    assert (code, err) == (2, "iopauth: $.plan.weeks: must be between -1000000000 and 1000000000\n")


@requires_nofr001
def test_forms_fill_writes_through_the_shared_helper(tmp_path: Path) -> None:
    """forms fill says when it replaces a file, and reads standard input as bytes, capped."""
    forms = NOFR001
    mapping = EXAMPLES.parent / "forms" / "tdi-nofr001.toml"
    target = tmp_path / "filled.pdf"
    target.write_bytes(b"old")
    args = ("forms", "fill", str(STEPDOWN), str(forms), str(mapping), "-o", str(target))
    code, _out, err = _run(*args)
    assert (code, err) == (0, f"iopauth: replacing the existing file {target}\n")
    assert target.read_bytes().startswith(b"%PDF-")
    data = STEPDOWN.read_bytes().replace(b"Testperson", b"Test\xffperson")
    code, written, err = _binary_run(
        "forms", "fill", "-", str(forms), str(mapping), "-o", "-", stdin=data
    )
    assert (code, written, err) == (2, b"", "iopauth: $: the document is not UTF-8 text\n")


def test_check_loads_no_renderer_fhir_reader_or_forms() -> None:
    """``iopauth check`` starts without Jinja, WeasyPrint, Babel, FHIR reading or PDF forms."""
    example = EXAMPLES / "medicare-stepdown-depression.json"
    script = (
        "import io, sys\n"
        "from iopauth.cli import main\n"
        f"code = main(['check', {str(example)!r}], stdout=io.StringIO())\n"
        "heavy = ('iopauth.rendering', 'jinja2', 'weasyprint', 'babel', 'pypdf',\n"
        "         'iopauth.fhir._', 'iopauth.forms._', 'iopauth.batch')\n"
        "loaded = {m for m in sys.modules if m.startswith(heavy)}\n"
        "print(code, sorted(loaded - {'iopauth.fhir._cli', 'iopauth.forms._cli'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "0 []"
