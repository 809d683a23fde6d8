"""The measures, in one run: dynadmin through gunicorn against raw boto3 and the peer.

``run_all`` is the entry point: it sets up Django's state and gunicorn, then runs each
measure in turn. Each measure lives in the module of its concept (``pages``, ``cpu``,
``itempage``, ``concurrency``, ``footprint``, ``hosts``, ``peer``), takes the running
``Bench`` and returns a JSON-ready dict; ``report`` turns them into the table, the targets
and the chart.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from typing import Any

from dynadmin.services.partitions.pages import PartitionQuery
from examples.project import local
from examples.shop.definitions import shop

from . import dataset, history_consumer, report
from .concurrency import measure_throughput
from .configuration import Configuration
from .cpu import measure_cpu
from .extras import ensure_extras
from .footprint import measure_memory, worker_rss_mb
from .harness import BENCH_USER, Bench, Steps, check_pages, prepare_django, start_app, warm_up
from .hosts import measure_two_hosts
from .itempage import measure_item_page, raw_in_turn
from .loader import LoadInfo
from .pages import (
    depth_curve,
    measure_calls,
    measure_depth,
    measure_list_page,
    measure_lookup,
    measure_page,
    measure_wide_page,
)
from .peer import measure_peer, peer_depth_curve, start_peers
from .profiles import QUICK, Profile
from .web import Browser, login


def run_all(profile: Profile, env: dict[str, str], stack: ExitStack,
            dynamodb: local.LocalServer, load_info: LoadInfo, *, peer: bool,
            configuration: Configuration, started: float) -> dict[str, Any]:
    step = Steps()
    step(f"Django state on {configuration.describe()} (migrate, collectstatic, login user)")
    password = prepare_django()
    user = ensure_extras(profile)
    step(f"gunicorn start-up x{profile.startup_runs}")
    gunicorn, startups = start_app(env, profile, stack)
    browser = Browser(gunicorn.port)
    login(browser, BENCH_USER, password)
    query = PartitionQuery.from_params(shop, {"pk": dataset.WHALE_PK})
    raw = local.client(dynamodb.endpoint, timeout=30)
    bench = Bench(profile, env, stack, dynamodb, gunicorn, browser, raw, query, configuration,
                  startups)
    results: dict[str, Any] = {"profile": profile.name, "configuration":
                               configuration.to_dict(), "load": load_info.to_dict()}
    results["checks"] = check_pages(bench)
    step("warm-up")
    warm_up(bench, 20.0 if profile.name == "full" else 5.0)
    step("1. partition page: raw Query vs dynadmin")
    results["page"] = measure_page(bench)
    rss_after_pages = worker_rss_mb(bench)
    step("1b. the 1,000-row page")
    results["wide_page"] = measure_wide_page(bench)
    step("1c. the item page and its relations")
    item = measure_item_page(bench, user)
    results["item_page"] = item.results
    step("1d. CPU per request: gunicorn workers vs the raw calls")
    results["cpu"] = measure_cpu(bench, user.item_path, raw_in_turn(bench, item.calls))
    print(report.cpu_text(results["cpu"]), flush=True)
    step("1e. the entity list page (Orders by status): raw Query vs dynadmin")
    results["list_page"] = measure_list_page(bench)
    step(f"2. page 1 vs page {profile.deep_page}")
    results["depth"] = measure_depth(bench)
    results["depth_curve"] = depth_curve(bench)
    step("3. lookup by order ID")
    results["lookup"] = measure_lookup(bench)
    step("5. throughput at concurrency 8")
    results["throughput"] = measure_throughput(bench)
    if configuration.hosts > 1:
        step("8. two hosts on the shared PostgreSQL + Redis")
        results["two_hosts"] = measure_two_hosts(bench, password)
    step("4. calls and capacity per request")
    results["calls"] = measure_calls(bench)
    step("6. memory and start-up")
    results["memory"] = measure_memory(bench, rss_after_pages)
    step("9. the history consumer (a DynamoDB Local of its own)")
    results["history_consumer"] = history_consumer.measure(
        history_consumer.QUICK_CHANGES if profile is QUICK else history_consumer.FULL_CHANGES)
    print("\n".join(report.history_consumer_lines(results["history_consumer"])), flush=True)
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
