"""``PasClient``: submit a PAS request (``Claim/$submit``) and inquire (``Claim/$inquire``).

HTTP goes through httpx; authorization follows SMART Backend Services: a client-credentials
grant whose client assertion is a JWT signed with the client's private key (PyJWT with
cryptography), the access token cached until shortly before it expires. 429 and 503 answers
are retried after their ``Retry-After``. Nothing from a request or response body (patient
data) reaches an exception or a log line: they name the operation, the status and the attempt.
Needs the ``fhir`` extra: ``pip install iopauth[fhir]``.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from attrs import field, frozen

from ..errors import PasClientError

if TYPE_CHECKING:
    import httpx

__all__ = ["PasClient", "SmartBackendAuth"]

log = logging.getLogger("iopauth.fhir.client")

_FHIR_JSON = "application/fhir+json"
_RETRIED = frozenset({429, 503})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: Seconds before a token's stated expiry at which it is no longer used.
TOKEN_MARGIN = 30.0


@frozen(kw_only=True)
class SmartBackendAuth:
    """SMART Backend Services client credentials: who we are and the key we sign with.

    ``private_key`` is a PEM (RSA for RS384, EC P-384 for ES384, the two algorithms SMART
    Backend Services names); ``key_id`` is the ``kid`` of its public key in the JWKS the payer
    registered. The key is never shown in a ``repr``.
    """

    token_url: str
    client_id: str
    private_key: str | bytes = field(repr=False)
    key_id: str
    algorithm: str = "RS384"
    scope: str = "system/Claim.write system/ClaimResponse.read"


class PasClient:
    """A payer's PAS endpoint. Use as a context manager, or call :meth:`close`.

    ``base_url`` is the FHIR base (``https://payer.example/fhir``); plain ``http`` is refused
    except on this machine's loopback address. ``timeout`` bounds each HTTP exchange (seconds);
    ``retries`` is how many times a 429 or 503 is retried, waiting ``Retry-After`` (at most
    ``max_wait`` seconds). ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: SmartBackendAuth | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        max_wait: float = 60.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        import httpx

        for url in (base_url, *([auth.token_url] if auth else [])):
            _require_https(url)
        self._base = base_url.rstrip("/")
        self._auth = auth
        self._retries = retries
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._token: str | None = None
        self._token_expires = 0.0
        self._http = httpx.Client(timeout=httpx.Timeout(timeout), transport=transport)

    def __enter__(self) -> PasClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __repr__(self) -> str:
        return f"<PasClient {self._base}>"

    def submit(self, bundle: Mapping[str, Any]) -> dict[str, Any]:
        """POST a PAS request Bundle to ``Claim/$submit``; the payer's response (JSON dict)."""
        return self._operation("Claim/$submit", bundle)

    def inquire(self, bundle: Mapping[str, Any]) -> dict[str, Any]:
        """POST an inquiry Bundle to ``Claim/$inquire``; the payer's response (JSON dict)."""
        return self._operation("Claim/$inquire", bundle)

    # ------------------------------------------------------------------ internals

    def _operation(self, operation: str, body: Mapping[str, Any]) -> dict[str, Any]:
        content = json.dumps(body).encode("utf-8")
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            headers = {"Content-Type": _FHIR_JSON, "Accept": _FHIR_JSON}
            if self._auth is not None:
                headers["Authorization"] = f"Bearer {self._access_token()}"
            response = self._send(operation, f"{self._base}/{operation}", content, headers)
            status = response.status_code
            log.info("PAS %s: HTTP %s (attempt %s)", operation, status, attempt)
            if status == 401 and self._auth is not None and not refreshed:
                self._token = None  # the payer no longer honours it: fetch a new one, once
                refreshed = True
                continue
            if status in _RETRIED and attempt <= self._retries:
                wait = _retry_after(response.headers.get("Retry-After"), self._clock())
                self._sleep(min(wait, self._max_wait))
                continue
            return _result(operation, response, attempt)

    def _send(
        self, operation: str, url: str, content: bytes, headers: dict[str, str]
    ) -> httpx.Response:
        import httpx

        try:
            return self._http.post(url, content=content, headers=headers)
        except httpx.TimeoutException:
            raise PasClientError(f"PAS {operation}: no answer within the timeout") from None
        except httpx.HTTPError as exc:
            raise PasClientError(f"PAS {operation}: {type(exc).__name__}") from None

    def _access_token(self) -> str:
        if self._token is not None and self._clock() < self._token_expires - TOKEN_MARGIN:
            return self._token
        auth = self._auth
        assert auth is not None  # noqa: S101 -- only called when auth is configured
        import jwt

        now = self._clock()
        assertion = jwt.encode(
            {
                "iss": auth.client_id,
                "sub": auth.client_id,
                "aud": auth.token_url,
                "exp": int(now) + 300,
                "jti": str(uuid.uuid4()),
            },
            auth.private_key,
            algorithm=auth.algorithm,
            headers={"kid": auth.key_id, "typ": "JWT"},
        )
        form = {
            "grant_type": "client_credentials",
            "scope": auth.scope,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        }
        response = self._send_form(auth.token_url, form)
        if response.status_code != 200:
            raise PasClientError(f"token request: HTTP {response.status_code}")
        try:
            data = response.json()
            token, expires_in = data["access_token"], float(data.get("expires_in", 300))
        except (ValueError, KeyError, TypeError):
            raise PasClientError("token request: the answer holds no access_token") from None
        if not isinstance(token, str) or not token:
            raise PasClientError("token request: the answer holds no access_token")
        log.info("PAS token: obtained, valid %s s", int(expires_in))
        self._token, self._token_expires = token, now + expires_in
        return token

    def _send_form(self, url: str, form: dict[str, str]) -> httpx.Response:
        import httpx

        try:
            return self._http.post(url, data=form, headers={"Accept": "application/json"})
        except httpx.TimeoutException:
            raise PasClientError("token request: no answer within the timeout") from None
        except httpx.HTTPError as exc:
            raise PasClientError(f"token request: {type(exc).__name__}") from None


def _require_https(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        return
    raise PasClientError("PAS endpoints must use https (plain http only on the loopback address)")


def _retry_after(value: str | None, now: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); 1 when absent."""
    if value is None:
        return 1.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return 1.0


def _result(operation: str, response: httpx.Response, attempt: int) -> dict[str, Any]:
    status = response.status_code
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("resourceType") == "OperationOutcome" and status >= 400:
        from ._decision import decision_from_response

        decision_from_response(data)  # raises FhirError naming each issue (codes, not text)
    if status >= 400 or not isinstance(data, dict):
        what = f"HTTP {status}" if status >= 400 else "an answer that is not a FHIR JSON object"
        tries = f" after {attempt} attempts" if attempt > 1 else ""
        raise PasClientError(f"PAS {operation}: {what}{tries}")
    return data
