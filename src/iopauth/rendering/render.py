"""``render``, ``render_html`` and ``render_documents``: a case (and its determination) to
documents, each laid out once.

These public functions check the case, the documents asked for and the payer's records, then
hand the work to one :class:`~iopauth.rendering.session.Session`; which documents fit a case
and what a packet holds is :mod:`iopauth.rendering.parts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..caseformat.validity import validate_case
from ..criteria.result import Determination
from ..errors import RenderError
from ..model import Case
from .environment import normalize_dirs
from .options import RenderOptions
from .parts import LETTERS, applicable_documents, check_document, documents, packet_parts
from .payer import check_authorization, check_decision
from .session import Session
from .summary import check_summary_decision

if TYPE_CHECKING:
    from ..authorization import Authorization, Decision

__all__ = [
    "LETTERS",
    "applicable_documents",
    "documents",
    "is_draft",
    "layout_documents",
    "packet_parts",
    "render",
    "render_documents",
    "render_html",
]


def _session(
    case: Case,
    documents: Iterable[str] | None,
    determination: Determination | None,
    options: RenderOptions | None,
    template_dirs: Iterable[str | Path],
    *,
    authorization: Authorization | None,
    decision: Decision | None,
) -> tuple[Session, tuple[str, ...]]:
    """The session for ``documents`` of ``case`` (default: those that apply), all checked."""
    validate_case(case)  # an invalid case is refused before any document reads it
    names = applicable_documents(case) if documents is None else tuple(documents)
    for name in names:
        check_document(name, case)
    if authorization is not None:
        check_authorization(case, authorization)
    if decision is not None:
        if set(names) == {"patient-summary"}:
            check_summary_decision(case, decision)  # any answer: the summary reports it
        else:
            check_decision(case, decision)
    chosen = options or RenderOptions()
    if chosen.form is not None and (chosen.archival or chosen.tagged) and "packet" in names:
        raise RenderError(
            "RenderOptions.form: a payer form cannot go into an archival or tagged packet "
            "(the payer's form is neither PDF/A nor tagged); render the form on its own"
        )
    session = Session(
        case,
        determination,
        options or RenderOptions(),
        normalize_dirs(template_dirs),
        authorization=authorization,
        decision=decision,
    )
    return session, names


def render_html(
    case: Case,
    document: str = "request-letter",
    determination: Determination | None = None,
    options: RenderOptions | None = None,
    template_dirs: Iterable[str | Path] = (),
    *,
    authorization: Authorization | None = None,
    decision: Decision | None = None,
) -> str:
    """The HTML of ``document`` for ``case``, before layout.

    ``template_dirs`` are searched before the shipped templates, so a file of the same name
    (``request-letter.html.j2``, ``partials/letterhead.html.j2``, …) replaces ours; a folder
    that does not exist is an error. When ``determination`` is ``None``, documents that show
    criteria evaluate the case against :func:`default_criteria`. Raises :class:`RenderError`
    for an unknown document, one that does not fit the case, or a template that fails, and
    :class:`~iopauth.errors.InvalidCaseError` for a case that breaks a rule of the case format
    (see :func:`iopauth.validate_case`); no message carries case data. The packet's HTML is
    its parts' bodies in order; a fax cover's page count comes from laying out the packet's
    parts.

    ``authorization`` (an :class:`~iopauth.authorization.Authorization`, e.g. from
    ``AuthorizationStore.get`` or ``load_authorization``) gives the concurrent review the
    authorized period and units, units used and remaining on the document date and the days
    attended; ``decision`` (a :class:`~iopauth.authorization.Decision`, a denial or partial
    approval) gives the appeal letter the payer's date, reference, stated reason and denied
    service lines. Without ``decision`` the appeal takes the latest denial in the
    authorization's reviews, else the case's ``$.request.denial``. Where they disagree with
    the case, the payer's record wins for what the payer approved and said; the case still
    says what is asked now (see :mod:`iopauth.rendering.payer`). An authorization for another
    case, level of care, service or authorization number, or a decision that denies nothing,
    is a :class:`RenderError` naming the field. Without either, nothing changes.
    """
    session, _ = _session(
        case,
        (document,),
        determination,
        options,
        template_dirs,
        authorization=authorization,
        decision=decision,
    )
    return session.html(document)


def render(
    case: Case,
    document: str = "request-letter",
    determination: Determination | None = None,
    options: RenderOptions | None = None,
    template_dirs: Iterable[str | Path] = (),
    *,
    authorization: Authorization | None = None,
    decision: Decision | None = None,
) -> bytes:
    """``document`` for ``case`` as PDF bytes; the same inputs give the same bytes.

    Arguments as for :func:`render_html` (``authorization`` and ``decision`` included);
    ``options`` chooses paper, PDF/A-3 (embedding the case facts a clinical document states),
    PDF/UA tagging, the document date, a letterhead and whether a letter for a case that does
    not meet its criteria is a marked draft.
    """
    session, _ = _session(
        case,
        (document,),
        determination,
        options,
        template_dirs,
        authorization=authorization,
        decision=decision,
    )
    return session.pdf(document)


def render_documents(
    case: Case,
    documents: Iterable[str] | None = None,
    determination: Determination | None = None,
    options: RenderOptions | None = None,
    template_dirs: Iterable[str | Path] = (),
    *,
    authorization: Authorization | None = None,
    decision: Decision | None = None,
) -> dict[str, bytes]:
    """Several documents of one case as PDF bytes by name, each laid out once.

    ``documents`` defaults to :func:`applicable_documents`; the packet and the fax cover reuse
    the layouts of the letters they hold. Each PDF equals what :func:`render` gives with the
    same arguments (``authorization`` and ``decision`` as for :func:`render_html`).
    """
    session, names = _session(
        case,
        documents,
        determination,
        options,
        template_dirs,
        authorization=authorization,
        decision=decision,
    )
    return {name: session.pdf(name) for name in names}


def layout_documents(
    case: Case,
    documents: Iterable[str] | None = None,
    determination: Determination | None = None,
    options: RenderOptions | None = None,
    template_dirs: Iterable[str | Path] = (),
    *,
    authorization: Authorization | None = None,
    decision: Decision | None = None,
) -> dict[str, Any]:
    """WeasyPrint's laid-out documents by name, each laid out once, for inspection.

    The same layouts :func:`render_documents` writes; a layout check (headings at a page's
    foot, near-empty pages, labels broken across lines) reads their pages and boxes.
    """
    session, names = _session(
        case,
        documents,
        determination,
        options,
        template_dirs,
        authorization=authorization,
        decision=decision,
    )
    return {n: session.packet() if n == "packet" else session.layout(n) for n in names}


def is_draft(
    case: Case,
    document: str,
    determination: Determination | None = None,
    options: RenderOptions | None = None,
    *,
    authorization: Authorization | None = None,
    decision: Decision | None = None,
) -> bool:
    """True when :func:`render` would mark ``document`` DRAFT (see :class:`RenderOptions`).

    ``authorization`` and ``decision`` are checked as :func:`render` checks them; whether a
    letter is a draft depends on the determination only.
    """
    session, _ = _session(
        case,
        (document,),
        determination,
        options,
        (),
        authorization=authorization,
        decision=decision,
    )
    return session.is_draft(document)
