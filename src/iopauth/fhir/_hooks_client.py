"""``CdsHooksClient``: call a payer's CRD service (CDS Hooks discovery and service calls).

The exchanges go through :class:`~iopauth.fhir.PasClient`'s bounded transport (``_transport``):
one deadline for the whole exchange, bodies streamed and cut at 16 MiB before and after
decompression, JSON read with the case reader's limits, 429/503 retried after ``Retry-After``.

Authentication follows CDS Hooks, not an OAuth token exchange: on every call the client sends
``Authorization: Bearer`` a JWT it signs itself with its private key (``iss``/``sub`` = the
client id, ``aud`` = the endpoint called, ``iat``/``exp`` five minutes apart, a fresh ``jti``;
``kid`` in the header) — CDS Hooks "Trusting CDS Clients". :class:`SmartBackendAuth` gives the
key, client id, key id and algorithm; its ``token_url`` and ``scope`` are not used here.

Errors name the operation, the HTTP status and the attempts only — never the request (patient
data) nor the service's text.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import PasClientError
from ._client import _LOOPBACK, _RETRIED, PasClient, SmartBackendAuth, _retry_after
from ._transport import parse_answer

if TYPE_CHECKING:
    import httpx

__all__ = ["CdsHooksClient", "require_https"]

log = logging.getLogger("iopauth.fhir.client")

_JSON = "application/json"
#: A CDS Hooks service id as it goes into the URL path (``/cds-services/{id}``).
_SERVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: Seconds a signed CDS Hooks JWT is valid (CDS Hooks: at most five minutes).
JWT_SECONDS = 300


def require_https(url: str, service: str) -> None:
    """Refuse a URL that is not https, except plain http on this machine's loopback address."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        return
    raise PasClientError(
        f"{service} endpoints must use https (plain http only on the loopback address)"
    )


class CdsHooksClient:
    """A payer's CDS Hooks (CRD) service. Use as a context manager, or call :meth:`close`.

    ``base_url`` is the service base (the discovery endpoint is ``{base_url}/cds-services``);
    ``auth`` signs each call's JWT (``None``: no Authorization header). ``timeout`` bounds each
    whole exchange; ``retries`` is how many times a 429 or 503 is retried, waiting
    ``Retry-After`` (at most ``max_wait`` seconds). ``clock``, ``sleep`` and ``transport`` are
    injectable for tests, as for :class:`PasClient`.
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
        require_https(base_url, "CDS Hooks")
        if not (math.isfinite(timeout) and timeout > 0):
            raise ValueError("timeout must be a positive number of seconds")
        self._base = base_url.rstrip("/")
        self._auth = auth
        self._retries = retries
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        # PasClient carries the bounded transport; its own auth is unused (CDS Hooks signs
        # each call instead of fetching a token)
        self._engine = PasClient(
            base_url, timeout=timeout, retries=0, clock=clock, sleep=sleep, transport=transport
        )

    def __enter__(self) -> CdsHooksClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._engine.close()

    def __repr__(self) -> str:
        return f"<CdsHooksClient {self._base}>"

    def discovery(self) -> dict[str, Any]:
        """GET ``/cds-services``: the service's discovery document (``services``: id, hook,
        prefetch templates) as it came."""
        data = self._send("GET", "cds-services", None)
        if not isinstance(data.get("services"), list):
            raise PasClientError("CDS Hooks GET cds-services: an answer without services")
        return data

    def call(self, service_id: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``request`` (``crd_request``'s) to ``/cds-services/{service_id}``.

        Returns the parsed CDS Hooks response (``cards``, ``systemActions``) for
        :func:`~iopauth.fhir.coverage_requirements`. A service id that cannot be a URL path
        segment, or a request without ``hook`` and ``hookInstance``, is refused before sending.
        """
        if not isinstance(service_id, str) or not _SERVICE_ID.fullmatch(service_id):
            raise PasClientError(
                "CDS Hooks: a service id is 1-100 letters, digits, '.', '_' or '-'"
            )
        if not isinstance(request, Mapping) or not all(
            isinstance(request.get(key), str) for key in ("hook", "hookInstance")
        ):
            raise PasClientError("CDS Hooks: the request needs hook and hookInstance")
        path = f"cds-services/{service_id}"
        data = self._send("POST", path, request)
        cards = data.get("cards", [])
        actions = data.get("systemActions", [])
        if not isinstance(cards, list) or not isinstance(actions, list):
            raise PasClientError(f"CDS Hooks POST {path}: an answer that is not a CDS response")
        return data

    # ------------------------------------------------------------------ internals

    def _send(self, method: str, path: str, body: Mapping[str, Any] | None) -> dict[str, Any]:
        url = f"{self._base}/{path}"
        content = None if body is None else json.dumps(body).encode("utf-8")
        what = f"CDS Hooks {method} {path}"
        attempt = 0
        while True:
            attempt += 1
            headers = {"Accept": _JSON}
            if content is not None:
                headers["Content-Type"] = _JSON
            if self._auth is not None:
                headers["Authorization"] = f"Bearer {self._signed(url)}"
            status, response_headers, answer = self._engine._exchange(
                what, url, headers, content=content, method=method
            )
            log.info("%s: HTTP %s (attempt %s)", what, status, attempt)
            if status in _RETRIED and attempt <= self._retries:
                wait = _retry_after(response_headers.get("Retry-After"), self._clock())
                self._sleep(min(wait, self._max_wait))
                continue
            tries = f" after {attempt} attempts" if attempt > 1 else ""
            if status >= 400:
                raise PasClientError(f"{what}: HTTP {status}{tries}")
            data = parse_answer(answer, what)
            if not isinstance(data, dict):
                raise PasClientError(f"{what}: an answer that is not a JSON object")
            return data

    def _signed(self, url: str) -> str:
        """The CDS Hooks client JWT for one call to ``url``."""
        import jwt

        auth = self._auth
        assert auth is not None  # noqa: S101 -- only called when auth is configured
        now = int(self._clock())
        return jwt.encode(
            {
                "iss": auth.client_id,
                "sub": auth.client_id,
                "aud": url,
                "iat": now,
                "exp": now + JWT_SECONDS,
                "jti": str(uuid.uuid4()),
            },
            auth.private_key,
            algorithm=auth.algorithm,
            headers={"kid": auth.key_id, "typ": "JWT"},
        )
