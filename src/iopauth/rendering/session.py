"""The render session: one case, its determination, options and template folders, with each
document laid out once.

A :class:`Session` evaluates the case at most once per review, writes each document's HTML
from its template context, lays each document out once, and assembles the packet and its fax
cover from the parts' already laid-out pages, so no part is laid out twice and the cover's
page count is the count of those very pages. The packet's own page numbers ("Packet page 3
of 12") are laid out once on empty pages (``partials/packet-numbers.html.j2``) and drawn onto
the parts' pages (:func:`iopauth.rendering.pdf.with_margin_box`). The public functions in
:mod:`iopauth.rendering.render` check their arguments and make a session.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from ..criteria import default_criteria, default_review, evaluate
from ..criteria.result import Determination, Outcome, Review
from ..errors import RenderError
from ..model import Case, RequestKind
from .context import build_context, draft_items
from .embedded import case_attachments
from .environment import environment, render_template
from .language import ENGLISH, Language, document_language, reader_language, warn_fallback
from .options import RenderOptions
from .parts import (
    ENCLOSURES,
    LETTERS,
    ORIGINAL_REQUEST,
    PAYER_FORM,
    PAYER_QUESTIONNAIRE,
    check_form_kind,
    letter_parts,
    packet_parts,
)
from .payer import appealed_decision, authorization_view, decision_view
from .summary import crisis_line, payer_record

if TYPE_CHECKING:
    from ..authorization import Authorization, Decision

__all__ = ["Session"]


# Documents that show criteria findings; the others never evaluate the case.
_EVALUATED = LETTERS | {"checklist", "original-request"}
# The template a packet part is written from, where it is not the part's own name.
_TEMPLATES = {ORIGINAL_REQUEST: "request-letter"}
# A cover states the packet's page count; a cover longer than one page needs one more layout.
_MAX_COVER_LAYOUTS = 3
# Where partials/base.html.j2 puts the packet's page number, and the page that holds them.
_PACKET_NUMBER = "@bottom-center"
_NUMBERS = "partials/packet-numbers.html.j2"


def _document_date(case: Case, options: RenderOptions) -> date:
    return options.document_date or case.request.request_date


class Session:
    """One case, determination, options and template folders: each document laid out once.

    ``authorization`` and ``decision`` are the payer's records (already checked against the
    case): the concurrent review reads the authorization, the appeal the decision (or the
    latest denial in the authorization's reviews).
    """

    def __init__(
        self,
        case: Case,
        determination: Determination | None,
        options: RenderOptions,
        dirs: tuple[str, ...],
        *,
        authorization: Authorization | None = None,
        decision: Decision | None = None,
    ) -> None:
        self.case = case
        self.given = determination
        self.options = options
        self.dirs = dirs
        self.authorization = authorization
        self.decision = decision
        self.given_decision = decision  # the caller's, before an authorization's denial
        if decision is None and authorization is not None:
            self.decision = appealed_decision(authorization)
        self._determinations: dict[Review, Determination] = {}
        self._layouts: dict[str, Any] = {}
        self._cover: tuple[Any, int] | None = None
        self._cover_context: dict[str, Any] = {}
        self._numbers: Any = None
        self._form: tuple[bytes, int] | None = None
        self._mapping: Any = None
        self._languages: dict[str, Language] = {}

    def determination(self, document: str) -> Determination | None:
        """The determination ``document`` shows: the caller's, or the default set evaluated."""
        if document not in _EVALUATED:
            return None
        if self.given is not None:
            return self.given
        review = Review.CONTINUED if document == "concurrent-review" else default_review(self.case)
        if review not in self._determinations:
            self._determinations[review] = evaluate(
                self.case,
                criteria=default_criteria(self.case),
                review=review,
                as_of=_document_date(self.case, self.options),
            )
        return self._determinations[review]

    def language(self, document: str) -> Language:
        """The language ``document`` is written in: the patient summary in the patient's (or
        the options'), every other document in English; a fallback warns once per session."""
        name = _TEMPLATES.get(document, document)
        if name not in self._languages:
            requested, preferred = self.options.language, reader_language(self.case)
            self._languages[name] = document_language(name, requested, preferred)
            warn_fallback(self._languages[name])
        return self._languages[name]

    def part_case(self, document: str) -> Case:
        """The case as ``document`` tells it; the original request predates the appeal."""
        if document != ORIGINAL_REQUEST:
            return self.case
        request = attrs.evolve(self.case.request, kind=RequestKind.INITIAL, denial=None)
        return attrs.evolve(self.case, request=request)

    def is_draft(self, document: str) -> bool:
        """True when ``document`` argues for a request its determination does not support."""
        if self.options.final:
            return False
        if document == "patient-summary":
            # the summary of a request whose letter is a draft is a draft too
            return self.is_draft(letter_parts(self.case, self.options)[0])
        if document in ("packet", "fax-cover", ENCLOSURES, ORIGINAL_REQUEST, PAYER_QUESTIONNAIRE):
            # every page of a packet that holds a draft letter is marked, the cover included;
            # a payer form in the letter's place makes the packet no less a draft
            parts = letter_parts(self.case, self.options)
            return any(self.is_draft(p) for p in parts if p in LETTERS)
        found = self.determination(document)
        return document in LETTERS and found is not None and found.outcome is not Outcome.MEETS

    def context(
        self, document: str, *, inline_style: bool, total_pages: int | None = None
    ) -> dict[str, Any]:
        """The template context of ``document`` (a part of a packet included).

        A packet part's context is the part's own: its pages get their packet numbers after
        layout (:meth:`packet`). The cover's (and the packet's) hold ``total_pages``, the
        packet's count, and number the cover's pages across the packet.
        """
        determination = self.determination(document)
        extra: dict[str, Any] = {
            "inline_style": inline_style,
            "draft": self.is_draft(document),
            "draft_items": draft_items(determination) if self.is_draft(document) else (),
            "original_copy": document == ORIGINAL_REQUEST,
            "packet_parts": packet_parts(self.case, self.options),
            "lang": self.language(document).tag,
        }
        if document in ("fax-cover", "packet"):
            extra["total_pages"] = self.cover()[1] if total_pages is None else total_pages
            extra["form_title"] = self._form_title()
            extra["packet_total"] = extra["total_pages"]
            extra["packet_first"] = 0
        extra.update(self._payer_context(document))
        if document == "patient-summary":
            extra.update(self._summary_context())
        name = _TEMPLATES.get(document, document)
        return build_context(self.part_case(document), name, determination, self.options, extra)

    def _payer_context(self, document: str) -> dict[str, Any]:
        """What the payer's records add: the authorization (concurrent review), the decision
        appealed (appeal letter, and the cover's reference)."""
        out: dict[str, Any] = {}
        auth = self.authorization
        if auth is not None and document == "concurrent-review":
            out["authorized"] = authorization_view(auth, _document_date(self.case, self.options))
        if self.decision is not None and document != ORIGINAL_REQUEST:
            out["appealed"] = decision_view(self.case, self.decision)
        if document == ORIGINAL_REQUEST:  # the copy predates the questionnaire sent now
            out["questionnaire"] = None
        reference = self.case.request.authorization_number
        if reference is None and auth is not None:
            reference = auth.authorization_number
        if reference is None and out.get("appealed") is not None:
            reference = out["appealed"].reference
        if reference is not None:
            out["payer_reference"] = reference
        return out

    def _summary_context(self) -> dict[str, Any]:
        """The patient summary's facts: the payer's answer, whether the request is ready
        (its letter is not a draft: a draft summary is marked and says no request is made
        yet) and whether it gives the 988 crisis line (:mod:`iopauth.rendering.summary`)."""
        return {
            "payer": payer_record(self.case, self.authorization, self.given_decision),
            "request_ready": not self.is_draft("patient-summary"),
            "crisis_line": crisis_line(self.case),
        }

    def html(self, document: str, *, inline_style: bool = True) -> str:
        """The HTML of one document (or packet part)."""
        if document == "packet":
            # the payer form is PDF pages, not HTML: the packet's HTML leaves it out
            parts = ["fax-cover", *self._html_parts()]
            return _join_html([self.html(p, inline_style=inline_style) for p in parts])
        name = _TEMPLATES.get(document, document)
        context = self.context(document, inline_style=inline_style)
        env = environment(self.dirs, self.language(document))
        return render_template(env, f"{name}.html.j2", context)

    def layout(self, document: str) -> Any:
        """``document`` laid out, once per session."""

        if document == "fax-cover":
            return self.cover()[0]
        if document not in self._layouts:
            name = _TEMPLATES.get(document, document)
            context = self.context(document, inline_style=False)
            language = self.language(document)
            self._layouts[document] = self._lay_out(f"{name}.html.j2", context, language)
        return self._layouts[document]

    def _lay_out(
        self,
        template: str,
        context: dict[str, Any],
        language: Language = ENGLISH,
        max_pages: int | None = None,
    ) -> Any:
        """``template`` written from ``context`` and laid out with the style sheet."""
        from . import pdf

        env = environment(self.dirs, language)
        html = render_template(env, template, context)
        css = render_template(env, "partials/style.css", context)
        pages = max_pages or pdf.MAX_PAGES
        return pdf.layout(html, self.options, self.options.assets, css, max_pages=pages)

    def packet_numbers(self) -> Any:
        """The packet's page numbers after the cover laid out alone, once per session: page i
        of this document is empty but for the number of the page after the cover's i pages,
        in the margin where the cover has its own."""
        if self._numbers is None:
            cover, total = self.cover()
            first = len(cover.pages)
            # the cover's context holds the packet's count; draft marks are not numbers
            context = dict(self._cover_context, packet_first=first, draft=False)
            context["document"] = "packet-numbers"
            self._numbers = self._lay_out(_NUMBERS, context, max_pages=total - first)
        return self._numbers

    def _html_parts(self) -> list[str]:
        return [p for p in packet_parts(self.case, self.options) if p != PAYER_FORM]

    def _form_mapping(self) -> Any:
        """The payer form's mapping, read once (a path is loaded and checked here)."""
        from ..forms import FormMapping, load_mapping

        chosen = self.options.form
        if chosen is None:
            raise RenderError("RenderOptions.form: no payer form given")
        if self._mapping is None:
            mapping = (
                chosen.mapping
                if isinstance(chosen.mapping, FormMapping)
                else load_mapping(chosen.mapping)
            )
            check_form_kind(mapping, self.case)
            self._mapping = mapping
        return self._mapping

    def form(self) -> tuple[bytes, int]:
        """The payer form filled from the case (once per session), and its page count."""
        if self._form is None:
            from ..forms import fill
            from . import pdf

            chosen = self.options.form
            if chosen is None:
                raise RenderError("RenderOptions.form: no payer form given")
            letter = letter_parts(self.case, self.options)[0]
            data = fill(
                self.case,
                chosen.pdf,
                self._form_mapping(),
                self.determination(letter),
                flatten=chosen.flatten,
            )
            self._form = (data, pdf.page_count(data))
        return self._form

    def _form_title(self) -> str:
        """How the cover names the payer form: its mapping's title, else in general words."""
        if self.options.form is None:
            return ""
        title: str = self._form_mapping().title
        return title or "The payer's prior authorization form"

    def _pages(self, part: str) -> int:
        return self.form()[1] if part == PAYER_FORM else len(self.layout(part).pages)

    def page_count(self) -> int:
        """Pages of the packet's parts after the cover (the payer form's pages included)."""
        return sum(self._pages(p) for p in packet_parts(self.case, self.options))

    def cover(self) -> tuple[Any, int]:
        """The fax cover laid out with the packet's real page count, and that count."""
        if self._cover is None:
            rest = self.page_count()
            cover_pages = 1
            for _ in range(_MAX_COVER_LAYOUTS):
                total = rest + cover_pages
                context = self.context("fax-cover", inline_style=False, total_pages=total)
                laid_out = self._lay_out("fax-cover.html.j2", context)
                if len(laid_out.pages) == cover_pages:
                    self._cover, self._cover_context = (laid_out, total), context
                    break
                cover_pages = len(laid_out.pages)
            else:
                raise RenderError("the fax cover's page count did not settle")
        return self._cover

    def packet(self) -> Any:
        """The cover and the parts' pages combined into one document, nothing laid out again:
        each part's pages as laid out alone, with the packet's page number drawn on."""
        from . import pdf

        cover = self.cover()[0]
        pages = list(cover.pages)
        numbers = self.packet_numbers().pages  # numbers[0] is the first page after the cover
        offset = 0
        for part in packet_parts(self.case, self.options):
            if part == PAYER_FORM:  # spliced in after writing; its pages are counted
                offset += self.form()[1]
                continue
            for page in self.layout(part).pages:
                pages.append(pdf.with_margin_box(page, numbers[offset], _PACKET_NUMBER))
                offset += 1
        return pdf.combine(cover, pages, "Prior authorization fax packet")

    def pdf(self, document: str) -> bytes:
        """The PDF bytes of ``document``."""
        from . import pdf

        laid_out = self.packet() if document == "packet" else self.layout(document)
        attachments = case_attachments(self.case, document, self.options)
        data: bytes = pdf.write(
            laid_out, self.options, _document_date(self.case, self.options), attachments
        )
        parts = packet_parts(self.case, self.options)
        if document == "packet" and PAYER_FORM in parts:
            at = len(self.cover()[0].pages) + sum(
                self._pages(p) for p in parts[: parts.index(PAYER_FORM)]
            )
            data = pdf.splice(data, self.form()[0], at)
        return data


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)


def _join_html(htmls: list[str]) -> str:
    """One HTML page holding the bodies of ``htmls`` in order, each from a new page."""
    first = htmls[0]
    match = _BODY.search(first)
    if match is None:
        raise RenderError("a packet part's template has no <body> element")
    bodies = []
    for index, html in enumerate(htmls):
        found = _BODY.search(html)
        if found is None:
            raise RenderError("a packet part's template has no <body> element")
        bodies.append(found.group(1) if index == 0 else f'<div class="part">{found.group(1)}</div>')
    return first[: match.start(1)] + "".join(bodies) + first[match.end(1) :]
