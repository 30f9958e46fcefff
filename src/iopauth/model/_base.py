"""Shared pieces of the case model: the class decorator, enums base and small value types."""

from __future__ import annotations

import enum
from datetime import date
from typing import TypeVar, cast

from attrs import frozen


class Redacted:
    """Base of every model class: its ``repr`` names the class and hides the values.

    Every record holds, or may hold, patient data, so a stray ``print`` or log line of a model
    object cannot leak a name or a date of birth.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} (contents redacted)>"


class StrEnum(enum.StrEnum):
    """Base of the model's enums: the JSON form and ``str()`` are the value."""


_E = TypeVar("_E", bound=StrEnum)


def enum_member(cls: type[_E], value: object) -> _E:
    """The member of ``cls`` whose value is ``value``; any other value comes back unchanged.

    The model's converters call it, so a case built in code may write ``sex="female"`` where
    the JSON does. A string that names no member is kept as given, not refused here:
    :func:`iopauth.validate_case` (and so ``evaluate`` and ``render``) reports it with its path
    and the allowed values, as for a bad JSON value. Construction never raises.
    """
    if isinstance(value, str):
        return cast("_E", cls._value2member_map_.get(value, value))
    return cast("_E", value)


class LevelOfCare(StrEnum):
    """Levels of care, least to most intensive; the order is used by comparisons.

    ``withdrawal_management`` is a recommendation, not a plan level: the withdrawal-management
    levels (1-WM to 4-WM, clinical-thresholds.md §3) run beside the treatment levels, so it
    ranks above partial hospitalization and below the 24-hour levels, which also manage
    withdrawal (ASAM-AWM Rec III.2: suicide risk with withdrawal goes to inpatient care).
    """

    OUTPATIENT = "outpatient"
    IOP = "iop"
    PHP = "php"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management"
    RESIDENTIAL = "residential"
    INPATIENT = "inpatient"

    @property
    def rank(self) -> int:
        """Position from least (0) to most intensive."""
        return _LEVEL_RANK[self]


_LEVEL_RANK = {level: i for i, level in enumerate(LevelOfCare)}


def level_of_care(value: LevelOfCare | str) -> LevelOfCare:
    """Converter of level fields: a :class:`LevelOfCare` or its value (``"iop"``)."""
    return value if type(value) is LevelOfCare else enum_member(LevelOfCare, value)


def optional_level_of_care(value: LevelOfCare | str | None) -> LevelOfCare | None:
    """Converter of optional level fields: as :func:`level_of_care`, ``None`` kept."""
    return value if value is None or type(value) is LevelOfCare else enum_member(LevelOfCare, value)


@frozen(kw_only=True, repr=False)
class DateRange(Redacted):
    """A closed range of calendar dates; ``end`` may be open (``None``)."""

    start: date
    end: date | None = None

    def days(self) -> int | None:
        """Number of calendar days, both ends included; ``None`` when open-ended."""
        if self.end is None:
            return None
        return (self.end - self.start).days + 1
