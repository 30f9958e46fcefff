"""``render`` and ``render_html``: a case (and its determination) to a document."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from ..criteria import default_criteria, default_review, evaluate
from ..criteria.result import Determination, Review
from ..errors import RenderError
from ..model import Case, RequestKind
from ..validity import validate_case
from .context import build_context
from .environment import environment, normalize_dirs, render_template
from .options import Attachment, RenderOptions

DOCUMENTS = (
    "request-letter",
    "checklist",
    "concurrent-review",
    "appeal-letter",
    "fax-cover",
    "patient-summary",
    "packet",
)
# Documents that show criteria findings; the others never evaluate the case.
_EVALUATED = frozenset(
    {"request-letter", "checklist", "concurrent-review", "appeal-letter", "packet"}
)
# A cover states the packet's page count; the count settles in at most a few layouts.
_MAX_LAYOUTS = 4


def documents() -> tuple[str, ...]:
    """The names of the documents iopauth renders."""
    return DOCUMENTS


def _document_date(case: Case, options: RenderOptions) -> date:
    return options.document_date or case.request.request_date


def _determination(
    case: Case, document: str, determination: Determination | None, options: RenderOptions
) -> Determination | None:
    if determination is not None or document not in _EVALUATED:
        return determination
    review = Review.CONTINUED if document == "concurrent-review" else default_review(case)
    result: Determination = evaluate(
        case, criteria=default_criteria(case), review=review, as_of=_document_date(case, options)
    )
    return result


def _check_document(document: str, case: Case) -> None:
    if document not in DOCUMENTS:
        raise RenderError(f"unknown document {document!r}; choose one of {', '.join(DOCUMENTS)}")
    if document == "appeal-letter" and case.request.denial is None:
        # an appeal answers a decision; without one the letter would have nothing true to say
        raise RenderError("appeal-letter needs the decision it appeals: record $.request.denial")


def applicable_documents(case: Case) -> tuple[str, ...]:
    """The documents that fit ``case``: the appeal letter only with a recorded denial, the
    concurrent review only for a concurrent or extension request."""
    skip = set()
    if case.request.denial is None:
        skip.add("appeal-letter")
    if case.request.kind not in (RequestKind.CONCURRENT, RequestKind.EXTENSION):
        skip.add("concurrent-review")
    return tuple(d for d in DOCUMENTS if d not in skip)


def _html(
    case: Case,
    document: str,
    determination: Determination | None,
    options: RenderOptions,
    dirs: tuple[str, ...],
    *,
    extra: dict[str, Any] | None = None,
) -> str:
    context = build_context(case, document, determination, options, extra)
    return render_template(environment(dirs), f"{document}.html.j2", context)


def _pdf_html(
    case: Case,
    document: str,
    determination: Determination | None,
    options: RenderOptions,
    dirs: tuple[str, ...],
    *,
    total_pages: int | None = None,
) -> tuple[str, str]:
    """The HTML without its inline style sheet, and that style sheet, for layout."""
    extra = {"inline_style": False, "total_pages": total_pages}
    context = build_context(case, document, determination, options, extra)
    env = environment(dirs)
    html = render_template(env, f"{document}.html.j2", context)
    return html, render_template(env, "partials/style.css", context)


def render_html(
    case: Case,
    document: str = "request-letter",
    determination: Determination | None = None,
    options: RenderOptions | None = None,
    template_dirs: Iterable[str | Path] = (),
) -> str:
    """The HTML of ``document`` for ``case``, before layout.

    ``template_dirs`` are searched before the shipped templates, so a file of the same name
    (``request-letter.html.j2``, ``partials/letterhead.html.j2``, …) replaces ours. When
    ``determination`` is ``None``, documents that show criteria evaluate the case against
    :func:`default_criteria`. Raises :class:`RenderError` for an unknown document or a
    template that fails, :class:`~iopauth.errors.InvalidCaseError` for a case that breaks a
    rule of the case format (see :func:`iopauth.validate_case`); no message carries case data.
    """
    validate_case(case)
    _check_document(document, case)
    options = options or RenderOptions()
    dirs = normalize_dirs(template_dirs)
    determination = _determination(case, document, determination, options)
    if document in ("fax-cover", "packet"):
        total = _packet_pages(case, determination, options, dirs)
        return _html(case, document, determination, options, dirs, extra={"total_pages": total})
    return _html(case, document, determination, options, dirs)


def render(
    case: Case,
    document: str = "request-letter",
    determination: Determination | None = None,
    options: RenderOptions | None = None,
    template_dirs: Iterable[str | Path] = (),
) -> bytes:
    """``document`` for ``case`` as PDF bytes; the same inputs give the same bytes.

    Arguments as for :func:`render_html`; ``options`` chooses paper, PDF/A-3 (with the case
    embedded as JSON), PDF/UA tagging, the document date and a letterhead.
    """
    from . import pdf

    validate_case(case)
    _check_document(document, case)
    options = options or RenderOptions()
    dirs = normalize_dirs(template_dirs)
    determination = _determination(case, document, determination, options)
    if document in ("fax-cover", "packet"):
        laid_out = _packet_layout(case, document, determination, options, dirs)
    else:
        html, css = _pdf_html(case, document, determination, options, dirs)
        laid_out = pdf.layout(html, options, options.assets, css)
    attachments = _attachments(case, options) if options.archival else ()
    return pdf.write(laid_out, options, _document_date(case, options), attachments)


def _packet_pages(
    case: Case,
    determination: Determination | None,
    options: RenderOptions,
    dirs: tuple[str, ...],
) -> int:
    """The real page count of the packet, its cover stating that same count."""
    return len(_packet_layout(case, "packet", determination, options, dirs).pages)


def _packet_layout(
    case: Case,
    document: str,
    determination: Determination | None,
    options: RenderOptions,
    dirs: tuple[str, ...],
) -> Any:
    """Lay out the packet until the count on its cover equals its pages; then ``document``."""
    from . import pdf

    total: int | None = None
    for _ in range(_MAX_LAYOUTS):
        html, css = _pdf_html(case, "packet", determination, options, dirs, total_pages=total)
        laid_out = pdf.layout(html, options, options.assets, css)
        pages = len(laid_out.pages)
        if pages == total:
            break
        total = pages
    else:
        raise RenderError("the packet's page count did not settle")
    if document == "packet":
        return laid_out
    html, css = _pdf_html(case, document, determination, options, dirs, total_pages=total)
    return pdf.layout(html, options, options.assets, css)


def _attachments(case: Case, options: RenderOptions) -> tuple[Attachment, ...]:
    from ..serialize import dump_case

    data = json.dumps(dump_case(case), sort_keys=True, ensure_ascii=False, indent=2)
    case_file = Attachment(
        name="case.json",
        data=data.encode("utf-8"),
        media_type="application/json",
        description="The iopauth case this document was rendered from",
    )
    return (case_file, *options.attachments)
