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
    """Levels of care; :attr:`rank` orders them from least to most intensive.

    ``crisis`` (a crisis stabilization stay) and ``emergency`` (an emergency-department visit)
    are for the treatment history only: a plan or a request is never at them (the case rules
    allow outpatient, iop and php there). They were added last, so the enum's order is no
    longer the intensity order: compare by :attr:`rank`.
    """

    OUTPATIENT = "outpatient"
    IOP = "iop"
    PHP = "php"
    RESIDENTIAL = "residential"
    INPATIENT = "inpatient"
    CRISIS = "crisis"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        """Position from least (0) to most intensive; crisis and emergency share one."""
        return _LEVEL_RANK[self]


# Optum's level-of-care guidelines order their sections outpatient, IOP, day treatment, PHP,
# residential, crisis, 23-hour observation, inpatient (payer-criteria.md §1): crisis care ranks
# above residential and below inpatient. An emergency-department visit is not one of those
# levels; it is ranked with crisis care (an acute visit short of an admission; our choice).
_LEVEL_RANK = {
    LevelOfCare.OUTPATIENT: 0,
    LevelOfCare.IOP: 1,
    LevelOfCare.PHP: 2,
    LevelOfCare.RESIDENTIAL: 3,
    LevelOfCare.CRISIS: 4,
    LevelOfCare.EMERGENCY: 4,
    LevelOfCare.INPATIENT: 5,
}


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
