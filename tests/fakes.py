"""Fake DynamoDB peers for failure tests: real HTTP servers on 127.0.0.1, each in a thread.

Nothing here mocks boto3: the application's own client talks HTTP to these servers exactly
as it talks to DynamoDB.

- ``ErrorPeer`` answers every request with one DynamoDB error (throttling, access denied...),
  in DynamoDB's JSON protocol.
- ``SilentPeer`` accepts connections, reads the request and never answers (slower than any
  read timeout).
- ``DroppingProxy`` relays requests to a real endpoint (DynamoDB Local or moto's server) and,
  for the operations it is told to, drops the connection either *before* forwarding the
  request (it never reaches DynamoDB) or *after* DynamoDB answered (the write is applied, the
  client never hears so), or answers in DynamoDB's place with an error it cannot be made to
  give on demand (``answer_error``: an expired stream iterator, trimmed stream records).

Every server is a context manager; leaving it stops the server and closes every connection.
Every wait is bounded.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

HOST = "127.0.0.1"
JSON_TYPE = "application/x-amz-json-1.0"
ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"
#: the longest any handler waits for anything
MAX_WAIT = 30.0
#: how long a gathered request waits for the others (``DroppingProxy.gather``)
GATHER_WAIT = 10.0


def operation_of(headers: Any) -> str:
    """``UpdateItem`` from ``X-Amz-Target: DynamoDB_20120810.UpdateItem``."""
    return (headers.get("X-Amz-Target") or "").rpartition(".")[2]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Peer:
    """A ThreadingHTTPServer on a free port of 127.0.0.1, served from a daemon thread."""

    handler: ClassVar[type[BaseHTTPRequestHandler]]

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.requests: list[str] = []  # the operations received, in order
        self._lock = threading.Lock()
        handler = type("Handler", (self.handler,), {"peer": self})
        self.server = _Server((HOST, 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def note(self, operation: str) -> None:
        with self._lock:
            self.requests.append(operation)

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as DynamoDB does
    peer: Any
    timeout = MAX_WAIT  # socket timeout: a stuck client never holds a thread for long

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass  # quiet test output

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "fake-request")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


# -- a peer that answers with an error --------------------------------------------------------
class _ErrorHandler(_Handler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.read_body()
        self.peer.note(operation_of(self.headers))
        self.send_json(self.peer.status, {"__type": ERROR_PREFIX + self.peer.code,
                                          "message": self.peer.message})


class ErrorPeer(_Peer):
    """Answers every request with DynamoDB's error ``code`` (HTTP ``status``)."""

    handler = _ErrorHandler

    def __init__(self, code: str, message: str = "", status: int = 400) -> None:
        self.code, self.status = code, status
        self.message = message or f"{code} (fake peer)"
        super().__init__()


def throttling_peer() -> ErrorPeer:
    return ErrorPeer("ProvisionedThroughputExceededException",
                     "The level of configured provisioned throughput for the table was "
                     "exceeded. Consider increasing your provisioning level with the "
                     "UpdateTable API.")


def access_denied_peer() -> ErrorPeer:
    return ErrorPeer("AccessDeniedException",
                     "User: arn:aws:sts::123456789012:assumed-role/support/dynadmin is not "
                     "authorized to perform: dynamodb:Query on resource: "
                     "arn:aws:dynamodb:us-east-1:123456789012:table/Application")


def unrecognized_client_peer() -> ErrorPeer:
    return ErrorPeer("UnrecognizedClientException",
                     "The security token included in the request is invalid.")


# -- a peer that never answers ----------------------------------------------------------------
class _SilentHandler(_Handler):
    def do_POST(self) -> None:  # noqa: N802
        self.read_body()
        self.peer.note(operation_of(self.headers))
        # Hold the connection open without a word until the test stops the peer.
        self.peer.stopping.wait(MAX_WAIT)
        self.close_connection = True


class SilentPeer(_Peer):
    """Accepts the connection and the request, and never answers."""

    handler = _SilentHandler


# -- a proxy that loses requests or answers ---------------------------------------------------
FORWARD = "forward"
DROP_BEFORE = "drop-before"  # close the connection; the request never reaches DynamoDB
DROP_AFTER = "drop-after"  # forward, let DynamoDB answer, then close without relaying
ANSWER_ERROR = "answer-error"  # never forward; answer with the rule's DynamoDB error code


