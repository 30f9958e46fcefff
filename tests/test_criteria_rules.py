"""The rule language: whitelisted parsing, typing and three-valued evaluation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iopauth.criteria.facts import Value
from iopauth.criteria.rules import MAX_DEPTH, compile_rule
from iopauth.errors import CriteriaSetError

PARAMS: dict[str, Any] = {"min_hours": 9, "levels": ("iop", "php"), "strict": False}


def run(rule: str, **facts: Value) -> Value:
    """Compile ``rule`` and evaluate it over facts given with ``__`` for dots."""
    compiled = compile_rule(rule, params=PARAMS, where="test")
    return compiled.evaluate({k.replace("__", "."): v for k, v in facts.items()})


TRUTH = (True, False, None)


@pytest.mark.parametrize("a", TRUTH)
@pytest.mark.parametrize("b", TRUTH)
def test_kleene_and_or(a: bool | None, b: bool | None) -> None:
    """``and``/``or`` follow Kleene's strong three-valued logic."""
    expected_and = False if False in (a, b) else (None if None in (a, b) else True)
    expected_or = True if True in (a, b) else (None if None in (a, b) else False)
    facts = {"risk__imminent_danger": a, "medical__stable": b}
    assert run("risk.imminent_danger and medical.stable", **facts) is expected_and
    assert run("risk.imminent_danger or medical.stable", **facts) is expected_or


@pytest.mark.parametrize(("value", "expected"), [(True, False), (False, True), (None, None)])
def test_not(value: bool | None, expected: bool | None) -> None:
    """``not`` of unknown is unknown."""
    assert run("not risk.imminent_danger", risk__imminent_danger=value) is expected


def test_comparisons_and_unknown() -> None:
    """Comparisons with an unknown fact are unknown; params are folded in."""
    rule = "plan.hours_per_week >= params.min_hours"
    assert run(rule, plan__hours_per_week=9) is True
    assert run(rule, plan__hours_per_week=8.5) is False
    assert run(rule, plan__hours_per_week=None) is None


def test_chained_comparison() -> None:
    """Chained comparisons mean each pair holds."""
    rule = "9 <= plan.hours_per_week <= 19"
    assert run(rule, plan__hours_per_week=12) is True
    assert run(rule, plan__hours_per_week=20) is False
    assert run(rule, plan__hours_per_week=None) is None


def test_membership() -> None:
    """``in`` works with literals, list parameters and strings facts."""
    assert run("plan.level in ('iop', 'php')", plan__level="php") is True
    assert run("plan.level not in params.levels", plan__level="iop") is False
    assert run("plan.level in params.levels", plan__level=None) is None
    codes = ("F33.1", "F10.20")
    assert run("'F10.20' in diagnoses.codes", diagnoses__codes=codes) is True
    assert run("'F10.20' in diagnoses.codes", diagnoses__codes=None) is None


def test_arithmetic() -> None:
    """Arithmetic works on numbers; unknown and division by zero give unknown."""
    rule = "plan.hours_per_week / plan.days_per_week >= 3"
    assert run(rule, plan__hours_per_week=12, plan__days_per_week=3) is True
    assert run(rule, plan__hours_per_week=12, plan__days_per_week=0) is None
    assert run(rule, plan__hours_per_week=None, plan__days_per_week=3) is None
    assert run("-plan.weeks + 2 * 3 - 1 < 0", plan__weeks=8) is True


def test_functions() -> None:
    """any_prefix, min and max are the whitelisted functions."""
    codes = ("F33.1", "R45.851")
    assert run("any_prefix(diagnoses.codes, 'F32', 'F33')", diagnoses__codes=codes) is True
    assert run("any_prefix(diagnoses.codes, 'f10')", diagnoses__codes=codes) is False
    assert run("any_prefix(diagnoses.codes, 'F10')", diagnoses__codes=None) is None
    assert run("min(plan.weeks, 4) == 4", plan__weeks=8) is True
    assert run("max(plan.weeks, 4) == 4", plan__weeks=None) is None


def test_literals_and_params() -> None:
    """true/false are lowercase names; boolean params fold to constants."""
    assert run("true and not false") is True
    assert run("params.strict or plan.signed", plan__signed=True) is True
    assert run("risk.imminent_danger == false", risk__imminent_danger=False) is True


def test_multiline_rule() -> None:
    """Rules may span lines, as TOML multi-line strings do."""
    rule = "plan.hours_per_week >= 9\nand plan.hours_per_week <= 19"
    assert run(rule, plan__hours_per_week=10) is True


