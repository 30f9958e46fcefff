"""PAS responses → Decision: the reference implementation's answers and every review action."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iopauth import FhirError
from iopauth.authorization.decision import DecisionItem, DecisionReason, DecisionStatus
from iopauth.fhir import decision_from_response

from .strategies import mutated, pas_item_decisions

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
X12_306 = "https://codesystem.x12.org/005010/306"
RI_FILES = (
    "GrantedResponse.json",
    "DeniedResponse.json",
    "PendedClaimResponse.json",
    "PendedFinalResponse.json",
    "claimresponse-pended.json",
    "bundle-prior-auth.json",
)


def _review_action(
    code: str, number: str | None = None, reasons: tuple[str, ...] = ()
) -> dict[str, Any]:
    # the code slice is the standalone ReviewActionCode: its canonical url on the wire
    # (ClaimResponse.fsh:135; PROVENANCE.md "How the FSH was translated")
    subs: list[dict[str, Any]] = [
        {
            "url": PAS + "extension-reviewActionCode",
            "valueCodeableConcept": {"coding": [{"system": X12_306, "code": code}]},
        }
    ]
    if number is not None:
        subs.append({"url": "number", "valueString": number})
    for reason in reasons:
        subs.append(
            {
                "url": "reasonCode",
                "valueCodeableConcept": {
                    "coding": [
                        {"system": "https://codesystem.x12.org/external/886", "code": reason}
                    ]
                },
            }
        )
    return {"url": PAS + "extension-reviewAction", "extension": subs}


def _response(*item_list: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A PAS 2.x ClaimResponse in a response Bundle."""
    response = {
        "resourceType": "ClaimResponse",
        "id": "resp-1",
        "status": "active",
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/claim-type",
                    "code": "institutional",
                }
            ]
        },
        "use": "preauthorization",
        "patient": {"reference": "Patient/patient"},
        "created": "2026-06-07T15:30:00Z",
        "insurer": {"reference": "Organization/payer"},
        "outcome": "complete",
        "item": list(item_list),
        **fields,
    }
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": "2026-06-07T15:30:00Z",
        "entry": [
            {"fullUrl": "http://payer.example/fhir/ClaimResponse/resp-1", "resource": response}
        ],
    }


def _item(
    code: str,
    *extensions: dict[str, Any],
    number: str | None = "AUTH-7781",
    reasons: tuple[str, ...] = (),
) -> dict[str, Any]:
    """An item adjudicated the PAS 2.x way: the review action on adjudication[submitted]."""
    return {
        "itemSequence": 1,
        "extension": list(extensions),
        "adjudication": [
            {
                "category": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/adjudication",
                            "code": "submitted",
                        }
                    ]
                },
                "extension": [_review_action(code, number, reasons)],
            }
        ],
    }


def _period(start: str, end: str) -> dict[str, Any]:
    return {"url": PAS + "extension-itemPreAuthPeriod", "valuePeriod": {"start": start, "end": end}}


def _authorized(**subs: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": PAS + "extension-itemAuthorizedDetail",
        "extension": [{"url": k, **v} for k, v in subs.items()],
    }


