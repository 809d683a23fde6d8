"""The peer, dynamodb-admin: its page time, and exactly which calls a page costs it.

A timed copy talks to DynamoDB Local directly; a counted copy goes through the counting proxy
(``bench/proxy.py``), whose recorded Query/Scan calls are replayed with
``ReturnConsumedCapacity`` to price them. A request past its time limit restarts that copy,
which would otherwise go on scanning.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from examples.project import local
from examples.shop.definitions import shop

from . import dataset
from .harness import Bench
from .procs import PEER_VERSION, BenchError, Server, rss_mb, start_peer
from .proxy import CountingProxy
from .stats import Sampled, sample
from .web import Browser


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
    return {"version": f"dynamodb-admin {PEER_VERSION}", "page_size": p.page_size,
            "latency_ms": {k: v.to_dict() for k, v in results.items()},
            "costs": costs, "rss_mb": round(rss_mb(peer.timed.pid) or 0, 1)}



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
