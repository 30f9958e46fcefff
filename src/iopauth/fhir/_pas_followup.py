"""After the request: an inquiry (``$inquire``), an update and a cancel, as the IG shows them.

Modelled on the IG's own examples: ``PASClaimInquiryBundleExample`` (Examples.fsh:494-544) and
``HomecareAuthorizationUpdateBundleExample`` (Examples.fsh:383-444). An update or a cancel is a
PAS request Bundle whose first Claim is a PASClaimUpdate (``related`` = the prior Claim,
Claim-update.fsh:248-251) and whose last entry is the original Claim; a cancelled item carries
``infoChanged = changed``, the modifier ``infoCancelled = true`` and the certification type
3 "Cancel" (Examples.fsh:430-438).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..caseformat.validity import validate_case
from ..errors import FhirError
from ..model import Case
from . import _pas_parts as parts
from . import _systems as cs
from . import _write as w
from ._pas import bundle, pas_request, require_subscriber, stamp, submission_suffix
from ._pas_changes import (
    cancel,
    item_changes,
    original_claim,
    resources_by_reference,
    sent_elements,
    supporting_changes,
    update_claim,
)
from ._pas_codes import PasCodes

if TYPE_CHECKING:
    from ..criteria import Determination
    from ._crd import CoverageInformation

__all__ = ["pas_cancel", "pas_inquiry", "pas_update"]

_CERTIFICATION = cs.PAS + "extension-certificationType"


def pas_inquiry(
    case: Case,
    *,
    timestamp: datetime,
    codes: PasCodes | None = None,
    authorization_number: str | None = None,
    base_url: str = "http://example.org/fhir/",
    identifier_system: str = "urn:iopauth:submission",
    transaction_id: str | None = None,
    subscriber_id: str | None = None,
) -> dict[str, Any]:
    """The PAS inquiry Bundle (PASInquiryRequestBundle) to POST to ``Claim/$inquire``.

    A query by example: a PASClaimInquiry with the patient, payer, program, coverage and the
    service asked about, its period and, when known, the authorization number
    (``authorization_number``, else the case's). ``timestamp`` as for :func:`pas_request`.
    ``codes`` adds the UM03 service type and UM02 certification type when you have them
    (PASClaimInquiry does not require them). ``subscriber_id``: as for :func:`pas_request`,
    needed when the patient is a dependant.
    """
    validate_case(case)
    when = stamp(timestamp)
    require_subscriber(case, subscriber_id)
    codes = codes or PasCodes()
    request = case.request
    line: dict[str, Any] = {
        "extension": [
            {
                "url": cs.PAS + "extension-serviceItemRequestType",
                "valueCodeableConcept": w.coding(cs.X12_REQUEST_TYPE, codes.request_type),
            }
        ],
        "sequence": 1,
    }
    certification = codes.certification(case)
    if certification:
        line["extension"].append(
            {
                "url": _CERTIFICATION,
                "valueCodeableConcept": w.coding(cs.X12_CERTIFICATION_TYPE, certification),
            }
        )
    number = authorization_number or request.authorization_number
    if number:
        line["extension"].append(
            {"url": cs.PAS + "extension-authorizationNumber", "valueString": number}
        )
    if codes.service_type:
        line["category"] = w.coding(cs.X12_SERVICE_TYPE, codes.service_type)
    line["productOrService"] = w.coding(
        w.service_system(request.service_code), request.service_code
    )
    period = {"start": request.period.start.isoformat()}
    if request.period.end:
        period["end"] = request.period.end.isoformat()
    line["servicedPeriod"] = period
    inquiry = {
        "resourceType": "Claim",
        "id": "claim-inquiry",
        "meta": {"profile": [cs.PAS_CLAIM_INQUIRY]},
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
        "priority": w.coding(
            "http://terminology.hl7.org/CodeSystem/processpriority",
            "stat" if request.urgency.value == "expedited" else "normal",
        ),
        "insurance": [{"sequence": 1, "focal": True, "coverage": w.ref("Coverage", "coverage")}],
        "item": [line],
    }
    resources = [
        inquiry,
        parts.requestor(case, codes),
        parts.insurer(case),
        parts.coverage(case, codes, subscriber_id),
        w.patient(case, cs.PAS + "profile-beneficiary"),
    ]
    tid = transaction_id or f"{case.case_id}-inquiry-{submission_suffix(when)}"
    return bundle(
        resources,
        profile=cs.PAS_INQUIRY_BUNDLE,
        identifier={"system": identifier_system, "value": tid},
        when=when,
        base_url=base_url,
    )


def pas_update(
    case: Case,
    original: Mapping[str, Any],
    determination: Determination | None = None,
    *,
    timestamp: datetime,
    codes: PasCodes,
    base_url: str = "http://example.org/fhir/",
    identifier_system: str = "urn:iopauth:submission",
    transaction_id: str | None = None,
    letter_pdf: bytes | None = None,
    documents: Mapping[int, bytes] | None = None,
    subscriber_id: str | None = None,
    questionnaire_responses: Sequence[Mapping[str, Any]] = (),
    coverage_information: CoverageInformation | None = None,
) -> dict[str, Any]:
    """A PAS request Bundle updating ``original`` (the request Bundle you sent) to the case.

    The case as it is now is built as by :func:`pas_request` with the same options, its Claim
    becomes a PASClaimUpdate whose ``related`` names the original Claim, and the original Claim
    is the last entry (as in the IG's update example). An item that differs from the
    original's (same ``sequence``), or whose ServiceRequest does, is marked ``infoChanged``
    changed, a new one added, one the case no longer has cancelled. A supportingInfo entry the
    original had keeps its ``sequence`` (changed when it, or the resource it names, differs); a
    new one, such as a ``questionnaire_responses`` answer sent after the request, gets the next
    free number and ``added``; one no longer sent is cancelled, and the resource it named stays
    in the Bundle so every reference resolves. ``questionnaire_responses`` go as PAS
    ``additionalInformation`` and ``coverage_information`` on the ServiceRequest, exactly as
    for :func:`pas_request`.
    """
    prior, _ = original_claim(original)
    when = stamp(timestamp)
    tid = transaction_id or f"{case.case_id}-update-{submission_suffix(when)}"
    fresh = pas_request(
        case,
        determination,
        timestamp=timestamp,
        codes=codes,
        base_url=base_url,
        identifier_system=identifier_system,
        transaction_id=tid,
        letter_pdf=letter_pdf,
        documents=documents,
        subscriber_id=subscriber_id,
        questionnaire_responses=questionnaire_responses,
        coverage_information=coverage_information,
    )
    before = resources_by_reference(original.get("entry", []))
    after = resources_by_reference(fresh["entry"])
    claim = update_claim(prior, fresh["entry"][0]["resource"], when)
    supporting_changes(sent_elements(prior, "supportingInfo"), claim, before, after)
    claim["item"] = item_changes(sent_elements(prior, "item"), claim["item"], before, after)
    fresh["entry"][0] = {"fullUrl": f"{base_url}Claim/{claim['id']}", "resource": claim}
    # what only the original sent (a document, an answered questionnaire): its cancelled
    # entry and the original Claim still name it (interop.md §2: references resolve)
    kept = [r for key, r in before.items() if key not in after and key != f"Claim/{prior['id']}"]
    fresh["entry"] += [
        {"fullUrl": f"{base_url}{r['resourceType']}/{r['id']}", "resource": r}
        for r in [*kept, prior]
    ]
    return fresh


def pas_cancel(
    original: Mapping[str, Any],
    *,
    timestamp: datetime,
    transaction_id: str | None = None,
    status_cancelled: bool = False,
) -> dict[str, Any]:
    """A PAS request Bundle cancelling every item of ``original`` (the request Bundle you sent).

    Each item gets ``infoChanged`` changed, the modifier ``infoCancelled`` true and the
    certification type 3 "Cancel", as the IG's update example cancels an item
    (Examples.fsh:430-438). The Claim's ``status`` stays ``active``, as PASClaimBase fixes it
    (Claim.fsh:22); ``status_cancelled=True`` sends ``cancelled`` instead, for the reference
    implementation, which cancels on that status (interop.md §2) but breaks the profile.
    """
    when = stamp(timestamp)
    prior, others = original_claim(original)
    sent_elements(prior, "item")
    claim = update_claim(prior, prior, when)
    for element in claim.get("item", []):
        cancel(element)
    if status_cancelled:
        claim["status"] = "cancelled"
    raw = original.get("identifier")
    ident: dict[str, Any] = raw if isinstance(raw, dict) else {}
    system = str(ident.get("system", "urn:iopauth:submission"))
    tid = transaction_id or f"{ident.get('value', prior['id'])}-cancel-{submission_suffix(when)}"
    first = str(original["entry"][0].get("fullUrl", ""))
    base = first.rsplit("Claim/", 1)[0] if "Claim/" in first else "http://example.org/fhir/"
    resources: list[dict[str, Any]] = [
        e["resource"] for e in others if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]
    if len(resources) != len(others) or not all(
        r.get("resourceType") and r.get("id") for r in resources
    ):
        raise FhirError("original.entry: every entry must hold a resource with an id")
    out = bundle(
        [claim, *resources, prior],
        profile=cs.PAS_REQUEST_BUNDLE,
        identifier={"system": system, "value": tid},
        when=when,
        base_url=base,
    )
    return out
