"""examples/batch_folder.py runs as documented."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "batch_folder.py"


def test_batch_folder_example_runs(tmp_path: Path) -> None:
    """The script writes each example case's letter and cover and a complete report."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    cases = sorted(p.stem for p in (SCRIPT.parent / "cases").glob("*.json"))
    assert sorted(c["name"] for c in report["cases"]) == cases
    for case in report["cases"]:  # each document where it applies, else listed as skipped
        written = [f["document"] for f in case["files"]]
        assert sorted(written + case["skipped"]) == ["fax-cover", "request-letter"]
        assert "fax-cover" in written
        assert f"{case['name']} ok {case['outcome']}" in result.stdout.splitlines()
    assert "outcomes:" in result.stdout
    assert sum(not c["skipped"] for c in report["cases"]) >= 3
