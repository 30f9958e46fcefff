"""US Core screening-assessment Observations → measure administrations (interop.md §7).

An administration is found three ways, as US Core STU7's own examples write it:

- a panel Observation (PHQ-9 ``44249-1``) whose ``hasMember`` lists the item Observations and
  the total-score Observation;
- a total-score Observation (PHQ-9 ``44261-6``) with ``hasMember`` items;
- a total-score Observation and standalone item Observations (PHQ-9 item 9 ``44260-8``, …) that
  share its ``derivedFrom`` QuestionnaireResponse, or, without one, its instrument and day.
  Item Observations with no total at all make an administration of their own when every item
  is there.

When every item is present the items are kept and the total is recomputed from them; a recorded
total that disagrees is reported (never echoed). When only some items are present the case
keeps the recorded total (it holds whole item sets only) and a note names the item
Observations left out, saying so loudly for PHQ-9 item 9, whose safety check then cannot run.
A member that is no item of the instrument (PHQ-9's difficulty question ``69722-7``) is passed
over with a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ..errors import InvalidCaseError
from ..measures import LOINC
from ..model import Instrument, MeasureAdministration
from . import _systems as cs
from ._bundle import Entry, Index, code_in, codings, day, items, obj, text

__all__ = ["read_measures"]

_SKIP = frozenset({"entered-in-error", "cancelled"})
_PHQ9_ITEM9 = "44260-8"


def _codes() -> tuple[dict[str, Instrument], dict[Instrument, dict[str, int]]]:
    heads: dict[str, Instrument] = {}
    members: dict[Instrument, dict[str, int]] = {}
    for instrument, codes in LOINC.items():
        for head in (codes.total, codes.panel):
            if head is not None:
                heads.setdefault(head.code, instrument)
        members[instrument] = {c.code: i for i, c in enumerate(codes.items)}
    return heads, members


class _Group:
    """One administration being assembled: its head (if any), its items, its total."""

    def __init__(self, instrument: Instrument, head: Entry | None) -> None:
        self.instrument = instrument
        self.head = head
        self.total_entry: Entry | None = head
        self.parts: list[Entry] = []


def _when(o: dict[str, Any]) -> str | None:
    return day(o.get("effectiveDateTime")) or day(obj(o, "effectivePeriod").get("start"))


def _key(o: dict[str, Any]) -> tuple[str, ...]:
    """What ties an item to its total: the shared QuestionnaireResponse, else the day."""
    sources = sorted(
        str(ref.get("reference"))
        for ref in items(o, "derivedFrom")
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str)
    )
    return ("from", *sources) if sources else ("on", _when(o) or "")


def read_measures(
    index: Index,
) -> tuple[list[dict[str, Any]], list[dict[str, str]], list[str]]:
    """The administrations, where each part came from, and notes on what was corrected.

    Each origin maps a path inside the administration (``""``, ``".items[3]"``, ``".total"``)
    to the Bundle path it was read from.
    """
    heads, members = _codes()
    item_codes = {code for positions in members.values() for code in positions}
    observations = [
        e
        for e in index.of_type("Observation")
        if text(e.resource, "status") not in _SKIP and code_in(e.resource.get("code"), cs.LOINC)
    ]
    notes: list[str] = []
    used: set[int] = set()
    groups = _headed_groups(
        index, observations, heads=heads, members=members, used=used, notes=notes
    )
    groups = [g for g in groups if g.head is None or g.head.index not in used]
    by_key = {(g.instrument, _key(g.head.resource)): g for g in groups if g.head is not None}
    loose: dict[tuple[str, ...], list[Entry]] = {}
    for entry in observations:
        code = code_in(entry.resource.get("code"), cs.LOINC) or ""
        if entry.index in used or code not in item_codes:
            continue
        key = _key(entry.resource)
        owner = next(
            (g for (inst, k), g in by_key.items() if k == key and code in members[inst]), None
        )
        if owner is not None:
            owner.parts.append(entry)
        else:
            loose.setdefault(key, []).append(entry)
    for entries in loose.values():
        groups.extend(_loose_groups(entries, members, notes))
    out: list[dict[str, Any]] = []
    origins: list[dict[str, str]] = []
    for group in groups:
        record, where = _administration(group, members[group.instrument], notes)
        out.append(record)
        origins.append(where)
    return out, origins, notes


def _headed_groups(
    index: Index,
    observations: list[Entry],
    *,
    heads: dict[str, Instrument],
    members: dict[Instrument, dict[str, int]],
    used: set[int],
    notes: list[str],
) -> list[_Group]:
    """A group per total or panel Observation, with its ``hasMember`` items (marked used)."""
    groups: list[_Group] = []
    for entry in observations:
        instrument = heads.get(code_in(entry.resource.get("code"), cs.LOINC) or "")
        if instrument is None:
            continue
        group = _Group(instrument, entry)
        for i, ref in enumerate(items(entry.resource, "hasMember")):
            member = index.resolve(ref, f"{entry.path}.hasMember[{i}]", "Observation")
            if member is None:
                continue
            used.add(member.index)
            code = code_in(member.resource.get("code"), cs.LOINC) or ""
            if code in members[instrument]:
                group.parts.append(member)
            elif heads.get(code) is instrument:
                group.total_entry = member  # a panel's total-score member
            else:
                notes.append(f"{member.path}.code: not an item iopauth scores; passed over")
        groups.append(group)
    return groups


def _loose_groups(
    entries: list[Entry], members: dict[Instrument, dict[str, int]], notes: list[str]
) -> Iterable[_Group]:
    """Item Observations with no total: an administration when one instrument's set is whole."""
    codes = {code_in(e.resource.get("code"), cs.LOINC) for e in entries}
    whole = [inst for inst, positions in members.items() if positions and set(positions) == codes]
    if len(whole) == 1 and len(codes) == len(entries):
        group = _Group(whole[0], None)
        group.parts = entries
        return [group]
    for entry in entries:
        code = code_in(entry.resource.get("code"), cs.LOINC)
        notes.append(_partial_note(entry.path, code, "no total score and not every item"))
    return []


