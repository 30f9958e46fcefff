"""How the caller's ``request``/``extra`` combine with what the Bundle gave.

The rule, field by field:

- an object merges key by key (the caller's value wins for each key it gives);
- a list of objects (``clinicians``, ``diagnoses``, ``medications``, ``measures``, ``history``,
  ``request.documents``, …) merges **by index**: the caller's element ``i`` merges, key by key,
  into the Bundle's element ``i`` (the one ``unfilled`` and error lines call ``$.clinicians[i]``),
  and elements past the end of the Bundle's list are added. ``{"clinicians": [{}, {"role":
  "psychiatrist"}]}`` sets the second clinician's role and keeps everything else;
- any other value, a list of plain values included, replaces the Bundle's.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["given", "merge"]


def merge(target: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Merge ``extra`` into ``target`` in place, by the rule above; ``extra`` is not changed."""
    for key, value in extra.items():
        current = target.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            merge(current, value)
        elif _records(value) and isinstance(current, list) and _records(current):
            for i, element in enumerate(value):
                if i < len(current):
                    merge(current[i], element)
                else:
                    current.append(copy.deepcopy(dict(element)))
        else:
            target[key] = copy.deepcopy(value)  # never share (and later change) the caller's


def _records(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def given(caller: Mapping[str, Any], path: str) -> bool:
    """Whether the caller's ``request``/``extra`` supplied the value at a case path."""
    node: Any = caller
    for part in path.removeprefix("$.").replace("[", ".[").split("."):
        if part.startswith("["):
            index = int(part[1:-1]) if part[1:-1].isdigit() else -1
            if not isinstance(node, list) or not 0 <= index < len(node):
                return False
            node = node[index]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False
    return True
