"""The item page with its relations: one GetItem, then one Query per to-many relation and
one for its History (the archive of changes).

The Queries run in parallel, so the page costs about the GetItem and
the slowest Query, not the sum. Two measures, both of the relation user (``extras.py``):

1. Latency, interleaved: the page through gunicorn against each of its calls sent raw. The
   calls are the very ones the page sends, recorded by a counting proxy in front of a second
   gunicorn (so whether the page has two relations or three, sequential or parallel, what is
   compared is what it does). Its CPU per request (``cpu.py``) sends the same calls raw, one
   after another: the worker makes them all, in whichever order.
2. Calls in sequence: the same page through that proxy with ``delay_s`` added to every call,
   sampled in turns with the delay on and off. The page's time grows by the delay once per
   call made after the previous one answered: about 2 rounds (GetItem, then the Queries
   together) when they run in parallel, 1 + the number of Queries when in sequence. A 50 ms
   delay dwarfs the machine's noise, which the sub-millisecond gap between "slowest" and
   "sum" on DynamoDB Local does not.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from dynadmin.history.archive import archive
from dynadmin.sites import site
from examples.shop.definitions import User

from .extras import RelationUser
from .harness import Bench
from .procs import BenchError, start_gunicorn
from .proxy import CountingProxy, RecordedCall
from .stats import Sampled, sample
from .web import Browser

#: added to every DynamoDB call of the delayed page (seconds)
DELAY_S = 0.05
_READS = {"GetItem": "get_item", "Query": "query", "BatchGetItem": "batch_get_item"}


@dataclass
class ItemPageMeasure:
    """The JSON-ready figures, and the page's calls as sent (for its CPU per request)."""

    results: dict[str, Any]
    calls: list[RecordedCall]


def measure_item_page(bench: Bench, user: RelationUser) -> ItemPageMeasure:
    proxy = CountingProxy(bench.dynamodb.endpoint).start()
    bench.stack.callback(proxy.stop)
    server = start_gunicorn(bench.env | {"AWS_ENDPOINT_URL_DYNAMODB": proxy.endpoint})
    bench.stack.callback(server.stop)
    bench.startups.append(server.startup_s)
    try:
        proxied = Browser(server.port)
        proxied.cookies = dict(bench.browser.cookies)
        calls = _calls_of(proxied, proxy, user)
        latency = _latency(bench, user, calls)
        rounds = _rounds_in_sequence(bench, proxied, proxy, user)
    finally:
        server.stop()
        proxy.stop()
    queries = [c for c in calls if c.operation == "Query"]
    relations = [c for c in queries if not _is_history(c)]
    return ItemPageMeasure(
        {"user": user.to_dict(), "path": user.item_path,
         "relations_declared": [r.label for r in site.get_entity_admin(User).relations],
         "calls": [_label(c) for c in calls], "relation_queries": len(relations),
         "queries": len(queries), **latency, **rounds}, calls)


def _calls_of(browser: Browser, proxy: CountingProxy, user: RelationUser
              ) -> list[RecordedCall]:
    """The DynamoDB calls one item page makes, exactly as sent (GetItem first)."""
    proxy.take()
    page = browser.get(user.item_path)
    if page.status != 200 or user.email.encode() not in page.body:
        raise BenchError(f"the item page {user.item_path} answered {page.status} without "
                         f"{user.email}: are the extra items written?")
    calls = proxy.take()
    # History's Query goes out beside the GetItem: either may reach the proxy first
    calls.sort(key=lambda call: call.operation != "GetItem")
    if not calls or calls[0].operation != "GetItem":
        raise BenchError(f"the item page made {[c.operation for c in calls]}: a GetItem "
                         "was expected")
    return calls


def _is_history(call: RecordedCall) -> bool:
    return call.params.get("TableName") == archive.table_name


def _label(call: RecordedCall) -> str:
    if call.operation != "Query":
        return call.operation
    if _is_history(call):
        return f"Query History, Limit {call.params.get('Limit')}"
    params = call.params
    values = [v.get("S", v.get("N", "?")) for v in
              params.get("ExpressionAttributeValues", {}).values()]
    where = params.get("IndexName") or "table"
    order = "" if params.get("ScanIndexForward", True) else ", descending"
    return f"Query {where} {' '.join(values)}{order}, Limit {params.get('Limit')}"


def _short(call: RecordedCall) -> str:
    """``Query GSI1 INVITE#``: the index and the sort-key prefix tell the relations apart."""
    if call.operation != "Query":
        return call.operation
    if _is_history(call):
        return "Query History"
    # The partition key's value comes first (dynadmin renders the key condition pk-first).
    values = list(call.params.get("ExpressionAttributeValues", {}).values())[1:]
    sort = [v.get("S", v.get("N", "")) for v in values]
    return f"Query {call.params.get('IndexName') or 'table'} {' '.join(sort)}".strip()


