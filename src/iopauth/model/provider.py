"""The program (facility) that will deliver care and the clinicians behind the request."""

from __future__ import annotations

from attrs import field, frozen

from ._base import Redacted, StrEnum, enum_member
from .patient import Address, PersonName


class Setting(StrEnum):
    """Where the program runs; Medicare's type of bill follows from it (medicare-iop.md §2)."""

    HOSPITAL_OUTPATIENT = "hospital_outpatient"
    CMHC = "cmhc"
    CAH = "cah"
    RHC = "rhc"
    FQHC = "fqhc"
    OTP = "otp"
    FREESTANDING = "freestanding"


def _setting(value: Setting | str) -> Setting:
    return value if type(value) is Setting else enum_member(Setting, value)


class ClinicianRole(StrEnum):
    """What a clinician does for this patient."""

    ATTENDING_PHYSICIAN = "attending_physician"
    PSYCHIATRIST = "psychiatrist"
    PSYCHOLOGIST = "psychologist"
    NURSE_PRACTITIONER = "nurse_practitioner"
    THERAPIST = "therapist"
    NURSE = "nurse"
    CASE_MANAGER = "case_manager"
    UTILIZATION_REVIEW = "utilization_review"
    OTHER = "other"


def _role(value: ClinicianRole | str) -> ClinicianRole:
    return value if type(value) is ClinicianRole else enum_member(ClinicianRole, value)


PHYSICIAN_ROLES = frozenset({ClinicianRole.ATTENDING_PHYSICIAN, ClinicianRole.PSYCHIATRIST})


@frozen(kw_only=True, repr=False)
class Program(Redacted):
    """The IOP/PHP program or facility: the requesting provider.

    ``npi``: the organization's 10-digit National Provider Identifier (its check digit is
    verified). ``tin``: the 9-digit tax id, ``12-3456789`` or ``123456789``. ``phone`` and
    ``fax``: at least 10 digits. ``setting``: a :class:`Setting` or its value
    (``"hospital_outpatient"``, ``"cmhc"``, ``"cah"``, ``"rhc"``, ``"fqhc"``, ``"otp"``,
    ``"freestanding"``).
    """

    name: str
    npi: str
    tin: str
    address: Address
    phone: str
    setting: Setting = field(converter=_setting)
    fax: str | None = None
    email: str | None = None


@frozen(kw_only=True, repr=False)
class Clinician(Redacted):
    """A clinician on the case. ``contact`` marks the person the payer should call.

    ``credentials``: as printed after the name (``MD``, ``LCSW``). ``role``: a
    :class:`ClinicianRole` or its value (``"attending_physician"``, ``"psychiatrist"``,
    ``"psychologist"``, ``"nurse_practitioner"``, ``"therapist"``, ``"nurse"``,
    ``"case_manager"``, ``"utilization_review"``, ``"other"``). ``npi``: a 10-digit NPI with a
    valid check digit. ``phone``: at least 10 digits.
    """

    name: PersonName
    credentials: str
    role: ClinicianRole = field(converter=_role)
    npi: str | None = None
    phone: str | None = None
    contact: bool = False

    @property
    def is_physician(self) -> bool:
        """True for the attending physician and psychiatrists."""
        return self.role in PHYSICIAN_ROLES
