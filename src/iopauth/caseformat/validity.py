"""``validate_case``: one notion of a valid case, whether it was loaded or built in code.

A case built in Python is checked by the same converter and rule pass as a JSON document: its
values are written out as ``dump_case`` would write them, read back by the loader's structural
pass, and the rules of :mod:`iopauth.caseformat.rules` run on it. The lines are therefore those
``load_case(dump_case(case))`` gives. Two kinds of value get lines of their own:

- values ``dump_case`` cannot write at all (a ``str`` where a :class:`datetime.date` belongs, a
  dict where a record belongs, a list where a tuple belongs): the line names the Python type
  expected and the one found (a type name, never the value);
- values the round trip would quietly change, so the case evaluated would not be the case
  loaded: an ICD-10-CM code not written normalized, a ``0`` or ``1`` in a boolean field.

Construction never refuses a value (attrs validators would stop at the first problem, without
a path, and cost every load; see the README's development notes): the check runs once, here,
when ``evaluate`` or ``render`` first sees the case.
"""

from __future__ import annotations

import functools
from datetime import date
from types import UnionType
from typing import Any, Union, cast, get_args, get_origin, get_type_hints

import attrs

from ..errors import InvalidCaseError
from ..model import Case, StrEnum
from .known_valid import is_known_valid, remember_valid
from .rules import case_problems

__all__ = ["is_known_valid", "remember_valid", "validate_case"]


def validate_case(case: Case) -> None:
    """Check a case however it was made; raise :class:`InvalidCaseError` when it breaks a rule.

    The error's ``errors`` are the ``"<json path>: <rule>"`` lines that
    ``load_case(dump_case(case))`` would report (types, ranges, cross-field rules, codes),
    plus a line for each value that ``dump_case`` could not write or that the round trip would
    change (see the module documentation). A case that came from ``load_case`` or passed this
    check once is not checked again: the answer is remembered by the object's identity
    (:mod:`iopauth.caseformat.known_valid`).
    """
    if is_known_valid(case):
        return
    if not isinstance(case, Case):
        raise InvalidCaseError([f"$: must be a Case, not {type(case).__name__}"])
    python_lines: dict[str, str] = {}
    data = cast("dict[str, object]", _Writer(python_lines).record(case, Case, "$"))
    from .serialize import structure_problems  # the loader's structural pass

    lines = structure_problems(data)
    if lines:
        raise InvalidCaseError([python_lines.get(_path_of(line), line) for line in lines])
    if python_lines:  # pragma: no cover - every substitute makes the structural pass fail
        raise InvalidCaseError(python_lines.values())
    problems = case_problems(case)
    if problems:
        raise InvalidCaseError(problems)
    remember_valid(case)


def _path_of(line: str) -> str:
    return line.partition(": ")[0]


class _Invalid:
    """Written in place of a value ``dump_case`` cannot write; every hook of the loader rejects
    it with exactly one line at its path, which :func:`validate_case` then replaces."""

    __slots__ = ()


_INVALID = _Invalid()

# What a field holds, decided once per class: (name, kind, argument, optional). The kind names
# the _Writer method that writes it; the argument is the enum or record class, or the kind of a
# tuple's items or a dict's values.
_Kind = tuple[str, Any]
_Plan = tuple[tuple[str, str, Any, bool], ...]


@functools.cache
def _plan(cls: type) -> _Plan:
    hints = get_type_hints(cls)
    out = []
    for f in attrs.fields(cls):
        tp = hints[f.name]
        args = get_args(tp)
        optional = get_origin(tp) in (Union, UnionType) and type(None) in args
        if optional:
            (tp,) = [a for a in args if a is not type(None)]
        out.append((f.name, *_kind(tp), optional))
    return tuple(out)


def _kind(tp: Any) -> _Kind:
    origin = get_origin(tp)
    if origin is tuple:
        return "items", _kind(get_args(tp)[0])
    if origin is dict:
        return "mapping", _kind(get_args(tp)[1])
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        kind = "member"
    elif isinstance(tp, type) and attrs.has(tp):
        kind = "record"
    else:
        # str, int and float are written as they are: the loader's own hooks check them
        kind = {date: "day", bool: "flag"}.get(tp, "leaf")
    return kind, tp


class _Writer:
    """Writes a case as ``dump_case`` would, with :data:`_INVALID` where it could not.

    Unlike ``dump_case`` it writes every field, defaults included: a default is a valid value,
    so the loader reports the same lines either way.
    """

    def __init__(self, python_lines: dict[str, str]) -> None:
        self.lines = python_lines

    def refuse(self, path: str, rule: str) -> _Invalid:
        self.lines[path] = f"{path}: {rule}"
        return _INVALID

    def value(self, value: object, kind: _Kind, path: str) -> object:
        name, arg = kind
        write: Any = getattr(self, name)
        return write(value, arg, path)

    def record(self, value: object, cls: type, path: str) -> object:
        if not isinstance(value, cls):
            return self.refuse(path, f"must be a {cls.__name__}, not {type(value).__name__}")
        out: dict[str, object] = {}
        for name, kind, arg, optional in _plan(cls):
            item = getattr(value, name)
            if kind == "leaf" or (optional and item is None):
                out[name] = item  # most fields: no call, no path built
            else:
                out[name] = getattr(self, kind)(item, arg, f"{path}.{name}")
        return out

    def leaf(self, value: object, _arg: object, _path: str) -> object:
        return value

    def day(self, value: object, _arg: object, path: str) -> object:
        if type(value) is date:
            return value.isoformat()
        return self.refuse(path, f"must be a datetime.date, not {type(value).__name__}")

    def flag(self, value: object, _arg: object, _path: str) -> object:
        # 0 and 1 equal False and True: dump_case would leave a 0 out as if it were the default
        return value if type(value) is bool else _INVALID

    def member(self, value: object, cls: type[StrEnum], _path: str) -> object:
        # the model's converters have already turned every known value into its member
        return value.value if type(value) is cls else _INVALID

    def items(self, value: object, item: _Kind, path: str) -> object:
        if type(value) is not tuple:
            return self.refuse(path, f"must be a tuple, not {type(value).__name__}")
        return [self.value(v, item, f"{path}[{i}]") for i, v in enumerate(value)]

    def mapping(self, value: object, item: _Kind, path: str) -> object:
        if type(value) is not dict:
            return self.refuse(path, f"must be a dict, not {type(value).__name__}")
        return {k: self.value(v, item, f"{path}.{k}") for k, v in value.items()}
