"""The patient: identity, demographics and how to reach them."""

from __future__ import annotations

from datetime import date

from attrs import frozen

from ._base import Redacted, StrEnum


class Sex(StrEnum):
    """Administrative sex (FHIR ``AdministrativeGender``)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@frozen(kw_only=True, repr=False)
class PersonName(Redacted):
    """A person's name in parts."""

    given: str
    family: str
    middle: str | None = None
    suffix: str | None = None

    @property
    def full(self) -> str:
        """Given, middle, family and suffix joined by spaces."""
        parts = (self.given, self.middle, self.family, self.suffix)
        return " ".join(p for p in parts if p)


@frozen(kw_only=True, repr=False)
class Address(Redacted):
    """A postal address in the United States (or elsewhere, by ``country``)."""

    lines: tuple[str, ...]
    city: str
    state: str
    postal_code: str
    country: str = "US"


@frozen(kw_only=True, repr=False)
class Guardian(Redacted):
    """A parent or legal guardian of a minor patient, to whom patient-facing letters go too.

    ``relationship`` is in the family's words (``mother``, ``legal guardian``).
    """

    name: PersonName
    relationship: str
    phone: str | None = None
    email: str | None = None


@frozen(kw_only=True, repr=False)
class Patient(Redacted):
    """The person the request is for; ``guardian`` is the parent or guardian of a minor."""

    name: PersonName
    birth_date: date
    sex: Sex
    preferred_language: str | None = None
    phone: str | None = None
    email: str | None = None
    address: Address | None = None
    guardian: Guardian | None = None

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)
