"""Sampling loops and summaries: warm-up, interleaved samples, percentiles, throughput.

Every loop is bounded twice, by a count and by a deadline, so no measure can run away.
Variants compared with each other are sampled in turns (A, B, C, A, B, C...) rather than one
after the other, so that a slow moment of a busy machine hurts them all alike.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

#: a sampled call returns its own time in ms (an HTTP round trip), or None to be timed here
Sampled = Callable[[], float | None]


@dataclass
class Summary:
    n: int
    p50: float
    p95: float
    mean: float
    min: float
    max: float

    def to_dict(self) -> dict[str, Any]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(values: list[float]) -> Summary:
    if not values:
        return Summary(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    return Summary(len(values), percentile(values, 50), percentile(values, 95),
                   sum(values) / len(values), min(values), max(values))


def _timed(call: Sampled) -> float:
    started = time.perf_counter()
    own = call()
    return own if own is not None else (time.perf_counter() - started) * 1000


def sample(variants: dict[str, Sampled], *, warmup: int, samples: int,
           seconds: float) -> dict[str, Summary]:
    """Warm each variant up, then sample them in turns until ``samples`` each or the deadline."""
    deadline = time.monotonic() + seconds
    for _ in range(warmup):
        for call in variants.values():
            call()
        if time.monotonic() > deadline:
            break
    results: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for round_number in range(samples):
        # Rotate who goes first, so that no variant always follows the same one.
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(_timed(variants[name]))
        if time.monotonic() > deadline:
            break
    return {name: summarize(values) for name, values in results.items()}


@dataclass
class Throughput:
    requests: int
    errors: int
    seconds: float
    concurrency: int
    latency: Summary

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "errors": self.errors,
                "seconds": round(self.seconds, 2), "concurrency": self.concurrency,
                "requests_per_second": round(self.per_second, 1),
                "latency_ms": self.latency.to_dict()}


def throughput(make_worker: Callable[[], Sampled], *, concurrency: int, seconds: float,
               max_requests: int, warmup_seconds: float = 2.0) -> Throughput:
    """``concurrency`` threads, each calling its own worker in a loop, for ``seconds``.

    Each thread gets its worker (its own connection) before the clock starts; a short warm-up
    at full concurrency comes first. Stops at the deadline or after ``max_requests``.
    """
    workers = [make_worker() for _ in range(concurrency)]
    _run_threads(workers, seconds=warmup_seconds, max_requests=max_requests)
    latencies, errors, elapsed = _run_threads(workers, seconds=seconds,
                                              max_requests=max_requests)
    return Throughput(len(latencies), errors, elapsed, concurrency, summarize(latencies))


def _run_threads(workers: list[Sampled], *, seconds: float,
                 max_requests: int) -> tuple[list[float], int, float]:
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    budget = [max_requests]
    deadline = time.monotonic() + seconds

    def loop(worker: Sampled) -> None:
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            try:
                ms = _timed(worker)
            except Exception:  # noqa: BLE001 - counted, and the load goes on
                with lock:
                    errors[0] += 1
                continue
            with lock:
                latencies.append(ms)

    threads = [threading.Thread(target=loop, args=(w,), daemon=True) for w in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return latencies, errors[0], time.perf_counter() - started
