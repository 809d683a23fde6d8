"""The results: JSON, a markdown table with the targets marked met/missed, and the chart.

The chart is hand-written SVG (no chart library): page time (p50) against page depth, on
log-log axes, for dynadmin and for the peer both ways it pages.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from examples.project import local

from .paths import RESULTS_DIR, TMP_DIR
from .profiles import Profile

# -- where --------------------------------------------------------------------------------


def output_paths(profile: Profile) -> tuple[Path, Path, Path]:
    """The full run writes the committed files; a quick run writes beside the logs (ignored)."""
    if profile.name == "full":
        return (RESULTS_DIR / "latest.json", RESULTS_DIR / "latest.md",
                RESULTS_DIR / "depth.svg")
    return (TMP_DIR / "quick.json", TMP_DIR / "quick.md", TMP_DIR / "quick-depth.svg")


def write(profile: Profile, results: dict[str, Any]) -> None:
    results["targets"] = targets(results)
    json_path, md_path, svg_path = output_paths(profile)
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


# -- targets ----------------------------------------------------------------------------------
def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue, with the measured value and whether it is met."""
    page, depth = results["page"], results["depth"]
    out = []
    raw50, dyn50 = page["raw_ms"]["p50"], page["dynadmin_ms"]["p50"]
    out.append(_target("partition page p50 ≤ raw Query p50 + 5 ms (50 rows)",
                       f"{dyn50:.1f} ms vs {raw50:.1f} + 5 = {raw50 + 5:.1f} ms",
                       dyn50 <= raw50 + 5))
    ratio = depth["ratio_p50"]
    out.append(_target(f"page {depth['deep_page']:,} p50 ≤ 1.2 × page 1 p50",
                       f"{depth['page_deep']['p50']:.1f} / {depth['page_1']['p50']:.1f} ms "
                       f"= {ratio:.2f} × (the raw Query alone: {depth['raw_ratio_p50']:.2f} ×; "
                       f"what dynadmin adds: {depth['added_p50_ms_page_deep']:.1f} ms at page "
                       f"{depth['deep_page']:,} vs {depth['added_p50_ms_page_1']:.1f} ms at "
                       "page 1)", ratio <= 1.2))
    out.append(_calls_target(results["calls"]["per_kind"]))
    share = results["throughput"]["share_of_raw"]
    out.append(_target("throughput through gunicorn ≥ 70 % of raw Query throughput (c=8)",
                       f"{results['throughput']['dynadmin']['requests_per_second']:.0f} vs "
                       f"{results['throughput']['raw']['requests_per_second']:.0f} req/s "
                       f"= {100 * share:.0f} %", share >= 0.7))
    rss = results["memory"]["worker_rss_mb"]
    out.append(_target("RSS per gunicorn worker < 100 MB after load",
                       ", ".join(f"{r:.0f} MB" for r in rss), bool(rss) and max(rss) < 100))
    return out


def _calls_target(per_kind: dict[str, Any]) -> dict[str, Any]:
    kinds = [k for k in ("page", "deep page", "depth", "throughput", "lookup") if k in per_kind]
    exact = all(per_kind[k]["calls_min"] == per_kind[k]["calls_max"] == 1 for k in kinds)
    describe = any(per_kind[k]["describe_table_seen"] for k in kinds)
    requests = sum(per_kind[k]["requests"] for k in kinds)
    headers = sorted({h for k in kinds for h in per_kind[k]["headers_seen"]})
    return _target("exactly 1 DynamoDB call per partition page and per single lookup; "
                   "DescribeTable never per page",
                   f"{requests:,} requests, X-Dynadmin-Calls seen: {', '.join(headers)}",
                   exact and not describe)


def _target(name: str, measured: str, met: bool) -> dict[str, Any]:
    return {"target": name, "measured": measured, "met": bool(met)}


# -- markdown --------------------------------------------------------------------------------
def _ms(summary: dict[str, Any]) -> str:
    return f"{summary['p50']:.1f} / {summary['p95']:.1f}"


