"""PasClient against a real HTTP server on 127.0.0.1: SMART auth, RI replies, retries, privacy."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from iopauth import load_case
from iopauth.authorization.decision import DecisionStatus
from iopauth.errors import FhirError, PasClientError
from iopauth.fhir import PasClient, SmartBackendAuth, decision_from_response, pas_request

from .pas_options import options

CASE = (
    Path(__file__).resolve().parent.parent
    / "examples"
    / "cases"
    / "medicare-stepdown-depression.json"
)
CLIENT_ID = "riverbend-iop"


def _key() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


PRIVATE, PUBLIC = _key()


class Payer:
    """A payer's token endpoint and PAS operations, replaying the reference implementation."""

    def __init__(self, ri: Path) -> None:
        self.ri = ri
        self.tokens: list[str] = []
        self.expires_in = 300
        self.script: dict[str, list[tuple[int, dict[str, str], bytes, float]]] = {}
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.assertions: list[dict[str, Any]] = []
        self.base = ""

    def reply(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes, float]:
        if path == "/token":
            return self._token(body)
        if headers.get("authorization") not in {f"Bearer {t}" for t in self.tokens}:
            return 401, {}, b'{"resourceType": "OperationOutcome", "issue": []}', 0.0
        operation = path.removeprefix("/fhir/")
        self.received.append((operation, json.loads(body)))
        queued = self.script.get(operation)
        if queued:
            return queued.pop(0)
        name = (
            "PendedClaimResponse.json"
            if operation == "Claim/$submit"
            else "PendedFinalResponse.json"
        )
        return 200, {"Content-Type": "application/fhir+json"}, (self.ri / name).read_bytes(), 0.0

    def _token(self, body: bytes) -> tuple[int, dict[str, str], bytes, float]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        try:
            claims = jwt.decode(
                form["client_assertion"],
                PUBLIC,
                algorithms=["RS384"],
                audience=f"{self.base}/token",
                issuer=CLIENT_ID,
            )
        except (jwt.InvalidTokenError, KeyError):
            return 401, {}, b'{"error": "invalid_client"}', 0.0
        header = jwt.get_unverified_header(form["client_assertion"])
        if form.get("grant_type") != "client_credentials" or header.get("kid") != "key-1":
            return 400, {}, b'{"error": "invalid_request"}', 0.0
        self.assertions.append(claims)
        token = f"token-{len(self.tokens) + 1}"
        self.tokens.append(token)
        answer = {"access_token": token, "token_type": "bearer", "expires_in": self.expires_in}
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode(), 0.0


@pytest.fixture
def payer(pas_ri: Path) -> Iterator[Payer]:
    """A payer server on 127.0.0.1 (a free port), stopped after the test."""
    state = Payer(pas_ri)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, payload, delay = state.reply(self.path, headers, body)
            time.sleep(delay)
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_args: object) -> None:
            """Quiet: the test reads the state, not the server's log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _auth(payer: Payer, key: bytes = PRIVATE) -> SmartBackendAuth:
    return SmartBackendAuth(
        token_url=f"{payer.base}/token", client_id=CLIENT_ID, private_key=key, key_id="key-1"
    )


def _client(payer: Payer, **options: Any) -> PasClient:
    options.setdefault("auth", _auth(payer))
    options.setdefault("sleep", lambda _s: None)
    return PasClient(f"{payer.base}/fhir", **options)


def test_submit_pends_then_inquire_answers(payer: Payer) -> None:
    """The RI's pended answer comes back from $submit, its final grant from $inquire."""
    bundle = pas_request(load_case(CASE), **options())
    with _client(payer) as client:
        pended = decision_from_response(client.submit(bundle))
        final = decision_from_response(client.inquire(bundle))
    assert pended.status is DecisionStatus.PENDED
    assert final.status is DecisionStatus.APPROVED
    assert [op for op, _ in payer.received] == ["Claim/$submit", "Claim/$inquire"]
    assert payer.received[0][1] == bundle
    # one signed assertion, one token, reused for both calls
    assert payer.tokens == ["token-1"]
    assert payer.assertions[0]["sub"] == CLIENT_ID


def test_token_is_fetched_again_when_it_expires(payer: Payer) -> None:
    """A token valid 60 s is replaced once the clock passes its expiry less the margin."""
    now = [time.time()]
    payer.expires_in = 60
    bundle = pas_request(load_case(CASE), **options())
    with _client(payer, clock=lambda: now[0]) as client:
        client.submit(bundle)
        now[0] += 20  # 40 s left: more than the 30 s margin
        client.submit(bundle)
        now[0] += 15  # 25 s left: renew
        client.submit(bundle)
    assert payer.tokens == ["token-1", "token-2"]


