"""A scripted HTTP service on 127.0.0.1 for client tests (CDS Hooks, DTR): no network."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: (method, path, lower-cased headers, body) -> (status, headers, body)
Reply = Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


@contextlib.contextmanager
def serve(reply: Reply) -> Iterator[str]:
    """Run ``reply`` behind a server on a free loopback port; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, payload = reply(self.command, self.path, headers, body)
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)

        do_GET = do_POST = _answer  # noqa: N815 -- http.server's method names

        def log_message(self, *_args: object) -> None:
            """Quiet: tests read what the service received, not its log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
