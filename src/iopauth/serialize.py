"""The case's JSON format: one configured cattrs converter, ``load_case`` and ``dump_case``.

Loading runs in two passes. The structural pass (cattrs) turns JSON into model objects with
strict types — no silent ``"3"`` → ``3`` or ``1`` → ``True`` coercion — and collects every
problem at once. The rule pass (:mod:`iopauth.validate`) then checks field and cross-field
rules. Both report ``"<json path>: <rule>"`` lines and never the offending value.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
from collections.abc import Callable, Mapping
from datetime import date
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
from cattrs import Converter
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from ._reading import (
    HUGE,
    KEY_ECHO,
    MAX_DOCUMENT_BYTES,
    key_text,
    read_source,
)
from .errors import InvalidCaseError
from .limits import MAX_KEYS, max_items
from .model import Case, Diagnosis, StrEnum
from .validate import case_problems
from .validity import remember_valid

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_NUMBER",
    "MAX_TEXT",
    "case_schema",
    "dump_case",
    "load_case",
    "make_converter",
]

_T = TypeVar("_T")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Longest string accepted in any field. Free text beyond this belongs in an attachment.
MAX_TEXT = 10_000
#: Largest magnitude of any number in a case; no count, score or duration comes near it.
MAX_NUMBER = 1_000_000_000
_NUMBER_RULE = f"must be between -{MAX_NUMBER} and {MAX_NUMBER}"
# Control characters, and lone surrogates (not Unicode text: JSON escapes such as "\\ud800",
# or undecodable bytes read with surrogateescape, produce them).
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class _RuleError(ValueError):
    """A structural rule broken by one JSON value; the message is the rule, never the value."""


def make_converter() -> Converter:
    """Build the converter iopauth uses for every case document.

    Strict primitives, ISO 8601 dates, enums by value, arrays for tuples, unknown keys refused,
    ``None`` and defaults omitted on output, all errors collected with their paths. Every
    string must be non-empty, at most :data:`MAX_TEXT` characters and free of control
    characters.
    """
    conv = Converter(forbid_extra_keys=True, omit_if_default=True, detailed_validation=True)

    def structure_str(obj: object, _: type) -> str:
        if not isinstance(obj, str):
            raise _RuleError("must be a string")
        if not obj.strip():
            raise _RuleError("must not be empty")
        if len(obj) > MAX_TEXT:
            raise _RuleError(f"must be at most {MAX_TEXT} characters")
        if _BAD_CHARS.search(obj):
            if _SURROGATE.search(obj):
                raise _RuleError("must be valid Unicode text (it holds a lone surrogate)")
            raise _RuleError("must not contain control characters")
        return obj

    def structure_int(obj: object, _: type) -> int:
        if obj is HUGE:
            raise _RuleError(_NUMBER_RULE)
        if not isinstance(obj, int) or isinstance(obj, bool):
            raise _RuleError("must be an integer")
        if not -MAX_NUMBER <= obj <= MAX_NUMBER:
            raise _RuleError(_NUMBER_RULE)
        return obj

    def structure_float(obj: object, _: type) -> float:
        if obj is HUGE:
            raise _RuleError(_NUMBER_RULE)
        if not isinstance(obj, int | float) or isinstance(obj, bool):
            raise _RuleError("must be a number")
        if isinstance(obj, float) and not math.isfinite(obj):
            raise _RuleError("must be a finite number")
        if not -MAX_NUMBER <= obj <= MAX_NUMBER:  # before float(): a huge int overflows it
            raise _RuleError(_NUMBER_RULE)
        return float(obj)

    def structure_bool(obj: object, _: type) -> bool:
        if not isinstance(obj, bool):
            raise _RuleError("must be true or false")
        return obj

    def structure_date(obj: object, _: type) -> date:
        if isinstance(obj, str) and _DATE.fullmatch(obj):
            try:
                return date.fromisoformat(obj)
            except ValueError:
                raise _RuleError("must be a real calendar date") from None
        raise _RuleError("must be a date written YYYY-MM-DD")

    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(float, structure_float)
    conv.register_structure_hook(bool, structure_bool)
    conv.register_structure_hook(date, structure_date)
    conv.register_unstructure_hook(date, date.isoformat)
    # Our enums subclass str: single dispatch on their base is more specific than ``str``.
    conv.register_structure_hook(StrEnum, _structure_enum)
    conv.register_structure_hook_factory(_is_optional, lambda t: _optional_hook(conv, t))
    conv.register_structure_hook_factory(_is_tuple, lambda t: _tuple_hook(conv, t))
    conv.register_structure_hook_factory(_is_dict, lambda t: _dict_hook(conv, t))
    conv.register_structure_hook_factory(attrs.has, lambda t: _object_hook(conv, t))
    conv.register_structure_hook(Diagnosis, _diagnosis_hook(conv))
    return conv


def _is_optional(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) in (Union, UnionType) and len(args) == 2 and type(None) in args


def _optional_hook(conv: Converter, cl: Any) -> Callable[[object, type], Any]:
    """``X | None``: resolve X's hook once, not on every call as cattrs' generic hook does."""
    (inner,) = [a for a in get_args(cl) if a is not type(None)]
    handler = conv.get_structure_hook(inner)

    def structure(obj: object, _: type) -> Any:
        return None if obj is None else handler(obj, inner)

    return structure


def _is_tuple(tp: Any) -> bool:
    return get_origin(tp) is tuple


def _is_dict(tp: Any) -> bool:
    return get_origin(tp) is dict


@functools.cache
def _enum_rule(cl: type[StrEnum]) -> str:
    return "must be one of: " + ", ".join(m.value for m in cl)


def _structure_enum(obj: object, cl: type[StrEnum]) -> StrEnum:
    if isinstance(obj, str):
        try:
            return cl(obj)
        except ValueError:
            pass
    raise _RuleError(_enum_rule(cl))


def _tuple_hook(conv: Converter, cl: Any) -> Callable[[object, type], tuple[Any, ...]]:
    (elem, *_rest) = get_args(cl)
    handler = conv.get_structure_hook(elem)
    limit = max_items(elem)

    def structure(obj: object, _: type) -> tuple[Any, ...]:
        if not isinstance(obj, list):
            raise _RuleError("must be an array")
        if len(obj) > limit:
            raise _RuleError(f"must have at most {limit} items")
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


class _KeyPosition(int):
    """The position of a key in a JSON object, standing in for the key in error paths.

    Keys of free-form objects (``ratings``) are data a caller typed and may carry patient
    data, so errors name the key's position (``ratings[key #2]``), never the key.
    """


def _dict_hook(conv: Converter, cl: Any) -> Callable[[object, type], dict[str, Any]]:
    key_type, value_type = get_args(cl)
    handler = conv.get_structure_hook(value_type)
    key_handler = conv.get_structure_hook(key_type)

    def structure(obj: object, _: type) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise _RuleError("must be an object")
        if len(obj) > MAX_KEYS:
            raise _RuleError(f"must have at most {MAX_KEYS} keys")
        out, errors = {}, []
        for position, (key, value) in enumerate(obj.items()):
            try:
                out[key_handler(key, key_type)] = handler(value, value_type)
            except Exception as exc:
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote("key", _KeyPosition(position), value_type),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError("invalid object values", errors, cl)
        return out

    return structure


def _object_hook(conv: Converter, cl: type[_T]) -> Callable[[object, type], _T]:
    generated = conv.gen_structure_attrs_fromdict(cl)

    def structure(obj: object, _: type) -> _T:
        if not isinstance(obj, Mapping):
            raise _RuleError("must be an object")
        return generated(obj, cl)

    return structure


def _diagnosis_hook(conv: Converter) -> Callable[[object, type], Diagnosis]:
    generated = _object_hook(conv, Diagnosis)

    def structure(obj: object, cl: type) -> Diagnosis:
        diagnosis = generated(obj, cl)
        from .codes import normalize_icd10  # light: the code table is not read here

        normalized = normalize_icd10(diagnosis.code)
        if normalized is not None and normalized != diagnosis.code:
            diagnosis = attrs.evolve(diagnosis, code=normalized)
        return diagnosis

    return structure


_CONVERTER = make_converter()
_STRUCTURE_CASE = _CONVERTER.get_structure_hook(Case)


def _read(source: object) -> object:
    """Turn any accepted source into parsed JSON (or the mapping itself)."""
    try:
        return read_source(source)
    except TypeError:
        raise InvalidCaseError(["$: the case must be a JSON object"]) from None


def load_case(source: Mapping[str, Any] | str | bytes | os.PathLike[str]) -> Case:
    """Read and validate a case from a mapping, JSON text, UTF-8 bytes or a file path.

    A string is JSON text, unless it cannot be a JSON object and names an existing regular
    file: then that file is read, so ``load_case("case.json")`` works as one expects (a
    device, pipe or folder named by a string is never opened). A path is read whatever it
    names. Every read, and any text or bytes given, is capped at :data:`MAX_DOCUMENT_BYTES`.

    Raises :class:`~iopauth.errors.InvalidCaseError` listing every problem found, each as
    ``"<json path>: <rule>"`` — also for a duplicate key, a number out of range, a document
    past the size limit, or a source that is not a mapping, text, bytes or a path. A missing
    file raises the usual :class:`OSError`.
    """
    data = _read(source)
    if not isinstance(data, Mapping):
        raise InvalidCaseError(["$: the case must be a JSON object"])
    case = _structure(data)
    problems = case_problems(case)
    if problems:
        raise InvalidCaseError(problems)
    remember_valid(case)  # evaluate and render will not check it again
    return case


def _structure(data: Mapping[str, Any]) -> Case:
    """The structural pass: model objects from JSON, or every problem with its path."""
    try:
        case: Case = _STRUCTURE_CASE(data, Case)
    except (ClassValidationError, IterableValidationError, _RuleError) as exc:
        raise InvalidCaseError(_paths(exc, "$")) from None
    except RecursionError:
        raise InvalidCaseError(["$: JSON nested too deeply"]) from None
    return case


def structure_problems(data: Mapping[str, Any]) -> list[str]:
    """The lines the structural pass reports for ``data``, before any rule (none: it reads)."""
    try:
        _structure(data)
    except InvalidCaseError as exc:
        return list(exc.errors)
    return []


def dump_case(case: Case) -> dict[str, Any]:
    """The case as a JSON-compatible dict; ``load_case(dump_case(c)) == c``.

    Fields that hold their default (``None``, empty lists, …) are left out.
    """
    data: dict[str, Any] = _CONVERTER.unstructure(case)
    return data


def case_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the case document."""
    from .schema import build_schema

    return build_schema(Case)


