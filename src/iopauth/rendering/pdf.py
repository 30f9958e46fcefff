"""HTML to PDF with WeasyPrint: a locked-down URL fetcher, shipped fonts, pinned output.

Determinism: the document date fixes the metadata dates (``dcterms.created`` in the HTML and
the attachment dates), the file identifier is a hash of the content, compression is pydyf's
fixed zlib level, and only the shipped fonts (always the same files) are laid out.

Speed: the font configuration and the ``@font-face`` stylesheet are built once per thread
and reused, and the shipped fonts are already small Latin subsets without hinting (about
22 kB each), so they are embedded whole instead of being subset again for every document;
subsetting is most of the time a naive WeasyPrint call spends on a letter. The cost: a
character outside the shipped subset falls back to a system font, embedded whole too.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import io
import mimetypes
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

with warnings.catch_warnings():
    # WeasyPrint warns at import when the system lacks libharfbuzz-subset (it then subsets
    # fonts with fontTools). That is a fact about the machine, not about a document.
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    import weasyprint
    from weasyprint.css import ColorProfile
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .._support.resources import asset_roots, fonts_dir, templates_dir
from ..errors import RenderError
from .layout_bounds import check_layout_input, install_page_cap, page_cap
from .options import Attachment, RenderOptions

FONT_FAMILY = "iopauth Open Sans"
#: Most pages one document may have; a real packet has a dozen or two. Past this the render
#: stops with RenderError instead of writing a runaway document.
MAX_PAGES = 100
install_page_cap()
_FONT_FILES = (
    ("OpenSans-Regular.ttf", "normal", "normal"),
    ("OpenSans-Bold.ttf", "bold", "normal"),
    ("OpenSans-Italic.ttf", "normal", "italic"),
    ("OpenSans-BoldItalic.ttf", "bold", "italic"),
)


class RefusedURLError(FatalURLFetchingError):  # type: ignore[misc]  # WeasyPrint is untyped
    """A document asked for a resource outside the packaged assets and named files."""


class AssetFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type information
    """Serves packaged assets, files the caller named, and ``data:`` URLs; refuses the rest.

    No network handler is ever called: :meth:`fetch` answers every URL itself, so an
    ``http:``, ``https:``, ``ftp:`` or unlisted ``file:`` URL raises :class:`RefusedURLError`
    before any request or file read happens.
    """

    def __init__(self, allowed_files: Iterable[Path] = ()) -> None:
        super().__init__(fail_on_errors=True)
        self._roots = asset_roots()
        self._files = frozenset(Path(p).resolve() for p in allowed_files)

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        """Answer ``url`` from the allowed sources, or raise :class:`RefusedURLError`."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return _data_response(url)
        if scheme == "file":
            path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
            if path in self._files or any(path.is_relative_to(root) for root in self._roots):
                try:
                    body = path.read_bytes()
                except OSError:
                    raise RefusedURLError("a packaged asset could not be read") from None
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body, {"Content-Type": media_type})
        raise RefusedURLError(f"refused a {scheme or 'relative'!r} URL outside the packaged assets")


def _data_response(url: str) -> URLFetcherResponse:
    header, _, payload = url[len("data:") :].partition(",")
    parts = header.split(";")
    media_type = parts[0] or "text/plain"
    try:
        body = (
            base64.b64decode(payload, validate=False)
            if "base64" in parts[1:]
            else unquote(payload).encode("utf-8")
        )
    except (binascii.Error, ValueError):
        raise RefusedURLError("a data: URL could not be decoded") from None
    return URLFetcherResponse(url, body, {"Content-Type": media_type})


def font_face_css() -> str:
    """``@font-face`` rules for the shipped family, pointing at the packaged files."""
    rules = []
    for filename, weight, style in _FONT_FILES:
        uri = (fonts_dir() / filename).resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{uri}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


class _Fonts(threading.local):
    """Per thread: WeasyPrint's font configuration is not shared across threads."""

    config: FontConfiguration | None = None
    stylesheet: weasyprint.CSS | None = None
    # document style sheets parsed so far, by their text (a user may override style.css)
    styles: dict[str, weasyprint.CSS]

    def __init__(self) -> None:
        self.styles = {}


_FONTS = _Fonts()


def _font_setup() -> tuple[FontConfiguration, weasyprint.CSS]:
    if _FONTS.config is None or _FONTS.stylesheet is None:
        config = FontConfiguration()
        _FONTS.stylesheet = weasyprint.CSS(
            string=font_face_css(), font_config=config, url_fetcher=AssetFetcher()
        )
        _FONTS.config = config
    return _FONTS.config, _FONTS.stylesheet


