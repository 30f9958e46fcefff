"""Three-valued (Kleene) building blocks compiled rules are made of.

A compiled rule is nested closures over a facts mapping; ``None`` is unknown. Here: constants,
the memory of which closure reads which fact (so ``fact <op> constant`` compiles into one
function), comparisons, and ``and`` / ``or``.
"""

from __future__ import annotations

import ast
import operator
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Final

from ._derive import Value
from ._rule_parse import RuleError

Facts = Mapping[str, Value]
Compiled = Callable[[Facts], Value]

_COMPARE: Final[Mapping[type[ast.cmpop], Callable[[Any, Any], bool]]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def const(value: Value) -> Compiled:
    fn: Compiled = lambda facts: value  # noqa: E731
    CONSTANTS[fn] = value
    return fn


# What a compiled reference or constant stands for, so a comparison of a fact with a constant
# compiles into one function that reads the fact itself (weak: rules of dropped sets go).
REFERENCES: weakref.WeakKeyDictionary[Compiled, str] = weakref.WeakKeyDictionary()
CONSTANTS: weakref.WeakKeyDictionary[Compiled, Value] = weakref.WeakKeyDictionary()


def comparison(
    left: tuple[Compiled, str], right: tuple[Compiled, str], op: ast.cmpop, node: ast.AST
) -> Compiled:
    (left_fn, left_type), (right_fn, right_type) = left, right
    compare = _COMPARE.get(type(op))
    if compare is None:
        raise RuleError(f"comparison {type(op).__name__} is not allowed", node)
    if left_type != right_type:
        raise RuleError(f"cannot compare a {left_type} with a {right_type}", node)
    ordered = not isinstance(op, ast.Eq | ast.NotEq)
    if ordered and left_type != "number":
        raise RuleError(f"only numbers can be ordered, not a {left_type}", node)
    if left_type == "strings":
        raise RuleError("compare a strings fact with 'in' or any_prefix", node)

    name = REFERENCES.get(left_fn)
    constant = CONSTANTS.get(right_fn)
    if name is not None and constant is not None:
        # ``fact <op> constant``: the same steps as ``check`` without its two inner calls

        def check_constant(facts: Facts) -> Value:
            a = facts.get(name)
            if a is None:
                return None
            return compare(a, constant)

        return check_constant

    def check(facts: Facts) -> Value:
        a = left_fn(facts)
        if a is None:
            return None
        b = right_fn(facts)
        if b is None:
            return None
        return compare(a, b)

    return check


def kleene(parts: list[Compiled], *, stop: bool) -> Compiled:
    """``and`` (stop=False) or ``or`` (stop=True) in three-valued logic."""
    if len(parts) == 2:
        first, second = parts

        def pair(facts: Facts) -> Value:
            a = first(facts)
            if a is stop:
                return stop
            b = second(facts)
            if b is stop:
                return stop
            return None if a is None or b is None else not stop

        return pair

    def many(facts: Facts) -> Value:
        unknown = False
        for part in parts:
            value = part(facts)
            if value is stop:
                return stop
            if value is None:
                unknown = True
        return None if unknown else not stop

    return many