def test_wrong_key_is_refused_by_the_token_endpoint(payer: Payer) -> None:
    """An assertion signed with another key fails, and the error says where."""
    other, _ = _key()
    with (
        _client(payer, auth=_auth(payer, other)) as client,
        pytest.raises(PasClientError) as caught,
    ):
        client.submit(pas_request(load_case(CASE), **options()))
    assert str(caught.value) == "token request: HTTP 401"
    assert payer.received == []


def test_429_and_503_are_retried_after_retry_after(payer: Payer, pas_ri: Path) -> None:
    """Busy answers are retried, waiting the seconds each Retry-After asks for."""
    granted = (pas_ri / "GrantedResponse.json").read_bytes()
    payer.script["Claim/$submit"] = [
        (429, {"Retry-After": "2"}, b"", 0.0),
        (503, {"Retry-After": "5"}, b"", 0.0),
        (200, {}, granted, 0.0),
    ]
    waits: list[float] = []
    with _client(payer, sleep=waits.append) as client:
        answer = client.submit(pas_request(load_case(CASE), **options()))
    assert waits == [2.0, 5.0]
    assert decision_from_response(answer).status is DecisionStatus.APPROVED


def test_retries_give_up_and_say_how_often(payer: Payer) -> None:
    """A payer busy past the retries is an error naming the status and the attempts."""
    payer.script["Claim/$submit"] = [(503, {"Retry-After": "1"}, b"", 0.0)] * 4
    with _client(payer, retries=2) as client, pytest.raises(PasClientError) as caught:
        client.submit(pas_request(load_case(CASE), **options()))
    assert str(caught.value) == "PAS Claim/$submit: HTTP 503 after 3 attempts"


def test_timeout_is_an_error_not_a_hang(payer: Payer, pas_ri: Path) -> None:
    """A payer slower than the timeout gives a clear error."""
    payer.script["Claim/$submit"] = [(200, {}, (pas_ri / "GrantedResponse.json").read_bytes(), 1.0)]
    with _client(payer, timeout=0.2) as client, pytest.raises(PasClientError) as caught:
        client.submit(pas_request(load_case(CASE), **options()))
    assert str(caught.value) == "PAS Claim/$submit: no answer within the timeout"


def test_operation_outcome_is_a_fhir_error(payer: Payer) -> None:
    """A 400 with an OperationOutcome raises its issues as FhirError lines."""
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "invalid", "diagnostics": "Harold Testperson"}],
    }
    payer.script["Claim/$submit"] = [(400, {}, json.dumps(outcome).encode(), 0.0)]
    with _client(payer) as client, pytest.raises(FhirError) as caught:
        client.submit(pas_request(load_case(CASE), **options()))
    assert caught.value.errors == ("$.issue[0]: the payer answered error invalid",)


def test_no_patient_data_in_errors_or_logs(payer: Payer, caplog: pytest.LogCaptureFixture) -> None:
    """A failing exchange logs and raises the status only, never a body's patient data."""
    payer.script["Claim/$submit"] = [
        (500, {}, b"member Harold Testperson CSA-0047-1193 unknown", 0.0)
    ]
    caplog.set_level(logging.DEBUG)
    with _client(payer) as client, pytest.raises(PasClientError) as caught:
        client.submit(pas_request(load_case(CASE), **options()))
    assert str(caught.value) == "PAS Claim/$submit: HTTP 500"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "PAS Claim/$submit: HTTP 500 (attempt 1)" in logged
    for secret in ("Harold", "Testperson", "CSA-0047-1193", "1958-09-14", "BEGIN PRIVATE"):
        assert secret not in logged
        assert secret not in str(caught.value)
    assert "private_key" not in repr(_auth(payer))


def test_plain_http_only_on_loopback() -> None:
    """A payer URL without TLS is refused unless it is this machine."""
    with pytest.raises(PasClientError) as caught:
        PasClient("http://payer.example/fhir")
    assert "https" in str(caught.value)


def test_a_revoked_token_is_replaced_once(payer: Payer) -> None:
    """A 401 from the payer makes the client fetch a new token and try again, once."""
    bundle = pas_request(load_case(CASE), **options())
    with _client(payer) as client:
        client.submit(bundle)
        payer.tokens[0] = "revoked"
        answer = client.inquire(bundle)
    assert decision_from_response(answer).status is DecisionStatus.APPROVED
    assert payer.tokens == ["revoked", "token-2"]
