"""What :class:`~iopauth.fhir.PasClient`, :class:`~iopauth.fhir.CdsHooksClient` and
:class:`~iopauth.fhir.DtrClient` share: ``ServiceClient``, one payer endpoint over httpx.

- **Endpoint.** ``https`` only, plain ``http`` on this machine's loopback address alone (the
  base URL and, for a SMART token, the token URL).
- **Exchange.** One deadline for the whole exchange and bodies streamed and cut at 16 MiB
  before and after decompression (``_transport``); 429 and 503 retried after their
  ``Retry-After`` (at most ``max_wait`` seconds, ``retries`` times); JSON read with the case
  reader's limits.
- **Authorization.** SMART Backend Services: a client-credentials grant whose client assertion
  is a JWT signed with the client's private key (PyJWT with cryptography), the access token
  cached until shortly before it expires and fetched again once on a 401. (CDS Hooks signs each
  call instead: :class:`~iopauth.fhir.CdsHooksClient`.)
- **FHIR operations.** A POSTed operation's answer: an OperationOutcome with an error status is
  a :class:`~iopauth.errors.FhirError` of its codes (``errors.outcome_lines``), never its text.

Nothing from a request or response body (patient data) reaches an exception or a log line:
they name the operation, the status and the attempt. Needs the ``fhir`` extra.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import urlsplit

from attrs import field, frozen

from ..errors import FhirError, PasClientError, outcome_lines
from ._transport import ACCEPT_ENCODING, Deadline, deadline_transport, parse_answer, read_body

if TYPE_CHECKING:
    import httpx

__all__ = [
    "MAX_TOKEN_SECONDS",
    "RETRIED",
    "TOKEN_MARGIN",
    "ServiceClient",
    "SmartBackendAuth",
    "require_https",
    "retry_after",
]

log = logging.getLogger("iopauth.fhir.client")

_FHIR_JSON = "application/fhir+json"
#: Statuses retried after their Retry-After: the payer is busy, not refusing.
RETRIED = frozenset({429, 503})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: Seconds before a token's stated expiry at which it is no longer used.
TOKEN_MARGIN = 30.0
#: Longest a token is kept, whatever ``expires_in`` says (our bound: SMART Backend Services
#: recommends five-minute tokens; a longer one is fetched again after an hour).
MAX_TOKEN_SECONDS = 3600.0
_SECONDS = re.compile(r"[0-9]{1,10}")


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


def require_https(url: str, service: str) -> None:
    """Refuse a URL that is not https, except plain http on this machine's loopback address."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        return
    raise PasClientError(
        f"{service} endpoints must use https (plain http only on the loopback address)"
    )


def retry_after(value: str | None, now: float) -> float:
    """Seconds to wait from a Retry-After header (ASCII seconds or an HTTP date); 1 when
    absent or unreadable (``²``, a date past any calendar, a negative number)."""
    if value is None:
        return 1.0
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, OverflowError, IndexError):
        return 1.0


