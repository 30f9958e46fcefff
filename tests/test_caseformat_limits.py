"""Array limits no real case reaches, stated in the schema, and the page-count bound."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iopauth import InvalidCaseError, case_schema, load_case
from iopauth.caseformat.limits import DEFAULT_MAX_ITEMS, MAX_ITEMS, MAX_KEYS, max_items
from iopauth.errors import RenderError
from iopauth.model import Medication
from iopauth.rendering import pdf, render

from .casebuilder import build_case

STEPDOWN = Path(__file__).resolve().parent.parent / "examples" / "cases"
STEPDOWN = STEPDOWN / "medicare-stepdown-depression.json"


def _doc() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(STEPDOWN.read_text("utf-8"))
    return data


def _walk(node: object, found: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        if node.get("type") in ("array", "object"):
            found.append(node)
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def test_every_array_and_free_form_object_in_the_schema_has_a_limit() -> None:
    """The schema states maxItems on every array and maxProperties on free-form objects."""
    found: list[dict[str, Any]] = []
    _walk(case_schema(), found)
    arrays = [n for n in found if n["type"] == "array"]
    free = [n for n in found if n["type"] == "object" and "properties" not in n]
    assert len(arrays) >= 12
    assert all(isinstance(n.get("maxItems"), int) for n in arrays)
    assert free
    assert all(n.get("maxProperties") == MAX_KEYS for n in free)
    medications = case_schema()["properties"]["medications"]
    assert medications["maxItems"] == MAX_ITEMS[Medication] == 50


def test_an_array_past_its_limit_is_refused_at_its_path() -> None:
    """51 medications are refused before any of them is structured or rendered."""
    doc = _doc()
    doc["medications"] = [{"name": f"drug {i}"} for i in range(51)]
    with pytest.raises(InvalidCaseError) as info:
        load_case(doc)
    assert list(info.value.errors) == ["$.medications: must have at most 50 items"]
    doc["medications"] = doc["medications"][:50]
    assert len(load_case(doc).medications) == 50


def test_nested_arrays_and_free_form_objects_are_bounded_too() -> None:
    """Symptoms, item answers and rating keys have their limits as well."""
    doc = _doc()
    doc["presentation"]["symptoms"] = ["low mood"] * 51
    rating = doc["level_of_care_ratings"][0]
    rating["ratings"] = {f"k{i}": 1 for i in range(MAX_KEYS + 1)}
    with pytest.raises(InvalidCaseError) as info:
        load_case(doc)
    assert list(info.value.errors) == [
        "$.presentation.symptoms: must have at most 50 items",
        f"$.level_of_care_ratings[0].ratings: must have at most {MAX_KEYS} keys",
    ]


def test_an_item_type_without_an_entry_gets_the_default_limit() -> None:
    """A new array type is bounded by the default until it gets its own limit."""
    assert max_items(bytes) == DEFAULT_MAX_ITEMS


def test_a_document_past_the_page_limit_is_a_render_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Layout that runs past the page bound stops with RenderError."""
    monkeypatch.setattr(pdf, "MAX_PAGES", 1)
    with pytest.raises(RenderError, match="more than 1 pages"):
        render(build_case(), "request-letter")
