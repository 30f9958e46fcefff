"""The rule compiler: each node type the language allows, checked, typed and turned into a
closure (:mod:`._rule_logic`); any other node is refused.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any, Final

from ._rule_logic import REFERENCES, Compiled, Facts, comparison, const, kleene
from ._rule_parse import MAX_NUMBER, MAX_STRING, RuleError
from .facts import FACTS, Value

FUNCTIONS: Final = {
    "any_prefix": "any_prefix(codes, 'F32', 'F33', ...): true when a code starts with a prefix",
    "min": "min(a, b, ...): the smallest number (unknown if any is unknown)",
    "max": "max(a, b, ...): the largest number (unknown if any is unknown)",
    "when": "when(condition, value): value when condition is true, unknown otherwise",
    "known": "known(fact): whether the case documents the fact (for choosing a reason's wording)",
}

_LITERALS: Final[Mapping[str, Value]] = {"true": True, "false": False}

_ARITH: Final[Mapping[type[ast.operator], Callable[[float, float], float]]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


class Compiler:
    """Compiles one rule's tree against a set's ``params``; ``facts`` gathers what it reads."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params
        self.facts: dict[str, None] = {}

    def compile(self, node: ast.AST) -> tuple[Compiled, str]:
        visitor = _VISITORS.get(type(node))
        method = None if visitor is None else getattr(self, visitor)
        if method is None:
            raise RuleError(f"{type(node).__name__} is not allowed in a rule", node)
        result: tuple[Compiled, str] = method(node)
        return result

    # --- leaves ---

    def _visit_constant(self, node: ast.Constant) -> tuple[Compiled, str]:
        value = node.value
        if isinstance(value, bool) or value is None:
            raise RuleError("write true, false as lowercase names", node)
        if isinstance(value, int | float):
            if not abs(value) <= MAX_NUMBER:
                raise RuleError(f"numbers are limited to ±{MAX_NUMBER:g}", node)
            return const(value), "number"
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise RuleError(f"strings are limited to {MAX_STRING} characters", node)
            return const(value), "string"
        raise RuleError(f"{type(value).__name__} constants are not allowed", node)

    def _visit_name(self, node: ast.Name) -> tuple[Compiled, str]:
        if node.id in _LITERALS:
            return const(_LITERALS[node.id]), "bool"
        if node.id == "null":
            raise RuleError("null cannot be compared: unknown facts are handled for you", node)
        return self._reference(node.id, node)

    def _visit_attribute(self, node: ast.Attribute) -> tuple[Compiled, str]:
        name = _dotted(node)
        if name is None:
            raise RuleError("attributes may only follow a fact or parameter name", node)
        return self._reference(name, node)

    def _reference(self, name: str, node: ast.AST) -> tuple[Compiled, str]:
        if name.startswith("params."):
            key = name.removeprefix("params.")
            if key not in self.params:
                raise RuleError(f"unknown parameter {key!r}", node)
            value = self.params[key]
            return const(value), _param_type(value)
        fact = FACTS.get(name)
        if fact is None:
            raise RuleError(f"unknown fact {name!r}", node)
        self.facts[name] = None
        read: Compiled = lambda facts: facts.get(name)  # noqa: E731
        REFERENCES[read] = name
        return read, fact.type

    # --- logic ---

    def _visit_bool_op(self, node: ast.BoolOp) -> tuple[Compiled, str]:
        parts = [self._expect(v, "bool") for v in node.values]
        if isinstance(node.op, ast.And):
            return kleene(parts, stop=False), "bool"
        return kleene(parts, stop=True), "bool"

    def _visit_unary_op(self, node: ast.UnaryOp) -> tuple[Compiled, str]:
        if isinstance(node.op, ast.Not):
            inner = self._expect(node.operand, "bool")
            return (lambda facts: None if (v := inner(facts)) is None else not v), "bool"
        if isinstance(node.op, ast.USub | ast.UAdd):
            inner = self._expect(node.operand, "number")
            sign = -1 if isinstance(node.op, ast.USub) else 1
            return (lambda facts: None if (v := inner(facts)) is None else sign * v), "number"
        raise RuleError(f"{type(node.op).__name__} is not allowed", node)

    def _visit_bin_op(self, node: ast.BinOp) -> tuple[Compiled, str]:
        op = _ARITH.get(type(node.op))
        if op is None:
            raise RuleError(f"operator {type(node.op).__name__} is not allowed", node)
        left = self._expect(node.left, "number")
        right = self._expect(node.right, "number")

        def arith(facts: Facts) -> Value:
            a, b = left(facts), right(facts)
            if not isinstance(a, int | float) or not isinstance(b, int | float):
                return None
            try:
                # float arithmetic: no unbounded integers, overflow becomes inf
                return op(float(a), float(b))
            except ZeroDivisionError:
                return None

        return arith, "number"

    def _visit_compare(self, node: ast.Compare) -> tuple[Compiled, str]:
        left_fn, left_type = self.compile(node.left)
        checks: list[Compiled] = []
        left_node: ast.AST = node.left
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                check, right_fn, right_type = self._membership(
                    left_fn, left_type, right_node, negate=isinstance(op, ast.NotIn)
                )
            elif isinstance(op, ast.Is | ast.IsNot):
                raise RuleError("'is' is not allowed; use == or !=", node)
            else:
                right_fn, right_type = self.compile(right_node)
                check = comparison((left_fn, left_type), (right_fn, right_type), op, right_node)
            checks.append(check)
            left_fn, left_type, left_node = right_fn, right_type, right_node
        del left_node
        return (checks[0] if len(checks) == 1 else kleene(checks, stop=False)), "bool"

    def _membership(
        self, left: Compiled, left_type: str, node: ast.AST, *, negate: bool
    ) -> tuple[Compiled, Compiled, str]:
        if isinstance(node, ast.Tuple | ast.List):
            members = [self.compile(e) for e in node.elts]
            values: list[Value] = []
            for (fn, type_), element in zip(members, node.elts, strict=True):
                if not isinstance(element, ast.Constant) or type_ != left_type:
                    raise RuleError(f"list items must be {left_type} constants", element)
                values.append(fn({}))
            pool = frozenset(values)
            right: Compiled = lambda facts: None  # noqa: E731 - nothing compares with a list
            right_type = "list"
        else:
            pool = None
            right, right_type = self.compile(node)
            if right_type != "strings" or left_type != "string":
                raise RuleError(
                    "'in' needs a list literal, a list parameter or a strings fact", node
                )
        if left_type not in ("string", "number"):
            raise RuleError(f"'in' cannot test a {left_type}", node)

        def member(facts: Facts) -> Value:
            needle = left(facts)
            hay = pool if pool is not None else right(facts)
            if needle is None or not isinstance(hay, tuple | frozenset):
                return None
            return (needle in hay) != negate

        return member, right, right_type

    # --- functions ---

    def _visit_call(self, node: ast.Call) -> tuple[Compiled, str]:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise RuleError("only the functions " + ", ".join(FUNCTIONS) + " may be called", node)
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise RuleError("functions take plain positional arguments", node)
        if name == "any_prefix":
            return self._any_prefix(node)
        if name == "when":
            return self._when(node)
        if name == "known":
            if len(node.args) != 1:
                raise RuleError("known takes one fact", node)
            inner, _ = self.compile(node.args[0])
            return (lambda facts: inner(facts) is not None), "bool"
        args = [self._expect(a, "number") for a in node.args]
        if not args:
            raise RuleError(f"{name} needs at least one argument", node)
        pick = min if name == "min" else max

        def extreme(facts: Facts) -> Value:
            values = [a(facts) for a in args]
            numbers = [v for v in values if isinstance(v, int | float)]
            if len(numbers) != len(values):
                return None
            return pick(numbers)

        return extreme, "number"

    def _when(self, node: ast.Call) -> tuple[Compiled, str]:
        # e.g. "decide this only on a current reassessment": a stale record stays unknown
        if len(node.args) != 2:
            raise RuleError("when takes a condition and a value", node)
        condition = self._expect(node.args[0], "bool")
        value, type_ = self.compile(node.args[1])

        def when(facts: Facts) -> Value:
            return value(facts) if condition(facts) is True else None

        return when, type_

    def _any_prefix(self, node: ast.Call) -> tuple[Compiled, str]:
        if len(node.args) < 2:
            raise RuleError("any_prefix needs a strings fact and at least one prefix", node)
        codes = self._expect(node.args[0], "strings")
        prefixes = []
        for arg in node.args[1:]:
            fn, type_ = self.compile(arg)
            if type_ != "string" or not isinstance(arg, ast.Constant):
                raise RuleError("prefixes must be string constants", arg)
            prefixes.append(str(fn({})).upper())
        starts = tuple(prefixes)

        def any_prefix(facts: Facts) -> Value:
            values = codes(facts)
            if not isinstance(values, tuple):
                return None
            return any(str(v).upper().startswith(starts) for v in values)

        return any_prefix, "bool"

    def _expect(self, node: ast.AST, wanted: str) -> Compiled:
        fn, type_ = self.compile(node)
        if type_ != wanted:
            raise RuleError(f"expected a {wanted} here, found a {type_}", node)
        return fn


_VISITORS: Final[Mapping[type[ast.AST], str]] = {
    ast.Constant: "_visit_constant",
    ast.Name: "_visit_name",
    ast.Attribute: "_visit_attribute",
    ast.BoolOp: "_visit_bool_op",
    ast.UnaryOp: "_visit_unary_op",
    ast.BinOp: "_visit_bin_op",
    ast.Compare: "_visit_compare",
    ast.Call: "_visit_call",
}


def _param_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return "strings"
    raise RuleError("parameters are booleans, numbers, strings or lists of strings")