class ServiceClient:
    """One payer endpoint: the constructor, the bounded exchange, retries and the SMART token.

    Subclasses name their guide in :attr:`SERVICE` (errors and log lines) and say in
    :attr:`TOKEN_URL_CHECKED` whether ``auth.token_url`` is theirs to call. The arguments are
    documented on each public client.
    """

    SERVICE: ClassVar[str]
    TOKEN_URL_CHECKED: ClassVar[bool] = True

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

        token_url = [auth.token_url] if auth is not None and self.TOKEN_URL_CHECKED else []
        for url in (base_url, *token_url):
            require_https(url, self.SERVICE)
        if not (math.isfinite(timeout) and timeout > 0):
            raise ValueError("timeout must be a positive number of seconds")
        self._base = base_url.rstrip("/")
        self._auth = auth
        self._timeout = timeout
        self._retries = retries
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._token: str | None = None
        self._token_expires = 0.0
        self._deadline = Deadline()
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            transport=transport or deadline_transport(self._deadline),
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._base}>"

    # ------------------------------------------------------------------ for the subclasses

    def _operation(
        self, operation: str, body: Mapping[str, Any], *, answers: frozenset[str]
    ) -> dict[str, Any]:
        """POST ``body`` (FHIR JSON) to the FHIR ``operation`` with the SMART token; the answer,
        whose resource type must be one of ``answers`` (or an OperationOutcome)."""

        def headers() -> dict[str, str]:
            out = {"Content-Type": _FHIR_JSON, "Accept": _FHIR_JSON}
            if self._auth is not None:
                out["Authorization"] = f"Bearer {self._access_token()}"
            return out

        what = f"{self.SERVICE} {operation}"
        content = json.dumps(body).encode("utf-8")
        url = f"{self._base}/{operation}"
        status, answer, attempt = self._retried(what, url, headers, content, refresh=True)
        return self._result(what, status, _answer(answer, what, status), attempt, answers)

    def _retried(
        self,
        what: str,
        url: str,
        headers: Callable[[], dict[str, str]],
        content: bytes | None,
        *,
        method: str = "POST",
        refresh: bool = False,
    ) -> tuple[int, bytes, int]:
        """One exchange, again after a 429 or 503 (and once after a 401 with ``refresh``,
        the SMART token dropped); the last status, body and the number of attempts."""
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            status, response_headers, answer = self._exchange(
                what, url, headers(), content=content, method=method
            )
            log.info("%s: HTTP %s (attempt %s)", what, status, attempt)
            if refresh and status == 401 and self._auth is not None and not refreshed:
                self._token = None  # the payer no longer honours it: fetch a new one, once
                refreshed = True
                continue
            if status in RETRIED and attempt <= self._retries:
                wait = retry_after(response_headers.get("Retry-After"), self._clock())
                self._sleep(min(wait, self._max_wait))
                continue
            return status, answer, attempt

    def _exchange(
        self,
        what: str,
        url: str,
        headers: dict[str, str],
        *,
        content: bytes | None = None,
        form: dict[str, str] | None = None,
        method: str = "POST",
    ) -> tuple[int, httpx.Headers, bytes]:
        """One request under one deadline: status, headers and the (bounded) body."""
        import httpx

        self._deadline.at = time.monotonic() + self._timeout
        try:
            request = self._http.build_request(
                method,
                url,
                content=content,
                data=form,
                headers={**headers, "Accept-Encoding": ACCEPT_ENCODING},
            )
            response = self._http.send(request, stream=True)
            body = read_body(response, self._deadline, what)
        except httpx.TimeoutException:
            raise PasClientError(f"{what}: no answer within the timeout") from None
        except httpx.HTTPError as exc:
            raise PasClientError(f"{what}: {type(exc).__name__}") from None
        finally:
            self._deadline.at = None
        return response.status_code, response.headers, body

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
        status, _headers, body = self._exchange(
            "token request", auth.token_url, {"Accept": "application/json"}, form=form
        )
        if status != 200:
            raise PasClientError(f"token request: HTTP {status}")
        token, expires_in = _token_answer(parse_answer(body, "token request"))
        log.info("access token: obtained, valid %s s", int(expires_in))
        self._token, self._token_expires = token, now + expires_in
        return token

    def _result(
        self, what: str, status: int, data: object, attempt: int, answers: frozenset[str]
    ) -> dict[str, Any]:
        tries = f" after {attempt} attempts" if attempt > 1 else ""
        outcome = isinstance(data, dict) and data.get("resourceType") == "OperationOutcome"
        if status in RETRIED:
            # the payer stayed busy: the error is the exchange's, with the outcome's codes only
            codes = ""
            if outcome:
                assert isinstance(data, dict)  # noqa: S101 -- narrowed above
                codes = "; " + "; ".join(outcome_lines(data, "OperationOutcome"))
            raise PasClientError(f"{what}: HTTP {status}{tries}{codes}")
        if outcome and status >= 400:
            assert isinstance(data, dict)  # noqa: S101 -- narrowed above
            raise FhirError(outcome_lines(data, "$"))
        if status >= 400:
            raise PasClientError(f"{what}: HTTP {status}{tries}")
        kind = data.get("resourceType") if isinstance(data, dict) else None
        if not isinstance(data, dict) or kind not in answers | {"OperationOutcome"}:
            raise PasClientError(f"{what}: an answer that is not a {self.SERVICE} response")
        return data


def _answer(body: bytes, what: str, status: int) -> object:
    """The parsed body; for an error status a body that is no usable JSON is ``None`` (the
    status is the error)."""
    if status < 400:
        return parse_answer(body, what)
    try:
        return parse_answer(body, what)
    except PasClientError:
        return None


def _token_answer(data: object) -> tuple[str, float]:
    """The access token and its lifetime (seconds, at most :data:`MAX_TOKEN_SECONDS`)."""
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise PasClientError("token request: the answer holds no access_token")
    assert isinstance(data, dict)  # noqa: S101 -- narrowed above
    expires_in = data.get("expires_in", 300)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        raise PasClientError("token request: expires_in is not a number")
    if not math.isfinite(expires_in) or expires_in <= 0:
        raise PasClientError("token request: expires_in is not a positive finite number")
    return token, min(float(expires_in), MAX_TOKEN_SECONDS)
