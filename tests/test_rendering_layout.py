"""The layout of every example's every document, checked on WeasyPrint's laid-out pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from iopauth.caseformat.serialize import load_case
from iopauth.rendering.render import layout_documents

from .layoutcheck import problems

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples" / "cases").glob("*.json"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_document_passes_the_layout_check(example: Path) -> None:
    """No heading ends a page (nor a heading and its lead-in sentence with the table
    overleaf), no table header or single table row stands alone, no near-empty page but the
    last, no short label broken across lines, no labelled field or column printed empty."""
    case = load_case(example)
    layouts = layout_documents(case, [d for d in layout_names(case) if d != "packet"])
    found = [p for name, document in layouts.items() for p in problems(name, document)]
    assert found == []


def layout_names(case: object) -> tuple[str, ...]:
    """The documents that fit ``case``."""
    from iopauth.rendering import applicable_documents

    return applicable_documents(case)  # type: ignore[arg-type]


def _laid_out(body: str) -> object:
    """A small HTML body laid out on a letter page with the shipped fonts."""
    from iopauth.rendering import RenderOptions
    from iopauth.rendering.pdf import layout

    css = "@page { size: letter; margin: 1in; } body { font-size: 10pt; }"
    return layout(f"<html><body>{body}</body></html>", RenderOptions(), (), css)


@pytest.mark.parametrize(
    ("body", "fault"),
    [
        (
            '<div style="height: 7in">Spacer.</div><h2 style="break-after: auto">Heading</h2>'
            '<p style="break-before: page">Text.</p>',
            "is the page's last line",
        ),
        ('<p>One line.</p><p style="break-before: page">Next page.</p>', "of a page"),
        (
            '<table style="width: 1in"><tr><td><strong>Withdrawal needs monitoring</strong></td>'
            "</tr></table><p>end</p>",
            "broken across lines",
        ),
        ("<table><tr><th>Phone</th><td></td></tr></table>", "printed with no value"),
        (
            '<table style="width: 2in; table-layout: fixed"><tr><td style="width: 0.5in">'
            '<span style="white-space: nowrap">Not documented at all</span></td><td>x</td></tr>'
            "</table>",
            "runs past its table cell",
        ),
        (
            # issue 22: a heading and its lead-in sentence at the foot, the table overleaf
            '<div style="height: 7.2in">Spacer.</div><h2>Medical-necessity criteria</h2>'
            "<p>We reviewed the record against a set.</p>"
            '<table style="break-before: page"><thead><tr><th>Criterion</th></tr></thead>'
            "<tbody><tr><td>Diagnosis</td></tr></tbody></table>",
            "ends the page; its table starts on page 2",
        ),
        (
            # issue 22: the last row of a measures table alone on the next page
            "<table><thead><tr><th>Measure</th></tr></thead><tbody>"
            "<tr><td>PHQ-9</td></tr><tr><td>GAD-7</td></tr>"
            '<tr style="break-before: page"><td>C-SSRS screener</td></tr></tbody></table>',
            "one row of the table headed 'Measure' stands alone",
        ),
        (
            # issue 22: an "Example" column with nothing in it
            "<table><thead><tr><th>Area</th><th>Example</th></tr></thead><tbody>"
            "<tr><td>Work</td><td></td></tr><tr><td>Social life</td><td></td></tr>"
            "</tbody></table>",
            "the column 'Example' is printed with no value in any row",
        ),
    ],
    ids=[
        "heading-at-foot",
        "near-empty-page",
        "broken-label",
        "empty-field",
        "overflow",
        "heading-lead-in-at-foot",
        "lonely-row",
        "empty-column",
    ],
)
def test_the_layout_check_finds_each_fault(body: str, fault: str) -> None:
    """Each rule of the check reports a page built to break it."""
    found = problems("sample", _laid_out(body))
    assert any(fault in p for p in found), found
