"""The measures, in one run: dynadmin through gunicorn against raw boto3 and the peer.

Each ``measure_*`` function takes the running ``Bench`` and returns a JSON-ready dict; the
report module turns them into the table, the targets and the chart.
"""

from __future__ import annotations

import json
import secrets
import statistics
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from dynadmin.data import query_request
from dynadmin.data.cursors import encode_cursor, key_to_json
from dynadmin.services.browse import PartitionQuery, cursor_key
from dynadmin.services.lookups import GLOBAL_LIMIT, find_lookup, plan_lookup
from dynadmin.sites import site
from examples.project import local
from examples.shop.definitions import Order, shop

from . import dataset, report
from .loader import LoadInfo
from .procs import (
    BenchError,
    Server,
    rss_mb,
    start_gunicorn,
    start_peer,
    worker_pids,
)
from .profiles import Profile
from .proxy import CountingProxy
from .stats import Sampled, Throughput, sample, throughput
from .web import Browser, copy_session, login

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
    """Django's own state for the run: migrations, static files and a staff login."""
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


# -- 1. page overhead -------------------------------------------------------------------------
def measure_page(bench: Bench) -> dict[str, Any]:
    p = bench.profile
    results = sample({
        "raw": bench.raw_call(bench.page_request(1)),
        "dynadmin": bench.dynadmin(bench.page_url(1), "page"),
    }, warmup=p.warmup, samples=p.samples, seconds=p.loop_seconds)
    raw, dyn = results["raw"], results["dynadmin"]
    return {"raw_ms": raw.to_dict(), "dynadmin_ms": dyn.to_dict(),
            "ratio_p50": round(dyn.p50 / raw.p50, 2),
            "difference_p50_ms": round(dyn.p50 - raw.p50, 2),
            "difference_p95_ms": round(dyn.p95 - raw.p95, 2)}


# -- 2. depth -----------------------------------------------------------------------------------
def measure_depth(bench: Bench) -> dict[str, Any]:
    p = bench.profile
    results = sample({
        "page_1": bench.dynadmin(bench.page_url(1), "page"),
        "page_deep": bench.dynadmin(bench.page_url(p.deep_page), "deep page"),
        "raw_page_1": bench.raw_call(bench.page_request(1)),
        "raw_page_deep": bench.raw_call(bench.page_request(p.deep_page)),
    }, warmup=p.warmup, samples=p.samples, seconds=p.loop_seconds)
    out = {name: summary.to_dict() for name, summary in results.items()}
    out["deep_page"] = p.deep_page
    out["ratio_p50"] = round(results["page_deep"].p50 / results["page_1"].p50, 3)
    out["raw_ratio_p50"] = round(results["raw_page_deep"].p50 / results["raw_page_1"].p50, 3)
    # What dynadmin itself adds at each depth (its time less DynamoDB's for the same Query).
    out["added_p50_ms_page_1"] = round(results["page_1"].p50 - results["raw_page_1"].p50, 2)
    out["added_p50_ms_page_deep"] = round(
        results["page_deep"].p50 - results["raw_page_deep"].p50, 2)
    return out


def depth_curve(bench: Bench) -> dict[str, dict[str, Any]]:
    """dynadmin's and the raw Query's time at each page of ``depth_pages`` (the chart)."""
    p = bench.profile
    variants: dict[str, Sampled] = {}
    for page in p.depth_pages:
        variants[f"dynadmin:{page}"] = bench.dynadmin(bench.page_url(page), "depth")
        variants[f"raw:{page}"] = bench.raw_call(bench.page_request(page))
    results = sample(variants, warmup=2, samples=p.depth_samples, seconds=p.loop_seconds)
    curve: dict[str, dict[str, Any]] = {"dynadmin": {}, "raw": {}}
    for name, summary in results.items():
        kind, page = name.split(":")
        curve[kind][page] = summary.to_dict()
    return curve


# -- 3. lookup ----------------------------------------------------------------------------------
def measure_lookup(bench: Bench) -> dict[str, Any]:
    p = bench.profile
    target = dataset.order_id(4242 % p.whale_orders)
    admin = site.admin_for(Order)
    lookup = find_lookup(admin, "by_id")
    if lookup is None:
        raise BenchError("the example's Order admin has no by_id lookup")
    plan = plan_lookup(admin, lookup, {"order_id": target})
    params = query_request(plan.index, plan.pk, plan.sort, limit=GLOBAL_LIMIT)
    answer = bench.raw.query(**params)
    if answer["Count"] != 1:
        raise BenchError(f"order {target} is not in GSI1 exactly once")
    results = sample({
        "raw": bench.raw_call(params),
        "dynadmin": bench.dynadmin(f"/lookup/?q={target}", "lookup", expect=302),
    }, warmup=p.warmup, samples=p.samples, seconds=p.loop_seconds)
    raw, dyn = results["raw"], results["dynadmin"]
    return {"order_id": target, "raw_request": _describe_request(params),
            "raw_ms": raw.to_dict(), "dynadmin_ms": dyn.to_dict(),
            "ratio_p50": round(dyn.p50 / raw.p50, 2),
            "difference_p50_ms": round(dyn.p50 - raw.p50, 2),
            "rcu": answer.get("ConsumedCapacity", {}).get("CapacityUnits")}


