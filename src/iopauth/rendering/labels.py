"""Words for the model's codes and enums, as documents print them.

Service-code labels are our own short labels (domain/codes.md §5 and §6); CPT descriptors are
AMA-copyrighted and never reproduced.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..criteria.result import CriterionKind, Outcome, Status
from ..model import (
    ClinicianRole,
    DocumentKind,
    EpisodeOutcome,
    FunctionalDomain,
    GoalStatus,
    Housing,
    IdeationLevel,
    LevelOfCare,
    PlanType,
    RequestKind,
    Setting,
    Severity,
    UnitType,
    Urgency,
    Weekday,
    WithdrawalRisk,
)
from ..model._base import StrEnum

# Our short labels, domain/codes.md §5 (HCPCS) and §6 (CPT); [unverified] rows left out.
SERVICE_CODES: Mapping[str, str] = MappingProxyType(
    {
        "S9480": "mental-health intensive outpatient, per diem",
        "H0015": "substance-use intensive outpatient",
        "S0201": "partial hospitalization, less than 24 hours, per diem",
        "H0035": "mental-health partial hospitalization, less than 24 hours",
        "G0410": "group psychotherapy in a partial hospitalization or intensive outpatient program",
        "G0411": "interactive group psychotherapy in a partial hospitalization or IOP program",
        "G0129": "occupational therapy within a partial hospitalization program",
        "90791": "psychiatric diagnostic evaluation",
        "90792": "psychiatric diagnostic evaluation with medical services",
        "90832": "individual psychotherapy, 30 minutes",
        "90834": "individual psychotherapy, 45 minutes",
        "90837": "individual psychotherapy, 60 minutes",
        "90846": "family psychotherapy without the patient",
        "90847": "family psychotherapy with the patient",
        "90853": "group psychotherapy",
    }
)

_LABELS: dict[type[StrEnum], dict[str, str]] = {
    LevelOfCare: {
        "outpatient": "outpatient",
        "iop": "intensive outpatient (IOP)",
        "php": "partial hospitalization (PHP)",
        "residential": "residential",
        "inpatient": "inpatient",
        "crisis": "crisis stabilization",
        "emergency": "emergency department",
    },
    Status: {
        "met": "Met",
        "not_met": "Not met",
        "applies": "Applies",
        "does_not_apply": "Does not apply",
        "unknown": "Not documented",
    },
    Outcome: {
        "meets": "Meets criteria",
        "does_not_meet": "Does not meet criteria",
        "insufficient_information": "Not enough information to decide",
    },
    RequestKind: {
        "initial": "initial request",
        "concurrent": "continued-stay (concurrent) review",
        "extension": "extension request",
        "appeal": "appeal",
    },
    Urgency: {"standard": "standard", "expedited": "expedited"},
    UnitType: {"per_diem": "days (per diem)", "hour": "hours", "session": "sessions"},
    GoalStatus: {
        "not_started": "not started",
        "in_progress": "in progress",
        "met": "met",
        "revised": "revised",
    },
    Severity: {"none": "none", "mild": "mild", "moderate": "moderate", "severe": "severe"},
    FunctionalDomain: {
        "work": "work",
        "school": "school",
        "family": "family",
        "social": "social life",
        "self_care": "self-care",
        "housing": "housing",
        "legal": "legal",
        "health": "physical health",
    },
    EpisodeOutcome: {
        "completed": "completed",
        "stepped_down": "stepped down to a lower level",
        "insufficient_response": "insufficient response",
        "discontinued": "discontinued",
        "ongoing": "ongoing",
    },
    Housing: {
        "stable": "stable housing",
        "unstable": "unstable housing",
        "homeless": "homeless",
        "supervised": "supervised housing",
    },
    IdeationLevel: {"none": "none", "passive": "passive", "active": "active"},
    WithdrawalRisk: {"none": "none", "low": "low", "moderate": "moderate", "high": "high"},
    Weekday: {
        "mon": "Monday",
        "tue": "Tuesday",
        "wed": "Wednesday",
        "thu": "Thursday",
        "fri": "Friday",
        "sat": "Saturday",
        "sun": "Sunday",
    },
    PlanType: {
        "commercial": "commercial",
        "medicare": "Medicare",
        "medicare-advantage": "Medicare Advantage",
        "medicaid": "Medicaid",
        "chip": "CHIP",
        "exchange": "marketplace (exchange)",
        "tricare": "TRICARE",
        "other": "other",
    },
    Setting: {
        "hospital_outpatient": "hospital outpatient department",
        "cmhc": "community mental health center",
        "cah": "critical access hospital",
        "rhc": "rural health clinic",
        "fqhc": "federally qualified health center",
        "otp": "opioid treatment program",
        "freestanding": "freestanding program",
    },
    ClinicianRole: {
        "attending_physician": "attending physician",
        "psychiatrist": "psychiatrist",
        "psychologist": "psychologist",
        "nurse_practitioner": "nurse practitioner",
        "therapist": "therapist",
        "nurse": "nurse",
        "case_manager": "case manager",
        "utilization_review": "utilization review",
        "other": "clinician",
    },
    DocumentKind: {
        "psychiatric_evaluation": "Psychiatric evaluation or comprehensive assessment",
        "physician_recommendation": "Physician note recommending this level of care",
        "treatment_plan": "Current treatment plan with measurable goals",
        "measure_scores": "Standardized measure scores",
        "medication_list": "Medication list and medication notes",
        "risk_assessment": "Risk and safety assessment",
        "safety_plan": "Safety plan",
        "discharge_summary": "Discharge summary from the prior level of care",
        "program_schedule": "Program schedule (days, hours per day, hours per week)",
        "discharge_plan": "Discharge, aftercare or step-down plan",
        "payer_form": "The payer's prior-authorization form",
        "physician_certification": "Physician certification of the plan of care",
        "progress_notes": "Recent progress notes",
        "attendance_record": "Attendance record",
        "level_of_care_assessment": "Level-of-care assessment (e.g. LOCUS, ASAM)",
        "denial_letter": "The payer's denial letter",
        "other": "Other document",
    },
}


def label(value: object) -> str:
    """The printed word for an enum member (or the value itself when it has none)."""
    if isinstance(value, StrEnum):
        for enum_type, table in _LABELS.items():
            if isinstance(value, enum_type):
                return table.get(value.value, value.value.replace("_", " "))
    return str(value)


def status_label(status: Status, kind: CriterionKind) -> str:
    """How a finding reads (an exclusion applies or does not apply; ``kind`` kept for callers)."""
    del kind  # the status itself now says applies / does not apply for an exclusion
    return label(status)


def service_label(code: str) -> str | None:
    """Our short label for a service code, or ``None`` when we ship none."""
    return SERVICE_CODES.get(code.upper())
