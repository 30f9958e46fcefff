"""Case parts → FHIR R4 resources (US Core shapes), as plain JSON dicts with fixed ids.

The PAS request Bundle is assembled from these. Ids are derived from positions in the case,
never from patient data, so the same case always gives the same JSON.
"""

from __future__ import annotations

from typing import Any

from ..model import (
    Address,
    Case,
    CodeSystem,
    Guardian,
    PersonName,
    RequestKind,
    UnitType,
    Urgency,
)
from . import _systems as cs

__all__ = [
    "condition",
    "conditions",
    "coverage",
    "document_reference",
    "patient",
    "payer",
    "practitioners",
    "program",
    "service_request",
]

_US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
UNITS = {
    UnitType.PER_DIEM: ("d", "day"),
    UnitType.HOUR: ("h", "hour"),
    UnitType.SESSION: ("{session}", "session"),
}


def ref(rtype: str, rid: str) -> dict[str, str]:
    """A relative Reference."""
    return {"reference": f"{rtype}/{rid}"}


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """A CodeableConcept with one coding."""
    one: dict[str, Any] = {"system": system, "code": code}
    if display is not None:
        one["display"] = display
    return {"coding": [one]}


def _name(name: PersonName) -> dict[str, Any]:
    out: dict[str, Any] = {"family": name.family, "given": [name.given]}
    if name.middle:
        out["given"].append(name.middle)
    if name.suffix:
        out["suffix"] = [name.suffix]
    return out


def _address(address: Address) -> dict[str, Any]:
    return {
        "line": list(address.lines),
        "city": address.city,
        "state": address.state,
        "postalCode": address.postal_code,
        "country": address.country,
    }


def _telecom(**points: str | None) -> list[dict[str, str]]:
    return [{"system": k, "value": v} for k, v in points.items() if v is not None]


def _compact(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if v is not None and v not in ([], {})}


def patient(case: Case, profile: str | None = None) -> dict[str, Any]:
    """The Patient (US Core Patient; with ``profile``, e.g. PAS Beneficiary)."""
    p = case.patient
    return _compact(
        {
            "resourceType": "Patient",
            "id": "patient",
            "meta": {"profile": [profile or _US_CORE + "us-core-patient"]},
            # US Core Patient: identifier.system 1..1; the member id is the payer's, named by
            # our own URN (no standard system names one payer's member ids)
            "identifier": [
                {
                    "type": coding(cs.V2_0203, "MB"),
                    "system": cs.MEMBER_ID,
                    "value": case.coverage.member_id,
                }
            ],
            "name": [{"use": "official", **_name(p.name)}],
            "telecom": _telecom(phone=p.phone, email=p.email),
            "gender": p.sex.value,
            "birthDate": p.birth_date.isoformat(),
            "address": [{"use": "home", **_address(p.address)}] if p.address else None,
            "communication": (
                [{"language": coding(cs.BCP47, p.preferred_language), "preferred": True}]
                if p.preferred_language
                else None
            ),
            "contact": [_guardian(p.guardian)] if p.guardian else None,
        }
    )


def _guardian(guardian: Guardian) -> dict[str, Any]:
    """A minor's parent or guardian as a Patient.contact (relationship in the family's words)."""
    return _compact(
        {
            "relationship": [{"text": guardian.relationship}],
            "name": _name(guardian.name),
            "telecom": _telecom(phone=guardian.phone, email=guardian.email),
        }
    )


def payer(case: Case, profile: str | None = None) -> dict[str, Any]:
    """The payer Organization; its telecom is the utilization-management line."""
    c = case.coverage
    identifiers = (
        [
            {
                "type": coding(cs.C4BB_IDENTIFIER, "payerid"),
                "system": cs.PAYER_ID,
                "value": c.payer_id,
            }
        ]
        if c.payer_id
        else None
    )
    return _compact(
        {
            "resourceType": "Organization",
            "id": "payer",
            "meta": {"profile": [profile or _US_CORE + "us-core-organization"]},
            "identifier": identifiers,
            "active": True,
            "name": c.payer_name,
            "telecom": _telecom(phone=c.um_phone, fax=c.um_fax),
        }
    )


