"""CdsHooksClient against a CDS Hooks service on 127.0.0.1 answering with the CRD guide's cards.

Fixtures: tests/data/crd/ (HL7/davinci-crd 2bfabc15; PROVENANCE.md). The service answers the
discovery document and the example responses byte for byte; what the reader must find in them
is tests/data/crd/expected.json.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from iopauth import fhir, load_case
from iopauth.errors import PasClientError
from iopauth.fhir._transport import MAX_RESPONSE_BYTES

from .local_service import serve

DATA = Path(__file__).parent / "data" / "crd"
EXPECTED = json.loads((DATA / "expected.json").read_text())
CASE = Path(__file__).parent.parent / "examples" / "cases" / "medicare-stepdown-depression.json"
HOOK_INSTANCE = "0b7f3a0e-9d5c-4d0e-8a53-3c1f7b2a6e11"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE = _KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
)
PUBLIC = _KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)
AUTH = fhir.SmartBackendAuth(
    token_url="https://unused.example/token",  # noqa: S106 -- a URL, not a password
    client_id="riverbend-ehr",
    private_key=PRIVATE,
    key_id="k1",
)
JSON = {"Content-Type": "application/json"}


class Service:
    """Records what it received; answers from ``answers`` by path (a callable or fixed)."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []

    def __call__(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        self.received.append((method, path, headers, body))
        answer = self.answers[path]
        if callable(answer):
            result: tuple[int, dict[str, str], bytes] = answer(len(self.received))
            return result
        return 200, JSON, answer


def _request() -> dict[str, Any]:
    return fhir.crd_request(load_case(CASE), hook_instance=HOOK_INSTANCE)


def _client(base: str, **options: Any) -> fhir.CdsHooksClient:
    options.setdefault("sleep", lambda _s: None)
    return fhir.CdsHooksClient(base, **options)


def test_discovery_returns_the_guides_services() -> None:
    """GET /cds-services answers the CRD discovery example; its order-sign service is there."""
    service = Service({"/cds-services": (DATA / "services-discovery.json").read_bytes()})
    with serve(service) as base, _client(base) as client:
        found = client.discovery()
    assert [(s["id"], s["hook"]) for s in found["services"]][-2:] == [
        ("order-select-crd", "order-select"),
        ("order-sign-crd", "order-sign"),
    ]
    method, path, headers, body = service.received[0]
    assert (method, path, body) == ("GET", "/cds-services", b"")
    assert "authorization" not in headers


@pytest.mark.parametrize(
    "name",
    ["response-cards-and-servicerequest-update.json", "response-communicationrequest-update.json"],
)
def test_call_posts_the_request_and_reads_the_guides_cards(name: str) -> None:
    """POST /cds-services/order-sign-crd: the request arrives whole, the guide's answer is read
    into the coverage information expected.json lists for it."""
    service = Service({"/cds-services/order-sign-crd": (DATA / name).read_bytes()})
    request = _request()
    with serve(service) as base, _client(base) as client:
        answer = client.call("order-sign-crd", request)
    method, path, headers, body = service.received[0]
    assert (method, path) == ("POST", "/cds-services/order-sign-crd")
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == request
    result = fhir.coverage_requirements(answer)
    want = [
        info
        for action in EXPECTED["responses"][name]["systemActions"]
        for info in action["coverage_information"]
    ]
    assert [(c.covered, c.pa_needed, c.assertion_id) for c in result.coverage] == [
        (w["covered"], w["pa-needed"], w["coverage-assertion-id"]) for w in want
    ]


def test_each_call_carries_a_jwt_signed_for_that_endpoint() -> None:
    """CDS Hooks client trust: a fresh JWT per call, signed with the key, aud = the endpoint."""
    service = Service(
        {
            "/cds-services": (DATA / "services-discovery.json").read_bytes(),
            "/cds-services/order-sign-crd": (DATA / "iop-response-ours.json").read_bytes(),
        }
    )
    with serve(service) as base, _client(base, auth=AUTH) as client:
        client.discovery()
        client.call("order-sign-crd", _request())
    claims = []
    for _method, path, headers, _body in service.received:
        token = headers["authorization"].removeprefix("Bearer ")
        assert jwt.get_unverified_header(token)["kid"] == "k1"
        claims.append(jwt.decode(token, PUBLIC, algorithms=["RS384"], audience=f"{base}{path}"))
    assert [c["iss"] for c in claims] == ["riverbend-ehr", "riverbend-ehr"]
    assert all(c["exp"] - c["iat"] == 300 for c in claims)
    assert claims[0]["jti"] != claims[1]["jti"]


def test_busy_service_is_retried_then_reported_by_status_and_attempts() -> None:
    """429 then 200: answered; 503 every time: an error naming operation, status, attempts."""
    ok = (DATA / "iop-response-ours.json").read_bytes()
    service = Service(
        {
            "/cds-services/a": lambda n: (
                (429, {"Retry-After": "2"}, b"") if n == 1 else (200, JSON, ok)
            ),
            "/cds-services/b": lambda _n: (503, JSON, b'{"detail": "Jane Doe 1980-01-01"}'),
        }
    )
    waits: list[float] = []
    with serve(service) as base, _client(base, sleep=waits.append, retries=2) as client:
        assert fhir.coverage_requirements(client.call("a", _request())).prior_authorization_needed
        with pytest.raises(PasClientError) as caught:
            client.call("b", _request())
    assert waits[0] == 2.0
    assert str(caught.value) == "CDS Hooks POST cds-services/b: HTTP 503 after 3 attempts"


def _huge(_n: int) -> tuple[int, dict[str, str], bytes]:
    return (
        200,
        {**JSON, "Content-Encoding": "gzip"},
        gzip.compress(b" " * (MAX_RESPONSE_BYTES + 10)),
    )


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (_huge, f"the answer is larger than {MAX_RESPONSE_BYTES} bytes"),
        (lambda _n: (200, JSON, b'{"cards": [], "cards": []}'), "the answer is not usable JSON"),
        (lambda _n: (200, JSON, b'["Jane Doe"]'), "an answer that is not a JSON object"),
        (lambda _n: (200, JSON, b'{"cards": "Jane Doe"}'), "an answer that is not a CDS response"),
        (lambda _n: (400, JSON, b'{"error": "Jane Doe 1980-01-01"}'), "HTTP 400"),
    ],
)
def test_bad_answers_are_bounded_errors_without_their_text(
    reply: Callable[[int], tuple[int, dict[str, str], bytes]],
    message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A gzip bomb, duplicate keys, a non-object, a non-CDS answer, a 400: errors that name the
    operation and the rule, never the patient nor the service's text."""
    service = Service({"/cds-services/order-sign-crd": reply})
    caplog.set_level(logging.DEBUG)
    with serve(service) as base, _client(base) as client, pytest.raises(PasClientError) as caught:
        client.call("order-sign-crd", _request())
    text = str(caught.value)
    assert text.startswith("CDS Hooks POST cds-services/order-sign-crd: ")
    assert message in text
    case = load_case(CASE)
    for secret in (
        "Jane",
        case.patient.name.given,
        case.patient.name.family,
        case.coverage.member_id,
    ):
        assert secret not in text
        assert secret not in caplog.text


def test_a_slow_service_hits_the_deadline() -> None:
    """A service that never answers in time is a timeout error, not a hang."""
    import time

    def slow(_n: int) -> tuple[int, dict[str, str], bytes]:
        time.sleep(1.0)
        return 200, JSON, b"{}"

    with (
        serve(Service({"/cds-services/x": slow})) as base,
        _client(base, timeout=0.3) as client,
        pytest.raises(PasClientError) as caught,
    ):
        client.call("x", _request())
    assert str(caught.value) == "CDS Hooks POST cds-services/x: no answer within the timeout"


def test_refused_before_sending() -> None:
    """Plain http off the loopback, a service id that is not a path segment, a request without
    hook/hookInstance: refused without a connection."""
    with pytest.raises(PasClientError, match="CDS Hooks endpoints must use https"):
        fhir.CdsHooksClient("http://payer.example/cds")
    service = Service({})
    with serve(service) as base, _client(base) as client:
        for bad in ("../x", "a/b", "", "x" * 101):
            with pytest.raises(PasClientError, match="service id"):
                client.call(bad, _request())
        with pytest.raises(PasClientError, match="hook and hookInstance"):
            client.call("order-sign-crd", {"context": {}})
    assert service.received == []
    shown = repr(fhir.CdsHooksClient("https://payer.example/cds", auth=AUTH))
    assert shown == "<CdsHooksClient https://payer.example/cds>"