@pytest.mark.parametrize(
    ("name", "status", "reasons", "text"),
    [
        ("GrantedResponse.json", DecisionStatus.APPROVED, (), "Granted"),
        ("DeniedResponse.json", DecisionStatus.DENIED, ("X",), "Denied"),
        ("PendedClaimResponse.json", DecisionStatus.PENDED, ("X",), "Pending"),
        ("PendedFinalResponse.json", DecisionStatus.APPROVED, (), "Granted"),
    ],
)
def test_reference_implementation_responses(
    pas_ri: Path, name: str, status: DecisionStatus, reasons: tuple[str, ...], text: str
) -> None:
    """The RI's granted, denied, pended and final answers decode to the right decisions.

    The RI's ``preAuthRef`` is an authorization number only on a grant; on a denial or a
    pended answer it is the payer's reference (issue 23).
    """
    raw = json.loads((pas_ri / name).read_text())
    response_id = raw["entry"][0]["resource"]["id"]
    decision = decision_from_response(pas_ri / name)
    assert decision.status is status
    if status is DecisionStatus.APPROVED:
        assert (decision.authorization_number, decision.reference_number) == (response_id, None)
    else:
        assert (decision.authorization_number, decision.reference_number) == (None, response_id)
    assert decision.reason_codes == reasons
    assert decision.reasons == tuple(DecisionReason(code=r) for r in reasons)
    assert decision.reason_text == text
    assert decision.decided_on == date(2019, 9, 9)
    assert decision.unknown_codes == ()
    assert decision.response_id == response_id


def test_bare_pended_response_without_review_action_is_pended(pas_ri: Path) -> None:
    """A queued ClaimResponse with no review action at all means the payer has not decided."""
    decision = decision_from_response(pas_ri / "claimresponse-pended.json")
    assert decision.status is DecisionStatus.PENDED
    assert decision.authorization_number is None


def test_test_copies_match_the_shared_fixtures(pas_ri: Path, shared_pas_ri: Path) -> None:
    """tests/data/pas-ri holds the shared RI messages unchanged."""
    for name in RI_FILES:
        assert (pas_ri / name).read_bytes() == (shared_pas_ri / name).read_bytes()


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("A1", DecisionStatus.APPROVED),
        ("A2", DecisionStatus.PARTIALLY_APPROVED),
        ("A3", DecisionStatus.DENIED),
        ("A4", DecisionStatus.PENDED),
        ("A6", DecisionStatus.MODIFIED),
        ("C", DecisionStatus.CANCELLED),
        ("CT", DecisionStatus.CONTACT_PAYER),
        ("NA", DecisionStatus.NOT_REQUIRED),
    ],
)
def test_every_review_action_code_in_item_adjudication(code: str, status: DecisionStatus) -> None:
    """Each code of the domain table, in the PAS 2.x adjudication shape, gives its status."""
    decision = decision_from_response(_response(_item(code)))
    assert decision.status is status
    assert decision.items[0].review_action_code == code
    assert decision.items[0].status is status
    if status in (
        DecisionStatus.APPROVED,
        DecisionStatus.PARTIALLY_APPROVED,
        DecisionStatus.MODIFIED,
    ):
        assert decision.authorization_number == "AUTH-7781"
        assert decision.reference_number is None
    else:  # a denial's (or a pended answer's) number is a reference, not an authorization
        assert decision.authorization_number is None
        assert decision.reference_number == "AUTH-7781"


def test_item_extension_shape_of_earlier_pas_versions() -> None:
    """The review action directly on the item (earlier PAS, the RI factory) is read too."""
    item = {"itemSequence": 1, "extension": [_review_action("A3", None, ("0U",))]}
    decision = decision_from_response(_response(item))
    assert decision.status is DecisionStatus.DENIED
    assert decision.reason_codes == ("0U",)


def test_partial_approval_with_fewer_units() -> None:
    """A2 with 8 authorized days of the 12 asked, for a shorter period."""
    item = _item(
        "A2",
        _period("2026-06-09", "2026-06-26"),
        _authorized(quantity={"valueQuantity": {"value": 8, "unit": "day"}}),
    )
    decision = decision_from_response(_response(item))
    assert decision.status is DecisionStatus.PARTIALLY_APPROVED
    assert decision.authorized_units == 8
    assert decision.items[0].authorized_units == 8
    assert (decision.authorized_start, decision.authorized_end) == (
        date(2026, 6, 9),
        date(2026, 6, 26),
    )


