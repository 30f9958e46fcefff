"""The patient summary in the patient's language; letters to payers in English."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pypdf
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import given, settings

from iopauth import LanguageFallbackWarning
from iopauth.caseformat.serialize import dump_case, load_case
from iopauth.cli import main
from iopauth.model import Case, LevelOfCare, RequestKind
from iopauth.rendering import RenderOptions, language, render, render_html, summary_language
from iopauth.rendering.language import phone

from .strategies import language_tags

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "cases").glob("*.json"))
APPEAL = ROOT / "examples" / "cases" / "commercial-adolescent-appeal.json"
STEPDOWN = ROOT / "examples" / "cases" / "medicare-stepdown-depression.json"
CONCURRENT = ROOT / "examples" / "cases" / "medicaid-alcohol-depression-concurrent.json"
LOCALE = ROOT / "src" / "iopauth" / "locale"
SPANISH_PO = LOCALE / "es" / "LC_MESSAGES" / "iopauth.po"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Everyday English words that have no business in a Spanish page (once the case's own names,
# places and payer names are taken out): a safety net beside the catalog check.
ENGLISH_WORDS = frozenset(
    {
        "the", "your", "you", "and", "will", "what", "when", "with", "we", "they", "is", "are",
        "to", "of", "for", "about", "ask", "call", "hour", "hours", "week", "weeks", "days",
        "date", "page", "phone", "program", "insurance", "approval", "prepared", "schedule",
        "please", "confidential", "questions", "start",
    }
)  # fmt: skip


def _case(path: Path, **patient: Any) -> Case:
    case = load_case(path)
    return attrs.evolve(case, patient=attrs.evolve(case.patient, **patient))


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _html_body(html: str) -> str:
    """The visible text of a document's HTML body, tags removed, whitespace collapsed."""
    body = html.split("<body", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


@cache
def _spanish() -> dict[Any, Any]:
    """The Spanish catalog: message id -> translation, header left out."""
    with SPANISH_PO.open("rb") as fp:
        catalog = read_po(fp)
    return {
        tuple(m.id) if isinstance(m.id, tuple | list) else m.id: (
            tuple(m.string) if isinstance(m.string, tuple | list) else m.string
        )
        for m in catalog
        if m.id
    }


def _fragments(text: str, words: int = 2) -> list[str]:
    """The literal runs of a message between its placeholders, of at least ``words`` words."""
    return [
        part.strip(" .,:()")
        for part in _PLACEHOLDER.split(text)[::2]
        if len(part.strip(" .,:()").split()) >= words
    ]


def english_left(text: str) -> list[str]:
    """English catalog messages (runs of two or more words that the Spanish changes) found
    in ``text``."""
    found = []
    for msgid, msgstr in _spanish().items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        translated = " ".join(msgstr) if isinstance(msgstr, tuple) else msgstr
        for piece in (f for i in ids for f in _fragments(i)):
            if piece not in translated and piece in text:
                found.append(piece)
    return found


def spanish_left(text: str) -> list[str]:
    """Spanish translations (runs of two or more words) found in ``text``."""
    found = []
    for msgid, msgstr in _spanish().items():
        ids = " ".join(msgid) if isinstance(msgid, tuple) else msgid
        strings = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        for piece in (f for s in strings for f in _fragments(s)):
            if piece not in ids and piece in text:
                found.append(piece)
    return found


def without_case_data(text: str, case: Case) -> str:
    """``text`` with every string of the case (names, places, payer and program names)
    taken out: those are the case's words, never translated."""

    def strings(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    for value in sorted(set(strings(dump_case(case))), key=len, reverse=True):
        if len(value) >= 4 and re.search(r"[A-Za-z]", value):
            text = text.replace(value, " ")
    return text


@cache
def _spanish_pdf(path: Path) -> bytes:
    """An example's patient summary PDF, the patient preferring Spanish."""
    return render(_case(path, preferred_language="es-US"), "patient-summary")


def _spanish_summary(path: Path) -> str:
    """The text of an example's Spanish patient summary."""
    return _pdf_text(_spanish_pdf(path))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_spanish_summary_of_every_example_has_no_english_left(example: Path) -> None:
    """No English message of the catalog and no everyday English word is left in the
    Spanish summary's text (the case's own names and places aside)."""
    text = _spanish_summary(example)
    assert "Su horario" in text
    assert english_left(text) == []
    rest = without_case_data(text, load_case(example))
    words = {w.lower() for w in re.findall(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+", rest)}
    assert sorted(words & ENGLISH_WORDS) == []
    assert len(pypdf.PdfReader(io.BytesIO(_spanish_pdf(example))).pages) == 1  # as in English


def _variant(path: Path, part: str, **changes: Any) -> Case:
    case = load_case(path)
    return attrs.evolve(case, **{part: attrs.evolve(getattr(case, part), **changes)})


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            _variant(STEPDOWN, "plan", level=LevelOfCare.PHP),
            "<h1>Su programa de hospitalización parcial</h1>",
        ),
        (
            _variant(STEPDOWN, "coverage", member_services_phone=None),
            "llame al número de servicios para miembros que está en su tarjeta de miembro",
        ),
        (
            _variant(CONCURRENT, "request", authorization_number=None),
            "<p>Le pedimos al plan que apruebe más atención, del 1 de junio de 2026",
        ),
        (
            _variant(APPEAL, "request", kind=RequestKind.INITIAL),
            "Estamos hablando con el plan sobre qué hacer ahora",
        ),
    ],
    ids=["php", "no-member-phone", "no-approval-number", "denied-not-appealed"],
)
def test_every_branch_of_the_summary_is_spanish(case: Case, expected: str) -> None:
    """The summary's other wordings (a PHP, no member-services number, no approval number, a
    denial not yet appealed) are Spanish too, with no English message left."""
    html = render_html(case, "patient-summary", options=RenderOptions(language="es"))
    assert expected in html
    assert english_left(_html_body(html)) == []


def test_spanish_summary_writes_dates_weekdays_and_phones_the_spanish_way() -> None:
    """Dates read "20 de abril de 2026", weekdays "lunes", phones "(555) 020-5000" after
    "Teléfono"; a guardian's relationship is translated; the footer is Spanish too."""
    text = _spanish_summary(APPEAL)
    for fact in (
        "Fecha de inicio lunes, 20 de abril de 2026",
        "lunes: 3 horas",
        "miércoles: 3 horas",
        "Hoja preparada el 17 de abril de 2026",
        "Su plan de seguro dijo que no el 15 de abril de 2026",
        "Esto se llama una apelación",
        "Teléfono (555) 020-5000",
        "Sobre su programa: Sierra Youth Intensive Outpatient (fictional), (555) 020-5000.",
        "(555) 020-7100",
        "Lucia Examplegirl (madre)",
        "¿Cuánto voy a tener que pagar yo?",
        "Confidencial: información de salud protegida",
        "Página 1 de 1",
    ):
        assert fact in text, fact


def test_preferred_language_chooses_the_summary_language() -> None:
    """A patient who prefers es-US gets the summary in Spanish, declared as lang="es"."""
    html = render_html(_case(STEPDOWN, preferred_language="es-US"), "patient-summary")
    assert '<html lang="es">' in html
    assert "<title>Su programa ambulatorio intensivo</title>" in html
    assert "Le pedimos a Cascade Senior Advantage (fictional) que apruebe" in html
    assert english_left(_html_body(html)) == []


def test_regional_variants_use_the_base_catalog_and_their_own_number_format() -> None:
    """es-MX and es-ES use the es catalog without a warning; numbers follow the region
    (3.5 in Mexico and for a bare es, written as in the United States; 3,5 in Spain)."""
    hours = {}
    for tag in ("es", "es-MX", "es-ES"):
        html = render_html(_case(STEPDOWN, preferred_language=tag), "patient-summary")
        assert '<html lang="es">' in html
        hours[tag] = re.search(r"Horas por día</th><td>([^<]+)</td>", html)
    assert {tag: m.group(1) for tag, m in hours.items() if m} == {
        "es": "3.5",
        "es-MX": "3.5",
        "es-ES": "3,5",
    }


def test_a_language_without_a_catalog_falls_back_to_english_and_warns() -> None:
    """fr-CA: the whole summary in English, lang="en", and a LanguageFallbackWarning naming
    the language subtag; no Spanish anywhere."""
    case = _case(STEPDOWN, preferred_language="fr-CA")
    with pytest.warns(LanguageFallbackWarning, match=r"no message catalog for language 'fr'"):
        html = render_html(case, "patient-summary")
    assert '<html lang="en">' in html
    assert "What your insurance has decided so far" in html
    assert spanish_left(_html_body(html)) == []


def test_summary_language_tells_ahead_without_a_warning() -> None:
    """summary_language says what the summary will be written in, and why English replaced
    the language asked for, without warning (a batch records it per case)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        french = summary_language(_case(STEPDOWN, preferred_language="fr"))
        spanish = summary_language(_case(STEPDOWN, preferred_language="es-MX"))
        english = summary_language(load_case(STEPDOWN), RenderOptions(language="en-US"))
    assert (french.tag, french.fallback) == (
        "en",
        "no message catalog for language 'fr'; the patient summary is written in English",
    )
    assert (spanish.tag, spanish.catalog, spanish.locale, spanish.fallback) == (
        "es",
        "es",
        "es_MX",
        None,
    )
    assert (english.tag, english.fallback) == ("en-US", None)


def test_render_options_language_overrides_the_patient() -> None:
    """RenderOptions(language=...) wins over the patient's preference, both ways; the old
    default language="en" still gives English."""
    spanish_patient = _case(STEPDOWN, preferred_language="es")
    english = render_html(spanish_patient, "patient-summary", options=RenderOptions(language="en"))
    assert '<html lang="en">' in english
    assert "Your schedule" in english
    english_patient = _case(STEPDOWN, preferred_language="en")
    spanish = render_html(english_patient, "patient-summary", options=RenderOptions(language="es"))
    assert '<html lang="es">' in spanish
    assert "Su horario" in spanish
    assert RenderOptions().language is None


def _lang(pdf: bytes) -> Any:
    """The /Lang of a PDF's document catalog (pypdf types it loosely)."""
    root: Any = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return root["/Lang"]


def test_tagged_pdf_declares_the_language_written() -> None:
    """The tagged summary's /Lang is es when written in Spanish, en after a fallback."""
    spanish = render(
        _case(STEPDOWN, preferred_language="es-US"),
        "patient-summary",
        options=RenderOptions(tagged=True),
    )
    assert _lang(spanish) == "es"
    with pytest.warns(LanguageFallbackWarning):
        fallback = render(
            _case(STEPDOWN, preferred_language="vi"),
            "patient-summary",
            options=RenderOptions(tagged=True),
        )
    assert _lang(fallback) == "en"


@pytest.mark.parametrize("document", ["request-letter", "checklist", "fax-cover"])
def test_letters_stay_english_when_the_patient_prefers_spanish(document: str) -> None:
    """A payer's or the staff's document is English, lang="en", even when the patient and
    the options both ask for Spanish; no warning is given for it."""
    case = _case(STEPDOWN, preferred_language="es-US")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = render_html(case, document, options=RenderOptions(language="es"))
    assert '<html lang="en">' in html
    assert "Phone (555) 010-3000" in html
    assert spanish_left(_html_body(html)) == []


@settings(max_examples=20, deadline=None)
@given(tag=language_tags())
def test_a_summary_is_wholly_in_one_language(tag: str) -> None:
    """For any tag the summary is all Spanish (es…) or all English, never mixed; a warning
    comes exactly when a language other than English or Spanish fell back."""
    case = _case(STEPDOWN, preferred_language=tag)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = render_html(case, "patient-summary")
    body = _html_body(html)
    base = tag.split("-", maxsplit=1)[0].lower()
    if base == "es":
        assert '<html lang="es">' in html
        assert english_left(body) == []
    else:
        assert re.search(r'<html lang="en(-[A-Za-z]+)?">', html)
        assert spanish_left(body) == []
    fell_back = [w for w in caught if issubclass(w.category, LanguageFallbackWarning)]
    assert len(fell_back) == (0 if base in ("en", "es") else 1)
    assert [w for w in caught if w not in fell_back] == []


def test_cli_says_on_one_stderr_line_that_the_summary_fell_back(tmp_path: Path) -> None:
    """iopauth render --language fr writes the English summary and one stderr line."""
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "summary.html"
    code = main(
        ["render", str(STEPDOWN), "-d", "patient-summary", "--html", "--language", "fr",
         "-o", str(target)],
        stdout=out,
        stderr=err,
    )  # fmt: skip
    assert code == 0
    assert err.getvalue() == (
        "iopauth: no message catalog for language 'fr'; the patient summary is written in English\n"
    )
    assert "Your schedule" in target.read_text(encoding="utf-8")


def test_cli_language_option_writes_spanish_and_refuses_a_bad_tag(tmp_path: Path) -> None:
    """--language es-US gives the Spanish summary quietly; a malformed tag is a usage error."""
    target = tmp_path / "summary.html"
    out, err = io.StringIO(), io.StringIO()
    args = ["render", str(STEPDOWN), "-d", "patient-summary", "--html", "-o", str(target)]
    assert main([*args, "--language", "es-US"], stdout=out, stderr=err) == 0
    assert err.getvalue() == ""
    assert "Su horario" in target.read_text(encoding="utf-8")
    bad = io.StringIO()
    assert main([*args, "--force", "--language", "es US!"], stdout=out, stderr=bad) == 2
    assert "must be a language tag" in bad.getvalue()


def test_spanish_messages_keep_their_placeholders_and_spanish_punctuation() -> None:
    """Every translation names the same placeholders as its message; questions open with ¿."""
    for msgid, msgstr in _spanish().items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strings = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        wanted = {frozenset(_PLACEHOLDER.findall(i)) for i in ids}
        for string in strings:
            assert string, msgid
            assert frozenset(_PLACEHOLDER.findall(string)) in wanted, msgid
            if string.endswith("?"):
                assert string.startswith("¿"), string


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("(555) 010-3000", "(555) 010-3000"),
        ("555.010.3000", "(555) 010-3000"),
        ("5550103000", "(555) 010-3000"),
        ("+1 555 010 3000", "+1 555 010 3000"),  # not ten digits: as written
        ("(555) 010-3000 ext 12", "(555) 010-3000 ext 12"),
    ],
)
def test_phone_numbers_are_grouped_the_us_way_in_every_language(given: str, shown: str) -> None:
    """Ten digits print as (555) 010-3000, kept on one line; anything else as written."""
    assert phone(given) == f'<span class="phone">{shown}</span>'