@contextmanager
def _weasyprint_errors() -> Iterator[None]:
    """Turn a refused URL or a layout failure into :class:`RenderError`."""
    try:
        yield
    except RefusedURLError as exc:
        raise RenderError(f"document resource refused: {exc}") from None
    except FatalURLFetchingError:
        raise RenderError("document resource refused") from None
    except RenderError:
        raise
    except Exception as exc:  # WeasyPrint raises many kinds; none may leak case data
        raise RenderError(f"layout failed ({type(exc).__name__})") from None


_MAX_STYLES = 8


def _style(css: str, config: FontConfiguration) -> weasyprint.CSS:
    """The parsed style sheet for ``css``, parsed once per thread."""
    parsed = _FONTS.styles.get(css)
    if parsed is None:
        if len(_FONTS.styles) >= _MAX_STYLES:
            _FONTS.styles.clear()
        parsed = weasyprint.CSS(
            string=css,
            base_url=templates_dir().as_uri() + "/",
            url_fetcher=AssetFetcher(),
            font_config=config,
        )
        _FONTS.styles[css] = parsed
    return parsed


def layout(
    html: str,
    options: RenderOptions,
    allowed_files: Sequence[Path] = (),
    css: str = "",
    *,
    max_pages: int = MAX_PAGES,
) -> Any:
    """Lay out ``html`` (with the style sheet ``css``) into a document with the shipped fonts.

    More than ``max_pages`` pages is a :class:`RenderError` (the packet's page numbers, one
    page for each page of the packet, pass the packet's count).
    """
    check_layout_input(html, css)  # elements, spans, breaks, CSS size and var() expansion
    config, stylesheet = _font_setup()
    fetcher = AssetFetcher(allowed_files)
    with _weasyprint_errors(), page_cap(max_pages):  # layout stops at page max_pages + 1
        sheets = [stylesheet, _style(css, config)] if css else [stylesheet]
        document = weasyprint.HTML(
            string=html, base_url=templates_dir().as_uri() + "/", url_fetcher=fetcher
        )
        laid_out = document.render(stylesheets=sheets, font_config=config, pdf_tags=options.tagged)
    if len(laid_out.pages) > max_pages:
        raise RenderError(f"the document has more than {max_pages} pages")
    return laid_out


# The order WeasyPrint lays out and draws a page's margin boxes in (make_margin_boxes in
# weasyprint/layout/page.py): the top, bottom, left and right sides, then the four corners.
# Text extraction follows the drawing order, so an added box goes where WeasyPrint puts it.
_MARGIN_BOXES = (
    *(f"@{side}-{at}" for side in ("top", "bottom") for at in ("left", "center", "right")),
    *(f"@{side}-{at}" for side in ("left", "right") for at in ("top", "middle", "bottom")),
    *(f"@{corner}-corner" for corner in ("top-left", "top-right", "bottom-left", "bottom-right")),
)


def with_margin_box(page: Any, source: Any, at_keyword: str) -> Any:
    """A copy of the laid-out ``page`` that also draws the margin box ``at_keyword`` of the
    laid-out page ``source`` (``page`` unchanged when ``source`` has no such box).

    Nothing is laid out: the box keeps its place on ``source``, moved by half the difference
    in page width for a centre box (all of it for a right one) and the difference in height
    for a bottom one, should the pages' sizes differ. It takes the place of a box ``page``
    already has there, in WeasyPrint's drawing order. ``page`` and its boxes stay as they
    are, so the document it came from writes the same bytes afterwards.
    """
    from weasyprint.formatting_structure.boxes import MarginBox

    box = next(
        (c for c in source._page_box.children if getattr(c, "at_keyword", None) == at_keyword),
        None,
    )
    if box is None:
        return page
    dx, dy = page.width - source.width, page.height - source.height
    if dx or dy:
        box = box.deepcopy()
        across = 0.5 if "-center" in at_keyword else 1.0 if "right" in at_keyword else 0.0
        down = 0.5 if "-middle" in at_keyword else 1.0 if "bottom" in at_keyword else 0.0
        box.translate(dx * across, dy * down)
    rank = _MARGIN_BOXES.index(at_keyword)
    children = [c for c in page._page_box.children if getattr(c, "at_keyword", None) != at_keyword]
    at = next(
        (
            i
            for i, child in enumerate(children)
            if isinstance(child, MarginBox) and _MARGIN_BOXES.index(child.at_keyword) > rank
        ),
        len(children),
    )
    children.insert(at, box)
    page_box = page._page_box.copy()  # not copy_with_children: it resets the original's sides
    page_box.children = tuple(children)
    numbered = copy.copy(page)
    numbered._page_box = page_box
    return numbered


