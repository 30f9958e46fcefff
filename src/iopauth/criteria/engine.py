"""Evaluate a case against a criteria set: one finding per criterion, then the outcome.

``meets``: every required criterion (and any-of group) met, no exclusion applies;
``does_not_meet``: a verified required criterion not met or a verified exclusion applies;
otherwise ``insufficient_information`` (an unverified finding against the case only asks for
its documentation). Levels come from the findings against the case, with their ids, and at
a discharge review from the met discharge criteria too (where the patient goes next).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ..caseformat.validity import validate_case
from ..model import Case, LevelOfCare
from ._finders import Finder, finder, lower, render
from ._request_review import annotate
from ._wording import show
from .defaults import default_criteria, default_review
from .facts import Value, derive_facts
from .result import CriterionKind, Determination, Evidence, Finding, Outcome, Review, Status
from .rules import Facts
from .sets import CriteriaSet, Criterion, Template, get_criteria, load_criteria

__all__ = ["clear_caches", "evaluate", "show"]

_render, _lower = render, lower  # the reason helpers, kept here for the engine's tests

_STATUS = {True: Status.MET, False: Status.NOT_MET, None: Status.UNKNOWN}
# an exclusion's rule names the condition that excludes: true means it applies
_EXCLUSION_STATUS = {True: Status.APPLIES, False: Status.DOES_NOT_APPLY, None: Status.UNKNOWN}
# a finding that counts against the case
_AGAINST = frozenset({Status.NOT_MET, Status.APPLIES})


def evaluate(
    case: Case,
    criteria: str | os.PathLike[str] | CriteriaSet | None = None,
    review: str | Review | None = None,
    as_of: date | None = None,
) -> Determination:
    """Check ``case`` against a criteria set for one review type.

    ``criteria`` is a shipped set name, a path to a TOML set (or overlay), or a set from
    :func:`load_criteria`; ``None`` is :func:`default_criteria` of the case, and a ``review``
    of ``None`` is :func:`default_review`, as in every entry point (render, forms, batch, the
    CLI). ``as_of`` defaults to the request date; the clock is never read.
    "Criteria not met" is a result, never an exception. A case that breaks a rule of the case
    format raises :class:`~iopauth.errors.InvalidCaseError` (see :func:`iopauth.validate_case`).
    """
    validate_case(case)
    criteria_set = _resolve(default_criteria(case) if criteria is None else criteria)
    try:
        kind = default_review(case) if review is None else Review(review)
    except ValueError:
        raise ValueError(
            f"unknown review {review!r}; use one of {', '.join(r.value for r in Review)}"
        ) from None
    day = case.request.request_date if as_of is None else as_of
    # only the groups this review reads: a determination depends on its key facts alone
    facts = _facts(case, day, criteria_set.groups_for(kind))
    get = facts.get
    key = (kind, *map(get, criteria_set.key_facts(kind)))
    decided = criteria_set.memo.get(key)
    if decided is None:
        decided = _decide(criteria_set, kind, facts)
        if len(criteria_set.memo) >= _MEMO_SIZE:
            criteria_set.memo.clear()
        criteria_set.memo[key] = decided
    set_id, version = criteria_set.id, criteria_set.version
    found = Determination(
        criteria_set=set_id, criteria_version=version, review=kind, as_of=day, **decided
    )
    # per case, after the memo: disagreements, a retrospective request, intensity past the level
    return annotate(found, case, criteria_set)


def _decide(criteria_set: CriteriaSet, kind: Review, facts: Facts) -> dict[str, Any]:
    """Everything a determination says apart from its set, review and day."""
    findings: list[Finding] = []
    pointers: list[tuple[LevelOfCare, str]] = []
    floors: list[tuple[LevelOfCare, str]] = []
    asked: list[str] = []
    get = facts.get
    params = criteria_set.params
    for criterion, compiled in _prepared(criteria_set, kind):
        key = tuple(map(get, criterion.key_facts))
        memo = criterion.memo
        found = memo.get(key)
        if found is None:
            found = compiled(facts) if compiled is not None else _findings(criterion, facts, params)
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[key] = found
        findings.extend(found)
        status = found[0].status
        against = status in _AGAINST
        if against and criterion.ask_when_against:
            asked.extend(criterion.documentation)
        # a met discharge criterion says where the patient goes next (e.g. goals met: outpatient)
        if against or (status is Status.MET and kind is Review.DISCHARGE):
            level = _recommendation(criterion, facts)
            if level is not None:
                pointers.append((level, criterion.id))
        elif criterion.floor is not None and status is Status.MET:
            floors.append((criterion.floor, criterion.id))
    recommended, basis = _recommend(pointers, floors, criteria_set.level)
    notes: list[str] = []
    if not findings:
        notes.append(f"The set {criteria_set.id!r} has no criteria for the {kind} review.")
    outcome, missing, unverified = _summary(findings, notes, asked)
    return {
        "outcome": outcome,
        "findings": tuple(findings),
        "missing_documentation": missing,
        "recommended_level": recommended,
        "notes": tuple(notes),
        "recommendation_basis": basis,
        "unverified": unverified,
    }


_PREPARED: dict[tuple[int, Review], tuple[CriteriaSet, tuple[tuple[Criterion, Finder | None], ...]]]
_PREPARED = {}


def _prepared(
    criteria_set: CriteriaSet, kind: Review
) -> tuple[tuple[Criterion, Finder | None], ...]:
    """The review's criteria, each with its compiled finding (``None``: the generic path)."""
    entry = _PREPARED.get((id(criteria_set), kind))
    if entry is not None and entry[0] is criteria_set:
        return entry[1]
    params = criteria_set.params
    prepared = tuple((c, finder(c, params)) for c in criteria_set.for_review(kind))
    if len(_PREPARED) >= 256:  # a few sets in use at a time; sets loaded over and over stay bounded
        _PREPARED.clear()
    _PREPARED[(id(criteria_set), kind)] = (criteria_set, prepared)
    return prepared


