"""The resources of a PAS request Bundle other than the Claim, in their PAS profiles' shapes.

Each starts from the US Core resource of :mod:`._write` and applies what the PAS profile adds
(rule sources are lines of the HL7/davinci-pas FSH, as in ``data/pas-profiles.json``).
"""

from __future__ import annotations

import base64
from typing import Any

from ..model import Case
from . import _systems as cs
from . import _write as w
from ._pas_codes import PasCodes

__all__ = [
    "PDF_MAGIC",
    "coverage",
    "document_reference",
    "insurer",
    "letter_reference",
    "practitioners",
    "quantity",
    "requestor",
    "service_request",
]

PDF_MAGIC = b"%PDF-"
DOCUMENT_REFERENCE = cs.PAS + "profile-documentreference"


def requestor(case: Case, codes: PasCodes) -> dict[str, Any]:
    """The program as the PAS Requestor; ``type`` only as the X12 NM101 code you gave.

    PASRequestor binds ``Organization.type`` to X12 NM101 (required, Organization.fsh:18), so
    our own setting code may not stand there alone.
    """
    org = w.program(case, cs.PAS + "profile-requestor")
    org.pop("type", None)
    if codes.requestor_type:
        org["type"] = [w.coding(cs.X12_ENTITY, codes.requestor_type)]
    return org


def insurer(case: Case) -> dict[str, Any]:
    """The payer as the PAS Insurer, typed X12 NM101 ``PR`` (payer) as the IG's InsurerExample.

    PASInsurer binds ``Organization.type`` to NM101 (required, Organization.fsh:7); ``PR`` is
    the code of the IG's own insurer (Examples.fsh:623).
    """
    org = w.payer(case, cs.PAS + "profile-insurer")
    return {**org, "type": [w.coding(cs.X12_ENTITY, "PR")]} if "type" not in org else org


def coverage(case: Case, codes: PasCodes, subscriber_id: str | None) -> dict[str, Any]:
    """The PAS Coverage: ``relationship`` with its X12 INS02 coding; ``subscriber`` when needed.

    PASCoverage slices ``relationship.coding[X12Code]`` bound to INS02 (Coverage.fsh:22-23);
    the invariant self-beneficiary (Coverage.fsh:29) asks for ``subscriber`` whenever that
    code is not 18 (self). The subscriber is referenced by its member identifier: the case does
    not describe the policy holder as a person.
    """
    out = w.coverage(case, cs.PAS + "profile-coverage")
    x12 = codes.relationship(case)
    if x12 is not None:
        out["relationship"]["coding"].append({"system": cs.X12_RELATIONSHIP, "code": x12})
    if x12 != "18" and subscriber_id:
        out["subscriber"] = {
            "identifier": {"type": w.coding(cs.V2_0203, "MB"), "value": subscriber_id}
        }
        out["subscriberId"] = subscriber_id
    return out


def quantity(case: Case, codes: PasCodes) -> dict[str, Any]:
    """PASQuantity: value and unit; ``code`` only as the X12 HSD01 qualifier you gave.

    PASQuantity binds ``code`` to X12 HSD01 (required, Quantity.fsh:9); UCUM ``d`` is not in
    it, and the IG gives no HSD01 code, so without one the quantity carries value and unit.
    """
    request = case.request
    out: dict[str, Any] = {"value": case.requested_units, "unit": w.UNITS[request.unit_type][1]}
    qualifier = codes.unit_qualifiers.get(request.unit_type)
    if qualifier:
        out["system"] = cs.X12_QUANTITY_QUALIFIER
        out["code"] = qualifier
    return out


def service_request(case: Case, codes: PasCodes, requester: str | None) -> dict[str, Any]:
    """The PAS ServiceRequest: PASTiming (bounds only as a Duration) and PASQuantity.

    PASTiming allows ``bounds[x]`` only as Duration (Request.fsh:80): the requested period's
    length in days stands there, the dates themselves travel on the Claim item.
    """
    out = w.service_request(case, cs.PAS + "profile-servicerequest")
    repeat = out["occurrenceTiming"]["repeat"]
    repeat.pop("boundsPeriod", None)
    days = case.request.period.days()
    if days:
        bounds = {"value": days, "unit": "day", "system": cs.UCUM, "code": "d"}
        out["occurrenceTiming"]["repeat"] = {"boundsDuration": bounds, **repeat}
    out["quantityQuantity"] = quantity(case, codes)
    out["code"] = w.coding(w.service_system(case.request.service_code), case.request.service_code)
    if requester is None:
        out.pop("requester", None)
    else:
        out["requester"] = w.ref("PractitionerRole", requester)
    return out


def practitioners(case: Case) -> list[dict[str, Any]]:
    """PAS Practitioner and PractitionerRole of each clinician with an NPI.

    US Core Practitioner needs an identifier (1..*), so a clinician without an NPI is not sent.
    """
    resources = w.practitioners(
        case, cs.PAS + "profile-practitioner", cs.PAS + "profile-practitionerrole"
    )
    keep = {f"{n}" for n, c in enumerate(case.clinicians, start=1) if c.npi}
    return [r for r in resources if r["id"].rsplit("-", 1)[1] in keep]


def _pdf(data: bytes, title: str) -> dict[str, Any]:
    return {
        "contentType": "application/pdf",
        "data": base64.b64encode(data).decode("ascii"),
        "title": title,
    }


def document_reference(case: Case, i: int, data: bytes) -> dict[str, Any]:
    """Document ``i`` (0-based) of the case with its PDF content in ``attachment.data``.

    PASDocumentReference makes ``content.attachment.data`` 1..1 and ``url`` 0..0
    (Claim.fsh:247-248): the content travels in the Bundle.
    """
    out = w.document_reference(case, i, DOCUMENT_REFERENCE)
    label = out["type"]["text"]
    out["content"] = [{"attachment": _pdf(data, label)}]
    return out


def letter_reference(pdf: bytes, n: int, when: str) -> dict[str, Any]:
    """The rendered request letter as a PAS DocumentReference dated ``when`` (the Bundle's)."""
    return {
        "resourceType": "DocumentReference",
        "id": f"document-{n}",
        "meta": {"profile": [DOCUMENT_REFERENCE]},
        "status": "current",
        "type": {**w.coding(cs.DOCUMENT_KIND, "request_letter"), "text": "request letter"},
        "category": [w.coding(cs.US_CORE_DOCUMENT_CATEGORY, "clinical-note")],
        "subject": w.ref("Patient", "patient"),
        "date": when,
        "description": "Prior authorization request letter",
        "content": [{"attachment": _pdf(pdf, "request letter")}],
    }
