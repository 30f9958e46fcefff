"""CRD and DTR in the PAS request: questionnaire responses as supporting information, the
payer's coverage assertion on the ServiceRequest.

Fixtures: the DTR guide's completed QuestionnaireResponse (tests/data/dtr, PROVENANCE.md), the
CRD answers (tests/data/crd, PROVENANCE.md; ``iop-response-ours.json`` is ours).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from iopauth import fhir, load_case
from iopauth.errors import FhirError

from .pas_options import CODES, options
from .pas_rules import bundle_problems

ROOT = Path(__file__).parent.parent
CASE = load_case(ROOT / "examples" / "cases" / "medicare-stepdown-depression.json")
QR = json.loads(
    (Path(__file__).parent / "data" / "dtr" / "questionnaireresponse-home-o2.json").read_text()
)
CRD = Path(__file__).parent / "data" / "crd"
#: A stand-in PWK01 code: the PAS IG gives none for a questionnaire (as pas_options' "X-" codes).
WITH_QR = attrs.evolve(CODES, questionnaire_report_type="X-questionnaire")
INFO = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_a_questionnaire_response_is_sent_as_additional_information() -> None:
    """The QR is an entry; an additionalInformation supportingInfo references it with the
    payer's PWK01 code; the Claim item points at it; the Bundle keeps every PAS rule."""
    bundle = fhir.pas_request(CASE, **options(codes=WITH_QR, questionnaire_responses=[QR]))
    (sent,) = _resources(bundle, "QuestionnaireResponse")
    assert sent == QR
    (claim,) = _resources(bundle, "Claim")
    (info,) = [
        s
        for s in claim["supportingInfo"]
        if s.get("valueReference") == {"reference": f"QuestionnaireResponse/{QR['id']}"}
    ]
    assert info["category"]["coding"][0]["code"] == "additionalInformation"
    (document,) = info["extension"]
    report = next(e for e in document["extension"] if e["url"] == "reportTypeCode")
    assert report["valueCodeableConcept"]["coding"][0]["code"] == "X-questionnaire"
    assert info["sequence"] in claim["item"][0]["informationSequence"]
    assert fhir.pas_problems(bundle) == []
    assert bundle_problems(bundle) == []
    assert fhir.pas_request(CASE, **options()) == _without_qr(bundle)


def _without_qr(bundle: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(bundle)
    out["entry"] = [
        e for e in out["entry"] if e["resource"]["resourceType"] != "QuestionnaireResponse"
    ]
    claim = out["entry"][0]["resource"]
    kept = [s for s in claim["supportingInfo"] if "QuestionnaireResponse" not in json.dumps(s)]
    claim["supportingInfo"] = [{**s, "sequence": n} for n, s in enumerate(kept, 1)]
    claim["item"][0]["informationSequence"] = list(range(1, len(kept) + 1))
    return out


def test_two_responses_with_one_id_get_distinct_ids() -> None:
    """A second response with the same id is renamed; the caller's dicts are not changed."""
    given = [QR, copy.deepcopy(QR)]
    bundle = fhir.pas_request(CASE, **options(codes=WITH_QR, questionnaire_responses=given))
    ids = [r["id"] for r in _resources(bundle, "QuestionnaireResponse")]
    assert ids == [QR["id"], "questionnaire-response-1"]
    assert given[1]["id"] == QR["id"]
    assert bundle_problems(bundle) == []


def test_responses_that_cannot_go_are_refused_by_place() -> None:
    """An open (in-progress) response, another resource, no PWK01 code: errors naming each."""
    open_qr = {**QR, "status": "in-progress"}
    with pytest.raises(FhirError) as caught:
        fhir.pas_request(
            CASE,
            **options(codes=WITH_QR, questionnaire_responses=[open_qr, {"resourceType": "X"}]),
        )
    assert caught.value.errors == (
        "questionnaire_responses[0].status: must be completed or amended to go with the request "
        "(items a person must answer are still open)",
        "questionnaire_responses[1]: must be a QuestionnaireResponse",
    )
    with pytest.raises(FhirError) as caught:
        fhir.pas_request(CASE, **options(questionnaire_responses=[QR]))
    assert caught.value.errors[0].startswith("questionnaire_report_type: required")


@pytest.mark.parametrize(
    ("name", "assertion"),
    [
        ("iop-response-ours.json", "IOP-CRD-0001"),
        ("response-cards-and-servicerequest-update.json", "12345ABC"),
    ],
)
def test_the_coverage_assertion_rides_on_the_service_request(name: str, assertion: str) -> None:
    """The payer's coverage-information goes whole on the PAS ServiceRequest (Request.fsh:24),
    its coverage pointed at the Bundle's Coverage; the id is the CRD answer's."""
    (information,) = fhir.coverage_requirements(CRD / name).coverage
    bundle = fhir.pas_request(CASE, **options(coverage_information=information))
    (order,) = _resources(bundle, "ServiceRequest")
    (ext,) = [e for e in order["extension"] if e["url"] == INFO]
    parts = {p["url"]: p for p in ext["extension"]}
    assert parts["coverage-assertion-id"]["valueString"] == assertion
    assert parts["coverage"] == {
        "url": "coverage",
        "valueReference": {"reference": "Coverage/coverage"},
    }
    sent = json.loads(json.dumps(information.extension))
    assert [p for p in ext["extension"] if p["url"] != "coverage"] == [
        p for p in sent["extension"] if p["url"] != "coverage"
    ]
    assert fhir.pas_problems(bundle) == []
    assert bundle_problems(bundle) == []


def test_a_coverage_information_without_its_required_parts_is_refused() -> None:
    """CRD requires covered, date and coverage-assertion-id once each: missing, it is an error."""
    answer = json.loads((CRD / "iop-response-ours.json").read_text())
    resource = answer["systemActions"][0]["resource"]
    (ext,) = [e for e in resource["extension"] if e["url"] == INFO]
    ext["extension"] = [p for p in ext["extension"] if p["url"] not in ("date", "coverage")]
    (information,) = fhir.coverage_requirements(answer).coverage
    with pytest.raises(FhirError) as caught:
        fhir.pas_request(CASE, **options(coverage_information=information))
    assert [e.split(":")[0] for e in caught.value.errors] == [
        "coverage_information.coverage",
        "coverage_information.date",
    ]
