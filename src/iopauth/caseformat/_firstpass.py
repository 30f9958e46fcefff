"""The loader's first pass: one structuring function per record class, generated from the model.

Most documents loaded are valid, and for them the question is only "is every value what its
field takes?". This pass answers it in straight-line code written once per record class from
the field types: each primitive's checks inline (the same rules as the converter's hooks in
:mod:`iopauth.caseformat._hooks`, in their cheapest form), no hook call per value, no dictionary of
keyword arguments, no error bookkeeping. The first value that does not fit raises
:class:`RefusedError` (or whatever a lookup raises); the loader then structures the document
again with the cattrs converter, which finds every problem and its path. So this pass may
refuse what the converter takes (a ``str`` subclass, a mapping that is not a ``dict``: the
converter then decides), but never takes what the converter refuses, and builds the same
objects; a property test holds the two side by side on broken documents.

A field type it does not know is structured by the converter's own hook.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import date
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import attrs
from cattrs import Converter

from ..model import StrEnum
from ._text import BAD_CHARS, identifier_ok
from .limits import IDENTIFIER_FIELDS, MAX_KEYS, MAX_NUMBER, MAX_TEXT, max_items

__all__ = ["RefusedError", "first_pass"]


class RefusedError(ValueError):
    """A value the first pass does not take; the detailed pass says why and where."""


# The checks, as conditions that are true when the value in ``v`` is refused. A printable
# string holds no control character; one that is not (a line break, a no-break space) is
# searched.
_STR = (
    "type({v}) is not str or not {v} or {v}.isspace() or len({v}) > MAX_TEXT"
    " or (not {v}.isprintable() and bad_chars({v}) is not None)"
)
_INT = "type({v}) is not int or not -MAX_NUMBER <= {v} <= MAX_NUMBER"
_FLOAT = "(type({v}) is not float and type({v}) is not int) or not -MAX_NUMBER <= {v} <= MAX_NUMBER"
_BOOL = "{v} is not True and {v} is not False"
_DATE = (
    "type({v}) is not str or len({v}) != 10 or {v}[4] != '-' or {v}[7] != '-' or not {v}.isascii()"
)


class _Writer:
    """Writes the source of the structuring functions of every record class under a root."""

    def __init__(self, conv: Converter, after: Mapping[type, Callable[[Any], Any]]) -> None:
        self.conv = conv
        self.after = after
        self.names = itertools.count()
        self.globals: dict[str, Any] = {
            "RefusedError": RefusedError,
            "MAX_TEXT": MAX_TEXT,
            "MAX_NUMBER": MAX_NUMBER,
            "fromisoformat": date.fromisoformat,
            "bad_chars": BAD_CHARS.search,
            "identifier_ok": identifier_ok,
        }
        self.done: dict[type, str] = {}
        self.functions: list[str] = []

    def constant(self, value: object) -> str:
        name = f"k{next(self.names)}"
        self.globals[name] = value
        return name

    def var(self) -> str:
        return f"x{next(self.names)}"

    def record(self, cls: type) -> str:
        """The name of ``cls``'s structuring function, written when first asked for."""
        if cls in self.done:
            return self.done[cls]
        name = self.done[cls] = f"structure_{cls.__name__}_{next(self.names)}"
        hints = get_type_hints(cls)
        fields = attrs.fields(cls)
        known = self.constant(frozenset(f.name for f in fields))
        lines = [
            f"def {name}(o):",
            f"  if type(o) is not dict or not o.keys() <= {known}:",
            "    raise RefusedError",
        ]
        arguments = []
        shaped = IDENTIFIER_FIELDS.get(cls, ())
        for field in fields:
            out = self.var()
            if field.default is attrs.NOTHING:
                value = self.var()
                lines.append(f"  {value} = o[{field.name!r}]")
                lines.extend(self.value(value, hints[field.name], out, "  "))
            else:
                lines.append(f"  if {field.name!r} in o:")
                value = self.var()
                lines.append(f"    {value} = o[{field.name!r}]")
                lines.extend(self.value(value, hints[field.name], out, "    "))
                lines.append("  else:")
                lines.append(f"    {out} = {self.constant(field.default)}")
            if field.name in shaped:  # an identifier or code: its shape too (limits)
                lines.append(f"  if not identifier_ok({out}): raise RefusedError")
            arguments.append(f"{field.alias}={out}")
        made = f"{self.constant(cls)}({', '.join(arguments)})"
        if cls in self.after:
            made = f"{self.constant(self.after[cls])}({made})"
        lines.append(f"  return {made}")
        self.functions.append("\n".join(lines))
        return name

    def value(self, v: str, tp: Any, out: str, pad: str) -> list[str]:
        """Lines that check the JSON value in ``v`` as a ``tp`` and put the result in ``out``."""
        lines = self.leaf(v, tp, out, pad)
        return self.composite(v, tp, out, pad) if lines is None else lines

    def leaf(self, v: str, tp: Any, out: str, pad: str) -> list[str] | None:
        """:meth:`value` for a primitive, an enum or a record; ``None`` for other types."""
        check = {str: _STR, int: _INT, float: _FLOAT, bool: _BOOL}.get(tp)
        if check is not None:
            assign = f"float({v})" if tp is float else v
            return [f"{pad}if {check.format(v=v)}: raise RefusedError", f"{pad}{out} = {assign}"]
        if tp is date:
            return [
                f"{pad}if {_DATE.format(v=v)}: raise RefusedError",
                f"{pad}{out} = fromisoformat({v})",
            ]
        if isinstance(tp, type) and issubclass(tp, StrEnum):
            # a value, or a member as dump_case writes it (it is a str whose hash is the value's)
            table = self.constant(dict(tp._value2member_map_))
            members = self.constant(tp)
            return [
                f"{pad}if type({v}) is not str and type({v}) is not {members}: raise RefusedError",
                f"{pad}{out} = {table}[{v}]",
            ]
        if isinstance(tp, type) and attrs.has(tp):
            return [f"{pad}{out} = {self.record(tp)}({v})"]
        return None

    def composite(self, v: str, tp: Any, out: str, pad: str) -> list[str]:
        """:meth:`value` for ``X | None``, a tuple, a dict, or a type left to the converter."""
        origin, args = get_origin(tp), get_args(tp)
        if origin in (Union, UnionType) and len(args) == 2 and type(None) in args:
            (inner,) = [a for a in args if a is not type(None)]
            return [
                f"{pad}if {v} is None:",
                f"{pad}  {out} = None",
                f"{pad}else:",
                *self.value(v, inner, out, pad + "  "),
            ]
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = self.var()
            limit = max_items(args[0])
            head = [f"{pad}if type({v}) is not list or len({v}) > {limit}: raise RefusedError"]
            if isinstance(args[0], type) and attrs.has(args[0]):
                function = self.record(args[0])
                return [*head, f"{pad}{out} = tuple([{function}({item}) for {item} in {v}])"]
            checked = self.var()
            return [
                *head,
                f"{pad}{out} = []",
                f"{pad}for {item} in {v}:",
                *self.value(item, args[0], checked, pad + "  "),
                f"{pad}  {out}.append({checked})",
                f"{pad}{out} = tuple({out})",
            ]
        if origin is dict and args[0] is str:
            key, item, checked = self.var(), self.var(), self.var()
            return [
                f"{pad}if type({v}) is not dict or len({v}) > {MAX_KEYS}: raise RefusedError",
                f"{pad}{out} = {{}}",
                f"{pad}for {key}, {item} in {v}.items():",
                f"{pad}  if {_STR.format(v=key)}: raise RefusedError",
                *self.value(item, args[1], checked, pad + "  "),
                f"{pad}  {out}[{key}] = {checked}",
            ]
        # Any other type: the converter's own hook (any problem raises, with details unused).
        hook = self.constant(self.conv.get_structure_hook(tp))
        return [f"{pad}{out} = {hook}({v}, {self.constant(tp)})"]


def first_pass(
    root: type, conv: Converter, after: Mapping[type, Callable[[Any], Any]] | None = None
) -> Callable[[object], Any]:
    """The first-pass structuring function of the record class ``root`` (see the module).

    ``conv`` structures the field types the writer does not know; ``after`` maps a record
    class to a function its freshly built objects go through (ICD-10-CM normalization).
    """
    writer = _Writer(conv, after or {})
    name = writer.record(root)
    source = "\n\n".join(writer.functions)
    namespace = dict(writer.globals)
    exec(compile(source, f"<first pass of {root.__name__}>", "exec"), namespace)  # noqa: S102 - our own code, written from the model's types
    function: Callable[[object], Any] = namespace[name]
    return function
