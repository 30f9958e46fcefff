"""An update carrying what CRD and DTR gave after the request, and what it marks changed.

PASClaimUpdate inserts the same CommonClaimElements as PASClaim (HL7/davinci-pas
``input/fsh/Claim-update.fsh:236``), so an answered questionnaire goes in its
``supportingInfo[AdditionalInformation]`` (Claim.fsh:214-219) and the payer's coverage
assertion on the PASServiceRequest (Request.fsh:24), as in a request. Fixtures: the DTR guide's
completed QuestionnaireResponse (tests/data/dtr/PROVENANCE.md), the CRD answers
(tests/data/crd/PROVENANCE.md; ``iop-response-ours.json`` is ours, the pa-needed one).
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

from iopauth import fhir, load_case
from iopauth.errors import FhirError
from iopauth.model import Case

from .pas_options import CODES, TIMESTAMP, options
from .pas_rules import bundle_problems, rule
from .strategies import cases

DATA = Path(__file__).parent / "data"
CASE = load_case(
    Path(__file__).parent.parent / "examples" / "cases" / "medicare-stepdown-depression.json"
)
QR = json.loads((DATA / "dtr" / "questionnaireresponse-home-o2.json").read_text())
WITH_QR = attrs.evolve(CODES, questionnaire_report_type="X-questionnaire")
LATER = TIMESTAMP + timedelta(days=3)
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
INFO = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"
QR_REF = {"reference": f"QuestionnaireResponse/{QR['id']}"}


def _changed(element: dict[str, Any]) -> str | None:
    return next(
        (
            e["valueCode"]
            for e in element.get("extension", [])
            if e["url"] == PAS + "extension-infoChanged"
        ),
        None,
    )


def _cancelled(element: dict[str, Any]) -> bool:
    return any(
        e["url"] == PAS + "modifierextension-infoCancelled"
        for e in element.get("modifierExtension", [])
    )


def _by_reference(claim: dict[str, Any], ref: dict[str, str]) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        s for s in claim["supportingInfo"] if s.get("valueReference") == ref
    ]
    assert len(found) == 1, found
    return found[0]


def _clean(bundle: dict[str, Any]) -> None:
    Bundle.model_validate(bundle)
    assert fhir.pas_problems(bundle) == []
    assert bundle_problems(bundle) == []


def test_an_update_adds_the_answered_questionnaire_as_additional_information() -> None:
    """Answered after the request: the QR is an entry and an AdditionalInformation
    supportingInfo (category, PWK01 documentInformation, valueReference) marked ``added`` under
    the next free sequence; the entries the request had keep their numbers, unmarked; the item
    lists the new number."""
    sent = fhir.pas_request(CASE, **options())
    update = fhir.pas_update(
        CASE, sent, **options(timestamp=LATER, codes=WITH_QR, questionnaire_responses=[QR])
    )
    _clean(update)
    claim, prior = update["entry"][0]["resource"], sent["entry"][0]["resource"]
    assert claim["meta"]["profile"] == [PAS + "profile-claim-update"]
    kinds = [e["resource"]["resourceType"] for e in update["entry"]]
    assert kinds.count("QuestionnaireResponse") == 1
    assert next(e["resource"] for e in update["entry"] if e["resource"]["id"] == QR["id"]) == QR
    info = _by_reference(claim, QR_REF)
    # the update profile's own slice (CommonClaimElements, Claim.fsh:214, :218) takes a QR
    slot = "Claim.supportingInfo[AdditionalInformation]"
    assert info["category"] == rule("PASClaimUpdate", f"{slot}.category", "pattern")["pattern"]
    targets = rule("PASClaimUpdate", f"{slot}.value[x]", "types")["types"][0]["targets"]
    assert "QuestionnaireResponse" in {t["resource_type"] for t in targets}
    (document,) = [
        e for e in info["extension"] if e["url"] == PAS + "extension-documentInformation"
    ]
    assert {e["url"]: e for e in document["extension"]}["reportTypeCode"]["valueCodeableConcept"][
        "coding"
    ][0]["code"] == "X-questionnaire"
    assert _changed(info) == "added"
    assert info["sequence"] == len(prior["supportingInfo"]) + 1
    for old in prior["supportingInfo"]:
        (same,) = [s for s in claim["supportingInfo"] if s["sequence"] == old["sequence"]]
        assert same == old
    item = claim["item"][0]
    assert item["informationSequence"] == [
        *prior["item"][0]["informationSequence"],
        info["sequence"],
    ]
    assert _changed(item) == "changed"


def test_an_update_from_a_pa_needed_crd_answer_quotes_the_assertion_id() -> None:
    """The payer's CRD said prior authorization is needed (pa-needed ``auth-needed``): the
    update's ServiceRequest carries its coverage-information with the assertion id, and the item
    asking for that service is marked changed."""
    (information,) = fhir.coverage_requirements(DATA / "crd" / "iop-response-ours.json").coverage
    assert information.pa_needed == "auth-needed"
    sent = fhir.pas_request(CASE, **options())
    update = fhir.pas_update(
        CASE, sent, **options(timestamp=LATER, coverage_information=information)
    )
    _clean(update)
    (order,) = [
        e["resource"] for e in update["entry"] if e["resource"]["resourceType"] == "ServiceRequest"
    ]
    (ext,) = [e for e in order["extension"] if e["url"] == INFO]
    parts = {p["url"]: p for p in ext["extension"]}
    assert parts["coverage-assertion-id"]["valueString"] == "IOP-CRD-0001"
    assert parts["coverage"]["valueReference"] == {"reference": "Coverage/coverage"}
    claim = update["entry"][0]["resource"]
    assert _changed(claim["item"][0]) == "changed"
    assert not any(_changed(s) for s in claim["supportingInfo"])


def test_an_update_sending_the_same_answers_and_assertion_marks_nothing() -> None:
    """The request already carried the QR and the assertion: an update of the same case with
    the same ones marks no item and no supportingInfo."""
    (information,) = fhir.coverage_requirements(DATA / "crd" / "iop-response-ours.json").coverage
    given = {"codes": WITH_QR, "questionnaire_responses": [QR], "coverage_information": information}
    sent = fhir.pas_request(CASE, **options(**given))
    update = fhir.pas_update(CASE, sent, **options(timestamp=LATER, **given))
    _clean(update)
    claim = update["entry"][0]["resource"]
    assert not any(_changed(e) for e in [*claim["item"], *claim["supportingInfo"]])
    assert claim["supportingInfo"] == sent["entry"][0]["resource"]["supportingInfo"]


def test_a_questionnaire_answered_again_is_changed_under_its_number() -> None:
    """The same QR id, amended answers: its supportingInfo keeps its sequence, marked changed."""
    sent = fhir.pas_request(CASE, **options(codes=WITH_QR, questionnaire_responses=[QR]))
    amended = copy.deepcopy(QR)
    amended["status"] = "amended"
    update = fhir.pas_update(
        CASE, sent, **options(timestamp=LATER, codes=WITH_QR, questionnaire_responses=[amended])
    )
    _clean(update)
    was = _by_reference(sent["entry"][0]["resource"], QR_REF)
    now = _by_reference(update["entry"][0]["resource"], QR_REF)
    assert (now["sequence"], _changed(now), _cancelled(now)) == (was["sequence"], "changed", False)


def test_answers_no_longer_sent_are_cancelled_and_still_resolve() -> None:
    """The request carried a QR the update does not: its supportingInfo is cancelled under its
    old number, and the QR stays in the Bundle, so the cancelled entry and the original Claim
    (the last entry) refer to something in it (a dangling reference breaks the profile)."""
    sent = fhir.pas_request(CASE, **options(codes=WITH_QR, questionnaire_responses=[QR]))
    update = fhir.pas_update(CASE, sent, **options(timestamp=LATER))
    _clean(update)
    gone = _by_reference(update["entry"][0]["resource"], QR_REF)
    assert (_changed(gone), _cancelled(gone)) == ("changed", True)
    assert gone["sequence"] == _by_reference(sent["entry"][0]["resource"], QR_REF)["sequence"]
    ids = [e["resource"]["id"] for e in update["entry"]]
    assert QR["id"] in ids
    assert update["entry"][-1]["resource"] == sent["entry"][0]["resource"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_any_case_updated_with_answers_and_the_assertion_keeps_every_rule(case: Case) -> None:
    """For every valid case: an update adding the QR and the coverage assertion passes the
    checker; only the QR's entry is added, and every sent entry keeps its number."""
    (information,) = fhir.coverage_requirements(DATA / "crd" / "iop-response-ours.json").coverage
    sent = fhir.pas_request(case, **options())
    update = fhir.pas_update(
        case,
        sent,
        **options(
            timestamp=LATER,
            codes=WITH_QR,
            questionnaire_responses=[QR],
            coverage_information=information,
        ),
    )
    assert fhir.pas_problems(update) == []
    assert bundle_problems(update) == []
    claim = update["entry"][0]["resource"]
    added = [s for s in claim["supportingInfo"] if _changed(s) == "added"]
    assert [s.get("valueReference") for s in added] == [QR_REF]
    sent_numbers = [s["sequence"] for s in sent["entry"][0]["resource"]["supportingInfo"]]
    assert [s["sequence"] for s in claim["supportingInfo"]] == [*sent_numbers, added[0]["sequence"]]


