"""Facts about the request: the patient, coverage, program and clinicians it names, and what it
asks for (one deriver per group; facts.py holds the registry).
"""

from __future__ import annotations

from datetime import date

from ..model import Case
from ._derive import Specs, Value, any_or_unknown, enum_text


def patient(case: Case, as_of: date) -> dict[str, Value]:
    return {
        "patient.age": case.patient.age_on(as_of),
        "patient.sex": enum_text(case.patient.sex),
        "coverage.plan_type": enum_text(case.coverage.plan_type),
        "program.setting": enum_text(case.program.setting),
        "clinicians.has_physician": any_or_unknown(case.clinicians, lambda c: c.is_physician),
    }


def request(case: Case, as_of: date) -> dict[str, Value]:
    request = case.request
    return {
        "request.kind": enum_text(request.kind),
        "request.weeks": request.weeks,
        "request.documents": (
            tuple(sorted({str(d.kind.value) for d in request.documents}))
            if request.documents
            else None
        ),
    }


# name, type, path, doc; by group, in the registry's order (facts.py)
REQUEST_SPECS: Specs = {
    "patient": (
        patient,
        (
            ("patient.age", "number", "$.patient.birth_date", "Age in whole years on as_of."),
            ("patient.sex", "string", "$.patient.sex", "Administrative sex (female, male, ...)."),
            ("coverage.plan_type", "string", "$.coverage.plan_type", "medicare, commercial, ..."),
            ("program.setting", "string", "$.program.setting", "Program setting (cmhc, ...)."),
            (
                "clinicians.has_physician",
                "bool",
                "$.clinicians",
                "An attending physician or psychiatrist is among the clinicians.",
            ),
        ),
    ),
    "request": (
        request,
        (
            ("request.kind", "string", "$.request.kind", "initial, concurrent, extension, appeal."),
            ("request.weeks", "number", "$.request.period", "Whole weeks the request spans."),
            (
                "request.documents",
                "strings",
                "$.request.documents",
                "Kinds of documents on hand (physician_certification, ...).",
            ),
        ),
    ),
}
