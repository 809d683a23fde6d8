"""Memory and start-up: VmRSS of each gunicorn worker after the load; spawn → first 200."""

from __future__ import annotations

import statistics
from typing import Any

from .harness import Bench
from .procs import rss_mb, worker_pids


def measure_memory(bench: Bench, startups: list[float]) -> dict[str, Any]:
    workers = worker_pids(bench.gunicorn.pid)
    return {"workers": len(workers),
            "worker_rss_mb": [round(rss_mb(pid) or 0, 1) for pid in workers],
            "master_rss_mb": round(rss_mb(bench.gunicorn.pid) or 0, 1),
            "startup_s": [round(s, 3) for s in startups],
            "startup_median_s": round(statistics.median(startups), 3)}
