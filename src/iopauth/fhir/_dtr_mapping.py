"""Questionnaire mappings: which case value answers which item of a payer's Questionnaire.

A mapping is TOML in the shape of a payer form mapping (``docs/forms.md``): a
``[questionnaire]`` table naming the Questionnaire's canonical ``url`` (and optionally
``version``, ``title``, ``notes``) and ``[[items]]``, each with a ``link_id`` and exactly one
source: ``path`` (a case path, checked against the case model when the mapping loads),
``derived`` (a derived value of the form mappings), ``criterion`` (a criterion's status on the
case's determination) or ``text`` (fixed text or true/false). ``choices`` turns the source's
value into the answer (``{ met = "Y", not_met = "N" }``). Every problem is reported at once, at
its TOML path, in a :class:`~iopauth.errors.FormMappingError`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from ..errors import FormMappingError
from ..forms._derived import DERIVED
from ..forms._mapping import read_mapping_text
from ..forms._paths import CasePath, compile_path

__all__ = [
    "ItemEntry",
    "QuestionnaireMapping",
    "load_questionnaire_mapping",
    "parse_questionnaire_mapping",
]

_SOURCES = ("path", "derived", "criterion", "text")
_ENTRY_KEYS = frozenset({"link_id", "choices", "note", *_SOURCES})
_TOP_KEYS = frozenset({"questionnaire", "items"})
_HEAD_KEYS = frozenset({"url", "version", "title", "notes"})

Scalar = str | bool | int | float


@frozen(kw_only=True)
class ItemEntry:
    """One ``[[items]]`` entry: the item it answers and where the answer comes from."""

    where: str
    link_id: str
    path: CasePath | None = None
    derived: str | None = None
    criterion: str | None = None
    text: str | bool | None = None
    choices: Mapping[str, Scalar] | None = None

    @property
    def needs_determination(self) -> bool:
        """True when the answer comes from a criteria determination."""
        if self.criterion is not None:
            return True
        return self.derived is not None and DERIVED[self.derived].needs_determination


@frozen(kw_only=True)
class QuestionnaireMapping:
    """A checked mapping: the Questionnaire it is for and its entries by linkId."""

    url: str
    version: str | None
    title: str
    entries: Mapping[str, ItemEntry]


def load_questionnaire_mapping(path: str | os.PathLike[str]) -> QuestionnaireMapping:
    """Read and check a mapping file, as a form mapping is read (the bounded reader: a regular
    file or a pipe of at most 1 MiB, refused before it is parsed)."""
    return parse_questionnaire_mapping(read_mapping_text(path), source=Path(path).name)


def parse_questionnaire_mapping(
    text: str, *, source: str = "questionnaire mapping"
) -> QuestionnaireMapping:
    """Check mapping TOML given as text (``source`` names it in the error)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FormMappingError([f"invalid TOML: {error}"], source=source) from None
    errors: list[str] = []
    for key in sorted(set(raw) - _TOP_KEYS):
        errors.append(f"{key}: unknown key; a mapping has [questionnaire] and [[items]]")
    head = raw.get("questionnaire")
    if not isinstance(head, dict):
        errors.append("questionnaire: required: a table with the Questionnaire's url")
        head = {}
    for key in sorted(set(head) - _HEAD_KEYS):
        errors.append(f"questionnaire.{key}: unknown key")
    for key in _HEAD_KEYS:
        if key in head and not isinstance(head[key], str):
            errors.append(f"questionnaire.{key}: must be a string")
    if not isinstance(head.get("url"), str) or not head.get("url"):
        errors.append("questionnaire.url: required: the Questionnaire's canonical url")
    items = raw.get("items")
    if not isinstance(items, list) or not items:
        errors.append("items: must be a non-empty list of [[items]] tables")
        items = []
    entries: dict[str, ItemEntry] = {}
    for i, item in enumerate(items):
        entry = _entry(item, f"items[{i}]", errors)
        if entry is None:
            continue
        if entry.link_id in entries:
            errors.append(
                f"{entry.where}.link_id: already answered by {entries[entry.link_id].where}"
            )
            continue
        entries[entry.link_id] = entry
    if errors:
        raise FormMappingError(errors, source=source)
    version = head.get("version")
    return QuestionnaireMapping(
        url=str(head["url"]),
        version=str(version) if isinstance(version, str) else None,
        title=str(head.get("title", "")),
        entries=entries,
    )


def _entry(raw: object, where: str, errors: list[str]) -> ItemEntry | None:  # noqa: PLR0912 -- one branch per rule, as forms._mapping._entry
    if not isinstance(raw, dict):
        errors.append(f"{where}: must be a table")
        return None
    before = len(errors)
    for key in sorted(set(raw) - _ENTRY_KEYS):
        errors.append(f"{where}.{key}: unknown key")
    link_id = raw.get("link_id")
    if not isinstance(link_id, str) or not link_id:
        errors.append(f"{where}.link_id: required: the item's linkId")
    sources = [k for k in _SOURCES if k in raw]
    if len(sources) != 1:
        found = ", ".join(sources) or "none"
        errors.append(
            f"{where}: give exactly one of path, derived, criterion, text (found {found})"
        )
    values: dict[str, Any] = {}
    for key in _SOURCES:
        if key not in raw:
            continue
        if isinstance(raw[key], str) or (key == "text" and isinstance(raw[key], bool)):
            values[key] = raw[key]
        else:
            errors.append(f"{where}.{key}: must be a string")
    if isinstance(values.get("path"), str):
        try:
            values["path"] = compile_path(values["path"])
        except ValueError as error:
            errors.append(f"{where}.path: {error}")
    derived = values.get("derived")
    if isinstance(derived, str) and derived not in DERIVED:
        errors.append(f"{where}.derived: no derived value {derived!r}")
    choices = raw.get("choices")
    if choices is not None and (
        not isinstance(choices, dict)
        or not choices
        or not all(isinstance(v, str | bool | int | float) for v in choices.values())
    ):
        errors.append(f"{where}.choices: must be a table of value = answer")
        choices = None
    if len(errors) > before:
        return None
    return ItemEntry(where=where, link_id=str(link_id), choices=choices, **values)
