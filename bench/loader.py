"""Load the dataset once, keep it, and skip loading when a marker says it is all there.

DynamoDB Local syncs each write to disk (about 20 ms per item on this machine's disk, 1.7 ms
in memory), so a load runs against a copy of the data folder on a RAM disk (``/dev/shm``),
which is copied back when DynamoDB Local has stopped. The marker item is written last, so a
dataset without one is incomplete; a progress item records how many chunks are done, so an
interrupted load resumes instead of starting again.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

from django.test import override_settings

from dynadmin import data
from dynadmin.data.schema import create_table, delete_table, table_exists
from examples.project import local
from examples.shop.definitions import shop

from . import dataset
from .djangoenv import LOGICAL_TABLE, point_at
from .paths import DB_DIR, RAM_DISK
from .procs import start_dynamodb
from .profiles import Profile

_PROGRESS_EVERY_S = 3.0


@dataclass
class LoadInfo:
    """What the run found or did about the dataset (reported in the results)."""

    loaded_this_run: bool
    items: int
    marker: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    copy_seconds: float = 0.0
    threads: int = 0
    where: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "loaded_this_run": self.loaded_this_run, "items": self.items,
            "load_seconds_this_run": round(self.seconds, 1),
            "copy_seconds_this_run": round(self.copy_seconds, 1),
            "threads": self.threads, "loaded_on": self.where,
            "marker": {k: _plain(v) for k, v in self.marker.items()},
        }


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal: JSON wants int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def ensure_dataset(profile: Profile, env: dict[str, str], stack: ExitStack, *,
                   threads: int) -> tuple[local.LocalServer, LoadInfo]:
    """A running DynamoDB Local on ``bench/.data`` holding the complete dataset."""
    server = start_dynamodb(DB_DIR)
    point_at(server.endpoint, env)
    marker = read_marker(profile)
    if marker is not None:
        stack.callback(server.stop)
        print(f"dataset found ({profile.total_items:,} items, loaded in "
              f"{float(marker.get('load_seconds', 0)):.0f} s on {marker.get('loaded_at')}): "
              "skipping the load", flush=True)
        return server, LoadInfo(False, profile.total_items, marker)
    server.stop()
    info = _load_in_staging(profile, env, threads)
    server = start_dynamodb(DB_DIR)
    stack.callback(server.stop)
    point_at(server.endpoint, env)
    marker = read_marker(profile)
    if marker is None:
        raise RuntimeError("the load finished but the marker is missing from bench/.data")
    info.marker = marker
    return server, info


def _load_in_staging(profile: Profile, env: dict[str, str], threads: int) -> LoadInfo:
    """Copy the data folder to the RAM disk, load there, copy it back (also when stopped)."""
    staging = _staging_dir()
    where = "RAM disk copy" if staging else "disk (no RAM disk: slow)"
    copy_s = 0.0
    if staging is not None:
        copy_s += _copy_tree(DB_DIR, staging)
    server = start_dynamodb(staging or DB_DIR)
    point_at(server.endpoint, env)
    finished = False
    try:
        seconds = load(profile, threads)
        finished = True
    finally:
        server.stop()
        if staging is not None:
            if server.process is None or server.process.poll() is not None:
                # Copied back even when interrupted: the progress item lets the next run resume.
                copy_s += _copy_tree(staging, DB_DIR)
            shutil.rmtree(staging, ignore_errors=True)
        if not finished:
            print("load interrupted; the next run resumes it", flush=True)
    return LoadInfo(True, profile.total_items, seconds=seconds, copy_seconds=copy_s,
                    threads=threads, where=where)


def _staging_dir() -> Path | None:
    if not RAM_DISK.is_dir():
        return None
    return Path(tempfile.mkdtemp(prefix="dynadmin-bench-", dir=RAM_DISK))


def _copy_tree(source: Path, target: Path) -> float:
    """Copy DynamoDB Local's files (each through a temporary name, then renamed)."""
    started = time.perf_counter()
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file():
            partial = target / f".{path.name}.partial"
            shutil.copyfile(path, partial)
            partial.replace(target / path.name)
    return time.perf_counter() - started


# -- the load itself ---------------------------------------------------------------------
def _tables(profile: Profile) -> Any:
    return override_settings(DYNADMIN_TABLE_NAMES={LOGICAL_TABLE: profile.table})


def read_marker(profile: Profile) -> dict[str, Any] | None:
    """The marker if the table holds this profile's complete dataset, else None."""
    with _tables(profile):
        if not table_exists(shop):
            return None
        marker = data.get_item(shop, {"PK": dataset.BENCH_PK, "SK": dataset.MARKER_SK},
                               consistent=True)
    if marker is None:
        return None
    expected = dataset.description(profile)
    if any(marker.get(k) != v for k, v in expected.items()):
        print(f"the stored dataset differs from this version ({expected}): reloading",
              flush=True)
        return None
    return marker


