"""The facts rules are written over, and the one function that derives them from a case.

A fact is a named value (``plan.hours_per_week``) with a type and one line of documentation.
``None`` means the case does not document it: rules read that as *unknown*, never as false.
Facts are derived in groups (one function per group, in one module per subject: request,
plan, clinical picture, safety, history, ratings, measures) so an evaluation derives only the
groups its criteria set refers to. ``docs/criteria.md`` lists every fact; a test keeps the
two in step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from attrs import frozen

from ..model import Case
from ._clinical_facts import CLINICAL_SPECS
from ._derive import Deriver, Specs, Value
from ._history_facts import HISTORY_SPECS
from ._measure_facts import MEASURE_SPECS
from ._medical_facts import MEDICAL_SPECS
from ._plan_facts import PLAN_SPECS
from ._progress_facts import PROGRESS_SPECS
from ._rating_facts import RATING_SPECS
from ._request_facts import REQUEST_SPECS
from ._safety_facts import SAFETY_SPECS
from ._withdrawal_facts import WITHDRAWAL_SPECS

__all__ = ["FACTS", "FACT_TYPES", "Fact", "Value", "derive_facts", "groups_for"]

FactType = str
"""One of ``bool``, ``number``, ``string``, ``strings`` (a collection of strings)."""

FACT_TYPES = ("bool", "number", "string", "strings")


@frozen(kw_only=True)
class Fact:
    """A fact's name, type, the case path(s) it is read from, one line of documentation."""

    name: str
    type: FactType
    path: str
    doc: str
    group: str


# --- the registry ------------------------------------------------------------------------------

# every group, in registry (documentation) order
_SPECS: Specs = {
    **REQUEST_SPECS,
    **PLAN_SPECS,
    **CLINICAL_SPECS,
    **SAFETY_SPECS,
    **MEDICAL_SPECS,
    **WITHDRAWAL_SPECS,
    **HISTORY_SPECS,
    **RATING_SPECS,
    **MEASURE_SPECS,
    **PROGRESS_SPECS,
}

# each group's facts, all unknown: what a group's deriver leaves out stays unknown
_GROUP_UNKNOWN: dict[str, dict[str, Value]] = {
    group: dict.fromkeys(spec[0] for spec in specs) for group, (_, specs) in _SPECS.items()
}

FACTS: Mapping[str, Fact] = {
    name: Fact(name=name, type=type_, path=path, doc=doc, group=group)
    for group, (_, specs) in _SPECS.items()
    for name, type_, path, doc in specs
}
"""Every fact, by name, in documentation order."""

_DERIVERS: Mapping[str, Deriver] = {group: fn for group, (fn, _) in _SPECS.items()}


def groups_for(names: Iterable[str]) -> tuple[str, ...]:
    """The fact groups that must be derived to know ``names`` (in registry order)."""
    wanted = {FACTS[n].group for n in names}
    return tuple(g for g in _DERIVERS if g in wanted)


def derive_facts(
    case: Case, as_of: date | None = None, groups: Iterable[str] | None = None
) -> dict[str, Value]:
    """Derive the facts of ``case`` as of ``as_of`` (default: the request date).

    ``groups`` limits the work to the named groups (see :func:`groups_for`); by default every
    fact is derived. Values are ``None`` where the case does not document the fact.
    """
    day = case.request.request_date if as_of is None else as_of
    wanted = tuple(_DERIVERS) if groups is None else tuple(groups)
    # every fact of the groups, unknown, in registry order: what a group leaves out stays so
    facts = dict(_unknown(wanted))
    for group in wanted:
        facts.update(_DERIVERS[group](case, day))
    return facts


_UNKNOWN_BY_GROUPS: dict[tuple[str, ...], dict[str, Value]] = {}


def _unknown(groups: tuple[str, ...]) -> dict[str, Value]:
    """The groups' facts, all unknown, in the order ``groups`` names them (built once per
    combination; a set asks for a few, so the table stays small)."""
    found = _UNKNOWN_BY_GROUPS.get(groups)
    if found is None:
        found = {}
        for group in groups:
            found.update(_GROUP_UNKNOWN[group])
        if len(_UNKNOWN_BY_GROUPS) >= 256:
            _UNKNOWN_BY_GROUPS.clear()
        _UNKNOWN_BY_GROUPS[groups] = found
    return found
