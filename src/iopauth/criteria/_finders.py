"""Each criterion's finding compiled into one function the first time it is evaluated.

The engine's generic path (:func:`iopauth.criteria.engine._findings`) reads a criterion's
kind, statuses, reason variants, documentation and evidence paths on every evaluation. A
criterion with a rule of its own (every criterion but an any-of group) is fixed once its set
loads, so :func:`finder` resolves all of that once: the status table, each status's reason
(a constant text when its only variant is static), the documentation each status asks for and
the finding's constant fields. What it returns is what the generic path returns (a golden test
holds every determination of the examples and their variants byte for byte).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._wording import formatted, show
from .result import CriterionKind, Evidence, Finding, Status
from .rules import CompiledRule, Facts
from .sets import Criterion, Template

Finder = Callable[[Facts, Mapping[str, Any]], tuple[Finding, ...]]
Reasoner = Callable[[Facts, Mapping[str, Any]], str]

_STATUS = {True: Status.MET, False: Status.NOT_MET, None: Status.UNKNOWN}
# an exclusion's rule names the condition that excludes: true means it applies
_EXCLUSION_STATUS = {True: Status.APPLIES, False: Status.DOES_NOT_APPLY, None: Status.UNKNOWN}
_AGAINST = frozenset({Status.NOT_MET, Status.APPLIES})

_FINDERS: dict[int, tuple[Criterion, Finder]] = {}


def finder(criterion: Criterion) -> Finder | None:
    """The compiled finding of a criterion with a rule; ``None`` for an any-of group."""
    entry = _FINDERS.get(id(criterion))
    if entry is not None and entry[0] is criterion:
        return entry[1]
    if criterion.rule is None or criterion.itemize:
        return None
    built = _compile(criterion, criterion.rule)
    if len(_FINDERS) >= 4096:  # sets are few; a program loading sets over and over stays bounded
        _FINDERS.clear()
    _FINDERS[id(criterion)] = (criterion, built)  # the entry keeps the criterion alive
    return built


def _compile(criterion: Criterion, rule: CompiledRule) -> Finder:
    evaluate = rule.evaluate
    exclusion = criterion.kind is CriterionKind.EXCLUSION
    statuses = _EXCLUSION_STATUS if exclusion else _STATUS
    verified = criterion.verified
    documentation = criterion.documentation
    asked = {
        status: documentation
        if status is Status.UNKNOWN or (status in _AGAINST and not verified)
        else ()
        for status in statuses.values()
    }
    # a reason that is the same whatever the facts is kept as its text
    reasons: dict[Status, str | Reasoner] = {}
    for status in statuses.values():
        reasons[status] = constant(criterion, status) or reasoner(criterion, status)
    paths = criterion.evidence_paths
    ident, title, kind = criterion.id, criterion.title, criterion.kind
    source, citation = criterion.source, criterion.citation

    def find(facts: Facts, params: Mapping[str, Any]) -> tuple[Finding, ...]:
        value = evaluate(facts)
        # a rule is type-checked to give a boolean; anything else reads as unknown
        status = statuses[value if value is True or value is False else None]
        get = facts.get
        reason = reasons[status]
        return (
            Finding(
                criterion=ident,
                title=title,
                kind=kind,
                status=status,
                reason=reason if isinstance(reason, str) else reason(facts, params),
                source=source,
                evidence=tuple([Evidence(fact=n, path=p, value=get(n)) for n, p in paths]),
                documentation=asked[status],
                verified=verified,
                citation=citation,
            ),
        )

    return find


def constant(criterion: Criterion, status: Status) -> str | None:
    """The reason of ``status`` when it never depends on the facts (else ``None``)."""
    variants = _variants(criterion, status)
    if not variants:
        return _fallback(criterion, status)
    first = variants[0]
    return first.text if first.when is None and first.static else None


def _variants(criterion: Criterion, status: Status) -> tuple[Template, ...]:
    if status is Status.UNKNOWN:
        return criterion.unknown_reason
    if status is Status.MET or status is Status.APPLIES:
        return criterion.met_reason
    return criterion.not_met_reason  # not met, does not apply


def _fallback(criterion: Criterion, status: Status) -> str:
    """A criterion's text, framed as a reviewer would put it (a status without a reason)."""
    if status in (Status.MET, Status.APPLIES):
        return criterion.text
    if status is Status.UNKNOWN:
        return f"The record does not yet show whether {lower(criterion.text)}"
    return f"The record does not show that {lower(criterion.text)}"


def reasoner(criterion: Criterion, status: Status) -> Reasoner:
    """The reason a finding of ``status`` gives: the first variant whose condition holds (or
    has none), else the criterion's text framed as a reviewer would put it."""
    variants = _variants(criterion, status)
    fallback = _fallback(criterion, status)
    first = variants[0] if variants else None
    if first is None or (first.when is None and first.static):
        text = fallback if first is None else first.text
        return lambda facts, params: text
    if first.when is None:
        return lambda facts, params: render(first, facts, params)

    def pick(facts: Facts, params: Mapping[str, Any]) -> str:
        for template in variants:
            when = template.when
            if when is None or when.evaluate(facts) is True:
                return template.text if template.static else render(template, facts, params)
        return fallback

    return pick


def lower(text: str) -> str:
    """``The patient is ...`` -> ``the patient is ...`` (keeps acronyms such as ``ASAM``)."""
    first = text.split(" ", 1)[0]
    if first.isupper() and len(first) > 1:
        return text
    return text[:1].lower() + text[1:]


def render(template: Template, facts: Facts, params: Mapping[str, Any]) -> str:
    """A reason variant with its placeholders filled from the facts and the set's parameters."""
    pieces: list[str] = []
    append = pieces.append
    get = facts.get
    for text, is_param, form in template.pieces:
        if is_param is None:
            append(text)
            continue
        value = params[text] if is_param else get(text)
        append(formatted(value, form) if form else show(value))
    return "".join(pieces)
