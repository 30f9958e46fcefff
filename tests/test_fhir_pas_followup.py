"""Inquiry, update and cancel Bundles beside the IG's own inquiry and update examples.

IG: PASClaimInquiryBundleExample (Examples.fsh:494-544) and
HomecareAuthorizationUpdateBundleExample (Examples.fsh:383-444), in tests/data/pas-ig/examples.
Rules: src/iopauth/fhir/data/pas-profiles.json via tests/pas_rules.py. Shape, not bytes.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings

from iopauth import load_case
from iopauth.errors import FhirError
from iopauth.fhir import pas_cancel, pas_inquiry, pas_request, pas_update
from iopauth.model import Case

from .pas_options import CODES, TIMESTAMP, options
from .pas_rules import bundle_problems, rule
from .strategies import cases

HERE = Path(__file__).resolve().parent
CASE = HERE.parent / "examples" / "cases" / "medicare-stepdown-depression.json"
IG = HERE / "data" / "pas-ig" / "examples"
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
LATER = TIMESTAMP + timedelta(days=3)


def _ig(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((IG / f"{name}.json").read_text())
    return loaded


def _shape(bundle: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Entry resource types and profiles, in order."""
    return [
        (e["resource"]["resourceType"], e["resource"].get("meta", {}).get("profile", []))
        for e in bundle["entry"]
    ]


def _urls(node: dict[str, Any], key: str = "extension") -> list[str]:
    return [e["url"] for e in node.get(key, [])]


def _sent() -> tuple[Case, dict[str, Any]]:
    case = load_case(CASE)
    return case, pas_request(case, **options())


def test_inquiry_has_the_shape_of_the_ig_inquiry_bundle() -> None:
    """A PASInquiryRequestBundle: the PASClaimInquiry first, then requestor, insurer, coverage,
    patient, as PASClaimInquiryBundleExample; every rule it can break holds.

    Rules: PASInquiryRequestBundle "entry[Claim] 1..1" and "resource only PASClaimInquiry"
    (input/fsh/Bundle.fsh:44, :46); PASClaimInquiry "identifier 1..1" (input/fsh/Claim.fsh:282).
    """
    case, _ = _sent()
    bundle = pas_inquiry(case, timestamp=TIMESTAMP, codes=CODES, authorization_number="A-1")
    Bundle.model_validate(bundle)
    ig = _ig("PASClaimInquiryBundleExample")
    assert bundle["meta"] == ig["meta"]
    ours = _shape(bundle)
    theirs = _shape(ig)
    assert [t for t, _ in ours] == [t for t, _ in theirs]
    assert [p for _, p in ours][:4] == [p for _, p in theirs][:4]  # the IG's patient: PASSubscriber
    assert bundle_problems(bundle) == []
    assert rule("PASClaimInquiry", "Claim.identifier", "min")["source"] == "input/fsh/Claim.fsh:282"
    claim = bundle["entry"][0]["resource"]
    item, ig_item = claim["item"][0], ig["entry"][0]["resource"]["item"][0]
    assert set(_urls(ig_item)) <= set(_urls(item))
    assert PAS + "extension-authorizationNumber" in _urls(item)
    assert claim["created"] == bundle["timestamp"] == "2026-06-05T14:30:00Z"


def test_update_has_the_shape_of_the_ig_update_bundle() -> None:
    """A PASClaimUpdate first, ``related`` = the prior Claim, the original Claim last; a changed
    item is marked ``infoChanged`` changed (Claim-update.fsh:244), as in the IG's update example.

    Rules: PASRequestBundle "entry[Claim] 1..2" (input/fsh/Bundle.fsh:21); PASClaimUpdate
    "related 1..1", "related.relationship = ex-relatedclaimrelationship#prior"
    (input/fsh/Claim-update.fsh:248, :250).
    """
    case, sent = _sent()
    assert case.request.period.end is not None
    period = attrs.evolve(case.request.period, end=case.request.period.end + timedelta(days=7))
    later = attrs.evolve(case, request=attrs.evolve(case.request, period=period))
    bundle = pas_update(later, sent, timestamp=LATER, codes=CODES, subscriber_id="SUB-0001")
    Bundle.model_validate(bundle)
    ig = _ig("HomecareAuthorizationUpdateBundleExample")
    first, last = bundle["entry"][0]["resource"], bundle["entry"][-1]["resource"]
    ig_first, ig_last = ig["entry"][0]["resource"], ig["entry"][-1]["resource"]
    assert first["meta"] == ig_first["meta"]
    assert last["meta"] == ig_last["meta"]
    assert last == sent["entry"][0]["resource"]
    assert first["related"][0]["relationship"] == ig_first["related"][0]["relationship"]
    assert first["related"][0]["claim"] == {"reference": f"Claim/{last['id']}"}
    assert first["identifier"][0]["value"] != last["identifier"][0]["value"]
    item = first["item"][0]
    assert item["extension"][0] == ig_first["item"][1]["extension"][0]  # infoChanged changed
    assert item["servicedPeriod"]["end"] == "2026-07-13"
    assert bundle["timestamp"] == first["created"] == "2026-06-08T14:30:00Z"
    assert bundle["identifier"]["value"] != sent["identifier"]["value"]
    assert bundle_problems(bundle) == []


