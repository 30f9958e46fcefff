"""One wording of a payer's OperationOutcome (``errors.outcome_lines``), whoever reads it.

The PAS, CRD and DTR clients (``_service_client``) and the decision decoder
(``decision_from_response``) raise the same lines for the same OperationOutcome: its FHIR codes,
X12-shaped detail codes and masked FHIRPaths, its text counted, never quoted
(docs/security.md "Payer text"). The clients' wording is pinned in test_fhir_client against a
local payer; here the decoder is held to it, wherever the outcome sits in the answer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from iopauth.errors import FhirError, outcome_lines
from iopauth.fhir import decision_from_response

from .test_fhir_client import PHI_OUTCOME, SECRETS

#: What test_fhir_client expects the PAS client to raise for PHI_OUTCOME (a 422 answer).
CLIENT_LINES = (
    "$.issue[0]: the payer answered error (unrecognised code) (A3) at "
    "Patient.where(name.family = '…' and birthDate = @…), "
    'Patient.identifier.where(value = "…"), Patient.identifier.value = …'
    "; not shown: 3 codes, 2 texts, 1 expression",
    "$.issue[1]: the payer answered warning throttled; not shown: 1 text",
)


def _in_bundle(outcome: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": outcome}]}


def _in_parameters(outcome: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": [{"name": "return", "resource": outcome}]}


def test_the_decoder_words_an_outcome_as_the_clients_do() -> None:
    """A bare OperationOutcome answer: the decoder's lines are the clients' lines."""
    assert tuple(outcome_lines(PHI_OUTCOME, "$")) == CLIENT_LINES
    with pytest.raises(FhirError) as caught:
        decision_from_response(json.dumps(PHI_OUTCOME))
    assert caught.value.errors == CLIENT_LINES
    for secret in SECRETS:
        assert secret not in str(caught.value)


@pytest.mark.parametrize(
    ("wrap", "at"),
    [(_in_bundle, "$.entry[0].resource"), (_in_parameters, "$.parameter[0].resource")],
)
def test_an_outcome_inside_an_answer_is_worded_the_same_at_its_place(wrap: Any, at: str) -> None:
    """In a response Bundle or an $inquire Parameters: the same lines, prefixed by its path."""
    with pytest.raises(FhirError) as caught:
        decision_from_response(wrap(PHI_OUTCOME))
    assert caught.value.errors == tuple(outcome_lines(PHI_OUTCOME, at))
    for secret in SECRETS:
        assert secret not in str(caught.value)


def test_an_outcome_without_issues_and_one_with_many() -> None:
    """No issue: one line saying so; past 20 issues: the rest counted, as the clients do."""
    with pytest.raises(FhirError) as caught:
        decision_from_response({"resourceType": "OperationOutcome", "issue": []})
    assert caught.value.errors == ("$: the payer answered with an OperationOutcome and no issue",)
    many = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "invalid"}] * 25,
    }
    with pytest.raises(FhirError) as caught:
        decision_from_response(many)
    assert len(caught.value.errors) == 21
    assert caught.value.errors[-1] == "$: 5 more issues not shown"
