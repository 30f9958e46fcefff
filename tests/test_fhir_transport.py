"""PasClient's bounded exchanges against hostile servers on 127.0.0.1 (no network).

A body past 16 MiB (on the wire or once inflated), a server trickling one byte at a time, a
100,000-deep or duplicate-keyed answer: each is a ``PasClientError``, never a hang, a
traceback or gigabytes of memory. The bomb runs in a subprocess under an address-space limit.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from iopauth.errors import PasClientError
from iopauth.fhir import PasClient
from iopauth.fhir._transport import MAX_RESPONSE_BYTES

PAS_IG = Path(__file__).resolve().parent / "data" / "pas-ig" / "examples"
INQUIRY = json.loads((PAS_IG / "PASClaimInquiryBundleExample.json").read_text(encoding="utf-8"))
ANSWER = (PAS_IG / "PASClaimInquiryResponseBundleExample.json").read_bytes()

Behaviour = Callable[[socket.socket], None]


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


def _headers(length: int | None, *extra: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: application/fhir+json", *extra]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.fixture
def server() -> Iterator[Callable[[Behaviour], str]]:
    """A raw HTTP server on 127.0.0.1; each test says what it answers. Yields a starter."""
    started: list[socketserver.ThreadingTCPServer] = []

    def start(behaviour: Behaviour) -> str:
        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                _read_request(self.request)
                with contextlib.suppress(OSError):  # the client hung up, as it should
                    behaviour(self.request)

        srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        started.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}/fhir"

    yield start
    for srv in started:
        srv.shutdown()
        srv.server_close()


def _inquire(base: str, timeout: float = 10.0) -> object:
    with PasClient(base, timeout=timeout, retries=0) as client:
        return client.inquire(INQUIRY)


def _compressed(size: int, wbits: int) -> bytes:
    """``size`` bytes of spaces, compressed (a few kilobytes per 16 MiB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b" " * (1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join([*parts, packer.flush()])


def test_a_body_past_the_cap_stops_at_the_cap(server: Callable[[Behaviour], str]) -> None:
    """20 MiB announced and sent: the read stops past 16 MiB with an error naming the cap."""
    size = MAX_RESPONSE_BYTES + 4 * 1024 * 1024

    def answer(conn: socket.socket) -> None:
        conn.sendall(_headers(size))
        block = b" " * 65536
        for _ in range(size // len(block)):
            conn.sendall(block)

    with pytest.raises(PasClientError) as caught:
        _inquire(server(answer))
    assert (
        str(caught.value)
        == f"PAS Claim/$inquire: the answer is larger than {MAX_RESPONSE_BYTES} bytes"
    )


@pytest.mark.parametrize(("coding", "wbits"), [("gzip", 31), ("deflate", 15), ("deflate", -15)])
def test_compressed_answers_are_read(
    server: Callable[[Behaviour], str], coding: str, wbits: int
) -> None:
    """gzip, zlib-wrapped and raw deflate bodies are decoded to the payer's answer."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    body = packer.compress(ANSWER) + packer.flush()

    def answer(conn: socket.socket) -> None:
        conn.sendall(_headers(len(body), f"Content-Encoding: {coding}") + body)

    assert _inquire(server(answer)) == json.loads(ANSWER)


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, gzip", "compress"])
def test_an_unread_content_coding_is_an_error(
    server: Callable[[Behaviour], str], coding: str
) -> None:
    """A coding that was not asked for (br, zstd, stacked gzip) is refused, not decoded."""

    def answer(conn: socket.socket) -> None:
        conn.sendall(_headers(len(ANSWER), f"Content-Encoding: {coding}") + ANSWER)

    with pytest.raises(PasClientError) as caught:
        _inquire(server(answer))
    assert "content coding" in str(caught.value)


def test_a_damaged_gzip_body_is_an_error(server: Callable[[Behaviour], str]) -> None:
    body = b"\x1f\x8b\x08\x00garbage-that-is-not-deflate"

    def answer(conn: socket.socket) -> None:
        conn.sendall(_headers(len(body), "Content-Encoding: gzip") + body)

    with pytest.raises(PasClientError) as caught:
        _inquire(server(answer))
    assert str(caught.value) == "PAS Claim/$inquire: the compressed answer is damaged"


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickling_server_cannot_hold_the_exchange_past_the_timeout(
    server: Callable[[Behaviour], str], where: str
) -> None:
    """One byte every 0.1 s (each read well inside the timeout) ends at the exchange deadline."""
    head = _headers(100_000)

    def answer(conn: socket.socket) -> None:
        if where == "body":
            conn.sendall(head)
        trickle = head if where == "headers" else b" " * 100_000
        for i in range(len(trickle)):
            conn.sendall(trickle[i : i + 1])
            time.sleep(0.1)

    base = server(answer)
    began = time.monotonic()
    with pytest.raises(PasClientError) as caught:
        _inquire(base, timeout=1.0)
    elapsed = time.monotonic() - began
    assert str(caught.value) == "PAS Claim/$inquire: no answer within the timeout"
    # the server would go on for hours; the deadline (1 s) ends it, with room for a busy machine
    assert elapsed < 10


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 150 + b"1" + b"}" * 150, "nested deeper than 100 levels"),
        (b'{"resourceType": "Bundle", "resourceType": "Parameters"}', "given more than once"),
        (b'{"resourceType": "Bundle", "total": 1e999}', "number out of range"),
        (b'{"resourceType": "Bundle", "total": NaN}', "number out of range"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[1, 2]", "not a PAS response"),
        (b'{"resourceType": "Patient"}', "not a PAS response"),
    ],
)
def test_an_unusable_answer_is_a_client_error(
    server: Callable[[Behaviour], str], body: bytes, rule: str
) -> None:
    """Deep, duplicate-keyed, non-finite, undecodable or foreign answers: PasClientError."""

    def answer(conn: socket.socket) -> None:
        conn.sendall(_headers(len(body)) + body)

    with pytest.raises(PasClientError) as caught:
        _inquire(server(answer))
    assert rule in str(caught.value)


BOMB = textwrap.dedent(
    """
    import resource, socket, socketserver, sys, threading, zlib, json
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, (AS_CAP, AS_CAP))
    coding, wbits = sys.argv[1], int(sys.argv[2])
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b" " * (1 << 20)
    body = b"".join([*(packer.compress(block) for _ in range(INFLATED >> 20)), packer.flush()])
    del block

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            data = b""
            while b"\\r\\n\\r\\n" not in data:
                data += self.request.recv(65536)
            head = (
                "HTTP/1.1 200 OK\\r\\nContent-Type: application/fhir+json\\r\\n"
                f"Content-Encoding: {coding}\\r\\nContent-Length: {len(body)}\\r\\n\\r\\n"
            )
            try:
                self.request.sendall(head.encode() + body)
            except OSError:
                pass

    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    from iopauth.errors import PasClientError
    from iopauth.fhir import PasClient
    inquiry = json.loads(Path(sys.argv[3]).read_text())
    try:
        with PasClient(f"http://127.0.0.1:{srv.server_address[1]}/fhir", retries=0) as c:
            c.inquire(inquiry)
    except PasClientError as exc:
        print("refused:", exc, len(body))
    # VmHWM: this process's own peak (ru_maxrss keeps the forking parent's across exec)
    status = Path("/proc/self/status")
    lines = status.read_text().splitlines() if status.exists() else []
    hwm = [int(l.split()[1]) for l in lines if l.startswith("VmHWM:")]
    peak = hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("peak-kib:", peak)
    """
)


@pytest.mark.parametrize(("coding", "wbits"), [("gzip", 31), ("deflate", 15), ("deflate", -15)])
def test_a_compression_bomb_stops_at_the_cap_in_bounded_memory(
    coding: str, wbits: int, tmp_path: Path
) -> None:
    """A ~1 MiB body inflating to 1 GiB, under a 1 GiB address-space limit: refused at 16 MiB.

    Before the fix the whole body was inflated in memory (2.3 GB for 600 MB); now the peak
    resident size stays far below the inflated size.
    """
    script = BOMB.replace("AS_CAP", str(1 << 30)).replace("INFLATED", str(1 << 30))
    inquiry = tmp_path / "inquiry.json"
    inquiry.write_text(json.dumps(INQUIRY))
    done = subprocess.run(
        [sys.executable, "-c", script, coding, str(wbits), str(inquiry)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith(
        f"refused: PAS Claim/$inquire: the answer is larger than {MAX_RESPONSE_BYTES} bytes"
    )
    assert int(lines[0].rsplit(" ", 1)[1]) < 2 * 1024 * 1024  # the bomb itself is small
    peak_kib = int(lines[1].split()[1])
    assert peak_kib < 400 * 1024  # far below the 1 GiB it inflates to
