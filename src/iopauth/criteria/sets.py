"""Criteria sets: TOML loading, validation, overlays and the cache of compiled shipped sets.

A set file holds ``id``, ``title``, ``version``, ``effective``, ``level``, ``sources``, a
``[params]`` table of thresholds and a list of ``[[criteria]]``. An overlay names the set it
builds on with ``extends`` and may change ``[params]``, add criteria, replace a criterion by
giving its id, or drop criteria listed in ``remove``. See docs/criteria.md.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from attrs import field, frozen

from .._support.once import once
from ..errors import CriteriaSetError
from ..model import LevelOfCare
from .facts import FACTS, Value, groups_for
from .result import CriterionKind, Finding, Review
from .rules import MAX_NUMBER, CompiledRule, compile_rule

_SET_KEYS = frozenset(
    {"id", "title", "version", "effective", "level", "description", "sources", "params"}
    | {"criteria", "extends", "remove"}
)
_CRITERION_KEYS = frozenset(
    {"id", "title", "reviews", "kind", "text", "source", "verified", "documentation", "rule"}
    | {"citation", "members", "met_reason", "not_met_reason", "unknown_reason", "recommend"}
    | {"floor", "itemize"}
)
_MEMBER_KEYS = frozenset(
    {"id", "title", "text", "rule", "documentation", "source", "verified", "citation"}
    | {"met_reason", "not_met_reason", "unknown_reason"}
)
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_SET_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_.]*)(?:\|([a-z_]+))?\}")

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
#: Largest criteria file read (the shipped sets are 20 to 45 kB).
MAX_SET_BYTES = 1024 * 1024


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


def _sets_dir() -> resources.abc.Traversable:
    return resources.files("iopauth.criteria") / "sets"


@once()
def criteria_sets() -> tuple[str, ...]:
    """Names of the shipped criteria sets, sorted (package data: read once)."""
    names = (p.name for p in _sets_dir().iterdir() if p.name.endswith(".toml"))
    return tuple(sorted(n.removesuffix(".toml") for n in names))


@once()
def get_criteria(name: str) -> CriteriaSet:
    """A shipped set by name, compiled once and cached."""
    if name not in criteria_sets():
        shipped = ", ".join(criteria_sets())
        raise CriteriaSetError(f"no shipped criteria set {name!r}; shipped sets: {shipped}")
    raw = _raw_shipped(name)
    return _build(raw, origin=f"shipped:{name}")


def load_criteria(path: str | os.PathLike[str]) -> CriteriaSet:
    """Load a user's TOML set or overlay (``extends`` a shipped set or a sibling file)."""
    raw = _raw_file(Path(path), seen=())
    return _build(raw, origin=str(path))


def _raw_shipped(name: str) -> dict[str, Any]:
    text = (_sets_dir() / f"{name}.toml").read_text(encoding="utf-8")
    return _parse_toml(text, label=name)


def _parse_toml(text: str, *, label: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CriteriaSetError(f"criteria set {label!r}: invalid TOML: {error}") from None
    except RecursionError:
        raise CriteriaSetError(f"criteria set {label!r}: invalid TOML: nested too deeply") from None
    except ValueError:  # an integer past Python's digit limit, raised inside tomllib
        raise CriteriaSetError(f"criteria set {label!r}: invalid TOML: number too long") from None


def _raw_file(path: Path, *, seen: tuple[Path, ...]) -> dict[str, Any]:
    label = path.name
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SET_BYTES + 1)
        if len(data) > MAX_SET_BYTES:
            raise CriteriaSetError(f"criteria set {label!r}: larger than {MAX_SET_BYTES} bytes")
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise CriteriaSetError(f"criteria set {label!r}: cannot read: {reason}") from None
    raw = _parse_toml(text, label=label)
    base_name = raw.get("extends")
    if base_name is None:
        return raw
    if not isinstance(base_name, str):
        raise CriteriaSetError(f"criteria set {label!r}: extends must be a set name or file")
    if base_name in criteria_sets():
        base = _raw_shipped(base_name)
    else:
        base_path = (path.parent / base_name).resolve()
        if base_path in seen:
            raise CriteriaSetError(f"criteria set {label!r}: extends itself in a cycle")
        base = _raw_file(base_path, seen=(*seen, path.resolve()))
    return _overlay(base, raw, label=label)


