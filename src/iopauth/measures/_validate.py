"""Checks of item responses and recorded totals, reported as data (never raised here)."""

from __future__ import annotations

from collections.abc import Sequence
from operator import contains
from typing import TypeGuard

from ..errors import InvalidCaseError
from ..model import Instrument, MeasureAdministration
from ._spec import SPECS, InstrumentSpec

Problem = tuple[str, str]

# C-SSRS screener answer positions (0-based): Q6 lifetime behavior, then "past 3 months".
CSSRS_BEHAVIOR = 5
CSSRS_BEHAVIOR_RECENT = 6


def _is_int(value: object) -> TypeGuard[int]:
    # bool is an int subclass, but True/False are not item scores in the case format
    return isinstance(value, int) and not isinstance(value, bool)


def _choices(allowed: Sequence[int]) -> str:
    words = [str(v) for v in allowed]
    return ", ".join(words[:-1]) + " or " + words[-1]


def check(spec: InstrumentSpec, items: object, total: object) -> list[Problem]:
    """Every problem with ``items`` / ``total`` for ``spec``, as (relative path, rule) pairs."""
    if items is None and total is None:
        return [("", "give item responses or a total")]
    found: list[Problem] = []
    if items is not None:
        _check_items(spec, items, found)
    if total is not None:
        if not spec.has_total:
            found.append(("total", f"the {spec.name} has no total score; give the item answers"))
        elif not _is_int(total) or not spec.total_min <= total <= spec.total_max:
            found.append(("total", f"must be between {spec.total_min} and {spec.total_max}"))
        # A total that differs from the item answers' sum is inconsistent, not invalid: the
        # answers are scored and the determination reports both (criteria/_consistency.py).
    return found


def _check_items(
    spec: InstrumentSpec, items: object, found: list[Problem]
) -> tuple[int, ...] | None:
    """Append item problems to ``found``; return the answers when they are all valid."""
    answers = _plain_answers(spec, items)
    if answers is None:
        if isinstance(items, str | bytes) or not isinstance(items, Sequence):
            found.append(("items", "must be a list of item responses"))
            return None
        if len(items) != spec.item_count:
            found.append(("items", f"{spec.name} has {spec.item_count} items, got {len(items)}"))
            return None
        before = len(found)
        for index, (answer, allowed) in enumerate(zip(items, spec.item_values, strict=True)):
            if not _is_int(answer) or answer not in allowed:
                found.append((f"items[{index}]", f"must be {_choices(allowed)}"))
        if len(found) > before:
            return None
        answers = tuple(map(int, items))
    if (
        spec.instrument is Instrument.CSSRS_SCREENER
        and answers[CSSRS_BEHAVIOR_RECENT]
        and not answers[CSSRS_BEHAVIOR]
    ):
        # "Within the past 3 months" qualifies the suicidal-behavior answer (Q6); a yes to it
        # without a yes to Q6 cannot be triaged either way.
        found.append(
            (
                f"items[{CSSRS_BEHAVIOR_RECENT}]",
                f"may be 1 only when items[{CSSRS_BEHAVIOR}] (suicidal behavior) is 1",
            )
        )
        return None
    return answers


def _plain_answers(spec: InstrumentSpec, items: object) -> tuple[int, ...] | None:
    """``items`` when it is a tuple of plain ints, one allowed answer per item (the form of every
    loaded case, checked without building anything); ``None`` for anything else."""
    if type(items) is not tuple or len(items) != len(spec.item_values):
        return None
    # one C-level pass each: every answer a plain int (no bool), each allowed for its item
    if set(map(type, items)) != _INT_ONLY or not all(map(contains, spec.item_values, items)):
        return None
    return items


_INT_ONLY = {int}


def item_total(spec: InstrumentSpec, answers: Sequence[int]) -> int:
    """The total of valid ``answers``, with reverse scoring applied."""
    if not spec.reversed_items:
        return sum(answers)
    return sum(spec.item_score(i, a) for i, a in enumerate(answers))


def problems(adm: MeasureAdministration) -> list[Problem]:
    """Problems with one administration as (relative path, rule) pairs; never raises.

    Paths are relative to the administration ("items[8]", "items", "total", ""), so a case
    loader can prefix them with the administration's own path.
    """
    spec = SPECS.get(adm.instrument)
    if spec is None:
        return [("instrument", "is not an instrument iopauth scores")]
    return check(spec, adm.items, adm.total)


def join_path(prefix: str, relative: str) -> str:
    """``"$"`` + ``"items[8]"`` -> ``"$.items[8]"``; an empty relative path is the prefix."""
    return f"{prefix}.{relative}" if relative else prefix


def _raise_problems(spec: InstrumentSpec, items: object, total: object) -> None:
    found = check(spec, items, total)
    if found:
        raise InvalidCaseError(f"{join_path('$', path)}: {rule}" for path, rule in found)


def validated(
    instrument: Instrument, items: Sequence[int] | None, total: int | None
) -> tuple[InstrumentSpec, tuple[int, ...] | None, int]:
    """The spec, answers (``None`` without items) and total of valid input for an instrument
    with a total score; raises :class:`InvalidCaseError` otherwise.

    The returned total is computed from the items when they are given.
    """
    spec = SPECS[instrument]
    _raise_problems(spec, items, total)
    if items is not None:
        answers = tuple(map(int, items))
        return spec, answers, item_total(spec, answers)
    if total is None:  # pragma: no cover  # check() reports this case first
        raise InvalidCaseError(["$: give item responses or a total"])
    return spec, None, total


def validated_answers(
    instrument: Instrument, items: Sequence[int] | None, total: int | None
) -> tuple[InstrumentSpec, tuple[int, ...]]:
    """The spec and answers of an instrument scored from items only (the C-SSRS screener)."""
    spec = SPECS[instrument]
    _raise_problems(spec, items, total)
    if items is None:  # pragma: no cover  # check() rejects a total for this instrument
        raise InvalidCaseError(["$.items: give the item answers"])
    return spec, tuple(map(int, items))
