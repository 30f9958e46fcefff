"""Case paths in a mapping file (``patient.name.family``, ``diagnoses[1].code``).

A path is checked against the model's types when the mapping loads, so a typo is an error at
its TOML path before any case is read; at fill time it is walked on the case. A step names an
attrs field or a documented property of the record it stands on; ``[n]`` picks the n-th item
(from 0) of a list. The value at the end must be a plain value (text, number, yes/no, date, an
enum, or a list of text): a path that ends on a record is refused with the record's fields.
"""

from __future__ import annotations

import functools
import re
import types
from datetime import date
from typing import Any, Union, get_args, get_origin, get_type_hints

import attrs

from ..model import Case, StrEnum

__all__ = ["CasePath", "compile_path"]

_STEP = re.compile(r"^([a-z][a-z0-9_]*)(?:\[(\d+)\])?$")
_SCALARS = (str, int, float, bool, date)


@attrs.frozen
class CasePath:
    """A checked case path: its text and its steps (attribute name, optional index)."""

    text: str
    steps: tuple[tuple[str, int | None], ...]

    def resolve(self, case: Case) -> object:
        """The value at this path on ``case``; ``None`` when a step is absent or out of range."""
        value: Any = case
        for name, index in self.steps:
            value = getattr(value, name)
            if value is None:
                return None
            if index is not None:
                if index >= len(value):
                    return None
                value = value[index]
        return value


def compile_path(text: str) -> CasePath:
    """Check ``text`` against the case model; raise ``ValueError`` with the rule it breaks."""
    steps: list[tuple[str, int | None]] = []
    current: Any = Case
    where = "Case"
    for raw in text.split("."):
        match = _STEP.match(raw)
        if match is None:
            raise ValueError(f"{raw!r} is not a step like name or name[0]")
        name, index_text = match.group(1), match.group(2)
        if get_origin(current) is tuple:
            raise ValueError(f"{where} is a list; pick one item with [n] before .{name}")
        if not (isinstance(current, type) and attrs.has(current)):
            raise ValueError(f"{where} is a plain value; it has no field {name!r}")
        members = _members(current)
        if name not in members:
            raise ValueError(f"{where} has no field {name!r}; it has {', '.join(sorted(members))}")
        current = _optional_inner(members[name])
        if index_text is not None:
            if get_origin(current) is not tuple:
                raise ValueError(f"{where}.{name} is not a list; remove [{index_text}]")
            current = _optional_inner(get_args(current)[0])
        steps.append((name, None if index_text is None else int(index_text)))
        is_record = isinstance(current, type) and attrs.has(current)
        where = current.__name__ if is_record else f"{where}.{name}"
    if isinstance(current, type) and attrs.has(current):
        fields = ", ".join(sorted(_members(current)))
        raise ValueError(f"ends on a {current.__name__} record; add one of its fields: {fields}")
    if not _is_plain(current):
        raise ValueError(f"{where} is not a plain value (text, number, date, yes/no or a list)")
    return CasePath(text=text, steps=tuple(steps))


@functools.cache
def _members(cls: type) -> dict[str, Any]:
    """Fields and public properties of an attrs class with their resolved types."""
    hints = get_type_hints(cls)
    members: dict[str, Any] = {f.name: hints[f.name] for f in attrs.fields(cls)}
    for name in dir(cls):
        prop = getattr(cls, name, None)
        if isinstance(prop, property) and not name.startswith("_") and prop.fget is not None:
            returns = get_type_hints(prop.fget).get("return")
            if returns is not None:
                members[name] = returns
    return members


def _optional_inner(hint: Any) -> Any:
    """``X`` for ``X | None``; anything else unchanged."""
    if get_origin(hint) in (Union, types.UnionType):
        inner = [a for a in get_args(hint) if a is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return hint


def _is_plain(hint: Any) -> bool:
    if isinstance(hint, type) and (issubclass(hint, _SCALARS) or issubclass(hint, StrEnum)):
        return True
    if get_origin(hint) is tuple:
        return all(_is_plain(a) for a in get_args(hint) if a is not Ellipsis)
    return False
