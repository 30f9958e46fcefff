"""The compiled form of a criteria set: :class:`CriteriaSet`, its :class:`Criterion` entries,
their reason :class:`Template` variants and :class:`Recommendation` levels.

What :mod:`._set_build` makes of a checked TOML table and what the engine reads; nothing here
reads files or checks input (see :mod:`.sets`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from attrs import field, frozen

from ..model import LevelOfCare
from .facts import FACTS, Value, groups_for
from .result import CriterionKind, Finding, Review
from .rules import CompiledRule

#: How a placeholder may be written out: ``{plan.hours_per_week|hours}`` -> "10.5 hours".
FORMATS: dict[str, str] = {
    "hours": "a number of hours: 1 hour, 10.5 hours",
    "days": "a number of days: 1 day, 3 days",
    "weeks": "a number of weeks: 1 week, 8 weeks",
    "sessions": "a number of sessions: 1 session, 7 sessions",
    "points": "a number of points: 1 point, 8 points",
    "areas": "a number of life areas: 1 life area, 2 life areas",
    "medications": "a number of medications: 1 current medication, 2 current medications",
    "change": "a score change: fell by 8 points, rose by 1 point, did not change",
    "date": "an ISO date written out: March 2, 2026",
    "level": "a level of care in words: intensive outpatient",
    "list": "a list in words: F33.1, F10.20 and Z63.0",
}


@frozen(kw_only=True)
class Template:
    """A reason with ``{fact}`` / ``{params.name}`` placeholders, split once at load time.

    ``parts`` holds (is_placeholder, text): literal text, or a name with an optional
    ``|format`` (see :data:`FORMATS`).
    """

    text: str
    parts: tuple[tuple[bool, str], ...]
    when: CompiledRule | None = None  # a variant used only when this rule is true
    # ``parts`` resolved once for the engine: (literal, None, "") for text, (fact, False,
    # format) for a fact, (parameter name, True, format) for a set parameter
    pieces: tuple[tuple[str, bool | None, str], ...] = field(init=False, eq=False, repr=False)
    # no placeholder: the reason is ``text`` as written
    static: bool = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        pieces: list[tuple[str, bool | None, str]] = []
        for is_name, text in self.parts:
            if not is_name:
                pieces.append((text, None, ""))
                continue
            name, _, form = text.partition("|")
            if name.startswith("params."):
                pieces.append((name.removeprefix("params."), True, form))
            else:
                pieces.append((name, False, form))
        object.__setattr__(self, "pieces", tuple(pieces))
        object.__setattr__(self, "static", all(is_param is None for _, is_param, _ in pieces))


@frozen(kw_only=True)
class Recommendation:
    """The level a finding points to (when ``when`` holds or is absent)."""

    level: LevelOfCare
    when: CompiledRule | None = None


@frozen(kw_only=True)
class Criterion:
    """One criterion of a set; an ``any_of`` group holds its ``members`` instead of a rule."""

    id: str
    title: str
    kind: CriterionKind
    reviews: frozenset[Review]
    text: str
    source: str
    verified: bool
    documentation: tuple[str, ...]
    rule: CompiledRule | None
    members: tuple[Criterion, ...] = ()
    # the primary authority by name, as a letter prints it ("" when there is none)
    citation: str = ""
    # each reason is a list of variants: the first whose ``when`` holds (or has none) is used
    met_reason: tuple[Template, ...] = ()
    not_met_reason: tuple[Template, ...] = ()
    unknown_reason: tuple[Template, ...] = ()
    recommend: tuple[Recommendation, ...] = ()
    # when met, the patient needs at least this level (a recommendation never goes below it)
    floor: LevelOfCare | None = None
    # an any_of group whose members are reported as findings of their own
    itemize: bool = False
    facts: tuple[str, ...] = field(init=False)
    # the rule facts plus the facts the reasons name: everything a finding depends on
    key_facts: tuple[str, ...] = field(init=False)
    # Findings are a pure function of the criterion and its facts' values: the engine memoizes
    # them here (bounded), so evaluating many cases with recurring values is cheap.
    memo: dict[tuple[Value, ...], tuple[Finding, ...]] = field(init=False, factory=dict, eq=False)
    # (fact, case path) of each of ``facts``: what a finding's evidence names
    evidence_paths: tuple[tuple[str, str], ...] = field(init=False, eq=False, repr=False)
    # a finding against the case also asks for this criterion's documentation: what would
    # change the answer (a revised plan when progress is not met), not only what is unknown
    ask_when_against: bool = False

    def __attrs_post_init__(self) -> None:
        names: dict[str, None] = {}
        for rule in (self.rule, *(m.rule for m in self.members)):
            if rule is not None:
                names.update(dict.fromkeys(rule.facts))
        object.__setattr__(self, "facts", tuple(names))
        object.__setattr__(self, "evidence_paths", tuple((n, FACTS[n].path) for n in names))
        for item in (self, *self.members):
            for template in (*item.met_reason, *item.not_met_reason, *item.unknown_reason):
                names.update(dict.fromkeys(template_facts(template)))
        object.__setattr__(self, "key_facts", tuple(names))


def template_facts(template: Template) -> list[str]:
    """The facts a reason variant reads: its placeholders and its ``when`` rule."""
    names = [n.partition("|")[0] for is_name, n in template.parts if is_name]
    names = [n for n in names if n in FACTS]
    if template.when is not None:
        names += template.when.facts
    return names


@frozen(kw_only=True)
class CriteriaSet:
    """A compiled criteria set, ready for :func:`iopauth.evaluate`."""

    id: str
    title: str
    version: str
    effective: date | None
    level: LevelOfCare
    description: str
    sources: tuple[str, ...]
    params: Mapping[str, Any]
    criteria: tuple[Criterion, ...]
    groups: tuple[str, ...]
    origin: str
    _by_review: Mapping[Review, tuple[Criterion, ...]] = field(init=False, eq=False, repr=False)
    _key_facts: Mapping[Review, tuple[str, ...]] = field(init=False, eq=False, repr=False)
    _review_groups: Mapping[Review, tuple[str, ...]] = field(init=False, eq=False, repr=False)
    # Whole determinations (without their day) by review and fact values: the engine keeps
    # them here, bounded, so a case evaluated again against this set costs one lookup.
    memo: dict[tuple[Any, ...], Any] = field(init=False, factory=dict, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_review = {r: tuple(c for c in self.criteria if r in c.reviews) for r in Review}
        object.__setattr__(self, "_by_review", by_review)
        keys = {
            r: tuple(dict.fromkeys(n for c in by_review[r] for n in _all_facts(c))) for r in Review
        }
        object.__setattr__(self, "_key_facts", keys)
        object.__setattr__(self, "_review_groups", {r: groups_for(keys[r]) for r in Review})

    def key_facts(self, review: Review) -> tuple[str, ...]:
        """Every fact a determination for ``review`` depends on."""
        return self._key_facts[review]

    def groups_for(self, review: Review) -> tuple[str, ...]:
        """The fact groups a determination for ``review`` reads (a part of ``groups``)."""
        return self._review_groups[review]

    def for_review(self, review: Review) -> tuple[Criterion, ...]:
        """The criteria that apply to ``review``, in set order."""
        return self._by_review[review]


def _all_facts(criterion: Criterion) -> tuple[str, ...]:
    """The facts a criterion's finding and its recommendation depend on."""
    when = [n for r in criterion.recommend if r.when is not None for n in r.when.facts]
    return (*criterion.key_facts, *when)
