"""Case → Da Vinci PAS 2.2.1 request Bundle (``pas_request``), and its constraint checks.

The Bundle holds the PAS Claim first, then the ServiceRequest it asks about, the Patient, the
insurer and requestor Organizations, the clinicians, the Coverage, the Conditions and the
supporting DocumentReferences (interop.md §2). The same case and options give the same JSON:
no clock, no random ids. :func:`pas_problems` checks the PAS rules of interop.md §2 that a
structural FHIR model (fhir.resources) cannot.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..caseformat.validity import validate_case
from ..model import Case, RequestKind, Urgency
from . import _systems as cs
from . import _write as w

if TYPE_CHECKING:
    from ..criteria import Determination
    from ..rendering import Attachment

__all__ = ["CERTIFICATION_TYPES", "pas_attachment", "pas_request"]

# Our request kind -> X12 UM02 certification type code (system 1322). X12 licenses the list.
#   "I" Initial: [verified] in PAS examples (Claim item extension-certificationType).
#   "4" Extension and "1" Appeal - Immediate: [unverified] our reading of UM02; pass
#   ``certification_types=`` to pas_request to use the codes your payer expects.
CERTIFICATION_TYPES: Mapping[RequestKind, str] = {
    RequestKind.INITIAL: "I",
    RequestKind.CONCURRENT: "4",
    RequestKind.EXTENSION: "4",
    RequestKind.APPEAL: "1",
}
_PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"


def pas_request(
    case: Case,
    determination: Determination | None = None,
    *,
    base_url: str = "http://example.org/fhir/",
    identifier_system: str = "urn:iopauth:submission",
    transaction_id: str | None = None,
    timestamp: datetime | None = None,
    letter_pdf: bytes | None = None,
    certification_types: Mapping[RequestKind, str] | None = None,
) -> dict[str, Any]:
    """The PAS request Bundle (FHIR JSON dict) asking the payer to authorize the case's request.

    ``base_url`` prefixes every ``fullUrl``; ``identifier_system`` names the submitter's
    transaction ids and ``transaction_id`` is this submission's (X12 BHT03; default: the case
    id; give a new one when you send a corrected request for the same case). ``timestamp``
    defaults to midnight UTC of the request date, so output never depends on the clock.
    ``letter_pdf`` (the rendered request letter) is attached as a DocumentReference. With a
    ``determination``, the Claim carries a one-line message to the reviewer naming the
    criteria set and its outcome. ``certification_types`` replaces our X12 UM02 codes
    (:data:`CERTIFICATION_TYPES`) with the ones a payer expects. An invalid case raises
    :class:`~iopauth.errors.InvalidCaseError` (see :func:`iopauth.validate_case`).
    """
    validate_case(case)
    codes = {**CERTIFICATION_TYPES, **(certification_types or {})}
    request = case.request
    stamp = timestamp or datetime.fromisoformat(f"{request.request_date}T00:00:00+00:00")
    when = stamp.isoformat().replace("+00:00", "Z")
    documents = [
        w.document_reference(case, i, cs.PAS + "profile-documentreference")
        for i in range(len(request.documents))
    ]
    if letter_pdf is not None:
        documents.append(_letter(case, letter_pdf, len(documents) + 1))
    resources: list[dict[str, Any]] = [
        _claim(case, determination, when, codes[request.kind], documents),
        w.service_request(case, cs.PAS + "profile-servicerequest"),
        w.patient(case, cs.PAS + "profile-beneficiary"),
        w.payer(case, cs.PAS + "profile-insurer"),
        w.program(case, cs.PAS + "profile-requestor"),
        *w.practitioners(case),
        w.coverage(case, cs.PAS + "profile-coverage"),
        *w.conditions(case),
        *documents,
    ]
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [cs.PAS_REQUEST_BUNDLE]},
        "identifier": {"system": identifier_system, "value": transaction_id or case.case_id},
        "type": "collection",
        "timestamp": when,
        "entry": [
            {"fullUrl": f"{base_url}{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }


def pas_attachment(bundle: Mapping[str, Any]) -> Attachment:
    """The PAS Bundle as a file to embed in an archival PDF beside the case JSON.

    ``render(case, options=RenderOptions(archival=True, attachments=[pas_attachment(b)]))``
    keeps the request as sent inside the PDF/A-3 letter. Unlike the embedded case JSON, the
    Bundle holds the patient's contact details, as the payer received them.
    """
    from ..rendering import Attachment

    data = json.dumps(bundle, indent=2, ensure_ascii=False).encode("utf-8")
    return Attachment(
        name="pas-request.json",
        data=data,
        media_type="application/fhir+json",
        description="The Da Vinci PAS request Bundle sent for this case",
    )


def _letter(case: Case, pdf: bytes, n: int) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": f"document-{n}",
        "meta": {"profile": [cs.PAS + "profile-documentreference"]},
        "status": "current",
        "type": {**w.coding(cs.DOCUMENT_KIND, "request_letter"), "text": "request letter"},
        "subject": w.ref("Patient", "patient"),
        "date": f"{case.request.request_date.isoformat()}T00:00:00Z",
        "description": "Prior authorization request letter",
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "data": base64.b64encode(pdf).decode("ascii"),
                    "title": "request letter",
                }
            }
        ],
    }


def _claim(
    case: Case,
    determination: Determination | None,
    when: str,
    certification: str,
    documents: list[dict[str, Any]],
) -> dict[str, Any]:
    request = case.request
    order = sorted(range(len(case.diagnoses)), key=lambda i: not case.diagnoses[i].primary)
    diagnoses = [
        {
            "sequence": n,
            "diagnosisCodeableConcept": w.coding(cs.ICD10CM, case.diagnoses[i].code),
        }
        for n, i in enumerate(order, start=1)
    ]
    extensions: list[dict[str, Any]] = [
        {
            "url": cs.PAS + "extension-itemTraceNumber",
            "valueIdentifier": {"system": "urn:iopauth:item-trace", "value": f"{case.case_id}-1"},
        },
        {
            "url": cs.PAS + "extension-certificationType",
            "valueCodeableConcept": w.coding(cs.X12_CERTIFICATION_TYPE, certification),
        },
        {
            "url": cs.PAS + "extension-requestedService",
            "valueReference": w.ref("ServiceRequest", "service-request"),
        },
    ]
    if request.authorization_number:
        extensions.append(
            {
                "url": cs.PAS + "extension-authorizationNumber",
                "valueString": request.authorization_number,
            }
        )
    unit_code, unit = w.UNITS[request.unit_type]
    item: dict[str, Any] = {
        "extension": extensions,
        "sequence": 1,
        "diagnosisSequence": [d["sequence"] for d in diagnoses],
        "productOrService": w.coding(w.service_system(request.service_code), request.service_code),
        "servicedPeriod": {
            "start": request.period.start.isoformat(),
            "end": request.period.end.isoformat() if request.period.end else None,
        },
        "quantity": {
            "value": case.requested_units,
            "unit": unit,
            "system": cs.UCUM,
            "code": unit_code,
        },
    }
    item["servicedPeriod"] = {k: v for k, v in item["servicedPeriod"].items() if v}
    if request.revenue_code:
        item["revenue"] = w.coding(cs.REVENUE, request.revenue_code)
    supporting: list[dict[str, Any]] = [
        {
            "sequence": 1,
            "category": w.coding(cs.PAS_CODES, "patientEvent"),
            "timingPeriod": item["servicedPeriod"],
        }
    ]
    for doc in documents:
        supporting.append(
            {
                "sequence": len(supporting) + 1,
                "category": w.coding(cs.PAS_CODES, "additionalInformation"),
                "valueReference": w.ref("DocumentReference", doc["id"]),
            }
        )
    if determination is not None:
        message = (
            f"Medical-necessity criteria {determination.criteria_set} "
            f"{determination.criteria_version} ({determination.review} review): "
            f"{determination.outcome.value.replace('_', ' ')}."
        )
        supporting.append(
            {
                "sequence": len(supporting) + 1,
                "category": w.coding(cs.PAS_CODES, "freeFormMessage"),
                "valueString": message,
            }
        )
    item["informationSequence"] = [s["sequence"] for s in supporting]
    care_team = [
        {"sequence": n, "provider": w.ref("Practitioner", f"practitioner-{n}")}
        for n, c in enumerate(case.clinicians, start=1)
        if c.npi
    ]
    claim: dict[str, Any] = {
        "resourceType": "Claim",
        "id": "claim",
        "meta": {"profile": [cs.PAS_CLAIM]},
        "identifier": [{"system": "urn:iopauth:case-id", "value": case.case_id}],
        "status": "active",
        "type": w.coding(
            cs.CLAIM_TYPE, "institutional" if request.revenue_code else "professional"
        ),
        "use": "preauthorization",
        "patient": w.ref("Patient", "patient"),
        "created": when,
        "insurer": w.ref("Organization", "payer"),
        "provider": w.ref("Organization", "program"),
        "priority": w.coding(
            _PROCESS_PRIORITY, "stat" if request.urgency is Urgency.EXPEDITED else "normal"
        ),
        "careTeam": care_team,
        "supportingInfo": supporting,
        "diagnosis": diagnoses,
        "insurance": [{"sequence": 1, "focal": True, "coverage": w.ref("Coverage", "coverage")}],
        "item": [item],
    }
    return {k: v for k, v in claim.items() if v != []}
