"""Every script in examples/ runs as a newcomer would run it, and writes what it says it wrote."""

from __future__ import annotations

import runpy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import iopauth
from iopauth.criteria import default_criteria, default_review

from .formfiles import requires_nofr001

EXAMPLES = Path(__file__).parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def _run(script: Path, cwd: Path, *args: str) -> list[str]:
    """Run ``script`` in ``cwd`` as a separate process; its stdout lines (it must succeed)."""
    done = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # nothing on stderr: no traceback, and no WeasyPrint warning (logging prints those there)
    assert done.stderr == ""
    return done.stdout.splitlines()


def _values(lines: list[str], key: str) -> list[str]:
    """The values of the ``key: value`` lines a script printed, in order."""
    prefix = f"{key}: "
    return [line.removeprefix(prefix) for line in lines if line.startswith(prefix)]


def _check_written(lines: list[str], folder: Path) -> list[Path]:
    """Every file a script says it wrote exists inside ``folder``; PDFs are PDFs.

    Paths are absolute here (the scripts print the folder they were given, and the tests give
    absolute ones) or relative to the folder's parent, the scripts' working folder.
    """
    written = [Path(value) for value in _values(lines, "wrote")]
    assert written, "the script wrote nothing"
    for path in written:
        full = path if path.is_absolute() else folder.parent / path
        assert full.resolve().is_relative_to(folder.resolve()), path
        assert full.is_file(), path
        if full.suffix == ".pdf":
            assert full.read_bytes().startswith(b"%PDF-"), path
    return written


def _namespace(script: Path) -> dict[str, Any]:
    """The script's functions, loaded without running its main."""
    return runpy.run_path(str(script), run_name="example")


def _check_request_letter(script: Path, lines: list[str], out: Path) -> None:
    case = _namespace(script)["build_case"]()
    iopauth.validate_case(case)
    criteria = default_criteria(case)
    expected = iopauth.evaluate(case, criteria=criteria, review=default_review(case))
    assert _values(lines, "criteria") == [criteria]
    assert _values(lines, "outcome") == [str(expected.outcome)]
    assert _values(lines, "missing") == list(expected.missing_documentation)
    assert {p.name for p in _check_written(lines, out)} == {"request-letter.pdf", "checklist.pdf"}


def _check_payer_overlay(script: Path, lines: list[str], out: Path) -> None:
    space = _namespace(script)
    overlay = iopauth.load_criteria(out / "payer-x-iop.toml")
    case = iopauth.load_case(space["CASE"])
    base = iopauth.evaluate(case, criteria=space["BASE"], review="initial")
    payer = iopauth.evaluate(case, criteria=overlay, review="initial")
    assert _values(lines, f"outcome {space['BASE']}") == [str(base.outcome)]
    assert _values(lines, f"outcome {overlay.id}") == [str(payer.outcome)]
    before, after = base.by_criterion(), payer.by_criterion()
    differing = {
        c
        for c in before.keys() | after.keys()
        if c not in before or c not in after or before[c].status != after[c].status
    }
    assert {line.split(":")[0] for line in _values(lines, "differs")} == differing
    # the stricter hours and the added form are the two differences the script shows
    assert {"adm.program_intensity", "payer_x.form"} <= differing
    assert [p.name for p in _check_written(lines, out)] == ["payer-x-iop.toml"]


def _check_concurrent_review(script: Path, lines: list[str], out: Path) -> None:
    space = _namespace(script)
    case = space["this_week"](iopauth.load_case(space["ADMITTED"]))
    iopauth.validate_case(case)
    last_week = iopauth.load_case(space["ADMITTED"])
    assert len(case.measures) == len(last_week.measures) + 2
    assert case.request.request_date > last_week.request.request_date
    expected = iopauth.evaluate(case, criteria=default_criteria(case), review="continued")
    assert _values(lines, "outcome") == [str(expected.outcome)]
    assert _values(lines, "missing") == list(expected.missing_documentation)
    assert [p.name for p in _check_written(lines, out)] == ["concurrent-review.pdf"]


def _check_fill_form(_script: Path, lines: list[str], out: Path) -> None:
    # this script prints the paths it wrote as bare lines
    for name in ("nofr001-filled.pdf", "nofr001-flattened.pdf"):
        assert str(out / name) in lines
        assert (out / name).read_bytes().startswith(b"%PDF-"), name


def _check_from_fhir(_script: Path, lines: list[str], out: Path) -> None:
    # it writes into the output folder it is given, never its working folder
    written = {p.name for p in _check_written(lines, out)}
    assert written == {"case.json", "pas-request.json"}
    case = iopauth.load_case(out / "case.json")
    result = iopauth.evaluate(case)
    assert _values(lines, "criteria") == [f"{result.criteria_set} -> {result.outcome}"]
    assert not (out.parent / "case.json").exists()


CHECKS: dict[str, Callable[[Path, list[str], Path], None]] = {
    "request_letter": _check_request_letter,
    "payer_overlay": _check_payer_overlay,
    "concurrent_review": _check_concurrent_review,
    "fill_form": _check_fill_form,
    "from_fhir": _check_from_fhir,
}


def test_the_issue_s_examples_exist() -> None:
    """The scripts the README lists are there."""
    assert set(CHECKS) <= {s.stem for s in SCRIPTS}


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(s, id=s.stem, marks=[requires_nofr001] if s.stem == "fill_form" else [])
        for s in SCRIPTS
    ],
)
def test_example_runs_and_writes_what_it_prints(script: Path, tmp_path: Path) -> None:
    """The script exits 0 in an empty folder and its printed outcome matches iopauth's."""
    out = tmp_path / "out"
    lines = _run(script, tmp_path, str(out))
    check = CHECKS.get(script.stem)
    if check is None:  # a newer example: it ran and wrote what it says
        _check_written(lines, out)
    else:
        check(script, lines, out)


def test_an_example_writes_to_a_default_folder(tmp_path: Path) -> None:
    """Without an argument a script writes into example-output/ in the current folder."""
    lines = _run(EXAMPLES / "payer_overlay.py", tmp_path)
    assert _check_written(lines, tmp_path / "example-output")
    assert (tmp_path / "example-output" / "payer-x-iop.toml").is_file()