# --- catalogs dropped in without a code change ----------------------------------------------


@pytest.fixture
def locale_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty locale folder holding only the template, used in place of the shipped one."""
    folder = tmp_path / "locale"
    folder.mkdir()
    (folder / "iopauth.pot").write_bytes((LOCALE / "iopauth.pot").read_bytes())
    monkeypatch.setattr(language, "locale_dir", lambda: folder)
    _clear()
    yield folder
    monkeypatch.undo()
    _clear()


def _clear() -> None:
    language._catalogs.cache_clear()
    language.translations.cache_clear()
    language.missing_messages.cache_clear()


def _drop_in(folder: Path, name: str, keep: int | None = None) -> None:
    """A catalog ``name`` translating the template's first ``keep`` messages as "[name] …"."""
    with (folder / "iopauth.pot").open("rb") as fp:
        template = read_po(fp)
    catalog = Catalog(locale=name.split("_", maxsplit=1)[0], domain="iopauth")
    messages = [m for m in template if m.id][:keep]
    for m in messages:
        if isinstance(m.id, tuple):
            string: Any = tuple(f"[{name}] {i}" for i in m.id)
        else:
            string = f"[{name}] {m.id}"
        catalog.add(m.id, string, context=m.context)
    target = folder / name / "LC_MESSAGES" / "iopauth.mo"
    target.parent.mkdir(parents=True)
    with target.open("wb") as fp:
        write_mo(fp, catalog)


