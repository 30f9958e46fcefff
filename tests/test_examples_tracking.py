"""The authorization-tracking example script runs and prints what it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pypdf

SCRIPT = Path(__file__).parent.parent / "examples" / "track_authorizations.py"


def test_track_authorizations_example(tmp_path: Path) -> None:
    """Run in an empty folder: the overdue decision, the partial approval, dates and alerts,
    and the concurrent review written from the stored authorization."""
    for _ in range(2):  # a second run starts fresh instead of failing on the first run's store
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "out"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Requested: 12 program days, 2026-06-09 to 2026-07-06"
    assert "payer decision overdue since 2026-06-12" in result.stdout
    assert "Authorized: 6 days, 2026-06-09 to 2026-06-28" in lines
    assert "Units left on 2026-06-16: 2" in lines
    assert "Projected last covered day: 2026-06-22" in lines
    assert "Concurrent review due: 2026-06-17" in lines
    assert lines[-5].split()[:2] == ["tomorrow", "MA-2026-0077"]
    assert "concurrent review due tomorrow" in lines[-5]
    assert "2 authorized units left" in lines[-4]
    assert lines[-2] == "wrote: out/example-authorizations.db"
    assert lines[-1] == "wrote: out/concurrent-review.pdf"
    assert "Harold" not in result.stdout  # the example patient's name
    assert "Testperson" not in result.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.suffix == ".db") == [
        "example-authorizations.db"
    ]
    reader = pypdf.PdfReader(tmp_path / "out" / "concurrent-review.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert (
        "Under authorization MA-2026-0077, the plan approved 6 of the 12 program days "
        "requested (a partial approval), from June 9, 2026 to June 28, 2026." in text
    )
    assert "Through June 17, 2026, 4 of the 6 program days authorized have been used" in text
