"""Checking a criteria set's (merged) TOML table and compiling it into a :class:`CriteriaSet`.

Every key is checked, with a :class:`~iopauth.errors.CriteriaSetError` naming the set, the
criterion and the rule broken; rules are compiled (:mod:`.rules`) and reasons split into
:class:`Template` variants once, here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import CriteriaSetError
from ..model import LevelOfCare
from ._set_types import FORMATS, CriteriaSet, Criterion, Recommendation, Template, template_facts
from .facts import FACTS, groups_for
from .result import CriterionKind, Review
from .rules import MAX_NUMBER, CompiledRule, compile_rule

_SET_KEYS = frozenset(
    {"id", "title", "version", "effective", "level", "description", "sources", "params"}
    | {"criteria", "extends", "remove"}
)
_CRITERION_KEYS = frozenset(
    {"id", "title", "reviews", "kind", "text", "source", "verified", "documentation", "rule"}
    | {"citation", "members", "met_reason", "not_met_reason", "unknown_reason", "recommend"}
    | {"floor", "itemize", "ask_when_against"}
)
_MEMBER_KEYS = frozenset(
    {"id", "title", "text", "rule", "documentation", "source", "verified", "citation"}
    | {"met_reason", "not_met_reason", "unknown_reason"}
)
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_SET_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_.]*)(?:\|([a-z_]+))?\}")


def build(raw: dict[str, Any], *, origin: str) -> CriteriaSet:
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
        ask_when_against=_flag(raw, "ask_when_against", here),
    )


def _flag(raw: dict[str, Any], key: str, here: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise CriteriaSetError(f"{here}: {key} must be true or false")
    return value


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
