"""What every measure shares: the running servers, the clients, the URLs, and the set-up.

``Bench`` holds gunicorn, DynamoDB Local, a logged-in browser and a raw boto3 client; each
measure module takes it and returns a JSON-ready dict. The set-up here (Django's state,
gunicorn's start-ups, the checks and the warm-up) runs before anything is timed.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from dynadmin.data.cursors import encode_cursor, key_to_json
from dynadmin.services.partitions.pages import PartitionQuery, cursor_key
from examples.project import local

from . import dataset
from .configuration import Configuration
from .procs import BenchError, Server, start_gunicorn
from .profiles import Profile
from .stats import Sampled
from .web import Browser, copy_session

BENCH_USER = "bench"


@dataclass
class Bench:
    """Everything the measures share: the servers, the clients and the URLs."""

    profile: Profile
    env: dict[str, str]
    stack: ExitStack
    dynamodb: local.LocalServer
    gunicorn: Server
    browser: Browser
    raw: Any
    query: PartitionQuery
    configuration: Configuration
    #: spawn → first 200 of every gunicorn master the run started, in order
    startups: list[float] = field(default_factory=list)
    #: every X-Dynadmin-Calls value seen, per kind of request, over every sampled request
    calls_seen: dict[str, Counter[str]] = field(default_factory=dict)

    # -- dynadmin ---------------------------------------------------------------------------
    def page_url(self, page: int) -> str:
        """The partition page ``page`` (1-based) of the whale, reached by its cursor."""
        if page == 1:
            return self.query.url()
        offset = (page - 1) * self.profile.page_size
        start = cursor_key(self.query.index, dataset.order_key(offset - 1))
        cursor = encode_cursor({"d": "f", "k": key_to_json(start), "o": offset},
                               scope=self.query.scope)
        return self.query.url(cursor)

    def dynadmin(self, path: str, kind: str, *, expect: int = 200,
                 browser: Browser | None = None) -> Sampled:
        """A sampled GET through gunicorn; checks the status, records the calls header."""
        seen = self.calls_seen.setdefault(kind, Counter())
        client = browser or self.browser

        def call() -> float:
            response = client.get(path)
            if response.status != expect:
                raise BenchError(f"GET {path} answered {response.status}, expected {expect}")
            seen[response.header("X-Dynadmin-Calls") or "(none)"] += 1
            return response.ms

        return call

    # -- raw boto3 -----------------------------------------------------------------------------
    def page_request(self, page: int) -> dict[str, Any]:
        """The exact Query dynadmin sends for ``page`` (from its own request builder)."""
        start = None
        if page > 1:
            start = cursor_key(self.query.index,
                               dataset.order_key((page - 1) * self.profile.page_size - 1))
        return self.query.request(forward=True, start_key=start)

    def raw_call(self, params: dict[str, Any], client: Any = None) -> Sampled:
        dynamodb = client or self.raw

        def call() -> None:
            dynamodb.query(**params)

        return call


# -- set-up ----------------------------------------------------------------------------------
def prepare_django() -> str:
    """Django's own state for the run: migrations (and with them the cache table), static
    files and a staff login, in the database the configuration names."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    password = secrets.token_urlsafe(24)
    users = get_user_model()
    users.objects.filter(username=BENCH_USER).delete()
    users.objects.create_superuser(BENCH_USER, "bench@example.com", password)
    return password


def start_app(bench_env: dict[str, str], profile: Profile, stack: ExitStack
              ) -> tuple[Server, list[float]]:
    """gunicorn, started ``startup_runs`` times to time start-up; the last one is kept."""
    startups = []
    for run in range(profile.startup_runs):
        server = start_gunicorn(bench_env)
        startups.append(server.startup_s)
        if run < profile.startup_runs - 1:
            server.stop()
    stack.callback(server.stop)
    return server, startups


def check_pages(bench: Bench) -> dict[str, Any]:
    """Before timing anything: the pages hold the items they should."""
    deep = bench.profile.deep_page
    first = bench.raw.query(**bench.page_request(1))
    last = bench.raw.query(**bench.page_request(deep))
    expected_first = dataset.order_key((deep - 1) * bench.profile.page_size)["SK"]
    if len(first["Items"]) != 50 or len(last["Items"]) != 50 or (
            last["Items"][0]["SK"]["S"] != expected_first):
        raise BenchError("the raw pages do not hold the expected orders: reload the dataset "
                         "(delete bench/.data)")
    page = bench.browser.get(bench.page_url(deep))
    last_id = dataset.order_id(deep * bench.profile.page_size - 1)
    if page.status != 200 or last_id.encode() not in page.body:
        raise BenchError(f"dynadmin's page {deep} does not show order {last_id}")
    return {"raw_page_items": len(first["Items"]), "deep_page_first_sk": expected_first,
            "deep_page_shows_order": last_id,
            "page_bytes": len(bench.browser.get(bench.page_url(1)).body)}


def warm_up(bench: Bench, seconds: float) -> None:
    """DynamoDB Local's JIT and page cache, and both gunicorn workers, before any timing."""
    deadline = time.monotonic() + seconds
    params = bench.page_request(1)
    browsers = [copy_session(bench.browser) for _ in range(4)]
    while time.monotonic() < deadline:
        bench.raw.query(**params)
        for browser in browsers:
            browser.get(bench.page_url(1))


class Steps:
    """Prints each step with the time since the previous one."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def __call__(self, text: str) -> None:
        now = time.perf_counter()
        print(f"[+{now - self.last:6.1f} s] {text}", flush=True)
        self.last = now
