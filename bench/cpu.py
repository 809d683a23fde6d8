"""CPU per request: what a page costs the gunicorn workers, next to what its Query costs a
bare boto3 client.

Latency on a busy 2-core machine moves by a third from run to run; CPU time moves far less,
so this is the figure "dynadmin's own CPU per page" is read from:

- dynadmin: user + system time (``/proc/<pid>/stat`` fields 14 and 15, in clock ticks of
  ``SC_CLK_TCK``) of every worker of the gunicorn master, before and after a fixed number of
  sequential requests over one keep-alive connection. A worker's stat counts all its threads.
- raw: this process's own thread CPU (``time.thread_time()``) around the same number of raw
  boto3 sends of the very calls dynadmin makes for the request (one Query for a partition
  page, a list page or a lookup; the item page's GetItem and Queries, in turn),
  made sequentially in this thread. The worker makes those same calls, so dynadmin's own
  CPU is the difference.
- DynamoDB Local's (the JVM's) CPU over each side, as context: the same Query should cost it
  the same from either client.

The two sides alternate in blocks, so a busy moment hurts both. A clock tick is 10 ms: over
hundreds of requests its granularity is a few hundredths of a millisecond per request.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from .harness import Bench
from .pages import list_target, lookup_target, wide_query
from .procs import BenchError, worker_pids
from .stats import Sampled

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BLOCKS = 4


def process_cpu_s(pid: int | None) -> float:
    """User + system CPU seconds of ``pid`` (all its threads); 0 for no process."""
    if pid is None:
        return 0.0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name is in parentheses and may hold spaces; after it come field 3 onwards,
    # so utime (field 14) and stime (field 15) are at 11 and 12.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _workers_cpu_s(pids: list[int]) -> float:
    return sum(process_cpu_s(pid) for pid in pids)


def cpu_per_request(bench: Bench, kind: str, path: str, raw: Sampled, *,
                    requests: int, expect: int = 200) -> dict[str, Any]:
    """CPU ms per request of dynadmin's workers and of ``raw`` (the request's DynamoDB calls
    sent by a bare boto3 client), ``requests`` each."""
    dynadmin = bench.dynadmin(path, kind, expect=expect)
    for _ in range(5):  # connections open, code paths warm
        dynadmin()
        raw()
    jvm = bench.dynamodb.pid
    per_block = max(1, requests // BLOCKS)
    totals = dict.fromkeys(("dynadmin", "raw", "jvm_dynadmin", "jvm_raw"), 0.0)
    blocks: list[float] = []
    done = 0
    deadline = time.monotonic() + bench.profile.loop_seconds
    while done < requests and time.monotonic() < deadline:
        workers = worker_pids(bench.gunicorn.pid)
        before, jvm_before = _workers_cpu_s(workers), process_cpu_s(jvm)
        for _ in range(per_block):
            dynadmin()
        spent = _workers_cpu_s(workers) - before
        totals["jvm_dynadmin"] += process_cpu_s(jvm) - jvm_before
        if worker_pids(bench.gunicorn.pid) != workers:
            raise BenchError("a gunicorn worker was replaced while its CPU was measured: "
                             f"see {bench.gunicorn.log_path}")
        totals["dynadmin"] += spent
        blocks.append(1000 * spent / per_block)
        before, jvm_before = time.thread_time(), process_cpu_s(jvm)
        for _ in range(per_block):
            raw()
        totals["raw"] += time.thread_time() - before
        totals["jvm_raw"] += process_cpu_s(jvm) - jvm_before
        done += per_block
    per = {name: round(1000 * total / done, 2) for name, total in totals.items()}
    return {"requests": done, "dynadmin_ms": per["dynadmin"], "raw_ms": per["raw"],
            "difference_ms": round(per["dynadmin"] - per["raw"], 2),
            "dynadmin_blocks_ms": [round(b, 2) for b in blocks],
            "dynamodb_local_ms": {"dynadmin": per["jvm_dynadmin"], "raw": per["jvm_raw"]}}


def measure_cpu(bench: Bench, item_path: str, item_raw: Sampled) -> dict[str, Any]:
    """CPU per 50-row page, per item page, per entity list page, per lookup and per 1,000-row
    page, each against its raw calls (``item_raw``: the item page's, in turn)."""
    p = bench.profile
    target, lookup_params = lookup_target(bench)
    list_url, list_params = list_target()
    wide = wide_query(bench)
    return {
        "method": "gunicorn workers: /proc/<pid>/stat utime+stime; raw: time.thread_time() "
                  f"of the calling thread; {BLOCKS} alternating blocks; tick "
                  f"{1000 / CLOCK_TICKS:g} ms",
        "page": cpu_per_request(bench, "cpu page", bench.page_url(1),
                                bench.raw_call(bench.page_request(1)),
                                requests=p.cpu_requests),
        "item_page": cpu_per_request(bench, "cpu item page", item_path, item_raw,
                                     requests=p.cpu_requests),
        "list_page": cpu_per_request(bench, "cpu list page", list_url,
                                     bench.raw_call(list_params), requests=p.cpu_requests),
        "lookup": cpu_per_request(bench, "cpu lookup", f"/lookup/?q={target}",
                                  bench.raw_call(lookup_params), requests=p.cpu_requests,
                                  expect=302),
        "wide_page": cpu_per_request(bench, "1,000-row page", wide.url(),
                                     bench.raw_call(wide.request(forward=True, start_key=None)),
                                     requests=p.wide_cpu_requests),
    }