def load(profile: Profile, threads: int) -> float:
    """Write every chunk not yet recorded as done, with ``threads`` writers; then the marker."""
    with _tables(profile):
        progress = _prepare_table(profile)
        all_chunks = dataset.chunks(profile)
        done = int(progress.get("chunks_done", 0))
        previous_s = float(progress.get("seconds", 0))
        tracker = _Tracker(profile.total_items, sum(c.size for c in all_chunks[:done]))
        started = time.perf_counter()
        print(f"loading {profile.total_items:,} items into {profile.table} with {threads} "
              f"threads" + (f", resuming after chunk {done}" if done else ""), flush=True)
        pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="load")
        interrupted = True
        try:
            futures = {pool.submit(_write_chunk, profile, c, tracker): c
                       for c in all_chunks[done:]}
            finished: set[int] = set()
            pending: set[Future[int]] = set(futures)
            while pending:
                completed, pending = wait(pending, timeout=_PROGRESS_EVERY_S)
                for future in completed:
                    chunk = futures[future]
                    future.result()
                    finished.add(chunk.number)
                while done in finished:
                    done += 1
                if completed:
                    _write_progress(profile, done, previous_s + time.perf_counter() - started)
                tracker.report()
            interrupted = False
        finally:
            # Interrupted: leave the running batches to die with DynamoDB Local; only chunks
            # recorded as done count, so nothing half-written is ever trusted.
            pool.shutdown(wait=not interrupted, cancel_futures=True)
        seconds = previous_s + time.perf_counter() - started
        _write_marker(profile, seconds, threads)
    print(f"loaded {profile.total_items:,} items in {seconds:.0f} s "
          f"({profile.total_items / seconds:,.0f} items/s)", flush=True)
    return seconds


def _prepare_table(profile: Profile) -> dict[str, Any]:
    """The progress of an earlier, interrupted load of this dataset; otherwise a new table.

    A table holding anything else (another dataset version, or a load whose progress was
    lost) is dropped and created again, so that no stray item changes what is measured.
    """
    if table_exists(shop):
        progress = _read_progress(profile)
        if progress:
            return progress
        print(f"dropping {profile.table}: it holds no resumable load of this dataset",
              flush=True)
        delete_table(shop)
    _create_table_without_stream()
    return {}


def _create_table_without_stream() -> None:
    """The example's table, less its stream.

    DynamoDB Local records every write of a table with a stream and reads the stream's
    description for each of them, a cost that grows with the stream: at 25,000 items a
    batch of 25 already took over 5 s. A stream changes nothing about reads, which is all
    the benchmark measures, so the benchmark's table goes without.
    """
    with mock.patch.object(shop, "stream_view_type", None):
        create_table(shop)


def _write_chunk(profile: Profile, chunk: dataset.Chunk, tracker: _Tracker) -> int:
    return data.load_items_unconditionally(shop, tracker.counted(
        dataset.chunk_items(chunk, profile)))


def _read_progress(profile: Profile) -> dict[str, Any]:
    item = data.get_item(shop, {"PK": dataset.BENCH_PK, "SK": dataset.PROGRESS_SK},
                         consistent=True)
    if item is None or item.get("version") != dataset.DATASET_VERSION or any(
            item.get(k) != v for k, v in dataset.description(profile).items()):
        return {}
    return item


def _write_progress(profile: Profile, chunks_done: int, seconds: float) -> None:
    data.load_items_unconditionally(shop, [{
        "PK": dataset.BENCH_PK, "SK": dataset.PROGRESS_SK, **dataset.description(profile),
        "chunks_done": chunks_done, "seconds": int(seconds),
    }])


def _write_marker(profile: Profile, seconds: float, threads: int) -> None:
    data.load_items_unconditionally(shop, [{
        "PK": dataset.BENCH_PK, "SK": dataset.MARKER_SK, **dataset.description(profile),
        "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_seconds": int(seconds), "load_threads": threads,
    }])


class _Tracker:
    """Prints items loaded, rate and time left, at most every few seconds."""

    def __init__(self, total: int, already: int) -> None:
        self.total = total
        self.already = already
        self.written = 0
        self.lock = threading.Lock()
        self.started = time.perf_counter()
        self.last_report = 0.0

    def counted(self, items: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Count items as the writer takes them (a batch at most ahead of DynamoDB)."""
        for item in items:
            with self.lock:
                self.written += 1
            yield item

    def report(self) -> None:
        now = time.perf_counter()
        if now - self.last_report < _PROGRESS_EVERY_S:
            return
        self.last_report = now
        elapsed = now - self.started
        rate = self.written / elapsed if elapsed else 0.0
        loaded = self.already + self.written
        left = (self.total - loaded) / rate if rate else float("inf")
        print(f"  {loaded:>9,} / {self.total:,} items ({100 * loaded / self.total:4.1f} %), "
              f"{rate:,.0f} items/s, about {left / 60:.1f} min left", flush=True)
