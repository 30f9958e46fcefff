"""The sandbox templates run in: which objects a template may look into, and how much it may make.

User templates are untrusted. Three rules keep them inside the document:

- **Reach.** Attribute access (and subscription) works only on an allow-list of types: plain
  data (``str``, numbers, ``date``, tuples, lists, dicts), iopauth's own frozen model and view
  classes, and Jinja's loop helpers; on each, only the listed attributes. Anything else —
  a ``Path``, a module, a function's insides, ``date.today`` — is refused by construction, so
  an object that slips into the context later is refused too.
- **Size.** ``*``, ``**``, ``+``, ``%`` and ``~``, ``range`` and the filters that pad, repeat or
  join are checked before they build anything past :data:`MAX_LENGTH` items or
  :data:`MAX_INT_BITS` bits; loops share an iteration budget and the output has a ceiling.
  Constant folding is off, so nothing is computed while a template is compiled.
- **Determinism.** Nothing reachable reads the clock or a random source.

A broken rule raises :class:`SandboxLimitError` (a Jinja ``SecurityError``), which
:func:`iopauth.rendering.environment.render_template` turns into ``RenderError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import attrs
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import (
    Context,
    LoopContext,
    TemplateReference,
    Undefined,
    markup_join,
    str_join,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Namespace
from markupsafe import Markup

from ..criteria.result import Determination, Evidence, Finding
from ..model import StrEnum
from ..model._base import Redacted
from .bounds import (
    BINOPS,
    BOUNDED_FILTERS,
    MAX_BUILT,
    MAX_INT_BITS,
    MAX_LENGTH,
    MAX_LOOP_ITERATIONS,
    MAX_OUTPUT,
    MAX_RANGE,
    REMOVED_FILTERS,
    SandboxLimitError,
    bounded_range,
    charge,
    charged,
    check_size,
    iteration_budget,
    spend_loop,
)
from .summary import PayerRecord
from .views import (
    AuthorizationView,
    DecisionView,
    DraftItem,
    FindingView,
    LetterheadView,
    MeasureRow,
    NeededDocument,
    PayerRequirements,
    Principle,
    QuestionnaireView,
    QuestionRow,
    StateLaw,
    UnmetAnswer,
)

__all__ = [
    "MAX_BUILT",
    "MAX_INT_BITS",
    "MAX_LENGTH",
    "MAX_LOOP_ITERATIONS",
    "MAX_OUTPUT",
    "MAX_RANGE",
    "Sandbox",
    "SandboxLimitError",
    "allowed_attributes",
    "charge",
    "iteration_budget",
]

# --- reach ---------------------------------------------------------------------------------

_STR_ATTRS = frozenset(
    {
        "capitalize",
        "casefold",
        "count",
        "endswith",
        "find",
        "index",
        "isalnum",
        "isalpha",
        "isdecimal",
        "isdigit",
        "islower",
        "isnumeric",
        "isspace",
        "istitle",
        "isupper",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "rfind",
        "rindex",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
    }
)
# No today(), now(), fromtimestamp(): a template never reads the clock.
_DATE_ATTRS = frozenset({"day", "isoformat", "isoweekday", "month", "weekday", "year"})
_NUMBER_ATTRS = frozenset({"imag", "real"})
_SEQUENCE_ATTRS = frozenset({"count", "index"})
_DICT_ATTRS = frozenset({"get", "items", "keys", "values"})
_LOOP_ATTRS = frozenset(
    {
        "changed",
        "cycle",
        "depth",
        "depth0",
        "first",
        "index",
        "index0",
        "last",
        "length",
        "nextitem",
        "previtem",
        "revindex",
        "revindex0",
    }
)
_EXACT: dict[type, frozenset[str]] = {
    str: _STR_ATTRS,
    Markup: _STR_ATTRS,
    bool: _NUMBER_ATTRS,
    int: _NUMBER_ATTRS,
    float: _NUMBER_ATTRS,
    type(None): frozenset(),
    date: _DATE_ATTRS,
    tuple: _SEQUENCE_ATTRS,
    list: _SEQUENCE_ATTRS,
    dict: _DICT_ATTRS,
    frozenset: frozenset(),
    range: frozenset(),
    LoopContext: _LOOP_ATTRS,
    Cycler: frozenset({"current", "next", "reset"}),
}


def _view_types() -> tuple[type, ...]:
    """Our frozen record types a template may read: the case model and the document views."""
    return (
        Redacted,
        StrEnum,
        Determination,
        Evidence,
        Finding,
        Principle,
        StateLaw,
        FindingView,
        DraftItem,
        UnmetAnswer,
        LetterheadView,
        MeasureRow,
        NeededDocument,
        AuthorizationView,
        DecisionView,
        PayerRecord,
        QuestionRow,
        QuestionnaireView,
        PayerRequirements,
    )


def _own_names(cls: type) -> frozenset[str]:
    """Public fields, properties and methods iopauth itself defines on ``cls``."""
    names = {f.name for f in attrs.fields(cls)} if attrs.has(cls) else set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("iopauth."):
            names.update(n for n in vars(klass) if not n.startswith("_"))
    return frozenset(names)


_ALLOWED: dict[type, frozenset[str] | None] = {}


def allowed_attributes(cls: type) -> frozenset[str] | None:
    """The attributes a template may read on an instance of ``cls``; ``None``: not allowed.

    Exact types only for the plain data types (a ``datetime`` is not a ``date`` here), and
    subclasses of iopauth's own frozen record and view classes.
    """
    try:
        return _ALLOWED[cls]
    except KeyError:  # worked out once per type; the entry is published only when complete
        allowed = _ALLOWED[cls] = _allowed(cls)
        return allowed


def _allowed(cls: type) -> frozenset[str] | None:
    if cls in _EXACT:
        return _EXACT[cls]
    views = _view_types()
    if issubclass(cls, views):
        names = _own_names(cls)
        if issubclass(cls, str):  # our enums: their value and name, and str's safe methods
            names |= _STR_ATTRS | {"name", "value"}
        return names
    return None


class _CodeGenerator(CodeGenerator):
    """Jinja's compiler, but nothing is computed at compile time, ``~`` is bounded and every
    ``for`` loop draws on the rendering's iteration budget."""

    def _output_child_to_const(self, node: nodes.Expr, frame: Frame, finalize: Any) -> str:
        raise nodes.Impossible()

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802 - Jinja's name
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("), context.eval_ctx.autoescape)")

    def visit_For(self, node: nodes.For, frame: Frame) -> None:  # noqa: N802 - Jinja's name
        if not getattr(node, "_iopauth_budgeted", False):
            node.iter = nodes.Call(
                nodes.EnvironmentAttribute("budgeted", lineno=node.lineno),
                [node.iter],
                [],
                None,
                None,
                lineno=node.lineno,
            )
            node._iopauth_budgeted = True  # type: ignore[attr-defined]  # compile once
        super().visit_For(node, frame)