def test_facts_recorded_in_order() -> None:
    """A compiled rule lists the facts it reads, once each, in first-use order."""
    compiled = compile_rule(
        "plan.weeks > 1 and risk.imminent_danger == false or plan.weeks < 9",
        params={},
        where="test",
    )
    assert compiled.facts == ("plan.weeks", "risk.imminent_danger")


HOSTILE = [
    "__import__('os').system('true')",
    "().__class__.__bases__[0].__subclasses__()",
    "plan.hours_per_week.__class__ == 1",
    "plan.level.upper() == 'IOP'",
    "params.__dict__ == 1",
    "9 ** 999999999 > 1",
    "2 << 1000 > 1",
    "(lambda: 1)() == 1",
    "[x for x in diagnoses.codes] == 1",
    "diagnoses.codes[0] == 'F33'",
    "f'{plan.level}' == 'iop'",
    "(plan.level := 'iop') == 'iop'",
    "open('/etc/passwd') == 1",
    "eval('1') == 1",
    "any_prefix(diagnoses.codes, prefix='F3')",
    "any_prefix(*diagnoses.codes)",
    "1 if true else 2",
    "True",
    "None == null",
    "plan.level is 'iop'",
    "1e308 > 1",
    "'" + "x" * 300 + "' == plan.level",
    "(" * 200 + "true" + ")" * 200,
    "not " * 200 + "true",
    "- " * 200 + "1 > 0",
    " or ".join(["true"] * 600),
    "x" * 3000,
    "",
    "plan.hours_per_week >=",
    "b'x' == plan.level",
    "{'a': 1} == 1",
]


@pytest.mark.parametrize("rule", HOSTILE)
def test_hostile_rules_refused(rule: str) -> None:
    """Hostile or malformed rules are refused with a CriteriaSetError, never run."""
    with pytest.raises(CriteriaSetError, match="set 's', criterion 'c'"):
        compile_rule(rule, params=PARAMS, where="set 's', criterion 'c'")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("plan.hours_per_week", "must be true or false"),
        ("plan.level >= 'iop'", "only numbers can be ordered"),
        ("plan.level == 9", "cannot compare a string with a number"),
        ("plan.hours_per_week and true", "expected a bool"),
        ("diagnoses.codes == 'F33'", "strings"),
        ("plan.level in (1, 2)", "list items must be string constants"),
        ("nope.fact", "unknown fact 'nope.fact'"),
        ("params.nope", "unknown parameter 'nope'"),
        ("plan.level == null", "null cannot be compared"),
    ],
)
def test_type_errors(rule: str, message: str) -> None:
    """Type mistakes are caught when the set is loaded, not when a case is evaluated."""
    with pytest.raises(CriteriaSetError, match=message):
        compile_rule(rule, params=PARAMS, where="test")


def test_error_reports_column() -> None:
    """The error names the column of the refused construct."""
    with pytest.raises(CriteriaSetError, match="column 30"):
        compile_rule("plan.hours_per_week >= 9 and __import__('os')", params={}, where="t")


def test_nesting_limit_is_generous_enough() -> None:
    """Reasonable nesting compiles; the limit only stops pathological rules."""
    depth = MAX_DEPTH // 4
    rule = "(" * depth + "plan.weeks > 1" + ")" * depth
    assert run(rule, plan__weeks=2) is True


@given(
    hours=st.one_of(st.none(), st.floats(0, 80, allow_nan=False)),
    danger=st.sampled_from(TRUTH),
)
def test_rules_never_raise_at_evaluation(hours: float | None, danger: bool | None) -> None:
    """A compiled rule returns true, false or unknown for any fact values of the right type."""
    rule = "plan.hours_per_week / (plan.hours_per_week - 9) > 1 or not risk.imminent_danger"
    assert run(rule, plan__hours_per_week=hours, risk__imminent_danger=danger) in TRUTH


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [(True, False, False), (True, True, True), (False, True, None), (None, True, None)],
)
def test_when_decides_only_under_its_condition(
    condition: bool | None, value: bool | None, expected: bool | None
) -> None:
    """``when(c, x)`` is x when c is true and unknown otherwise (a stale record stays open)."""
    facts = {"risk__imminent_danger": condition, "medical__stable": value}
    assert run("when(risk.imminent_danger, medical.stable)", **facts) is expected


def test_known_tells_documented_from_unknown() -> None:
    """``known(fact)`` is true for any documented value, false for an unknown one."""
    assert run("known(plan.hours_per_week)", plan__hours_per_week=0) is True
    assert run("known(plan.hours_per_week)", plan__hours_per_week=None) is False
    with pytest.raises(CriteriaSetError, match="when takes a condition and a value"):
        run("when(risk.imminent_danger)")
    with pytest.raises(CriteriaSetError, match="known takes one fact"):
        run("known()")