def test_update_of_an_unchanged_case_marks_nothing() -> None:
    """Nothing changed, nothing marked: an infoChanged extension only where the Claim differs."""
    case, sent = _sent()
    bundle = pas_update(case, sent, timestamp=LATER, codes=CODES)
    claim = bundle["entry"][0]["resource"]
    for element in [*claim["item"], *claim["supportingInfo"]]:
        assert PAS + "extension-infoChanged" not in _urls(element)


def test_cancel_cancels_every_item_as_the_ig_cancels_one() -> None:
    """Each item: infoChanged changed, modifier infoCancelled true, certification type 3 Cancel
    (HomecareAuthorizationUpdateExample item 2); the Claim stays ``active``.

    Rules: "item.modifierExtension[infoCancelledFlag]" (input/fsh/Claim-update.fsh:246);
    PASClaimBase "status = #active" (input/fsh/Claim.fsh:22).
    """
    _, sent = _sent()
    bundle = pas_cancel(sent, timestamp=LATER)
    Bundle.model_validate(bundle)
    claim = bundle["entry"][0]["resource"]
    ig_item = _ig("HomecareAuthorizationUpdateExample")["item"][1]
    for item in claim["item"]:
        assert item["modifierExtension"] == ig_item["modifierExtension"]
        assert item["extension"][0] == ig_item["extension"][0]
        cert = next(e for e in item["extension"] if e["url"] == PAS + "extension-certificationType")
        ig_cert = next(
            e for e in ig_item["extension"] if e["url"] == PAS + "extension-certificationType"
        )
        assert cert["valueCodeableConcept"]["coding"][0] == {
            k: v for k, v in ig_cert["valueCodeableConcept"]["coding"][0].items() if k != "display"
        }
    assert claim["status"] == "active"
    assert bundle["entry"][-1]["resource"] == sent["entry"][0]["resource"]
    assert bundle_problems(bundle) == []
    assert [t for t, _ in _shape(bundle)][1:-1] == [t for t, _ in _shape(sent)][1:]


def test_cancel_for_the_reference_implementation_sends_status_cancelled() -> None:
    """``status_cancelled=True`` sends what the RI cancels on (interop.md §2), breaking the
    profile's fixed status (input/fsh/Claim.fsh:22), which the rule reader then reports."""
    _, sent = _sent()
    bundle = pas_cancel(sent, timestamp=LATER, status_cancelled=True)
    assert bundle["entry"][0]["resource"]["status"] == "cancelled"
    assert any("Claim.status: must be" in line for line in bundle_problems(bundle))


def test_update_and_cancel_refuse_what_is_not_the_sent_request() -> None:
    """An original without its Claim first is an error naming the rule, not a traceback."""
    case, sent = _sent()
    broken = copy.deepcopy(sent)
    broken["entry"] = broken["entry"][1:]
    with pytest.raises(FhirError) as caught:
        pas_cancel(broken, timestamp=LATER)
    assert caught.value.errors == (
        "original.entry[0].resource: must be the request's Claim (ClaimFirst)",
    )
    with pytest.raises(FhirError):
        pas_update(case, {"resourceType": "Bundle"}, timestamp=LATER, codes=CODES)


def test_inquiry_for_a_dependant_names_the_subscriber() -> None:
    """A dependant's inquiry Coverage names the subscriber (invariant self-beneficiary,
    input/fsh/Coverage.fsh:29), or the inquiry is refused naming ``subscriber_id``."""
    case = load_case(CASE.parent / "commercial-adolescent-appeal.json")
    bundle = pas_inquiry(case, timestamp=TIMESTAMP, codes=CODES, subscriber_id="SUB-0001")
    assert bundle_problems(bundle) == []
    coverage = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Coverage"
    )
    assert coverage["subscriber"]["identifier"]["value"] == "SUB-0001"
    with pytest.raises(FhirError) as caught:
        pas_inquiry(case, timestamp=TIMESTAMP, codes=CODES)
    assert caught.value.errors[0].startswith("subscriber_id: required")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_any_case_gives_inquiry_update_and_cancel_bundles_keeping_the_rules(case: Case) -> None:
    """For every valid case: the inquiry, an update of the unchanged request (nothing marked)
    and a cancel parse with R4B and break no rule the reader applies."""
    sent = pas_request(case, **options())
    inquiry = pas_inquiry(case, timestamp=TIMESTAMP, codes=CODES, subscriber_id="SUB-0001")
    update = pas_update(case, sent, **options(timestamp=LATER))
    cancel = pas_cancel(sent, timestamp=LATER)
    for bundle in (inquiry, update, cancel):
        Bundle.model_validate(bundle)
        assert bundle_problems(bundle) == []
    claim = update["entry"][0]["resource"]
    assert not any(
        PAS + "extension-infoChanged" in _urls(e)
        for e in [*claim["item"], *claim["supportingInfo"]]
    )