def _summary(
    findings: list[Finding], notes: list[str], asked: list[str]
) -> tuple[Outcome, tuple[str, ...], tuple[str, ...]]:
    """The outcome, the documentation to ask for (none for "meets") and the unverified criteria;
    a note is added for each unverified finding against the case.

    does_not_meet needs a verified finding against the case; an unverified one only leaves
    the outcome undecided (unverified facts are never hard rules). An itemized member's
    status never decides (its group does), though an unknown member asks for documentation.
    """
    decided_against = False
    undecided = not findings
    missing: dict[str, None] = dict.fromkeys(asked)
    unverified: list[str] = []
    for finding in findings:
        status = finding.status
        member = bool(finding.group)
        if status is Status.UNKNOWN:
            missing.update(dict.fromkeys(finding.documentation))
            undecided = undecided or not member
        elif member or status not in _AGAINST:
            pass
        elif finding.verified:
            decided_against = True
        else:
            missing.update(dict.fromkeys(finding.documentation))
            notes.append(
                f"{finding.title}: this finding rests on a source the project could not "
                "verify, so it never decides the outcome on its own; confirm "
                "the requirement and attach the documentation."
            )
            undecided = True
        if not finding.verified and not member:
            unverified.append(finding.criterion)
    if decided_against:
        outcome = Outcome.DOES_NOT_MEET
    else:
        outcome = Outcome.INSUFFICIENT_INFORMATION if undecided else Outcome.MEETS
    return outcome, () if outcome is Outcome.MEETS else tuple(missing), tuple(unverified)


