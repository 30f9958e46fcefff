"""``CdsHooksClient``: call a payer's CRD service (CDS Hooks discovery and service calls).

The endpoint and the exchange are :class:`~iopauth.fhir._service_client.ServiceClient`'s, as
for :class:`~iopauth.fhir.PasClient`: one deadline for the whole exchange, bodies streamed and
cut at 16 MiB before and after decompression, JSON read with the case reader's limits, 429/503
retried after ``Retry-After``.

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
import re
import uuid
from collections.abc import Mapping
from typing import Any

from ..errors import PasClientError
from ._service_client import ServiceClient, require_https
from ._transport import parse_answer

__all__ = ["CdsHooksClient", "require_https"]

_JSON = "application/json"
#: A CDS Hooks service id as it goes into the URL path (``/cds-services/{id}``).
_SERVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: Seconds a signed CDS Hooks JWT is valid (CDS Hooks: at most five minutes).
JWT_SECONDS = 300


class CdsHooksClient(ServiceClient):
    """A payer's CDS Hooks (CRD) service. Use as a context manager, or call :meth:`close`.

    ``base_url`` is the service base (the discovery endpoint is ``{base_url}/cds-services``);
    ``auth`` signs each call's JWT (``None``: no Authorization header). ``timeout`` bounds each
    whole exchange; ``retries`` is how many times a 429 or 503 is retried, waiting
    ``Retry-After`` (at most ``max_wait`` seconds). ``clock``, ``sleep`` and ``transport`` are
    injectable for tests, as for :class:`PasClient`.
    """

    SERVICE = "CDS Hooks"
    #: CDS Hooks signs each call itself: ``auth.token_url`` is never called.
    TOKEN_URL_CHECKED = False

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

        def headers() -> dict[str, str]:
            out = {"Accept": _JSON}
            if content is not None:
                out["Content-Type"] = _JSON
            if self._auth is not None:
                out["Authorization"] = f"Bearer {self._signed(url)}"
            return out

        status, answer, attempt = self._retried(what, url, headers, content, method=method)
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