def _partial_note(path: str, code: str | None, why: str) -> str:
    if code == _PHQ9_ITEM9:
        return (
            f"{path}: PHQ-9 item 9 (thoughts of self-harm) is recorded but {why} is in the "
            "bundle; the case holds whole item sets only, so the item-9 safety check cannot "
            "use it: record all nine items, or the risk assessment, in the case"
        )
    return f"{path}: an item Observation, but {why} is in the bundle; not imported"


def _administration(
    group: _Group, positions: dict[str, int], notes: list[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    first = group.head or group.parts[0]
    o, at = first.resource, first.path
    when = _when(o)
    record: dict[str, Any] = {"instrument": group.instrument.value, "administered_on": when}
    where = {"": at, ".administered_on": f"{at}.effective[x]"}
    total_entry = group.total_entry
    total = _number(total_entry.resource) if total_entry is not None else None
    if total_entry is not None:
        where[".total"] = f"{total_entry.path}.value[x]"
    answers = _items(group, positions, notes, at)
    if answers is not None:
        for k, path in answers[1].items():
            where[f".items[{k}]"] = f"{path}.value[x]"
        record["items"] = answers[0]
        if total is not None and total != _recomputed(group.instrument, answers[0], when):
            notes.append(
                f"{where['.total']}: the recorded total differs from the sum of its items; "
                "the items were kept and the total recomputed"
            )
    elif total is not None:
        record["total"] = total
    return record, where


def _items(
    group: _Group, positions: dict[str, int], notes: list[str], at: str
) -> tuple[list[int], dict[int, str]] | None:
    parts = group.parts
    if not parts or not positions:
        return None
    answers: dict[int, int] = {}
    paths: dict[int, str] = {}
    answer_codes = {c.code: score for score, c in LOINC[group.instrument].answers}
    for part in parts:
        code = code_in(part.resource.get("code"), cs.LOINC)
        position = positions.get(code or "")
        value = _answer(part.resource, answer_codes)
        if position is None or value is None or position in answers:
            why = "given twice" if position in answers else "that iopauth cannot place or read"
            notes.append(f"{part.path}: an item {why}; items not imported")
            return None
        answers[position] = value
        paths[position] = part.path
    if sorted(answers) != list(range(len(positions))):
        for part in parts:
            code = code_in(part.resource.get("code"), cs.LOINC)
            notes.append(_partial_note(part.path, code, "not every other item"))
        notes.append(f"{at}: not every item is present; only the total was imported")
        return None
    return [answers[i] for i in range(len(positions))], paths


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
    if value is None:
        # US Core STU7's PHQ-9 total example (Observation-PHQ9-item-example-44261-6) writes
        # its score as valueString "12": read a plain run of digits, nothing else
        written = text(o, "valueString")
        digits = (written or "").strip()
        if digits.isascii() and digits.isdigit() and len(digits) <= 4:
            return int(digits)
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
