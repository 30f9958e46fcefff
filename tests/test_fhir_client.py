"""PasClient against a real HTTP server on 127.0.0.1: SMART auth, RI replies, retries, privacy."""

from __future__ import annotations

import contextlib
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
from iopauth.fhir import (
    PasClient,
    SmartBackendAuth,
    decision_from_response,
    pas_cancel,
    pas_inquiry,
    pas_request,
    pas_update,
)

from .pas_options import options

CASE = (
    Path(__file__).resolve().parent.parent
    / "examples"
    / "cases"
    / "medicare-stepdown-depression.json"
)
CLIENT_ID = "riverbend-iop"
#: The PAS IG's own examples (HL7/davinci-pas, see tests/data/pas-ig/PROVENANCE.md).
PAS_IG = Path(__file__).resolve().parent / "data" / "pas-ig" / "examples"


def _ig(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAS_IG / f"{name}.json").read_text(encoding="utf-8"))
    return data


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
            # the client may have given up (a timeout test): nothing to answer then
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
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
    inquiry = _ig("PASClaimInquiryBundleExample")
    with _client(payer) as client:
        pended = decision_from_response(client.submit(bundle))
        final = decision_from_response(client.inquire(inquiry))
    assert pended.status is DecisionStatus.PENDED
    assert final.status is DecisionStatus.APPROVED
    assert [op for op, _ in payer.received] == ["Claim/$submit", "Claim/$inquire"]
    assert payer.received[0][1] == bundle
    assert payer.received[1][1] == inquiry
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
    assert caught.value.errors == (
        "$.issue[0]: the payer answered error invalid; not shown: 1 text",
    )


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
        answer = client.inquire(_ig("PASClaimInquiryBundleExample"))
    assert decision_from_response(answer).status is DecisionStatus.APPROVED
    assert payer.tokens == ["revoked", "token-2"]


def test_inquire_accepts_a_parameters_and_a_bundle_answer(payer: Payer) -> None:
    """$inquire answers a Parameters of Bundles (PAS 2.2.1) or one Bundle (2.2.0 ballot)."""
    parameters = _ig("PASClaimInquiryOperationResponseExample")
    bundle = _ig("PASClaimInquiryResponseBundleExample")
    payer.script["Claim/$inquire"] = [
        (200, {}, json.dumps(parameters).encode(), 0.0),
        (200, {}, json.dumps(bundle).encode(), 0.0),
    ]
    inquiry = _ig("PASClaimInquiryBundleExample")
    with _client(payer) as client:
        first = client.inquire(inquiry)
        second = client.inquire(inquiry)
    assert first == parameters
    assert first["resourceType"] == "Parameters"
    assert second == bundle
    assert second["resourceType"] == "Bundle"
    assert decision_from_response(first).status is decision_from_response(second).status


def test_update_and_cancel_post_their_bundle_to_submit(payer: Payer) -> None:
    """An update (the IG's update example), a cancel with the RI's cancelled status, and the
    update, cancel and inquiry iopauth builds each go to their operation."""
    update = _ig("HomecareAuthorizationUpdateBundleExample")
    cancel = _ig("HomecareAuthorizationUpdateBundleExample")
    cancel["entry"][0]["resource"]["status"] = "cancelled"
    sent = pas_request(load_case(CASE), **options())
    when = options()["timestamp"]
    ours = {
        "update": pas_update(load_case(CASE), sent, timestamp=when, codes=options()["codes"]),
        "cancel": pas_cancel(sent, timestamp=when),
        "inquire": pas_inquiry(load_case(CASE), timestamp=when, codes=options()["codes"]),
    }
    with _client(payer) as client:
        client.update(update)
        client.cancel(cancel)
        for method, bundle in ours.items():
            getattr(client, method)(bundle)
    assert payer.received == [
        ("Claim/$submit", update),
        ("Claim/$submit", cancel),
        ("Claim/$submit", ours["update"]),
        ("Claim/$submit", ours["cancel"]),
        ("Claim/$inquire", ours["inquire"]),
    ]
    with _client(payer) as client, pytest.raises(PasClientError, match="use cancel"):
        client.update(ours["cancel"])


@pytest.mark.parametrize(
    ("method", "name", "edit", "message"),
    [
        ("inquire", "MedicalServicesAuthorizationBundleExample", None, "a PAS request Bundle"),
        ("submit", "PASClaimInquiryBundleExample", None, "an inquiry Bundle"),
        ("cancel", "HomecareAuthorizationUpdateBundleExample", None, "must cancel"),
        ("update", "HomecareAuthorizationUpdateBundleExample", "cancelled", "use cancel"),
        ("submit", "HomecareAuthorizationUpdateBundleExample", "no-claim", "must be the Claim"),
    ],
)
def test_a_bundle_for_another_operation_is_refused_before_sending(
    payer: Payer, method: str, name: str, edit: str | None, message: str
) -> None:
    """Each operation posts its own profile: a wrong Bundle is refused and nothing is sent."""
    bundle = _ig(name)
    if edit == "cancelled":
        bundle["entry"][0]["resource"]["status"] = "cancelled"
    elif edit == "no-claim":
        bundle["entry"] = bundle["entry"][1:5]  # Organizations, Coverage, Patient; no Claim
    with _client(payer) as client, pytest.raises(PasClientError) as caught:
        getattr(client, method)(bundle)
    assert message in str(caught.value)
    assert payer.received == []


