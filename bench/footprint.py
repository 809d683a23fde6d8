"""Memory and start-up: VmRSS of each gunicorn worker, after the 50-row pages and at the end
(after the 1,000-row pages too); spawn → first 200 from /login/ of every master started."""

from __future__ import annotations

import statistics
from typing import Any

from .harness import Bench
from .procs import rss_mb, worker_pids


def worker_rss_mb(bench: Bench) -> list[float]:
    return [round(rss_mb(pid) or 0, 1) for pid in worker_pids(bench.gunicorn.pid)]


def measure_memory(bench: Bench, after_pages: list[float]) -> dict[str, Any]:
    workers = worker_rss_mb(bench)
    return {"workers": len(workers),
            "worker_rss_mb": workers,
            "worker_rss_mb_after_50_row_pages": after_pages,
            "master_rss_mb": round(rss_mb(bench.gunicorn.pid) or 0, 1),
            "startup_s": [round(s, 3) for s in bench.startups],
            "startup_median_s": round(statistics.median(bench.startups), 3)}
