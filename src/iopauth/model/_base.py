"""Shared pieces of the case model: the class decorator, enums base and small value types."""

from __future__ import annotations

import enum
from datetime import date

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


class LevelOfCare(StrEnum):
    """Levels of care, least to most intensive; the order is used by comparisons."""

    OUTPATIENT = "outpatient"
    IOP = "iop"
    PHP = "php"
    RESIDENTIAL = "residential"
    INPATIENT = "inpatient"

    @property
    def rank(self) -> int:
        """Position from least (0) to most intensive."""
        return _LEVEL_RANK[self]


_LEVEL_RANK = {level: i for i, level in enumerate(LevelOfCare)}


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
