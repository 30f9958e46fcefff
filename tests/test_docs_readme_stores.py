"""The README's authorization-store examples run twice from the same folder and leave no store
file behind: each writes its SQLite store to a fresh temporary directory (a store refuses a
second ``add`` of the same request, so a store left in the checkout broke the second run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import iopauth

from .test_docs_blocks import ROOT, SHELL, _environment, _run_python, _run_shell, _scratch, blocks

_SECTIONS = ("## Tracking authorizations over time", "## Example scripts")


def _store_blocks() -> list[Any]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    first, last = (next(i for i, ln in enumerate(lines, 1) if ln == s) for s in _SECTIONS)
    chosen = [b for b in blocks(ROOT / "README.md") if first < b.line < last and not b.excerpt]
    assert chosen, "the README's store examples moved: update _SECTIONS"
    return chosen


def test_the_store_examples_run_twice_and_leave_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = _scratch(tmp_path)
    monkeypatch.chdir(work)
    monkeypatch.setenv("PATH", _environment()["PATH"])
    chosen = _store_blocks()
    for _ in range(2):
        namespace: dict[str, Any] = {
            "__name__": "docs_readme_stores",
            "iopauth": iopauth,
            "case": iopauth.load_case(work / "examples/cases/medicare-stepdown-depression.json"),
        }
        for block in chosen:
            if block.language in SHELL:
                _run_shell(block, work)
            else:
                _run_python(block, namespace)
    assert not sorted(p.name for p in work.glob("*.db*"))
