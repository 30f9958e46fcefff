"""The language a document is written in: message catalogs, dates, numbers and weekday names.

Only the patient summary is translated; letters, the checklist and the fax cover go to payers
and staff and are always English. The summary's language is ``RenderOptions.language`` when
given, else the reader's preferred language (for a minor, the guardian's
``preferred_language`` when given, else the patient's), else English.

Catalogs are gettext ``.mo`` files under ``iopauth/locale/<name>/LC_MESSAGES/iopauth.mo``
(``es``, ``es_MX``, ``pt_BR``): a catalog dropped in there is used without a code change. A
regional tag falls back to its base language (``es-MX`` uses ``es`` when there is no
``es_MX``). A language without a catalog, or whose catalog lacks any of the messages in
``iopauth.pot``, falls back to English as a whole, with a :class:`LanguageFallbackWarning`:
a page is never half translated.

Dates, numbers and weekday names come from Babel (CLDR) for the language's locale. A bare
language tag is formatted the way its speakers in the United States write (``es`` as
``es_US``) when CLDR has that locale, since the patients are in the United States.
"""

from __future__ import annotations

import gettext
import re
import warnings
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

from attrs import evolve, field, frozen
from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date, get_day_names
from babel.numbers import format_decimal
from markupsafe import Markup

from .._support.resources import locale_dir
from ..errors import LanguageFallbackWarning
from ..model import Case, Weekday
from .options import RenderOptions

DOMAIN = "iopauth"
SOURCE_LANGUAGE = "en"
#: Documents written in the patient's language; every other document is English.
TRANSLATED_DOCUMENTS = frozenset({"patient-summary"})
_WEEKDAYS = tuple(Weekday)  # mon … sun, the order of Babel's day-name indexes
_DIGITS = re.compile(r"\D")
#: The age from which a patient reads the summary alone; below it the guardian is a reader too.
ADULT_AGE = 18


def _mark(context: str, message: str) -> str:
    """Mark ``message`` for extraction (``scripts/catalogs.py`` knows ``_mark``); return it."""
    del context
    return message


#: Relationship words a case often records for a guardian, translated with the context
#: "relationship" when a catalog has them; any other wording prints as the family gave it.
_RELATIONSHIPS = frozenset(
    {
        _mark("relationship", "mother"),
        _mark("relationship", "father"),
        _mark("relationship", "parent"),
        _mark("relationship", "guardian"),
        _mark("relationship", "legal guardian"),
        _mark("relationship", "grandmother"),
        _mark("relationship", "grandfather"),
        _mark("relationship", "aunt"),
        _mark("relationship", "uncle"),
        _mark("relationship", "stepmother"),
        _mark("relationship", "stepfather"),
        _mark("relationship", "foster parent"),
        _mark("relationship", "sister"),
        _mark("relationship", "brother"),
    }
)


@frozen
class Language:
    """The language a document is written in.

    ``tag``: the BCP 47 tag of the text as written (the HTML ``lang`` and the PDF ``/Lang``):
    the catalog's language, e.g. ``es``, or the caller's English tag (``en-US``).
    ``catalog``: the catalog folder used (``es``), empty for English, iopauth's source
    language. ``locale``: the CLDR locale dates and numbers are written in (``es_US``).
    ``fallback``: why English was written instead of the language asked for, or ``None``.
    Two languages are equal when their catalog and locale are: that is all a template
    environment depends on (``en`` and ``en-US`` share one).
    """

    tag: str = field(eq=False)
    catalog: str
    locale: str
    fallback: str | None = field(default=None, eq=False)


ENGLISH = Language(tag=SOURCE_LANGUAGE, catalog="", locale="en_US")


def _subtags(tag: str) -> list[str]:
    """``es-mx`` → ``["es", "MX"]``; a script subtag in title case (``zh-hant`` → ``Hant``)."""
    parts = [p for p in tag.replace("_", "-").split("-") if p]
    out = [parts[0].lower()] if parts else [SOURCE_LANGUAGE]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return out


