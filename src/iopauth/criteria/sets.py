"""Criteria sets: the loaders, the cache of compiled shipped sets and the compiled types.

A set file holds ``id``, ``title``, ``version``, ``effective``, ``level``, ``sources``, a
``[params]`` table of thresholds and a list of ``[[criteria]]``. An overlay names the set it
builds on with ``extends`` and may change ``[params]``, add criteria, replace a criterion by
giving its id, or drop criteria listed in ``remove``. See docs/criteria.md.

Reading files and merging overlays is :mod:`._set_files`; checking the merged table and
compiling it is :mod:`._set_build`; the compiled types are defined in :mod:`._set_types` and
re-exported here.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._support.once import once
from ..errors import CriteriaSetError
from ._set_build import build
from ._set_files import criteria_sets, raw_file, raw_shipped
from ._set_types import FORMATS, CriteriaSet, Criterion, Recommendation, Template, template_facts

__all__ = [
    "FORMATS",
    "CriteriaSet",
    "Criterion",
    "Recommendation",
    "Template",
    "criteria_sets",
    "get_criteria",
    "load_criteria",
    "template_facts",
]


@once()
def get_criteria(name: str) -> CriteriaSet:
    """A shipped set by name, compiled once and cached."""
    if name not in criteria_sets():
        shipped = ", ".join(criteria_sets())
        raise CriteriaSetError(f"no shipped criteria set {name!r}; shipped sets: {shipped}")
    raw = raw_shipped(name)
    return build(raw, origin=f"shipped:{name}")


def load_criteria(path: str | os.PathLike[str]) -> CriteriaSet:
    """Load a user's TOML set or overlay (``extends`` a shipped set or a sibling file)."""
    raw = raw_file(Path(path), seen=())
    return build(raw, origin=str(path))
