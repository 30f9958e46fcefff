"""The case's JSON format: one configured cattrs converter, ``load_case`` and ``dump_case``.

Loading runs in two passes. The structural pass turns JSON into model objects with strict
types — no silent ``"3"`` → ``3`` or ``1`` → ``True`` coercion. A valid document is built by
the first pass generated from the model (:mod:`iopauth.caseformat._firstpass`); a document it
refuses goes through the cattrs converter (:mod:`iopauth.caseformat._hooks`), which collects
every problem at once. The rule pass (:mod:`iopauth.caseformat.rules`) then checks field and
cross-field rules. Both report ``"<json path>: <rule>"`` lines and never the offending value.
"""

from __future__ import annotations

import difflib
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from ..errors import InvalidCaseError
from ..model import Case, Diagnosis
from ._firstpass import first_pass
from ._hooks import (
    KeyPosition,
    RuleError,
    make_converter,
    normalized_diagnosis,
)
from ._reading import (
    KEY_ECHO,
    MAX_DOCUMENT_BYTES,
    key_step,
    read_source,
)
from .known_valid import remember_valid
from .limits import MAX_NUMBER, MAX_TEXT
from .rules import case_problems

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_NUMBER",
    "MAX_TEXT",
    "case_schema",
    "dump_case",
    "load_case",
    "make_converter",
]

# Kept under their old names: iopauth.authorization.serialize reads problems the same way.
_RuleError = RuleError
_KeyPosition = KeyPosition
_CONVERTER = make_converter()
# Both structuring functions are generated on first use (tens of milliseconds each), under a
# lock, and published complete: the converter's only for the first document the first pass
# refuses, so a process that loads valid cases never pays for it.
_STRUCTURERS: dict[str, Callable[..., Case]] = {}
_STRUCTURERS_LOCK = threading.Lock()


def _structurer(kind: str) -> Callable[..., Case]:
    """The first pass (``"first"``) or the converter's detailed hook (``"detailed"``) for Case."""
    try:
        return _STRUCTURERS[kind]
    except KeyError:
        pass
    with _STRUCTURERS_LOCK:
        if kind not in _STRUCTURERS:
            if kind == "first":
                _STRUCTURERS[kind] = first_pass(Case, _CONVERTER, {Diagnosis: normalized_diagnosis})
            elif kind == "lenient":
                lenient = make_converter(forbid_extra_keys=False)
                _STRUCTURERS[kind] = lenient.get_structure_hook(Case)
            else:
                _STRUCTURERS[kind] = _CONVERTER.get_structure_hook(Case)
        return _STRUCTURERS[kind]


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
    try:
        case = _structure(data)
    except InvalidCaseError as exc:
        # one line per problem: the rules' problems too, when only unknown keys stood in the way
        raise InvalidCaseError([*exc.errors, *_rules_past_unknown_keys(data)]) from None
    problems = case_problems(case)
    if problems:
        raise InvalidCaseError(problems)
    remember_valid(case)  # evaluate and render will not check it again
    return case


def _structure(data: Mapping[str, Any]) -> Case:
    """The structural pass: model objects from JSON, or every problem with its path.

    The first pass (:mod:`iopauth.caseformat._firstpass`) stops at the first problem without saying
    where; only then does the converter run, to find every problem with its path.
    """
    try:
        case: Case = _structurer("first")(data)
    except Exception:  # whatever failed, the detailed pass finds it with every other problem
        return _structure_detailed(data)
    return case


def _rules_past_unknown_keys(data: Mapping[str, Any]) -> list[str]:
    """The rule problems of ``data`` read with its unknown keys passed over; none when
    anything else keeps it from being read (those problems are already reported)."""
    try:
        case: Case = _structurer("lenient")(data, Case)
    except Exception:  # any other structural problem is already on the list
        return []
    return case_problems(case)


def _structure_detailed(data: Mapping[str, Any]) -> Case:
    """The structural pass collecting every problem: model objects, or the problems' lines."""
    try:
        case: Case = _structurer("detailed")(data, Case)
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
                    step = key_step(str(index))
            else:
                step = f".{step}"
            lines.extend(_paths(sub, path + step))
        for sub in without:
            lines.extend(_paths(sub, path))
        return lines
    if isinstance(exc, ForbiddenExtraKeysError):
        known = [f.name for f in attrs.fields(exc.cl)]
        keys = sorted(exc.extra_fields, key=str)
        # an unknown key is shown by its length only: it may hold patient data (issue 24.2)
        return [
            f"{path}[unknown key of {len(str(k))} characters]: {_unknown_key_rule(str(k), known)}"
            for k in keys
        ]
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