def program(case: Case, profile: str | None = None) -> dict[str, Any]:
    """The program (requesting provider) Organization with its NPI and TIN."""
    p = case.program
    return _compact(
        {
            "resourceType": "Organization",
            "id": "program",
            "meta": {"profile": [profile or _US_CORE + "us-core-organization"]},
            "identifier": [
                {"system": cs.NPI, "value": p.npi},
                {"type": coding(cs.V2_0203, "TAX"), "system": cs.TIN, "value": p.tin},
            ],
            "active": True,
            "type": [coding(cs.SETTING, p.setting.value)],
            "name": p.name,
            "telecom": _telecom(phone=p.phone, fax=p.fax, email=p.email),
            "address": [_address(p.address)],
        }
    )


def coverage(case: Case, profile: str | None = None) -> dict[str, Any]:
    """The Coverage: member id, plan type, group and plan classes, payer."""
    c = case.coverage
    classes = []
    if c.group_number:
        classes.append({"type": coding(cs.COVERAGE_CLASS, "group"), "value": c.group_number})
    if c.plan_name:
        classes.append(
            {"type": coding(cs.COVERAGE_CLASS, "plan"), "value": c.plan_name, "name": c.plan_name}
        )
    return _compact(
        {
            "resourceType": "Coverage",
            "id": "coverage",
            "meta": {"profile": [profile or _US_CORE + "us-core-coverage"]},
            "identifier": [{"type": coding(cs.V2_0203, "MB"), "value": c.member_id}],
            "status": "active",
            "type": coding(cs.PLAN_TYPE, c.plan_type.value),
            "subscriberId": c.member_id,
            "beneficiary": ref("Patient", "patient"),
            "relationship": coding(cs.SUBSCRIBER_RELATIONSHIP, c.subscriber_relation.value),
            "payor": [ref("Organization", "payer")],
            "class": classes,
        }
    )


def practitioners(
    case: Case, profile: str | None = None, role_profile: str | None = None
) -> list[dict[str, Any]]:
    """A Practitioner and a PractitionerRole (at the program) for each clinician.

    ``profile`` and ``role_profile`` replace the US Core profiles (e.g. PAS Practitioner and
    PAS PractitionerRole).
    """
    out: list[dict[str, Any]] = []
    for i, c in enumerate(case.clinicians, start=1):
        out.append(
            _compact(
                {
                    "resourceType": "Practitioner",
                    "id": f"practitioner-{i}",
                    "meta": {"profile": [profile or _US_CORE + "us-core-practitioner"]},
                    "identifier": [{"system": cs.NPI, "value": c.npi}] if c.npi else None,
                    "name": [_name(c.name)],
                    "qualification": [{"code": {"text": c.credentials}}],
                }
            )
        )
        out.append(
            _compact(
                {
                    "resourceType": "PractitionerRole",
                    "id": f"role-{i}",
                    "meta": {"profile": [role_profile or _US_CORE + "us-core-practitionerrole"]},
                    "practitioner": ref("Practitioner", f"practitioner-{i}"),
                    "organization": ref("Organization", "program"),
                    "code": [coding(cs.CLINICIAN_ROLE, c.role.value)],
                    "telecom": _telecom(phone=c.phone),
                }
            )
        )
    return out


def condition(case: Case, i: int) -> dict[str, Any]:
    """The Condition of diagnosis ``i`` (0-based), ICD-10-CM coded."""
    d = case.diagnoses[i]
    code = coding(cs.ICD10CM, d.code, d.description)
    if d.description:
        code["text"] = d.description
    return _compact(
        {
            "resourceType": "Condition",
            "id": f"condition-{i + 1}",
            "meta": {"profile": [_US_CORE + "us-core-condition-encounter-diagnosis"]},
            "clinicalStatus": coding(cs.CONDITION_CLINICAL, "active"),
            "category": [
                coding(
                    "http://terminology.hl7.org/CodeSystem/condition-category",
                    "encounter-diagnosis",
                )
            ],
            "code": code,
            "subject": ref("Patient", "patient"),
            "onsetDateTime": d.onset.isoformat() if d.onset else None,
        }
    )


def conditions(case: Case) -> list[dict[str, Any]]:
    """Every diagnosis as a Condition, primary first."""
    order = sorted(range(len(case.diagnoses)), key=lambda i: not case.diagnoses[i].primary)
    return [condition(case, i) for i in order]


