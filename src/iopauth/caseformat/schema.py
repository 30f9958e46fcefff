"""JSON Schema (draft 2020-12) of the case document, generated from the model classes.

The schema states the structure (types, required fields, enums, unknown keys refused) and the
simple ranges; cross-field rules (one primary diagnosis, dates in order, …) live in
:mod:`iopauth.caseformat.rules` and are listed in ``docs/case-format.md``.
"""

from __future__ import annotations

import enum
import inspect
import types
from datetime import date
from typing import Any, Union, get_args, get_origin, get_type_hints

import attrs

from .limits import MAX_KEYS, MAX_NUMBER, MAX_TEXT, max_items
from .rules import MAX_PLAN_WEEKS

__all__ = ["build_schema"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Ranges the loader enforces, stated in the schema too: (class name, field) -> keywords.
_RANGES: dict[tuple[str, str], dict[str, Any]] = {
    ("Schedule", "days_per_week"): {"minimum": 0, "maximum": 7},
    ("Schedule", "hours_per_day"): {"minimum": 0, "maximum": 24},
    ("Session", "minutes"): {"minimum": 1, "maximum": 1440},
    ("PlannedService", "minutes_per_session"): {"minimum": 1, "maximum": 1440},
    ("PlannedService", "sessions_per_week"): {"exclusiveMinimum": 0, "maximum": 168},
    ("TreatmentPlan", "weeks"): {"minimum": 1, "maximum": MAX_PLAN_WEEKS},
    ("Engagement", "sessions_scheduled"): {"minimum": 0},
    ("Engagement", "sessions_attended"): {"minimum": 0},
    ("DocumentOnHand", "pages"): {"minimum": 1, "maximum": 1000},
    ("Program", "npi"): {"pattern": "^[0-9]{10}$"},
    ("Clinician", "npi"): {"pattern": "^[0-9]{10}$"},
    ("Program", "tin"): {"pattern": "^[0-9]{2}-?[0-9]{7}$"},
}


def build_schema(root: type) -> dict[str, Any]:
    """The schema of ``root`` with one ``$defs`` entry per record class."""
    defs: dict[str, Any] = {}
    body = _record(root, defs)
    return {
        "$schema": _DIALECT,
        "$id": "https://iopauth.invalid/schema/case.json",
        "title": "iopauth case",
        **body,
        "$defs": dict(sorted(defs.items())),
    }


def _doc(cls: type) -> str:
    return (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ")


def _record(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(cls)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in attrs.fields(cls):
        schema = _type(hints[field.name], defs)
        schema.update(_RANGES.get((cls.__name__, field.name), {}))
        properties[field.name] = schema
        if field.default is attrs.NOTHING:
            required.append(field.name)
    return {
        "type": "object",
        "description": _doc(cls),
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _type(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        (inner,) = options
        return {"anyOf": [_type(inner, defs), {"type": "null"}]}
    if origin is tuple:
        item = get_args(tp)[0]
        return {"type": "array", "items": _type(item, defs), "maxItems": max_items(item)}
    if origin is dict:
        return {
            "type": "object",
            "additionalProperties": _type(get_args(tp)[1], defs),
            "maxProperties": MAX_KEYS,
        }
    if isinstance(tp, type) and attrs.has(tp):
        if tp.__name__ not in defs:
            defs[tp.__name__] = {}  # reserve first: records may nest
            defs[tp.__name__] = _record(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if tp in _PRIMITIVES:
        return dict(_PRIMITIVES[tp])
    raise TypeError(f"no JSON Schema for {tp!r}")


_PRIMITIVES: dict[object, dict[str, Any]] = {
    bool: {"type": "boolean"},
    int: {"type": "integer", "minimum": -MAX_NUMBER, "maximum": MAX_NUMBER},
    float: {"type": "number", "minimum": -MAX_NUMBER, "maximum": MAX_NUMBER},
    str: {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
    date: {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
}
