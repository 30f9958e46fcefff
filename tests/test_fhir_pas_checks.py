"""``pas_problems``: the PAS profile rules as data, applied to the IG's own request examples.

Every request example of the IG (tests/data/pas-ig, HL7/davinci-pas 46be73e4) passes unflagged;
breaking one rule of one example is reported at its path with the rule's source line. The rules
tested here are read from iopauth/fhir/data/pas-profiles.json, not restated.
"""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from iopauth import load_case
from iopauth.fhir import pas_problems, pas_request
from iopauth.model import Case

from .pas_options import options
from .strategies import cases, mutated

IG = Path(__file__).resolve().parent / "data" / "pas-ig"
EXPECTED: dict[str, Any] = json.loads((IG / "expected.json").read_text(encoding="utf-8"))
REQUESTS = sorted(n for n, spec in EXPECTED["requests"].items() if spec["should_pass_checker"])
CASES = Path(__file__).resolve().parent.parent / "examples" / "cases"
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
HCPCS_IG = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((IG / "examples" / f"{name}.json").read_text("utf-8"))
    return data


def _rules() -> dict[str, Any]:
    text = resources.files("iopauth.fhir").joinpath("data", "pas-profiles.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _rule(profile: str, path: str, key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        r for r in _rules()["profiles"][profile]["rules"] if r["path"] == path and key in r
    )
    return found


def _entry(bundle: dict[str, Any], rtype: str, index: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype
    ][index]
    return found


@pytest.mark.parametrize("name", REQUESTS)
def test_every_ig_request_example_passes_unflagged(name: str) -> None:
    """All six request examples of the IG keep every rule the checker applies."""
    assert pas_problems(_example(name)) == []


def test_subscriber_declared_patient_is_checked_against_pasbeneficiary() -> None:
    """Claim.patient is only Reference(PASBeneficiary) (Claim.fsh:29): the Patient the examples
    point at declares PASSubscriber (Examples.fsh:669) and is checked against PASBeneficiary's
    rules — its meta.profile is a claim, the referring rule decides."""
    bundle = _example("ReferralAuthorizationBundleExample")
    patient = _entry(bundle, "Patient")
    assert patient["meta"]["profile"] == [PAS + "profile-subscriber"]
    patient["birthDate"] = "1970-01"  # breaks FullDateRule, which PASBeneficiary states
    problems = pas_problems(bundle)
    assert any(
        p.endswith(
            "birthDate: must be a full date YYYY-MM-DD (PASBeneficiary, input/fsh/Patient.fsh:11)"
        )
        for p in problems
    ), problems


def test_the_declared_profile_is_checked_too() -> None:
    """The Patient declares PASSubscriber: its rules hold besides PASBeneficiary's (two
    militaryStatus extensions break PASSubscriber's 0..1, Patient.fsh:23)."""
    bundle = _example("ReferralAuthorizationBundleExample")
    military = {
        "url": PAS + "extension-militaryStatus",
        "valueCodeableConcept": {"coding": [{"system": "https://codesystem.x12.org/005010/584"}]},
    }
    _entry(bundle, "Patient")["extension"] = [military, military]
    _entry(bundle, "Coverage").pop("subscriber", None)  # no rule then names PASSubscriber
    problems = pas_problems(bundle)
    assert any(
        p.endswith(
            ".extension[militaryStatus]: at most 1 allowed, 2 present "
            "(PASSubscriber, input/fsh/Patient.fsh:23)"
        )
        for p in problems
    ), problems


def test_nested_reference_outside_the_bundle_passes_but_its_type_is_checked() -> None:
    """SurgicalPractitionerRoleExample points at a Practitioner outside the Bundle
    (Examples.fsh:847): allowed for a resource other than the Claim (FHIR R4 Bundle reference
    resolution), but a reference whose type the rule does not allow is flagged."""
    bundle = _example("SurgicalRequestBundleExample")
    assert pas_problems(bundle) == []
    role = _entry(bundle, "PractitionerRole")
    role["practitioner"] = {"reference": "Patient/elsewhere"}
    rule = _rule("PASPractitionerRole", "PractitionerRole.practitioner", "types")
    assert any(
        p.endswith(
            ".practitioner.reference: must refer to a Practitioner "
            f"(PASPractitionerRole, {rule['source']})"
        )
        for p in pas_problems(bundle)
    )


