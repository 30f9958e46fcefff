"""Mapping files: which case value goes into which field of a payer's PDF form.

A mapping is TOML data, like a criteria set: a ``[form]`` table and a list of ``[[fields]]``.
Every problem is collected and reported at once at its TOML path (``fields[3].path: …``) in a
:class:`~iopauth.errors.FormMappingError`. ``docs/forms.md`` is the reference.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from ..errors import FormMappingError
from ._derived import DERIVED
from ._paths import CasePath, compile_path
from ._pdf import shown

__all__ = ["MAX_MAPPING_BYTES", "Entry", "FormMapping", "load_mapping", "parse_mapping"]

#: Largest mapping file read: the same cap as a criteria set (both are hand-written TOML; the
#: shipped NOFR001 mapping is under 10 kB).
MAX_MAPPING_BYTES = 1024 * 1024

DEFAULT_DATE_FORMAT = "%m/%d/%Y"
_TOP_KEYS = frozenset({"form", "fields"})
_FORM_KEYS = frozenset({"title", "source", "version", "date_format", "notes", "request_kinds"})
# What a request's kind may be (model.RequestKind values), for ``[form] request_kinds``.
_REQUEST_KINDS = ("initial", "concurrent", "extension", "appeal")
_SOURCES = ("path", "derived", "text", "criterion")
_ENTRY_KEYS = frozenset(
    {"field", "into", "format", "choices", "checked_when", "join", "parts", "digits", "note"}
    | {"prefix", "suffix"}
    | set(_SOURCES)
)

Scalar = str | bool | int | float


@frozen(kw_only=True)
class Entry:
    """One ``[[fields]]`` entry, checked: where it goes and where its value comes from.

    ``targets`` holds one field name, or several for a value split by ``parts`` (a date) or
    ``digits`` (a phone number in three boxes). ``where`` is its TOML path for messages.
    """

    where: str
    targets: tuple[str, ...]
    path: CasePath | None = None
    derived: str | None = None
    text: str | bool | None = None
    criterion: str | None = None
    format: str | None = None
    choices: Mapping[str, Scalar] | None = None
    checked_when: tuple[Scalar, ...] | None = None
    join: str = ", "
    prefix: str = ""
    suffix: str = ""
    parts: tuple[str, ...] = ()
    digits: tuple[int, ...] = ()

    @property
    def needs_determination(self) -> bool:
        """True when the value comes from a criteria determination."""
        if self.criterion is not None:
            return True
        return self.derived is not None and DERIVED[self.derived].needs_determination


@frozen(kw_only=True)
class FormMapping:
    """A checked mapping file: the form it is for and its entries in file order.

    ``request_kinds``: the request kinds the form is for (``[form] request_kinds``), empty
    when the mapping does not say; a render refuses to put the form into a packet for a
    request of another kind.
    """

    title: str
    source: str
    version: str
    date_format: str
    entries: tuple[Entry, ...]
    request_kinds: tuple[str, ...] = ()

    @property
    def targets(self) -> tuple[str, ...]:
        """Every form field name the entries fill, in file order."""
        return tuple(name for entry in self.entries for name in entry.targets)


def load_mapping(path: str | os.PathLike[str]) -> FormMapping:
    """Read and check a mapping file; raise :class:`FormMappingError` listing every problem.

    A file larger than :data:`MAX_MAPPING_BYTES` is refused before it is parsed.
    """
    label = Path(path).name
    return parse_mapping(read_mapping_text(path), source=label)


def read_mapping_text(path: str | os.PathLike[str]) -> str:
    """A mapping file's text, through the bounded reader (a regular file or a pipe, at most
    :data:`MAX_MAPPING_BYTES`); a :class:`FormMappingError` naming the file's name otherwise.
    Questionnaire mappings (``iopauth.fhir``) are read the same way."""
    from .._support.files import RefusedInputError, read_bounded

    label = Path(path).name
    try:
        return read_bounded(path, MAX_MAPPING_BYTES).decode("utf-8")
    except RefusedInputError as exc:
        rule = str(exc).removeprefix("is ")
        raise FormMappingError([rule], source=label) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise FormMappingError([f"cannot read: {reason}"], source=label) from None


def parse_mapping(text: str, *, source: str = "form mapping") -> FormMapping:
    """Check mapping TOML given as text (``source`` names it in the error)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FormMappingError([f"invalid TOML: {error}"], source=source) from None
    errors: list[str] = []
    mapping = _build(raw, errors)
    if errors or mapping is None:
        raise FormMappingError(errors, source=source)
    return mapping


