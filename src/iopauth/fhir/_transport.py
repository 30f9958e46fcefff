"""Bounded HTTP exchanges for :class:`~iopauth.fhir.PasClient`: a deadline and a size cap.

- **Deadline.** httpx's timeouts bound each network read, so a server sending one byte a
  second could hold an exchange for ever. Every socket operation of an exchange (connect, TLS,
  each write and read, headers and body) here gets at most the time left until the exchange's
  deadline; past it the exchange fails as a timeout.
- **Size.** A body is streamed and the reading stops at :data:`MAX_RESPONSE_BYTES`, both the
  bytes on the wire and the bytes after ``gzip``/``deflate`` decoding (decoded step by step
  with an output limit, so a small compressed bomb never inflates past the cap in memory).
- **JSON.** The answer is parsed with the case reader's strict rules (duplicate keys, depth,
  out-of-range numbers are errors); nothing from the body reaches an error message.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from ..errors import InvalidCaseError, PasClientError

if TYPE_CHECKING:
    import httpcore
    import httpx

__all__ = [
    "ACCEPT_ENCODING",
    "MAX_RESPONSE_BYTES",
    "Deadline",
    "deadline_transport",
    "parse_answer",
    "read_body",
]

#: Largest response body read, on the wire and once decoded (the documents' cap, 16 MiB).
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
#: The content codings asked for and decoded (br and zstd are never asked for).
ACCEPT_ENCODING = "gzip, deflate"


class Deadline:
    """The moment (``time.monotonic``) the current exchange must end; ``None``: none running."""

    def __init__(self) -> None:
        self.at: float | None = None

    def left(self, timeout: float | None) -> float | None:
        """The timeout one socket operation may use: ``timeout`` capped by the time left."""
        if self.at is None:
            return timeout
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            return 0.0
        return remaining if timeout is None else min(timeout, remaining)

    def passed(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at


def deadline_transport(deadline: Deadline) -> httpx.HTTPTransport:
    """An httpx transport whose every socket operation is bounded by ``deadline``."""
    import httpx

    transport = httpx.HTTPTransport()
    # httpx takes no network backend of its own: its pool's is wrapped (httpcore 1.x)
    pool = transport._pool
    pool._network_backend = cast(
        "httpcore.NetworkBackend", _Backend(pool._network_backend, deadline)
    )
    return transport


def _expired(timeout: float | None, error: type[Exception]) -> float | None:
    if timeout is not None and timeout <= 0:
        raise error("the exchange's deadline passed")
    return timeout


class _Stream:
    """A network stream whose operations get at most the time left of the exchange."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        import httpcore

        left = _expired(self._deadline.left(timeout), httpcore.ReadTimeout)
        return self._inner.read(max_bytes, left)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        import httpcore

        left = _expired(self._deadline.left(timeout), httpcore.WriteTimeout)
        self._inner.write(buffer, left)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _Stream:
        import httpcore

        left = _expired(self._deadline.left(timeout), httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, left), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend:
    """httpcore's network backend with every stream wrapped in :class:`_Stream`."""

    def __init__(self, inner: httpcore.NetworkBackend, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _Stream:
        import httpcore

        left = _expired(self._deadline.left(timeout), httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, left, local_address, socket_options)
        return _Stream(stream, self._deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _Stream:
        import httpcore

        left = _expired(self._deadline.left(timeout), httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, left, socket_options), self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Inflater:
    """Decodes a gzip or deflate body step by step, never more than the room left plus one."""

    def __init__(self, coding: str, what: str) -> None:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise PasClientError(f"{what}: the answer uses a content coding iopauth does not read")
        self._what = what
        self._raw_fallback = coding == "deflate"  # some servers send raw deflate, no wrapper
        # gzip: the gzip wrapper (31); deflate: the zlib wrapper (15) or gzip, detected (47)
        self._inflate = zlib.decompressobj(31 if "gzip" in coding else 47)

    def feed(self, chunk: bytes, room: int) -> Iterator[bytes]:
        """Decoded pieces of ``chunk``; stops once more than ``room`` bytes came out."""
        data = chunk
        while data and room >= 0:
            try:
                piece = self._inflate.decompress(data, room + 1)
            except zlib.error:
                if not self._raw_fallback:
                    damaged = f"{self._what}: the compressed answer is damaged"
                    raise PasClientError(damaged) from None
                self._raw_fallback = False
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_fallback = False
            room -= len(piece)
            yield piece
            data = self._inflate.unconsumed_tail


def read_body(response: httpx.Response, deadline: Deadline, what: str) -> bytes:
    """The body of a streamed ``response``, at most :data:`MAX_RESPONSE_BYTES` read and decoded.

    Raises :class:`PasClientError` past the cap, past the deadline, or for a coding iopauth
    does not read; the response is closed either way.
    """
    import httpx

    header = response.headers.get("Content-Encoding", "")
    codings = [c.strip().lower() for c in header.split(",")]
    codings = [c for c in codings if c not in ("", "identity")]
    if len(codings) > 1:
        raise PasClientError(f"{what}: the answer uses more than one content coding")
    inflater = _Inflater(codings[0], what) if codings else None
    body = bytearray()
    wire = 0
    try:
        for chunk in response.iter_raw():
            wire += len(chunk)
            if deadline.passed():
                raise PasClientError(f"{what}: no answer within the timeout")
            if inflater is None:
                body += chunk
            else:
                for piece in inflater.feed(chunk, MAX_RESPONSE_BYTES - len(body)):
                    body += piece
            if wire > MAX_RESPONSE_BYTES or len(body) > MAX_RESPONSE_BYTES:
                raise PasClientError(
                    f"{what}: the answer is larger than {MAX_RESPONSE_BYTES} bytes"
                )
    except httpx.TimeoutException:
        raise PasClientError(f"{what}: no answer within the timeout") from None
    except httpx.HTTPError as exc:
        raise PasClientError(f"{what}: {type(exc).__name__}") from None
    finally:
        response.close()
    return bytes(body)


def parse_answer(body: bytes, what: str) -> object:
    """JSON from a payer's body with the case reader's limits; ``None`` for an empty body.

    Not UTF-8, not JSON, a key given twice, nesting past the depth limit or a number out of
    range raise :class:`PasClientError` naming the rule, never a value.
    """
    from ..caseformat._reading import parse_json, reject_out_of_range

    if not body.strip():
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PasClientError(f"{what}: the answer is not UTF-8 text") from None
    try:
        data = parse_json(text)
        reject_out_of_range(data)
    except InvalidCaseError as exc:
        rule = exc.errors[0].partition(": ")[2] if exc.errors else "not valid JSON"
        raise PasClientError(f"{what}: the answer is not usable JSON ({rule})") from None
    return data
