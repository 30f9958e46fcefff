"""The converter behind every case document: strict hooks, resolved once when it is built.

Every problem of a document is collected with its path, as cattrs' ``ClassValidationError`` /
``IterableValidationError`` trees of :class:`RuleError`. The hook of every field, array item
and optional value is resolved once, when a class's hook is generated, instead of dispatching
on the type for every value; enums are looked up in their value table instead of calling the
enum class; tuples and optional values are written out with their items' hook resolved once
(cattrs inlines a hook that passes values through). Valid documents rarely reach this
converter at all: :mod:`iopauth.caseformat._firstpass` builds them first, and only a document
it refuses is structured here, to report every problem.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

import attrs
from cattrs import Converter
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, override

from ..model import Diagnosis, StrEnum
from ._reading import HUGE
from ._text import (
    BAD_CHARS,
    IDENTIFIER,
    IDENTIFIER_RULE,
    RuleError,
    checked_str,
    identifier_hook,
    identifier_ok,
    structure_str,
)
from .limits import IDENTIFIER_FIELDS, MAX_KEYS, MAX_NUMBER, MAX_TEXT, max_items

__all__ = [
    "BAD_CHARS",
    "IDENTIFIER",
    "IDENTIFIER_RULE",
    "MAX_NUMBER",
    "MAX_TEXT",
    "KeyPosition",
    "RuleError",
    "identifier_ok",
    "make_converter",
    "normalized_diagnosis",
    "structure_str",
]

_T = TypeVar("_T")
_Hook = Callable[[Any, Any], Any]
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER_RULE = f"must be between -{MAX_NUMBER} and {MAX_NUMBER}"


class KeyPosition(int):
    """The position of a key in a JSON object, standing in for the key in error paths.

    Keys of free-form objects (``ratings``) are data a caller typed and may carry patient
    data, so errors name the key's position (``ratings[key #2]``), never the key.
    """


def structure_int(obj: object, _: object) -> int:
    """An integer (not a boolean) within :data:`MAX_NUMBER` either way."""
    if type(obj) is int and -MAX_NUMBER <= obj <= MAX_NUMBER:
        return obj
    if obj is HUGE:
        raise RuleError(_NUMBER_RULE)
    if not isinstance(obj, int) or isinstance(obj, bool):
        raise RuleError("must be an integer")
    if not -MAX_NUMBER <= obj <= MAX_NUMBER:
        raise RuleError(_NUMBER_RULE)
    return obj


def structure_float(obj: object, _: object) -> float:
    """A finite number (an integer is taken as a float) within :data:`MAX_NUMBER` either way."""
    if obj is HUGE:
        raise RuleError(_NUMBER_RULE)
    if not isinstance(obj, int | float) or isinstance(obj, bool):
        raise RuleError("must be a number")
    if isinstance(obj, float) and not math.isfinite(obj):
        raise RuleError("must be a finite number")
    if not -MAX_NUMBER <= obj <= MAX_NUMBER:  # before float(): a huge int overflows it
        raise RuleError(_NUMBER_RULE)
    return float(obj)


def structure_bool(obj: object, _: object) -> bool:
    """``true`` or ``false``, never a number."""
    if not isinstance(obj, bool):
        raise RuleError("must be true or false")
    return obj


_fromisoformat = date.fromisoformat


def structure_date(obj: object, _: object) -> date:
    """A calendar date written ``YYYY-MM-DD``."""
    # Of the forms date.fromisoformat reads, only YYYY-MM-DD has ten characters with dashes
    # at 4 and 7 (the week date 2024-W01-1 has none at 7), and its parser takes only ASCII
    # digits in the other places: the regular expression is left for the strings it refuses.
    if type(obj) is str and len(obj) == 10 and obj[4] == "-" and obj[7] == "-" and obj.isascii():
        try:
            return _fromisoformat(obj)
        except ValueError:
            pass
    if isinstance(obj, str) and _DATE.fullmatch(obj):
        try:
            return _fromisoformat(obj)
        except ValueError:
            raise RuleError("must be a real calendar date") from None
    raise RuleError("must be a date written YYYY-MM-DD")


@functools.cache
def _enum_rule(cl: type[StrEnum]) -> str:
    return "must be one of: " + ", ".join(m.value for m in cl)


def structure_enum(obj: object, cl: type[StrEnum]) -> StrEnum:
    """A member of the enum ``cl`` by its value, found in the enum's own value table."""
    if isinstance(obj, str):  # calling the class finds the member at four times the cost
        member = cl._value2member_map_.get(obj)
        if member is not None:
            return member  # type: ignore[return-value]
    raise RuleError(_enum_rule(cl))


