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

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from ..errors import CriteriaSetError
from ._rule_compile import FUNCTIONS, Compiler
from ._rule_logic import Compiled, Facts
from ._rule_parse import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_NUMBER,
    MAX_RULE_LENGTH,
    MAX_STRING,
    RuleError,
    parse,
)

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_NUMBER",
    "MAX_RULE_LENGTH",
    "MAX_STRING",
    "Compiled",
    "CompiledRule",
    "Facts",
    "compile_rule",
]


@frozen(kw_only=True)
class CompiledRule:
    """A checked rule: its source, the facts it reads (in order) and its evaluator."""

    source: str
    facts: tuple[str, ...]
    evaluate: Compiled


def compile_rule(source: str, *, params: Mapping[str, Any], where: str) -> CompiledRule:
    """Check and compile ``source``; ``where`` names the set and criterion for errors.

    ``params`` are the set's parameters, folded in as constants. Raises
    :class:`~iopauth.errors.CriteriaSetError` for any refused construct.
    """
    try:
        tree = parse(source)
        compiler = Compiler(params)
        fn, type_ = compiler.compile(tree.body)
        if type_ not in ("bool", "null"):
            raise RuleError(f"a rule must be true or false, this one is a {type_}", tree.body)
    except RuleError as error:
        position = "" if error.column is None else f" at column {error.column + 1}"
        raise CriteriaSetError(f"{where}: rule{position}: {error}") from None
    return CompiledRule(source=source, facts=tuple(compiler.facts), evaluate=fn)
