"""A payer's Questionnaire read into checked item records, within fixed bounds.

A Questionnaire comes from outside (the payer's DTR service): every walk over it is bounded
(items, nesting, conditions), and a problem names the item by its place in the document
(``$.item[2].item[0]``), never by the payer's text. Only the parts iopauth uses are read:
``linkId``, ``type``, ``code``, ``required``, ``repeats``, ``answerOption``, ``answerValueSet``,
``enableWhen``/``enableBehavior`` and whether the item carries an expression iopauth does not
run (CQL or FHIRPath population: ``cqf-expression`` and the SDC expression extensions).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from attrs import frozen

from ..errors import FhirError

__all__ = [
    "EXPRESSION_URLS",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "Condition",
    "Item",
    "read_items",
]

#: Most items read from one Questionnaire (a long payer form has a few hundred).
MAX_ITEMS = 5000
#: Deepest nesting of groups read.
MAX_DEPTH = 32
#: Most enableWhen conditions on one item.
MAX_CONDITIONS = 50

#: Extensions that ask the form filler to run an expression. iopauth runs none of them (CQL
#: population is out of scope, docs/fhir.md); items carrying one are listed as not run.
EXPRESSION_URLS = frozenset(
    {
        "http://hl7.org/fhir/StructureDefinition/cqf-expression",
        "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression",
        "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
        "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-candidateExpression",
    }
)

# Questionnaire.item.type in FHIR R4 (required binding item-type).
ITEM_TYPES = frozenset(
    {
        "group",
        "display",
        "boolean",
        "decimal",
        "integer",
        "date",
        "dateTime",
        "time",
        "string",
        "text",
        "url",
        "choice",
        "open-choice",
        "attachment",
        "reference",
        "quantity",
    }
)
_OPERATORS = frozenset({"exists", "=", "!=", ">", "<", ">=", "<="})


@frozen
class Condition:
    """One ``enableWhen``: the question it reads, the operator and the answer compared with."""

    question: str
    operator: str
    answer: object  # the answer[x] value: bool, int, float, str or a Coding dict
    path: str


@frozen
class Item:
    """One Questionnaire item as iopauth reads it; ``path`` names it in messages."""

    path: str
    link_id: str
    type: str
    text: str | None
    codes: tuple[tuple[str, str], ...]  # (system, code)
    required: bool
    repeats: bool
    options: tuple[object, ...]  # answerOption value[x] values in order
    value_set: str | None
    conditions: tuple[Condition, ...]
    behavior: str  # "all" or "any"
    has_expression: bool
    children: tuple[Item, ...]


def read_items(questionnaire: dict[str, Any]) -> tuple[Item, ...]:
    """The Questionnaire's items, checked; raise :class:`FhirError` listing every problem."""
    if questionnaire.get("resourceType") != "Questionnaire":
        raise FhirError(["$.resourceType: must be Questionnaire"])
    errors: list[str] = []
    count = [0]
    items = _items(questionnaire, "$", 0, count, errors)
    link_ids: dict[str, str] = {}
    for item in walk(items):
        if item.link_id in link_ids:
            errors.append(f"{item.path}.linkId: repeats the linkId of {link_ids[item.link_id]}")
        link_ids.setdefault(item.link_id, item.path)
    for item in walk(items):
        for condition in item.conditions:
            if condition.question not in link_ids:
                errors.append(f"{condition.path}.question: names no item of the questionnaire")
    if errors:
        raise FhirError(errors)
    return items


def walk(items: tuple[Item, ...]) -> Iterator[Item]:
    """Every item, depth first in document order."""
    for item in items:
        yield item
        yield from walk(item.children)


def _items(
    node: dict[str, Any], path: str, depth: int, count: list[int], errors: list[str]
) -> tuple[Item, ...]:
    raw = node.get("item", [])
    if not isinstance(raw, list):
        errors.append(f"{path}.item: must be an array")
        return ()
    if raw and depth >= MAX_DEPTH:
        errors.append(f"{path}.item: nested deeper than {MAX_DEPTH} levels")
        return ()
    out: list[Item] = []
    for i, child in enumerate(raw):
        where = f"{path}.item[{i}]"
        count[0] += 1
        if count[0] > MAX_ITEMS:
            errors.append(f"{where}: the questionnaire has more than {MAX_ITEMS} items")
            break
        if not isinstance(child, dict):
            errors.append(f"{where}: must be an object")
            continue
        item = _item(child, where, depth, count, errors)
        if item is not None:
            out.append(item)
    return tuple(out)


def _item(
    raw: dict[str, Any], path: str, depth: int, count: list[int], errors: list[str]
) -> Item | None:
    link_id, kind = raw.get("linkId"), raw.get("type")
    if not isinstance(link_id, str) or not link_id or len(link_id) > 255:
        errors.append(f"{path}.linkId: required: a string of at most 255 characters")
        return None
    if not isinstance(kind, str):
        errors.append(f"{path}.type: required")
        return None
    conditions = _conditions(raw.get("enableWhen", []), f"{path}.enableWhen", errors)
    behavior = raw.get("enableBehavior", "all")
    if behavior not in ("all", "any"):
        errors.append(f"{path}.enableBehavior: must be all or any")
        behavior = "all"
    text = raw.get("text")
    return Item(
        path=path,
        link_id=link_id,
        type=kind,
        text=text if isinstance(text, str) else None,
        codes=_codes(raw.get("code")),
        required=raw.get("required") is True,
        repeats=raw.get("repeats") is True,
        options=tuple(_value(o) for o in _list(raw.get("answerOption")) if isinstance(o, dict)),
        value_set=raw["answerValueSet"] if isinstance(raw.get("answerValueSet"), str) else None,
        conditions=conditions,
        behavior=str(behavior),
        has_expression=any(
            isinstance(e, dict) and e.get("url") in EXPRESSION_URLS
            for e in _list(raw.get("extension"))
        ),
        children=_items(raw, path, depth + 1, count, errors),
    )


def _conditions(raw: object, path: str, errors: list[str]) -> tuple[Condition, ...]:
    if not isinstance(raw, list):
        errors.append(f"{path}: must be an array")
        return ()
    if len(raw) > MAX_CONDITIONS:
        errors.append(f"{path}: more than {MAX_CONDITIONS} conditions")
        return ()
    out = []
    for i, cond in enumerate(raw):
        where = f"{path}[{i}]"
        if not isinstance(cond, dict) or not isinstance(cond.get("question"), str):
            errors.append(f"{where}.question: required")
            continue
        operator = cond.get("operator")
        if operator not in _OPERATORS:
            errors.append(f"{where}.operator: must be one of {', '.join(sorted(_OPERATORS))}")
            continue
        out.append(Condition(cond["question"], str(operator), _value(cond, "answer"), where))
    return tuple(out)


def _value(node: dict[str, Any], prefix: str = "value") -> object:
    """The one ``value[x]`` (or ``answer[x]``) of ``node``, or ``None``."""
    for key, value in node.items():
        if key.startswith(prefix) and key != prefix:
            return value
    return None


def _codes(raw: object) -> tuple[tuple[str, str], ...]:
    return tuple(
        (c["system"], c["code"])
        for c in _list(raw)
        if isinstance(c, dict)
        and isinstance(c.get("system"), str)
        and isinstance(c.get("code"), str)
    )


def _list(raw: object) -> list[Any]:
    return raw if isinstance(raw, list) else []