_SAFE: dict[tuple[type, str], bool] = {}


class Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with an allow-list of types, size limits and no clock."""

    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset(BINOPS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["optimized"] = False  # no constant folding: nothing is computed at compile time
        super().__init__(*args, **kwargs)
        self.globals["range"] = bounded_range
        self.globals.pop("lipsum", None)  # random text: not reproducible
        for name in REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.filters.update(BOUNDED_FILTERS)
        for name, func in list(self.filters.items()):
            self.filters[name] = charged(func)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Only the listed attributes of the listed types (see the module docstring)."""
        # Every rule here depends only on the object's type and the name (Jinja's own checks
        # look at the type too), so the answer is kept per (type, name).
        key = (type(obj), attr)
        safe = _SAFE.get(key)
        if safe is None:
            safe = super().is_safe_attribute(obj, attr, value) and (
                type(obj) is Namespace  # the template's own {% set ns.x %} values
                or attr in (allowed_attributes(type(obj)) or ())
            )
            if len(_SAFE) > 10_000:
                _SAFE.clear()
            _SAFE[key] = safe
        return safe

    def wrap_str_format(self, value: Any) -> None:
        """``str.format`` is not on the allow-list (widths could pad without bound)."""
        return None

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Subscription, for the allowed types only."""
        self._check_type(obj, argument)
        return super().getitem(obj, argument)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Attribute access, for the allowed types only."""
        self._check_type(obj, attribute)
        return super().getattr(obj, attribute)

    def _check_type(self, obj: Any, name: object) -> None:
        cls = type(obj)
        if cls is Namespace or cls is TemplateReference or isinstance(obj, Undefined):
            return  # {% set ns.x %} values, {{ self.block() }}, and undefined names (an error)
        if allowed_attributes(cls) is not None:
            return
        raise SandboxLimitError(f"reads {name!r} of a {cls.__name__}, which is not template data")

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """``*``, ``**``, ``%`` and ``+``, refused before they build something too large."""
        return check_size(BINOPS[operator](left, right))

    def bounded_concat(self, values: tuple[Any, ...], autoescape: bool) -> str:
        """``a ~ b``, bounded."""
        joined = markup_join(values) if autoescape else str_join(values)
        return str(check_size(joined))

    def budgeted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Iterate ``iterable`` drawing on the rendering's loop budget."""
        for item in iterable:
            spend_loop()
            yield item

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Every call a template makes: a recursive loop's iterable is budgeted like any
        loop's, and what the call returns counts against the building budget."""
        if isinstance(__obj, LoopContext) and args:  # {{ loop(children) }}
            args = (__self.budgeted(args[0]), *args[1:])
        return check_size(super().call(__context, __obj, *args, **kwargs))

    def concat(self, parts: Iterable[str]) -> str:
        """Join a block's output (macros, ``{% set %}`` blocks, calls), bounded."""
        parts = list(parts)
        if sum(map(len, parts)) > MAX_OUTPUT:
            raise SandboxLimitError(f"writes more than {MAX_OUTPUT} characters")
        return "".join(parts)
