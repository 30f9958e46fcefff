"""The rule language: parse with :mod:`ast`, whitelist the tree, compile it to closures.

A rule is one expression over facts (``plan.hours_per_week >= params.min_hours``). Nothing is
ever passed to ``eval``: the parsed tree is checked node by node, typed, and turned into nested
Python closures that read a facts mapping. Logic is three-valued (Kleene): a fact that is
``None`` is unknown, and unknown propagates through comparisons, arithmetic, ``and``, ``or``
and ``not`` (``false and unknown`` is false, ``true or unknown`` is true).

Grammar, in words:

* literals ``true``, ``false``; numbers (|x| <= 1e9); strings (at most 200 characters);
* fact names (``plan.hours_per_week``) and set parameters (``params.min_hours``);
* ``and``, ``or``, ``not``; comparisons ``== != < <= > >=`` (chains allowed);
* ``in`` / ``not in`` against a list or tuple literal, a list parameter or a ``strings`` fact;
* ``+ - * /`` on numbers (division by zero is unknown);
* the functions in :data:`FUNCTIONS`.

Everything else (attribute access off a fact name, subscripts, lambdas, ``**``, keyword
arguments, other names) is refused with a :class:`~iopauth.errors.CriteriaSetError` naming the
set, the criterion and the position.
"""

from __future__ import annotations

import ast
import operator
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Final

from attrs import frozen

from ..errors import CriteriaSetError
from .facts import FACTS, Value

Facts = Mapping[str, Value]
Compiled = Callable[[Facts], Value]

MAX_RULE_LENGTH: Final = 2000
MAX_DEPTH: Final = 32
MAX_NODES: Final = 400
MAX_NUMBER: Final = 1e9
MAX_STRING: Final = 200

FUNCTIONS: Final = {
    "any_prefix": "any_prefix(codes, 'F32', 'F33', ...): true when a code starts with a prefix",
    "min": "min(a, b, ...): the smallest number (unknown if any is unknown)",
    "max": "max(a, b, ...): the largest number (unknown if any is unknown)",
    "when": "when(condition, value): value when condition is true, unknown otherwise",
    "known": "known(fact): whether the case documents the fact (for choosing a reason's wording)",
}

_LITERALS: Final[Mapping[str, Value]] = {"true": True, "false": False}

_COMPARE: Final[Mapping[type[ast.cmpop], Callable[[Any, Any], bool]]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}