def test_claim_reference_outside_the_bundle_is_flagged() -> None:
    """The Claim's own references must name entries of the request."""
    bundle = _example("ReferralAuthorizationBundleExample")
    _entry(bundle, "Claim")["insurer"] = {"reference": "Organization/not-here"}
    assert "$.entry[0].resource.insurer.reference: refers to no entry in the Bundle" in " ".join(
        pas_problems(bundle)
    )


def test_ucum_in_a_pasquantity_passes_another_system_does_not() -> None:
    """ReferralRequestExample's UCUM quantity passes (the IG's own example under the X12 673
    binding, Quantity.fsh:9); a system neither X12 nor in an IG example is flagged."""
    bundle = _example("ReferralAuthorizationBundleExample")
    request = _entry(bundle, "ServiceRequest")
    assert request["quantityQuantity"]["system"] == "http://unitsofmeasure.org"
    assert pas_problems(bundle) == []
    request["quantityQuantity"]["system"] = "http://example.org/units"
    problems = pas_problems(bundle)
    assert len(problems) == 1
    assert problems[0].startswith("$.entry[")
    assert (
        "quantityQuantity.code: must be coded from the X12 value set of element 673" in problems[0]
    )
    assert problems[0].endswith("(PASQuantity, input/fsh/Quantity.fsh:9)")


def test_supporting_info_category_from_another_system_is_reported() -> None:
    """PASSupportingInfoType (extensible, Claim.fsh:70) lists additionalInformation under
    PASTempCodes; the same code under another system is not an allowed extension of it."""
    bundle = _example("ReferralAuthorizationBundleExample")
    info = _entry(bundle, "Claim")["supportingInfo"][0]
    assert info["category"]["coding"][0]["code"] == "additionalInformation"
    info["category"]["coding"][0]["system"] = (
        "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASSupportingInfoType"
    )
    problems = pas_problems(bundle)
    assert any(
        p.startswith(
            "$.entry[0].resource.supportingInfo[0].category: a code of the IG's value "
            "set PASSupportingInfoType must be written with its system"
        )
        and p.endswith("(PASClaimBase, input/fsh/Claim.fsh:70)")
        for p in problems
    ), problems


def test_document_reference_without_its_content_is_reported() -> None:
    """PASDocumentReference requires the attachment's data and forbids a url (Claim.fsh:247-248),
    checked through the reference and the profile the resource declares."""
    bundle = _example("ReferralAuthorizationBundleExample")
    document = _entry(bundle, "DocumentReference")
    attachment = document["content"][0]["attachment"]
    del attachment["data"]
    attachment["url"] = "https://provider.example/letter.pdf"
    problems = pas_problems(bundle)
    assert any(
        p.endswith(
            ".content[0].attachment.data: required (PASDocumentReference, input/fsh/Claim.fsh:247)"
        )
        for p in problems
    ), problems
    assert any(
        p.endswith(
            ".content[0].attachment.url: not allowed "
            "(PASDocumentReference, input/fsh/Claim.fsh:248)"
        )
        for p in problems
    ), problems


def _remove(node: Any, steps: list[str]) -> None:
    """Delete every element at ``steps`` (an extension slice named by its url) below node."""
    if isinstance(node, list):
        for item in node:
            _remove(item, steps)
        return
    if not isinstance(node, dict):
        return
    head, rest = steps[0], steps[1:]
    if head.startswith("extension="):
        url = head.split("=", 1)[1]
        node["extension"] = [e for e in node.get("extension", []) if e.get("url") != url]
        return
    keys = [k for k in node if k == head or (head.endswith("[x]") and k.startswith(head[:-3]))]
    for key in keys:
        if rest:
            _remove(node[key], rest)
        else:
            del node[key]


def _required_claim_rules() -> list[dict[str, Any]]:
    """PASClaim's and PASClaimBase's min >= 1 rules outside named non-extension slices."""
    rules = [
        *_rules()["profiles"]["PASClaim"]["rules"],
        *_rules()["profiles"]["PASClaimBase"]["rules"],
    ]
    urls = {r["path"]: r["extension_url"] for r in rules if "extension_url" in r}
    out = []
    for rule in rules:
        path = rule["path"]
        if rule.get("min", 0) < 1 or "[" in path.replace("[x]", "").replace("extension[", ""):
            continue
        if "careTeam" in path:  # slices of careTeam have their own test below
            continue
        out.append({**rule, "url": urls.get(path)})
    return out