def _recommend(
    pointers: list[tuple[LevelOfCare, str]],
    floors: list[tuple[LevelOfCare, str]],
    own: LevelOfCare,
) -> tuple[LevelOfCare | None, tuple[str, ...]]:
    """The recommended level and the criteria that drove it.

    A pointer to another level wins over one to the set's own level (which only says "this
    level, corrected", e.g. a short schedule). A met finding with a ``floor`` (outpatient care
    is not enough) rules out pointers below it. Several pointers: err toward the more
    intensive level, the safer reading.
    """
    if not pointers:
        return None, ()
    floor = max((level for level, _ in floors), key=lambda lv: lv.rank, default=None)
    allowed = [(lv, c) for lv, c in pointers if floor is None or lv.rank >= floor.rank]
    # the met findings that ruled a lower pointer out are part of the basis
    held = () if len(allowed) == len(pointers) else tuple(c for lv, c in floors if lv is floor)
    others = [(lv, c) for lv, c in allowed if lv is not own]
    if others:
        top = max((lv for lv, _ in others), key=lambda lv: lv.rank)
        return top, tuple(c for lv, c in others if lv is top)
    same = tuple(c for lv, c in allowed if lv is own)
    if same:
        return own, same + held
    return (floor, held) if held and floor is not None else (None, ())


# Entries per criterion (findings) and per set (whole determinations). A finding with its
# evidence and reason takes about 1-2 kB, so a set of 20 criteria holds at most ~15-20 MB
# however many different cases a worker sees (issue 14: memory stays flat in a batch).
_MEMO_SIZE = 512

# Facts are a pure function of an immutable case and a day. Recent cases' facts are kept by
# identity (a weak reference guards against a reused id), so evaluating one case against
# several sets or reviews derives each fact group once. Results never depend on this cache.
_FACTS_CACHE: dict[int, tuple[weakref.ref[Case], date, dict[str, Value], set[str]]] = {}
_FACTS_CACHE_SIZE = 64

_FACTS_LOCK = threading.Lock()  # evaluate may run in several threads (batch executors)


def _facts(case: Case, day: date, groups: Iterable[str]) -> Mapping[str, Value]:
    with _FACTS_LOCK:
        entry = _FACTS_CACHE.get(id(case))
        if entry is not None and (entry[0]() is not case or entry[1] != day):
            entry = None
    if entry is None:
        # a case (or day) not seen yet: the derived facts become the entry, not a copy
        wanted = tuple(groups)
        facts = derive_facts(case, day, wanted)
        with _FACTS_LOCK:
            if len(_FACTS_CACHE) >= _FACTS_CACHE_SIZE:
                _FACTS_CACHE.pop(next(iter(_FACTS_CACHE)), None)
            _FACTS_CACHE[id(case)] = (weakref.ref(case), day, facts, set(wanted))
        return facts
    _, _, facts, done = entry
    missing = [g for g in groups if g not in done]
    if missing:
        derived = derive_facts(case, day, missing)
        with _FACTS_LOCK:
            facts.update(derived)
            done.update(missing)
    return facts


def clear_caches() -> None:
    """Forget memoized facts and findings (for benchmarks of the uncached path)."""
    with _FACTS_LOCK:
        _FACTS_CACHE.clear()
    for criteria_set in get_criteria.built():  # a set never built has nothing to forget
        criteria_set.memo.clear()
        for criterion in criteria_set.criteria:
            if criterion.memo:
                criterion.memo.clear()


def _resolve(criteria: str | os.PathLike[str] | CriteriaSet) -> CriteriaSet:
    if isinstance(criteria, CriteriaSet):
        return criteria
    if isinstance(criteria, os.PathLike) or str(criteria).endswith(".toml"):
        return load_criteria(criteria)
    return get_criteria(criteria)


def _findings(criterion: Criterion, facts: Facts, params: Mapping[str, Any]) -> tuple[Finding, ...]:
    """The criterion's finding, then (for an itemized group) one per member (the generic
    path: a criterion with a rule of its own goes through its compiled finder)."""
    rule = criterion.rule
    if rule is not None:
        statuses = _EXCLUSION_STATUS if criterion.kind is CriterionKind.EXCLUSION else _STATUS
        value = rule.evaluate(facts)
        # a rule is type-checked to give a boolean; anything else reads as unknown
        status = statuses[value if value is True or value is False else None]
        reason = _reason(criterion, status, facts, params)
        documentation = criterion.documentation
    else:
        status, reason, documentation = _group(criterion, facts, params)
    asks = status is Status.UNKNOWN or (status in _AGAINST and not criterion.verified)
    first = Finding(
        criterion=criterion.id,
        title=criterion.title,
        kind=criterion.kind,
        status=status,
        reason=reason,
        source=criterion.source,
        evidence=_evidence(criterion, facts),
        documentation=documentation if asks else (),
        verified=criterion.verified,
        citation=criterion.citation,
    )
    if not criterion.itemize:
        return (first,)
    found = [first]
    for member in criterion.members:
        rule = member.rule
        value = _truth(rule.evaluate(facts)) if rule is not None else None
        member_status = _STATUS[value]
        found.append(
            Finding(
                criterion=member.id,
                title=member.title,
                kind=criterion.kind,
                status=member_status,
                reason=_reason(member, member_status, facts, params),
                source=member.source or criterion.source,
                evidence=_evidence(member, facts),
                documentation=(member.documentation if member_status is Status.UNKNOWN else ()),
                verified=member.verified and criterion.verified,
                citation=member.citation or criterion.citation,
                group=criterion.id,
            )
        )
    return tuple(found)


