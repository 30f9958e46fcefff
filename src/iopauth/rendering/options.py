"""How a document is rendered: paper, archival and accessibility variants, date, letterhead."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from attrs import field, frozen, validators

from ..model import StrEnum

if TYPE_CHECKING:
    from ..forms import FormMapping
    from .requirements import CoverageRequirementsLike

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")

# Logo formats WeasyPrint draws without a network or a plug-in, by file suffix.
LOGO_MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _optional_path(value: str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else Path(value)


def _paths(values: Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
    return tuple(Path(v) for v in values)


class PaperSize(StrEnum):
    """Paper sizes a document can be laid out on."""

    LETTER = "letter"
    A4 = "a4"


@frozen(kw_only=True)
class Letterhead:
    """The sender's letterhead, printed at the top of letters in place of the program block.

    ``logo`` is a file the caller names; it is read once per render and embedded in the
    document, and no other file is opened on its behalf.
    """

    name: str
    address_lines: tuple[str, ...] = field(default=(), converter=_strings)
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    website: str | None = None
    logo: Path | None = field(default=None, converter=_optional_path)

    @logo.validator
    def _check_logo(self, _attribute: object, value: Path | None) -> None:
        if value is not None and value.suffix.lower() not in LOGO_MEDIA_TYPES:
            allowed = ", ".join(sorted(LOGO_MEDIA_TYPES))
            raise ValueError(f"letterhead logo must be one of {allowed}")


@frozen(kw_only=True)
class Attachment:
    """A file embedded in an archival (PDF/A-3) document, such as a PAS request bundle."""

    name: str
    data: bytes
    media_type: str = "application/json"
    description: str | None = None


def _attachments(values: Iterable[Attachment]) -> tuple[Attachment, ...]:
    return tuple(values)


def _form_source(value: bytes | str | os.PathLike[str]) -> bytes | Path:
    return value if isinstance(value, bytes) else Path(value)


def _mapping_source(value: FormMapping | str | os.PathLike[str]) -> FormMapping | Path:
    return Path(value) if isinstance(value, str | os.PathLike) else value


class FormPlacement(StrEnum):
    """Where a payer's filled form goes in the packet: in place of the letter, or after it."""

    REPLACE = "replace"
    BESIDE = "beside"


@frozen(kw_only=True)
class PayerForm:
    """A payer's fillable PDF form to fill from the case and put into the packet.

    ``pdf`` is the blank form (bytes or a path) and ``mapping`` its mapping (a
    :class:`~iopauth.forms.FormMapping` or the path of its TOML file), as for
    :func:`iopauth.forms.fill`. ``flatten`` (default) draws the values into the pages, so the
    faxed pages show exactly what was filled. ``placement`` ``"beside"`` (default) puts the
    form right after the packet's letter (request letter, concurrent review or appeal
    letter); ``"replace"`` puts it in the letter's place, for payers that take only their
    own form. The fax cover counts the form's pages and lists it as enclosed.
    """

    pdf: bytes | Path = field(converter=_form_source)
    mapping: FormMapping | Path = field(converter=_mapping_source)
    flatten: bool = True
    placement: FormPlacement = field(default=FormPlacement.BESIDE, converter=FormPlacement)


#: What a payer questionnaire or its response may be given as: the JSON object, JSON text or
#: UTF-8 bytes, or a path (a string is read as a path only when it names a regular file).
QuestionnaireSource = Mapping[str, object] | str | bytes | os.PathLike[str]


def _source(value: QuestionnaireSource) -> QuestionnaireSource:
    return Path(value) if isinstance(value, os.PathLike) else value


def _optional_source(value: QuestionnaireSource | None) -> QuestionnaireSource | None:
    return None if value is None else _source(value)


@frozen(kw_only=True)
class PayerQuestionnaire:
    """A payer's questionnaire as answered (DTR), to print as the packet's "Payer questionnaire"
    page.

    ``response`` is the QuestionnaireResponse (the ``response`` of
    :func:`iopauth.fhir.answer_questionnaire`, or one read from a file); ``questionnaire`` the
    Questionnaire it answers, optional: with it the page takes every question's wording from
    the payer's Questionnaire and lists the questions left for the clinician (its
    ``enableWhen`` read against the response's answers); without it the page shows the items
    the response holds. A response that contains its Questionnaire (``"#id"``) needs none.
    Both are read within the bounds of :mod:`iopauth.rendering.questionnaire`.
    """

    # the answers are patient data: kept out of the repr (and so out of RenderOptions')
    response: QuestionnaireSource = field(converter=_source, repr=False)
    questionnaire: QuestionnaireSource | None = field(
        default=None, converter=_optional_source, repr=False
    )


@frozen(kw_only=True)
class RenderOptions:
    """Options for :func:`iopauth.render`; the defaults suit a letter faxed to a US payer.

    ``archival`` writes PDF/A-3b and embeds the case as JSON (plus ``attachments``);
    ``tagged`` writes a tagged PDF declaring PDF/UA-1, titled and in the language written; both
    together give PDF/A-3a that also declares PDF/UA-1. ``document_date`` defaults to the
    request date in the case, never today's date, so the same case renders the same bytes on
    any day.
    ``assets`` names files (images, stylesheets) a user template may load by ``file:`` URL;
    nothing else on disk is readable from a template.

    ``final`` asks for a final letter even when the determination is not ``meets``: without it
    a request, concurrent-review or appeal letter (and a packet or cover holding one) for such a
    case is a draft, marked DRAFT on every page with a first-page note of what is unmet or
    undocumented. ``original_request`` adds the original request letter to an appeal packet.
    ``form`` (a :class:`PayerForm`) puts the payer's own form, filled from the case, into the
    packet beside or in place of its letter (not with ``archival`` or ``tagged``: the payer's
    form is neither PDF/A nor tagged).
    ``questionnaire`` (a :class:`PayerQuestionnaire`) adds the "Payer questionnaire" page to
    the packet, after the letter (and the payer form); ``coverage_requirements`` (the
    :class:`~iopauth.fhir.CoverageRequirements` of :func:`iopauth.fhir.coverage_requirements`)
    lists the payer's documentation requirements in the checklist beside iopauth's own.

    ``language`` (a BCP 47 tag such as ``es`` or ``es-US``) chooses the patient summary's
    language over the patient's ``preferred_language``; ``None`` (the default) follows the
    patient, and English when none is recorded. Letters, the checklist and the fax cover are
    always English (an English tag such as ``en-US`` is kept as their ``lang``). The HTML
    ``lang`` and PDF ``/Lang`` name the language actually written; see
    :mod:`iopauth.rendering.language` for catalogs and the fallback to English.
    """

    paper: PaperSize = field(default=PaperSize.LETTER, converter=PaperSize)
    archival: bool = False
    tagged: bool = False
    language: str | None = field(
        default=None, validator=validators.optional(validators.matches_re(_LANGUAGE))
    )
    document_date: date | None = None
    letterhead: Letterhead | None = None
    attachments: tuple[Attachment, ...] = field(default=(), converter=_attachments)
    assets: tuple[Path, ...] = field(default=(), converter=_paths)
    final: bool = False
    original_request: bool = False
    form: PayerForm | None = None
    questionnaire: PayerQuestionnaire | None = None
    coverage_requirements: CoverageRequirementsLike | None = None
