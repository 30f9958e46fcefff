"""``iopauth forms fields`` and ``iopauth forms fill``, run in-process with injected streams."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from iopauth.cli import main

from .formfiles import NOFR001, requires_nofr001

ROOT = Path(__file__).parent.parent
FORMS = Path(__file__).parent / "forms"
MAPPING = ROOT / "examples" / "forms" / "tdi-nofr001.toml"
STEPDOWN = ROOT / "examples" / "cases" / "medicare-stepdown-depression.json"
MARK = "Zebulon"  # planted in the patient's name and member id


def _run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(stdin or ""))
    return code, out.getvalue(), err.getvalue()


def _planted(**patient: Any) -> str:
    """The step-down example with the marker in the name and member id (and ``patient``)."""
    doc = json.loads(STEPDOWN.read_text(encoding="utf-8"))
    doc["patient"]["name"] = {"given": MARK, "family": MARK * 3}
    doc["coverage"]["member_id"] = f"{MARK}-77"
    doc["patient"].update(patient)
    return json.dumps(doc)


@requires_nofr001
def test_fields_lists_name_type_length_and_options() -> None:
    """``forms fields`` prints one line per field with its kind, limit and options."""
    code, out, err = _run("forms", "fields", str(NOFR001))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "TYPE", "MAX", "OPTIONS"]
    male = next(line for line in lines if line.startswith("Paitent Gender - Male"))
    assert male.split()[-3:] == ["checkbox", "-", "On"]
    assert any(line.split()[-2:] == ["button", "-"] for line in lines if line.startswith("Print"))
    assert lines[-1] == "98 fields; text* is a multi-line text field"


@requires_nofr001
def test_fields_as_json() -> None:
    """``forms fields --json`` gives name, type, options, max_length, multiline and label."""
    code, out, _ = _run("forms", "fields", str(NOFR001), "--json")
    rows = json.loads(out)
    assert code == 0
    assert rows[0] == {
        "name": "Issuer Name",
        "type": "text",
        "options": [],
        "max_length": None,
        "multiline": False,
        "label": "Issuer Name:",
    }


@requires_nofr001
def test_fill_writes_the_form(tmp_path: Path) -> None:
    """``forms fill`` writes the filled form and prints its path."""
    target = tmp_path / "out" / "nofr001.pdf"
    code, out, err = _run(
        "forms", "fill", str(STEPDOWN), str(NOFR001), str(MAPPING), "-o", str(target), "--flatten"
    )
    assert (code, out, err) == (0, f"{target}\n", "")
    from pypdf import PdfReader

    text = PdfReader(target).pages[1].extract_text()
    assert "Harold J Testperson" in text
    assert "F33.2" in text


@requires_nofr001
def test_check_reports_before_writing(tmp_path: Path) -> None:
    """``--check`` lists entries naming no field and fields left out or empty, then fills."""
    target = tmp_path / "nofr001.pdf"
    code, out, err = _run(
        "forms", "fill", str(STEPDOWN), str(NOFR001), str(MAPPING), "-o", str(target), "--check"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "mapping entries naming no field of the form: none"
    assert lines[1] == "values that do not fit their field: none"
    assert lines[2] == "form fields the mapping leaves out: 55"
    assert "  Clinical Reason for Urgency" in lines
    assert "form fields the mapping fills but this case leaves empty: 1" in lines
    assert "  Previous Authorization Number" in lines
    assert lines[-1] == str(target)
    assert target.exists()


@requires_nofr001
def test_check_with_an_unknown_field_writes_nothing(tmp_path: Path) -> None:
    """An entry naming no field: reported by --check, exit 2, no file written."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[[fields]]\nfield = "Patient Nme"\npath = "patient.name.full"\n')
    target = tmp_path / "out.pdf"
    code, out, err = _run(
        "forms", "fill", str(STEPDOWN), str(NOFR001), str(mapping), "-o", str(target), "--check"
    )
    assert code == 2
    assert out.splitlines()[:2] == [
        "mapping entries naming no field of the form: 1",
        "  fields[0]: 'Patient Nme'",
    ]
    assert (
        err
        == f"iopauth: m.toml: {target} not written: the mapping does not fit this form or case\n"
    )
    assert list(tmp_path.iterdir()) == [mapping]