def combine(first: Any, pages: list[Any], title: str) -> Any:
    """One document of already laid-out ``pages`` (of several documents), titled ``title``.

    Nothing is laid out again: WeasyPrint writes the pages as they are, with the fonts,
    colour profiles and metadata of ``first`` (the metadata copied, so ``first`` is unchanged).
    """
    metadata = copy.copy(first.metadata)
    metadata.title = title
    return type(first)(
        pages,
        metadata,
        first.url_fetcher,
        first.font_config,
        dict(first.color_profiles),
        first.output_intent,
    )


def _variant(options: RenderOptions) -> str | None:
    if options.archival:
        return "pdf/a-3a" if options.tagged else "pdf/a-3b"
    if options.tagged:
        return "pdf/ua-1"
    return None


# PDF/A-3a carries the tags; this adds the PDF/UA-1 identification beside it.
_PDFUA_XMP = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" '
    b'pdfuaid:part="1"/></rdf:RDF>'
)


_INTENT = "iopauth-srgb"


@cache
def _srgb_profile() -> bytes:
    """The sRGB ICC profile WeasyPrint ships."""
    return resources.files("weasyprint.pdf").joinpath("sRGB2014.icc").read_bytes()


def write(
    document: Any,
    options: RenderOptions,
    doc_date: date,
    attachments: Sequence[Attachment] = (),
) -> bytes:
    """The PDF bytes of a laid-out document, with pinned metadata and options."""
    stamp = datetime(doc_date.year, doc_date.month, doc_date.day)
    pdf_attachments = [
        weasyprint.Attachment(
            file_obj=io.BytesIO(a.data),
            name=a.name,
            description=a.description,
            created=stamp,
            modified=stamp,
            relationship="Data",
        )
        for a in attachments
    ]
    variant = _variant(options)
    intent = None
    if options.archival:
        # PDF/A needs an output intent. WeasyPrint's own "srgb" intent leaves its ICC file
        # open; this registers the same profile, read and closed here, under our own key.
        document.color_profiles[_INTENT] = ColorProfile(
            io.BytesIO(_srgb_profile()),
            "sRGB2014.icc",
            "relative-colorimetric",
            (["r"], ["g"], ["b"]),
        )
        document.output_intent = intent = _INTENT
    with _weasyprint_errors():
        pdf: bytes = document.write_pdf(
            pdf_variant=variant,
            pdf_tags=options.tagged,
            # pydyf would serialize (and compress) every object a second time to hash it
            pdf_identifier=False,
            attachments=pdf_attachments or None,
            xmp_metadata=[io.BytesIO(_PDFUA_XMP)] if variant == "pdf/a-3a" else None,
            output_intent=intent,
            full_fonts=True,
            uncompressed_pdf=False,
        )
    return _with_identifier(pdf)


def _with_identifier(pdf: bytes) -> bytes:
    """``pdf`` with a file identifier in its trailer: the MD5 of the bytes written so far.

    The entry goes into the dictionary of the last cross-reference section (stream or
    table), which begins at the offset ``startxref`` names; no offset before it moves.
    """
    digest = hashlib.md5(pdf, usedforsecurity=False).hexdigest().encode()
    entry = b"/ID [(" + digest + b") (" + digest + b")]\n"
    xref_at = int(pdf[pdf.rindex(b"startxref") + len(b"startxref") :].split()[0])
    start = pdf.index(b"trailer", xref_at) if pdf.startswith(b"xref", xref_at) else xref_at
    head = pdf.index(b"<<", start) + 2
    return pdf[:head] + entry + pdf[head:]


def page_count(data: bytes) -> int:
    """The number of pages of a PDF."""
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def splice(packet: bytes, form: bytes, at: int) -> bytes:
    """``packet`` with every page of ``form`` inserted before its page ``at`` (0-based).

    pypdf copies the form's pages (and, for an editable form, its fields) into a copy of the
    packet; the packet's own metadata and identifier stay as WeasyPrint wrote them.
    """
    import pypdf

    from ..forms._pdf import pypdf_records

    with pypdf_records():  # pypdf's warnings stay out of the caller's logs
        writer = pypdf.PdfWriter(clone_from=io.BytesIO(packet))
        writer.merge(at, io.BytesIO(form), import_outline=False)
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()