def _build(raw: dict[str, Any], errors: list[str]) -> FormMapping | None:
    for key in sorted(set(raw) - _TOP_KEYS):
        errors.append(f"{key}: unknown key; a mapping has [form] and [[fields]]")
    form = raw.get("form", {})
    if not isinstance(form, dict):
        errors.append("form: must be a table")
        form = {}
    for key in sorted(set(form) - _FORM_KEYS):
        errors.append(f"form.{key}: unknown key{_hint(key, _FORM_KEYS)}")
    for key in _FORM_KEYS - {"notes", "request_kinds"}:
        if key in form and not isinstance(form[key], str):
            errors.append(f"form.{key}: must be a string")
    kinds = _request_kinds(form, errors)
    date_format = form.get("date_format", DEFAULT_DATE_FORMAT)
    if isinstance(date_format, str) and "%" not in date_format:
        errors.append("form.date_format: must be a strftime pattern such as %m/%d/%Y")
    _check_widths(date_format, "form.date_format", errors)
    entries_raw = raw.get("fields")
    if not isinstance(entries_raw, list) or not entries_raw:
        errors.append("fields: must be a non-empty list of [[fields]] tables")
        return None
    entries = [_entry(item, f"fields[{i}]", errors) for i, item in enumerate(entries_raw)]
    seen: dict[str, str] = {}
    for entry in entries:
        if entry is None:
            continue
        for name in entry.targets:
            if name in seen:
                errors.append(
                    f"{entry.where}: field {shown(name)} is already filled by {seen[name]}"
                )
            seen.setdefault(name, entry.where)
    if errors:
        return None
    return FormMapping(
        title=str(form.get("title", "")),
        source=str(form.get("source", "")),
        version=str(form.get("version", "")),
        date_format=str(date_format),
        entries=tuple(e for e in entries if e is not None),
        request_kinds=tuple(str(k) for k in kinds),
    )


#: Largest width or precision a ``format`` (a number format, or a date's strftime pattern)
#: may ask for: a field holds a few dozen characters; "1500000000.1f" once asked for 3 GB.
MAX_FORMAT_WIDTH = 100
_WIDTHS = re.compile(r"[0-9]+")
_FORMAT_CHARS = 200


def _check_widths(text: object, where: str, errors: list[str]) -> None:
    """Refuse a format whose widths or precisions pass :data:`MAX_FORMAT_WIDTH`."""
    if not isinstance(text, str):
        return
    if len(text) > _FORMAT_CHARS:
        errors.append(f"{where}: must be at most {_FORMAT_CHARS} characters")
    elif any(len(n) > 3 or int(n) > MAX_FORMAT_WIDTH for n in _WIDTHS.findall(text)):
        errors.append(f"{where}: widths and precisions must be at most {MAX_FORMAT_WIDTH}")


def _request_kinds(form: dict[str, Any], errors: list[str]) -> list[str]:
    """``[form] request_kinds``, checked: a list of request kinds (empty: every kind)."""
    kinds = form.get("request_kinds", [])
    if not isinstance(kinds, list) or any(k not in _REQUEST_KINDS for k in kinds):
        errors.append(f"form.request_kinds: must be a list of {', '.join(_REQUEST_KINDS)}")
        return []
    return [str(k) for k in kinds]