def _is_optional(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) in (Union, UnionType) and len(args) == 2 and type(None) in args


def _optional_str(obj: object, _: object) -> str | None:
    if obj is None:
        return None
    if (
        isinstance(obj, str)
        and obj.isprintable()
        and obj
        and not obj.isspace()
        and len(obj) <= MAX_TEXT
    ):
        return obj
    return checked_str(obj)


def _optional_int(obj: object, _: object) -> int | None:
    if obj is None:
        return None
    if type(obj) is int and -MAX_NUMBER <= obj <= MAX_NUMBER:
        return obj
    return structure_int(obj, int)


def _optional_bool(obj: object, _: object) -> bool | None:
    if obj is None or obj is True or obj is False:  # bool has no subclasses
        return obj
    raise RuleError("must be true or false")


def _optional_date(obj: object, _: object) -> date | None:
    if obj is None:
        return None
    if type(obj) is str and len(obj) == 10 and obj[4] == "-" and obj[7] == "-" and obj.isascii():
        try:
            return _fromisoformat(obj)
        except ValueError:
            pass
    return structure_date(obj, date)


def _optional_enum(cl: type[StrEnum]) -> _Hook:
    members = cl._value2member_map_

    def structure(obj: object, _: object) -> StrEnum | None:
        if obj is None:
            return None
        if isinstance(obj, str):
            member = members.get(obj)
            if member is not None:
                return member  # type: ignore[return-value]
        raise RuleError(_enum_rule(cl))

    return structure


# ``X | None`` of the primitives in one call each: the same checks as X's hook, with None first.
_OPTIONAL: dict[type, _Hook] = {
    str: _optional_str,
    int: _optional_int,
    bool: _optional_bool,
    date: _optional_date,
}


def _optional_hook(conv: Converter, cl: Any) -> _Hook:
    """``X | None``: resolve X's hook once, not on every call as cattrs' generic hook does."""
    (inner,) = [a for a in get_args(cl) if a is not type(None)]
    if inner in _OPTIONAL:
        return _OPTIONAL[inner]
    if isinstance(inner, type) and issubclass(inner, StrEnum):
        return _optional_enum(inner)
    handler = conv.get_structure_hook(inner)

    def structure(obj: object, _: object) -> Any:
        return None if obj is None else handler(obj, inner)

    return structure


def _optional_unstructure_hook(conv: Converter, cl: Any) -> Callable[[Any], Any]:
    """``X | None`` written out: X's own hook when that passes values through unchanged."""
    (inner,) = [a for a in get_args(cl) if a is not type(None)]
    handler = conv.get_unstructure_hook(inner)
    if handler is identity:  # None passes through it too; the generated code then inlines it
        return identity

    def unstructure(obj: Any) -> Any:
        return None if obj is None else handler(obj)

    return unstructure


def _is_tuple(tp: Any) -> bool:
    return get_origin(tp) is tuple


def _is_dict(tp: Any) -> bool:
    return get_origin(tp) is dict


def _tuple_hook(conv: Converter, cl: Any) -> _Hook:
    (elem, *_rest) = get_args(cl)
    handler = conv.get_structure_hook(elem)
    limit = max_items(elem)

    def structure(obj: object, _: object) -> tuple[Any, ...]:
        if not isinstance(obj, list):
            raise RuleError("must be an array")
        if len(obj) > limit:
            raise RuleError(f"must have at most {limit} items")
        out, errors = [], []
        for i, value in enumerate(obj):
            try:
                out.append(handler(value, elem))
            except Exception as exc:
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"index {i}", i, elem),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError("invalid array items", errors, cl)
        return tuple(out)

    return structure


def _tuple_unstructure_hook(conv: Converter, cl: Any) -> Callable[[Any], list[Any]]:
    """A tuple written as a JSON array, its items' hook resolved once."""
    handler = conv.get_unstructure_hook(get_args(cl)[0])
    if handler is identity:
        return list

    def unstructure(obj: tuple[Any, ...]) -> list[Any]:
        return [handler(item) for item in obj]

    return unstructure


