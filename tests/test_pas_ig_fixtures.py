"""The Da Vinci PAS IG examples (tests/data/pas-ig) and the PAS profile rules as data.

These check the fixtures themselves, not iopauth's decoder or checker: every example is valid
FHIR R4 (as fhir.resources.R4B models it), every file is accounted for in PROVENANCE.md,
expected.json says what the fixtures hold, and every profile rule carries its IG source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

HERE = Path(__file__).resolve().parent / "data" / "pas-ig"
EXAMPLES = sorted((HERE / "examples").glob("*.json"))
IG_COMMIT = "46be73e48e6cccac1c72375f584259dc0b744c9d"
REVIEW_ACTION = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"
REVIEW_ACTION_CODE = (
    "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode"
)


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def profiles_data() -> dict[str, Any]:
    text = resources.files("iopauth.fhir").joinpath("data", "pas-profiles.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_there_is_an_example_for_every_response_and_request_the_expectations_name() -> None:
    """expected.json names only files that exist (and the set is not empty)."""
    expected = load(HERE / "expected.json")
    names = {p.stem for p in EXAMPLES}
    named = (
        set(expected["responses"]) | set(expected["response_bundles"]) | set(expected["requests"])
    )
    assert len(named) >= 17
    assert named <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_is_valid_fhir_r4b(path: Path) -> None:
    """The model rejects unknown elements, so a mistyped element or extension shape fails here."""
    data = load(path)
    assert data["id"] == path.stem
    model = get_fhir_model_class(data["resourceType"])
    model.model_validate(data)


def test_provenance_lists_every_file_with_the_ig_commit() -> None:
    """PROVENANCE.md names every example file, and every file it names exists."""
    text = (HERE / "PROVENANCE.md").read_text(encoding="utf-8")
    assert IG_COMMIT in text
    listed = set(re.findall(r"`([A-Za-z]+\.json)`", text))
    assert listed - {"expected.json"} == {p.name for p in EXAMPLES}


def claim_responses(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if resource["resourceType"] == "ClaimResponse":
        yield resource
    for entry in resource.get("entry", []):
        yield from claim_responses(entry["resource"])


def review_codes(item: dict[str, Any]) -> list[str]:
    """The X12 306 codes of an item's reviewAction, read by the canonical sub-extension url."""
    codes = []
    for adjudication in item.get("adjudication", []):
        for ext in adjudication.get("extension", []):
            if ext["url"] != REVIEW_ACTION:
                continue
            for sub in ext["extension"]:
                if sub["url"] == REVIEW_ACTION_CODE:
                    codes += [c["code"] for c in sub["valueCodeableConcept"]["coding"]]
    return codes


def test_expected_review_actions_match_the_fixtures() -> None:
    """Each response's item sequence -> review action code in expected.json is in the file."""
    expected = load(HERE / "expected.json")
    assert expected["ig_commit"] == IG_COMMIT
    for name, want in expected["responses"].items():
        (response,) = claim_responses(load(HERE / "examples" / f"{name}.json"))
        assert response["outcome"] == want["outcome"]
        got = {str(item["itemSequence"]): review_codes(item) for item in response.get("item", [])}
        assert got == {seq: [i["reviewActionCode"]["code"]] for seq, i in want["items"].items()}
        added = {str(a["itemSequence"][0]): review_codes(a) for a in response.get("addItem", [])}
        assert added == {
            seq: [i["reviewActionCode"]["code"]] for seq, i in want["addItems"].items()
        }
    for name, want in expected["response_bundles"].items():
        bundle = load(HERE / "examples" / f"{name}.json")
        assert bundle["meta"]["profile"] == [want["profile"]]
        assert bundle["entry"][0]["resource"]["id"] == want["claim_response"]


def test_expected_requests_name_the_profiles_their_files_claim() -> None:
    """Each request bundle claims the profile expected.json gives, and so does its Claim."""
    expected = load(HERE / "expected.json")
    for name, want in expected["requests"].items():
        bundle = load(HERE / "examples" / f"{name}.json")
        assert bundle["meta"]["profile"] == [want["profile"]]
        claim = bundle["entry"][0]["resource"]
        assert claim["id"] == want["claim"]
        assert claim["meta"]["profile"] == [want["claim_profile"]]
        assert want["should_pass_checker"] is True


def all_rules(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for collection in ("profiles", "extensions", "parent_profiles"):
        for definition in data[collection].values():
            yield from definition["rules"]


def test_profile_rules_load_and_every_rule_has_a_source() -> None:
    """Every rule states where in the IG (or its US Core parent) it comes from."""
    data = profiles_data()
    assert data["ig"]["commit"] == IG_COMMIT
    rules = list(all_rules(data))
    assert len(rules) > 500
    for rule in rules:
        assert re.match(r"^(input/fsh/[\w-]+\.fsh:\d+|HL7/US-Core@7\.0\.0 )", rule["source"]), rule
        assert rule["path"]
    for collection in ("profiles", "extensions", "value_sets", "code_systems"):
        for definition in data[collection].values():
            assert definition["source"]


def test_the_profiles_a_request_bundle_uses_are_all_there() -> None:
    """Each profile a PAS request or inquiry bundle draws on is present, with its parent chain."""
    data = profiles_data()
    profiles = data["profiles"]
    for name in (
        "PASRequestBundle",
        "PASInquiryRequestBundle",
        "PASClaim",
        "PASClaimUpdate",
        "PASClaimInquiry",
        "PASBeneficiary",
        "PASSubscriber",
        "PASCoverage",
        "PASRequestor",
        "PASInsurer",
        "PASPractitioner",
        "PASPractitionerRole",
        "PASServiceRequest",
        "PASMedicationRequest",
        "PASDeviceRequest",
        "PASNutritionOrder",
        "PASEncounter",
        "PASDocumentReference",
        "PASTiming",
        "PASQuantity",
        "PASCommunicationRequest",
    ):
        parent = profiles[name]["parent"]
        while parent in profiles:
            parent = profiles[parent]["parent"]
        assert (
            parent in data["parent_profiles"]
            or parent == profiles[name]["type"]
            or parent in {"SimpleQuantity", "Timing"}
        ), (name, parent)


def test_the_review_action_code_slice_carries_the_canonical_url() -> None:
    """ReviewActionCode named code: on the wire its url is the canonical, not "code"."""
    rules = profiles_data()["extensions"]["ReviewAction"]["rules"]
    slices = {r["slice"]: r["extension_url"] for r in rules if "extension_url" in r}
    assert slices == {
        "code": REVIEW_ACTION_CODE,
        "number": "number",
        "reasonCode": "reasonCode",
        "secondSurgicalOpinionFlag": "secondSurgicalOpinionFlag",
    }