def test_modified_approval_names_the_service_authorized_instead() -> None:
    """A6: the payer authorized another service code (H0015 for S9480) under revenue 0906."""
    item = _item(
        "A6",
        _authorized(
            productOrServiceCode={"valueCodeableConcept": {"coding": [{"code": "H0015"}]}},
            revenue={"valueCodeableConcept": {"coding": [{"code": "0906"}]}},
        ),
    )
    decision = decision_from_response(_response(item))
    assert decision.status is DecisionStatus.MODIFIED
    assert (decision.items[0].service_code, decision.items[0].revenue_code) == ("H0015", "0906")


def test_approved_and_denied_items_make_a_partial_approval() -> None:
    """One item approved and one denied: the request is partially approved."""
    second = {**_item("A3", number=None), "itemSequence": 2}
    decision = decision_from_response(_response(_item("A1"), second))
    assert decision.status is DecisionStatus.PARTIALLY_APPROVED
    assert [i.status for i in decision.items] == [DecisionStatus.APPROVED, DecisionStatus.DENIED]


def test_unknown_code_is_kept_and_reported() -> None:
    """A review action iopauth does not know is kept; the decision says to contact the payer."""
    decision = decision_from_response(_response(_item("Z9")))
    assert decision.unknown_codes == ("Z9",)
    assert decision.items[0].review_action_code == "Z9"
    assert decision.status is DecisionStatus.CONTACT_PAYER


def test_communication_request_is_the_information_asked_for() -> None:
    """The payer's communicationRequest becomes the information requested."""
    bundle = _response(
        _item("A4"), communicationRequest=[{"reference": "CommunicationRequest/more"}]
    )
    bundle["entry"].append(
        {
            "fullUrl": "http://payer.example/fhir/CommunicationRequest/more",
            "resource": {
                "resourceType": "CommunicationRequest",
                "id": "more",
                "status": "active",
                "payload": [{"contentString": "Send the most recent PHQ-9 and the safety plan."}],
            },
        }
    )
    decision = decision_from_response(bundle)
    assert decision.status is DecisionStatus.PENDED
    assert decision.information_requested == ("Send the most recent PHQ-9 and the safety plan.",)


def test_inquire_parameters_wrapping_a_bundle() -> None:
    """A 2.2.1 $inquire answer (Parameters holding a Bundle) is unwrapped."""
    params = {
        "resourceType": "Parameters",
        "parameter": [{"name": "return", "resource": _response(_item("A1"))}],
    }
    assert decision_from_response(params).status is DecisionStatus.APPROVED


def test_operation_outcome_becomes_fhir_error_with_its_issues() -> None:
    """An OperationOutcome is an error naming each issue's code and place, not its text."""
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "required",
                "diagnostics": "Member Jane Q Public not found",
                "expression": ["Bundle.entry[2].resource.identifier"],
            }
        ],
    }
    with pytest.raises(FhirError) as caught:
        decision_from_response(json.dumps(outcome))
    assert caught.value.errors == (
        "$.issue[0]: the payer answered error required at Bundle.entry[2].resource.identifier"
        "; not shown: 1 text",
    )
    assert "Jane" not in str(caught.value)


def test_error_outcome_reports_the_x12_error_codes() -> None:
    """A ClaimResponse with outcome error is raised with its AAA codes."""
    bundle = _response(outcome="error", error=[{"code": {"coding": [{"code": "72"}]}}])
    with pytest.raises(FhirError) as caught:
        decision_from_response(bundle)
    assert caught.value.errors == ("$.entry[0].resource.error[0]: the payer reports error 72",)


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("no json", "$: not valid JSON"),
        ({"resourceType": "Patient"}, "$.resourceType: must be ClaimResponse, Bundle, Parameters"),
        ({"resourceType": "Bundle", "entry": []}, "$.entry: holds no ClaimResponse"),
    ],
)
def test_not_a_response_is_a_clear_error(source: object, line: str) -> None:
    """Anything that is not a PAS response is refused with a path."""
    with pytest.raises(FhirError) as caught:
        decision_from_response(source)  # type: ignore[arg-type]
    assert caught.value.errors[0].startswith(line)