def test_a_sent_bundle_with_unreadable_entries_is_refused_by_place() -> None:
    """The sent Bundle is a file the caller gives: a supportingInfo that is no object, a
    sequence that is no positive integer, extensions that are no objects: errors naming each
    place, no traceback, for an update and for a cancel."""
    sent = fhir.pas_request(CASE, **options())
    claim = sent["entry"][0]["resource"]
    claim["supportingInfo"][0] = "note"
    claim["supportingInfo"][1]["sequence"] = True
    claim["item"][0]["extension"] = ["x"]
    with pytest.raises(FhirError) as caught:
        fhir.pas_update(CASE, sent, **options(timestamp=LATER))
    assert caught.value.errors == (
        "original.entry[0].resource.supportingInfo[0]: must be an object",
        "original.entry[0].resource.supportingInfo[1].sequence: must be a positive integer",
    )
    claim["supportingInfo"] = []
    with pytest.raises(FhirError) as caught:
        fhir.pas_update(CASE, sent, **options(timestamp=LATER))
    assert caught.value.errors == (
        "original.entry[0].resource.item[0].extension: must be a list of objects",
    )
    with pytest.raises(FhirError) as caught:
        fhir.pas_cancel(sent, timestamp=LATER)
    assert caught.value.errors == (
        "original.entry[0].resource.item[0].extension: must be a list of objects",
    )
