"""Evaluate a case against a criteria set: one finding per criterion, then the outcome.

The outcome is ``meets`` when every required criterion (and any-of group) is met and no
exclusion applies; ``does_not_meet`` when a required criterion is not met or an exclusion
applies; otherwise ``insufficient_information``. Facts are derived once per evaluation.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ..model import Case, LevelOfCare
from ..validity import validate_case
from .facts import FACTS, Value, derive_facts
from .result import CriterionKind, Determination, Evidence, Finding, Outcome, Review, Status
from .rules import Facts
from .sets import CriteriaSet, Criterion, Template, criteria_sets, get_criteria, load_criteria

_STATUS = {True: Status.MET, False: Status.NOT_MET, None: Status.UNKNOWN}

# default wording when a criterion gives no reason of its own: (required, exclusion)
_DEFAULT = {
    Status.MET: ("Met: ", "Applies: "),
    Status.NOT_MET: ("Not met: ", "Does not apply: "),
    Status.UNKNOWN: ("Not documented: ", "Not documented whether this applies: "),
}


def evaluate(
    case: Case,
    criteria: str | os.PathLike[str] | CriteriaSet = "iop-standard",
    review: str | Review = "initial",
    as_of: date | None = None,
) -> Determination:
    """Check ``case`` against a criteria set for one review type.

    ``criteria`` is a shipped set name, a path to a TOML set (or overlay), or a set from
    :func:`load_criteria`. ``as_of`` defaults to the request date; the clock is never read.
    "Criteria not met" is a result, never an exception. A case that breaks a rule of the case
    format raises :class:`~iopauth.errors.InvalidCaseError` (see :func:`iopauth.validate_case`).
    """
    validate_case(case)
    criteria_set = _resolve(criteria)
    try:
        kind = review if isinstance(review, Review) else Review(review)
    except ValueError:
        raise ValueError(
            f"unknown review {review!r}; use one of {', '.join(r.value for r in Review)}"
        ) from None
    day = case.request.request_date if as_of is None else as_of
    facts = _facts(case, day, criteria_set.groups)
    findings: list[Finding] = []
    recommended: LevelOfCare | None = None
    get = facts.get
    for criterion in criteria_set.for_review(kind):
        key = tuple([get(n) for n in criterion.key_facts])
        finding = criterion.memo.get(key)
        if finding is None:
            finding = _finding(criterion, facts, criteria_set.params)
            if len(criterion.memo) >= _MEMO_SIZE:
                criterion.memo.clear()
            criterion.memo[key] = finding
        findings.append(finding)
        if criterion.recommend:
            level = _recommendation(criterion, finding.status, facts)
            if level is not None and (recommended is None or level.rank > recommended.rank):
                # several pointers: err toward the more intensive level, the safer reading
                recommended = level
    notes: tuple[str, ...] = ()
    if not findings:
        notes = (f"The set {criteria_set.id!r} has no criteria for the {kind} review.",)
    missing: dict[str, None] = {}
    for finding in findings:
        if finding.status is Status.UNKNOWN:
            missing.update(dict.fromkeys(finding.documentation))
    return Determination(
        criteria_set=criteria_set.id,
        criteria_version=criteria_set.version,
        review=kind,
        as_of=day,
        outcome=_outcome(findings),
        findings=tuple(findings),
        missing_documentation=tuple(missing),
        recommended_level=recommended,
        notes=notes,
    )


_MEMO_SIZE = 4096

# Facts are a pure function of an immutable case and a day. Recent cases' facts are kept by
# identity (a weak reference guards against a reused id), so evaluating one case against
# several sets or reviews derives each fact group once. Results never depend on this cache.
_FACTS_CACHE: dict[int, tuple[weakref.ref[Case], date, dict[str, Value], set[str]]] = {}
_FACTS_CACHE_SIZE = 64


_FACTS_LOCK = threading.Lock()  # evaluate may run in several threads (batch executors)


def _facts(case: Case, day: date, groups: Iterable[str]) -> Mapping[str, Value]:
    with _FACTS_LOCK:
        entry = _FACTS_CACHE.get(id(case))
        if entry is None or entry[0]() is not case or entry[1] != day:
            if len(_FACTS_CACHE) >= _FACTS_CACHE_SIZE:
                _FACTS_CACHE.pop(next(iter(_FACTS_CACHE)), None)
            entry = (weakref.ref(case), day, {}, set())
            _FACTS_CACHE[id(case)] = entry
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
    for name in criteria_sets():
        for criterion in get_criteria(name).criteria:
            criterion.memo.clear()


def _resolve(criteria: str | os.PathLike[str] | CriteriaSet) -> CriteriaSet:
    if isinstance(criteria, CriteriaSet):
        return criteria
    if isinstance(criteria, os.PathLike) or str(criteria).endswith(".toml"):
        return load_criteria(criteria)
    return get_criteria(criteria)


def _outcome(findings: list[Finding]) -> Outcome:
    unknown = not findings
    for finding in findings:
        if finding.kind is CriterionKind.EXCLUSION:
            if finding.status is Status.MET:
                return Outcome.DOES_NOT_MEET
        elif finding.status is Status.NOT_MET:
            return Outcome.DOES_NOT_MEET
        if finding.status is Status.UNKNOWN:
            unknown = True
    return Outcome.INSUFFICIENT_INFORMATION if unknown else Outcome.MEETS


def _finding(criterion: Criterion, facts: Facts, params: Mapping[str, Any]) -> Finding:
    if criterion.rule is not None:
        status = _STATUS[_truth(criterion.rule.evaluate(facts))]
        reason = _reason(criterion, status, facts, params)
        documentation = criterion.documentation
    else:
        status, reason, documentation = _group(criterion, facts, params)
    return Finding(
        criterion=criterion.id,
        title=criterion.title,
        kind=criterion.kind,
        status=status,
        reason=reason,
        source=criterion.source,
        evidence=tuple(
            Evidence(fact=n, path=FACTS[n].path, value=facts.get(n)) for n in criterion.facts
        ),
        documentation=documentation if status is Status.UNKNOWN else (),
        verified=criterion.verified,
    )


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
        template = criterion.not_met_reason
        if template is not None:
            return Status.NOT_MET, _render(template, facts, params), ()
        titles = "; ".join(m.title.lower() for m, _ in results)
        return Status.NOT_MET, f"Not met: {criterion.text} None of these holds: {titles}.", ()
    documentation: dict[str, None] = dict.fromkeys(criterion.documentation)
    for member in unknown:
        documentation.update(dict.fromkeys(member.documentation))
    template = criterion.unknown_reason
    if template is not None:
        reason = _render(template, facts, params)
    else:
        titles = "; ".join(m.title.lower() for m in unknown)
        reason = f"Not documented: {criterion.text} Any one of these would decide it: {titles}."
    return Status.UNKNOWN, reason, tuple(documentation)


def _reason(criterion: Criterion, status: Status, facts: Facts, params: Mapping[str, Any]) -> str:
    template = {
        Status.MET: criterion.met_reason,
        Status.NOT_MET: criterion.not_met_reason,
        Status.UNKNOWN: criterion.unknown_reason,
    }[status]
    if template is not None:
        return _render(template, facts, params)
    prefix = _DEFAULT[status][criterion.kind is CriterionKind.EXCLUSION]
    return prefix + criterion.text


def _render(template: Template, facts: Facts, params: Mapping[str, Any]) -> str:
    pieces = []
    for is_name, text in template.parts:
        if not is_name:
            pieces.append(text)
        elif text.startswith("params."):
            pieces.append(show(params[text.removeprefix("params.")]))
        else:
            pieces.append(show(facts.get(text)))
    return "".join(pieces)


def show(value: object) -> str:
    """A fact value in plain words: ``not documented``, ``yes``/``no``, ``9`` or ``9.5``."""
    if value is None:
        return "not documented"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.2f}".rstrip("0")
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _recommendation(criterion: Criterion, status: Status, facts: Facts) -> LevelOfCare | None:
    trigger = Status.MET if criterion.kind is CriterionKind.EXCLUSION else Status.NOT_MET
    if status is not trigger:
        return None
    best: LevelOfCare | None = None
    for recommendation in criterion.recommend:
        when = recommendation.when
        if when is None or when.evaluate(facts) is True:
            level = recommendation.level
            if best is None or level.rank > best.rank:
                best = level
    return best
