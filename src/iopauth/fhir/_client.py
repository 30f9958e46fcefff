"""``PasClient``: submit, update and cancel a PAS request (``Claim/$submit``) and inquire
(``Claim/$inquire``).

HTTP goes through httpx; authorization follows SMART Backend Services: a client-credentials
grant whose client assertion is a JWT signed with the client's private key (PyJWT with
cryptography), the access token cached until shortly before it expires. 429 and 503 answers
are retried after their ``Retry-After``. Every exchange is bounded (``_transport``): one
deadline for the whole exchange, bodies streamed and cut at 16 MiB before and after
decompression, JSON read with the case reader's limits. Nothing from a request or response
body (patient data) reaches an exception or a log line: they name the operation, the status
and the attempt, and an OperationOutcome only by its codes (``errors.outcome_lines``).
Needs the ``fhir`` extra: ``pip install iopauth[fhir]``.
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
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from attrs import field, frozen

from ..errors import FhirError, PasClientError, outcome_lines
from . import _systems as cs
from ._transport import ACCEPT_ENCODING, Deadline, deadline_transport, parse_answer, read_body

if TYPE_CHECKING:
    import httpx

__all__ = ["PasClient", "SmartBackendAuth"]

log = logging.getLogger("iopauth.fhir.client")

_FHIR_JSON = "application/fhir+json"
_RETRIED = frozenset({429, 503})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: Seconds before a token's stated expiry at which it is no longer used.
TOKEN_MARGIN = 30.0
#: Longest a token is kept, whatever ``expires_in`` says (our bound: SMART Backend Services
#: recommends five-minute tokens; a longer one is fetched again after an hour).
MAX_TOKEN_SECONDS = 3600.0
_SECONDS = re.compile(r"[0-9]{1,10}")
_INQUIRY_BUNDLE = cs.PAS + "profile-pas-inquiry-request-bundle"
#: What a successful answer of each operation may be: $submit a response Bundle (the RI also
#: answers a ClaimResponse alone); $inquire a Parameters of 0..* Bundles (PAS 2.2.1) or one
#: Bundle (the 2.2.0 ballot), interop.md §4.
_ANSWERS = {
    "Claim/$submit": frozenset({"Bundle", "ClaimResponse"}),
    "Claim/$inquire": frozenset({"Bundle", "Parameters", "ClaimResponse"}),
}


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
    except on this machine's loopback address. ``timeout`` bounds each whole HTTP exchange
    (seconds, from connecting to the last byte of the answer, however slowly it trickles);
    ``retries`` is how many times a 429 or 503 is retried, waiting ``Retry-After`` (at most
    ``max_wait`` seconds). ``clock`` and ``sleep`` are injectable for tests; ``transport``
    replaces the network (then only the body's size and the time between its pieces are
    bounded).
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
        _check_bundle("submit", bundle, inquiry=False)
        return self._operation("Claim/$submit", bundle)

    def inquire(self, bundle: Mapping[str, Any]) -> dict[str, Any]:
        """POST an inquiry Bundle to ``Claim/$inquire``; the payer's response (JSON dict).

        PAS 2.2.1 answers a Parameters holding 0..* inquiry-response Bundles, the 2.2.0
        ballot one Bundle; both are returned as they came (``decision_from_response`` reads
        either). A Bundle declaring the request-bundle profile is refused: ``$inquire``
        takes the inquiry profile.
        """
        _check_bundle("inquire", bundle, inquiry=True)
        return self._operation("Claim/$inquire", bundle)

    def update(self, bundle: Mapping[str, Any]) -> dict[str, Any]:
        """POST a Claim update Bundle (PAS Claim Update, :func:`~iopauth.fhir.pas_update`) to
        ``Claim/$submit``, as given; a Bundle that cancels is refused — that is :meth:`cancel`.
        """
        claim = _check_bundle("update", bundle, inquiry=False)
        if _cancels(claim):
            raise PasClientError("PAS update: the Claim cancels the request; use cancel")
        return self._operation("Claim/$submit", bundle)

    def cancel(self, bundle: Mapping[str, Any]) -> dict[str, Any]:
        """POST a cancel Bundle (:func:`~iopauth.fhir.pas_cancel`) to ``Claim/$submit``.

        PAS cancels with the ``infoCancelled`` modifier on every item; the reference
        implementation also takes a Claim with ``status = cancelled`` (interop.md §2). A
        Bundle whose Claim does neither is refused before anything is sent.
        """
        claim = _check_bundle("cancel", bundle, inquiry=False)
        if not _cancels(claim):
            raise PasClientError(
                "PAS cancel: the Claim must cancel (every item infoCancelled, or status cancelled)"
            )
        return self._operation("Claim/$submit", bundle)

    # ------------------------------------------------------------------ internals

    def _operation(
        self,
        operation: str,
        body: Mapping[str, Any],
        *,
        service: str = "PAS",
        answers: frozenset[str] | None = None,
    ) -> dict[str, Any]:
        """POST ``body`` to ``operation``; ``service`` names the guide in errors and logs,
        ``answers`` the resource types a success may be (default ``_ANSWERS[operation]``)."""
        content = json.dumps(body).encode("utf-8")
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            headers = {"Content-Type": _FHIR_JSON, "Accept": _FHIR_JSON}
            if self._auth is not None:
                headers["Authorization"] = f"Bearer {self._access_token()}"
            what = f"{service} {operation}"
            status, response_headers, answer = self._exchange(
                what, f"{self._base}/{operation}", headers, content=content
            )
            log.info("%s %s: HTTP %s (attempt %s)", service, operation, status, attempt)
            if status == 401 and self._auth is not None and not refreshed:
                self._token = None  # the payer no longer honours it: fetch a new one, once
                refreshed = True
                continue
            if status in _RETRIED and attempt <= self._retries:
                wait = _retry_after(response_headers.get("Retry-After"), self._clock())
                self._sleep(min(wait, self._max_wait))
                continue
            data = _answer(answer, what, status)
            return _result(operation, status, data, attempt, service=service, answers=answers)

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


_INFO_CANCELLED = cs.PAS + "modifierextension-infoCancelled"


def _cancels(claim: Mapping[str, Any]) -> bool:
    """Whether a Claim cancels: ``status = cancelled``, or every item ``infoCancelled``."""
    if claim.get("status") == "cancelled":
        return True
    items = claim.get("item")
    if not isinstance(items, list) or not items:
        return False
    return all(
        isinstance(item, Mapping)
        and any(
            isinstance(ext, Mapping)
            and ext.get("url") == _INFO_CANCELLED
            and ext.get("valueBoolean") is True
            for ext in item.get("modifierExtension") or ()
        )
        for item in items
    )


def _check_bundle(what: str, bundle: Mapping[str, Any], *, inquiry: bool) -> Mapping[str, Any]:
    """The Claim of a Bundle about to be posted; refuses a Bundle made for the other
    operation (by its declared profile) or without a Claim as its first entry."""
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        raise PasClientError(f"PAS {what}: the request must be a Bundle")
    meta = bundle.get("meta")
    profiles = meta.get("profile") if isinstance(meta, Mapping) else None
    profiles = set(profiles) if isinstance(profiles, list) else set()
    expected, other = (
        (_INQUIRY_BUNDLE, cs.PAS_REQUEST_BUNDLE)
        if inquiry
        else (cs.PAS_REQUEST_BUNDLE, _INQUIRY_BUNDLE)
    )
    if other in profiles and expected not in profiles:
        kind = "a PAS request" if inquiry else "an inquiry"
        raise PasClientError(f"PAS {what}: the Bundle is {kind} Bundle (meta.profile)")
    entries = bundle.get("entry")
    first = entries[0] if isinstance(entries, list) and entries else None
    claim = first.get("resource") if isinstance(first, Mapping) else None
    if not isinstance(claim, Mapping) or claim.get("resourceType") != "Claim":
        raise PasClientError(f"PAS {what}: the Bundle's first entry must be the Claim")
    return claim


def _require_https(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        return
    raise PasClientError("PAS endpoints must use https (plain http only on the loopback address)")


def _retry_after(value: str | None, now: float) -> float:
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


def _result(
    operation: str,
    status: int,
    data: object,
    attempt: int,
    *,
    service: str = "PAS",
    answers: frozenset[str] | None = None,
) -> dict[str, Any]:
    tries = f" after {attempt} attempts" if attempt > 1 else ""
    outcome = isinstance(data, dict) and data.get("resourceType") == "OperationOutcome"
    if status in _RETRIED:
        # the payer stayed busy: the error is the exchange's, with the outcome's codes only
        codes = ""
        if outcome:
            assert isinstance(data, dict)  # noqa: S101 -- narrowed above
            codes = "; " + "; ".join(outcome_lines(data, "OperationOutcome"))
        raise PasClientError(f"{service} {operation}: HTTP {status}{tries}{codes}")
    if outcome and status >= 400:
        assert isinstance(data, dict)  # noqa: S101 -- narrowed above
        raise FhirError(outcome_lines(data, "$"))
    if status >= 400:
        raise PasClientError(f"{service} {operation}: HTTP {status}{tries}")
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if not isinstance(data, dict) or kind not in (answers or _ANSWERS[operation]) | {
        "OperationOutcome"
    }:
        raise PasClientError(f"{service} {operation}: an answer that is not a {service} response")
    return data
