"""Case → US Core R4 Bundle (``bundle_from_case``): the export direction of ``case_from_bundle``.

The Bundle holds what FHIR carries of a case, as :func:`~iopauth.fhir.case_from_bundle` reads
it back: Patient, payer and program Organizations, Coverage, a Practitioner and PractitionerRole
per clinician, a Condition per diagnosis, a MedicationStatement per medication, a screening
Observation per measure (its items as ``hasMember`` Observations), an Encounter per episode of
treatment history, the program's ServiceRequest, the CarePlan (its period the plan's weeks),
a Provenance per event of the CarePlan (the physician's certification, the plan's signature,
its last review), and a DocumentReference per document. What FHIR does not carry is listed in
docs/fhir.md. Ids come from positions in the case, never from patient data, so the same case
always gives the same JSON. The resources PAS also sends are written by :mod:`._write`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..measures import LOINC, score
from ..model import Case, ClinicianRole, MeasureAdministration
from . import _systems as cs
from . import _write as w
from ._export_parts import encounters, medications
from ._import_clinicians import NUCC
from ._import_plan import PROVENANCE_TYPE

__all__ = ["bundle_from_case"]

_US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
_BASE = "urn:iopauth:export:"
# Only the roles whose NUCC taxonomy code is one a single licence names (see
# _import_clinicians.NUCC_ROLES); the therapist's licence varies, so it keeps iopauth's code alone.
_ROLE_TAXONOMY = {
    ClinicianRole.PSYCHIATRIST: ("2084P0800X", "Psychiatry & Neurology, Psychiatry"),
    ClinicianRole.PSYCHOLOGIST: ("103T00000X", "Psychologist"),
}


def bundle_from_case(case: Case) -> dict[str, Any]:
    """A US Core ``collection`` Bundle of the case, which ``case_from_bundle`` reads back.

    Reading it back gives the same case in every field FHIR carries (docs/fhir.md lists the
    others: presentation, risk, functioning, the request's kind, …). The Bundle's ``fullUrl``\\ s
    are ``urn:iopauth:export:<type>/<id>``; references are relative (``Patient/patient``).
    """
    resources: list[dict[str, Any]] = [
        w.patient(case),
        w.payer(case),
        w.program(case),
        w.coverage(case),
        *_practitioners(case),
        *(w.condition(case, i) for i in range(len(case.diagnoses))),
        *medications(case),
        *encounters(case),
        *_observations(case),
        w.service_request(case),
        _care_plan(case),
        *_provenances(case),
        *(w.document_reference(case, i) for i in range(len(case.request.documents))),
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": f"{case.request.request_date.isoformat()}T00:00:00Z",
        "entry": [
            {"fullUrl": f"{_BASE}{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }


def _practitioners(case: Case) -> list[dict[str, Any]]:
    out = w.practitioners(case)
    for resource in out:
        if resource["resourceType"] != "PractitionerRole":
            continue
        role = case.clinicians[int(resource["id"].removeprefix("role-")) - 1].role
        if role in _ROLE_TAXONOMY:
            code, display = _ROLE_TAXONOMY[role]
            resource["specialty"] = [w.coding(NUCC, code, display)]
    return out


def _observations(case: Case) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    survey = w.coding(cs.OBSERVATION_CATEGORY, "survey")
    for n, adm in enumerate(case.measures, start=1):
        codes = LOINC[adm.instrument]
        head = codes.total or codes.panel
        if head is None or (codes.total is None and (adm.items is None or not codes.items)):
            continue  # no LOINC code known (PCL-5), or nothing the panel can carry
        base: dict[str, Any] = {
            "resourceType": "Observation",
            "meta": {"profile": [_US_CORE + "us-core-observation-screening-assessment"]},
            "status": "final",
            "category": [survey],
            "subject": w.ref("Patient", "patient"),
            "effectiveDateTime": adm.administered_on.isoformat(),
        }
        obs: dict[str, Any] = {**base, "id": f"measure-{n}", "code": w.coding(cs.LOINC, head.code)}
        total = _total(adm)
        if codes.total is not None and total is not None:
            obs["valueInteger"] = total
        members: list[dict[str, Any]] = []
        if adm.items is not None and codes.items:
            answers = dict(codes.answers)
            for k, (value, item) in enumerate(zip(adm.items, codes.items, strict=True), 1):
                member = {
                    **base,
                    "id": f"measure-{n}-item-{k}",
                    "code": w.coding(cs.LOINC, item.code),
                }
                if value in answers:
                    member["valueCodeableConcept"] = w.coding(cs.LOINC, answers[value].code)
                else:
                    member["valueInteger"] = value
                members.append(member)
            obs["hasMember"] = [w.ref("Observation", m["id"]) for m in members]
        out.append(obs)
        out.extend(members)
    return out


def _total(adm: MeasureAdministration) -> int | None:
    return adm.total if adm.total is not None else score(adm).total


def _care_plan(case: Case) -> dict[str, Any]:
    plan = case.plan
    end = plan.start_date + timedelta(days=plan.weeks * 7 - 1)
    return {
        "resourceType": "CarePlan",
        "id": "care-plan",
        "meta": {"profile": [_US_CORE + "us-core-careplan"]},
        "text": {
            "status": "generated",
            "div": '<div xmlns="http://www.w3.org/1999/xhtml">Treatment plan</div>',
        },
        "status": "active",
        "intent": "plan",
        "category": [
            w.coding("http://hl7.org/fhir/us/core/CodeSystem/careplan-category", "assess-plan")
        ],
        "subject": w.ref("Patient", "patient"),
        "period": {"start": plan.start_date.isoformat(), "end": end.isoformat()},
        "activity": [
            {"reference": w.ref("ServiceRequest", "service-request")},
            *_session_activities(case),
        ],
    }


def _session_activities(case: Case) -> list[dict[str, Any]]:
    """Sessions of differing lengths, which one ServiceRequest Timing cannot hold: one planned
    activity per session, in the case's order."""
    sessions = case.plan.schedule.sessions
    if len({s.minutes for s in sessions}) < 2:
        return []  # the ServiceRequest's occurrenceTiming carries the schedule
    return [
        {
            "detail": {
                "status": "scheduled",
                "scheduledTiming": {
                    "repeat": {
                        "dayOfWeek": [s.day.value],
                        "duration": s.minutes,
                        "durationUnit": "min",
                    }
                },
            }
        }
        for s in sessions
    ]


def _provenances(case: Case) -> list[dict[str, Any]]:
    """The certification ('attester'), signature ('author') and last review ('verifier')."""
    plan = case.plan
    out: list[dict[str, Any]] = []
    if plan.certified_on is not None:
        out.append(_provenance("certification", "attester", plan.certified_on, _certifier(case)))
    if plan.signed_on is not None:
        program = w.ref("Organization", "program")
        out.append(_provenance("signature", "author", plan.signed_on, program))
    if plan.last_reviewed is not None:
        program = w.ref("Organization", "program")
        out.append(_provenance("review", "verifier", plan.last_reviewed, program))
    return out


def _certifier(case: Case) -> dict[str, Any]:
    """The certifying physician: their PractitionerRole, else their NPI, else the program."""
    npi = case.plan.certified_by_npi
    if npi is None:
        return w.ref("Organization", "program")
    n = next((i for i, c in enumerate(case.clinicians, 1) if c.npi == npi), None)
    if n is not None:
        return w.ref("PractitionerRole", f"role-{n}")
    return {"identifier": {"system": cs.NPI, "value": npi}}


def _provenance(rid: str, kind: str, when: date, who: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Provenance",
        "id": rid,
        "meta": {"profile": [_US_CORE + "us-core-provenance"]},
        "target": [w.ref("CarePlan", "care-plan")],
        "recorded": f"{when.isoformat()}T00:00:00Z",
        "agent": [{"type": w.coding(PROVENANCE_TYPE, kind), "who": who}],
    }
