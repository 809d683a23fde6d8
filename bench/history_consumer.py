"""How fast the history consumer archives a stream, and whether its memory stays flat.

    python bench/history_consumer.py [--changes N] [--port P] [--json PATH]

Starts an in-memory DynamoDB Local on 127.0.0.1, creates the example's table (with its
stream) and the archive, writes N changes (one put each, BatchWriteItem from 4 threads: the
stream then holds N records), then times passes of ``follow_once`` until every change is
archived: changes archived per second, the process's resident memory when 10,000 were
archived and at the end, and its peak. DynamoDB Local is stopped at the end, on an error and
on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script: make the repository (dynadmin, examples, bench) importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from examples.project import local  # noqa: E402

#: Changes archived when the first memory reading is taken (the last is taken at the end).
EARLY = 10_000
#: Threads writing the changes (DynamoDB Local takes about this many at once usefully).
WRITERS = 4
#: Changes a full benchmark run (bench/run.py) archives, and a --quick one.
FULL_CHANGES, QUICK_CHANGES = 100_000, 10_000


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_cpu_seconds(pid: int) -> float:
    """The CPU another process (DynamoDB Local) has used so far, user and system."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def setup_django(endpoint: str, source: str, history: str) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "examples.project.settings",
        "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": uuid.uuid4().hex * 2,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_LOG_LEVEL": "WARNING",
        "DYNADMIN_TABLE_NAMES": f"Application={source}",
        "DYNADMIN_HISTORY_TABLE": history,
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint, "AWS_REGION": local.REGION,
        "AWS_DEFAULT_REGION": local.REGION, "AWS_ACCESS_KEY_ID": local.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": local.SECRET_KEY,
        # a loaded 2-core machine can stall DynamoDB Local for seconds
        "DYNADMIN_READ_TIMEOUT": "120",
    })
    import django

    django.setup()


def order(n: int) -> dict[str, Any]:
    from decimal import Decimal

    return {"PK": f"USER#u{n % 997}", "SK": f"ORDER#2024-01-15#{n:08d}", "type": "Order",
            "user_id": f"u{n % 997}", "order_id": f"{n:08d}", "status": "PENDING",
            "total": Decimal(n % 10_000) / 100, "currency": "EUR", "version": 1}


def write_changes(table: Any, count: int) -> float:
    """Put ``count`` new items (each one INSERT record in the stream); seconds taken."""
    from dynadmin.data import load_items_unconditionally

    started = time.perf_counter()
    chunk = 5_000
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(lambda start: load_items_unconditionally(
            table, (order(n) for n in range(start, min(start + chunk, count)))),
            range(0, count, chunk)))
    return time.perf_counter() - started


def drain(table: Any, count: int) -> dict[str, Any]:
    """Passes of ``follow_once`` until ``count`` changes are archived."""
    from dynadmin.history import consumer

    archived = 0
    early: float | None = None
    original = consumer.archive_records

    def counting(source_table: str, records: Any, items: Any = None) -> Any:
        # the memory reading once EARLY changes are archived, taken where they are
        nonlocal archived, early
        counts = original(source_table, records, items)
        archived += counts.archived
        if early is None and archived >= EARLY:
            early = rss_mb()
        return counts

    consumer.archive_records = counting  # type: ignore[assignment]
    passes = 0
    cpu = time.process_time()
    started = time.perf_counter()
    try:
        while archived < count:
            passes += 1
            counts = consumer.follow_once(table)
            if not counts.read and passes > 3:
                break  # nothing more in the stream: counted below
    finally:
        consumer.archive_records = original  # type: ignore[assignment]
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return {"archived": archived, "seconds": round(seconds, 2), "passes": passes,
            "changes_per_second": round(archived / seconds) if seconds else None,
            # this process's CPU per change: what DynamoDB Local's speed does not change
            "cpu_ms_per_change": round(cpu * 1000 / archived, 3) if archived else None,
            "rss_mb_at_10k": round(early, 1) if early is not None else None,
            "rss_mb_at_end": round(rss_mb(), 1), "peak_rss_mb": round(peak_rss_mb(), 1)}


def measure(changes: int) -> dict[str, Any]:
    """This benchmark in a process of its own (its own Django settings and DynamoDB Local),
    as ``bench/run.py`` reports it: the results, or why there are none."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "history-consumer.json"
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--changes", str(changes),
             "--json", str(output)],
            capture_output=True, text=True, timeout=3600, check=False)
        if not output.exists():
            return {"changes": changes, "error": (done.stdout + done.stderr)[-2000:]}
        results: dict[str, Any] = json.loads(output.read_text())
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/history_consumer.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=20_000,
                        help="changes written then archived (default 20,000)")
    parser.add_argument("--port", type=int, default=None,
                        help="DynamoDB Local's port (default: a free one)")
    parser.add_argument("--single-puts", action="store_true",
                        help="one PutItem per change instead of transactions (to compare)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    server = local.start(args.port, in_memory=True)
    try:
        source, history = f"bench-consumer-{uuid.uuid4().hex[:8]}", "bench-consumer-history"
        setup_django(server.endpoint, source, history)
        from dynadmin.data.schema import create_table, ensure_table
        from dynadmin.history.archive import archive
        from examples.shop.definitions import shop

        if args.single_puts:
            from dynadmin.history import consumer

            consumer.TRANSACTION_ITEMS = 1
        create_table(shop)
        ensure_table(archive)
        print(f"Writing {args.changes:,} changes...", flush=True)
        written = write_changes(shop, args.changes)
        print(f"  written in {written:.1f} s; archiving...", flush=True)
        local_cpu = process_cpu_seconds(server.process.pid)
        drained = drain(shop, args.changes)
        local_cpu = process_cpu_seconds(server.process.pid) - local_cpu
        results = {"changes": args.changes, "write_seconds": round(written, 1),
                   "writes": "single puts" if args.single_puts else "transactions",
                   **drained,
                   # DynamoDB Local's own CPU while archiving: per change, and how many of
                   # the machine's cores it kept busy (it runs one transaction at a time)
                   "local_cpu_ms_per_change": round(local_cpu * 1000 / max(drained[
                       "archived"], 1), 3),
                   "local_cores_busy": round(local_cpu / drained["seconds"], 2)
                   if drained["seconds"] else None,
                   "threads": threading.active_count(),
                   "load_average": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()}
    finally:
        server.stop()
    print(f"History consumer: {results['archived']:,} of {args.changes:,} changes archived in "
          f"{results['seconds']} s ({results['passes']} passes, {results['writes']}): "
          f"{results['changes_per_second']:,} changes/s")
    print(f"  this process's CPU: {results['cpu_ms_per_change']} ms per change; "
          f"load average {results['load_average']} on {results['cpus']} CPUs")
    print(f"  DynamoDB Local's CPU: {results['local_cpu_ms_per_change']} ms per change, "
          f"{results['local_cores_busy']} cores busy")
    print(f"  memory: {results['rss_mb_at_10k']} MB at 10,000 archived, "
          f"{results['rss_mb_at_end']} MB at the end, peak {results['peak_rss_mb']} MB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if results["archived"] == args.changes else 1


if __name__ == "__main__":
    sys.exit(main())
