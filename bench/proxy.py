"""A counting proxy in front of DynamoDB Local, to see exactly which calls the peer makes.

dynamodb-admin reports nothing about its DynamoDB calls, so one copy of it is pointed at this
proxy, which forwards every request unchanged and records its operation and parameters. The
recorded Query/Scan calls are then replayed with ``ReturnConsumedCapacity`` to learn what they
cost. The timed copy of the peer talks to DynamoDB Local directly, so the proxy adds nothing
to its timings.

The item-page measure puts it in front of a second gunicorn with a fixed ``delay_s`` added to
every call: the page's time then grows by that delay once per call made *in sequence*, which
tells Queries run in parallel from Queries run one after another, whatever the noise.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from examples.project import local

_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass
class RecordedCall:
    operation: str
    params: dict[str, Any]
    count: int | None = None
    scanned_count: int | None = None


@dataclass
class CountingProxy:
    """Forwards to ``target`` (a DynamoDB endpoint) and records every call."""

    target: str
    #: seconds added before forwarding each call (a slower, farther DynamoDB)
    delay_s: float = 0.0
    calls: list[RecordedCall] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> CountingProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle on, the body waits for the
            # client's delayed ACK (40 ms) and every proxied call would pay it.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                proxy._forward(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", local.free_port()), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def take(self) -> list[RecordedCall]:
        """The calls recorded since the last take."""
        with self.lock:
            taken, self.calls = self.calls, []
        return taken

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        if self.delay_s:
            time.sleep(self.delay_s)
        target = urlsplit(self.target)
        upstream = http.client.HTTPConnection(target.hostname or "127.0.0.1",
                                              target.port or 80, timeout=30)
        try:
            headers = {k: v for k, v in handler.headers.items()
                       if k.lower() not in _HOP_HEADERS}
            upstream.request("POST", handler.path, body=body, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
            self._record(handler.headers.get("X-Amz-Target", ""), body, payload)
            handler.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in _HOP_HEADERS:
                    handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:
            # The peer was stopped mid-call (a page that ran past its time limit).
            handler.close_connection = True
        finally:
            upstream.close()

    def _record(self, target: str, body: bytes, payload: bytes) -> None:
        operation = target.rsplit(".", 1)[-1] or "?"
        try:
            params = json.loads(body or b"{}")
            answer = json.loads(payload or b"{}")
        except ValueError:
            params, answer = {}, {}
        call = RecordedCall(operation, params, answer.get("Count"), answer.get("ScannedCount"))
        with self.lock:
            self.calls.append(call)
