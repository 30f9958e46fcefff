"""The CRD and DTR fixtures themselves: they parse, are R4B-valid, agree with their provenance.

These test the files under tests/data/crd and tests/data/dtr (taken from the Da Vinci CRD and DTR
guides, see each folder's PROVENANCE.md), not any iopauth code.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

DATA = Path(__file__).resolve().parent / "data"
CRD = DATA / "crd"
DTR = DATA / "dtr"
FOLDERS = [CRD, DTR]
JSON_FILES = sorted(p for folder in FOLDERS for p in folder.glob("*.json"))
# Files that describe fixtures rather than being FHIR or CDS Hooks content.
META = {"expected.json", "coverage-information-codes.json"}
CONTENT = [p for p in JSON_FILES if p.name not in META]
# CDS Hooks service discovery: prefetch templates only, no FHIR resource.
NO_RESOURCE = {"services-discovery.json"}
CI_URL = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"
IO_URL = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin"
CQF = "http://hl7.org/fhir/StructureDefinition/cqf-expression"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _resources(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every outermost FHIR resource in a JSON tree (a CDS Hooks object may hold several)."""
    if isinstance(node, dict):
        if "resourceType" in node:
            yield path, node
            return
        for key, value in node.items():
            yield from _resources(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _resources(value, f"{path}[{index}]")


def _git_blob(path: Path) -> str:
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


@pytest.mark.parametrize("path", JSON_FILES, ids=_ids(JSON_FILES))
def test_every_fixture_is_json(path: Path) -> None:
    """Each file parses as JSON and is an object."""
    assert isinstance(_load(path), dict)


@pytest.mark.parametrize("path", CONTENT, ids=_ids(CONTENT))
def test_every_fhir_resource_is_valid_r4b(path: Path) -> None:
    """Every FHIR resource in a fixture (nested ones inside CDS Hooks JSON too) validates."""
    found = list(_resources(_load(path)))
    assert bool(found) != (path.name in NO_RESOURCE), f"{path.name}: {len(found)} resources"
    for where, resource in found:
        model = get_fhir_model_class(resource["resourceType"])
        try:
            model.model_validate(resource)
        except ValueError as error:  # pydantic's ValidationError is a ValueError
            pytest.fail(f"{path.name} {where} ({resource['resourceType']}): {error}")


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_provenance_lists_every_file(folder: Path) -> None:
    """PROVENANCE.md names every other file of its folder, and names no file that is missing."""
    text = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    present = {p.name for p in folder.iterdir() if p.name != "PROVENANCE.md"}
    named = set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.MULTILINE))
    assert present - named == set(), "files without provenance"
    assert named - present == set(), "provenance rows for missing files"


def test_verbatim_crd_copies_match_the_upstream_blobs() -> None:
    """A file recorded as a verbatim copy still has the IG's git blob id: nobody edited it."""
    text = (CRD / "PROVENANCE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| verbatim \|.*\| ([0-9a-f]{40}) \|$", text, re.MULTILINE)
    assert len(rows) == 8
    for name, blob in rows:
        assert _git_blob(CRD / name) == blob, name


# --- CRD: coverage-information ---------------------------------------------------------------


