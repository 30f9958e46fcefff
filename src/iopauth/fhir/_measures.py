"""US Core screening-assessment Observations → measure administrations (interop.md §7).

A total-score (or panel) Observation coded with an instrument's LOINC code is one
administration; its ``hasMember`` item Observations give the item answers in instrument order.
When both are present the items are kept and the total is recomputed from them; a recorded
total that disagrees is reported (never echoed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..errors import InvalidCaseError
from ..measures import LOINC
from ..model import Instrument, MeasureAdministration
from . import _systems as cs
from ._bundle import Entry, Index, code_in, codings, day, items, obj, text

__all__ = ["read_measures"]

_SKIP = frozenset({"entered-in-error", "cancelled"})


def _codes() -> tuple[dict[str, Instrument], dict[Instrument, dict[str, int]]]:
    heads: dict[str, Instrument] = {}
    members: dict[Instrument, dict[str, int]] = {}
    for instrument, codes in LOINC.items():
        for head in (codes.total, codes.panel):
            if head is not None:
                heads.setdefault(head.code, instrument)
        members[instrument] = {c.code: i for i, c in enumerate(codes.items)}
    return heads, members


def read_measures(
    index: Index,
) -> tuple[list[dict[str, Any]], list[dict[str, str]], list[str]]:
    """The administrations, where each part came from, and notes on what was corrected.

    Each origin maps a path inside the administration (``""``, ``".items[3]"``, ``".total"``)
    to the Bundle path it was read from.
    """
    heads, members = _codes()
    used_as_items: set[int] = set()
    found: list[tuple[Entry, Instrument, list[Entry]]] = []
    for entry in index.of_type("Observation"):
        o = entry.resource
        if text(o, "status") in _SKIP:
            continue
        code = code_in(o.get("code"), cs.LOINC)
        instrument = heads.get(code or "")
        if instrument is None:
            continue
        parts = []
        for i, ref in enumerate(items(o, "hasMember")):
            member = index.resolve(ref, f"{entry.path}.hasMember[{i}]", "Observation")
            if member is not None:
                parts.append(member)
                used_as_items.add(member.index)
        found.append((entry, instrument, parts))
    out: list[dict[str, Any]] = []
    origins: list[dict[str, str]] = []
    notes: list[str] = []
    for entry, instrument, parts in found:
        if entry.index in used_as_items:
            continue
        o, at = entry.resource, entry.path
        when = day(o.get("effectiveDateTime")) or day(obj(o, "effectivePeriod").get("start"))
        record: dict[str, Any] = {"instrument": instrument.value, "administered_on": when}
        total = _number(o)
        where = {
            "": at,
            ".administered_on": f"{at}.effective[x]",
            ".total": f"{at}.value[x]",
        }
        answers = _items(instrument, parts, members[instrument], notes, at)
        if answers is not None:
            by_position = {
                members[instrument].get(code_in(p.resource.get("code"), cs.LOINC) or ""): p.path
                for p in parts
            }
            for k in range(len(answers)):
                where[f".items[{k}]"] = f"{by_position[k]}.value[x]"
            record["items"] = answers
            if total is not None and total != _recomputed(instrument, answers, when):
                notes.append(
                    f"{at}.value[x]: the recorded total differs from the sum of its items; "
                    "the items were kept and the total recomputed"
                )
        elif total is not None:
            record["total"] = total
        out.append(record)
        origins.append(where)
    return out, origins, notes


def _items(
    instrument: Instrument,
    parts: list[Entry],
    positions: dict[str, int],
    notes: list[str],
    at: str,
) -> list[int] | None:
    if not parts or not positions:
        return None
    answers: dict[int, int] = {}
    answer_codes = {c.code: score for score, c in LOINC[instrument].answers}
    for part in parts:
        code = code_in(part.resource.get("code"), cs.LOINC)
        position = positions.get(code or "")
        value = _answer(part.resource, answer_codes)
        if position is None or value is None:
            notes.append(f"{part.path}: an item iopauth cannot place or read; items not imported")
            return None
        answers[position] = value
    if sorted(answers) != list(range(len(positions))):
        notes.append(f"{at}.hasMember: not every item is present; only the total was imported")
        return None
    return [answers[i] for i in range(len(positions))]


def _answer(o: dict[str, Any], answer_codes: dict[str, int]) -> int | None:
    if isinstance(o.get("valueBoolean"), bool):
        return int(o["valueBoolean"])
    number = _number(o)
    if number is not None:
        return number
    for coding in codings(o.get("valueCodeableConcept")):
        for ext in items(coding, "extension"):
            if obj({"e": ext}, "e").get("url") == cs.ORDINAL_VALUE:
                value = ext.get("valueDecimal")
                if isinstance(value, int | float) and float(value).is_integer():
                    return int(value)
        code = coding.get("code")
        if coding.get("system") == cs.LOINC and isinstance(code, str) and code in answer_codes:
            return answer_codes[code]
    return None


def _number(o: dict[str, Any]) -> int | None:
    value = o.get("valueInteger")
    if value is None:
        value = obj(o, "valueQuantity").get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else None


def _recomputed(instrument: Instrument, answers: list[int], when: str | None) -> int | None:
    """The instrument's total from the items (special scoring applied), if they score."""
    from ..measures import score

    try:
        administered = date.fromisoformat(when) if when else date.min
        adm = MeasureAdministration(
            instrument=instrument, administered_on=administered, items=tuple(answers)
        )
        return score(adm).total
    except (InvalidCaseError, ValueError):
        return None