def _describe_request(params: dict[str, Any]) -> str:
    parts = [f"Query {params.get('IndexName') or 'table'}",
             params["KeyConditionExpression"], f"Limit {params['Limit']}"]
    return ", ".join(parts)


# -- 4. calls and capacity ---------------------------------------------------------------------
def measure_calls(bench: Bench) -> dict[str, Any]:
    """The calls header of every sampled request, and the capacity of the same raw Query."""
    p = bench.profile
    rcu = {}
    for name, page in (("page_1", 1), ("page_deep", p.deep_page)):
        answer = bench.raw.query(**bench.page_request(page))
        rcu[name] = answer.get("ConsumedCapacity", {}).get("CapacityUnits")
    per_kind = {}
    for kind, seen in bench.calls_seen.items():
        calls = [len(value.split(",")) if value != "(none)" else 0 for value in seen.elements()]
        per_kind[kind] = {
            "requests": sum(seen.values()),
            "headers_seen": dict(seen),
            "calls_min": min(calls), "calls_max": max(calls),
            "describe_table_seen": any("DescribeTable" in value for value in seen),
        }
    return {"per_kind": per_kind, "raw_rcu_per_page": rcu}


# -- 5. throughput -----------------------------------------------------------------------------
def measure_throughput(bench: Bench) -> dict[str, Any]:
    p = bench.profile
    url = bench.page_url(1)
    params = bench.page_request(1)

    def dynadmin_worker() -> Sampled:
        return bench.dynadmin(url, "throughput", browser=copy_session(bench.browser))

    def raw_worker() -> Sampled:
        return bench.raw_call(params, local.client(bench.dynamodb.endpoint, timeout=30))

    rounds = p.throughput_rounds
    options = {"concurrency": p.concurrency, "seconds": p.throughput_seconds / rounds,
               "max_requests": p.throughput_max_requests}
    # Alternate the two, round by round: a busy moment of the machine then hurts both.
    raws, dyns = [], []
    for _ in range(rounds):
        raws.append(throughput(raw_worker, **options))
        dyns.append(throughput(dynadmin_worker, **options))
    raw = _median_round(raws)
    dyn = _median_round(dyns)
    return {"raw": raw.to_dict(), "dynadmin": dyn.to_dict(), "rounds": rounds,
            "raw_rounds_rps": [round(t.per_second, 1) for t in raws],
            "dynadmin_rounds_rps": [round(t.per_second, 1) for t in dyns],
            "share_of_raw": round(dyn.per_second / raw.per_second, 3)}


