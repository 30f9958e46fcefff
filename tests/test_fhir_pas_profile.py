"""``pas_request`` against the PAS IG: each element beside the IG's own example and its rule.

The IG examples are tests/data/pas-ig/examples (HL7/davinci-pas 46be73e4, see PROVENANCE.md);
the rules are src/iopauth/fhir/data/pas-profiles.json, read by tests/pas_rules.py. Comparisons
are of shape and of what the rules require, never byte equality.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from iopauth import load_case
from iopauth.errors import FhirError
from iopauth.fhir import PasCodes, pas_request
from iopauth.model import Case, UnitType

from .pas_options import CODES, TIMESTAMP, options
from .pas_rules import bundle_problems, rule

HERE = Path(__file__).resolve().parent
CASES = HERE.parent / "examples" / "cases"
IG = HERE / "data" / "pas-ig" / "examples"
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
TEMP = "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASTempCodes"


def _ig(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((IG / f"{name}.json").read_text())
    return loaded


def _case(name: str = "medicare-stepdown-depression") -> Case:
    return load_case(CASES / f"{name}.json")


def _bundle(name: str = "medicare-stepdown-depression", **extra: Any) -> dict[str, Any]:
    return pas_request(_case(name), **options(**extra))


def _resource(bundle: dict[str, Any], rtype: str, rid: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == rtype and rid in (None, e["resource"]["id"])
    )
    return found


def _ext(node: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in node.get("extension", []) if e["url"] == PAS + name)
    return found


def _systems(concept: dict[str, Any]) -> list[str]:
    return [c["system"] for c in concept["coding"]]


def test_the_rule_reader_passes_the_ig_request_examples_and_finds_their_one_oddity() -> None:
    """tests/pas_rules.py can fail: it flags the IG's documented oddity 2 and nothing else.

    SurgicalPractitionerRoleExample points at a Practitioner the bundle lacks
    (PROVENANCE.md, oddity 2; PASPractitionerRole.practitioner, Practitioner.fsh:18).
    """
    for name in (
        "ReferralAuthorizationBundleExample",
        "HomecareAuthorizationBundleExample",
        "HomecareAuthorizationUpdateBundleExample",
        "MedicalServicesAuthorizationBundleExample",
        "PASClaimInquiryBundleExample",
    ):
        assert bundle_problems(_ig(name)) == [], name
    assert bundle_problems(_ig("SurgicalRequestBundleExample")) == [
        "$.entry[6] PASPractitionerRole: PractitionerRole.practitioner: refers to no entry "
        "(input/fsh/Practitioner.fsh:18)"
    ]


def test_item_category_is_the_x12_service_type_given() -> None:
    """``Claim.item.category`` 1..1 in the UM03 service-type system, as the IG writes it.

    Rules: "Claim.item.category 1..1 MS" (input/fsh/Claim.fsh:205, RuleSet CommonClaimElements)
    and "from https://valueset.x12.org/x217/005010/request/2000F/UM/1/03/00/1365 (required)"
    (input/fsh/Claim.fsh:112). IG: MedicalServicesAuthorizationExample item category 1365#1.
    """
    assert rule("PASClaim", "Claim.item.category", "min")["min"] == 1
    ig_item = _ig("MedicalServicesAuthorizationExample")["item"][0]
    item = _resource(_bundle(), "Claim")["item"][0]
    assert _systems(item["category"]) == _systems(ig_item["category"])
    assert item["category"]["coding"][0]["code"] == CODES.service_type


def test_no_service_type_is_an_error_naming_the_option_not_a_guess() -> None:
    """Without a UM03 code (the IG has none for IOP/PHP) nothing is built and the error says why.

    Rule: "Claim.item.category 1..1 MS" (input/fsh/Claim.fsh:205).
    """
    codes = PasCodes(place_of_service="11")
    with pytest.raises(FhirError) as caught:
        pas_request(_case(), timestamp=TIMESTAMP, codes=codes)
    assert caught.value.errors[0].startswith("service_type: required: the X12 UM03 service type")
    assert "Claim.fsh:205" in caught.value.errors[0]


def test_supporting_info_categories_are_pas_temp_codes_with_their_slices() -> None:
    """patientEvent (requested dates), additionalInformation (a document), freeFormMessage.

    Rules: PatientEvent "category = PASTempCodes#patientEvent" (input/fsh/Claim.fsh:137), its
    timing[x] 1..1 (:138); AdditionalInformation "category = PASTempCodes#additionalInformation"
    (:214), "extension[documentInformation] 1..1" (:215), value[x] a PASDocumentReference
    (:218); MessageText "category = PASTempCodes#freeFormMessage" (:237), value[x] only string
    (:240). IG: ReferralAuthorizationExample supportingInfo[0].
    """
    case = _case()
    bundle = pas_request(
        case, _determination(case), **options(documents={0: b"%PDF-1.7 evaluation"})
    )
    info = _resource(bundle, "Claim")["supportingInfo"]
    codes = [s["category"]["coding"][0]["code"] for s in info]
    assert codes == ["patientEvent", "additionalInformation", "freeFormMessage", "freeFormMessage"]
    assert {s["category"]["coding"][0]["system"] for s in info} == {TEMP}
    assert info[0]["timingPeriod"] == {"start": "2026-06-09", "end": "2026-07-06"}
    ig = _ig("ReferralAuthorizationExample")["supportingInfo"][0]
    assert info[1]["category"] == ig["category"]
    ours, theirs = info[1]["extension"][0], ig["extension"][0]
    assert ours["url"] == theirs["url"] == PAS + "extension-documentInformation"
    assert [e["url"] for e in ours["extension"]] == [
        e["url"] for e in theirs["extension"] if e["url"] != "controlNumber"
    ]
    assert info[1]["valueReference"] == {"reference": "DocumentReference/document-1"}
    assert info[3]["valueString"].startswith("Documents on file and available on request: ")


def _determination(case: Case) -> Any:
    from iopauth import evaluate

    return evaluate(case)


def test_care_team_members_are_practitioner_roles_scoped_to_the_claim() -> None:
    """``careTeam.provider`` a PASPractitionerRole with ``careTeamClaimScope`` true.

    Rules: "provider only Reference(PASOrganization or PASPractitionerRole)"
    (input/fsh/Claim.fsh:37); "extension[careTeamClaimScope] 1..1" (:66); OverallClaimMember
    "valueBoolean = true" (:47). IG: ReferralAuthorizationExample careTeam[0].
    """
    bundle = _bundle()
    team = _resource(bundle, "Claim")["careTeam"]
    ig = _ig("ReferralAuthorizationExample")["careTeam"][0]
    for member in team:
        assert member["extension"] == ig["extension"]
        rid = member["provider"]["reference"].split("/")[1]
        role = _resource(bundle, "PractitionerRole", rid)
        assert role["meta"]["profile"] == [PAS + "profile-practitionerrole"]
        practitioner = role["practitioner"]["reference"].split("/")[1]
        assert _resource(bundle, "Practitioner", practitioner)["identifier"]
    assert "role" not in team[0]  # no NM101 code given: left out, not guessed


def test_care_team_role_and_qualification_when_the_codes_are_given() -> None:
    """role (NM101) and qualification (PRV03) carry the codes the payer gave.

    Rules: OverallClaimMember role bound to .../2010EA/NM1/1/01/00/98 (input/fsh/Claim.fsh:56),
    qualification to .../2010EA/PRV/1/03/00/127 (:59).
    """
    case = _case()
    roles = {c.role for c in case.clinicians}
    codes = PasCodes(
        service_type="1",
        place_of_service="11",
        care_team_roles=dict.fromkeys(roles, "X-role"),
        qualifications=dict.fromkeys(roles, "X-qual"),
    )
    member = _resource(pas_request(case, timestamp=TIMESTAMP, codes=codes), "Claim")["careTeam"][0]
    assert member["role"]["coding"][0] == {
        "system": "https://codesystem.x12.org/005010/98",
        "code": "X-role",
    }
    assert member["qualification"]["coding"][0]["code"] == "X-qual"


def test_hcpcs_is_written_in_the_system_the_ig_value_set_uses() -> None:
    """G0410 under ``http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets``.

    Rule: productOrService "from X12278RequestedServiceType (required)"
    (input/fsh/Claim.fsh:115), which includes that system (input/fsh/Terminology.fsh:166).
    IG: HomecareAuthorizationExample item productOrService G0154.
    """
    bundle = _bundle()
    item = _resource(bundle, "Claim")["item"][0]
    ig = _ig("HomecareAuthorizationExample")["item"][0]
    assert _systems(item["productOrService"]) == _systems(ig["productOrService"])
    assert _systems(_resource(bundle, "ServiceRequest")["code"]) == _systems(ig["productOrService"])


def test_service_request_timing_bounds_are_a_duration_and_quantity_has_no_ucum_code() -> None:
    """PASTiming bounds only as Duration; PASQuantity without a code outside X12 HSD01.

    Rules: "repeat.bounds[x] only Duration" (input/fsh/Request.fsh:80); PASQuantity "code from
    .../2000F/HSD/1/01/00/673 (required)" (input/fsh/Quantity.fsh:9), value 1..1 (:6).
    IG: MedicationRequestExample's TimingExample (a PASTiming) has no boundsPeriod.
    """
    request = _resource(_bundle(), "ServiceRequest")
    repeat = request["occurrenceTiming"]["repeat"]
    assert [k for k in repeat if k.startswith("bounds")] == ["boundsDuration"]
    assert repeat["boundsDuration"] == {
        "value": 28,
        "unit": "day",
        "system": "http://unitsofmeasure.org",
        "code": "d",
    }
    ig_timing = _ig("MedicationRequestExample")["dosageInstruction"][0]["timing"]
    assert not any(k.startswith("boundsPeriod") for k in ig_timing.get("repeat", {}))
    assert request["quantityQuantity"] == {"value": 12, "unit": "day"}


def test_quantity_carries_the_hsd01_qualifier_when_given() -> None:
    """With an HSD01 code the quantity names it in the X12 673 system (Quantity.fsh:9)."""
    codes = PasCodes(
        service_type="1", place_of_service="11", unit_qualifiers={UnitType.PER_DIEM: "X-days"}
    )
    item = _resource(pas_request(_case(), timestamp=TIMESTAMP, codes=codes), "Claim")["item"][0]
    assert item["quantity"] == {
        "value": 12,
        "unit": "day",
        "system": "https://codesystem.x12.org/005010/673",
        "code": "X-days",
    }


def test_documents_travel_with_their_content_and_a_category() -> None:
    """Each DocumentReference holds its bytes (data 1..1, url 0..0) and a US Core category.

    Rules: PASDocumentReference "content.attachment.data 1..1" (input/fsh/Claim.fsh:247),
    "content.attachment.url 0..0" (:248); US Core DocumentReference category 1..*.
    IG: DocumentReferenceExample (category clinical-note, content data in base64).
    """
    bundle = _bundle(documents={0: b"%PDF-1.7 evaluation", 2: b"%PDF-1.7 certification"})
    docs = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    ]
    ig = _ig("DocumentReferenceExample")
    assert [d["id"] for d in docs] == ["document-1", "document-3"]
    for doc in docs:
        assert doc["category"] == ig["category"]
        attachment = doc["content"][0]["attachment"]
        assert set(ig["content"][0]["attachment"]) <= set(attachment)
        assert "url" not in attachment
    assert base64.b64decode(docs[0]["content"][0]["attachment"]["data"]) == b"%PDF-1.7 evaluation"


def test_a_document_without_content_is_named_to_the_reviewer_not_sent_empty() -> None:
    """A case document with no bytes is not a DocumentReference (PAS needs the data,
    input/fsh/Claim.fsh:247); a freeFormMessage (input/fsh/Claim.fsh:237) names it."""
    bundle = _bundle()
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert "DocumentReference" not in types
    (message,) = [
        s["valueString"] for s in _resource(bundle, "Claim")["supportingInfo"] if "valueString" in s
    ]
    assert message.startswith("Documents on file and available on request: psychiatric evaluation")


def test_a_document_that_is_not_a_pdf_or_not_in_the_case_is_refused() -> None:
    """Content is checked before anything is built; the error names the index, not the bytes."""
    with pytest.raises(FhirError) as caught:
        _bundle(documents={0: b"plain text", 99: b"%PDF-1.7"})
    assert caught.value.errors == (
        "documents[0]: must be PDF content (it does not start with %PDF-)",
        "documents[99]: no such document in request.documents (8)",
    )


def test_coverage_relationship_has_the_x12_self_code() -> None:
    """``relationship.coding[X12Code]`` bound to X12 INS02; 18 for the subscriber themself.

    Rules: "relationship.coding[X12Code] from .../2000D/INS/1/02/00/1069 (required)"
    (input/fsh/Coverage.fsh:23). IG: InsuranceExample relationship 1069#18.
    """
    coverage = _resource(_bundle(), "Coverage")
    ig = _ig("InsuranceExample")["relationship"]
    assert coverage["relationship"] == ig  # HL7 subscriber-relationship self, and X12 18
    assert ig["coding"][1] == {"system": "https://codesystem.x12.org/005010/1069", "code": "18"}
    assert "subscriber" not in coverage


def test_a_dependant_has_a_subscriber_and_the_given_relationship_code() -> None:
    """A child's Coverage names the subscriber, as the invariant self-beneficiary asks.

    Rule: "If relationship does not equal 'self', then subscriber SHALL be present"
    (input/fsh/Coverage.fsh:29).
    """
    coverage = _resource(_bundle("commercial-adolescent-appeal"), "Coverage")
    assert {"system": "https://codesystem.x12.org/005010/1069", "code": "X-child"} in coverage[
        "relationship"
    ]["coding"]
    assert coverage["subscriber"]["identifier"]["value"] == "SUB-0001"
    with pytest.raises(FhirError) as caught:
        pas_request(_case("commercial-adolescent-appeal"), timestamp=TIMESTAMP, codes=CODES)
    assert caught.value.errors[0].startswith("subscriber_id: required when the patient is not")


def test_requestor_type_is_the_nm101_code_or_absent() -> None:
    """PASRequestor ``type`` is an X12 NM101 code, never our own setting code alone.

    Rule: "type from .../response/2010B/NM1/1/01/00/98 (required)"
    (input/fsh/Organization.fsh:18). IG: UMOExample type 98#X3.
    """
    program = _resource(_bundle(), "Organization", "program")
    assert "type" not in program
    codes = PasCodes(service_type="1", place_of_service="11", requestor_type="X-entity")
    typed = _resource(
        pas_request(_case(), timestamp=TIMESTAMP, codes=codes), "Organization", "program"
    )
    assert _systems(typed["type"][0]) == _systems(_ig("UMOExample")["type"][0])


def test_must_support_elements_diagnosis_type_location_level_and_request_type() -> None:
    """diagnosis.type, item.locationCodeableConcept, levelOfServiceType and requestType.

    Rules: diagnosis.type from X12278DiagnosisType (input/fsh/Claim.fsh:77: PASTempCodes
    principal); item.location[x] 1..1 (:208) as a place-of-service code (:126);
    extension[levelOfServiceType] (:8, UM06; IG U "Urgent", Examples.fsh:34);
    item.extension[requestType] 1..1 (:194; IG HS, Examples.fsh:370).
    """
    claim = _resource(_bundle("commercial-adolescent-appeal"), "Claim")
    ig = _ig("ReferralAuthorizationExample")
    assert claim["diagnosis"][0]["type"] == [{"coding": [{"system": TEMP, "code": "principal"}]}]
    assert all("type" not in d for d in claim["diagnosis"][1:])
    item = claim["item"][0]
    assert _systems(item["locationCodeableConcept"]) == _systems(
        ig["item"][0]["locationCodeableConcept"]
    )
    assert claim["extension"][0]["url"] == ig["extension"][0]["url"]
    assert claim["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "U"
    request_type = _ext(item, "extension-serviceItemRequestType")["valueCodeableConcept"]
    assert request_type["coding"][0] == {
        "system": "https://codesystem.x12.org/005010/1525",
        "code": "HS",
    }
    assert "extension" not in _resource(_bundle(), "Claim")  # a standard request: no UM06


def test_php_plan_takes_place_of_service_52_without_being_told() -> None:
    """A PHP plan's place of service is 52 (medicare-iop.md §6); an IOP plan's must be given."""
    case = _case()
    assert case.plan.level.value == "iop"
    with pytest.raises(FhirError) as caught:
        pas_request(case, timestamp=TIMESTAMP, codes=PasCodes(service_type="1"))
    assert caught.value.errors[0].startswith("place_of_service: required")


def test_certification_type_only_from_the_ig_or_the_caller() -> None:
    """UM02: I for an initial request (Examples.fsh:65); 1 for an expedited appeal (the
    ImmediateLevelOfCare invariant, input/fsh/Claim.fsh:269); otherwise the caller's code."""
    codes = PasCodes(service_type="1", place_of_service="11", relationships={"child": "X"})
    appeal = pas_request(
        _case("commercial-adolescent-appeal"), timestamp=TIMESTAMP, codes=codes, subscriber_id="S"
    )
    cert = _ext(_resource(appeal, "Claim")["item"][0], "extension-certificationType")
    assert cert["valueCodeableConcept"]["coding"][0]["code"] == "1"
    with pytest.raises(FhirError) as caught:
        pas_request(
            _case("medicaid-alcohol-depression-concurrent"), timestamp=TIMESTAMP, codes=codes
        )
    assert caught.value.errors[0].startswith("certification_types: required for a concurrent")


