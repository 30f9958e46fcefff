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

from ._derive import Value
from ._set_types import Criterion, Template
from ._wording import formatted, show
from .result import CriterionKind, Finding, Status, evidence_of, finding_of
from .rules import CompiledRule, Facts

Finder = Callable[[Facts], tuple[Finding, ...]]
Reasoner = Callable[[Facts], str]

_STATUS = {True: Status.MET, False: Status.NOT_MET, None: Status.UNKNOWN}
# an exclusion's rule names the condition that excludes: true means it applies
_EXCLUSION_STATUS = {True: Status.APPLIES, False: Status.DOES_NOT_APPLY, None: Status.UNKNOWN}
_AGAINST = frozenset({Status.NOT_MET, Status.APPLIES})


def finder(criterion: Criterion, params: Mapping[str, Any]) -> Finder | None:
    """The compiled finding of a criterion in a set with ``params``; ``None`` for an itemized
    any-of group (the engine's generic path)."""
    if criterion.itemize:
        return None
    if criterion.rule is None:
        return _compile_group(criterion, params)
    return _compile(criterion, criterion.rule, params)


def _compile(criterion: Criterion, rule: CompiledRule, params: Mapping[str, Any]) -> Finder:
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
    reasons = {status: reasoner(criterion, status, params) for status in statuses.values()}
    paths = criterion.evidence_paths
    ident, title, kind = criterion.id, criterion.title, criterion.kind
    source, citation = criterion.source, criterion.citation

    def find(facts: Facts) -> tuple[Finding, ...]:
        value = evaluate(facts)
        # a rule is type-checked to give a boolean; anything else reads as unknown
        status = statuses[value if value is True or value is False else None]
        get = facts.get
        reason = reasons[status]
        return (
            finding_of(
                ident,
                title,
                kind,
                status,
                reason if isinstance(reason, str) else reason(facts),
                source,
                tuple([evidence_of(n, p, get(n)) for n, p in paths]),
                asked[status],
                verified,
                citation,
            ),
        )

    return find


def _compile_group(criterion: Criterion, params: Mapping[str, Any]) -> Finder:
    """An any-of group: met when one member is met, not met when all are not met (as the
    engine's ``_group``)."""
    members = tuple(
        (
            member,
            None if member.rule is None else member.rule.evaluate,
            reasoner(member, Status.MET, params),
            reasoner(member, Status.NOT_MET, params),
        )
        for member in criterion.members
    )
    not_met_own = chooser(criterion.not_met_reason, params)
    unknown_own = chooser(criterion.unknown_reason, params)
    lowered = lower(criterion.text)
    verified = criterion.verified
    paths = criterion.evidence_paths
    ident, title, kind = criterion.id, criterion.title, criterion.kind
    source, citation = criterion.source, criterion.citation

    def find(facts: Facts) -> tuple[Finding, ...]:
        unknown: list[Criterion] = []
        met: str | Reasoner | None = None
        for member, evaluate, met_reason, _ in members:
            value = None if evaluate is None else evaluate(facts)
            if value is True:
                met = met_reason
                break
            if value is not False:  # not a boolean: unknown
                unknown.append(member)
        # an unknown group asks for documents, and so does an unverified one against the case
        documentation: tuple[str, ...] = ()
        if met is not None:
            status, reason = Status.MET, met if isinstance(met, str) else met(facts)
        elif not unknown:
            status = Status.NOT_MET
            documentation = () if verified else criterion.documentation
            own = not_met_own(facts)
            reason = (
                own
                if own is not None
                else " ".join(r if isinstance(r, str) else r(facts) for *_, r in members)
            )
        else:
            status = Status.UNKNOWN
            wanted: dict[str, None] = dict.fromkeys(criterion.documentation)
            for member in unknown:
                wanted.update(dict.fromkeys(member.documentation))
            documentation = tuple(wanted)
            own = unknown_own(facts)
            if own is None:
                titles = "; ".join(m.title[:1].lower() + m.title[1:] for m in unknown)
                own = (
                    f"The record does not yet show whether {lowered} "
                    f"Any one of these would decide it: {titles}."
                )
            reason = own
        get = facts.get
        return (
            finding_of(
                ident,
                title,
                kind,
                status,
                reason,
                source,
                tuple([evidence_of(n, p, get(n)) for n, p in paths]),
                documentation,
                verified,
                citation,
            ),
        )

    return find


def chooser(
    variants: tuple[Template, ...], params: Mapping[str, Any]
) -> Callable[[Facts], str | None]:
    """The first of ``variants`` whose condition holds (or has none), filled in; ``None``
    when none holds."""
    choices = [
        (None if t.when is None else t.when.evaluate, t.text if t.static else filler(t, params))
        for t in variants
    ]

    def choose(facts: Facts) -> str | None:
        for when, reason in choices:
            if when is None or when(facts) is True:
                return reason if isinstance(reason, str) else reason(facts)
        return None

    return choose


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


def reasoner(criterion: Criterion, status: Status, params: Mapping[str, Any]) -> str | Reasoner:
    """The reason a finding of ``status`` gives: the first variant whose condition holds (or
    has none), else the criterion's text framed as a reviewer would put it. A reason that
    never depends on the facts is returned as its text."""
    choices: list[tuple[Callable[[Facts], Value] | None, str | Reasoner]] = [
        (None if t.when is None else t.when.evaluate, t.text if t.static else filler(t, params))
        for t in _variants(criterion, status)
    ]
    fallback = _fallback(criterion, status)
    if not choices or choices[0][0] is None:
        return choices[0][1] if choices else fallback

    def pick(facts: Facts) -> str:
        for when, reason in choices:
            if when is None or when(facts) is True:
                return reason if isinstance(reason, str) else reason(facts)
        return fallback

    return pick


def filler(template: Template, params: Mapping[str, Any]) -> str | Reasoner:
    """``template`` with the set's parameters written in once: the text itself when only
    parameters were left to fill, else a function filling in the facts (as :func:`render`)."""
    steps: list[tuple[str, str, str]] = []  # literal text, then a fact and its format
    text = ""
    for piece, is_param, form in template.pieces:
        if is_param is None:
            text += piece
        elif is_param:
            value = params[piece]
            text += formatted(value, form) if form else show(value)
        else:
            steps.append((text, piece, form))
            text = ""
    if not steps:
        return text
    tail = text

    def fill(facts: Facts) -> str:
        get = facts.get
        return without_unknown_asides(
            "".join([t + (formatted(get(n), f) if f else show(get(n))) for t, n, f in steps]) + tail
        )

    return fill


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
    return without_unknown_asides("".join(pieces))


_UNKNOWN_ASIDE = " (not documented)"


def without_unknown_asides(text: str) -> str:
    """``PCL-5 … 33 (not documented).`` -> ``PCL-5 … 33.``: an aside in parentheses whose one
    fact is unknown (a band an instrument does not have) is left out, never printed as a gap."""
    return text.replace(_UNKNOWN_ASIDE, "") if _UNKNOWN_ASIDE in text else text
