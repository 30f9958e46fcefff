"""After the request: an inquiry (``$inquire``), an update and a cancel, as the IG shows them.

Modelled on the IG's own examples: ``PASClaimInquiryBundleExample`` (Examples.fsh:494-544) and
``HomecareAuthorizationUpdateBundleExample`` (Examples.fsh:383-444). An update or a cancel is a
PAS request Bundle whose first Claim is a PASClaimUpdate (``related`` = the prior Claim,
Claim-update.fsh:248-251) and whose last entry is the original Claim; a cancelled item carries
``infoChanged = changed``, the modifier ``infoCancelled = true`` and the certification type
3 "Cancel" (Examples.fsh:430-438).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..caseformat.validity import validate_case
from ..errors import FhirError
from ..model import Case
from . import _pas_parts as parts
from . import _systems as cs
from . import _write as w
from ._pas import bundle, pas_request, require_subscriber, stamp, submission_suffix
from ._pas_codes import CANCEL, PasCodes

if TYPE_CHECKING:
    from ..criteria import Determination

__all__ = ["pas_cancel", "pas_inquiry", "pas_update"]

_INFO_CHANGED = cs.PAS + "extension-infoChanged"
_INFO_CANCELLED = cs.PAS + "modifierextension-infoCancelled"
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


def _original_claim(original: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The original request's Claim and its other entries (the Claim must be first)."""
    entries = original.get("entry")
    if not isinstance(entries, list) or not entries:
        raise FhirError("original: must be the PAS request Bundle you sent (it has no entries)")
    first = entries[0].get("resource") if isinstance(entries[0], dict) else None
    if not isinstance(first, dict) or first.get("resourceType") != "Claim":
        raise FhirError("original.entry[0].resource: must be the request's Claim (ClaimFirst)")
    if not first.get("id"):
        raise FhirError("original.entry[0].resource.id: required to refer to the prior Claim")
    return copy.deepcopy(first), copy.deepcopy(entries[1:])


def _update_claim(original: dict[str, Any], new: dict[str, Any], when: str) -> dict[str, Any]:
    """``new`` as a PASClaimUpdate of ``original``: related prior, new identifier, created."""
    out = copy.deepcopy(new)
    out["id"] = f"{original['id']}-update"
    out["meta"] = {"profile": [cs.PAS_CLAIM_UPDATE]}
    ident = dict((original.get("identifier") or [{}])[0])
    ident["value"] = f"{ident.get('value', original['id'])}-update-{submission_suffix(when)}"
    out["identifier"] = [ident]
    out["created"] = when
    out["related"] = [
        {
            "claim": w.ref("Claim", original["id"]),
            "relationship": w.coding(cs.RELATED_CLAIM, "prior"),
        }
    ]
    # Claim.related sits after insurance in FHIR's element order; JSON order is immaterial,
    # but keep resourceType/id/meta first for readers.
    return out


def _mark(element: dict[str, Any], change: str) -> None:
    rest = [e for e in element.get("extension", []) if e.get("url") != _INFO_CHANGED]
    element["extension"] = [{"url": _INFO_CHANGED, "valueCode": change}, *rest]


def _cancel(element: dict[str, Any]) -> None:
    _mark(element, "changed")
    for ext in element["extension"]:
        if ext.get("url") == _CERTIFICATION:
            ext["valueCodeableConcept"] = w.coding(cs.X12_CERTIFICATION_TYPE, CANCEL)
    element["modifierExtension"] = [{"url": _INFO_CANCELLED, "valueBoolean": True}]


def _changes(old: list[Any], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark each of ``new`` added or changed against ``old`` (by sequence); cancel the dropped."""
    before = {e.get("sequence"): e for e in old if isinstance(e, dict)}
    out = []
    for element in new:
        prior = before.pop(element.get("sequence"), None)
        if prior is None:
            _mark(element, "added")
        elif prior != element:
            _mark(element, "changed")
        out.append(element)
    for dropped in before.values():
        gone = copy.deepcopy(dropped)
        _cancel(gone)
        out.append(gone)
    return out


def pas_update(
    case: Case,
    original: Mapping[str, Any],
    determination: Determination | None = None,
    *,
    timestamp: datetime,
    codes: PasCodes,
    transaction_id: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """A PAS request Bundle updating ``original`` (the request Bundle you sent) to the case.

    The case as it is now is built as by :func:`pas_request` (same ``options``), its Claim
    becomes a PASClaimUpdate whose ``related`` names the original Claim, every item and
    supportingInfo entry that differs from the original's (same ``sequence``) is marked
    ``infoChanged`` changed or added, one the case no longer has is cancelled, and the
    original Claim is the last entry (as in the IG's update example).
    """
    prior, _ = _original_claim(original)
    when = stamp(timestamp)
    tid = transaction_id or f"{case.case_id}-update-{submission_suffix(when)}"
    fresh = pas_request(
        case, determination, timestamp=timestamp, codes=codes, transaction_id=tid, **options
    )
    claim = _update_claim(prior, fresh["entry"][0]["resource"], when)
    claim["item"] = _changes(prior.get("item", []), claim["item"])
    claim["supportingInfo"] = _changes(prior.get("supportingInfo", []), claim["supportingInfo"])
    base = fresh["entry"][0]["fullUrl"].rsplit("Claim/", 1)[0]
    fresh["entry"][0] = {"fullUrl": f"{base}Claim/{claim['id']}", "resource": claim}
    fresh["entry"].append({"fullUrl": f"{base}Claim/{prior['id']}", "resource": prior})
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
    prior, others = _original_claim(original)
    claim = _update_claim(prior, prior, when)
    for element in claim.get("item", []):
        _cancel(element)
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