@pytest.mark.parametrize(
    ("timestamp", "line"),
    [
        (None, "timestamp: required: the moment the request is created"),
        (date(2026, 6, 5), "timestamp: required: the moment the request is created"),
        (datetime(2026, 6, 5, 14, 30), "timestamp: must carry a UTC offset"),
    ],
)
def test_the_timestamp_is_the_callers_and_never_the_request_date(timestamp: Any, line: str) -> None:
    """Bundle.timestamp 1..1 (input/fsh/Bundle.fsh:10) is a moment the caller gives.

    A missing, date-only or naive value is refused; no clock is read.
    """
    with pytest.raises(FhirError) as caught:
        pas_request(_case(), timestamp=timestamp, codes=CODES)
    assert caught.value.errors[0].startswith(line)


def test_timestamp_and_created_keep_the_callers_offset() -> None:
    """Bundle.timestamp and Claim.created are the same instant, as given (X12 BHT04/05)."""
    eastern = datetime(2026, 6, 5, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    bundle = pas_request(_case(), **options(timestamp=eastern))
    assert (
        bundle["timestamp"] == _resource(bundle, "Claim")["created"] == "2026-06-05T09:30:00-05:00"
    )
    utc = pas_request(_case(), **options(timestamp=eastern.astimezone(UTC)))
    assert utc["timestamp"] == "2026-06-05T14:30:00Z"


def test_insurer_type_is_the_igs_payer_code() -> None:
    """PASInsurer ``type`` is X12 NM101 ``PR``, as the IG's InsurerExample.

    Rule: "type from .../request/2010A/NM1/1/01/00/98 (required)" (input/fsh/Organization.fsh:7).
    """
    payer = _resource(_bundle(), "Organization", "payer")
    assert payer["type"] == _ig("InsurerExample")["type"]
    assert payer["meta"]["profile"] == _ig("InsurerExample")["meta"]["profile"]
