"""Throughput at concurrency 8: requests per second through gunicorn against raw boto3.

8 threads, each with its own keep-alive connection (and the same session cookie) or its own
boto3 client, ask for page 1 as fast as they are answered. Raw and dynadmin rounds alternate;
the round with the median rate is reported with its latencies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from examples.project import local

from .harness import Bench
from .stats import Sampled, Throughput, throughput
from .web import Browser, copy_session


def throughput_options(bench: Bench) -> dict[str, Any]:
    p = bench.profile
    return {"concurrency": p.concurrency, "seconds": p.throughput_seconds / p.throughput_rounds,
            "max_requests": p.throughput_max_requests}


def dynadmin_workers(bench: Bench, url: str, kind: str,
                     browsers: list[Browser]) -> Callable[[], Sampled]:
    """A worker factory: each thread gets the next browser's session, on its own connection
    (several browsers, e.g. one per host, are taken in turn)."""
    turn = [0]

    def make() -> Sampled:
        browser = browsers[turn[0] % len(browsers)]
        turn[0] += 1
        return bench.dynadmin(url, kind, browser=copy_session(browser))

    return make


def measure_throughput(bench: Bench) -> dict[str, Any]:
    url = bench.page_url(1)
    params = bench.page_request(1)

    def raw_worker() -> Sampled:
        return bench.raw_call(params, local.client(bench.dynamodb.endpoint, timeout=30))

    dynadmin_worker = dynadmin_workers(bench, url, "throughput", [bench.browser])
    rounds = bench.profile.throughput_rounds
    options = throughput_options(bench)
    # Alternate the two, round by round: a busy moment of the machine then hurts both.
    raws, dyns = [], []
    for _ in range(rounds):
        raws.append(throughput(raw_worker, **options))
        dyns.append(throughput(dynadmin_worker, **options))
    raw = median_round(raws)
    dyn = median_round(dyns)
    return {"raw": raw.to_dict(), "dynadmin": dyn.to_dict(), "rounds": rounds,
            "raw_rounds_rps": [round(t.per_second, 1) for t in raws],
            "dynadmin_rounds_rps": [round(t.per_second, 1) for t in dyns],
            "share_of_raw": round(dyn.per_second / raw.per_second, 3)}


def median_round(rounds: list[Throughput]) -> Throughput:
    """The round with the median rate (its latencies are reported with it)."""
    return sorted(rounds, key=lambda t: t.per_second)[len(rounds) // 2]