_ARITH: Final[Mapping[type[ast.operator], Callable[[float, float], float]]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


@frozen(kw_only=True)
class CompiledRule:
    """A checked rule: its source, the facts it reads (in order) and its evaluator."""

    source: str
    facts: tuple[str, ...]
    evaluate: Compiled


class _RuleError(Exception):
    """A refused rule; turned into CriteriaSetError with the set and criterion named."""

    def __init__(self, message: str, node: ast.AST | None = None) -> None:
        super().__init__(message)
        self.line = getattr(node, "lineno", None)
        self.column = getattr(node, "col_offset", None)


def compile_rule(source: str, *, params: Mapping[str, Any], where: str) -> CompiledRule:
    """Check and compile ``source``; ``where`` names the set and criterion for errors.

    ``params`` are the set's parameters, folded in as constants. Raises
    :class:`~iopauth.errors.CriteriaSetError` for any refused construct.
    """
    try:
        tree = _parse(source)
        compiler = _Compiler(params)
        fn, type_ = compiler.compile(tree.body)
        if type_ not in ("bool", "null"):
            raise _RuleError(f"a rule must be true or false, this one is a {type_}", tree.body)
    except _RuleError as error:
        position = "" if error.column is None else f" at column {error.column + 1}"
        raise CriteriaSetError(f"{where}: rule{position}: {error}") from None
    return CompiledRule(source=source, facts=tuple(compiler.facts), evaluate=fn)


def _parse(source: str) -> ast.Expression:
    if not isinstance(source, str) or not source.strip():
        raise _RuleError("the rule is empty")
    if len(source) > MAX_RULE_LENGTH:
        raise _RuleError(f"the rule is longer than {MAX_RULE_LENGTH} characters")
    depth = 0
    for index, char in enumerate(source):
        # The parser itself recurses on nesting: refuse deep brackets before it sees them.
        depth += (char in "([{") - (char in ")]}")
        if depth > MAX_DEPTH:
            raise _RuleError(f"brackets nest deeper than {MAX_DEPTH} (column {index + 1})")
    try:
        # a rule may span lines in TOML; it is one expression, so newlines are spaces
        tree = ast.parse(" ".join(source.split("\n")).strip(), mode="eval")
    except SyntaxError as error:
        raise _RuleError(f"syntax error at column {error.offset or 0}: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise _RuleError("the rule cannot be parsed") from None
    _check_shape(tree)
    return tree


def _check_shape(tree: ast.Expression) -> None:
    """Bound depth and size without recursion, so hostile rules cannot exhaust the stack."""
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise _RuleError(f"the rule nests deeper than {MAX_DEPTH}", node)
        if count > MAX_NODES:
            raise _RuleError(f"the rule has more than {MAX_NODES} parts", node)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _const(value: Value) -> Compiled:
    fn: Compiled = lambda facts: value  # noqa: E731
    _CONSTANTS[fn] = value
    return fn


# What a compiled reference or constant stands for, so a comparison of a fact with a constant
# compiles into one function that reads the fact itself (weak: rules of dropped sets go).
_REFERENCES: weakref.WeakKeyDictionary[Compiled, str] = weakref.WeakKeyDictionary()
_CONSTANTS: weakref.WeakKeyDictionary[Compiled, Value] = weakref.WeakKeyDictionary()


class _Compiler:
    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params
        self.facts: dict[str, None] = {}

    def compile(self, node: ast.AST) -> tuple[Compiled, str]:
        visitor = _VISITORS.get(type(node))
        method = None if visitor is None else getattr(self, visitor)
        if method is None:
            raise _RuleError(f"{type(node).__name__} is not allowed in a rule", node)
        result: tuple[Compiled, str] = method(node)
        return result

    # --- leaves ---

    def _visit_constant(self, node: ast.Constant) -> tuple[Compiled, str]:
        value = node.value
        if isinstance(value, bool) or value is None:
            raise _RuleError("write true, false as lowercase names", node)
        if isinstance(value, int | float):
            if not abs(value) <= MAX_NUMBER:
                raise _RuleError(f"numbers are limited to ±{MAX_NUMBER:g}", node)
            return _const(value), "number"
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise _RuleError(f"strings are limited to {MAX_STRING} characters", node)
            return _const(value), "string"
        raise _RuleError(f"{type(value).__name__} constants are not allowed", node)

    def _visit_name(self, node: ast.Name) -> tuple[Compiled, str]:
        if node.id in _LITERALS:
            return _const(_LITERALS[node.id]), "bool"
        if node.id == "null":
            raise _RuleError("null cannot be compared: unknown facts are handled for you", node)
        return self._reference(node.id, node)

    def _visit_attribute(self, node: ast.Attribute) -> tuple[Compiled, str]:
        name = _dotted(node)
        if name is None:
            raise _RuleError("attributes may only follow a fact or parameter name", node)
        return self._reference(name, node)

    def _reference(self, name: str, node: ast.AST) -> tuple[Compiled, str]:
        if name.startswith("params."):
            key = name.removeprefix("params.")
            if key not in self.params:
                raise _RuleError(f"unknown parameter {key!r}", node)
            value = self.params[key]
            return _const(value), _param_type(value)
        fact = FACTS.get(name)
        if fact is None:
            raise _RuleError(f"unknown fact {name!r}", node)
        self.facts[name] = None
        read: Compiled = lambda facts: facts.get(name)  # noqa: E731
        _REFERENCES[read] = name
        return read, fact.type

    # --- logic ---

    def _visit_bool_op(self, node: ast.BoolOp) -> tuple[Compiled, str]:
        parts = [self._expect(v, "bool") for v in node.values]
        if isinstance(node.op, ast.And):
            return _kleene(parts, stop=False), "bool"
        return _kleene(parts, stop=True), "bool"

    def _visit_unary_op(self, node: ast.UnaryOp) -> tuple[Compiled, str]:
        if isinstance(node.op, ast.Not):
            inner = self._expect(node.operand, "bool")
            return (lambda facts: None if (v := inner(facts)) is None else not v), "bool"
        if isinstance(node.op, ast.USub | ast.UAdd):
            inner = self._expect(node.operand, "number")
            sign = -1 if isinstance(node.op, ast.USub) else 1
            return (lambda facts: None if (v := inner(facts)) is None else sign * v), "number"
        raise _RuleError(f"{type(node.op).__name__} is not allowed", node)

    def _visit_bin_op(self, node: ast.BinOp) -> tuple[Compiled, str]:
        op = _ARITH.get(type(node.op))
        if op is None:
            raise _RuleError(f"operator {type(node.op).__name__} is not allowed", node)
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
                raise _RuleError("'is' is not allowed; use == or !=", node)
            else:
                right_fn, right_type = self.compile(right_node)
                check = _comparison((left_fn, left_type), (right_fn, right_type), op, right_node)
            checks.append(check)
            left_fn, left_type, left_node = right_fn, right_type, right_node
        del left_node
        return (checks[0] if len(checks) == 1 else _kleene(checks, stop=False)), "bool"

    def _membership(
        self, left: Compiled, left_type: str, node: ast.AST, *, negate: bool
    ) -> tuple[Compiled, Compiled, str]:
        if isinstance(node, ast.Tuple | ast.List):
            members = [self.compile(e) for e in node.elts]
            values: list[Value] = []
            for (fn, type_), element in zip(members, node.elts, strict=True):
                if not isinstance(element, ast.Constant) or type_ != left_type:
                    raise _RuleError(f"list items must be {left_type} constants", element)
                values.append(fn({}))
            pool = frozenset(values)
            right: Compiled = lambda facts: None  # noqa: E731 - nothing compares with a list
            right_type = "list"
        else:
            pool = None
            right, right_type = self.compile(node)
            if right_type != "strings" or left_type != "string":
                raise _RuleError(
                    "'in' needs a list literal, a list parameter or a strings fact", node
                )
        if left_type not in ("string", "number"):
            raise _RuleError(f"'in' cannot test a {left_type}", node)

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
            raise _RuleError("only the functions " + ", ".join(FUNCTIONS) + " may be called", node)
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise _RuleError("functions take plain positional arguments", node)
        if name == "any_prefix":
            return self._any_prefix(node)
        if name == "when":
            return self._when(node)
        if name == "known":
            if len(node.args) != 1:
                raise _RuleError("known takes one fact", node)
            inner, _ = self.compile(node.args[0])
            return (lambda facts: inner(facts) is not None), "bool"
        args = [self._expect(a, "number") for a in node.args]
        if not args:
            raise _RuleError(f"{name} needs at least one argument", node)
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
            raise _RuleError("when takes a condition and a value", node)
        condition = self._expect(node.args[0], "bool")
        value, type_ = self.compile(node.args[1])

        def when(facts: Facts) -> Value:
            return value(facts) if condition(facts) is True else None

        return when, type_

    def _any_prefix(self, node: ast.Call) -> tuple[Compiled, str]:
        if len(node.args) < 2:
            raise _RuleError("any_prefix needs a strings fact and at least one prefix", node)
        codes = self._expect(node.args[0], "strings")
        prefixes = []
        for arg in node.args[1:]:
            fn, type_ = self.compile(arg)
            if type_ != "string" or not isinstance(arg, ast.Constant):
                raise _RuleError("prefixes must be string constants", arg)
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
            raise _RuleError(f"expected a {wanted} here, found a {type_}", node)
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
    raise _RuleError("parameters are booleans, numbers, strings or lists of strings")


def _comparison(
    left: tuple[Compiled, str], right: tuple[Compiled, str], op: ast.cmpop, node: ast.AST
) -> Compiled:
    (left_fn, left_type), (right_fn, right_type) = left, right
    compare = _COMPARE.get(type(op))
    if compare is None:
        raise _RuleError(f"comparison {type(op).__name__} is not allowed", node)
    if left_type != right_type:
        raise _RuleError(f"cannot compare a {left_type} with a {right_type}", node)
    ordered = not isinstance(op, ast.Eq | ast.NotEq)
    if ordered and left_type != "number":
        raise _RuleError(f"only numbers can be ordered, not a {left_type}", node)
    if left_type == "strings":
        raise _RuleError("compare a strings fact with 'in' or any_prefix", node)

    name = _REFERENCES.get(left_fn)
    constant = _CONSTANTS.get(right_fn)
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


def _kleene(parts: list[Compiled], *, stop: bool) -> Compiled:
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