def test_a_dropped_in_catalog_is_used_without_a_code_change(locale_folder: Path) -> None:
    """A complete pt_BR catalog in the locale folder writes the summary in it, with Babel's
    Brazilian dates and weekday names."""
    _drop_in(locale_folder, "pt_BR")
    html = render_html(_case(APPEAL, preferred_language="pt-BR"), "patient-summary")
    assert '<html lang="pt-BR">' in html
    assert "[pt_BR] Your schedule" in html
    assert "segunda-feira, 20 de abril de 2026" in html
    assert "[pt_BR] mother" in html


def test_an_incomplete_catalog_is_not_used_half(locale_folder: Path) -> None:
    """A catalog lacking messages of the template is not used: English, with a warning."""
    _drop_in(locale_folder, "de", keep=5)
    with pytest.warns(LanguageFallbackWarning, match="incomplete"):
        html = render_html(_case(APPEAL, preferred_language="de-DE"), "patient-summary")
    assert '<html lang="en">' in html
    assert "[de]" not in html


@pytest.mark.parametrize(
    ("given", "spanish", "english"),
    [
        ("mother", "madre", "mother"),
        ("Legal  Guardian", "tutor legal", "Legal  Guardian"),
        ("tía abuela", "tía abuela", "tía abuela"),  # the family's own words: as given
    ],
)
def test_a_guardians_relationship_is_translated_when_it_is_a_common_word(
    given: str, spanish: str, english: str
) -> None:
    """A common relationship word is translated; any other wording prints as recorded."""
    es = language.language_filters(language.document_language("patient-summary", "es", None))
    en = language.language_filters(language.ENGLISH)
    assert (es["relationship"](given), en["relationship"](given)) == (spanish, english)
