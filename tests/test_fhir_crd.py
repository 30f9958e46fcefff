"""CRD: coverage requirements read from the guide's own example answers; the order-sign request.

Fixtures: tests/data/crd/ (HL7/davinci-crd 2bfabc15, copied or translated; see PROVENANCE.md).
What each answer must give is in tests/data/crd/expected.json, written from the guide, not
from this reader.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import iopauth
from iopauth import fhir
from iopauth.errors import FhirError
from iopauth.fhir._crd import MAX_PARTS

DATA = Path(__file__).parent / "data" / "crd"
EXPECTED = json.loads((DATA / "expected.json").read_text())
CASES = sorted((Path(__file__).parent.parent / "examples" / "cases").glob("*.json"))


def _expected_infos(name: str) -> list[tuple[str, dict[str, Any]]]:
    response = EXPECTED["responses"][name]
    out: list[tuple[str, dict[str, Any]]] = []
    for card in response["cards"]:
        out.extend(("card", info) for info in card["coverage_information"])
    for action in response["systemActions"]:
        out.extend(
            (f"{action['resourceType']}/{action['id']}", i) for i in action["coverage_information"]
        )
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED["responses"]))
def test_coverage_information_as_the_guide_wrote_it(name: str) -> None:
    """Every coverage-information of the guide's answers is read with every element."""
    result = fhir.coverage_requirements(DATA / name)
    expected = _expected_infos(name)
    assert len(result.coverage) == len(expected)
    for info, (order, want) in zip(result.coverage, expected, strict=True):
        if order != "card":
            assert info.order == order
        assert info.covered == want["covered"]
        assert info.pa_needed == want["pa-needed"]
        assert list(info.doc_needed) == want["doc-needed"]
        assert list(info.doc_purpose) == want["doc-purpose"]
        assert list(info.info_needed) == want["info-needed"]
        assert list(info.questionnaires) == want["questionnaire"]
        assert [{"system": s, "code": c} for s, c in info.billing_codes] == [
            {"system": b["system"], "code": b["code"]} for b in want["billingCode"]
        ]
        assert [r.text for r in info.reasons] == [r["text"] for r in want["reason"]]
        assert info.assertion_id == want["coverage-assertion-id"]
        assert info.satisfied_pa_id == want["satisfied-pa-id"]
        assert info.date == want["date"]
    assert result.unknown_codes == ()


def test_prior_authorization_needed_follows_pa_needed() -> None:
    """auth-needed says yes; satisfied and no-auth say no; no coverage information is unknown."""
    assert fhir.coverage_requirements(DATA / "iop-response-ours.json").prior_authorization_needed
    assert (
        fhir.coverage_requirements(
            DATA / "response-cards-and-servicerequest-update.json"
        ).prior_authorization_needed
        is False
    )
    assert (
        fhir.coverage_requirements(
            DATA / "response-cards-form-completion.json"
        ).prior_authorization_needed
        is None
    )


def test_questionnaires_named_by_a_card_action() -> None:
    """A form-completion card's Questionnaire and Task input both name the same canonical."""
    result = fhir.coverage_requirements(DATA / "response-cards-form-completion.json")
    assert result.questionnaires == ("http://example.org/Questionnaire/XYZ|2",)
    assert len(result.cards) == len(
        EXPECTED["responses"]["response-cards-form-completion.json"]["cards"]
    )


def test_what_to_send_with_the_request() -> None:
    """Our IOP answer: documentation, the questionnaire and the assertion id to quote."""
    result = fhir.coverage_requirements(DATA / "iop-response-ours.json")
    assert result.documentation_needed == ("clinical",)
    assert result.assertion_ids == ("IOP-CRD-0001",)
    assert result.questionnaires == (
        "http://example.org/iop-payer/Questionnaire/iop-admission|1.0.0",
    )


def test_unknown_codes_are_kept_and_reported() -> None:
    """A code outside the guide's value sets is kept on the record and listed."""
    data = json.loads((DATA / "iop-response-ours.json").read_text())
    ext = data["systemActions"][0]["resource"]["extension"][0]["extension"]
    next(e for e in ext if e["url"] == "pa-needed")["valueCode"] = "maybe-later"
    result = fhir.coverage_requirements(data)
    assert result.coverage[0].pa_needed == "maybe-later"
    assert result.unknown_codes == ("pa-needed=maybe-later",)
    assert result.prior_authorization_needed is None


def test_payer_text_stays_out_of_reprs_and_errors() -> None:
    """Card summaries, reason text and the assertion id are not in the reprs."""
    result = fhir.coverage_requirements(DATA / "response-cards-and-servicerequest-update.json")
    shown = repr(result)
    for payer_text in ("overdue", "12345ABC", "In-network"):
        assert payer_text not in shown
    hostile = {"cards": [{"indicator": "info", "summary": 5, "source": {}}]}
    with pytest.raises(FhirError) as raised:
        fhir.coverage_requirements(hostile)
    assert raised.value.errors == ("$.cards[0].summary: required",)


def test_answers_are_bounded() -> None:
    """More cards and actions than the bound is refused at once, naming the bound."""
    action = json.loads((DATA / "iop-response-ours.json").read_text())["systemActions"][0]
    with pytest.raises(FhirError, match=str(MAX_PARTS)):
        fhir.coverage_requirements({"cards": [], "systemActions": [action] * (MAX_PARTS + 1)})
    with pytest.raises(FhirError, match=r"\$\.cards: must be an array"):
        fhir.coverage_requirements({"cards": {"a": 1}})


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
@pytest.mark.parametrize("hook", ["order-sign", "order-select"])
def test_request_has_the_guides_shape(path: Path, hook: str) -> None:
    """The request carries the order and prefetch keys of the guide's order-sign example."""
    case = iopauth.load_case(path)
    request = fhir.crd_request(
        case, hook=hook, hook_instance="d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"
    )
    example = json.loads((DATA / "order-sign-request-servicerequests.json").read_text())
    assert request["hook"] == hook
    assert set(request["prefetch"]) <= set(example["prefetch"])
    assert {"userId", "patientId", "draftOrders"} <= set(request["context"])
    orders = request["context"]["draftOrders"]
    assert orders["type"] == "collection"
    (order,) = [e["resource"] for e in orders["entry"]]
    assert order["resourceType"] == "ServiceRequest"
    assert order["status"] == "draft"
    assert request["prefetch"]["coverage"]["type"] == "searchset"
    bundle_r4b = pytest.importorskip("fhir.resources.R4B.bundle")
    bundle_r4b.Bundle.model_validate(copy.deepcopy(orders))
    for key in ("coverage", "practitioners", "practitionerRoles", "organizations"):
        bundle_r4b.Bundle.model_validate(copy.deepcopy(request["prefetch"][key]))


def test_request_refuses_other_hooks() -> None:
    """Only the two order hooks are built."""
    case = iopauth.load_case(CASES[0])
    with pytest.raises(FhirError, match="hook: must be one of order-sign, order-select"):
        fhir.crd_request(case, hook="appointment-book", hook_instance="x")


def test_a_response_without_cards_is_refused() -> None:
    """CDS Hooks requires ``cards`` (maybe empty): a JSON object without it is not a CRD
    answer (found when the render CLI gained --coverage-requirements)."""
    import pytest

    from iopauth.errors import FhirError
    from iopauth.fhir import coverage_requirements

    with pytest.raises(FhirError) as info:
        coverage_requirements({"systemActions": []})
    assert "$.cards: required" in str(info.value)
    assert coverage_requirements({"cards": []}).coverage == ()
