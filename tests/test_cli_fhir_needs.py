"""``iopauth fhir crd|crd-request|coverage|questionnaire``: files written whole, payer text kept
out; ``crd`` against a CDS Hooks service on 127.0.0.1."""

from __future__ import annotations

import io
import json
from pathlib import Path

from iopauth.cli import main

from .local_service import Reply, serve

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "cases" / "medicare-stepdown-depression.json"
QUESTIONNAIRE = ROOT / "examples" / "dtr" / "iop-questionnaire.json"
MAPPING = ROOT / "examples" / "dtr" / "iop-admission.toml"
OURS = ROOT / "tests" / "data" / "crd" / "iop-response-ours.json"
UUID = "0b7f3a0e-9d5c-4d0e-8a53-3c1f7b2a6e11"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_questionnaire_writes_the_response_and_counts_what_is_left(tmp_path: Path) -> None:
    """The QuestionnaireResponse is written; the counts say what a person still answers."""
    target = tmp_path / "qr.json"
    code, out, err = _run(
        "fhir", "questionnaire", str(QUESTIONNAIRE), str(CASE), "--mapping", str(MAPPING),
        "--authored", "2026-06-05", "-o", str(target),
    )  # fmt: skip
    assert (code, err) == (0, "")
    response = json.loads(target.read_text())
    assert response["resourceType"] == "QuestionnaireResponse"
    assert response["authored"] == "2026-06-05"
    # the outpatient trial and its dates come from the treatment history; the attestation is
    # the one item a person answers
    assert "answered 9 items from the case" in out
    assert "left for a person: 1 (1 required)" in out
    assert "expressions not run (CQL is out of scope): 1" in out


def test_questionnaire_needs_the_authored_date(tmp_path: Path) -> None:
    """No date is read from the clock: without --authored the command is a usage error."""
    code, _, err = _run(
        "fhir", "questionnaire", str(QUESTIONNAIRE), str(CASE), "-o", str(tmp_path / "qr.json")
    )
    assert code == 2
    assert "--authored" in err
    assert not (tmp_path / "qr.json").exists()


def test_coverage_in_words_without_the_payers_text() -> None:
    """Requirements in words; reason text and the assertion id are not printed."""
    code, out, err = _run("fhir", "coverage", str(OURS))
    assert (code, err) == (0, "")
    assert "Prior authorization: needed" in out
    assert "documentation asked for: clinical documentation" in out
    assert "IOP-CRD-0001" not in out
    assert "requires prior authorization under this plan" not in out


def test_coverage_does_not_print_a_hostile_code(tmp_path: Path) -> None:
    """A code with an escape sequence is counted, not printed."""
    data = json.loads(OURS.read_text())
    ext = data["systemActions"][0]["resource"]["extension"][0]["extension"]
    next(e for e in ext if e["url"] == "pa-needed")["valueCode"] = "\x1b[31mJane Doe 1980-01-02"
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(data))
    code, out, _ = _run("fhir", "coverage", str(hostile))
    assert code == 0
    assert "\x1b" not in out
    assert "Jane" not in out
    assert "a code iopauth does not print" in out
    assert "Codes iopauth does not know: 1" in out


def test_crd_request_writes_the_hook_request(tmp_path: Path) -> None:
    """The request JSON carries the caller's hook instance and the draft order."""
    target = tmp_path / "crd.json"
    code, _, err = _run(
        "fhir", "crd-request", str(CASE), "--hook-instance", "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "-o", str(target),
    )  # fmt: skip
    assert (code, err) == (0, "")
    request = json.loads(target.read_text())
    assert request["hookInstance"] == "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"
    assert request["context"]["draftOrders"]["entry"][0]["resource"]["status"] == "draft"


def _crd_service(received: list[tuple[str, str, bytes]]) -> Reply:
    discovery = (ROOT / "tests" / "data" / "crd" / "services-discovery.json").read_bytes()

    def reply(
        method: str, path: str, _headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        received.append((method, path, body))
        answer = discovery if path == "/cds-services" else OURS.read_bytes()
        return 200, {"Content-Type": "application/json"}, answer

    return reply


def test_crd_asks_the_service_and_prints_the_requirements_in_words() -> None:
    """``fhir crd --url``: discovery picks the order-sign service, the case's request is sent
    and the answer printed as ``fhir coverage`` prints it (the assertion id not shown)."""
    received: list[tuple[str, str, bytes]] = []
    with serve(_crd_service(received)) as base:
        code, out, err = _run("fhir", "crd", str(CASE), "--url", base, "--hook-instance", UUID)
    assert (code, err) == (0, "")
    assert out == _run("fhir", "coverage", str(OURS))[1]
    assert "Prior authorization: needed" in out
    assert [(m, p) for m, p, _ in received] == [
        ("GET", "/cds-services"),
        ("POST", "/cds-services/order-sign-crd"),
    ]
    sent = json.loads(received[1][2])
    assert (sent["hook"], sent["hookInstance"]) == ("order-sign", UUID)


def test_crd_errors_are_exit_2_without_patient_data() -> None:
    """No service for the hook, a service that fails, half the signing options: exit 2."""
    received: list[tuple[str, str, bytes]] = []
    with serve(_crd_service(received)) as base:
        code, _, err = _run(
            "fhir", "crd", str(CASE), "--url", base, "--hook-instance", UUID,
            "--service", "order-sign-crd", "--client-id", "ehr",
        )  # fmt: skip
        assert (code, err) == (
            2,
            "iopauth: --client-id, --key, --key-id: give all three to sign the call\n",
        )
    code, _, err = _run(
        "fhir", "crd", str(CASE), "--url", "http://payer.example", "--hook-instance", UUID
    )
    assert (code, err) == (
        2,
        "iopauth: CDS Hooks endpoints must use https (plain http only on the loopback address)\n",
    )
    assert received == []
