"""Facts about the clinical picture: diagnoses (by ICD-10-CM category), the presentation the
clinician assessed, and functioning by life area.
"""

from __future__ import annotations

from datetime import date

from ..model import Case, FunctionalImpairment, Severity
from . import _adapters
from ._derive import Specs, Value, days_between


def diagnoses(case: Case, as_of: date) -> dict[str, Value]:
    if not case.diagnoses:
        return {}
    codes = tuple(d.code for d in case.diagnoses)
    categories = {_adapters.diagnosis_category(c) for c in codes}
    substance = "substance_use" in categories
    mental = "mental_health" in categories
    primary = next((d.code for d in case.diagnoses if d.primary), None)
    return {
        "diagnoses.codes": codes,
        "diagnoses.primary_code": primary,
        "diagnoses.primary_category": (
            None if primary is None else _adapters.diagnosis_category(primary)
        ),
        "diagnoses.behavioral": substance or mental,
        "diagnoses.mental_health": mental,
        "diagnoses.substance_use": substance,
        "diagnoses.co_occurring": mental and substance,
    }


def presentation(case: Case, as_of: date) -> dict[str, Value]:
    p = case.presentation
    return {
        "presentation.outpatient_insufficient": None if p is None else p.outpatient_insufficient,
        "presentation.primarily_social": None if p is None else p.primarily_social_or_custodial,
        "presentation.symptoms_count": len(p.symptoms) if p is not None and p.symptoms else None,
        "presentation.days_since_assessment": None
        if p is None
        else days_between(as_of, p.assessed_on),
        "presentation.assessed_on": None if p is None else p.assessed_on.isoformat(),
    }


_IMPAIRED = frozenset({Severity.MODERATE, Severity.SEVERE})


_SEVERITY_ORDER = (Severity.NONE, Severity.MILD, Severity.MODERATE, Severity.SEVERE)


def functioning(case: Case, as_of: date) -> dict[str, Value]:
    rated = case.functioning
    worst = max((_SEVERITY_ORDER.index(f.severity) for f in rated), default=None)
    return {
        "functioning.max_severity": None if worst is None else _SEVERITY_ORDER[worst].value,
        "functioning.severe_domains": (
            sum(f.severity is Severity.SEVERE for f in rated) if rated else None
        ),
        "functioning.impaired_domains": (
            sum(f.severity in _IMPAIRED for f in rated) if rated else None
        ),
        "functioning.impaired_areas": _areas([f for f in rated if f.severity in _IMPAIRED]),
    }


def _areas(rated: list[FunctionalImpairment]) -> str | None:
    """ "school (severe) and work (moderate)": the areas in words, the most impaired first."""
    if not rated:
        return None
    ordered = sorted(rated, key=lambda f: -_SEVERITY_ORDER.index(f.severity))
    words = [f"{f.domain.value.replace('_', '-')} ({f.severity.value})" for f in ordered]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# name, type, path, doc; by group, in the registry's order (facts.py)
CLINICAL_SPECS: Specs = {
    "diagnoses": (
        diagnoses,
        (
            ("diagnoses.codes", "strings", "$.diagnoses", "ICD-10-CM codes, e.g. F33.1."),
            (
                "diagnoses.primary_code",
                "string",
                "$.diagnoses",
                "The primary diagnosis code.",
            ),
            (
                "diagnoses.primary_category",
                "string",
                "$.diagnoses",
                "mental_health, substance_use or other (primary diagnosis).",
            ),
            (
                "diagnoses.behavioral",
                "bool",
                "$.diagnoses",
                "A mental-health or substance-use diagnosis is recorded.",
            ),
            (
                "diagnoses.mental_health",
                "bool",
                "$.diagnoses",
                "A mental-health (F, outside F10-F19) diagnosis is recorded.",
            ),
            (
                "diagnoses.substance_use",
                "bool",
                "$.diagnoses",
                "A substance-use (F10-F19) diagnosis is recorded.",
            ),
            (
                "diagnoses.co_occurring",
                "bool",
                "$.diagnoses",
                "Both mental-health and substance-use diagnoses are recorded.",
            ),
        ),
    ),
    "presentation": (
        presentation,
        (
            (
                "presentation.outpatient_insufficient",
                "bool",
                "$.presentation.outpatient_insufficient",
                "Clinician: routine outpatient care is not enough.",
            ),
            (
                "presentation.primarily_social",
                "bool",
                "$.presentation.primarily_social_or_custodial",
                "Care sought is mainly social, custodial, recreational or diversionary.",
            ),
            (
                "presentation.symptoms_count",
                "number",
                "$.presentation.symptoms",
                "Number of current symptoms documented.",
            ),
            (
                "presentation.assessed_on",
                "string",
                "$.presentation.assessed_on",
                "Date of the clinician's assessment of the presentation (ISO).",
            ),
            (
                "presentation.days_since_assessment",
                "number",
                "$.presentation.assessed_on",
                "Days since the presentation was assessed.",
            ),
        ),
    ),
    "functioning": (
        functioning,
        (
            (
                "functioning.max_severity",
                "string",
                "$.functioning",
                "Worst rated impairment: none, mild, moderate or severe.",
            ),
            (
                "functioning.severe_domains",
                "number",
                "$.functioning",
                "Life areas rated severely impaired.",
            ),
            (
                "functioning.impaired_domains",
                "number",
                "$.functioning",
                "Life areas rated moderately or severely impaired.",
            ),
            (
                "functioning.impaired_areas",
                "string",
                "$.functioning",
                "Those areas in words with their rating, e.g. school (severe) and work (moderate).",
            ),
        ),
    ),
}
