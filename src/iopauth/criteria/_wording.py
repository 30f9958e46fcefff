"""Fact values in words: how a reason's ``{fact}`` and ``{fact|format}`` placeholders read.

Reasons are printed in payer letters, so numbers carry their units with the right plural,
dates are written as dates and levels of care in words (sets.FORMATS lists the formats).
"""

from __future__ import annotations

from datetime import date

from .._support.dates import long_date
from ..model import LevelOfCare

_LEVEL_WORDS = {
    LevelOfCare.OUTPATIENT.value: "outpatient",
    LevelOfCare.IOP.value: "intensive outpatient",
    LevelOfCare.PHP.value: "partial hospitalization",
    LevelOfCare.RESIDENTIAL.value: "residential",
    LevelOfCare.INPATIENT.value: "inpatient",
    LevelOfCare.CRISIS.value: "crisis stabilization",
    LevelOfCare.EMERGENCY.value: "emergency department",
}

_UNITS = {
    "hours": ("hour", "hours"),
    "days": ("day", "days"),
    "weeks": ("week", "weeks"),
    "sessions": ("session", "sessions"),
    "points": ("point", "points"),
    "areas": ("life area", "life areas"),
    "medications": ("current medication", "current medications"),
}


def show(value: object) -> str:
    """A fact value in plain words: ``not documented``, ``yes``/``no``, ``9`` or ``9.5``."""
    if value is None:
        return "not documented"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return number(value)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def number(value: float) -> str:
    """``9``, ``10.5``, ``8.42`` (at most two decimals, no trailing zeros)."""
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def formatted(value: object, form: str) -> str:
    """``value`` written out in the format ``form`` (a key of sets.FORMATS)."""
    if value is None:
        return "not documented"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if form in _UNITS:
            one, many = _UNITS[form]
            return f"{number(value)} {one if value == 1 else many}"
        if form == "change":
            return _change(value)
    if isinstance(value, str) and form in ("date", "level"):
        return _iso_date(value) if form == "date" else _LEVEL_WORDS.get(value, value)
    if form == "list" and isinstance(value, tuple):
        return _and_list([str(v) for v in value])
    return show(value)


def _change(value: float) -> str:
    if value == 0:
        return "did not change"
    size = abs(value)
    unit = "point" if size == 1 else "points"
    return f"{'fell' if value < 0 else 'rose'} by {number(size)} {unit}"


def _iso_date(value: str) -> str:
    try:
        return long_date(date.fromisoformat(value))
    except ValueError:
        return value


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items) or "none"
    return ", ".join(items[:-1]) + " and " + items[-1]
