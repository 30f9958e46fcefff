"""The package's shape (docs/architecture.md): no import circles, the CLI on top, small rooms.

The import graph is read from the source with :mod:`ast`, without importing anything. An edge
runs from a module to each iopauth module it imports:

- ``from .x import name`` / ``from iopauth.x import name`` / ``import iopauth.x``: to ``x``,
  and to each package above ``x`` (importing a package runs its ``__init__``); ``from . import
  sub`` of a submodule ``sub`` is an edge to ``sub`` only;
- imports inside functions count as well as module-level ones: a function-local import is how
  a heavy part loads late, but a circle through one still ties two rooms to each other;
- a package's ``_LAZY`` table (names it loads on first use) counts as imports of the modules
  it names;
- imports under ``if TYPE_CHECKING:`` do not count: they never run;
- a module's own enclosing packages are not edges unless it imports a name defined in one
  (``from .. import __version__``): Python has already started them before the module runs,
  so ``from . import sibling`` is no dependency on the package's ``__init__``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "iopauth"
MAX_LINES = 400


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module of iopauth by dotted name: its file and whether it is a package."""
    found: dict[str, tuple[Path, bool]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: at module level and inside functions and classes,
    leaving out the body of ``if TYPE_CHECKING:``."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from _import_nodes(node.orelse)
            continue
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _import_nodes([child])
            elif isinstance(child, ast.ExceptHandler | ast.match_case):
                yield from _import_nodes(child.body)


def _lazy_tables(tree: ast.Module) -> Iterator[str]:
    """The module names of a module-level ``_LAZY = {name: module}`` table."""
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            for value in node.value.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield value.value


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name of a relative import written in ``module``."""
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _with_parents(name: str) -> list[str]:
    """``name`` and each package above it that is an iopauth module."""
    parts = name.split(".")
    return [m for i in range(1, len(parts) + 1) if (m := ".".join(parts[:i])) in MODULES]


def _edges(module: str) -> set[str]:
    path, is_package = MODULES[module]
    return _edges_in(ast.parse(path.read_text(encoding="utf-8"), str(path)), module, is_package)


def _edges_in(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    named: set[str] = set()  # modules whose own names this one reads
    implicit: set[str] = set()  # packages whose __init__ runs on the way
    for node in _import_nodes(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "iopauth":
                    *above, target = _with_parents(alias.name)
                    named.add(target)
                    implicit.update(above)
            continue
        source = _resolve(module, is_package, node.level, node.module)
        if source.split(".")[0] != "iopauth":
            continue
        implicit.update(_with_parents(source))
        for alias in node.names:
            if f"{source}.{alias.name}" in MODULES:
                named.add(f"{source}.{alias.name}")
            else:
                named.add(source)
    for lazy in _lazy_tables(tree):
        dots = len(lazy) - len(lazy.lstrip("."))
        *above, target = _with_parents(_resolve(module, is_package, dots, lazy[dots:] or None))
        named.add(target)
        implicit.update(above)
    # the enclosing packages are already initialising when this module runs (see above)
    enclosing = {m for m in _with_parents(module) if m != module}
    return (named | (implicit - enclosing)) - {module}


def import_graph() -> dict[str, set[str]]:
    """Module -> the iopauth modules it imports (see the module documentation)."""
    return {module: _edges(module) for module in MODULES}


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph is a few hundred nodes deep
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(circles)


def test_the_graph_sees_imports_of_every_kind() -> None:
    """A check of the reader itself, on source written for it (the names are real modules)."""
    source = """
from typing import TYPE_CHECKING
from .. import __version__
from . import auth
from ..caseformat.limits import MAX_TEXT
import iopauth.codes.icd10
if TYPE_CHECKING:
    from ..rendering import RenderOptions
else:
    from ..levels import problems
_LAZY = {"evaluate": "iopauth.criteria.engine", "fields": "..forms._pdf"}
def late() -> None:
    from ..measures import problems
class Late:
    def method(self) -> None:
        try:
            pass
        except ImportError:
            from ..model import Case
"""
    edges = _edges_in(ast.parse(source), "iopauth.cli.main", is_package=False)
    assert edges == {
        "iopauth",  # a name defined in an enclosing package
        "iopauth.cli.auth",  # a sibling, not the enclosing package
        "iopauth.caseformat",  # the package above a module imported
        "iopauth.caseformat.limits",
        "iopauth.codes",
        "iopauth.codes.icd10",
        "iopauth.levels",  # the else of TYPE_CHECKING runs
        "iopauth.criteria",  # the _LAZY table, absolute and relative
        "iopauth.criteria.engine",
        "iopauth.forms",
        "iopauth.forms._pdf",
        "iopauth.measures",  # inside a function
        "iopauth.model",  # inside an except clause of a method
    }
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert set(import_graph()) == set(MODULES)


def test_no_import_circles() -> None:
    circles = import_circles(import_graph())
    assert circles == [], "import circles: " + "; ".join(" <-> ".join(c) for c in circles)


def test_no_library_module_imports_the_command_line() -> None:
    """The CLI is the top floor: it imports the library, never the other way round."""
    offenders = {
        module: sorted(t for t in targets if t == "iopauth.cli" or t.startswith("iopauth.cli."))
        for module, targets in import_graph().items()
        if not (module == "iopauth.cli" or module.startswith("iopauth.cli."))
        and module != "iopauth.__main__"  # ``python -m iopauth``: the command itself
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def test_no_module_over_400_lines() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in sorted(SRC.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