def _median_round(rounds: list[Throughput]) -> Throughput:
    """The round with the median rate (its latencies are reported with it)."""
    return sorted(rounds, key=lambda t: t.per_second)[len(rounds) // 2]


# -- 6. memory and start-up -------------------------------------------------------------------
def measure_memory(bench: Bench, startups: list[float]) -> dict[str, Any]:
    workers = worker_pids(bench.gunicorn.pid)
    return {"workers": len(workers),
            "worker_rss_mb": [round(rss_mb(pid) or 0, 1) for pid in workers],
            "master_rss_mb": round(rss_mb(bench.gunicorn.pid) or 0, 1),
            "startup_s": [round(s, 3) for s in startups],
            "startup_median_s": round(statistics.median(startups), 3)}


# -- 7. the peer ---------------------------------------------------------------------------------
@dataclass
class Peer:
    """dynamodb-admin: a timed copy talking to DynamoDB Local, a counted copy via the proxy."""

    timed: Server
    counted: Server
    proxy: CountingProxy
    table: str
    pk: str
    page_size: int

    def path(self, page: int, *, keep_query: bool) -> str:
        """The items URL its page script fetches for page ``page``.

        Page 1 comes from its filter form (operationType=query). Its Next link carries only
        startKey, prevKey, pageNum, filters and pageSize: without operationType the server
        falls back to a Scan with the key as a filter. ``keep_query`` adds it back, as a
        person editing the address would.
        """
        params: dict[str, str] = {}
        if page == 1 or keep_query:
            params |= {"operationType": "query", "queryableSelection": "table"}
        params["filters"] = json.dumps({"PK": {"type": "S", "value": self.pk,
                                               "operator": "="}})
        params["pageSize"] = str(self.page_size)
        params["pageNum"] = str(page)
        if page > 1:
            key = dataset.order_key((page - 1) * self.page_size - 1)
            params["startKey"] = json.dumps(key)
        return f"/tables/{quote(self.table)}/items?{urlencode(params)}"


def start_peers(bench: Bench) -> Peer:
    proxy = CountingProxy(bench.dynamodb.endpoint).start()
    bench.stack.callback(proxy.stop)
    timed = start_peer(bench.dynamodb.endpoint, "dynamodb-admin")
    bench.stack.callback(timed.stop)
    counted = start_peer(proxy.endpoint, "dynamodb-admin-counted")
    bench.stack.callback(counted.stop)
    return Peer(timed, counted, proxy, shop.table_name, dataset.WHALE_PK,
                bench.profile.page_size)


def _peer_get(peer: Server, path: str, timeout: float) -> tuple[float, int, dict[str, Any]]:
    browser = Browser(peer.port, timeout=timeout)
    try:
        response = browser.get(path)
    finally:
        browser.close()
    body = json.loads(response.body) if response.status == 200 else {}
    return response.ms, response.status, body


def peer_calls(bench: Bench, peer: Peer, page: int, *, keep_query: bool,
               timeout: float) -> dict[str, Any]:
    """Exactly what one page costs the peer: its calls, items read, and their capacity."""
    peer.proxy.take()
    path = peer.path(page, keep_query=keep_query)
    timed_out = False
    try:
        _peer_get(peer.counted, path, timeout)
    except TimeoutError:
        timed_out = True
    calls = peer.proxy.take()
    if timed_out:
        # It would go on scanning after the client gave up: replace it (its start-up calls
        # are not this page's, so they are taken and dropped).
        peer.counted.stop()
        peer.counted = start_peer(peer.proxy.endpoint, "dynamodb-admin-counted")
        bench.stack.callback(peer.counted.stop)
        peer.proxy.take()
    operations = Counter(call.operation for call in calls)
    read = sum(call.scanned_count or 0 for call in calls)
    rcu, data_ms = _replay(bench, calls) if len(calls) <= 50 else (None, None)
    return {"page": page, "calls": dict(operations), "call_count": len(calls),
            "items_read": read, "limit_per_call": _limits(calls), "rcu": rcu,
            "data_calls_ms": data_ms,
            "timed_out_after_s": timeout if timed_out else None}


def _limits(calls: list[Any]) -> list[int]:
    return sorted({call.params["Limit"] for call in calls if "Limit" in call.params})


def _replay(bench: Bench, calls: list[Any]) -> tuple[float, float]:
    """Replay the peer's Query/Scan calls with ReturnConsumedCapacity: what they consume,
    and how long they take back to back (its page time without DescribeTable and node)."""
    total = 0.0
    elapsed = 0.0
    scanner = None
    for call in calls:
        if call.operation not in ("Query", "Scan"):
            continue
        params = dict(call.params) | {"ReturnConsumedCapacity": "TOTAL"}
        started = time.perf_counter()
        if call.operation == "Query":
            answer = bench.raw.query(**params)
        else:
            scanner = scanner or _scanner(bench.dynamodb.endpoint)
            answer = scanner.scan(**params)
        elapsed += time.perf_counter() - started
        total += answer.get("ConsumedCapacity", {}).get("CapacityUnits", 0)
    return round(total, 1), round(elapsed * 1000, 1)


def _scanner(endpoint: str) -> Any:
    """A client that may Scan, only to replay (and price) the peer's Scans.

    dynadmin refuses Scan on every client of its process; this one client, which never
    serves a page, drops that refusal.
    """
    client = local.client(endpoint, timeout=30)
    client.meta.events.unregister("before-call.dynamodb.Scan",
                                  unique_id="dynadmin-refuse-Scan")
    return client


def measure_peer(bench: Bench, peer: Peer) -> dict[str, Any]:
    p = bench.profile
    deep = p.deep_page
    timeout = 60.0 if p.name == "full" else 30.0
    variants: dict[str, Sampled] = {}
    for page in (1, deep):
        variants[f"query_page_{page}"] = _peer_sampled(peer, page, keep_query=True)
    # Few warm-up rounds: each of its pages calls DescribeTable, seconds on a big table.
    results = sample(variants, warmup=2, samples=min(p.samples // 2, 30),
                     seconds=p.loop_seconds)
    costs = {
        "query_page_1": peer_calls(bench, peer, 1, keep_query=True, timeout=timeout),
        "query_page_deep": peer_calls(bench, peer, deep, keep_query=True, timeout=timeout),
        "next_link_page_2": peer_calls(bench, peer, 2, keep_query=False, timeout=timeout),
        "next_link_page_deep_minus_1": peer_calls(bench, peer, deep - 1, keep_query=False,
                                                  timeout=timeout),
        "next_link_page_deep": peer_calls(bench, peer, deep, keep_query=False,
                                          timeout=timeout),
    }
    return {"version": "dynamodb-admin " + _peer_version(), "page_size": p.page_size,
            "latency_ms": {k: v.to_dict() for k, v in results.items()},
            "costs": costs, "rss_mb": round(rss_mb(peer.timed.pid) or 0, 1)}


def _peer_version() -> str:
    from .procs import PEER_VERSION

    return PEER_VERSION


def _peer_sampled(peer: Peer, page: int, *, keep_query: bool) -> Sampled:
    browser = Browser(peer.timed.port)
    path = peer.path(page, keep_query=keep_query)

    def call() -> float:
        response = browser.get(path)
        if response.status != 200:
            raise BenchError(f"dynamodb-admin answered {response.status} for {path}")
        return response.ms

    return call


def peer_depth_curve(bench: Bench, peer: Peer) -> dict[str, dict[str, Any]]:
    """The peer's page time at each depth, both ways it pages (bounded per request)."""
    p = bench.profile
    timeout = 60.0 if p.name == "full" else 30.0
    curve: dict[str, dict[str, Any]] = {"query": {}, "next_link": {}}
    results = sample({str(page): _peer_sampled(peer, page, keep_query=True)
                      for page in p.depth_pages},
                     warmup=2, samples=p.depth_samples, seconds=p.loop_seconds)
    curve["query"] = {page: summary.to_dict() for page, summary in results.items()}
    for page in p.depth_pages:
        point = _bounded_peer_time(bench, peer, page, timeout)
        curve["next_link"][str(page)] = point
        if point.get("timed_out_after_s"):
            break  # deeper pages only scan further (and each would cost the whole limit)
    return curve


def _bounded_peer_time(bench: Bench, peer: Peer, page: int, timeout: float) -> dict[str, Any]:
    """A few timings of the Next-link path; one that times out is recorded as such."""
    times: list[float] = []
    budget = time.monotonic() + 20.0
    while len(times) < 3 and time.monotonic() < budget:
        try:
            ms, status, _body = _peer_get(peer.timed, peer.path(page, keep_query=False),
                                          timeout)
        except TimeoutError:
            peer.timed.stop()
            peer.timed = start_peer(bench.dynamodb.endpoint, "dynamodb-admin")
            bench.stack.callback(peer.timed.stop)
            return {"timed_out_after_s": timeout, "p50": timeout * 1000}
        if status != 200:
            raise BenchError(f"dynamodb-admin answered {status} for page {page}")
        times.append(ms)
    return {"n": len(times), "p50": round(statistics.median(times), 3)}


# -- the whole run -------------------------------------------------------------------------------
def run_all(profile: Profile, env: dict[str, str], stack: ExitStack,
            dynamodb: local.LocalServer, load_info: LoadInfo, *, peer: bool,
            started: float) -> dict[str, Any]:
    step = _Steps()
    step("Django state (migrate, collectstatic, login user)")
    password = prepare_django()
    step(f"gunicorn start-up x{profile.startup_runs}")
    gunicorn, startups = start_app(env, profile, stack)
    browser = Browser(gunicorn.port)
    login(browser, BENCH_USER, password)
    query = PartitionQuery.from_params(shop, {"pk": dataset.WHALE_PK})
    raw = local.client(dynamodb.endpoint, timeout=30)
    bench = Bench(profile, env, stack, dynamodb, gunicorn, browser, raw, query)
    results: dict[str, Any] = {"profile": profile.name, "load": load_info.to_dict()}
    results["checks"] = check_pages(bench)
    step("warm-up")
    warm_up(bench, 20.0 if profile.name == "full" else 5.0)
    step("1. partition page: raw Query vs dynadmin")
    results["page"] = measure_page(bench)
    step(f"2. page 1 vs page {profile.deep_page}")
    results["depth"] = measure_depth(bench)
    results["depth_curve"] = depth_curve(bench)
    step("3. lookup by order ID")
    results["lookup"] = measure_lookup(bench)
    step("5. throughput at concurrency 8")
    results["throughput"] = measure_throughput(bench)
    step("4. calls and capacity per request")
    results["calls"] = measure_calls(bench)
    step("6. memory and start-up")
    results["memory"] = measure_memory(bench, startups)
    if peer:
        step("7. the peer, dynamodb-admin")
        peers = start_peers(bench)
        results["peer"] = measure_peer(bench, peers)
        results["depth_curve"]["peer"] = peer_depth_curve(bench, peers)
    results["machine"] = report.machine()
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    step("writing bench/results")
    report.write(profile, results)
    return results


class _Steps:
    """Prints each step with the time since the previous one."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def __call__(self, text: str) -> None:
        now = time.perf_counter()
        print(f"[+{now - self.last:6.1f} s] {text}", flush=True)
        self.last = now