PHI_OUTCOME = {
    "resourceType": "OperationOutcome",
    "issue": [
        {
            "severity": "error",
            "code": "Harold Testperson\x1b[2J",
            "details": {
                "coding": [{"code": "A3"}, {"code": "CSA-0047-1193"}, {"code": "\u202eeno"}],
                "text": "Harold Testperson 1958-09-14",
            },
            "diagnostics": "member CSA-0047-1193 Harold Testperson born 1958-09-14 \x1b]0;x\x07",
            "expression": [
                "Patient.where(name.family = 'Testperson' and birthDate = @1958-09-14)",
                'Patient.identifier.where(value = "CSA-0047-1193")',
                "Patient.identifier.value = 00471193",
                "Patient.name\x1b[31m",
            ],
        },
        {"severity": "warning", "code": "throttled", "diagnostics": "Harold"},
    ],
}
SECRETS = ("Harold", "Testperson", "CSA-0047", "0047", "1958", "\x1b", "\u202e", "\x07")


def test_operation_outcome_text_never_reaches_the_error(payer: Payer) -> None:
    """Codes of their system's shape are printed; names, ids, dates and escapes are counted."""
    payer.script["Claim/$submit"] = [(422, {}, json.dumps(PHI_OUTCOME).encode(), 0.0)]
    with _client(payer) as client, pytest.raises(FhirError) as caught:
        client.submit(pas_request(load_case(CASE), **options()))
    assert caught.value.errors == (
        "$.issue[0]: the payer answered error (unrecognised code) (A3) at "
        "Patient.where(name.family = '…' and birthDate = @…), "
        'Patient.identifier.where(value = "…"), Patient.identifier.value = …'
        "; not shown: 3 codes, 2 texts, 1 expression",
        "$.issue[1]: the payer answered warning throttled; not shown: 1 text",
    )
    for secret in SECRETS:
        assert secret not in str(caught.value)


@pytest.mark.parametrize("status", [429, 503])
def test_exhausted_retries_with_an_outcome_are_a_client_error(payer: Payer, status: int) -> None:
    """A 429/503 answered past the retries is a PasClientError: status, attempts, codes only."""
    body = json.dumps(PHI_OUTCOME).encode()
    payer.script["Claim/$submit"] = [(status, {"Retry-After": "1"}, body, 0.0)] * 3
    with _client(payer, retries=2) as client, pytest.raises(PasClientError) as caught:
        client.submit(pas_request(load_case(CASE), **options()))
    message = str(caught.value)
    assert message.startswith(f"PAS Claim/$submit: HTTP {status} after 3 attempts; ")
    assert "OperationOutcome.issue[1]: the payer answered warning throttled" in message
    for secret in SECRETS:
        assert secret not in message


@pytest.mark.parametrize(
    ("expires_in", "message"),
    [
        ('"nan"', "expires_in is not a number"),
        ("1e999", "not usable JSON"),
        ("-5", "not a positive finite number"),
        ("true", "expires_in is not a number"),
    ],
)
def test_a_token_lifetime_that_is_no_number_is_a_client_error(
    payer: Payer, expires_in: str, message: str
) -> None:
    """expires_in of "nan", 1e999, a negative number or a boolean is an error, no traceback."""
    original = payer._token

    def token(body: bytes) -> tuple[int, dict[str, str], bytes, float]:
        status, headers, answer, delay = original(body)
        text = answer.decode().replace('"expires_in": 300', f'"expires_in": {expires_in}')
        return status, headers, text.encode(), delay

    payer._token = token  # type: ignore[method-assign]
    with _client(payer) as client, pytest.raises(PasClientError) as caught:
        client.submit(pas_request(load_case(CASE), **options()))
    assert message in str(caught.value)
    assert str(caught.value).startswith("token request: ")


def test_a_long_token_lifetime_is_capped(payer: Payer) -> None:
    """A token said to live 1e300 s is fetched again after an hour (MAX_TOKEN_SECONDS)."""
    now = [time.time()]
    payer.expires_in = 1e300  # type: ignore[assignment]
    bundle = pas_request(load_case(CASE), **options())
    with _client(payer, clock=lambda: now[0]) as client:
        client.submit(bundle)
        now[0] += 3600
        client.submit(bundle)
    assert payer.tokens == ["token-1", "token-2"]


@pytest.mark.parametrize(
    "header", ["\u00b2", "\u0661\u0662", "-3", "1e999", "99999999999", "9999999999", ""]
)
def test_an_unreadable_retry_after_waits_one_second(payer: Payer, header: str) -> None:
    """Retry-After of a superscript digit, Arabic-Indic digits, a negative or huge number."""
    granted = json.dumps(_ig("PASClaimInquiryResponseBundleExample")).encode()
    raw = header.encode("utf-8").decode("latin-1")  # what the server writes on the wire
    payer.script["Claim/$submit"] = [(503, {"Retry-After": raw}, b"", 0.0), (200, {}, granted, 0)]
    waits: list[float] = []
    with _client(payer, sleep=waits.append, max_wait=5.0) as client:
        client.submit(pas_request(load_case(CASE), **options()))
    assert waits == ([5.0] if header == "9999999999" else [1.0])
