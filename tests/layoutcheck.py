"""A layout check over WeasyPrint's laid-out pages: what a reader would reject on paper.

Each rule reads the box tree of the pages, not the PDF's text, so it sees where a heading,
a table row or a label actually landed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

with warnings.catch_warnings():
    # as in iopauth.rendering.pdf: a missing libharfbuzz-subset is a fact about the machine
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder


HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
# A label this short (a status, a criterion title, a date, a code) reads as one phrase; broken
# across lines it reads as two ("Withdrawal needs" / "monitoring").
SHORT_LABEL = 30
# A page other than the last must hold at least this share of the page's content height.
MIN_FILL = 0.25


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _flow_root(page: Any) -> Any:
    return page._page_box.children[0]


def _in_flow(page: Any) -> Iterator[Any]:
    """Boxes of the page's normal flow (fixed and absolute boxes such as a watermark left out)."""

    def walk(box: Any) -> Iterator[Any]:
        if isinstance(box, AbsolutePlaceholder):
            return
        yield box
        for child in getattr(box, "children", ()):
            yield from walk(child)

    yield from walk(_flow_root(page))


def problems(name: str, document: Any) -> list[str]:
    """Every layout fault in one laid-out document, each naming the document and page."""
    out: list[str] = []
    pages = document.pages
    for number, page in enumerate(pages, start=1):
        where = f"{name} page {number}"
        flow = list(_in_flow(page))
        lines = [b for b in flow if isinstance(b, boxes.LineBox)]
        if lines and number < len(pages) and lines[-1].element_tag in HEADINGS:
            out.append(f"{where}: the heading {_text(lines[-1].element)!r} is the page's last line")
        out.extend(f"{where}: {p}" for p in _lonely_headers(flow))
        page_box = page._page_box
        top, height = page_box.content_box_y(), page_box.height
        filled = [b for b in flow if isinstance(b, boxes.LineBox | boxes.ReplacedBox)]
        bottom = max((b.position_y + b.margin_height() for b in filled), default=top)
        if number < len(pages) and (bottom - top) < MIN_FILL * height:
            out.append(f"{where}: holds {100 * (bottom - top) / height:.0f}% of a page")
        out.extend(f"{where}: {p}" for p in _broken_labels(lines))
        out.extend(f"{where}: {p}" for p in _empty_fields(flow))
        out.extend(f"{where}: {p}" for p in _overflowing_cells(flow))
    return out


def _lonely_headers(flow: list[Any]) -> Iterator[str]:
    """A table whose header row is on this page without any row of its body."""
    for box in flow:
        if isinstance(box, boxes.TableBox):
            groups = [g for g in box.children if isinstance(g, boxes.TableRowGroupBox)]
            header = [g for g in groups if g.is_header]
            body_rows = [r for g in groups if not g.is_header for r in g.children]
            if header and not body_rows:
                yield "a table's header row stands without any of its rows"
        if isinstance(box, boxes.BlockBox) and box.element_tag in ("ul", "ol") and not box.children:
            yield "a list is split from all of its items"


def _broken_labels(lines: list[Any]) -> Iterator[str]:
    """A short label with no line break in the HTML laid out over two or more lines."""
    seen: dict[int, tuple[Any, set[int]]] = {}
    for index, line in enumerate(lines):
        for box in _walk(line):
            if isinstance(box, boxes.TextBox) and box.text.strip():
                element = box.element
                if element is None or element.find(".//br") is not None:
                    continue
                seen.setdefault(id(element), (element, set()))[1].add(index)
    for element, used in seen.values():
        text = _text(element)
        if len(used) > 1 and 0 < len(text) <= SHORT_LABEL:
            yield f"the label {text!r} is broken across lines"


def _empty_fields(flow: list[Any]) -> Iterator[str]:
    """A labelled field (a row with a header cell) printed with no value."""
    for box in flow:
        if isinstance(box, boxes.TableRowBox):
            cells = [c for c in box.children if isinstance(c, boxes.TableCellBox)]
            tags = [c.element_tag for c in cells]
            if "th" in tags and any(c.element_tag == "td" and not _text(c.element) for c in cells):
                th = next(c for c in cells if c.element_tag == "th")
                yield f"the field {_text(th.element)!r} is printed with no value"


def _overflowing_cells(flow: list[Any]) -> Iterator[str]:
    """Text that runs past the right edge of its table cell into the next column."""
    for box in flow:
        if isinstance(box, boxes.TableCellBox):
            right = box.content_box_x() + box.width + box.padding_right
            for inner in _walk(box):
                text = inner.text.strip() if isinstance(inner, boxes.TextBox) else ""
                if text and inner.position_x + inner.width > right + 0.5:
                    yield f"the text {text!r} runs past its table cell"