def _entry(raw: object, where: str, errors: list[str]) -> Entry | None:
    if not isinstance(raw, dict):
        errors.append(f"{where}: must be a table")
        return None
    before = len(errors)
    for key in sorted(set(raw) - _ENTRY_KEYS):
        errors.append(f"{where}.{key}: unknown key{_hint(key, _ENTRY_KEYS)}")
    targets = _targets(raw, where, errors)
    sources = [k for k in _SOURCES if k in raw]
    if len(sources) != 1:
        found = ", ".join(sources) or "none"
        errors.append(
            f"{where}: give exactly one of path, derived, text, criterion (found {found})"
        )
    values: dict[str, Any] = {}
    for key in (*_SOURCES, "format", "join", "prefix", "suffix", "note"):
        if key in raw:
            if isinstance(raw[key], str) or (key == "text" and isinstance(raw[key], bool)):
                values[key] = raw[key]  # text = true checks a box whatever the case says
            else:
                errors.append(f"{where}.{key}: must be a string")
    _check_widths(values.get("format"), f"{where}.format", errors)
    if isinstance(values.get("path"), str):
        try:
            values["path"] = compile_path(values["path"])
        except ValueError as error:
            errors.append(f"{where}.path: {error}")
    derived = values.get("derived")
    if isinstance(derived, str) and derived not in DERIVED:
        errors.append(f"{where}.derived: no derived value {derived!r}{_hint(derived, DERIVED)}")
    choices = _choices(raw.get("choices"), f"{where}.choices", errors)
    checked_when = _checked_when(raw.get("checked_when"), f"{where}.checked_when", errors)
    if choices is not None and checked_when is not None:
        errors.append(f"{where}: give choices or checked_when, not both")
    parts, digits = _split(raw, where, len(targets), errors)
    values.pop("note", None)  # a comment for people: kept in the file, not used
    if len(errors) > before:
        return None
    return Entry(
        where=where,
        targets=targets,
        choices=choices,
        checked_when=checked_when,
        parts=parts,
        digits=digits,
        **values,
    )


def _targets(raw: dict[str, Any], where: str, errors: list[str]) -> tuple[str, ...]:
    if ("field" in raw) == ("into" in raw):
        errors.append(f"{where}: give field (one form field) or into (several), not both")
        return ()
    if "field" in raw:
        if not isinstance(raw["field"], str) or not raw["field"]:
            errors.append(f"{where}.field: must be a form field name")
            return ()
        return (raw["field"],)
    into = raw["into"]
    if not isinstance(into, list) or len(into) < 2 or not all(isinstance(n, str) for n in into):
        errors.append(f"{where}.into: must list two or more form field names")
        return ()
    return tuple(into)


def _split(
    raw: dict[str, Any], where: str, count: int, errors: list[str]
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    parts, digits = raw.get("parts"), raw.get("digits")
    if "into" not in raw:
        for key in ("parts", "digits"):
            if key in raw:
                errors.append(f"{where}.{key}: only an entry with into splits its value")
        return (), ()
    if (parts is None) == (digits is None):
        errors.append(f"{where}: an entry with into needs parts (a date) or digits, not both")
        return (), ()
    if parts is not None:
        if not isinstance(parts, list) or not all(isinstance(p, str) and "%" in p for p in parts):
            errors.append(f"{where}.parts: must list strftime patterns such as %m, %d, %Y")
            return (), ()
        if len(parts) != count:
            errors.append(f"{where}.parts: has {len(parts)} patterns for {count} fields")
        return tuple(parts), ()
    if not isinstance(digits, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in digits
    ):
        errors.append(f"{where}.digits: must list positive whole numbers such as [3, 3, 4]")
        return (), ()
    groups = tuple(int(d) for d in digits)
    if len(groups) != count:
        errors.append(f"{where}.digits: has {len(groups)} groups for {count} fields")
    return (), groups


def _choices(raw: object, where: str, errors: list[str]) -> Mapping[str, Scalar] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw:
        errors.append(f"{where}: must be a table of value = what goes in the field")
        return None
    for key, value in raw.items():
        if not isinstance(value, str | bool | int | float):
            errors.append(f"{where}.{key}: must be text, a number or true/false")
    return dict(raw)


def _checked_when(raw: object, where: str, errors: list[str]) -> tuple[Scalar, ...] | None:
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(i, str | bool | int | float) for i in items):
        errors.append(f"{where}: must be a value or a list of values (text, number, true/false)")
        return None
    return tuple(items)


def _hint(name: str, known: object) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)  # type: ignore[call-overload]
    return f"; did you mean {close[0]!r}?" if close else ""
