"""The rules every date of a case follows, wherever in the case it sits.

No date is before the patient's birth date; a date something was observed or done
(:data:`OBSERVED`) is not after the request date; no date range ends before it starts.

Two passes, as for structuring: a check generated once from the model's types reads every
date in straight-line code and only answers whether all of them hold; only when one does not
does the generic walk run, which keeps the path of every value and reports each problem at it.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from datetime import date
from typing import Any, cast, get_args, get_origin, get_type_hints

import attrs

from ..model import Case, DateRange

__all__ = ["OBSERVED", "date_problems"]

#: Paths of the dates that record something observed or done: none may be after the request.
OBSERVED = re.compile(
    r"\$\.(measures\[\d+\]\.administered_on|risk\.(assessed_on|last_attempt_date)"
    r"|presentation\.assessed_on|level_of_care_ratings\[\d+\]\.rated_on"
    r"|request\.documents\[\d+\]\.dated)"
)

_Check = Callable[[Case, date, date], bool]
# Built once per process under a lock and published only when complete (a placeholder
# published early once let concurrent first loads skip the date checks).
_TABLES: tuple[dict[type, tuple[str, ...]], _Check] | None = None
_LOCK = threading.Lock()


def date_problems(case: Case) -> list[str]:
    """Every date rule the case breaks, as ``"<json path>: <rule>"`` lines in document order."""
    fields, check = _TABLES or _build()
    birth = case.patient.birth_date
    request_date = case.request.request_date
    try:
        valid = birth <= request_date and check(case, birth, request_date)
    except Exception:  # a value of another type than declared: the walk reports it
        valid = False
    if valid:
        return []
    scan = _Scan(case, fields)
    scan.visit(case)
    return scan.lines


def _build() -> tuple[dict[type, tuple[str, ...]], _Check]:
    global _TABLES  # noqa: PLW0603 - built once per process, then only read
    with _LOCK:
        if _TABLES is None:
            fields = _date_fields(Case)
            _TABLES = fields, _generate_check(Case, fields)
        return _TABLES


def _records(tp: Any, hints: dict[type, dict[str, Any]]) -> None:
    """Collect the record classes reachable from type ``tp`` with their field types."""
    if isinstance(tp, type) and attrs.has(tp):
        if tp in hints:
            return
        hints[tp] = get_type_hints(tp)
        for name in (f.name for f in attrs.fields(tp)):
            _records(hints[tp][name], hints)
    for arg in get_args(tp):
        _records(arg, hints)


def _date_fields(root: type) -> dict[type, tuple[str, ...]]:
    """For every record class under ``root``: the fields whose values can contain a date."""
    hints: dict[type, dict[str, Any]] = {}
    _records(root, hints)
    holds: dict[type, bool] = dict.fromkeys(hints, False)

    def may_hold(tp: Any) -> bool:
        if tp is date:
            return True
        if isinstance(tp, type) and tp in holds:
            return holds[tp]
        return any(may_hold(a) for a in get_args(tp))

    changed = True
    while changed:  # a fixed point, so records that nest each other come out right
        changed = False
        for cls, types in hints.items():
            if not holds[cls] and any(may_hold(t) for t in types.values()):
                holds[cls] = changed = True
    return {
        cls: tuple(f.name for f in attrs.fields(cls) if may_hold(types[f.name]))
        for cls, types in hints.items()
    }


def _generate_check(root: type, fields: dict[type, tuple[str, ...]]) -> _Check:
    """Straight-line code that is true when every date under ``root`` keeps the rules.

    It follows the types from the root, so it knows at each date whether its path is one of
    :data:`OBSERVED`; a shape it does not know (a union other than ``X | None``) makes it
    answer false, and the walk with paths decides.
    """
    names = itertools.count()
    lines = ["def check(value, birth, request_date):"]

    def emit(expr: str, tp: Any, path: str, depth: int) -> None:
        if not _may_hold_date(tp, fields):
            return
        pad = "  " * depth
        origin, args = get_origin(tp), get_args(tp)
        if tp is date:
            late = " or {v} > request_date" if OBSERVED.fullmatch(path) else ""
            lines.append(f"{pad}if {expr} < birth{late.format(v=expr)}: return False")
        elif isinstance(tp, type) and tp in fields:
            var = f"v{next(names)}"
            lines.append(f"{pad}{var} = {expr}")
            for name in fields[tp]:
                emit(f"{var}.{name}", get_type_hints(tp)[name], f"{path}.{name}", depth)
            if tp is DateRange:
                lines.append(
                    f"{pad}if {var}.end is not None and {var}.end < {var}.start: return False"
                )
        elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            var = f"v{next(names)}"
            lines.append(f"{pad}for {var} in {expr}:")
            emit(var, args[0], f"{path}[0]", depth + 1)
            lines.append(f"{pad}  pass")
        elif origin is dict:
            var = f"v{next(names)}"
            lines.append(f"{pad}for {var} in {expr}.values():")
            emit(var, args[1], f"{path}.key", depth + 1)
            lines.append(f"{pad}  pass")
        elif len(args) == 2 and type(None) in args:  # X | None
            (inner,) = [a for a in args if a is not type(None)]
            var = f"v{next(names)}"
            lines.append(f"{pad}{var} = {expr}")
            lines.append(f"{pad}if {var} is not None:")
            emit(var, inner, path, depth + 1)
            lines.append(f"{pad}  pass")
        else:
            lines.append(f"{pad}return False")

    emit("value", root, "$", 1)
    lines.append("  return True")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), f"<date check of {root.__name__}>", "exec"), namespace)  # noqa: S102 - our own generated code, from the model's types only
    return cast("_Check", namespace["check"])


def _may_hold_date(tp: Any, fields: dict[type, tuple[str, ...]]) -> bool:
    if tp is date or (isinstance(tp, type) and fields.get(tp)):
        return True
    return any(_may_hold_date(a, fields) for a in get_args(tp))


def _format_path(parts: list[str | int]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


class _Scan:
    """One pass over every date and date range of a case, with paths.

    The path is kept as a stack of parts and only formatted when a problem is found.
    """

    def __init__(self, case: Case, fields: dict[type, tuple[str, ...]]) -> None:
        self.lines: list[str] = []
        self.fields = fields
        self.birth = case.patient.birth_date
        self.request_date = case.request.request_date
        # With an impossible birth date every other date would be reported against it.
        self.check_dates = self.birth <= self.request_date
        self.parts: list[str | int] = []

    def add(self, rule: str) -> None:
        self.lines.append(f"{_format_path(self.parts)}: {rule}")

    def visit(self, value: object) -> None:
        cls = type(value)
        if cls is date:
            if self.check_dates:
                self.day(cast("date", value))
        elif cls is tuple:
            for i, item in enumerate(cast("tuple[object, ...]", value)):
                self.parts.append(i)
                self.visit(item)
                self.parts.pop()
        elif cls is dict:
            for key, item in cast("dict[str, object]", value).items():
                self.parts.append(key)
                self.visit(item)
                self.parts.pop()
        else:
            for name in self.fields.get(cls, ()):
                self.parts.append(name)
                self.visit(getattr(value, name))
                self.parts.pop()
            if cls is DateRange:
                self.period(cast("DateRange", value))

    def day(self, value: date) -> None:
        if value < self.birth and self.parts != ["patient", "birth_date"]:
            self.add("must not be before the patient's birth_date")
        elif value > self.request_date and OBSERVED.fullmatch(_format_path(self.parts)):
            self.add("must not be after the request_date")

    def period(self, value: DateRange) -> None:
        if value.end is not None and value.end < value.start:
            self.parts.append("end")
            self.add("must not be before start")
            self.parts.pop()