def service_code_concept(case: Case) -> dict[str, Any]:
    """The requested service (HCPCS or CPT) and, when given, its revenue code."""
    request = case.request
    system = cs.CPT if request.service_code[:1].isdigit() else cs.HCPCS
    concept = coding(system, request.service_code)
    if request.revenue_code:
        concept["coding"].append({"system": cs.REVENUE, "code": request.revenue_code})
    return concept


def service_request(case: Case, profile: str | None = None) -> dict[str, Any]:
    """The order for the program: level, service code, schedule, period, units, reasons."""
    request, plan = case.request, case.plan
    schedule = plan.schedule
    repeat: dict[str, Any] = {
        "boundsPeriod": {
            "start": request.period.start.isoformat(),
            "end": request.period.end.isoformat() if request.period.end else None,
        }
    }
    if schedule.sessions and len({s.minutes for s in schedule.sessions}) == 1:
        repeat["dayOfWeek"] = [s.day.value for s in schedule.sessions]
        repeat["duration"] = schedule.sessions[0].minutes
        repeat["durationUnit"] = "min"
    elif not schedule.sessions:
        repeat["frequency"] = schedule.days_per_week
        repeat["period"] = 1
        repeat["periodUnit"] = "wk"
        repeat["duration"] = schedule.hours_per_day
        repeat["durationUnit"] = "h"
    repeat["boundsPeriod"] = _compact(repeat["boundsPeriod"])
    unit_code, unit = UNITS[request.unit_type]
    primary = [i for i, d in enumerate(case.diagnoses) if d.primary]
    others = [i for i, d in enumerate(case.diagnoses) if not d.primary]
    attending = next((i for i, c in enumerate(case.clinicians, 1) if c.is_physician), None)
    return _compact(
        {
            "resourceType": "ServiceRequest",
            "id": "service-request",
            "meta": {"profile": [profile or _US_CORE + "us-core-servicerequest"]},
            "status": "active",
            "intent": "order",
            "category": [coding(cs.LEVEL_OF_CARE, plan.level.value)],
            "priority": "urgent" if request.urgency is Urgency.EXPEDITED else "routine",
            "code": service_code_concept(case),
            "quantityQuantity": {
                "value": case.requested_units,
                "unit": unit,
                "system": cs.UCUM,
                "code": unit_code,
            },
            "subject": ref("Patient", "patient"),
            "occurrenceTiming": {"repeat": repeat},
            "authoredOn": request.request_date.isoformat(),
            "requester": ref("PractitionerRole", f"role-{attending}") if attending else None,
            "performer": [ref("Organization", "program")],
            "reasonReference": [ref("Condition", f"condition-{i + 1}") for i in primary + others],
            "insurance": [ref("Coverage", "coverage")],
        }
    )


def document_reference(case: Case, i: int, profile: str | None = None) -> dict[str, Any]:
    """Document ``i`` (0-based) the program has on hand, described (its bytes stay local)."""
    doc = case.request.documents[i]
    label = doc.title or doc.kind.value.replace("_", " ")
    return _compact(
        {
            "resourceType": "DocumentReference",
            "id": f"document-{i + 1}",
            "meta": {"profile": [profile or _US_CORE + "us-core-documentreference"]},
            "status": "current",
            "type": {**coding(cs.DOCUMENT_KIND, doc.kind.value), "text": label},
            # US Core DocumentReference.category 1..*: its one code, as the PAS example writes it
            "category": [coding(cs.US_CORE_DOCUMENT_CATEGORY, "clinical-note")],
            "subject": ref("Patient", "patient"),
            "date": f"{doc.dated.isoformat()}T00:00:00Z" if doc.dated else None,
            "description": doc.title,
            "content": [{"attachment": {"contentType": "application/pdf", "title": label}}],
        }
    )


def certification_kind(kind: RequestKind) -> str:
    """Our request kind's certification type in words (the X12 code is in ``_pas``)."""
    return {
        RequestKind.INITIAL: "initial",
        RequestKind.CONCURRENT: "extension",
        RequestKind.EXTENSION: "extension",
        RequestKind.APPEAL: "appeal",
    }[kind]


def service_system(code: str, system: CodeSystem | None = None) -> str:
    """The FHIR system URL of a service code."""
    if system is CodeSystem.CPT or (system is None and code[:1].isdigit()):
        return cs.CPT
    return cs.HCPCS
