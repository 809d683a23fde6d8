"""Latency of one page against its one Query: the partition page, depth, the 1,000-row page,
the entity list page, the lookup, and the DynamoDB calls every sampled page made.

Each variant is sampled in turns with the raw boto3 call of the very request dynadmin sends
(built with dynadmin's own request builders), so a busy moment of the machine hurts both.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dynadmin.services.lists.pages import entity_list
from dynadmin.services.lookups import GLOBAL_LIMIT, find_lookup, plan_lookup
from dynadmin.sites import site
from examples.shop.definitions import Order

from . import dataset
from .harness import Bench
from .procs import BenchError
from .stats import Sampled, sample

#: the longest page a partition page shows (its MAX_LIMIT)
WIDE_LIMIT = 1000
#: the entity list page's tab: every fifth order of the whale has it, so a full 50-row page
LIST_STATUS = "PAID"


# -- 1. page overhead -------------------------------------------------------------------------
def measure_page(bench: Bench) -> dict[str, Any]:
    p = bench.profile
    results = sample({
        "raw": bench.raw_call(bench.page_request(1)),
        "dynadmin": bench.dynadmin(bench.page_url(1), "page"),
    }, warmup=p.warmup, samples=p.samples, seconds=p.loop_seconds)
    return _compared(results["raw"], results["dynadmin"])


def _compared(raw: Any, dyn: Any) -> dict[str, Any]:
    return {"raw_ms": raw.to_dict(), "dynadmin_ms": dyn.to_dict(),
            "ratio_p50": round(dyn.p50 / raw.p50, 2),
            "difference_p50_ms": round(dyn.p50 - raw.p50, 2),
            "difference_p95_ms": round(dyn.p95 - raw.p95, 2)}


# -- 1b. the 1,000-row page -------------------------------------------------------------------
def wide_query(bench: Bench) -> Any:
    """The whale's partition, 1,000 rows a page: ``?pk=USER%23<whale>&limit=1000``."""
    return replace(bench.query, limit=WIDE_LIMIT)


def measure_wide_page(bench: Bench) -> dict[str, Any]:
    p = bench.profile
    query = wide_query(bench)
    params = query.request(forward=True, start_key=None)
    answer = bench.raw.query(**params)
    page = bench.browser.get(query.url())
    last_id = dataset.order_id(WIDE_LIMIT - 1)
    if len(answer["Items"]) != WIDE_LIMIT or page.status != 200 or (
            last_id.encode() not in page.body):
        raise BenchError(f"the {WIDE_LIMIT:,}-row page does not end with order {last_id}")
    results = sample({
        "raw": bench.raw_call(params),
        "dynadmin": bench.dynadmin(query.url(), "1,000-row page"),
    }, warmup=3, samples=p.wide_samples, seconds=p.loop_seconds)
    return {"rows": WIDE_LIMIT, "url": query.url(), "page_bytes": len(page.body),
            "raw_bytes": answer["ResponseMetadata"]["HTTPHeaders"].get("content-length"),
            **_compared(results["raw"], results["dynadmin"])}


# -- 1e. the entity list page -----------------------------------------------------------------
def list_target() -> tuple[str, dict[str, Any]]:
    """The Orders-by-status list page's address, and the one Query it sends (built by the
    list page's own code, as the view builds it, first page)."""
    listed = entity_list(site.get_entity_admin(Order), {"status": LIST_STATUS}, None,
                         read=False)
    if listed is None or listed.query is None:
        raise BenchError("the example's Order admin has no list page by status")
    query = listed.query
    return listed.clear_url, query.request(forward=not query.descending, start_key=None)


def measure_list_page(bench: Bench) -> dict[str, Any]:
    p = bench.profile
    url, params = list_target()
    answer = bench.raw.query(**params)
    page = bench.browser.get(url)
    shown = [item["order_id"]["S"] for item in answer["Items"]]
    if len(shown) != bench.profile.page_size or page.status != 200 or any(
            order.encode() not in page.body for order in (shown[0], shown[-1])):
        raise BenchError(f"the list page {url} does not show the {bench.profile.page_size} "
                         f"newest {LIST_STATUS} orders its Query returns")
    results = sample({
        "raw": bench.raw_call(params),
        "dynadmin": bench.dynadmin(url, "list page"),
    }, warmup=p.warmup, samples=p.samples, seconds=p.loop_seconds)
    return {"url": url, "rows": len(shown), "raw_request": describe_request(params),
            "page_bytes": len(page.body), **_compared(results["raw"], results["dynadmin"]),
            "rcu": answer.get("ConsumedCapacity", {}).get("CapacityUnits")}


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
def lookup_target(bench: Bench) -> tuple[str, dict[str, Any]]:
    """The order ID the lookup measure asks for, and the one Query dynadmin's box sends."""
    target = dataset.order_id(4242 % bench.profile.whale_orders)
    admin = site.get_entity_admin(Order)
    lookup = find_lookup(admin, "by_id")
    if lookup is None:
        raise BenchError("the example's Order admin has no by_id lookup")
    plan = plan_lookup(admin, lookup, {"order_id": target})
    partition = replace(plan.partition, limit=GLOBAL_LIMIT)
    return target, partition.request(forward=not partition.descending, start_key=None)


def measure_lookup(bench: Bench) -> dict[str, Any]:
    p = bench.profile
    target, params = lookup_target(bench)
    answer = bench.raw.query(**params)
    if answer["Count"] != 1:
        raise BenchError(f"order {target} is not in GSI1 exactly once")
    results = sample({
        "raw": bench.raw_call(params),
        "dynadmin": bench.dynadmin(f"/lookup/?q={target}", "lookup", expect=302),
    }, warmup=p.warmup, samples=p.samples, seconds=p.loop_seconds)
    compared = _compared(results["raw"], results["dynadmin"])
    return {"order_id": target, "raw_request": describe_request(params),
            **compared, "rcu": answer.get("ConsumedCapacity", {}).get("CapacityUnits")}


def describe_request(params: dict[str, Any]) -> str:
    """``Query GSI2, GSI2PK = ORDER#STATUS#PAID, descending, Limit 50``: placeholders filled."""
    condition = params["KeyConditionExpression"]
    # Longest first, so that #n1 never replaces the start of #n10.
    for name, attribute in sorted(params.get("ExpressionAttributeNames", {}).items(),
                                  key=lambda pair: -len(pair[0])):
        condition = condition.replace(name, attribute)
    for name, value in sorted(params.get("ExpressionAttributeValues", {}).items(),
                              key=lambda pair: -len(pair[0])):
        condition = condition.replace(name, str(next(iter(value.values()))))
    parts = [f"Query {params.get('IndexName') or 'table'}", condition]
    if params.get("ScanIndexForward") is False:
        parts.append("descending")
    parts.append(f"Limit {params['Limit']}")
    return ", ".join(parts)


# -- 4. calls and capacity ---------------------------------------------------------------------
#: the requests that must be exactly one call (pages and single lookups)
ONE_CALL_KINDS = ("page", "deep page", "depth", "throughput", "lookup", "1,000-row page",
                  "list page", "cpu page", "cpu list page", "cpu lookup", "two hosts")


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
