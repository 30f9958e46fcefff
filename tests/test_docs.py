"""Generated documentation stays in step with the code."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_case_format_doc_is_current() -> None:
    """docs/case-format.md equals what scripts/gen_case_format.py writes from case_schema()."""
    script = runpy.run_path(str(ROOT / "scripts" / "gen_case_format.py"))
    expected = script["render"]()
    assert (ROOT / "docs" / "case-format.md").read_text(encoding="utf-8") == expected


def test_criteria_tables_are_current() -> None:
    """The per-set criteria tables in docs/criteria.md are what gen_criteria_tables.py writes."""
    script = runpy.run_path(str(ROOT / "scripts" / "gen_criteria_tables.py"))
    current = (ROOT / "docs" / "criteria.md").read_text(encoding="utf-8")
    assert script["updated"](current) == current