@pytest.mark.parametrize("rule", _required_claim_rules(), ids=lambda r: r["path"])
def test_each_required_claim_element_removed_is_reported(rule: dict[str, Any]) -> None:
    """Removing what a PASClaim rule requires (min >= 1) is reported with that rule's source."""
    bundle = _example("HomecareAuthorizationBundleExample")
    steps = rule["path"].split(".")[1:]
    if steps[-1].startswith("extension["):
        steps[-1] = f"extension={rule['url']}"
    _remove(_entry(bundle, "Claim"), steps)
    problems = pas_problems(bundle)
    assert any(rule["source"] in p and p.startswith("$.entry[0].resource.") for p in problems), (
        rule,
        problems,
    )


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("item.productOrService", "input/fsh/Claim.fsh:115"),
        ("item.category", "input/fsh/Claim.fsh:112"),
        ("item.locationCodeableConcept", "input/fsh/Claim.fsh:126"),
    ],
)
def test_a_coding_outside_its_required_binding_is_reported(path: str, source: str) -> None:
    """A system the bound value set (the IG's or X12's) does not use is reported."""
    bundle = _example("HomecareAuthorizationBundleExample")
    node: Any = _entry(bundle, "Claim")
    for step in path.split("."):
        node = node[step][0] if isinstance(node[step], list) else node[step]
    node["coding"][0]["system"] = "http://example.org/not-the-system"
    assert any(source in p for p in pas_problems(bundle))


def test_hcpcs_must_use_the_igs_url() -> None:
    """X12278RequestedServiceType lists HCPCS as http://www.cms.gov/... (Terminology.fsh);
    the https form our own requests wrote is not in it."""
    bundle = _example("HomecareAuthorizationBundleExample")
    coding = _entry(bundle, "Claim")["item"][0]["productOrService"]["coding"][0]
    assert coding["system"] == HCPCS_IG
    coding["system"] = HCPCS_IG.replace("http:", "https:")
    problems = pas_problems(bundle)
    assert any(
        "productOrService: must be coded from the IG's value set X12278RequestedServiceType" in p
        for p in problems
    )


def _broken(change: str) -> list[str]:
    bundle = copy.deepcopy(_example("HomecareAuthorizationBundleExample"))
    claim = _entry(bundle, "Claim")
    if change == "type":
        bundle["type"] = "batch"
    elif change == "fullUrl":
        del bundle["entry"][2]["fullUrl"]
    elif change == "request":
        bundle["entry"][2]["request"] = {"method": "POST", "url": "Patient"}
    elif change == "three claims":
        for n in (2, 3):
            bundle["entry"].append(
                {"fullUrl": f"urn:uuid:{n}", "resource": {**claim, "id": f"c{n}"}}
            )
    elif change == "no claim":
        bundle["entry"] = bundle["entry"][1:]
    elif change == "use":
        claim["use"] = "claim"
    elif change == "focal":
        claim["insurance"][0]["focal"] = False
    elif change == "related":
        claim["related"] = [{"claim": {"reference": "Claim/x"}}]
    elif change == "identifier":
        del bundle["identifier"]
    elif change == "message":
        claim["supportingInfo"] = [
            {
                "sequence": 1,
                "category": {
                    "coding": [
                        {
                            "system": "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASTempCodes",
                            "code": "freeFormMessage",
                        }
                    ]
                },
                "valueReference": {"reference": "Patient/SubscriberExample"},
            }
        ]
    elif change == "care team":
        claim["careTeam"] = [
            {"sequence": 1, "provider": {"reference": "Patient/SubscriberExample"}}
        ]
    return pas_problems(bundle)


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ("type", '$.type: must be "collection" (PASRequestBundle, input/fsh/Bundle.fsh:9)'),
        ("fullUrl", "$.entry[2].fullUrl: required (PASRequestBundle, input/fsh/Bundle.fsh:12)"),
        ("request", "$.entry[2].request: not allowed (PASRequestBundle, input/fsh/Bundle.fsh:15)"),
        (
            "three claims",
            "$.entry[Claim]: at most 2 allowed, 3 present "
            "(PASRequestBundle, input/fsh/Bundle.fsh:21)",
        ),
        ("no claim", "$.entry[Claim]: required (PASRequestBundle, input/fsh/Bundle.fsh:21)"),
        (
            "no claim",
            "$.entry[0].resource: must be the Claim (PASRequestBundle, input/fsh/Bundle.fsh:6)",
        ),
        (
            "use",
            '$.entry[0].resource.use: must be "preauthorization" '
            "(PASClaimBase, input/fsh/Claim.fsh:27)",
        ),
        (
            "focal",
            "$.entry[0].resource.insurance[0].focal: must be true "
            "(PASClaimBase, input/fsh/Claim.fsh:80)",
        ),
        ("related", "$.entry[0].resource.related: not allowed (PASClaim, input/fsh/Claim.fsh:176)"),
        ("identifier", "$.identifier: required (PASRequestBundle, input/fsh/Bundle.fsh:7)"),
        (
            "message",
            "$.entry[0].resource.supportingInfo[0].valueReference: must be of type string "
            "(PASClaim, input/fsh/Claim.fsh:240 (RuleSet CommonClaimElements))",
        ),
        (
            "care team",
            "$.entry[0].resource.careTeam[0].provider.reference: must refer to an Organization or "
            "a PractitionerRole, not a Patient (PASClaimBase, input/fsh/Claim.fsh:37)",
        ),
        (
            "care team",
            "$.entry[0].resource.careTeam[0].extension[careTeamClaimScope]: required "
            "(PASClaimBase, input/fsh/Claim.fsh:66)",
        ),
    ],
)
def test_each_broken_rule_is_reported_with_its_source(change: str, line: str) -> None:
    """One rule broken in an IG example: its path, the rule, the profile and the FSH line."""
    problems = _broken(change)
    assert line in problems, problems


