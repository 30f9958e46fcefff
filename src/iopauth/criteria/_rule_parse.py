"""Reading a rule's text: the rule language's limits, its refusal error, and parsing with
:mod:`ast` into a tree bounded in depth and size (nothing is evaluated; :mod:`._rule_compile`
checks the tree node by node).
"""

from __future__ import annotations

import ast
from typing import Final

MAX_RULE_LENGTH: Final = 2000
MAX_DEPTH: Final = 32
MAX_NODES: Final = 400
MAX_NUMBER: Final = 1e9
MAX_STRING: Final = 200


class RuleError(Exception):
    """A refused rule; turned into CriteriaSetError with the set and criterion named."""

    def __init__(self, message: str, node: ast.AST | None = None) -> None:
        super().__init__(message)
        self.line = getattr(node, "lineno", None)
        self.column = getattr(node, "col_offset", None)


def parse(source: str) -> ast.Expression:
    if not isinstance(source, str) or not source.strip():
        raise RuleError("the rule is empty")
    if len(source) > MAX_RULE_LENGTH:
        raise RuleError(f"the rule is longer than {MAX_RULE_LENGTH} characters")
    depth = 0
    for index, char in enumerate(source):
        # The parser itself recurses on nesting: refuse deep brackets before it sees them.
        depth += (char in "([{") - (char in ")]}")
        if depth > MAX_DEPTH:
            raise RuleError(f"brackets nest deeper than {MAX_DEPTH} (column {index + 1})")
    try:
        # a rule may span lines in TOML; it is one expression, so newlines are spaces
        tree = ast.parse(" ".join(source.split("\n")).strip(), mode="eval")
    except SyntaxError as error:
        raise RuleError(f"syntax error at column {error.offset or 0}: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise RuleError("the rule cannot be parsed") from None
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
            raise RuleError(f"the rule nests deeper than {MAX_DEPTH}", node)
        if count > MAX_NODES:
            raise RuleError(f"the rule has more than {MAX_NODES} parts", node)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