def _coverage_information(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """Each coverage-information extension flattened to {sub-extension url: [values]}."""
    out = []
    for ext in resource.get("extension", []):
        if ext["url"] != CI_URL:
            continue
        flat: dict[str, list[Any]] = {}
        for sub in ext["extension"]:
            value = next((v for k, v in sub.items() if k.startswith("value")), sub.get("extension"))
            flat.setdefault(sub["url"], []).append(value)
        out.append(flat)
    return out


def _all_coverage_information() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in CONTENT:
        if path.parent != CRD:
            continue
        for _, resource in _resources(_load(path)):
            for flat in _coverage_information(resource):
                yield path.name, flat


def test_every_coverage_information_code_is_one_the_ig_lists() -> None:
    """Each code the CRD fixtures send sits in the IG value set for its element."""
    codes = _load(CRD / "coverage-information-codes.json")["elements"]
    seen = 0
    for name, flat in _all_coverage_information():
        for element in ("covered", "pa-needed", "doc-needed", "doc-purpose", "info-needed"):
            for value in flat.get(element, []):
                assert value in codes[element]["codes"], (name, element, value)
                seen += 1
        assert len(flat["covered"]) == 1, name
        assert len(flat["coverage-assertion-id"]) == 1, name
        assert ("satisfied-pa-id" in flat) == (flat.get("pa-needed") == ["satisfied"]), name
    assert seen >= 15


def test_coverage_information_codes_file_quotes_the_value_sets() -> None:
    """The codes file holds the IG's value sets, each code with the FSH line it came from."""
    doc = _load(CRD / "coverage-information-codes.json")
    assert doc["source"]["commit"] == "2bfabc15e9552fcbf30fe2b83a679ac839d7b6ed"
    elements = doc["elements"]
    assert elements["covered"]["codes"] == [
        "not-covered",
        "covered",
        "conditional",
        "indeterminate",
    ]
    assert elements["pa-needed"]["codes"] == [
        "no-auth",
        "auth-needed",
        "satisfied",
        "performpa",
        "conditional",
        "indeterminate",
    ]
    assert elements["doc-needed"]["codes"] == [
        "clinical",
        "admin",
        "patient",
        "conditional",
        "indeterminate",
    ]
    concepts = doc["code_systems"]["coverage-information-codes"]["concepts"]
    assert {c["code"]: c["parent"] for c in concepts}["performpa"] == "auth-needed"
    assert all(isinstance(c["line"], int) and c["line"] > 0 for c in concepts)


def _expected_ci(flat: dict[str, list[Any]]) -> dict[str, Any]:
    """A flattened extension in the shape expected.json writes."""

    def one(key: str) -> Any:
        values = flat.get(key, [])
        return values[0] if values else None

    reasons = [
        {
            "codings": [{"system": c["system"], "code": c["code"]} for c in r.get("coding", [])],
            "text": r.get("text"),
        }
        for r in flat.get("reason", [])
    ]
    return {
        "coverage": one("coverage")["reference"],
        "covered": one("covered"),
        "pa-needed": one("pa-needed"),
        "doc-needed": flat.get("doc-needed", []),
        "doc-purpose": flat.get("doc-purpose", []),
        "info-needed": flat.get("info-needed", []),
        "billingCode": [
            {"system": c["system"], "code": c["code"]} for c in flat.get("billingCode", [])
        ],
        "reason": reasons,
        "questionnaire": flat.get("questionnaire", []),
        "date": one("date"),
        "coverage-assertion-id": one("coverage-assertion-id"),
        "satisfied-pa-id": one("satisfied-pa-id"),
        "expiry-date": one("expiry-date"),
    }


def test_crd_expected_agrees_with_the_responses() -> None:
    """expected.json (written by hand) and the response files say the same coverage information."""
    expected = _load(CRD / "expected.json")
    for name, want in expected["responses"].items():
        response = _load(CRD / name)
        assert [c["uuid"] for c in response["cards"]] == [c["uuid"] for c in want["cards"]], name
        actions = response.get("systemActions", [])
        assert len(actions) == len(want["systemActions"]), name
        for action, want_action in zip(actions, want["systemActions"], strict=True):
            resource = action["resource"]
            assert (action["type"], resource["resourceType"], resource["id"]) == (
                want_action["type"],
                want_action["resourceType"],
                want_action["id"],
            )
            got = [_expected_ci(f) for f in _coverage_information(resource)]
            keys = _expected_ci({"coverage": [{"reference": ""}]}).keys()
            assert got == [{k: ci[k] for k in keys} for ci in want_action["coverage_information"]]
    for name, want in expected["resources"].items():
        got = [_expected_ci(f) for f in _coverage_information(_load(CRD / name))]
        assert got == [{k: ci[k] for k in got[0]} for ci in want["coverage_information"]], name


def test_crd_expected_names_the_request_draft_orders() -> None:
    """The order-sign requests' draft orders and prefetch keys are the ones expected.json lists."""
    expected = _load(CRD / "expected.json")["requests"]
    for name, want in expected.items():
        request = _load(CRD / name)
        assert request["hook"] == want["hook"]
        if "draftOrders" in want:
            orders = [e["resource"] for e in request["context"]["draftOrders"]["entry"]]
            assert [{"resourceType": o["resourceType"], "id": o["id"]} for o in orders] == want[
                "draftOrders"
            ]
            assert list(request.get("prefetch", {})) == want["prefetch_keys"]


# --- DTR ---------------------------------------------------------------------------------------


def _items(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _items(item.get("item", []))


@pytest.mark.parametrize("name", sorted(_load(DTR / "expected.json")["questionnaires"]))
def test_dtr_expected_agrees_with_each_questionnaire(name: str) -> None:
    """Each expected linkId exists with its type, codes, enableWhen and cqf-expression flag."""
    want = _load(DTR / "expected.json")["questionnaires"][name]
    questionnaire = _load(DTR / name)
    assert questionnaire.get("url") == want["url"]
    got = {i["linkId"]: i for i in _items(questionnaire.get("item", []))}
    assert list(got) == [w["linkId"] for w in want["items"]]
    for item in want["items"]:
        actual = got[item["linkId"]]
        assert actual["type"] == item["type"]
        assert [c["code"] for c in actual.get("code", [])] == [c["code"] for c in item["codes"]]
        assert actual.get("enableWhen", []) == item["enableWhen"]
        urls = [e["url"] for e in actual.get("extension", [])]
        assert (CQF in urls) == item["cqf_expression"]


def test_dtr_questionnaire_responses_mark_their_origin() -> None:
    """Every QR answer the IG marks carries information-origin with a DTR source code."""
    expected = _load(DTR / "expected.json")["questionnaire_responses"]
    for name, want in expected.items():
        response = _load(DTR / name)
        got = []
        for item in _items(response["item"]):
            for answer in item.get("answer", []):
                origins = [e for e in answer.get("extension", []) if e["url"] == IO_URL]
                assert len(origins) <= 1
                source = origins[0]["extension"][0]["valueCode"] if origins else None
                got.append((item["linkId"], source))
        assert got == [
            (a["linkId"], a["origin"]) for a in want["answers"] if a["value"] is not None
        ]
        assert {s for _, s in got} <= {"auto-client", "auto-server", "override", "manual", None}


def test_iop_questionnaire_uses_only_domain_loinc_codes() -> None:
    """Our IOP questionnaire codes items with the LOINC codes the domain files verify, no others."""
    questionnaire = _load(DTR / "iop-questionnaire.json")
    codes = {
        c["code"]: item["linkId"]
        for item in _items(questionnaire["item"])
        for c in item.get("code", [])
        if c["system"] == "http://loinc.org"
    }
    assert codes == {
        "44261-6": "measures.phq9",
        "70274-6": "measures.gad7",
        "93374-7": "risk.cssrs-level",
    }
    items = list(_items(questionnaire["item"]))
    assert sum(1 for i in items if i.get("enableWhen")) == 2
    assert [i["linkId"] for i in items if CQF in [e["url"] for e in i.get("extension", [])]] == [
        "diagnosis.primary"
    ]
