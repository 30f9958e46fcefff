"""The layout of every example's every document, checked on WeasyPrint's laid-out pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from iopauth.rendering.render import layout_documents
from iopauth.serialize import load_case

from .layoutcheck import problems

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples" / "cases").glob("*.json"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_document_passes_the_layout_check(example: Path) -> None:
    """No heading ends a page, no table header stands alone, no near-empty page but the last,
    no short label broken across lines and no labelled field printed empty."""
    case = load_case(example)
    layouts = layout_documents(case, [d for d in layout_names(case) if d != "packet"])
    found = [p for name, document in layouts.items() for p in problems(name, document)]
    assert found == []


def layout_names(case: object) -> tuple[str, ...]:
    """The documents that fit ``case``."""
    from iopauth.rendering import applicable_documents

    return applicable_documents(case)  # type: ignore[arg-type]
