"""Names a package exports but imports only when first asked for (PEP 562).

``iopauth`` and its subpackages keep start-up light (``iopauth check`` loads no renderer, FHIR
reader or PDF-forms code): each lists its public names against the module defining them and
gets its module ``__getattr__`` and ``__dir__`` from :func:`exports`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["exports"]


def exports(
    package: str,
    table: Mapping[str, str],
    namespace: dict[str, Any],
    public: Iterable[str],
    subpackages: Iterable[str] = (),
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``.

    ``table`` maps a public name to the module defining it (relative to ``package``, or
    absolute); the first use imports that module and keeps the value in ``namespace`` (the
    package's ``globals()``), so later uses cost nothing. ``subpackages`` are answered with the
    subpackage itself.
    """
    children = frozenset(subpackages)
    listed = frozenset(public)

    def getattr_(name: str) -> Any:
        if name in children:
            return importlib.import_module(f"{package}.{name}")
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(set(namespace) | listed)

    return getattr_, dir_
