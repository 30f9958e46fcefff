"""DtrClient against a DTR service on 127.0.0.1 answering with the DTR guide's own Parameters.

Fixtures: tests/data/dtr/ (HL7/davinci-dtr ef91b18f, translated from FSH; PROVENANCE.md).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from iopauth import fhir, load_case
from iopauth.errors import FhirError, PasClientError

from .local_service import serve

DATA = Path(__file__).parent / "data" / "dtr"
CASE = Path(__file__).parent.parent / "examples" / "cases" / "medicare-stepdown-depression.json"
FHIR_JSON = {"Content-Type": "application/fhir+json"}


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text())
    return data


class Dtr:
    """Answers each operation with a fixed (status, body); records the Parameters received."""

    def __init__(self, answers: dict[str, tuple[int, bytes]]) -> None:
        self.answers = answers
        self.received: list[tuple[str, dict[str, Any]]] = []

    def __call__(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        assert method == "POST"
        operation = path.removeprefix("/fhir/")
        self.received.append((operation, json.loads(body)))
        status, answer = self.answers[operation]
        return status, FHIR_JSON, answer


def test_questionnaire_package_sends_the_guides_input_shape() -> None:
    """The input Parameters are those of the guide's example (coverage, order, questionnaire,
    with the input profile); the guide's output Parameters are read into the package."""
    output = (DATA / "parameters-questionnaire-package-output.json").read_bytes()
    service = Dtr({"Questionnaire/$questionnaire-package": (200, output)})
    example = _fixture("parameters-questionnaire-package-input.json")
    coverage, order = (p["resource"] for p in example["parameter"][:2])
    canonical = example["parameter"][2]["valueCanonical"]
    with serve(service) as base, fhir.DtrClient(f"{base}/fhir") as client:
        package = client.questionnaire_package(coverage, order, canonical)
    ((operation, sent),) = service.received
    assert operation == "Questionnaire/$questionnaire-package"
    assert {k: v for k, v in sent.items() if k != "id"} == {
        k: v for k, v in example.items() if k != "id"
    }
    assert [q["url"] for q in package.questionnaires] == [canonical]
    assert package.questionnaire(canonical) is not None


def test_questionnaire_package_of_a_case() -> None:
    """dtr_inputs gives the case's Coverage and ServiceRequest; a context id goes as a string."""
    output = (DATA / "parameters-questionnaire-package-output.json").read_bytes()
    service = Dtr({"Questionnaire/$questionnaire-package": (200, output)})
    coverage, order = fhir.dtr_inputs(load_case(CASE))
    with serve(service) as base, fhir.DtrClient(f"{base}/fhir") as client:
        client.questionnaire_package(coverage, order, context="IOP-CRD-0001")
    sent = service.received[0][1]["parameter"]
    assert [p["name"] for p in sent] == ["coverage", "order", "context"]
    assert sent[0]["resource"]["resourceType"] == "Coverage"
    assert sent[1]["resource"]["code"]["coding"][0]["code"] == load_case(CASE).request.service_code
    assert sent[2] == {"name": "context", "valueString": "IOP-CRD-0001"}


def test_next_question_round_trip_with_the_guides_parameters() -> None:
    """$next-question: the QR goes in as ``questionnaire-response``; ``return`` comes back."""
    given = _fixture("parameters-next-question-input.json")
    output = (DATA / "parameters-next-question-output.json").read_bytes()
    service = Dtr({"Questionnaire/$next-question": (200, output)})
    qr = given["parameter"][0]["resource"]
    with serve(service) as base, fhir.DtrClient(f"{base}/fhir") as client:
        returned = client.next_question(qr)
    sent = service.received[0][1]
    assert sent["meta"] == given["meta"]
    assert sent["parameter"] == given["parameter"]
    assert returned == json.loads(output)["parameter"][0]["resource"]
    assert returned["status"] == "completed"


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (200, b'{"resourceType": "Parameters", "parameter": []}', PasClientError, "without a"),
        (200, b'{"resourceType": "Patient", "name": [{"family": "Doe"}]}', PasClientError, "not a"),
        (
            200,
            b'{"resourceType": "OperationOutcome", "issue": [{"severity": "error", '
            b'"code": "not-found", "diagnostics": "Jane Doe"}]}',
            FhirError,
            "the payer answered error not-found",
        ),
        (500, b'{"note": "Jane Doe"}', PasClientError, "HTTP 500"),
    ],
)
def test_bad_next_question_answers(
    status: int,
    body: bytes,
    error: type[Exception],
    message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No returned QR, another resource, an OperationOutcome, a 500: errors naming the
    operation and codes only, never the payer's text."""
    service = Dtr({"Questionnaire/$next-question": (status, body)})
    qr = _fixture("questionnaireresponse-home-o2-adaptive.json")
    caplog.set_level(logging.DEBUG)
    with (
        serve(service) as base,
        fhir.DtrClient(f"{base}/fhir", retries=0) as client,
        pytest.raises(error) as caught,
    ):
        client.next_question(qr)
    assert message in str(caught.value)
    assert "Jane" not in str(caught.value)
    assert "Jane" not in caplog.text


def test_inputs_are_checked_before_sending() -> None:
    """A Coverage that is not one, a QR that is not one, plain http: refused, nothing sent."""
    service = Dtr({})
    with serve(service) as base, fhir.DtrClient(f"{base}/fhir") as client:
        with pytest.raises(FhirError, match="coverage: must be a Coverage"):
            client.questionnaire_package({"resourceType": "Patient"}, {"resourceType": "X"})
        with pytest.raises(FhirError, match="must be a QuestionnaireResponse"):
            client.next_question({"resourceType": "Questionnaire"})
    assert service.received == []
    with pytest.raises(PasClientError, match="DTR endpoints must use https"):
        fhir.DtrClient("http://payer.example/fhir")
