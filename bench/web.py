"""A tiny HTTP client: one keep-alive connection and a cookie jar, like one browser tab.

``http.client`` rather than a library, so that what is timed is the request and nothing
else (no redirects followed, no retries hidden inside, no connection pool).
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"
_RETRYABLE = (http.client.RemoteDisconnected, http.client.BadStatusLine, BrokenPipeError,
              ConnectionResetError)
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class Browser:
    """One keep-alive connection to ``127.0.0.1:port`` that keeps the cookies it is given."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        body = urlencode(fields).encode()
        return self.request("POST", path, body,
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Response:
        """One request, timed from sending to the last byte of the body.

        gunicorn closes idle keep-alive connections after 2 s; a request that finds its
        connection closed is retried once on a new one (and only that attempt is timed).
        """
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            connection = self._connect()
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=sent)
                raw = connection.getresponse()
                payload = raw.read()
            except _RETRYABLE:
                self.close()
                if attempt == 2:
                    raise
                continue
            elapsed = (time.perf_counter() - started) * 1000
            response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()},
                                payload, elapsed)
            self._keep_cookies(raw.headers.get_all("Set-Cookie") or [])
            if raw.will_close:
                self.close()
            return response
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        return self._connection

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value


def login(browser: Browser, username: str, password: str) -> None:
    """Log in through the login page, as a person does: GET the form, POST it with CSRF."""
    form = browser.get("/login/")
    if form.status != 200:
        raise RuntimeError(f"GET /login/ answered {form.status}")
    match = _CSRF_INPUT.search(form.body.decode(errors="replace"))
    if match is None or "csrftoken" not in browser.cookies:
        raise RuntimeError("the login page carries no CSRF token")
    answer = browser.post_form("/login/", {"username": username, "password": password,
                                           "csrfmiddlewaretoken": match.group(1)})
    if answer.status != 302 or "sessionid" not in browser.cookies:
        raise RuntimeError(f"login failed: POST /login/ answered {answer.status}")


def copy_session(browser: Browser) -> Browser:
    """Another tab of the same logged-in person (its own connection, the same cookies)."""
    other = Browser(browser.port, browser.timeout)
    other.cookies = dict(browser.cookies)
    return other
