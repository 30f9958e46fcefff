"""examples/from_fhir.py runs from any folder and does what its comments say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from iopauth.fhir import pas_problems

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "from_fhir.py"


def test_from_fhir_example_runs_in_a_temporary_folder(tmp_path: Path) -> None:
    """The example imports, checks, writes the PAS Bundle and reads the partial approval."""
    run = subprocess.run(
        [sys.executable, str(SCRIPT)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert (
        "to ask a clinician: $.risk: a risk assessment lives in clinical notes; ask the clinician"
        in lines
    )
    assert lines[-1] == (
        "decision: partially_approved CSA-PA-2026-0412 8 units 2026-06-09 to 2026-06-26"
    )
    out = tmp_path / "example-output"  # its default output folder, never the working folder
    assert json.loads((out / "case.json").read_text())["case_id"] == "stepdown-0412"
    assert pas_problems(json.loads((out / "pas-request.json").read_text())) == []
    assert not (tmp_path / "case.json").exists()


def test_from_fhir_example_writes_a_request_keeping_the_profile_rules(tmp_path: Path) -> None:
    """The example's PAS request reports no broken rule."""
    run = subprocess.run(
        [sys.executable, str(SCRIPT)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert not [line for line in run.stdout.splitlines() if line.startswith("PAS rule broken")]
    out = tmp_path / "example-output"
    assert pas_problems(json.loads((out / "pas-request.json").read_text())) == []
