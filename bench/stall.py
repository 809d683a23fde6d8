"""dynadmin under gunicorn while DynamoDB stalls: do pages that need no DynamoDB stay fast?

    python bench/stall.py [--stalled N] [--threads T]

DynamoDB is replaced by a peer that accepts connections and never answers (the worst kind of
outage: nothing fails fast). ``N`` people open a partition page at once, each holding a
server thread until its budget for DynamoDB (``DYNADMIN_REQUEST_BUDGET``) is spent; meanwhile
the login page (no DynamoDB call) is fetched repeatedly. Reported: how long the stalled pages
took and what they answered, and the login page's latency while they stall. Written to
``bench/results/stall.json``.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import djangoenv  # noqa: E402
from bench.paths import RESULTS_DIR  # noqa: E402
from bench.procs import start_gunicorn  # noqa: E402


class SilentPeer:
    """Accepts TCP connections on 127.0.0.1 and never answers (bounded: it stops itself)."""

    def __init__(self, lifetime: float = 300) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(128)
        self.socket.settimeout(0.5)
        self.endpoint = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self.stop_at = time.monotonic() + lifetime
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while time.monotonic() < self.stop_at:
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        self.stop_at = 0
        for connection in self.held:
            connection.close()
        self.socket.close()


def _get(url: str, timeout: float = 120) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def _login_opener(base: str, password: str) -> urllib.request.OpenerDirector:
    import http.cookiejar
    import re
    from urllib.parse import urlencode

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    from bench.harness import BENCH_USER

    body = urlencode({"csrfmiddlewaretoken": token, "username": BENCH_USER,
                      "password": password}).encode()
    opener.open(urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/login/", data=body, headers={"Referer": f"{base}/login/"}))
    return opener


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/stall.py")
    parser.add_argument("--stalled", type=int, default=8, help="concurrent stalled pages")
    parser.add_argument("--threads", type=int, default=0,
                        help="gunicorn threads per worker (default: the production config's)")
    args = parser.parse_args(argv)
    peer = SilentPeer()
    env = djangoenv.production_env("stall-bench") | {"AWS_ENDPOINT_URL_DYNAMODB": peer.endpoint}
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    djangoenv.setup(env)
    from bench.measures import prepare_django

    password = prepare_django()
    server = start_gunicorn(env)
    base = f"http://127.0.0.1:{server.port}"
    try:
        opener = _login_opener(base, password)
        page = f"{base}/t/Application/q/?pk=USER%23stall"

        def stalled(_: int) -> tuple[int, float]:
            started = time.perf_counter()
            try:
                status = opener.open(page, timeout=120).status
            except urllib.error.HTTPError as error:
                status = error.code
            return status, time.perf_counter() - started

        with ThreadPoolExecutor(max_workers=args.stalled) as pool:
            pages = [pool.submit(stalled, n) for n in range(args.stalled)]
            time.sleep(0.5)  # let them reach the server and stall
            logins = []
            while not all(p.done() for p in pages) and len(logins) < 200:
                logins.append(_get(f"{base}/login/")[1] * 1000)
                time.sleep(0.1)
            outcomes = [p.result() for p in pages]
    finally:
        server.stop()
        peer.close()
    result = {
        "stalled_pages": args.stalled,
        "threads_per_worker": int(env.get("GUNICORN_THREADS", "0")) or "production default",
        "stalled_page_statuses": sorted({status for status, _ in outcomes}),
        "stalled_page_seconds_max": round(max(seconds for _, seconds in outcomes), 2),
        "login_while_stalled_ms": {
            "samples": len(logins), "p50": round(statistics.median(logins), 1),
            "max": round(max(logins), 1)} if logins else None,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "stall.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
