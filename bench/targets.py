"""The performance targets, each with what was measured and whether it is met.

Reported (JSON and markdown), never asserted: a benchmark on a shared machine informs, it
does not gate.
"""

from __future__ import annotations

from typing import Any

from .itempage import verdict
from .pages import ONE_CALL_KINDS

PAGE_MARGIN_MS = 3.0
THROUGHPUT_SHARE = 0.8
OWN_CPU_MS = 3.0
WIDE_MARGIN_MS = 20.0  # "1,000-row page ≤ raw + 20 ms": no regression elsewhere
RSS_MB = 100.0
STARTUP_S = 1.0


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue, with the measured value and whether it is met."""
    page = results["page"]
    raw50, dyn50 = page["raw_ms"]["p50"], page["dynadmin_ms"]["p50"]
    out = [_target(f"partition page p50 ≤ raw Query p50 + {PAGE_MARGIN_MS:g} ms (50 rows)",
                   f"{dyn50:.1f} ms vs {raw50:.1f} + {PAGE_MARGIN_MS:g} = "
                   f"{raw50 + PAGE_MARGIN_MS:.1f} ms ({page['difference_p50_ms']:+.1f} ms)",
                   dyn50 <= raw50 + PAGE_MARGIN_MS)]
    out.append(_throughput_target(results["throughput"]))
    cpu = results["cpu"]["page"]
    out.append(_target(f"dynadmin's own CPU per 50-row page ≤ {OWN_CPU_MS:g} ms",
                       f"{cpu['dynadmin_ms']:.1f} ms (workers) − {cpu['raw_ms']:.1f} ms (raw "
                       f"boto3 Query) = {cpu['difference_ms']:.1f} ms, over "
                       f"{cpu['requests']} requests",
                       cpu["difference_ms"] <= OWN_CPU_MS))
    out += _per_page_targets(results)
    wide = results["wide_page"]
    wraw, wdyn = wide["raw_ms"]["p50"], wide["dynadmin_ms"]["p50"]
    out.append(_target(f"1,000-row page p50 ≤ raw Query p50 + {WIDE_MARGIN_MS:g} ms",
                       f"{wdyn:.1f} ms vs {wraw:.1f} + {WIDE_MARGIN_MS:g} = "
                       f"{wraw + WIDE_MARGIN_MS:.1f} ms ({wide['difference_p50_ms']:+.1f} ms)",
                       wdyn <= wraw + WIDE_MARGIN_MS))
    text, met = verdict(results["item_page"])
    out.append(_target("item page with three relations costs about the slowest of its "
                       "Queries (parallel), not their sum", text, met))
    out.append(_calls_target(results["calls"]["per_kind"]))
    rss = results["memory"]["worker_rss_mb"]
    out.append(_target(f"RSS per gunicorn worker < {RSS_MB:g} MB at the end of the run",
                       ", ".join(f"{r:.0f} MB" for r in rss), bool(rss) and max(rss) < RSS_MB))
    startup = results["memory"]["startup_median_s"]
    out.append(_target(f"start-up < {STARTUP_S:g} s (spawn → first 200 from /login/, median "
                       "of every master started)",
                       f"{startup:.2f} s of " + ", ".join(
                           f"{s:.2f}" for s in results["memory"]["startup_s"]),
                       startup < STARTUP_S))
    return out


def _per_page_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The item page, the entity list page and the lookup against the 50-row page's two
    targets: p50 ≤ raw + 3 ms, and dynadmin's own CPU ≤ 3 ms."""
    item, cpu = results["item_page"], results["cpu"]
    # The item page's raw time is its critical path: GetItem, then its Queries in parallel.
    pages = [("item page", "GetItem + slowest Query", item["page_ms"]["p50"],
              item["get_item_plus_slowest_query_p50_ms"], cpu.get("item_page"))]
    for key, name, raw_name in (("list_page", "entity list page (50 rows)", "raw Query"),
                                ("lookup", "lookup (302)", "raw Query")):
        if key in results:
            page = results[key]
            pages.append((name, raw_name, page["dynadmin_ms"]["p50"], page["raw_ms"]["p50"],
                          cpu.get(key)))
    out = []
    for name, raw_name, dyn50, raw50, own in pages:
        out.append(_target(f"{name} p50 ≤ {raw_name} p50 + {PAGE_MARGIN_MS:g} ms",
                           f"{dyn50:.1f} ms vs {raw50:.1f} + {PAGE_MARGIN_MS:g} = "
                           f"{raw50 + PAGE_MARGIN_MS:.1f} ms ({dyn50 - raw50:+.1f} ms)",
                           dyn50 <= raw50 + PAGE_MARGIN_MS))
        if own is not None:
            out.append(_target(f"dynadmin's own CPU per {name} ≤ {OWN_CPU_MS:g} ms",
                               f"{own['dynadmin_ms']:.1f} ms (workers) − {own['raw_ms']:.1f} "
                               f"ms (raw boto3) = {own['difference_ms']:.1f} ms, over "
                               f"{own['requests']} requests",
                               own["difference_ms"] <= OWN_CPU_MS))
    return out


def _throughput_target(t: dict[str, Any]) -> dict[str, Any]:
    share = t["share_of_raw"]
    errors = t["dynadmin"]["errors"] + t["raw"]["errors"]
    return _target(f"throughput through gunicorn ≥ {100 * THROUGHPUT_SHARE:.0f} % of raw "
                   "Query throughput (c=8), 0 errors",
                   f"{t['dynadmin']['requests_per_second']:.0f} vs "
                   f"{t['raw']['requests_per_second']:.0f} req/s = {100 * share:.0f} %, "
                   f"{errors} errors", share >= THROUGHPUT_SHARE and errors == 0)


def _calls_target(per_kind: dict[str, Any]) -> dict[str, Any]:
    kinds = [k for k in ONE_CALL_KINDS if k in per_kind]
    exact = all(per_kind[k]["calls_min"] == per_kind[k]["calls_max"] == 1 for k in kinds)
    describe = any(row["describe_table_seen"] for row in per_kind.values())
    requests = sum(per_kind[k]["requests"] for k in kinds)
    headers = sorted({h for k in kinds for h in per_kind[k]["headers_seen"]})
    return _target("exactly 1 DynamoDB call per partition page, list page and single lookup; "
                   "DescribeTable never per page",
                   f"{requests:,} requests, X-Dynadmin-Calls seen: {', '.join(headers)}",
                   exact and not describe)


def _target(name: str, measured: str, met: bool) -> dict[str, Any]:
    return {"target": name, "measured": measured, "met": bool(met)}
