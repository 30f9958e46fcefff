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

import contextvars
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import update_wrapper
from itertools import islice
from typing import Any

import attrs
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.filters import (
    do_batch,
    do_center,
    do_format,
    do_indent,
    do_join,
    do_replace,
    do_slice,
    do_sum,
    do_tojson,
    do_wordwrap,
)
from jinja2.runtime import (
    Context,
    LoopContext,
    TemplateReference,
    Undefined,
    markup_join,
    str_join,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Namespace, pass_environment, pass_eval_context
from markupsafe import Markup

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

#: Longest string, list or tuple one template operation may build.
MAX_LENGTH = 1_000_000
#: Largest integer (in bits) an arithmetic operation may produce.
MAX_INT_BITS = 4_096
#: Most items ``range`` may produce.
MAX_RANGE = 10_000
#: Loop iterations one rendering may spend, all loops together.
MAX_LOOP_ITERATIONS = 200_000
#: Most characters one rendered template may produce.
MAX_OUTPUT = 10_000_000
#: Most characters (or items) one rendering may build in all: every operator, filter, method
#: call and printed value counts, whether or not its result is kept.
MAX_BUILT = 20_000_000
# Widths in a %-format ("%9999999d"), padding and indentation stay small.
_MAX_WIDTH = 1_000


class SandboxLimitError(SecurityError):
    """A template broke a sandbox rule; the message names the rule, never a value."""


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
    # imported here: the model and views import this package's environment module
    from ..criteria.result import Determination, Evidence, Finding
    from ..model import StrEnum
    from ..model._base import Redacted
    from .appeal import Principle, StateLaw
    from .checklist import NeededDocument
    from .context import FindingView, MeasureRow
    from .letterhead import LetterheadView

    return (
        Redacted,
        StrEnum,
        Determination,
        Evidence,
        Finding,
        Principle,
        StateLaw,
        FindingView,
        LetterheadView,
        MeasureRow,
        NeededDocument,
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


class _Budget:
    """What one rendering may still spend: loop iterations, and characters (or items) built."""

    __slots__ = ("built", "loops")

    def __init__(self) -> None:
        self.loops = MAX_LOOP_ITERATIONS
        self.built = MAX_BUILT


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "iopauth_render_budget", default=None
)


class iteration_budget:  # noqa: N801 - used as a context manager, named like one
    """Within this block, all templates share :data:`MAX_LOOP_ITERATIONS` loop iterations
    and :data:`MAX_BUILT` characters built."""

    def __enter__(self) -> None:
        self._token = _BUDGET.set(_Budget())

    def __exit__(self, *exc: object) -> None:
        _BUDGET.reset(self._token)


_SIZED = (str, list, tuple, dict)


def charge(value: Any) -> Any:
    """Count what ``value`` holds against the rendering's building budget; return it."""
    budget = _BUDGET.get()
    if budget is not None and isinstance(value, _SIZED):
        budget.built -= len(value)
        if budget.built < 0:
            raise SandboxLimitError(f"builds more than {MAX_BUILT} characters in all")
    return value


# --- size ----------------------------------------------------------------------------------


def _refuse(rule: str) -> SandboxLimitError:
    return SandboxLimitError(rule)


def check_size(value: object) -> object:
    """``value`` if it is within the limits; else :class:`SandboxLimitError`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise _refuse(f"builds a number larger than {MAX_INT_BITS} bits")
    elif isinstance(value, str | list | tuple) and len(value) > MAX_LENGTH:
        raise _refuse(f"builds a value longer than {MAX_LENGTH} items")
    return charge(value)


def _length(value: object) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent_format(text: str) -> None:
    for match in _PERCENT_SPEC.finditer(text):
        for part in match.groups():
            if part is not None and (part == "*" or int(part) > _MAX_WIDTH):
                raise _refuse(f"formats with a width or precision over {_MAX_WIDTH}")


def _product(left: Any, right: Any) -> Any:
    for seq, times in ((left, right), (right, left)):
        size = _length(seq)
        if size is not None and isinstance(times, int):
            if size * max(times, 0) > MAX_LENGTH:
                raise _refuse(f"repeats a value past {MAX_LENGTH} items")
            return seq * times
    if (
        isinstance(left, int)
        and isinstance(right, int)
        and left.bit_length() + right.bit_length() > MAX_INT_BITS + 1
    ):
        raise _refuse(f"builds a number larger than {MAX_INT_BITS} bits")
    return left * right


def _power(left: Any, right: Any) -> Any:
    growing = isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1
    if growing and right * (abs(left).bit_length() - 1) > MAX_INT_BITS:
        raise _refuse(f"builds a number larger than {MAX_INT_BITS} bits")
    return left**right


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_percent_format(left)
    return left % right


def _plus(left: Any, right: Any) -> Any:
    return left + right


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": _product,
    "**": _power,
    "%": _modulo,
    "+": _plus,
}


def bounded_range(*args: int) -> range:
    """``range`` of at most :data:`MAX_RANGE` items."""
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise _refuse(f"asks for a range of more than {MAX_RANGE} items")
    return result


def _small_int(value: object, limit: int, what: str) -> None:
    if isinstance(value, int) and value > limit:
        raise _refuse(f"asks for {what} over {limit}")
    if isinstance(value, str) and len(value) > limit:
        raise _refuse(f"asks for {what} over {limit}")


def _items(value: Iterable[Any]) -> list[Any]:
    items = list(islice(iter(value), MAX_LENGTH + 1))
    if len(items) > MAX_LENGTH:
        raise _refuse(f"works on more than {MAX_LENGTH} items")
    return items


def _center(value: str, width: int = 80) -> str:
    _small_int(width, _MAX_WIDTH, "a width")
    return do_center(value, width)


def _indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    _small_int(width, _MAX_WIDTH, "an indentation")
    indent_size = width if isinstance(width, int) else len(width)
    if len(str(s)) + str(s).count("\n") * indent_size > MAX_LENGTH:
        raise _refuse(f"indents a value past {MAX_LENGTH} characters")
    return str(check_size(do_indent(s, width, first, blank)))


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    _check_percent_format(str(value))
    return str(check_size(do_format(value, *args, **kwargs)))


@pass_eval_context
def _join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    items = _items(value)
    if attribute is None:
        total = sum(len(str(x)) for x in items) + len(str(d)) * max(len(items) - 1, 0)
        if total > MAX_LENGTH:
            raise _refuse(f"joins a value past {MAX_LENGTH} characters")
    return str(check_size(do_join(eval_ctx, items, d, attribute)))


@pass_eval_context
def _replace(eval_ctx: Any, s: str, old: str, new: str, count: int | None = None) -> str:
    text = str(s)
    found = text.count(str(old)) if old else len(text) + 1
    if count is not None:
        found = min(found, max(count, 0))
    if len(text) + found * max(len(str(new)) - len(str(old)), 0) > MAX_LENGTH:
        raise _refuse(f"replaces a value past {MAX_LENGTH} characters")
    return str(check_size(do_replace(eval_ctx, s, old, new, count)))


def _batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Iterator[list[Any]]:
    _small_int(linecount, MAX_RANGE, "a batch size")
    batches: Iterator[list[Any]] = do_batch(_items(value), linecount, fill_with)
    return batches


def _slice(value: Iterable[Any], slices: int, fill_with: Any = None) -> Iterator[list[Any]]:
    _small_int(slices, MAX_RANGE, "a slice count")
    slices_: Iterator[list[Any]] = do_slice(_items(value), slices, fill_with)
    return slices_


@pass_environment
def _sum(environment: Any, iterable: Iterable[Any], attribute: Any = None, start: Any = 0) -> Any:
    if not isinstance(start, int | float) or isinstance(start, bool):
        raise _refuse("sums anything but numbers")
    return check_size(do_sum(environment, _items(iterable), attribute, start))


@pass_environment
def _wordwrap(environment: Any, s: str, width: int = 79, *args: Any, **kwargs: Any) -> str:
    wrapstring = kwargs.get("wrapstring", args[1] if len(args) > 1 else None)
    if wrapstring is not None and len(str(wrapstring)) > 8:
        raise _refuse("wraps with a separator over 8 characters")
    return str(check_size(do_wordwrap(environment, s, width, *args, **kwargs)))


@pass_eval_context
def _tojson(eval_ctx: Any, value: Any, indent: int | None = None) -> Markup:
    _small_int(indent, 8, "a JSON indentation")
    return do_tojson(eval_ctx, value, indent)


#: Built-in filters replaced by bounded versions; ``random`` (not reproducible) and ``urlize``
#: (its attributes multiply with every link) are removed.
BOUNDED_FILTERS: dict[str, Callable[..., Any]] = {
    "batch": _batch,
    "center": _center,
    "format": _format,
    "indent": _indent,
    "join": _join,
    "replace": _replace,
    "slice": _slice,
    "sum": _sum,
    "tojson": _tojson,
    "wordwrap": _wordwrap,
}
REMOVED_FILTERS = ("random", "urlize")


def _charged(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` whose result counts against the rendering's building budget."""

    def charged(*args: Any, **kwargs: Any) -> Any:
        return charge(func(*args, **kwargs))

    # keeps Jinja's pass_context / pass_eval_context / pass_environment mark (in __dict__)
    return update_wrapper(charged, func)


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
    intercepted_binops = frozenset(_BINOPS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["optimized"] = False  # no constant folding: nothing is computed at compile time
        super().__init__(*args, **kwargs)
        self.globals["range"] = bounded_range
        self.globals.pop("lipsum", None)  # random text: not reproducible
        for name in REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.filters.update(BOUNDED_FILTERS)
        for name, func in list(self.filters.items()):
            self.filters[name] = _charged(func)

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
        return check_size(_BINOPS[operator](left, right))

    def bounded_concat(self, values: tuple[Any, ...], autoescape: bool) -> str:
        """``a ~ b``, bounded."""
        joined = markup_join(values) if autoescape else str_join(values)
        return str(check_size(joined))

    def budgeted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Iterate ``iterable`` drawing on the rendering's loop budget."""
        budget = _BUDGET.get()
        if budget is None:
            yield from iterable
            return
        for item in iterable:
            budget.loops -= 1
            if budget.loops < 0:
                raise _refuse(f"loops more than {MAX_LOOP_ITERATIONS} times")
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
            raise _refuse(f"writes more than {MAX_OUTPUT} characters")
        return "".join(parts)