def _dict_hook(conv: Converter, cl: Any) -> _Hook:
    key_type, value_type = get_args(cl)
    handler = conv.get_structure_hook(value_type)
    key_handler = conv.get_structure_hook(key_type)

    def structure(obj: object, _: object) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise RuleError("must be an object")
        if len(obj) > MAX_KEYS:
            raise RuleError(f"must have at most {MAX_KEYS} keys")
        out, errors = {}, []
        for position, (key, value) in enumerate(obj.items()):
            try:
                out[key_handler(key, key_type)] = handler(value, value_type)
            except Exception as exc:
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote("key", KeyPosition(position), value_type),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError("invalid object values", errors, cl)
        return out

    return structure


def _object_hook(conv: Converter, cl: type[_T]) -> Callable[[Any, Any], _T]:
    shaped = IDENTIFIER_FIELDS.get(cl, ())
    if shaped:
        hints = get_type_hints(cl)
        overrides = {n: override(struct_hook=identifier_hook(conv, hints[n])) for n in shaped}
        generated: Callable[[Any, Any], _T] = make_dict_structure_fn(
            cl,
            conv,
            _cattrs_forbid_extra_keys=conv.forbid_extra_keys,
            _cattrs_detailed_validation=conv.detailed_validation,
            **overrides,  # type: ignore[arg-type]
        )
    else:
        generated = conv.gen_structure_attrs_fromdict(cl)

    def structure(obj: object, _: object) -> _T:
        if type(obj) is not dict and not isinstance(obj, Mapping):
            raise RuleError("must be an object")
        return generated(obj, cl)

    return structure


def normalized_diagnosis(diagnosis: Diagnosis) -> Diagnosis:
    """``diagnosis`` with its ICD-10-CM code written normalized, when the code's format allows."""
    from ..codes import normalize_icd10  # light: the code table is not read here

    normalized = normalize_icd10(diagnosis.code)
    if normalized is not None and normalized != diagnosis.code:
        diagnosis = attrs.evolve(diagnosis, code=normalized)
    return diagnosis


def _diagnosis_hook(conv: Converter) -> Callable[[Any, Any], Diagnosis]:
    generated = _object_hook(conv, Diagnosis)

    def structure(obj: object, cl: object) -> Diagnosis:
        return normalized_diagnosis(generated(obj, cl))

    return structure


def make_converter(*, forbid_extra_keys: bool = True) -> Converter:
    """Build the converter iopauth uses for every case document.

    Strict primitives, ISO 8601 dates, enums by value, arrays for tuples, unknown keys refused
    (``forbid_extra_keys=False``: passed over, only to find the rule problems of a document
    whose unknown keys are already reported),
    ``None`` and defaults omitted on output, all errors collected with their paths. Every
    string must be non-empty, at most :data:`MAX_TEXT` characters and free of control
    characters.
    """
    conv = Converter(
        forbid_extra_keys=forbid_extra_keys, omit_if_default=True, detailed_validation=True
    )
    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(float, structure_float)
    conv.register_structure_hook(bool, structure_bool)
    conv.register_structure_hook(date, structure_date)
    conv.register_unstructure_hook(date, date.isoformat)
    # Our enums subclass str: single dispatch on their base is more specific than ``str``.
    conv.register_structure_hook(StrEnum, structure_enum)
    conv.register_structure_hook_factory(_is_optional, lambda t: _optional_hook(conv, t))
    conv.register_unstructure_hook_factory(
        _is_optional, lambda t: _optional_unstructure_hook(conv, t)
    )
    conv.register_structure_hook_factory(_is_tuple, lambda t: _tuple_hook(conv, t))
    conv.register_unstructure_hook_factory(_is_tuple, lambda t: _tuple_unstructure_hook(conv, t))
    conv.register_structure_hook_factory(_is_dict, lambda t: _dict_hook(conv, t))
    conv.register_structure_hook_factory(attrs.has, lambda t: _object_hook(conv, t))
    conv.register_structure_hook(Diagnosis, _diagnosis_hook(conv))
    return conv
