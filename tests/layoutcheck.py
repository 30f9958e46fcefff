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
    out.extend(f"{name} {p}" for p in _stranded_headings(pages))
    out.extend(f"{name} {p}" for p in _lonely_rows(pages))
    out.extend(f"{name} {p}" for p in _empty_columns(pages))
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


# Blocks a heading introduces: when one starts a page later than its heading, the heading (and
# any lead-in line) is stranded at the foot of the page before.
_BLOCKS = frozenset({"table", "ul", "ol", "svg", "img"})
# Lines of lead-in text (a "We reviewed the record against …" sentence) that may stand between
# a heading and its block without making the heading's page a page of its own section.
_LEAD_IN_LINES = 3


def _sequence(pages: list[Any]) -> list[tuple[int, Any, Any]]:
    """``(page number, box, element)`` for every in-flow box, in reading order."""
    out: list[tuple[int, Any, Any]] = []
    for number, page in enumerate(pages, start=1):
        out.extend((number, box, box.element) for box in _in_flow(page))
    return out


def _stranded_headings(pages: list[Any]) -> Iterator[str]:
    """A heading whose table or list starts on a later page than the heading itself.

    Round 2 looked only at whether a page's *last line* was a heading, so a heading followed by
    one lead-in sentence and then a table on the next page passed ("Medical-necessity
    criteria", then "We reviewed the record against …", then the table overleaf).
    """
    seq = _sequence(pages)
    seen: set[int] = set()
    for index, (number, _box, element) in enumerate(seq):
        tag = getattr(element, "tag", None)
        if tag not in HEADINGS or id(element) in seen:
            continue
        seen.add(id(element))
        lines_after = 0
        for later_number, box, later in seq[index + 1 :]:
            later_tag = getattr(later, "tag", None)
            if later is element:
                continue
            if later_tag in HEADINGS:
                break
            if later_tag in _BLOCKS:
                if later_number > number and lines_after <= _LEAD_IN_LINES:
                    yield (
                        f"page {number}: the heading {_text(element)!r} ends the page; "
                        f"its {later_tag} starts on page {later_number}"
                    )
                break
            if isinstance(box, boxes.LineBox) and later_number == number:
                lines_after += 1


def _lonely_rows(pages: list[Any]) -> Iterator[str]:
    """A table split over pages that leaves one body row alone on a page (the C-SSRS row of a
    measures table overleaf). Round 2 caught only a header row with no body row at all."""
    rows_on: dict[int, dict[int, int]] = {}
    names: dict[int, str] = {}
    for number, page in enumerate(pages, start=1):
        for box in _in_flow(page):
            if isinstance(box, boxes.TableBox):
                key = id(box.element)
                count = sum(
                    len(g.children)
                    for g in box.children
                    if isinstance(g, boxes.TableRowGroupBox) and not g.is_header
                )
                rows_on.setdefault(key, {})
                rows_on[key][number] = rows_on[key].get(number, 0) + count
                first = next((c for c in _walk(box) if isinstance(c, boxes.TableCellBox)), None)
                names.setdefault(key, _text(first.element) if first is not None else "")
    for key, per_page in rows_on.items():
        if len(per_page) < 2 or sum(per_page.values()) < 3:
            continue
        for number, count in per_page.items():
            if count == 1:
                yield (
                    f"page {number}: one row of the table headed {names[key]!r} stands alone, "
                    "split from the rest"
                )


def _empty_columns(pages: list[Any]) -> Iterator[str]:
    """A table column with a header and no value in any row (an empty "Example" column).
    Round 2 checked only key-value rows (a header cell beside an empty value)."""
    seen: set[int] = set()
    for page in pages:
        for box in _in_flow(page):
            if not isinstance(box, boxes.TableBox) or id(box.element) in seen:
                continue
            seen.add(id(box.element))
            table = box.element
            head = table.find(".//thead")
            body = table.find(".//tbody")
            if head is None or body is None:
                continue
            titles = [_text(th) for th in head.iter("th")]
            rows = [[_text(td) for td in tr.iter("td")] for tr in body.iter("tr")]
            rows = [r for r in rows if len(r) == len(titles)]
            if not rows:
                continue
            for column, title in enumerate(titles):
                if title and all(not r[column] for r in rows):
                    yield f"the column {title!r} is printed with no value in any row"
