"""The PAS Claim of a request: items, supporting information, care team and diagnoses.

Rule sources are lines of the HL7/davinci-pas FSH (``data/pas-profiles.json``); the shapes
follow the IG's own examples (``tests/data/pas-ig/examples``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from attrs import frozen

from ..model import Case, Urgency
from . import _systems as cs
from . import _write as w
from ._pas_codes import ELECTRONIC, URGENT, PasCodes
from ._pas_parts import quantity

if TYPE_CHECKING:
    from ..criteria import Determination
    from ..model import DocumentKind

__all__ = ["Attached", "claim", "item"]

_PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"


@frozen
class Attached:
    """A DocumentReference in the Bundle and the document kind it carries (None: the letter).

    ``resource_type`` and ``report_type`` are for other supporting resources (a DTR
    QuestionnaireResponse, Claim.fsh:219): the type referenced and its PWK01 code.
    """

    id: str
    kind: DocumentKind | None
    description: str
    resource_type: str = "DocumentReference"
    report_type: str | None = None


def _ext(name: str, **value: Any) -> dict[str, Any]:
    return {"url": cs.PAS + name, **value}


def _concept(name: str, system: str, code: str) -> dict[str, Any]:
    return _ext(name, valueCodeableConcept=w.coding(system, code))


def item(case: Case, codes: PasCodes, certification: str, sequence: int = 1) -> dict[str, Any]:
    """The Claim item of the requested service.

    ``category`` is the X12 UM03 service type (1..1, Claim.fsh:205; required binding,
    Claim.fsh:112), ``locationCodeableConcept`` the place of service (1..1, Claim.fsh:208),
    ``requestType`` (UM01) and ``certificationType`` (UM02) 1..1 each (Claim.fsh:194-195).
    """
    request = case.request
    extensions = [
        _ext(
            "extension-itemTraceNumber",
            valueIdentifier={"system": "urn:iopauth:item-trace", "value": f"{case.case_id}-1"},
        ),
    ]
    if request.authorization_number:
        extensions.append(
            _ext("extension-authorizationNumber", valueString=request.authorization_number)
        )
    extensions += [
        _concept("extension-serviceItemRequestType", cs.X12_REQUEST_TYPE, codes.request_type),
        _concept("extension-certificationType", cs.X12_CERTIFICATION_TYPE, certification),
        _ext(
            "extension-requestedService", valueReference=w.ref("ServiceRequest", "service-request")
        ),
    ]
    period = {"start": request.period.start.isoformat()}
    if request.period.end:
        period["end"] = request.period.end.isoformat()
    out: dict[str, Any] = {"extension": extensions, "sequence": sequence}
    if request.revenue_code:
        out["revenue"] = w.coding(cs.REVENUE, request.revenue_code)
    out["category"] = w.coding(cs.X12_SERVICE_TYPE, str(codes.service_type))
    out["productOrService"] = w.coding(w.service_system(request.service_code), request.service_code)
    out["servicedPeriod"] = period
    out["locationCodeableConcept"] = w.coding(cs.PLACE_OF_SERVICE, str(codes.place(case)))
    out["quantity"] = quantity(case, codes)
    return out


def _document_information(report_type: str, description: str) -> dict[str, Any]:
    """``documentInformation`` (1..1 on every additionalInformation entry, Claim.fsh:215)."""
    return _ext(
        "extension-documentInformation",
        extension=[
            {
                "url": "reportTypeCode",
                "valueCodeableConcept": w.coding(cs.X12_REPORT_TYPE, report_type),
            },
            {
                "url": "transmissionMethod",
                "valueCodeableConcept": w.coding(cs.X12_TRANSMISSION, ELECTRONIC),
            },
            {"url": "description", "valueString": description},
        ],
    )


def _supporting(
    case: Case,
    codes: PasCodes,
    attached: Sequence[Attached],
    messages: Sequence[str],
) -> list[dict[str, Any]]:
    """patientEvent (the requested dates), additionalInformation, freeFormMessage entries.

    Categories are PASTempCodes, fixed per slice (Claim.fsh:137, :214, :237).
    """
    request = case.request
    period = {"start": request.period.start.isoformat()}
    if request.period.end:
        period["end"] = request.period.end.isoformat()
    out: list[dict[str, Any]] = [
        {"sequence": 1, "category": w.coding(cs.PAS_CODES, "patientEvent"), "timingPeriod": period}
    ]
    for doc in attached:
        report = doc.report_type or codes.report_type(doc.kind)
        out.append(
            {
                "extension": [_document_information(str(report), doc.description)],
                "sequence": len(out) + 1,
                "category": w.coding(cs.PAS_CODES, "additionalInformation"),
                "valueReference": w.ref(doc.resource_type, doc.id),
            }
        )
    for text in messages:
        out.append(
            {
                "sequence": len(out) + 1,
                "category": w.coding(cs.PAS_CODES, "freeFormMessage"),
                "valueString": text,
            }
        )
    return out


def messages(case: Case, determination: Determination | None, sent: set[int]) -> list[str]:
    """Free-form lines to the reviewer: criteria that are met, and documents not attached.

    The criteria line is sent only when the case meets them: iopauth's own finding that a case
    does not meet, or lacks information, is for the program to act on, never a message to the
    payer (the same rule as a final letter's "we reviewed against" sentence, docs/templates.md).
    """
    out: list[str] = []
    if determination is not None and determination.outcome.value == "meets":
        out.append(
            f"Medical-necessity criteria {determination.criteria_set} "
            f"{determination.criteria_version} ({determination.review} review): "
            f"{determination.outcome.value.replace('_', ' ')}."
        )
    unsent = [d for i, d in enumerate(case.request.documents) if i not in sent]
    if unsent:
        names = "; ".join(
            (d.title or d.kind.value.replace("_", " "))
            + (f" dated {d.dated.isoformat()}" if d.dated else "")
            for d in unsent
        )
        out.append(f"Documents on file and available on request: {names}.")
    return out


def _care_team(case: Case, codes: PasCodes) -> list[dict[str, Any]]:
    """Each clinician with an NPI as a PAS PractitionerRole on the whole claim.

    ``provider`` a PASPractitionerRole (Claim.fsh:37); ``careTeamClaimScope`` 1..1, true for the
    OverallClaimMember slice (Claim.fsh:45-47); ``role`` (NM101) and ``qualification`` (PRV03)
    only when you gave the X12 codes (must-support, required bindings Claim.fsh:56, :59).
    """
    out: list[dict[str, Any]] = []
    for n, c in enumerate(case.clinicians, start=1):
        if not c.npi:
            continue
        member: dict[str, Any] = {
            "extension": [_ext("extension-careTeamClaimScope", valueBoolean=True)],
            "sequence": len(out) + 1,
            "provider": w.ref("PractitionerRole", f"role-{n}"),
        }
        if c.role in codes.care_team_roles:
            member["role"] = w.coding(cs.X12_ENTITY, codes.care_team_roles[c.role])
        if c.role in codes.qualifications:
            member["qualification"] = w.coding(cs.X12_PROVIDER_CODE, codes.qualifications[c.role])
        out.append(member)
    return out


def _diagnoses(case: Case) -> list[dict[str, Any]]:
    """ICD-10-CM diagnoses, primary first; ``type`` principal for the primary one.

    ``diagnosis.type`` is bound to X12278DiagnosisType (PASTempCodes admitting, principal,
    patientreasonforvisit; Claim.fsh:77): only the primary diagnosis has a fitting code.
    """
    order = sorted(range(len(case.diagnoses)), key=lambda i: not case.diagnoses[i].primary)
    out = []
    for n, i in enumerate(order, start=1):
        dx: dict[str, Any] = {
            "sequence": n,
            "diagnosisCodeableConcept": w.coding(cs.ICD10CM, case.diagnoses[i].code),
        }
        if case.diagnoses[i].primary:
            dx["type"] = [w.coding(cs.PAS_CODES, "principal")]
        out.append(dx)
    return out


def claim(
    case: Case,
    codes: PasCodes,
    *,
    when: str,
    certification: str,
    attached: Sequence[Attached],
    notes: Sequence[str],
) -> dict[str, Any]:
    """The PAS Claim (profile-claim) asking for the case's request."""
    request = case.request
    line = item(case, codes, certification)
    supporting = _supporting(case, codes, attached, notes)
    line["informationSequence"] = [s["sequence"] for s in supporting]
    diagnoses = _diagnoses(case)
    line["diagnosisSequence"] = [d["sequence"] for d in diagnoses]
    care_team = _care_team(case, codes)
    if care_team:
        line["careTeamSequence"] = [m["sequence"] for m in care_team]
    expedited = request.urgency is Urgency.EXPEDITED
    out: dict[str, Any] = {
        "resourceType": "Claim",
        "id": "claim",
        "meta": {"profile": [cs.PAS_CLAIM]},
    }
    if expedited:
        # levelOfServiceType (UM06, must-support, Claim.fsh:8): U Urgent (Examples.fsh:34)
        out["extension"] = [
            _concept("extension-levelOfServiceCode", cs.X12_LEVEL_OF_SERVICE, URGENT)
        ]
    out |= {
        "identifier": [{"system": cs.CASE_ID, "value": case.case_id}],
        "status": "active",
        "type": w.coding(
            cs.CLAIM_TYPE, "institutional" if request.revenue_code else "professional"
        ),
        "use": "preauthorization",
        "patient": w.ref("Patient", "patient"),
        "created": when,
        "insurer": w.ref("Organization", "payer"),
        "provider": w.ref("Organization", "program"),
        "priority": w.coding(_PROCESS_PRIORITY, "stat" if expedited else "normal"),
        "careTeam": care_team,
        "supportingInfo": supporting,
        "diagnosis": diagnoses,
        "insurance": [{"sequence": 1, "focal": True, "coverage": w.ref("Coverage", "coverage")}],
        "item": [line],
    }
    return {k: v for k, v in out.items() if v != []}