def markdown(results: dict[str, Any], svg_name: str) -> str:
    lines = [f"# dynadmin benchmark ({results['profile']} run)", ""]
    lines += _machine_lines(results["machine"], results["load"])
    lines += ["", "## Targets", "", "| target | measured | |", "| --- | --- | --- |"]
    for t in results["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {'met' if t['met'] else 'MISSED'} |")
    lines += ["", "## Measures", "", "Latencies in ms, p50 / p95, over n requests after a "
              "warm-up; raw = boto3 from the benchmark process.", "",
              "| measure | raw DynamoDB | dynadmin (gunicorn) | n | ratio p50 | Δ p50 |",
              "| --- | --- | --- | --- | --- | --- |"]
    page, depth, lookup = results["page"], results["depth"], results["lookup"]
    lines.append(f"| 1. partition page, 50 rows | {_ms(page['raw_ms'])} | "
                 f"{_ms(page['dynadmin_ms'])} | {page['dynadmin_ms']['n']} | "
                 f"{page['ratio_p50']:.2f} × | {page['difference_p50_ms']:+.1f} ms |")
    lines.append(f"| 2. page 1 (by cursor run) | {_ms(depth['raw_page_1'])} | "
                 f"{_ms(depth['page_1'])} | {depth['page_1']['n']} | | |")
    lines.append(f"| 2. page {depth['deep_page']:,} (cursor) | {_ms(depth['raw_page_deep'])} | "
                 f"{_ms(depth['page_deep'])} | {depth['page_deep']['n']} | "
                 f"{depth['ratio_p50']:.2f} × page 1 | |")
    lines.append(f"| 3. lookup by order ID (302) | {_ms(lookup['raw_ms'])} | "
                 f"{_ms(lookup['dynadmin_ms'])} | {lookup['dynadmin_ms']['n']} | "
                 f"{lookup['ratio_p50']:.2f} × | {lookup['difference_p50_ms']:+.1f} ms |")
    lines += _calls_lines(results) + _throughput_lines(results) + _memory_lines(results)
    if "peer" in results:
        lines += _peer_lines(results)
    lines += ["", f"![page time against page depth]({svg_name})", "",
              f"Whole run: {results['wall_seconds']:.0f} s.", ""]
    return "\n".join(lines)


def _machine_lines(m: dict[str, Any], load: dict[str, Any]) -> list[str]:
    marker = load.get("marker", {})
    loaded = (f"loaded this run in {load['load_seconds_this_run']:.0f} s "
              f"(+{load['copy_seconds_this_run']:.0f} s copying to/from the RAM disk, "
              f"{load['threads']} writer threads)" if load["loaded_this_run"] else
              f"already loaded (took {marker.get('load_seconds', '?')} s on "
              f"{marker.get('loaded_at', '?')}): load skipped")
    return [
        f"{m['date']}; {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB; load average at "
        f"the end {', '.join(map(str, m['load_average_at_end']))}; Python {m['python']}, "
        f"Django {m['django']}, boto3 {m['boto3']}, gunicorn {m['gunicorn']} (2 workers × 4 "
        f"threads), DynamoDB Local {m['dynamodb_local']} ({m['java']}), node {m['node']}.",
        "",
        f"Dataset: {load['items']:,} items: {marker.get('whale_orders', 0):,} orders of one "
        f"user (one partition, also in GSI1/GSI2) and {marker.get('sessions', 0):,} sessions "
        f"over {marker.get('sessions', 0) // max(marker.get('sessions_per_user', 1), 1):,} "
        f"users; {loaded}.",
    ]


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
              f"{results['lookup']['rcu']} RCU."]
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
    return ["", f"6. Memory after the load: workers "
            f"{', '.join(f'{r:.0f} MB' for r in m['worker_rss_mb'])} RSS (master "
            f"{m['master_rss_mb']:.0f} MB). Start-up (spawn → first 200 from /login/): "
            f"{', '.join(f'{s:.2f} s' for s in m['startup_s'])} (median "
            f"{m['startup_median_s']:.2f} s)."]


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


# -- the chart --------------------------------------------------------------------------------
_W, _H = 780, 380
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 250, 30, 50
_SERIES = (("raw", "raw boto3 Query", "#7f7f7f", "2 3"),
           ("dynadmin", "dynadmin (cursor)", "#1f77b4", ""),
           ("peer_query", "dynamodb-admin, Query kept", "#ff7f0e", ""),
           ("peer_next", "dynamodb-admin, its Next link", "#d62728", "6 4"))


