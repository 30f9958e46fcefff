"""One rule for every string of a case, an authorization and a decision; identifier shapes."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest
from cattrs.errors import ClassValidationError, IterableValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iopauth.authorization import Authorization, dump_authorization, load_authorization
from iopauth.authorization.decision import Decision
from iopauth.caseformat._hooks import make_converter
from iopauth.caseformat._text import IDENTIFIER_RULE, RuleError
from iopauth.caseformat.limits import IDENTIFIER_FIELDS
from iopauth.caseformat.serialize import dump_case, load_case
from iopauth.errors import InvalidAuthorizationError, InvalidCaseError
from iopauth.model import Case

from .strategies import FORMAT_CONTROLS, authorizations, cases, with_format_control

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cases"
RULES = (
    "must not contain bidirectional control characters",
    "must not contain invisible formatting characters",
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_format_control_in_any_string_of_a_case_is_refused_at_its_path(
    data: st.DataObject,
) -> None:
    """ALM, LRM/RLM, embeddings, overrides, isolates and invisible controls, anywhere."""
    document = dump_case(data.draw(cases()))
    broken, path = data.draw(with_format_control(document, Case))
    with pytest.raises(InvalidCaseError) as caught:
        load_case(broken)
    assert [e for e in caught.value.errors if e.startswith(f"{path}:")], caught.value.errors
    assert all(e.split(": ", 1)[1] in RULES for e in caught.value.errors if e.startswith(path))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_format_control_in_any_string_of_an_authorization_is_refused(
    data: st.DataObject,
) -> None:
    """The same rule for authorization records and the decisions they hold."""
    document = dump_authorization(data.draw(authorizations()))
    broken, path = data.draw(with_format_control(document, Authorization))
    with pytest.raises(InvalidAuthorizationError) as caught:
        load_authorization(broken)
    lines = [e for e in caught.value.errors if e.startswith(f"{path}:")]
    assert lines, caught.value.errors


def _str_fields(root: type) -> list[tuple[type, str, Any]]:
    """Every (record class, field, declared type) reachable from ``root`` holding free text."""
    seen: set[type] = set()
    found: list[tuple[type, str, Any]] = []
    todo = [root]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for name, hint in typing.get_type_hints(cls).items():
            parts = [hint, *typing.get_args(hint)]
            for part in parts:
                for inner in [part, *typing.get_args(part)]:
                    if isinstance(inner, type) and attrs.has(inner):
                        todo.append(inner)
            if str in parts or any(str in typing.get_args(p) for p in parts):
                found.append((cls, name, hint))
    return found


FIELDS = _str_fields(Case) + _str_fields(Authorization)


@pytest.mark.parametrize(
    ("cls", "name", "hint"), FIELDS, ids=[f"{c.__name__}.{n}" for c, n, _ in FIELDS]
)
@pytest.mark.parametrize("char", ["\u202e", "\u061c", "\u200f", "\u2066", "\ufeff", "\x1b"])
def test_every_string_field_goes_through_the_string_rule(
    cls: type, name: str, hint: Any, char: str
) -> None:
    """No string field of the model escapes the rule: its converter hook refuses the char."""
    hook = make_converter().get_structure_hook(hint)
    value: Any = f"A{char}B"
    if typing.get_origin(hint) is tuple:
        value = [value]
    with pytest.raises((RuleError, IterableValidationError, ClassValidationError)):
        hook(value, hint)


def _doc() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (EXAMPLE / "medicare-stepdown-depression.json").read_text(encoding="utf-8")
    )
    return data


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("CSA-0047-1193", True),
        ("GRP 100", True),
        ("PA/2026.7#3", True),
        ("CSA\u20110047", False),  # a non-breaking hyphen looks like '-'
        ("CSA\u200b0047", False),  # a zero-width space: allowed in text, not in an id
        ("ÇSA0047", False),
        ("CSA  0047", False),
        ("-CSA0047", False),
        ("CSA0047 ", False),
        ("C" * 80, True),
        ("C" * 81, False),
    ],
)
def test_member_ids_hold_only_the_characters_of_their_format(value: str, ok: bool) -> None:
    """An identifier is ASCII letters, digits and single separators; nothing that hides."""
    doc = _doc()
    doc["coverage"]["member_id"] = value
    if ok:
        assert load_case(doc).coverage.member_id == value
    else:
        with pytest.raises(InvalidCaseError) as caught:
            load_case(doc)
        assert caught.value.errors == (f"$.coverage.member_id: {IDENTIFIER_RULE}",)


def test_every_identifier_field_has_the_shape_rule_in_both_passes() -> None:
    """Each field of IDENTIFIER_FIELDS is refused by its path (first and detailed pass)."""
    doc = _doc()
    doc["coverage"]["group_number"] = "GRP\u00a0100"
    doc["coverage"]["payer_id"] = "CS A"  # a single space between: allowed
    doc["request"]["authorization_number"] = "PA—7"
    with pytest.raises(InvalidCaseError) as caught:
        load_case(doc)
    assert set(caught.value.errors) == {
        f"$.coverage.group_number: {IDENTIFIER_RULE}",
        f"$.request.authorization_number: {IDENTIFIER_RULE}",
    }
    from iopauth.authorization import load_decision

    with pytest.raises(InvalidAuthorizationError) as info:
        load_decision(
            {
                "status": "approved",
                "authorization_number": "PA 1\u2007",
                "reason_codes": ["A1", "x y"],
                "items": [{"review_action_code": "A\u00b9"}],
            }
        )
    assert set(info.value.errors) == {
        f"$.authorization_number: {IDENTIFIER_RULE}",
        f"$.items[0].review_action_code: {IDENTIFIER_RULE}",
    }
    assert Decision in IDENTIFIER_FIELDS


def test_the_rule_names_every_control_listed() -> None:
    """Each character of the strategies' list is refused by the string rule itself."""
    hook = make_converter().get_structure_hook(str)
    for char in FORMAT_CONTROLS:
        with pytest.raises(RuleError) as caught:
            hook(f"x{char}y", str)
        assert str(caught.value) in RULES
