"""``PasClient``: submit, update and cancel a PAS request (``Claim/$submit``) and inquire
(``Claim/$inquire``).

The endpoint, the bounded exchange (one deadline for the whole exchange, bodies streamed and
cut at 16 MiB before and after decompression, strict JSON), the 429/503 retries, the SMART
Backend Services token and the reading of an OperationOutcome by its codes are
:class:`~iopauth.fhir._service_client.ServiceClient`'s, shared with the CRD and DTR clients.
Nothing from a request or response body (patient data) reaches an exception or a log line: they
name the operation, the status and the attempt, and an OperationOutcome only by its codes
(``errors.outcome_lines``). Needs the ``fhir`` extra: ``pip install iopauth[fhir]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import PasClientError
from . import _systems as cs
from ._service_client import MAX_TOKEN_SECONDS, TOKEN_MARGIN, ServiceClient, SmartBackendAuth

__all__ = ["MAX_TOKEN_SECONDS", "TOKEN_MARGIN", "PasClient", "SmartBackendAuth"]

_INQUIRY_BUNDLE = cs.PAS + "profile-pas-inquiry-request-bundle"
#: What a successful answer of each operation may be: $submit a response Bundle (the RI also
#: answers a ClaimResponse alone); $inquire a Parameters of 0..* Bundles (PAS 2.2.1) or one
#: Bundle (the 2.2.0 ballot), interop.md §4.
_ANSWERS = {
    "Claim/$submit": frozenset({"Bundle", "ClaimResponse"}),
    "Claim/$inquire": frozenset({"Bundle", "Parameters", "ClaimResponse"}),
}


class PasClient(ServiceClient):
    """A payer's PAS endpoint. Use as a context manager, or call :meth:`close`.

    ``base_url`` is the FHIR base (``https://payer.example/fhir``); plain ``http`` is refused
    except on this machine's loopback address. ``timeout`` bounds each whole HTTP exchange
    (seconds, from connecting to the last byte of the answer, however slowly it trickles);
    ``retries`` is how many times a 429 or 503 is retried, waiting ``Retry-After`` (at most
    ``max_wait`` seconds). ``clock`` and ``sleep`` are injectable for tests; ``transport``
    replaces the network (then only the body's size and the time between its pieces are
    bounded).
    """

    SERVICE = "PAS"

    def submit(self, bundle: Mapping[str, Any]) -> dict[str, Any]:
        """POST a PAS request Bundle to ``Claim/$submit``; the payer's response (JSON dict)."""
        _check_bundle("submit", bundle, inquiry=False)
        return self._submit("Claim/$submit", bundle)

    def inquire(self, bundle: Mapping[str, Any]) -> dict[str, Any]:
        """POST an inquiry Bundle to ``Claim/$inquire``; the payer's response (JSON dict).

        PAS 2.2.1 answers a Parameters holding 0..* inquiry-response Bundles, the 2.2.0
        ballot one Bundle; both are returned as they came (``decision_from_response`` reads
        either). A Bundle declaring the request-bundle profile is refused: ``$inquire``
        takes the inquiry profile.
        """
        _check_bundle("inquire", bundle, inquiry=True)
        return self._submit("Claim/$inquire", bundle)

    def update(self, bundle: Mapping[str, Any]) -> dict[str, Any]:
        """POST a Claim update Bundle (PAS Claim Update, :func:`~iopauth.fhir.pas_update`) to
        ``Claim/$submit``, as given; a Bundle that cancels is refused — that is :meth:`cancel`.
        """
        claim = _check_bundle("update", bundle, inquiry=False)
        if _cancels(claim):
            raise PasClientError("PAS update: the Claim cancels the request; use cancel")
        return self._submit("Claim/$submit", bundle)

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
        return self._submit("Claim/$submit", bundle)

    def _submit(self, operation: str, bundle: Mapping[str, Any]) -> dict[str, Any]:
        return self._operation(operation, bundle, answers=_ANSWERS[operation])


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