def _overlay(base: dict[str, Any], over: dict[str, Any], *, label: str) -> dict[str, Any]:
    """Merge ``over`` onto ``base``: params update, criteria replace by id or append."""
    merged = {k: v for k, v in base.items() if k not in ("extends", "remove")}
    for key, value in over.items():
        if key in ("criteria", "params", "extends", "remove"):
            continue
        merged[key] = value
    params = dict(base.get("params", {}))
    extra = over.get("params", {})
    if not isinstance(extra, dict):
        raise CriteriaSetError(f"criteria set {label!r}: params must be a table")
    params.update(extra)
    merged["params"] = params
    criteria: list[Any] = list(base.get("criteria", []))
    if not isinstance(over.get("criteria", []), list):
        raise CriteriaSetError(f"criteria set {label!r}: criteria must be a list of tables")
    removed = over.get("remove", [])
    if not isinstance(removed, list) or not all(isinstance(r, str) for r in removed):
        raise CriteriaSetError(f"criteria set {label!r}: remove must be a list of ids")
    known = {c.get("id") for c in criteria if isinstance(c, dict)}
    for criterion_id in removed:
        if criterion_id not in known:
            raise CriteriaSetError(f"criteria set {label!r}: remove names unknown {criterion_id!r}")
    criteria = [c for c in criteria if not (isinstance(c, dict) and c.get("id") in removed)]
    for new in over.get("criteria", []):
        ids = [c.get("id") if isinstance(c, dict) else None for c in criteria]
        new_id = new.get("id") if isinstance(new, dict) else None
        if new_id is not None and new_id in ids:
            criteria[ids.index(new_id)] = new
        else:
            criteria.append(new)
    merged["criteria"] = criteria
    return merged


