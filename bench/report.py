"""The results: JSON, a markdown table with the targets marked met/MISSED, and the chart
(``chart.py``); the targets themselves are in ``targets.py``."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from examples.project import local

from .chart import depth_svg
from .paths import RESULTS_DIR, TMP_DIR
from .profiles import Profile
from .targets import targets

# -- where --------------------------------------------------------------------------------


def output_paths(profile: Profile, configuration: dict[str, Any] | None = None
                 ) -> tuple[Path, Path, Path]:
    """The full run writes the committed files (``latest.*`` on SQLite, ``shared-state.*`` on
    PostgreSQL + Redis); a quick run writes beside the logs (ignored)."""
    shared = (configuration or {}).get("name") == "postgres+redis"
    if profile.name == "full":
        stem = "shared-state" if shared else "latest"
        return (RESULTS_DIR / f"{stem}.json", RESULTS_DIR / f"{stem}.md",
                RESULTS_DIR / ("shared-state-depth.svg" if shared else "depth.svg"))
    stem = "quick-shared-state" if shared else "quick"
    return (TMP_DIR / f"{stem}.json", TMP_DIR / f"{stem}.md", TMP_DIR / f"{stem}-depth.svg")


def write(profile: Profile, results: dict[str, Any]) -> None:
    results["targets"] = targets(results)
    json_path, md_path, svg_path = output_paths(profile, results.get("configuration"))
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    svg_path.write_text(depth_svg(results))
    md_path.write_text(markdown(results, svg_path.name))
    for path in (json_path, md_path, svg_path):
        print(f"wrote {path}", flush=True)
    print(md_path.read_text(), flush=True)


# -- the machine ----------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    """What the numbers were measured on (they mean little without it)."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round(_mem_total_kb() / 1024 / 1024, 1),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": importlib.metadata.version("django"),
        "boto3": importlib.metadata.version("boto3"),
        "gunicorn": importlib.metadata.version("gunicorn"),
        "dynamodb_local": local.DYNAMODB_LOCAL_VERSION,
        "java": _first_line(["java", "-version"]),
        "node": _first_line(["node", "--version"]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_kb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _first_line(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return "not installed"
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    return ((result.stdout or result.stderr).strip().splitlines() or ["?"])[0]


# -- markdown --------------------------------------------------------------------------------
def _ms(summary: dict[str, Any]) -> str:
    return f"{summary['p50']:.1f} / {summary['p95']:.1f}"


def markdown(results: dict[str, Any], svg_name: str) -> str:
    lines = [f"# dynadmin benchmark ({results['profile']} run)", ""]
    lines += _machine_lines(results["machine"], results["load"], results["configuration"])
    lines += ["", "## Targets", "", "| target | measured | |", "| --- | --- | --- |"]
    for t in results["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'met' if t['met'] else 'MISSED'} |")
    if not all(t["met"] for t in results["targets"]):
        lines += ["", "For each target MISSED, the profile that shows where the time goes and "
                  "what was tried: `bench/README.md`, sections \"Profile\" and \"What was "
                  "tried\" (`python bench/profile_page.py --profile` reproduces the profile)."]
    lines += ["", "## Measures", "", "Latencies in ms, p50 / p95, over n requests after a "
              "warm-up; raw = boto3 from the benchmark process.", "",
              "| measure | raw DynamoDB | dynadmin (gunicorn) | n | ratio p50 | Δ p50 |",
              "| --- | --- | --- | --- | --- | --- |"]
    page, depth, lookup = results["page"], results["depth"], results["lookup"]
    lines.append(f"| 1. partition page, 50 rows | {_ms(page['raw_ms'])} | "
                 f"{_ms(page['dynadmin_ms'])} | {page['dynadmin_ms']['n']} | "
                 f"{page['ratio_p50']:.2f} × | {page['difference_p50_ms']:+.1f} ms |")
    wide, item = results["wide_page"], results["item_page"]
    lines.append(f"| 1b. partition page, {wide['rows']:,} rows | {_ms(wide['raw_ms'])} | "
                 f"{_ms(wide['dynadmin_ms'])} | {wide['dynadmin_ms']['n']} | "
                 f"{wide['ratio_p50']:.2f} × | {wide['difference_p50_ms']:+.1f} ms |")
    history = " + History" if item.get("queries", 0) > item["relation_queries"] else ""
    lines.append(f"| 1c. item page, {item['relation_queries']} relation Queries{history} | "
                 f"GetItem + slowest Query {item['get_item_plus_slowest_query_p50_ms']:.1f}, "
                 "+ every "
                 f"Query {item['get_item_plus_sum_of_queries_p50_ms']:.1f} (p50s) | "
                 f"{_ms(item['page_ms'])} | {item['page_ms']['n']} | "
                 f"{item['page_ms']['p50'] / item['get_item_plus_slowest_query_p50_ms']:.2f} "
                 f"× slowest | {item['page_minus_slowest_p50_ms']:+.1f} ms (vs slowest) |")
    if "list_page" in results:
        listed = results["list_page"]
        lines.append(f"| 1e. entity list page, {listed['rows']} rows (`{listed['url']}`) | "
                     f"{_ms(listed['raw_ms'])} | {_ms(listed['dynadmin_ms'])} | "
                     f"{listed['dynadmin_ms']['n']} | {listed['ratio_p50']:.2f} × | "
                     f"{listed['difference_p50_ms']:+.1f} ms |")
    lines.append(f"| 2. page 1 (by cursor run) | {_ms(depth['raw_page_1'])} | "
                 f"{_ms(depth['page_1'])} | {depth['page_1']['n']} | | |")
    lines.append(f"| 2. page {depth['deep_page']:,} (cursor) | {_ms(depth['raw_page_deep'])} | "
                 f"{_ms(depth['page_deep'])} | {depth['page_deep']['n']} | "
                 f"{depth['ratio_p50']:.2f} × page 1 | |")
    lines.append(f"| 3. lookup by order ID (302) | {_ms(lookup['raw_ms'])} | "
                 f"{_ms(lookup['dynadmin_ms'])} | {lookup['dynadmin_ms']['n']} | "
                 f"{lookup['ratio_p50']:.2f} × | {lookup['difference_p50_ms']:+.1f} ms |")
    lines += _item_lines(item) + ["", cpu_text(results["cpu"])]
    lines += _calls_lines(results) + _throughput_lines(results) + _memory_lines(results)
    if "history_consumer" in results:
        lines += history_consumer_lines(results["history_consumer"])
    if "two_hosts" in results:
        lines += _two_hosts_lines(results["two_hosts"])
    if "peer" in results:
        lines += _peer_lines(results)
    lines += ["", f"![page time against page depth]({svg_name})", "",
              f"Whole run: {results['wall_seconds']:.0f} s.", ""]
    return "\n".join(lines)


def _machine_lines(m: dict[str, Any], load: dict[str, Any], config: dict[str, Any]
                   ) -> list[str]:
    marker = load.get("marker", {})
    loaded = (f"loaded this run in {load['load_seconds_this_run']:.0f} s "
              f"(+{load['copy_seconds_this_run']:.0f} s copying to/from the RAM disk, "
              f"{load['threads']} writer threads)" if load["loaded_this_run"] else
              f"already loaded (took {marker.get('load_seconds', '?')} s on "
              f"{marker.get('loaded_at', '?')}): load skipped")
    return [
        f"{m['date']}; {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB; load average at "
        f"the end {', '.join(map(str, m['load_average_at_end']))}; Python {m['python']}, "
        f"Django {m['django']}, boto3 {m['boto3']}, gunicorn {m['gunicorn']}, DynamoDB Local "
        f"{m['dynamodb_local']} ({m['java']}), node {m['node']}.",
        "",
        f"Dataset: {load['items']:,} items: {marker.get('whale_orders', 0):,} orders of one "
        f"user (one partition, also in GSI1/GSI2) and {marker.get('sessions', 0):,} sessions "
        f"over {marker.get('sessions', 0) // max(marker.get('sessions_per_user', 1), 1):,} "
        f"users; {loaded}.",
        "",
        f"Configuration: **{config['description']}**.",
    ]


def cpu_text(cpu: dict[str, Any]) -> str:
    """CPU per request, printed during the run and written in the markdown."""
    rows = [f"1d. CPU per request ({cpu['method']}):", "",
            "| request | dynadmin workers ms | raw boto3 ms | dynadmin's own ms | requests "
            "| DynamoDB Local ms (dynadmin / raw) |", "| --- | --- | --- | --- | --- | --- |"]
    for name, label in (("page", "50-row partition page"),
                        ("item_page", "item page (raw: its GetItem and Queries in turn)"),
                        ("list_page", "entity list page, 50 rows"),
                        ("lookup", "lookup (302)"), ("wide_page", "1,000-row page")):
        if name not in cpu:
            continue
        c = cpu[name]
        jvm = c["dynamodb_local_ms"]
        rows.append(f"| {label} | {c['dynadmin_ms']:.2f} | {c['raw_ms']:.2f} | "
                    f"**{c['difference_ms']:.2f}** | {c['requests']} | "
                    f"{jvm['dynadmin']:.2f} / {jvm['raw']:.2f} |")
    return "\n".join(rows)


def _item_lines(item: dict[str, Any]) -> list[str]:
    calls = "; ".join(item["calls"])
    raw = ", ".join(f"{name.split(': ', 1)[1]} {s['p50']:.1f}"
                    for name, s in item["raw_ms"].items())
    return ["", f"1c. Item page `{item['path']}` (relations declared: "
            f"{', '.join(item['relations_declared'])}). Its calls, as a counting proxy saw "
            f"them: {calls}. Raw p50 ms, each alone: {raw}. With {item['delay_ms']:.0f} ms "
            f"added to every call (proxy), the page took {item['delayed_page_ms']['p50']:.0f}"
            f" ms against {item['proxied_page_ms']['p50']:.0f} ms without: it waits for "
            f"**{item['calls_in_sequence']:.1f} calls in turn** of "
            f"{item['calls_per_page']:g} (parallel Queries: 2; in sequence: "
            f"{1 + item.get('queries', item['relation_queries'])})."]


def _two_hosts_lines(hosts: dict[str, Any]) -> list[str]:
    t, d, s = hosts["throughput"], hosts["describe_table"], hosts["sessions"]
    return ["", "## 8. Two hosts (two gunicorn masters, one PostgreSQL + Redis)", "",
            f"- A session made on one host is valid on the other: "
            f"{'yes' if s['valid_on_both'] else 'NO'} ({s}).",
            f"- DescribeTable after its cache entry was dropped, over {d['dashboards']} "
            f"dashboards alternating between the hosts (new connection each, any worker): "
            f"{d['total']} call(s) in all ({d['describe_table_calls']}).",
            f"- Throughput at concurrency {t['one_master']['concurrency']}, page 1: one master "
            f"{t['one_master']['requests_per_second']:.0f} req/s (rounds "
            f"{t['one_master_rounds_rps']}), split over two masters "
            f"{t['two_masters']['requests_per_second']:.0f} req/s (rounds "
            f"{t['two_masters_rounds_rps']}) = {t['two_over_one']:.2f} ×; errors "
            f"{t['one_master']['errors']} / {t['two_masters']['errors']}.",
            f"- The second master started in {hosts['second_startup_s']:.2f} s.",
            f"- Connections open afterwards (this process's included): PostgreSQL "
            f"{hosts['connections']['postgres']}, Redis {hosts['connections']['redis']}."]


def _calls_lines(results: dict[str, Any]) -> list[str]:
    calls = results["calls"]
    lines = ["", "4. DynamoDB calls per request (the `X-Dynadmin-Calls` header of every "
             "sampled request) and consumed read capacity of the same raw Query:", "",
             "| request | requests | headers seen | calls | DescribeTable |",
             "| --- | --- | --- | --- | --- |"]
    for kind, row in calls["per_kind"].items():
        seen = ", ".join(f"`{h}` ×{n}" for h, n in row["headers_seen"].items())
        calls_text = (str(row["calls_min"]) if row["calls_min"] == row["calls_max"]
                      else f"{row['calls_min']}–{row['calls_max']}")
        lines.append(f"| {kind} | {row['requests']:,} | {seen} | {calls_text} | "
                     f"{'yes' if row['describe_table_seen'] else 'never'} |")
    rcu = calls["raw_rcu_per_page"]
    lines += ["", f"Read capacity of one 50-item page: page 1 {rcu['page_1']} RCU, deep page "
              f"{rcu['page_deep']} RCU (eventually consistent Query); the lookup "
              f"{results['lookup']['rcu']} RCU"
              + (f"; the entity list page {results['list_page']['rcu']} RCU."
                 if "list_page" in results else ".")]
    return lines


def _throughput_lines(results: dict[str, Any]) -> list[str]:
    t = results["throughput"]
    raw, dyn = t["raw"], t["dynadmin"]
    return ["", f"5. Throughput at concurrency {raw['concurrency']} (page 1; "
            f"{t['rounds']} alternating rounds of {raw['seconds']:.0f} s each, median round; "
            f"rounds raw {t['raw_rounds_rps']}, dynadmin {t['dynadmin_rounds_rps']} req/s): "
            f"raw boto3 Query {raw['requests_per_second']:.0f} "
            f"req/s (p50 {raw['latency_ms']['p50']:.1f} ms), dynadmin through gunicorn "
            f"{dyn['requests_per_second']:.0f} req/s (p50 {dyn['latency_ms']['p50']:.1f} ms, "
            f"{dyn['errors']} errors) = {100 * t['share_of_raw']:.0f} % of raw."]


def _memory_lines(results: dict[str, Any]) -> list[str]:
    m = results["memory"]
    after = m.get("worker_rss_mb_after_50_row_pages", [])
    return ["", f"6. Memory at the end: workers "
            f"{', '.join(f'{r:.0f} MB' for r in m['worker_rss_mb'])} RSS (after the 50-row "
            f"pages, before the 1,000-row ones: {', '.join(f'{r:.0f} MB' for r in after)}; "
            f"master {m['master_rss_mb']:.0f} MB). Start-up (spawn → first 200 from /login/) "
            f"of every gunicorn master the run started, in order: "
            f"{', '.join(f'{s:.2f} s' for s in m['startup_s'])} (median "
            f"{m['startup_median_s']:.2f} s)."]


def history_consumer_lines(consumer: dict[str, Any]) -> list[str]:
    """9. How fast ``dynadmin_history follow`` archives a stream (bench/history_consumer.py)."""
    lines = ["", "## History consumer", ""]
    if "error" in consumer:
        said = consumer["error"].strip().splitlines() or ["no output"]
        return lines + [f"Not measured ({consumer['changes']:,} changes): {said[-1]}"]
    return lines + [
        f"9. {consumer['archived']:,} changes written to a table with a stream, then archived "
        f"by `follow_once` passes from DynamoDB Local ({consumer['writes']}): "
        f"{consumer['changes_per_second']:,} changes/s ({consumer['seconds']} s, target "
        f"2,000/s); this process's CPU {consumer['cpu_ms_per_change']} ms per change; memory "
        f"{consumer['rss_mb_at_10k'] or '–'} MB RSS at 10,000 archived, "
        f"{consumer['rss_mb_at_end']} MB at the end (load average "
        f"{consumer.get('load_average', '?')} on {consumer.get('cpus', '?')} CPUs)."]


def _peer_lines(results: dict[str, Any]) -> list[str]:
    peer = results["peer"]
    lat, costs = peer["latency_ms"], peer["costs"]
    deep = results["depth"]["deep_page"]
    lines = ["", f"## 7. The peer: {peer['version']}", "",
             f"Its items endpoint (what its page script fetches), pageSize={peer['page_size']}"
             ", same partition. Calls counted by a proxy in front of a second copy; capacity "
             "by replaying them with ReturnConsumedCapacity.", "",
             "| request | p50 / p95 ms | calls | items read | Limit per call | RCU "
             "| its Query/Scan calls alone, ms |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    rows = [("Query (filter form), page 1", "query_page_1", "query_page_1"),
            (f"Query kept in the URL, page {deep:,}", f"query_page_{deep}", "query_page_deep"),
            ("its Next link, page 2 (Scan + filter)", None, "next_link_page_2"),
            (f"its Next link, page {deep - 1:,}", None, "next_link_page_deep_minus_1"),
            (f"its Next link, page {deep:,} (last page)", None, "next_link_page_deep")]
    for label, lat_key, cost_key in rows:
        cost = costs[cost_key]
        timing = _ms(lat[lat_key]) if lat_key and lat_key in lat else "see chart"
        calls = ", ".join(f"{op} ×{n}" for op, n in cost["calls"].items())
        if cost["timed_out_after_s"]:
            calls += f" (stopped after {cost['timed_out_after_s']:.0f} s)"
        lines.append(f"| {label} | {timing} | {calls} | {cost['items_read']:,} | "
                     f"{cost['limit_per_call']} | "
                     f"{cost['rcu'] if cost['rcu'] is not None else 'not replayed'} | "
                     f"{cost['data_calls_ms'] if cost['data_calls_ms'] is not None else '—'} |")
    lines += ["", f"Peer RSS: {peer['rss_mb']:.0f} MB."]
    return lines