def _paths(exc: BaseException, path: str) -> list[str]:
    """Flatten a cattrs error tree into ``"<path>: <rule>"`` lines."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        lines: list[str] = []
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            step = getattr(note, "name", None)
            if step is None:
                index = note.index
                if isinstance(index, _KeyPosition):
                    step = f"[key #{int(index) + 1}]"
                elif isinstance(index, int):
                    step = f"[{index}]"
                else:
                    step = f".{key_text(str(index))}"
            else:
                step = f".{step}"
            lines.extend(_paths(sub, path + step))
        for sub in without:
            lines.extend(_paths(sub, path))
        return lines
    if isinstance(exc, ForbiddenExtraKeysError):
        known = [f.name for f in attrs.fields(exc.cl)]
        keys = sorted(exc.extra_fields, key=str)
        return [f"{path}.{key_text(str(k))}: {_unknown_key_rule(str(k), known)}" for k in keys]
    if isinstance(exc, KeyError):
        return [f"{path}: required field missing"]
    if isinstance(exc, _RuleError):
        return [f"{path}: {exc}"]
    if isinstance(exc, RecursionError):
        return [f"{path}: nested too deeply"]
    # Anything else is a wrong shape cattrs noticed first (e.g. a list given for a record).
    return [f"{path}: invalid value ({type(exc).__name__})"]


def _unknown_key_rule(key: str, known: list[str]) -> str:
    if len(key) > KEY_ECHO:  # difflib's cost grows with the key; no field name is this long
        return "unknown field"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return "unknown field" + hint