@dataclass
class Rule:
    action: str
    times: int | None = None  # None: every time
    used: int = 0
    #: run (in the proxy's thread) just before the connection is dropped: another writer...
    meanwhile: Callable[[], None] | None = None
    #: ANSWER_ERROR: the error code answered, and which requests it applies to (all: None)
    code: str = ""
    when: Callable[[dict[str, Any]], bool] | None = None


class _ProxyHandler(_Handler):
    def do_POST(self) -> None:  # noqa: N802
        body = self.read_body()
        operation = operation_of(self.headers)
        self.peer.wait_for_the_others(operation)
        action, meanwhile, code = self.peer.decide(operation, body)
        if action == ANSWER_ERROR:
            self.send_json(400, {"__type": ERROR_PREFIX + code, "message": f"{code} (proxy)"})
            return
        if action == DROP_BEFORE:
            self._drop(meanwhile)
            return
        status, reason, headers, answer = self.peer.forward(self.command, self.path,
                                                            self.headers, body)
        if action == DROP_AFTER:
            self._drop(meanwhile)
            return
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection",
                                    "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
        self.wfile.flush()

    def _drop(self, meanwhile: Callable[[], None] | None = None) -> None:
        """Close the connection at once, without a byte of answer."""
        if meanwhile is not None:
            meanwhile()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class DroppingProxy(_Peer):
    """Relays to ``upstream``, dropping the connection for the operations given in ``rules``.

    ``proxy.rule("UpdateItem", DROP_AFTER)`` drops every UpdateItem after DynamoDB answered;
    ``times=1`` only the first one. ``proxy.handled`` lists the (operation, action) pairs.
    """

    handler = _ProxyHandler

    def __init__(self, upstream: str) -> None:
        split = urlsplit(upstream)
        self.upstream_host, self.upstream_port = split.hostname or HOST, split.port or 80
        self.rules: dict[str, Rule] = {}
        self.handled: list[tuple[str, str]] = []
        self._gather: dict[str, threading.Barrier] = {}
        #: operation -> how many of its gathered requests met the others (see ``gather``)
        self.met: dict[str, int] = {}
        super().__init__()

    def gather(self, operations: tuple[str, ...], count: int) -> Self:
        """Hold requests of ``operations`` until ``count`` of them are in flight at once,
        then answer them all. Requests sent one after another never meet: each waits in vain
        until ``GATHER_WAIT`` passes, is answered anyway, and is not counted in ``met``."""
        barrier = threading.Barrier(count)
        with self._lock:
            for operation in operations:
                self._gather[operation] = barrier
        return self

    def wait_for_the_others(self, operation: str) -> None:
        with self._lock:
            barrier = self._gather.get(operation)
        if barrier is None:
            return
        try:
            barrier.wait(timeout=GATHER_WAIT)
        except threading.BrokenBarrierError:
            return
        with self._lock:
            self.met[operation] = self.met.get(operation, 0) + 1

    def rule(self, operation: str, action: str, times: int | None = None,
             meanwhile: Callable[[], None] | None = None) -> Self:
        with self._lock:
            self.rules[operation] = Rule(action, times, meanwhile=meanwhile)
        return self

    def answer_error(self, operation: str, code: str, times: int | None = None,
                     when: Callable[[dict[str, Any]], bool] | None = None) -> Self:
        """Answer ``operation`` (those whose JSON request ``when`` accepts) with ``code``."""
        with self._lock:
            self.rules[operation] = Rule(ANSWER_ERROR, times, code=code, when=when)
        return self

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def decide(self, operation: str, body: bytes = b""
               ) -> tuple[str, Callable[[], None] | None, str]:
        """What to do with this request (what to run before dropping it, the error code to
        answer)."""
        with self._lock:
            rule = self.rules.get(operation)
            if rule is not None and rule.when is not None and not rule.when(
                    json.loads(body or b"{}")):
                rule = None
            if rule is None or (rule.times is not None and rule.used >= rule.times):
                action, meanwhile, code = FORWARD, None, ""
            else:
                rule.used += 1
                action, meanwhile, code = rule.action, rule.meanwhile, rule.code
            self.requests.append(operation)
            self.handled.append((operation, action))
            return action, meanwhile, code

    def actions(self, operation: str) -> list[str]:
        with self._lock:
            return [action for op, action in self.handled if op == operation]

    def forward(self, method: str, path: str, headers: Any, body: bytes
                ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port,
                                                timeout=MAX_WAIT)
        try:
            sent = {k: v for k, v in headers.items()
                    if k.lower() not in ("connection", "content-length")}
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return response.status, response.reason, response.getheaders(), response.read()
        finally:
            connection.close()
