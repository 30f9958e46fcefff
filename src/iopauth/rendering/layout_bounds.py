"""Bounds on what WeasyPrint lays out: the HTML and CSS checked before layout, pages during it.

A user template inside every Jinja limit can still ask WeasyPrint for hours of work: 25,000
page breaks, ``colspan=1000000``, ``grid-template-columns: repeat(100000, …)``, a custom
property that doubles at each of twenty ``var()`` levels. :func:`check_layout_input` refuses
such a document before layout starts, and :func:`page_cap` stops layout as soon as it passes
the page limit instead of checking the count afterwards. Every limit is far above what the
shipped documents use (a few hundred elements, spans of 2, no custom properties).
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any

from ..errors import RenderError

__all__ = [
    "MAX_COLSPAN",
    "MAX_CSS_CHARS",
    "MAX_ELEMENTS",
    "MAX_PAGE_BREAKS",
    "MAX_REPEAT",
    "MAX_ROWSPAN",
    "MAX_VAR_EXPANSION",
    "check_layout_input",
    "install_page_cap",
    "page_cap",
]

#: Most HTML elements in one document (the longest shipped letter has about 400).
MAX_ELEMENTS = 20_000
#: Largest ``colspan`` (the shipped tables span 2 columns at most).
MAX_COLSPAN = 100
#: Largest ``rowspan``.
MAX_ROWSPAN = 1_000
#: Most page breaks written in the document's HTML and CSS (``break-before: page``, …).
MAX_PAGE_BREAKS = 200
#: Most characters of CSS in all: style sheets, ``<style>`` blocks and ``style`` attributes.
MAX_CSS_CHARS = 512 * 1024
#: Largest count in a CSS ``repeat()`` (grid tracks).
MAX_REPEAT = 100
#: Longest a custom property may grow once every ``var()`` in it is expanded (characters).
MAX_VAR_EXPANSION = 100_000

_BREAK = re.compile(
    r"(?:page-)?break-(?:before|after)\s*:\s*(?:page|always|left|right|recto|verso)"
)
_REPEAT = re.compile(r"repeat\(\s*([0-9]+)")
_SPAN = re.compile(r"\s*\+?0*([0-9]+)")
_CUSTOM = re.compile(r"(--[A-Za-z0-9_-]+)\s*:\s*([^;{}]*)")
_VAR = re.compile(r"var\(\s*(--[A-Za-z0-9_-]+)")


class _Counter(HTMLParser):
    """Counts elements and checks spans as the HTML streams by; gathers the CSS it holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements = 0
        self.css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise RenderError(f"the document has more than {MAX_ELEMENTS} elements")
        for name, value in attrs:
            if name in ("colspan", "rowspan"):
                limit = MAX_COLSPAN if name == "colspan" else MAX_ROWSPAN
                # HTML's rule for non-negative integers: blanks, an optional '+', digits
                found = _SPAN.match(value or "")
                if found and (len(found[1]) > 9 or int(found[1]) > limit):
                    raise RenderError(f"a table cell has a {name} over {limit}")
            elif name == "style" and value:
                self.css.append(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append(data)


def _expansions(css: str) -> None:
    """Refuse a custom property whose ``var()`` expansion passes :data:`MAX_VAR_EXPANSION`."""
    values: dict[str, list[str]] = {}
    for name, value in _CUSTOM.findall(css):
        values.setdefault(name, []).append(value)
    if not values:
        return
    sizes: dict[str, int] = {}

    def size(name: str, stack: tuple[str, ...]) -> int:
        if name in sizes:
            return sizes[name]
        if name in stack:
            raise RenderError("a CSS custom property refers to itself")
        biggest = 0
        for value in values.get(name, ()):
            total = len(_VAR.sub("", value))
            for ref in _VAR.findall(value):
                total += size(ref, (*stack, name))
                if total > MAX_VAR_EXPANSION:
                    raise RenderError(
                        f"a CSS custom property expands past {MAX_VAR_EXPANSION} characters"
                    )
            biggest = max(biggest, total)
        sizes[name] = biggest
        return biggest

    for name in values:
        size(name, ())


def check_layout_input(html: str, css: str = "") -> None:
    """Refuse ``html`` (with the style sheet ``css``) that would cost layout unbounded work.

    Raises :class:`RenderError` naming the limit: elements, a span, page breaks, the amount
    of CSS, a ``repeat()`` count, a custom property's expansion. Never quotes the document.
    """
    counter = _Counter()
    counter.feed(html)
    counter.close()
    styles = "\n".join([css, *counter.css])
    if len(styles) > MAX_CSS_CHARS:
        raise RenderError(f"the document holds more than {MAX_CSS_CHARS} characters of CSS")
    breaks = len(_BREAK.findall(styles))
    if breaks > MAX_PAGE_BREAKS:
        raise RenderError(f"the document asks for more than {MAX_PAGE_BREAKS} page breaks")
    for count in _REPEAT.findall(styles):
        if len(count) > 6 or int(count) > MAX_REPEAT:
            raise RenderError(f"a CSS repeat() asks for more than {MAX_REPEAT} tracks")
    _expansions(styles)


# --- the page cap during layout -------------------------------------------------------------

_CAP: contextvars.ContextVar[int | None] = contextvars.ContextVar("iopauth_page_cap", default=None)


@contextmanager
def page_cap(pages: int) -> Iterator[None]:
    """Within this block, WeasyPrint's layout stops with :class:`RenderError` as soon as it
    makes page ``pages + 1`` (see :func:`install_page_cap`)."""
    token = _CAP.set(pages)
    try:
        yield
    finally:
        _CAP.reset(token)


def install_page_cap() -> None:
    """Wrap WeasyPrint's page maker once so that :func:`page_cap` applies (idempotent).

    Outside a :func:`page_cap` block the wrapper changes nothing, so other users of WeasyPrint
    in the process are not affected.
    """
    import weasyprint.layout as wl

    original = wl.make_all_pages
    if getattr(original, "_iopauth_capped", False):
        return

    def make_all_pages(context: Any, root_box: Any, html: Any, pages: Any) -> Iterator[Any]:
        cap = _CAP.get()
        for number, page in enumerate(original(context, root_box, html, pages), start=1):
            if cap is not None and number > cap:
                raise RenderError(f"the document has more than {cap} pages")
            yield page

    make_all_pages._iopauth_capped = True  # type: ignore[attr-defined]
    wl.make_all_pages = make_all_pages