_SAMPLE = _response(
    _item(
        "A2",
        _period("2026-06-09", "2026-06-26"),
        _authorized(quantity={"valueQuantity": {"value": 8}}),
    ),
    communicationRequest=[{"reference": "CommunicationRequest/x"}],
    preAuthPeriod={"start": "2026-06-09"},
)


@settings(max_examples=150, deadline=None)
@given(bundle=mutated(_SAMPLE))
def test_any_value_anywhere_gives_a_decision_or_a_fhir_error(bundle: dict[str, Any]) -> None:
    """Junk at any depth of a PAS 2.x response never crashes the reader."""
    errors: tuple[str, ...] = ()
    try:
        decision = decision_from_response(bundle)
    except FhirError as exc:
        errors = exc.errors
    else:
        assert isinstance(decision.status, DecisionStatus)
        return
    assert all(line.startswith("$") for line in errors)


def test_added_item_names_the_service_the_payer_approved_instead() -> None:
    """An addItem (the payer's substitute for item 1) carries its own service and review."""
    added = {
        "itemSequence": [1],
        "productOrService": {"coding": [{"code": "S0201"}]},
        "adjudication": _item("A6")["adjudication"],
    }
    decision = decision_from_response(_response(_item("A3", number=None), addItem=[added]))
    assert [(i.sequence, i.service_code, i.status) for i in decision.items] == [
        (1, None, DecisionStatus.DENIED),
        (1, "S0201", DecisionStatus.MODIFIED),
    ]
    assert decision.status is DecisionStatus.PARTIALLY_APPROVED


def _written(item: DecisionItem) -> dict[str, Any]:
    """The ClaimResponse item a PAS 2.x payer would send for this adjudicated line."""
    extensions: list[dict[str, Any]] = []
    if item.authorized_start is not None:
        period = {"start": item.authorized_start.isoformat()}
        if item.authorized_end is not None:
            period["end"] = item.authorized_end.isoformat()
        extensions.append({"url": PAS + "extension-itemPreAuthPeriod", "valuePeriod": period})
    detail: dict[str, dict[str, Any]] = {}
    if item.service_code is not None:
        detail["productOrServiceCode"] = {
            "valueCodeableConcept": {"coding": [{"code": item.service_code}]}
        }
    if item.revenue_code is not None:
        detail["revenue"] = {"valueCodeableConcept": {"coding": [{"code": item.revenue_code}]}}
    if item.authorized_units is not None:
        detail["quantity"] = {"valueQuantity": {"value": item.authorized_units}}
    if detail:
        extensions.append(_authorized(**detail))
    assert item.review_action_code is not None
    written = _item(
        item.review_action_code,
        *extensions,
        number=item.authorization_number or item.reference_number,
        reasons=item.reason_codes,
    )
    written["itemSequence"] = item.sequence
    return written


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(pas_item_decisions(), min_size=1, max_size=3))
def test_adjudicated_lines_read_back_as_written(lines: list[DecisionItem]) -> None:
    """Whatever a payer writes on each line (code, number, units, period, reasons) reads back."""
    decision = decision_from_response(_response(*(_written(i) for i in lines)))
    assert decision.items == tuple(lines)
    assert decision.unknown_codes == ()
    if len({i.status for i in lines}) == 1:
        assert decision.status is lines[0].status


def test_quoted_literals_in_issue_expressions_are_not_repeated() -> None:
    """A FHIRPath naming a value ("where(family='Testperson')") is shown without the value."""
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "not-found",
                "expression": ["Patient.name.where(family='Testperson').given"],
            }
        ],
    }
    with pytest.raises(FhirError) as caught:
        decision_from_response(outcome)
    assert caught.value.errors == (
        "$.issue[0]: the payer answered error not-found at Patient.name.where(family='…').given",
    )
