"""Shared state built once per process, safely when several threads ask for it first.

``functools.cache`` lets two threads that miss at the same moment both build the value and
keeps one of them; a hand-written cache that publishes a placeholder first lets a second thread
use the placeholder. :func:`once` builds each value under a lock and publishes it only when it
is complete, so every caller gets the same, finished object.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, ParamSpec, TypeVar

__all__ = ["once"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


class _Once(Generic[_P, _R]):
    """A function whose results are built once per arguments and then shared."""

    def __init__(self, func: Callable[_P, _R], maxsize: int | None) -> None:
        self._func = func
        self._maxsize = maxsize
        self._values: OrderedDict[Hashable, _R] = OrderedDict()
        self._lock = threading.RLock()  # re-entrant: a builder may call another cached one
        self.__doc__ = func.__doc__
        self.__name__ = getattr(func, "__name__", "once")
        self.__wrapped__ = func

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        key: Hashable = (args, tuple(sorted(kwargs.items())))
        try:
            return self._values[key]  # the fast path: a finished value, no lock
        except KeyError:
            pass
        with self._lock:
            if key not in self._values:
                value = self._func(*args, **kwargs)
                if self._maxsize is not None and len(self._values) >= self._maxsize:
                    self._values.popitem(last=False)
                self._values[key] = value
            return self._values[key]

    def built(self) -> list[_R]:
        """The values built so far, oldest first (nothing is built by asking)."""
        with self._lock:
            return list(self._values.values())

    def cache_clear(self) -> None:
        """Forget every value (tests and benchmarks of the first call)."""
        with self._lock:
            self._values.clear()


def once(maxsize: int | None = None) -> Callable[[Callable[_P, _R]], _Once[_P, _R]]:
    """Decorate a function so each result is built once, under a lock, and then shared."""

    def decorate(func: Callable[_P, _R]) -> _Once[_P, _R]:
        return _Once(func, maxsize)

    return decorate
