"""Compiled findings say exactly what the engine's generic path says, criterion by criterion."""

from __future__ import annotations

import attrs
import pytest

from iopauth.criteria import criteria_sets, engine, get_criteria
from iopauth.criteria._finders import finder
from iopauth.criteria.facts import derive_facts
from iopauth.model import Case

from .test_criteria_golden import cases


@pytest.mark.parametrize("name", criteria_sets())
def test_compiled_findings_match_the_generic_path(name: str) -> None:
    """Every criterion of a shipped set, verified or not, with its facts as derived and with
    them all unknown: the compiled finding's repr is the generic path's."""
    criteria = get_criteria(name)
    compared = 0
    for case in cases()[:12]:
        facts = derive_facts(case, case.request.request_date)
        for criterion in criteria.criteria:
            unknown = {**facts, **dict.fromkeys(criterion.key_facts)}
            for verified in (True, False):
                item = attrs.evolve(criterion, verified=verified)
                compiled = finder(item, criteria.params)
                if compiled is None:  # an itemized group: the generic path only
                    continue
                for given in (facts, unknown):
                    expected = engine._findings(item, given, criteria.params)
                    assert repr(compiled(given)) == repr(expected), item.id
                    compared += 1
    assert compared > 100


def test_an_unverified_group_not_met_asks_for_nothing() -> None:
    """An unverified any-of group whose members are all not met asks for no documents (its
    status decides nothing until confirmed; the engine's notes say so), as before."""
    criteria = get_criteria("iop-standard")
    groups = [c for c in criteria.criteria if c.rule is None and not c.itemize]
    assert groups
    case: Case = cases()[0]
    facts = derive_facts(case, case.request.request_date)
    for group in groups:
        item = attrs.evolve(group, verified=False)
        compiled = finder(item, criteria.params)
        assert compiled is not None
        found = compiled(facts)[0]
        if found.status.value == "not_met":
            assert found.documentation == ()
        assert found == engine._findings(item, facts, criteria.params)[0]
