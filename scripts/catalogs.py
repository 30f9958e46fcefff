"""The patient summary's message catalogs: extract, update and compile them.

    python scripts/catalogs.py extract          # templates + code -> locale/iopauth.pot, and
                                                #   every locale/<lang>/LC_MESSAGES/iopauth.po
                                                #   updated to it (new messages empty)
    python scripts/catalogs.py compile          # every iopauth.po -> iopauth.mo beside it
    python scripts/catalogs.py init pt_BR       # a new, empty catalog to translate
    python scripts/catalogs.py check            # exit 1 when any of the above is stale

The same as ``pybabel extract/update/compile`` with the options written down once. The ``.mo``
files are committed (so a checkout and a wheel need no build step); the test suite checks that
each one equals its ``.po`` compiled.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "iopauth" / "locale"
DOMAIN = "iopauth"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
# ``_mark(context, message)`` in iopauth.rendering.language marks words looked up at run time
KEYWORDS = {**DEFAULT_KEYWORDS, "_mark": ((1, "c"), 2)}
_JINJA = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
SOURCES: tuple[tuple[Path, list[tuple[str, str]], dict[str, str]], ...] = (
    (ROOT / "templates", [("**.j2", "jinja2"), ("**.css", "jinja2")], _JINJA),
    (ROOT / "src" / "iopauth" / "rendering", [("**.py", "python")], {}),
)
Key = tuple[str | tuple[str, ...], str | None]


def extract() -> Catalog:
    """Every message the templates and the rendering code mark, as a catalog template."""
    catalog = Catalog(project="iopauth", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for folder, method_map, options in SOURCES:
        options_map = {pattern: options for pattern, _method in method_map}
        for filename, lineno, message, comments, context in extract_from_dir(
            folder, method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
        ):
            where = (f"{folder.relative_to(ROOT)}/{filename}", lineno)
            catalog.add(message, None, [where], auto_comments=comments, context=context)
    return catalog


def catalogs() -> list[Path]:
    """The ``.po`` file of every language."""
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def messages(catalog: Catalog) -> dict[Key, object]:
    """Message id and context -> translation (``""`` when untranslated), header left out."""
    return {(_hashable(m.id), m.context): _hashable(m.string) for m in catalog if m.id}


def _hashable(value: object) -> str | tuple[str, ...]:
    # a plural message's id and strings are tuples from a .po, lists from a .mo
    return tuple(value) if isinstance(value, list | tuple) else str(value)


def _write_po(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    # no line numbers and no obsolete entries: a diff shows only real changes
    write_po(buffer, catalog, include_lineno=False, ignore_obsolete=True, width=96)
    path.write_bytes(buffer.getvalue())


def compiled(po: Path) -> bytes:
    """The ``.mo`` bytes of ``po`` (fuzzy entries left out, as gettext does)."""
    with po.open("rb") as fp:
        catalog = read_po(fp)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def mo_messages(data: bytes) -> dict[Key, object]:
    """The messages of compiled ``.mo`` bytes."""
    return messages(read_mo(io.BytesIO(data)))


def problems() -> list[str]:
    """What is stale: the template against the sources, each ``.po`` against the template
    (missing, untranslated or fuzzy messages) and each ``.mo`` against its ``.po``."""
    out = []
    wanted = set(messages(extract()))
    with TEMPLATE.open("rb") as fp:
        template = set(messages(read_po(fp)))
    if template != wanted:
        out.append(f"{TEMPLATE.name} is stale: run scripts/catalogs.py extract")
    for po in catalogs():
        with po.open("rb") as fp:
            catalog = read_po(fp)
        found = messages(catalog)
        name = po.relative_to(LOCALE)
        if set(found) != wanted:
            out.append(f"{name} does not hold the template's messages: run extract")
        for message in catalog:
            strings = _hashable(message.string)
            strings = strings if isinstance(strings, tuple) else (strings,)
            if message.id and (message.fuzzy or not all(strings)):
                out.append(f"{name}: {message.id!r} is fuzzy or untranslated")
        mo = po.with_suffix(".mo")
        if not mo.is_file() or mo_messages(mo.read_bytes()) != mo_messages(compiled(po)):
            out.append(f"{mo.relative_to(LOCALE)} does not match its .po: run compile")
    return out


def main(argv: list[str]) -> int:
    """Run one command (see the module docstring)."""
    command = argv[0] if argv else "check"
    if command == "extract":
        template = extract()
        _write_po(TEMPLATE, template)
        for po in catalogs():
            with po.open("rb") as fp:
                catalog = read_po(fp)
            catalog.update(template, no_fuzzy_matching=True)
            _write_po(po, catalog)
    elif command == "compile":
        for po in catalogs():
            po.with_suffix(".mo").write_bytes(compiled(po))
    elif command == "init" and len(argv) == 2:
        target = LOCALE / argv[1] / "LC_MESSAGES" / f"{DOMAIN}.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        with TEMPLATE.open("rb") as fp:
            catalog = read_po(fp, locale=argv[1])
        _write_po(target, catalog)
    elif command == "check":
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