def test_messages_never_repeat_a_value_from_the_bundle() -> None:
    """A patient's name put where a code belongs is reported without the name."""
    bundle = _example("HomecareAuthorizationBundleExample")
    claim = _entry(bundle, "Claim")
    claim["type"]["coding"][0]["code"] = "Jane Q Public"
    claim["item"][0]["category"]["coding"][0]["system"] = "Jane Q Public"
    problems = pas_problems(bundle)
    assert len(problems) == 2
    assert not any("Jane" in p for p in problems)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundle=mutated(_example("SurgicalRequestBundleExample")))
def test_any_change_anywhere_gives_path_lines(bundle: dict[str, Any]) -> None:
    """Junk at any depth of an IG request example never crashes the checker."""
    assert all(p.startswith("$") and ": " in p for p in pas_problems(bundle))


# --- our own requests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in CASES.glob("*.json") if "mild" not in p.stem)
)
def test_every_example_cases_pas_request_keeps_the_profile_rules(name: str) -> None:
    """Each example case's PAS request, every document attached, passes the checker."""
    case = load_case(CASES / f"{name}.json")
    files = dict.fromkeys(range(len(case.request.documents)), b"%PDF-1.7 doc")
    bundle = pas_request(case, **options(letter_pdf=b"%PDF-1.7\n", documents=files))
    assert pas_problems(bundle) == []


def test_a_case_without_a_payer_id_gives_a_request_keeping_the_profile_rules() -> None:
    """The example whose payer has no id: its request keeps every rule the checker applies."""
    case = load_case(CASES / "commercial-mild-adjustment.json")
    assert case.coverage.payer_id is None
    files = dict.fromkeys(range(len(case.request.documents)), b"%PDF-1.7 doc")
    bundle = pas_request(case, **options(letter_pdf=b"%PDF-1.7\n", documents=files))
    assert pas_problems(bundle) == []


_KNOWN = re.compile(
    r"\$\.entry\[(\d+)\]\.resource\.identifier\[\d+\]\.system: required "
    r"\(PASIdentifier, input/fsh/Identifier\.fsh:7\)"
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_any_valid_case_gives_a_pas_request_breaking_no_other_rule(case: Case) -> None:
    """Every case the library accepts becomes a request breaking no profile rule but the one
    pending (_PENDING: an Organization identifier without a system)."""
    bundle = pas_request(case, **options())
    for problem in pas_problems(bundle):
        known = _KNOWN.fullmatch(problem)
        assert known is not None, problem
        entry = bundle["entry"][int(known.group(1))]["resource"]
        assert entry["resourceType"] == "Organization", problem
