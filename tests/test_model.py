"""The model classes: one import place, enum fields that take their JSON strings, documented."""

from __future__ import annotations

import inspect
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import attrs
import pytest

import iopauth.model
from iopauth.model import Case, StrEnum


def _records(root: type = Case) -> list[type]:
    """Every record class a case can hold, found through the type hints."""
    seen: list[type] = []

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and attrs.has(tp):
            if tp in seen:
                return
            seen.append(tp)
            for hint in get_type_hints(tp).values():
                visit(hint)
        for arg in get_args(tp):
            visit(arg)

    visit(root)
    return seen


def _enum_fields() -> list[tuple[type, attrs.Attribute[Any], type[StrEnum], bool]]:
    """(class, field, enum, optional) for every field that holds one of the model's enums."""
    out = []
    for cls in _records():
        hints = get_type_hints(cls)
        for field in attrs.fields(cls):
            tp = hints[field.name]
            optional = get_origin(tp) in (Union, UnionType) and type(None) in get_args(tp)
            inner = next((a for a in get_args(tp) if a is not type(None)), tp) if optional else tp
            if isinstance(inner, type) and issubclass(inner, StrEnum):
                out.append((cls, field, inner, optional))
    return out


ENUM_FIELDS = _enum_fields()


def test_every_record_class_is_exported_from_iopauth_model() -> None:
    """A caller building a case in code imports every class from one place."""
    for cls in _records():
        assert getattr(iopauth.model, cls.__name__, None) is cls, cls.__name__
        assert cls.__name__ in iopauth.model.__all__


def test_every_enum_of_the_model_is_exported() -> None:
    """The enums a case holds are importable from iopauth.model too."""
    for _cls, _field, enum, _optional in ENUM_FIELDS:
        assert getattr(iopauth.model, enum.__name__, None) is enum, enum.__name__


@pytest.mark.parametrize(
    ("cls", "field", "enum", "optional"),
    ENUM_FIELDS,
    ids=[f"{c.__name__}.{f.name}" for c, f, _e, _o in ENUM_FIELDS],
)
def test_enum_fields_take_their_json_strings(
    cls: type, field: attrs.Attribute[Any], enum: type[StrEnum], optional: bool
) -> None:
    """Each enum field turns its values into members, keeps members, and never raises."""
    convert = field.converter
    assert callable(convert), f"{cls.__name__}.{field.name} has no converter"
    for member in enum:
        assert convert(member.value) is member
        assert convert(member) is member
    assert convert("no such value") == "no such value"  # reported by validate_case, with a path
    if optional:
        assert convert(None) is None


def test_enum_fields_are_described_in_their_class_docstring() -> None:
    """Every enum field is named in its class docstring, which lists the allowed values."""
    for cls, field, enum, _optional in ENUM_FIELDS:
        doc = inspect.getdoc(cls) or ""
        assert f"``{field.name}``" in doc, f"{cls.__name__}.{field.name}"
        if len(enum) <= 10:
            shown = [m.value for m in enum if f'``"{m.value}"``' in doc]
            assert shown, f"{cls.__name__}.{field.name} lists none of its values"


def test_the_case_is_weakly_referable() -> None:
    """validate_case remembers checked cases through a weak reference to the instance."""
    assert "__weakref__" in Case.__slots__