@requires_nofr001
def test_unknown_field_without_check_is_an_error_line(tmp_path: Path) -> None:
    """Without --check the same mapping fails with the entry's path and a suggestion."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('[[fields]]\nfield = "Patient Nme"\npath = "patient.name.full"\n')
    code, out, err = _run(
        "forms", "fill", str(STEPDOWN), str(NOFR001), str(mapping), "-o", str(tmp_path / "o.pdf")
    )
    assert (code, out) == (2, "")
    assert err == (
        "iopauth: m.toml: fields[0]: the form has no field 'Patient Nme'; "
        "did you mean 'Patient Name'?\n"
    )


@requires_nofr001
def test_bad_mapping_file_reports_every_problem(tmp_path: Path) -> None:
    """A broken mapping gives one stderr line per problem at its TOML path, exit 2."""
    mapping = tmp_path / "bad.toml"
    mapping.write_text('[[fields]]\nfield = "a"\npath = "patient.nme"\n[[fields]]\ntext = "x"\n')
    code, _, err = _run(
        "forms", "fill", str(STEPDOWN), str(NOFR001), str(mapping), "-o", str(tmp_path / "o.pdf")
    )
    assert code == 2
    assert err.splitlines() == [
        "iopauth: bad.toml: fields[0].path: Patient has no field 'nme'; it has address, "
        "birth_date, email, guardian, name, phone, preferred_language, sex",
        "iopauth: bad.toml: fields[1]: give field (one form field) or into (several), not both",
    ]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ("README.md", "iopauth: the form is not a PDF file\n"),
        ("missing.pdf", "iopauth: cannot use "),
    ],
)
def test_bad_form_is_a_usage_error(tmp_path: Path, form: str, message: str) -> None:
    """A file that is no PDF, or no file at all, is exit 2 with one line, nothing written."""
    path = ROOT / form if form == "README.md" else tmp_path / form
    target = tmp_path / "o.pdf"
    code, _, err = _run("forms", "fill", str(STEPDOWN), str(path), str(MAPPING), "-o", str(target))
    assert code == 2
    assert err.startswith(message)
    assert len(err.splitlines()) == 1
    assert not target.exists()
    code, _, err = _run("forms", "fields", str(path))
    assert code == 2
    assert err.startswith(message)


def test_forms_without_an_action_is_a_usage_error() -> None:
    """``iopauth forms`` alone names the missing action, exit 2."""
    code, _, err = _run("forms")
    assert code == 2
    assert err == "iopauth forms: the following arguments are required: ACTION\n"


def test_case_from_stdin_and_patient_data_never_in_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An over-long value is named by field and length; the patient's name is nowhere."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[[fields]]\nfield = "member_last"\npath = "patient.name.family"\n'
        '[[fields]]\nfield = "member_id"\npath = "coverage.member_id"\n'
    )
    form = FORMS / "iop-request.pdf"
    target = tmp_path / "o.pdf"
    with caplog.at_level(logging.DEBUG):
        code, out, err = _run(
            "forms",
            "fill",
            "-",
            str(form),
            str(mapping),
            "-o",
            str(target),
            "--check",
            stdin=_planted(),
        )
    assert code == 2
    assert "  fields[0].field: 'member_last' holds at most 20 characters; the value has 21 " in out
    for text in (out, err, caplog.text):
        assert MARK not in text
    assert not target.exists()


@requires_nofr001
def test_example_script_runs_in_a_temporary_folder(tmp_path: Path) -> None:
    """examples/fill_form.py writes the editable and the flattened form and reports."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "fill_form.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "55 form fields are not in the mapping",
        "empty for this case: Previous Authorization Number",
        str(tmp_path / "nofr001-filled.pdf"),
        str(tmp_path / "nofr001-flattened.pdf"),
    ]
    from pypdf import PdfReader

    assert (
        "Harold J Testperson"
        in PdfReader(tmp_path / "nofr001-flattened.pdf").pages[1].extract_text()
    )


@requires_nofr001
def test_criteria_option_chooses_the_set_for_criterion_entries(tmp_path: Path) -> None:
    """``--criteria iop-standard`` lets a mapping check a box by an iop-standard finding."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        '[[fields]]\nfield = "Mental Health or Substance Abuse"\n'
        'criterion = "adm.program_intensity"\nchecked_when = "met"\n'
    )
    target = tmp_path / "o.pdf"
    args = ("forms", "fill", str(STEPDOWN), str(NOFR001), str(mapping), "-o", str(target))
    code, _, err = _run(*args)
    # the case's default set (Medicare Advantage: medicare-iop) has no iop-standard criterion
    assert code == 2
    assert "criteria set 'medicare-iop' has no criterion 'adm.program_intensity'" in err
    code, _, err = _run(*args, "--criteria", "iop-standard")
    assert (code, err) == (0, "")
    from pypdf import PdfReader

    fields = PdfReader(target).get_fields() or {}
    assert fields["Mental Health or Substance Abuse"]["/V"] == "/On"


def test_oversized_form_or_mapping_is_refused_before_reading_on(tmp_path: Path) -> None:
    """A form over MAX_FORM_BYTES or a mapping over MAX_MAPPING_BYTES: one line, exit 2."""
    from iopauth.forms import MAX_FORM_BYTES, MAX_MAPPING_BYTES

    form, mapping = FORMS / "iop-request.pdf", FORMS / "iop-request.toml"
    big_form = tmp_path / "big.pdf"
    with big_form.open("wb") as handle:  # a sparse file: a valid PDF start, then too long
        handle.write(form.read_bytes()[:1024])
        handle.truncate(MAX_FORM_BYTES + 1)
    big_mapping = tmp_path / "big.toml"
    big_mapping.write_text(
        mapping.read_text(encoding="utf-8") + "#" * MAX_MAPPING_BYTES, encoding="utf-8"
    )
    target = tmp_path / "o.pdf"
    too_big = f"iopauth: the form is larger than {MAX_FORM_BYTES} bytes\n"
    code, _, err = _run(
        "forms", "fill", str(STEPDOWN), str(big_form), str(mapping), "-o", str(target)
    )
    assert (code, err) == (2, too_big)
    code, _, err = _run("forms", "fields", str(big_form))
    assert (code, err) == (2, too_big)
    code, _, err = _run(
        "forms", "fill", str(STEPDOWN), str(form), str(big_mapping), "-o", str(target)
    )
    assert code == 2
    assert err == f"iopauth: big.toml: larger than {MAX_MAPPING_BYTES} bytes\n"
    assert not target.exists()
