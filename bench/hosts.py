"""Beyond one machine (``--two-hosts``): two gunicorn masters on one PostgreSQL + Redis.

Two masters on two ports of this machine stand for two web hosts behind a load balancer;
they share nothing but the database, the cache and DynamoDB. Measured:

- a session made on one host is valid on the other (logged in on A, a page served by B);
- DescribeTable: its cached answer lives in the shared cache, so after the cache entry is
  dropped, dashboards served by both hosts' workers call it once in all (the
  ``X-Dynadmin-Calls`` header of every request), and pages never call it;
- throughput at concurrency 8 with the 8 threads split across both masters (4 each) against
  all 8 on one master, in alternating rounds. On one 2-core machine a second master adds
  workers, not cores: what it shows is that sharing the state costs nothing per page;
- the connections the shared servers hold afterwards: Django keeps one PostgreSQL
  connection per gunicorn thread that served a request (``conn_max_age=60``), which is what
  bounds the number of hosts one PostgreSQL serves without a pooler.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.cache import cache
from django.db import connection

from dynadmin.services.tables.summaries import describe_cache_key
from examples.shop.definitions import shop

from .concurrency import dynadmin_workers, median_round, throughput_options
from .harness import BENCH_USER, Bench
from .procs import BenchError, Server, start_gunicorn
from .stats import throughput
from .web import Browser, login

#: dashboards fetched per host after the DescribeTable cache entry is dropped
DASHBOARDS_PER_HOST = 10


def measure_two_hosts(bench: Bench, password: str) -> dict[str, Any]:
    if not bench.configuration.shared:
        raise BenchError("--two-hosts needs the shared state (PostgreSQL + Redis)")
    second = start_gunicorn(bench.env)
    bench.stack.callback(second.stop)
    bench.startups.append(second.startup_s)
    try:
        hosts = [bench.gunicorn, second]
        browsers = [_logged_in(host, password) for host in hosts]
        sessions = _sessions_travel(bench, hosts, browsers)
        describe = _describe_table_calls(bench, hosts, browsers[0])
        scaling = _throughput_split(bench, browsers)
        connections = _connections()
    finally:
        second.stop()
    return {"hosts": 2, "second_startup_s": round(second.startup_s, 3),
            "sessions": sessions, "describe_table": describe, "throughput": scaling,
            "connections": connections}


def _connections() -> dict[str, int]:
    """Connections open to PostgreSQL (this process's own included) and to Redis."""
    import redis

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        postgres = int(cursor.fetchone()[0])
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        clients = int(client.info("clients")["connected_clients"])
    finally:
        client.close()
    return {"postgres": postgres, "redis": clients}


def _logged_in(host: Server, password: str) -> Browser:
    browser = Browser(host.port)
    login(browser, BENCH_USER, password)
    return browser


def _sessions_travel(bench: Bench, hosts: list[Server], browsers: list[Browser]
                     ) -> dict[str, Any]:
    """Each host's session used on the other host: the page answers 200, not the login."""
    out = {}
    for made, used in ((0, 1), (1, 0)):
        other = Browser(hosts[used].port)
        other.cookies = dict(browsers[made].cookies)
        answer = other.get(bench.page_url(1))
        other.close()
        out[f"made_on_{'AB'[made]}_used_on_{'AB'[used]}"] = answer.status
    out["valid_on_both"] = all(status == 200 for status in out.values())
    if not out["valid_on_both"]:
        raise BenchError(f"a session made on one host is refused by the other: {out}")
    return out


def _describe_table_calls(bench: Bench, hosts: list[Server], browser: Browser
                          ) -> dict[str, Any]:
    """Dashboards on both hosts (each on a new connection, so on any worker) after the
    cached DescribeTable answer is dropped from the shared cache."""
    cache.delete(describe_cache_key(shop))
    per_host = {"A": 0, "B": 0}
    for number in range(2 * DASHBOARDS_PER_HOST):
        host = number % 2
        tab = Browser(hosts[host].port)
        tab.cookies = dict(browser.cookies)
        answer = tab.get("/")
        tab.close()
        if answer.status != 200:
            raise BenchError(f"the dashboard answered {answer.status} on host {'AB'[host]}")
        per_host["AB"[host]] += answer.header("X-Dynadmin-Calls").split(",").count(
            "DescribeTable")
    return {"dashboards": 2 * DASHBOARDS_PER_HOST, "describe_table_calls": per_host,
            "total": sum(per_host.values())}


def _throughput_split(bench: Bench, browsers: list[Browser]) -> dict[str, Any]:
    url = bench.page_url(1)
    one = dynadmin_workers(bench, url, "two hosts", browsers[:1])
    two = dynadmin_workers(bench, url, "two hosts", browsers)
    options = throughput_options(bench)
    ones, twos = [], []
    for _ in range(bench.profile.throughput_rounds):
        ones.append(throughput(one, **options))
        twos.append(throughput(two, **options))
    single, split = median_round(ones), median_round(twos)
    return {"one_master": single.to_dict(), "two_masters": split.to_dict(),
            "one_master_rounds_rps": [round(t.per_second, 1) for t in ones],
            "two_masters_rounds_rps": [round(t.per_second, 1) for t in twos],
            "two_over_one": round(split.per_second / single.per_second, 3)}