def _evidence(criterion: Criterion, facts: Facts) -> tuple[Evidence, ...]:
    get = facts.get
    return tuple([Evidence(fact=n, path=p, value=get(n)) for n, p in criterion.evidence_paths])


def _truth(value: Value) -> bool | None:
    # a rule is type-checked to give a boolean; anything else reads as unknown
    return value if isinstance(value, bool) else None


def _group(
    criterion: Criterion, facts: Facts, params: Mapping[str, Any]
) -> tuple[Status, str, tuple[str, ...]]:
    """An any-of group: met when one member is met, not met when all are not met."""
    results = []
    for member in criterion.members:
        rule = member.rule
        status = _STATUS[_truth(rule.evaluate(facts))] if rule is not None else Status.UNKNOWN
        results.append((member, status))
    for member, status in results:
        if status is Status.MET:
            return status, _reason(member, status, facts, params), ()
    unknown = [m for m, s in results if s is Status.UNKNOWN]
    if not unknown:
        reason = _pick(criterion.not_met_reason, facts, params)
        if reason is None:
            reason = " ".join(_reason(m, Status.NOT_MET, facts, params) for m, _ in results)
        return Status.NOT_MET, reason, ()
    documentation: dict[str, None] = dict.fromkeys(criterion.documentation)
    for member in unknown:
        documentation.update(dict.fromkeys(member.documentation))
    reason = _pick(criterion.unknown_reason, facts, params)
    if reason is None:
        titles = "; ".join(m.title[:1].lower() + m.title[1:] for m in unknown)
        reason = (
            f"The record does not yet show whether {lower(criterion.text)} "
            f"Any one of these would decide it: {titles}."
        )
    return Status.UNKNOWN, reason, tuple(documentation)


def _reason(criterion: Criterion, status: Status, facts: Facts, params: Mapping[str, Any]) -> str:
    if status is Status.UNKNOWN:
        variants = criterion.unknown_reason
    elif status is Status.MET or status is Status.APPLIES:
        variants = criterion.met_reason
    else:  # not met, does not apply
        variants = criterion.not_met_reason
    for template in variants:  # the first variant whose condition holds (or has none)
        when = template.when
        if when is None or when.evaluate(facts) is True:
            return template.text if template.static else render(template, facts, params)
    # no reason of its own: the criterion's text, framed as a reviewer would put it
    if status in (Status.MET, Status.APPLIES):
        return criterion.text
    if status is Status.UNKNOWN:
        return f"The record does not yet show whether {lower(criterion.text)}"
    return f"The record does not show that {lower(criterion.text)}"


def _pick(variants: tuple[Template, ...], facts: Facts, params: Mapping[str, Any]) -> str | None:
    for template in variants:
        when = template.when
        if when is None or when.evaluate(facts) is True:
            return template.text if template.static else render(template, facts, params)
    return None


def _recommendation(criterion: Criterion, facts: Facts) -> LevelOfCare | None:
    best: LevelOfCare | None = None
    for recommendation in criterion.recommend:
        when = recommendation.when
        if when is None or when.evaluate(facts) is True:
            level = recommendation.level
            if best is None or level.rank > best.rank:
                best = level
    return best
