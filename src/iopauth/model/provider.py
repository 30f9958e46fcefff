"""The program (facility) that will deliver care and the clinicians behind the request."""

from __future__ import annotations

from attrs import frozen

from ._base import Redacted, StrEnum
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


PHYSICIAN_ROLES = frozenset({ClinicianRole.ATTENDING_PHYSICIAN, ClinicianRole.PSYCHIATRIST})


@frozen(kw_only=True, repr=False)
class Program(Redacted):
    """The IOP/PHP program or facility: the requesting provider."""

    name: str
    npi: str
    tin: str
    address: Address
    phone: str
    setting: Setting
    fax: str | None = None
    email: str | None = None


@frozen(kw_only=True, repr=False)
class Clinician(Redacted):
    """A clinician on the case. ``contact`` marks the person the payer should call."""

    name: PersonName
    credentials: str
    role: ClinicianRole
    npi: str | None = None
    phone: str | None = None
    contact: bool = False

    @property
    def is_physician(self) -> bool:
        """True for the attending physician and psychiatrists."""
        return self.role in PHYSICIAN_ROLES
