"""Which documents iopauth writes, which of them fit a case, what a fax packet holds, and
whether a payer form fits the request (check_form_kind).

A fax packet is what goes to the payer for the request's kind (:func:`packet_parts`): an
initial request sends the request letter and the list of enclosures, a continued-stay request
the concurrent review, an appeal the appeal letter (and the original request when asked for).
The staff checklist never goes in a packet. A payer form given in the options follows the
packet's letter or takes its place; a payer questionnaire given in the options (its answers,
:class:`~iopauth.rendering.options.PayerQuestionnaire`) follows them, before the list of
enclosures.
"""

from __future__ import annotations

from typing import Any

from .._support.document_names import DOCUMENTS
from ..errors import RenderError
from ..model import Case, RequestKind
from .options import FormPlacement, RenderOptions

__all__ = [
    "ENCLOSURES",
    "LETTERS",
    "ORIGINAL_REQUEST",
    "PAYER_FORM",
    "PAYER_QUESTIONNAIRE",
    "applicable_documents",
    "check_document",
    "check_form_kind",
    "documents",
    "letter_parts",
    "packet_parts",
]


# Letters that argue for the request: a draft unless the determination meets (or final=True).
LETTERS = frozenset({"request-letter", "concurrent-review", "appeal-letter"})
# Parts of a packet that are not documents of their own: the list of enclosures, and the
# original request letter enclosed with an appeal.
ENCLOSURES = "enclosures"
ORIGINAL_REQUEST = "original-request"
# The payer's own form filled from the case (RenderOptions.form): PDF pages spliced into the
# written packet, never laid out by WeasyPrint.
PAYER_FORM = "payer-form"
# The payer's questionnaire as answered (RenderOptions.questionnaire): a page of its own,
# after the letter and the payer form, before the list of enclosures.
PAYER_QUESTIONNAIRE = "payer-questionnaire"
_CONTINUING = (RequestKind.CONCURRENT, RequestKind.EXTENSION)


def documents() -> tuple[str, ...]:
    """The names of the documents iopauth renders."""
    return DOCUMENTS


def _refusal(document: str, case: Case) -> str | None:
    """Why ``document`` does not fit ``case``, or ``None`` when it does."""
    kind = case.request.kind
    if document == "appeal-letter" and case.request.denial is None:
        # an appeal answers a decision; without one the letter would have nothing true to say
        return "appeal-letter needs the decision it appeals: record $.request.denial"
    if document == "concurrent-review" and kind not in _CONTINUING:
        return (
            "concurrent-review fits a concurrent or extension request; "
            f"$.request.kind is {kind.value}"
        )
    if document == "request-letter" and kind is RequestKind.APPEAL:
        return (
            "request-letter is not offered for an appeal: render appeal-letter, or the packet "
            "with RenderOptions(original_request=True) to enclose the original request"
        )
    if document in ("packet", "fax-cover") and kind is RequestKind.APPEAL:
        return _refusal("appeal-letter", case)
    return None


def check_document(document: str, case: Case) -> None:
    if document not in DOCUMENTS:
        raise RenderError(f"unknown document {document!r}; choose one of {', '.join(DOCUMENTS)}")
    reason = _refusal(document, case)
    if reason is not None:
        raise RenderError(reason)


def applicable_documents(case: Case) -> tuple[str, ...]:
    """The documents that fit ``case``: the appeal letter only with a recorded denial, the
    concurrent review only for a concurrent or extension request, the request letter not for
    an appeal (the packet and cover only when their letter fits)."""
    return tuple(d for d in DOCUMENTS if _refusal(d, case) is None)


def letter_parts(case: Case, options: RenderOptions) -> tuple[str, ...]:
    """The packet's parts by the request's kind, before a payer form takes its place.

    Every kind of packet ends with the list of enclosures when the case has documents on hand,
    so the payer's reviewer can check what arrived against it.
    """
    kind = case.request.kind
    if kind in _CONTINUING:
        parts = ["concurrent-review"]
    elif kind is RequestKind.APPEAL:
        parts = (
            ["appeal-letter", ORIGINAL_REQUEST] if options.original_request else ["appeal-letter"]
        )
    else:
        parts = ["request-letter"]
    if case.request.documents:
        parts.append(ENCLOSURES)
    return tuple(parts)


def packet_parts(case: Case, options: RenderOptions | None = None) -> tuple[str, ...]:
    """The parts a fax packet for ``case`` holds after its cover, by the request's kind.

    With ``options.form`` the filled payer form (``"payer-form"``) follows the packet's letter,
    or takes its place when the form's placement is ``"replace"``. With
    ``options.questionnaire`` the payer questionnaire page (``"payer-questionnaire"``) comes
    next, before the list of enclosures.
    """
    options = options or RenderOptions()
    parts = list(letter_parts(case, options))
    if options.form is not None:
        if options.form.placement is FormPlacement.REPLACE:
            parts[0] = PAYER_FORM
        else:
            parts.insert(1, PAYER_FORM)
    if options.questionnaire is not None:
        at = parts.index(ENCLOSURES) if ENCLOSURES in parts else len(parts)
        parts.insert(at, PAYER_QUESTIONNAIRE)
    return tuple(parts)


def check_form_kind(mapping: Any, case: Case) -> None:
    """Refuse a payer form whose mapping names the request kinds it is for, none of them the
    case's (a Texas NOFR001 form for an appeal): :class:`RenderError` naming both."""
    kinds: tuple[str, ...] = mapping.request_kinds
    kind = case.request.kind.value
    if kinds and kind not in kinds:
        listed = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
        title = mapping.title or "given"
        raise RenderError(
            f"the payer form mapping {title!r} is for {listed} requests only "
            f"(its [form] request_kinds); this request's kind is {kind}"
        )
