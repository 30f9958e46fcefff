"""The patient: identity, demographics and how to reach them."""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from ._base import Redacted, StrEnum, enum_member


class Sex(StrEnum):
    """Administrative sex (FHIR ``AdministrativeGender``)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


def _sex(value: Sex | str) -> Sex:
    return value if type(value) is Sex else enum_member(Sex, value)


@frozen(kw_only=True, repr=False)
class PersonName(Redacted):
    """A person's name in parts.

    Every part is non-empty text of at most 10,000 characters without control characters, as
    every string in a case. ``middle`` and ``suffix`` (``Jr.``, ``III``) are optional.
    """

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
    """A postal address in the United States (or elsewhere, by ``country``).

    ``lines``: a tuple of one or more street lines. ``country``: a country code, ``"US"`` by
    default; for ``"US"``, ``state`` is a two-letter USPS code (states, DC and the territories)
    and ``postal_code`` a ZIP code, ``12345`` or ``12345-6789``.
    """

    lines: tuple[str, ...]
    city: str
    state: str
    postal_code: str
    country: str = "US"


@frozen(kw_only=True, repr=False)
class Guardian(Redacted):
    """A parent or legal guardian of a minor patient, to whom patient-facing letters go too.

    ``relationship`` is in the family's words (``mother``, ``legal guardian``).
    ``preferred_language``: the guardian's language tag (``es``, ``es-MX``); when given it
    chooses the language of the minor's patient summary over the patient's own.
    """

    name: PersonName
    relationship: str
    phone: str | None = None
    email: str | None = None
    preferred_language: str | None = None


@frozen(kw_only=True, repr=False)
class Patient(Redacted):
    """The person the request is for; ``guardian`` is the parent or guardian of a minor.

    ``birth_date``: a :class:`datetime.date`, before the request date. ``sex``: a :class:`Sex`
    or its value (``"female"``, ``"male"``, ``"other"``, ``"unknown"``).
    ``preferred_language``: a language tag (``en``, ``es-MX``). ``phone``: at least 10 digits;
    spaces, ``+ ( ) . -`` allowed. ``email``: an email address.
    """

    name: PersonName
    birth_date: date
    sex: Sex = field(converter=_sex)
    preferred_language: str | None = None
    phone: str | None = None
    email: str | None = None
    address: Address | None = None
    guardian: Guardian | None = None

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)