def _build(raw: dict[str, Any], *, origin: str) -> CriteriaSet:
    set_id = raw.get("id")
    if not isinstance(set_id, str) or not _SET_ID.match(set_id):
        raise CriteriaSetError(f"criteria set from {Path(origin).name!r}: id must be a slug")
    where = f"criteria set {set_id!r}"
    unknown = set(raw) - _SET_KEYS
    if unknown:
        raise CriteriaSetError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("title", "version"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise CriteriaSetError(f"{where}: {key} must be a non-empty string")
    effective = raw.get("effective")
    if effective is not None and not isinstance(effective, date):
        raise CriteriaSetError(f"{where}: effective must be a TOML date")
    try:
        level = LevelOfCare(str(raw.get("level")))
    except ValueError:
        levels = ", ".join(str(v) for v in LevelOfCare)
        raise CriteriaSetError(f"{where}: level must be one of {levels}") from None
    params = _params(raw.get("params", {}), where)
    sources = raw.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise CriteriaSetError(f"{where}: sources must be a list of strings")
    entries = raw.get("criteria")
    if not isinstance(entries, list) or not entries:
        raise CriteriaSetError(f"{where}: criteria must be a non-empty list of tables")
    criteria = tuple(_criterion(e, params, where, top=True) for e in entries)
    ids = [c.id for c in criteria] + [m.id for c in criteria for m in c.members]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CriteriaSetError(f"{where}: duplicate criterion ids {duplicates}")
    names = {n for c in criteria for n in c.facts}
    names.update(n for c in criteria for r in c.recommend if r.when for n in r.when.facts)
    for template in _templates(criteria):
        names.update(template_facts(template))
    return CriteriaSet(
        id=set_id,
        title=raw["title"],
        version=raw["version"],
        effective=effective,
        level=level,
        description=str(raw.get("description", "")),
        sources=tuple(sources),
        params=params,
        criteria=criteria,
        groups=groups_for(names),
        origin=origin,
    )


def _templates(criteria: tuple[Criterion, ...]) -> list[Template]:
    found = []
    for c in criteria:
        for item in (c, *c.members):
            found += [*item.met_reason, *item.not_met_reason, *item.unknown_reason]
    return found


def _params(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CriteriaSetError(f"{where}: params must be a table")
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            params[key] = tuple(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            # the rule language's own bound on numbers (nan and inf fail it too)
            if not abs(value) <= MAX_NUMBER:
                raise CriteriaSetError(
                    f"{where}: params.{key} must be a finite number within ±{MAX_NUMBER:g}"
                )
            params[key] = value
        elif isinstance(value, bool | str):
            params[key] = value
        else:
            raise CriteriaSetError(
                f"{where}: param {key!r} must be a boolean, number, string or list of strings"
            )
    return params


def _criterion(raw: object, params: dict[str, Any], where: str, *, top: bool) -> Criterion:
    if not isinstance(raw, dict):
        raise CriteriaSetError(f"{where}: each criterion must be a table")
    criterion_id = raw.get("id")
    if not isinstance(criterion_id, str) or not _ID.match(criterion_id):
        raise CriteriaSetError(f"{where}: a criterion id must be a dotted slug like adm.diagnosis")
    here = f"{where}, criterion {criterion_id!r}"
    source, verified, documentation = _checked_fields(raw, here, top=top)
    kind = CriterionKind.REQUIRED
    reviews: frozenset[Review] = frozenset()
    if top:
        try:
            kind = CriterionKind(raw.get("kind", "required"))
        except ValueError:
            raise CriteriaSetError(f"{here}: kind must be required, exclusion or any_of") from None
        reviews = _reviews(raw.get("reviews"), here)
    members: tuple[Criterion, ...] = ()
    rule: CompiledRule | None = None
    if kind is CriterionKind.ANY_OF:
        if "rule" in raw or not isinstance(raw.get("members"), list) or not raw["members"]:
            raise CriteriaSetError(f"{here}: an any_of group has members and no rule")
        members = tuple(_criterion(m, params, where, top=False) for m in raw["members"])
    else:
        if "members" in raw:
            raise CriteriaSetError(f"{here}: only an any_of group has members")
        rule_text = raw.get("rule")
        if not isinstance(rule_text, str):
            raise CriteriaSetError(f"{here}: rule must be a string")
        rule = compile_rule(rule_text, params=params, where=here)
    return Criterion(
        id=criterion_id,
        title=raw["title"].strip(),
        kind=kind,
        reviews=reviews,
        text=" ".join(raw["text"].split()),
        source=source,
        verified=verified,
        documentation=documentation,
        rule=rule,
        members=members,
        citation=_citation(raw, here),
        met_reason=_reason(raw.get("met_reason"), params, here),
        not_met_reason=_reason(raw.get("not_met_reason"), params, here),
        unknown_reason=_reason(raw.get("unknown_reason"), params, here),
        recommend=_recommendations(raw.get("recommend", []), params, here) if top else (),
        floor=_floor(raw.get("floor"), here),
        itemize=_itemize(raw, kind, here),
    )


def _floor(raw: object, here: str) -> LevelOfCare | None:
    if raw is None:
        return None
    try:
        return LevelOfCare(str(raw))
    except ValueError:
        raise CriteriaSetError(f"{here}: floor is not a level of care") from None


def _itemize(raw: dict[str, Any], kind: CriterionKind, here: str) -> bool:
    itemize = raw.get("itemize", False)
    if not isinstance(itemize, bool):
        raise CriteriaSetError(f"{here}: itemize must be true or false")
    if itemize and kind is not CriterionKind.ANY_OF:
        raise CriteriaSetError(f"{here}: only an any_of group can itemize its members")
    return itemize


def _checked_fields(
    raw: dict[str, Any], here: str, *, top: bool
) -> tuple[str, bool, tuple[str, ...]]:
    """Check keys, title and text; return source, verified and documentation."""
    unknown = set(raw) - (_CRITERION_KEYS if top else _MEMBER_KEYS)
    if unknown:
        raise CriteriaSetError(f"{here}: unknown keys {sorted(unknown)}")
    for key in ("title", "text"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise CriteriaSetError(f"{here}: {key} must be a non-empty string")
    source = raw.get("source", "" if not top else None)
    if not isinstance(source, str) or (top and not source):
        raise CriteriaSetError(f"{here}: source must cite a URL")
    verified = raw.get("verified", True)
    if not isinstance(verified, bool):
        raise CriteriaSetError(f"{here}: verified must be true or false")
    documentation = raw.get("documentation", [])
    if isinstance(documentation, str):
        documentation = [documentation]
    if not isinstance(documentation, list) or not all(isinstance(d, str) for d in documentation):
        raise CriteriaSetError(f"{here}: documentation must be a string or list of strings")
    return source, verified, tuple(documentation)


def _citation(raw: dict[str, Any], here: str) -> str:
    citation = raw.get("citation", "")
    if not isinstance(citation, str):
        raise CriteriaSetError(f"{here}: citation must be a string")
    return " ".join(citation.split())


def _reviews(raw: object, here: str) -> frozenset[Review]:
    if not isinstance(raw, list) or not raw:
        raise CriteriaSetError(f"{here}: reviews must list initial, continued and/or discharge")
    try:
        return frozenset(Review(r) for r in raw)
    except ValueError:
        raise CriteriaSetError(f"{here}: reviews are initial, continued or discharge") from None


def _reason(raw: object, params: Mapping[str, Any], here: str) -> tuple[Template, ...]:
    """A reason: a string, or a list of ``{when = "rule", text = "..."}`` variants."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (_template(raw, None, params, here),)
    if not isinstance(raw, list) or not raw:
        raise CriteriaSetError(f"{here}: a reason is a string or a list of variants")
    variants = []
    for item in raw:
        if isinstance(item, str):
            variants.append(_template(item, None, params, here))
            continue
        if not isinstance(item, dict) or set(item) - {"when", "text"} or "text" not in item:
            raise CriteriaSetError(f"{here}: a reason variant has text and an optional when")
        when = item.get("when")
        if when is not None and not isinstance(when, str):
            raise CriteriaSetError(f"{here}: a reason variant's when must be a rule string")
        compiled = None if when is None else compile_rule(when, params=params, where=here)
        variants.append(_template(item["text"], compiled, params, here))
    return tuple(variants)


def _template(
    raw: object, when: CompiledRule | None, params: Mapping[str, Any], here: str
) -> Template:
    if not isinstance(raw, str):
        raise CriteriaSetError(f"{here}: reasons must be strings")
    text = " ".join(raw.split())
    parts: list[tuple[bool, str]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        name, form = match.group(1), match.group(2)
        if name.startswith("params."):
            known = name.removeprefix("params.") in params
        else:
            known = name in FACTS
        if not known:
            raise CriteriaSetError(f"{here}: reason names unknown fact or parameter {name!r}")
        if form is not None and form not in FORMATS:
            raise CriteriaSetError(f"{here}: unknown format {form!r}; use one of {sorted(FORMATS)}")
        parts.append((False, text[position : match.start()]))
        parts.append((True, name if form is None else f"{name}|{form}"))
        position = match.end()
    parts.append((False, text[position:]))
    return Template(text=text, parts=tuple(p for p in parts if p[0] or p[1]), when=when)


def _recommendations(raw: object, params: dict[str, Any], here: str) -> tuple[Recommendation, ...]:
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise CriteriaSetError(f"{here}: recommend must be a table or a list of tables")
    found = []
    for item in raw:
        if not isinstance(item, dict) or set(item) - {"level", "when"}:
            raise CriteriaSetError(f"{here}: recommend entries have level and optional when")
        try:
            level = LevelOfCare(str(item.get("level")))
        except ValueError:
            raise CriteriaSetError(f"{here}: recommend level is not a level of care") from None
        when = item.get("when")
        if when is not None and not isinstance(when, str):
            raise CriteriaSetError(f"{here}: recommend when must be a rule string")
        compiled = None if when is None else compile_rule(when, params=params, where=here)
        found.append(Recommendation(level=level, when=compiled))
    return tuple(found)