def _candidates(tag: str) -> list[str]:
    """Catalog names for ``tag``, most specific first: ``es-MX`` → ``es_MX``, ``es``."""
    parts = _subtags(tag)
    return ["_".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _known_locale(name: str) -> bool:
    try:
        Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        return False
    return True


def catalogs() -> tuple[str, ...]:
    """The catalog names installed (``("es",)``), English (the source) not among them."""
    return _catalogs()


@cache
def _catalogs() -> tuple[str, ...]:
    folder = locale_dir()
    if not folder.is_dir():
        return ()
    return tuple(
        sorted(d.name for d in folder.iterdir() if (d / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file())
    )


@cache
def translations(catalog: str) -> gettext.NullTranslations:
    """The compiled catalog ``catalog`` (``""``: English, the identity)."""
    if not catalog:
        return gettext.NullTranslations()
    with (locale_dir() / catalog / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as fp:
        return gettext.GNUTranslations(fp)


@cache
def missing_messages(catalog: str) -> int:
    """How many messages of ``iopauth.pot`` (the templates' and code's) ``catalog`` lacks."""
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    with (locale_dir() / f"{DOMAIN}.pot").open("rb") as fp:
        template = read_po(fp)
    with (locale_dir() / catalog / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as fp:
        compiled = read_mo(fp)
    missing = 0
    for message in template:
        if not message.id:
            continue  # the header
        found = compiled.get(message.id, message.context)
        strings = found.string if found is not None else None
        texts = strings if isinstance(strings, tuple | list) else (strings,)  # plurals: a list
        if found is None or not all(texts):
            missing += 1
    return missing


def _formatting_locale(tag: str, catalog: str) -> str:
    """The CLDR locale for dates and numbers: the tag's own region when CLDR knows it,
    else the language as written in the United States (``es_US``), else the catalog's."""
    language = catalog.split("_", maxsplit=1)[0]
    for name in _candidates(tag):
        if "_" in name and name.split("_", maxsplit=1)[0] == language and _known_locale(name):
            return name
    for name in (f"{language}_US", catalog, language):
        if _known_locale(name):
            return name
    return ENGLISH.locale


def warn_fallback(language: Language) -> None:
    """Warn with :class:`LanguageFallbackWarning` when ``language`` is a fallback to English."""
    if language.fallback is not None:
        warnings.warn(language.fallback, LanguageFallbackWarning, stacklevel=2)


def document_language(document: str, requested: str | None, preferred: str | None) -> Language:
    """The language ``document`` is written in.

    ``requested`` is ``RenderOptions.language``; ``preferred`` the patient's preferred
    language. Only :data:`TRANSLATED_DOCUMENTS` follow them; every other document is English
    (keeping a caller's English tag such as ``en-US``). When the summary falls back to
    English, ``fallback`` says why; this function does not warn (the renderer does, see
    :func:`warn_fallback`), so a caller can ask ahead without a warning.
    """
    tag = requested or (preferred if document in TRANSLATED_DOCUMENTS else None) or "en"
    base = _subtags(tag)[0]
    if base == SOURCE_LANGUAGE:
        return Language(tag=tag, catalog="", locale=ENGLISH.locale)
    if document not in TRANSLATED_DOCUMENTS:
        return ENGLISH
    for name in _candidates(tag):
        if name in catalogs():
            if missing_messages(name):
                return evolve(
                    ENGLISH,
                    fallback=f"the message catalog for language {base!r} is incomplete; "
                    "the patient summary is written in English",
                )
            return Language(
                tag=name.replace("_", "-"),
                catalog=name,
                locale=_formatting_locale(tag, name),
            )
    return evolve(
        ENGLISH,
        fallback=f"no message catalog for language {base!r}; "
        "the patient summary is written in English",
    )


def reader_language(case: Case) -> str | None:
    """The preferred language of the summary's reader: for a minor (under 18) whose guardian
    gives one, the guardian's (the parent reads and signs for the child); else the patient's."""
    guardian = case.patient.guardian
    if guardian is not None and guardian.preferred_language and case.age < ADULT_AGE:
        return guardian.preferred_language
    return case.patient.preferred_language


def summary_language(case: Case, options: RenderOptions | None = None) -> Language:
    """The language :func:`~iopauth.render` writes ``case``'s patient summary in, without a
    warning: ``.tag`` is what is written, ``.fallback`` why English replaced the language
    asked for (``None`` when nothing fell back). A batch can record it per case."""
    requested = options.language if options is not None else None
    return document_language("patient-summary", requested, reader_language(case))


def phone(value: str | None) -> Markup:
    """A ten-digit US number as ``(555) 123-4567``, in every language; any other as given.

    US Spanish publications print US numbers in the same grouping (the reader dials them in
    the United States), so the summary does too. The number is kept on one line.
    """
    if value is None:
        return Markup("")
    digits = _DIGITS.sub("", value)
    text = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else value
    return Markup('<span class="phone">{}</span>').format(text)


def language_filters(language: Language) -> dict[str, Callable[..., Any]]:
    """The template filters that depend on the language (added to the shared ones).

    ``full_date`` (weekday and date), ``weekday``, ``phone`` and ``relationship`` in every
    language; ``long_date`` and ``number`` replaced for a language other than English.
    """
    locale = language.locale
    catalog = translations(language.catalog)
    days = get_day_names("wide", locale=locale)

    def full_date(value: date | None) -> str:
        """``lunes, 2 de marzo de 2026`` / ``Monday, March 2, 2026``."""
        return "" if value is None else format_date(value, "full", locale=locale)

    def weekday(value: Weekday) -> str:
        """The weekday's name in the language (``lunes``)."""
        return str(days[_WEEKDAYS.index(Weekday(value))])

    def relationship(value: str) -> str:
        """A guardian's common relationship word translated; other wording as given."""
        word = " ".join(str(value).split()).lower()
        if word not in _RELATIONSHIPS:
            return str(value)
        return catalog.pgettext("relationship", word) if language.catalog else str(value)

    filters: dict[str, Callable[..., Any]] = {
        "full_date": full_date,
        "weekday": weekday,
        "phone": phone,
        "relationship": relationship,
    }
    if language.catalog:

        def long_date(value: date | None) -> str:
            """``2 de marzo de 2026``."""
            return "" if value is None else format_date(value, "long", locale=locale)

        def number(value: float | None) -> str:
            """A count or hour figure in the locale's digits, without a needless ``.0``."""
            if value is None:
                return ""
            return format_decimal(round(float(value), 2), format="#,##0.##", locale=locale)

        filters.update(long_date=long_date, number=number)
    return filters
