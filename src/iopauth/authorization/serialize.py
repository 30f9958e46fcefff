"""JSON form of payer decisions and authorizations, through the case's converter style.

The converter is the case's (:func:`iopauth.serialize.make_converter`): strict primitives,
ISO dates, enums by value, unknown keys refused, every problem reported at once as
``"<json path>: <rule>"`` and never with the offending value.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from cattrs.errors import ClassValidationError, IterableValidationError

from ..errors import InvalidAuthorizationError
from ..serialize import _paths, _RuleError, make_converter
from .decision import Decision, DecisionItem

__all__ = ["dump_decision", "load_decision"]

_CONVERTER = make_converter()
_STRUCTURE_DECISION = _CONVERTER.get_structure_hook(Decision)


def read_json(source: object, what: str) -> object:
    """Parse a mapping, JSON text, UTF-8 bytes or a file path into JSON data."""
    if isinstance(source, Mapping):
        return source
    if isinstance(source, os.PathLike):
        source = Path(source).read_bytes()
    if isinstance(source, bytes | bytearray):
        try:
            source = bytes(source).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidAuthorizationError(["$: the document is not UTF-8 text"], what) from None
    if not isinstance(source, str):
        raise TypeError(f"a {what} is read from a mapping, JSON text, bytes or a path")
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        raise InvalidAuthorizationError(
            [f"$: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"], what
        ) from None
    except RecursionError:
        raise InvalidAuthorizationError(["$: JSON nested too deeply"], what) from None
    if not isinstance(data, Mapping):
        raise InvalidAuthorizationError([f"$: the {what} must be a JSON object"], what)
    return data


def structure(data: object, cl: type[Any], what: str) -> Any:
    """Structure JSON data into ``cl``, turning every cattrs problem into a path line."""
    try:
        return _CONVERTER.get_structure_hook(cl)(data, cl)
    except (ClassValidationError, IterableValidationError, _RuleError) as exc:
        raise InvalidAuthorizationError(_paths(exc, "$"), what) from None
    except RecursionError:
        raise InvalidAuthorizationError(["$: JSON nested too deeply"], what) from None


def unstructure(obj: object) -> dict[str, Any]:
    """The JSON-compatible dict of an attrs record (defaults left out)."""
    data: dict[str, Any] = _CONVERTER.unstructure(obj)
    return data


def load_decision(source: Mapping[str, Any] | str | bytes | os.PathLike[str]) -> Decision:
    """Read and check a decision from a mapping, JSON text, UTF-8 bytes or a file path.

    Raises :class:`~iopauth.errors.InvalidAuthorizationError` listing every problem.
    """
    data = read_json(source, "decision")
    decision: Decision = structure(data, Decision, "decision")
    problems = list(decision_problems(decision, "$"))
    if problems:
        raise InvalidAuthorizationError(problems, "decision")
    return decision


def dump_decision(decision: Decision) -> dict[str, Any]:
    """The decision as a JSON-compatible dict; ``load_decision(dump_decision(d)) == d``."""
    return unstructure(decision)


def decision_problems(decision: Decision, path: str) -> Iterator[str]:
    """Rule problems of a structured decision, as ``"<path>: <rule>"`` lines."""
    yield from _grant_problems(
        path, decision.authorized_units, decision.authorized_start, decision.authorized_end
    )
    for i, item in enumerate(decision.items):
        yield from _item_problems(item, f"{path}.items[{i}]")


def _item_problems(item: DecisionItem, path: str) -> Iterator[str]:
    if item.sequence is not None and item.sequence < 1:
        yield f"{path}.sequence: must be at least 1"
    yield from _grant_problems(
        path, item.authorized_units, item.authorized_start, item.authorized_end
    )


def _grant_problems(
    path: str, units: int | None, start: date | None, end: date | None
) -> Iterator[str]:
    if units is not None and units < 0:
        yield f"{path}.authorized_units: must not be negative"
    if start is not None and end is not None and end < start:
        yield f"{path}.authorized_end: must not be before authorized_start"
