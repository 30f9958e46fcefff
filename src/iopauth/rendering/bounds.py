"""How much a template may build: the limits, the per-rendering budget, bounded operators
and filters.

Each operation that can grow a value (``*``, ``**``, ``+``, ``%``, ``~``, ``range``, the
padding and joining filters) is checked before it builds anything past :data:`MAX_LENGTH`
items or :data:`MAX_INT_BITS` bits, and everything one rendering builds counts against
:data:`MAX_BUILT`. :mod:`iopauth.rendering.sandbox` applies them.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterable, Iterator
from functools import update_wrapper
from itertools import islice
from typing import Any

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
from jinja2.utils import pass_environment, pass_eval_context
from markupsafe import Markup

__all__ = [
    "BINOPS",
    "BOUNDED_FILTERS",
    "MAX_BUILT",
    "MAX_INT_BITS",
    "MAX_LENGTH",
    "MAX_LOOP_ITERATIONS",
    "MAX_OUTPUT",
    "MAX_RANGE",
    "REMOVED_FILTERS",
    "SandboxLimitError",
    "bounded_range",
    "charge",
    "charged",
    "check_size",
    "iteration_budget",
    "spend_loop",
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


def spend_loop() -> None:
    """Count one loop iteration against the rendering's budget (nothing outside a rendering)."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.loops -= 1
        if budget.loops < 0:
            raise SandboxLimitError(f"loops more than {MAX_LOOP_ITERATIONS} times")


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


BINOPS: dict[str, Callable[[Any, Any], Any]] = {
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


def charged(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` whose result counts against the rendering's building budget."""

    def charged(*args: Any, **kwargs: Any) -> Any:
        return charge(func(*args, **kwargs))

    # keeps Jinja's pass_context / pass_eval_context / pass_environment mark (in __dict__)
    return update_wrapper(charged, func)
