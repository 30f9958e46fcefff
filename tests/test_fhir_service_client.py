"""The one base of the three payer clients (``_service_client.ServiceClient``): the endpoint
rules each client keeps, with its own name. The exchanges themselves are tested per client
against local servers (test_fhir_client, test_fhir_hooks_client, test_fhir_dtr_client,
test_fhir_transport)."""

from __future__ import annotations

import inspect

import pytest

from iopauth import fhir
from iopauth.errors import PasClientError
from iopauth.fhir._service_client import ServiceClient, retry_after

CLIENTS = [(fhir.PasClient, "PAS"), (fhir.CdsHooksClient, "CDS Hooks"), (fhir.DtrClient, "DTR")]
AUTH = fhir.SmartBackendAuth(
    token_url="http://token.example/token",  # noqa: S106 -- a URL, not a password
    client_id="iopauth-test",
    private_key="unused",
    key_id="k1",
)


@pytest.mark.parametrize(("client", "name"), CLIENTS)
def test_every_client_is_the_one_base_with_one_signature(client: type, name: str) -> None:
    """Same constructor for the three; the repr names the class and the base only."""
    assert issubclass(client, ServiceClient)
    assert inspect.signature(client) == inspect.signature(fhir.PasClient)
    with client("https://payer.example/base/") as made:
        assert repr(made) == f"<{client.__name__} https://payer.example/base>"


@pytest.mark.parametrize(("client", "name"), CLIENTS)
def test_every_client_refuses_plain_http_and_a_bad_timeout_by_its_name(
    client: type, name: str
) -> None:
    """Plain http off the loopback address is refused naming the guide; the loopback is
    allowed; a timeout that is not a positive number is a ValueError."""
    with pytest.raises(PasClientError) as caught:
        client("http://payer.example/fhir")
    assert str(caught.value) == (
        f"{name} endpoints must use https (plain http only on the loopback address)"
    )
    client("http://127.0.0.1:9/fhir").close()
    for timeout in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="timeout must be a positive number"):
            client("https://payer.example/fhir", timeout=timeout)


@pytest.mark.parametrize(
    ("client", "checked"),
    [(fhir.PasClient, True), (fhir.DtrClient, True), (fhir.CdsHooksClient, False)],
)
def test_the_token_url_is_checked_where_a_token_is_fetched(client: type, checked: bool) -> None:
    """PAS and DTR fetch a SMART token from ``auth.token_url``, so it must be https too; CDS
    Hooks signs each call itself and never calls it."""
    if checked:
        with pytest.raises(PasClientError, match="endpoints must use https"):
            client("https://payer.example/fhir", auth=AUTH)
    else:
        client("https://payer.example/fhir", auth=AUTH).close()


def test_retry_after_reads_seconds_and_dates_and_falls_back_to_one() -> None:
    """ASCII seconds as given; an HTTP date as the seconds left (never negative); else 1."""
    assert retry_after("7", 0.0) == 7.0
    assert retry_after("Thu, 01 Jan 1970 00:01:40 GMT", 40.0) == 60.0
    assert retry_after("Thu, 01 Jan 1970 00:01:40 GMT", 500.0) == 0.0
    assert retry_after(None, 0.0) == retry_after("²", 0.0) == retry_after("-3", 0.0) == 1.0