def _raw(bench: Bench, call: RecordedCall) -> Sampled:
    method = getattr(bench.raw, _READS[call.operation])
    params = dict(call.params)

    def run() -> None:
        method(**params)

    return run


def raw_in_turn(bench: Bench, calls: list[RecordedCall]) -> Sampled:
    """Every call of the page sent raw, one after another (the raw side of its CPU)."""
    unknown = [c.operation for c in calls if c.operation not in _READS]
    if unknown:
        # A call left out would count as dynadmin's own CPU.
        raise BenchError(f"the item page made {unknown}, which the raw side cannot send")
    sends = [_raw(bench, call) for call in calls]

    def run() -> None:
        for send in sends:
            send()

    return run


def _latency(bench: Bench, user: RelationUser, calls: list[RecordedCall]) -> dict[str, Any]:
    p = bench.profile
    variants: dict[str, Sampled] = {"page": bench.dynadmin(user.item_path, "item page")}
    names = []
    for number, call in enumerate(calls):
        if call.operation not in _READS:
            continue
        name = f"{number}: {_short(call)}"
        names.append(name)
        variants[name] = _raw(bench, call)
    results = sample(variants, warmup=min(p.warmup, 10), samples=p.item_samples,
                     seconds=p.loop_seconds)
    get_item = results[names[0]].p50
    queries = [results[n].p50 for n in names[1:]]
    slowest = get_item + (max(queries) if queries else 0.0)
    summed = get_item + sum(queries)
    page = results["page"].p50
    return {"page_ms": results["page"].to_dict(),
            "raw_ms": {n: results[n].to_dict() for n in names},
            "get_item_plus_slowest_query_p50_ms": round(slowest, 2),
            "get_item_plus_sum_of_queries_p50_ms": round(summed, 2),
            "page_minus_slowest_p50_ms": round(page - slowest, 2),
            "page_minus_sum_p50_ms": round(page - summed, 2)}


def _rounds_in_sequence(bench: Bench, browser: Browser, proxy: CountingProxy,
                        user: RelationUser) -> dict[str, Any]:
    """How many calls the page waits for one after another, from the delayed page's time."""
    def page(delay: float) -> Sampled:
        def run() -> float:
            proxy.delay_s = delay
            response = browser.get(user.item_path)
            if response.status != 200:
                raise BenchError(f"the proxied item page answered {response.status}")
            return response.ms
        return run

    results = sample({"plain": page(0.0), "delayed": page(DELAY_S)}, warmup=2,
                     samples=bench.profile.item_delay_samples,
                     seconds=bench.profile.loop_seconds)
    proxy.delay_s = 0.0
    added = results["delayed"].p50 - results["plain"].p50
    calls = proxy.take()
    per_page = statistics.median(
        [len(list(group)) for group in _pages(calls)]) if calls else 0
    return {"delay_ms": DELAY_S * 1000, "proxied_page_ms": results["plain"].to_dict(),
            "delayed_page_ms": results["delayed"].to_dict(),
            "calls_per_page": per_page,
            "calls_in_sequence": round(added / (DELAY_S * 1000), 2)}


def _pages(calls: list[RecordedCall]) -> list[list[RecordedCall]]:
    """The recorded calls cut into pages (each page starts with its GetItem)."""
    pages: list[list[RecordedCall]] = []
    for call in calls:
        if call.operation == "GetItem" or not pages:
            pages.append([])
        pages[-1].append(call)
    return pages


def verdict(item: dict[str, Any]) -> tuple[str, bool]:
    """The target's text and whether it is met: three relation Queries (and History's), run
    in parallel (the page waits for about 2 calls in turn: GetItem, then the Queries
    together)."""
    queries = item["relation_queries"]
    every = item.get("queries", queries)
    rounds = item["calls_in_sequence"]
    parallel = rounds <= 2.5
    history = " + History's" if every > queries else ""
    text = (f"{queries} relation Queries{history}; with {item['delay_ms']:.0f} ms added to "
            f"every call the page waits for {rounds:.1f} calls in turn (parallel: 2, in "
            f"sequence: {1 + every}); p50 {item['page_ms']['p50']:.1f} ms vs GetItem + "
            f"slowest Query {item['get_item_plus_slowest_query_p50_ms']:.1f} ms, + every Query "
            f"{item['get_item_plus_sum_of_queries_p50_ms']:.1f} ms")
    return text, parallel and queries >= 3