def _series(results: dict[str, Any]) -> dict[str, list[tuple[int, float, bool]]]:
    """(page, p50 ms, timed out) per series."""
    curve = results.get("depth_curve", {})
    out: dict[str, list[tuple[int, float, bool]]] = {}
    out["dynadmin"] = [(int(p), s["p50"], False) for p, s in curve.get("dynadmin", {}).items()]
    out["raw"] = [(int(p), s["p50"], False) for p, s in curve.get("raw", {}).items()]
    peer = curve.get("peer", {})
    out["peer_query"] = [(int(p), s["p50"], False) for p, s in peer.get("query", {}).items()]
    out["peer_next"] = [(int(p), s["p50"], bool(s.get("timed_out_after_s")))
                        for p, s in peer.get("next_link", {}).items()]
    return {k: sorted(v) for k, v in out.items() if v}


def depth_svg(results: dict[str, Any]) -> str:
    series = _series(results)
    points = [pt for values in series.values() for pt in values]
    if not points:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n'
    max_page = max(p for p, _, _ in points)
    low = 10 ** math.floor(math.log10(min(v for _, v, _ in points)))
    high = 10 ** math.ceil(math.log10(max(v for _, v, _ in points)))
    if high <= low:
        high = low * 10

    def x(page: int) -> float:
        span = math.log10(max(max_page, 10))
        return _LEFT + (_W - _LEFT - _RIGHT) * math.log10(page) / span

    def y(ms: float) -> float:
        frac = (math.log10(ms) - math.log10(low)) / (math.log10(high) - math.log10(low))
        return _H - _BOTTOM - (_H - _TOP - _BOTTOM) * frac

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
             f'viewBox="0 0 {_W} {_H}" font-family="sans-serif" font-size="12">',
             f'<rect width="{_W}" height="{_H}" fill="white"/>',
             f'<text x="{_LEFT}" y="18" font-size="14">Page time (p50) against page depth, '
             f'50 items a page</text>']
    parts += _axes(x, y, low, high, max_page)
    for row, (key, label, colour, dash) in enumerate(_SERIES):
        if key in series:
            parts += _line(series[key], x, y, colour, dash)
            ly = _TOP + 20 + 20 * row
            lx = _W - _RIGHT + 12
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" '
                         f'stroke="{colour}" stroke-width="2"{dash_attr}/>')
            parts.append(f'<text x="{lx + 28}" y="{ly + 4}">{escape(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _axes(x: Any, y: Any, low: float, high: float, max_page: int) -> list[str]:
    left, right, bottom = _LEFT, _W - _RIGHT, _H - _BOTTOM
    parts = [f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>',
             f'<line x1="{left}" y1="{_TOP}" x2="{left}" y2="{bottom}" stroke="#333"/>',
             f'<text x="{(left + right) / 2:.0f}" y="{_H - 12}" text-anchor="middle">'
             'page number (log scale)</text>',
             f'<text x="16" y="{(_TOP + bottom) / 2:.0f}" text-anchor="middle" '
             f'transform="rotate(-90 16 {(_TOP + bottom) / 2:.0f})">ms (log scale)</text>']
    ticks = [10 ** k for k in range(int(math.log10(max_page)) + 1)]
    if max_page not in ticks and max_page / ticks[-1] >= 1.5:
        ticks.append(max_page)
    for page in ticks:
        parts.append(f'<line x1="{x(page):.1f}" y1="{bottom}" x2="{x(page):.1f}" '
                     f'y2="{bottom + 5}" stroke="#333"/>')
        parts.append(f'<text x="{x(page):.1f}" y="{bottom + 18}" text-anchor="middle">'
                     f'{page:,}</text>')
    tick = low
    while tick <= high * 1.0001:
        label = f"{tick:g}" if tick < 1000 else f"{tick / 1000:g} s"
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{right}" y2="{y(tick):.1f}" '
                     'stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
                     f'{label}</text>')
        tick *= 10
    return parts


def _line(points: list[tuple[int, float, bool]], x: Any, y: Any, colour: str,
          dash: str) -> list[str]:
    path = " ".join(f"{x(p):.1f},{y(v):.1f}" for p, v, _ in points)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    parts = [f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
             f'{dash_attr}/>']
    for page, ms, timed_out in points:
        parts.append(f'<circle cx="{x(page):.1f}" cy="{y(ms):.1f}" r="3" fill="{colour}"/>')
        if timed_out:
            parts.append(f'<text x="{x(page) - 4:.1f}" y="{y(ms) - 8:.1f}" text-anchor="end" '
                         f'fill="{colour}">≥ {ms / 1000:g} s (stopped)</text>')
    return parts
