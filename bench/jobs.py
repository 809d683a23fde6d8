"""Bulk jobs against the plain boto3 script doing the same work, on real workers.

    python bench/jobs.py [--quick] [--items N] [--export-items N] [--editors N]
                         [--workers N] [--backends db,rq] [--port P] [--redis-port P]

Starts an in-memory DynamoDB Local on 127.0.0.1 (and, for the RQ leg, a Redis that saves
nothing), creates the example's table and loads N PENDING orders (``Order.build_item``), then:

1. **Bulk update.** The baseline: a boto3 script reads the Order list's Query pages
   (``ORDER#STATUS#PENDING`` on GSI2, ``JOB_PAGE_SIZE`` items a page) and sends one
   conditional UpdateItem per item (``version = :seen``; SET status, its GSI2 key, version + 1)
   from as many threads as the job has workers, at first and again just before and just after
   each backend's job, which is compared with the mean of those two runs (this machine's speed
   drifts by half within minutes). Then, per backend (the database queue with
   ``db_worker`` processes, RQ with ``rqworker`` processes), an untimed job over at most
   ``WARM_UP_ITEMS`` orders warms the workers and DynamoDB Local (as the baseline's first run
   does, not compared either), the orders are loaded again and a set-status job over the same
   list (made as the tests make one) runs on that many workers, timed from ``engine.start``
   to the job's end. With ``--editors``, that many threads change
   50 items the job has read but not yet written, with conditional writes of their own.
   Afterwards every order is read back (BatchGetItem on the keys the run made, never a Scan)
   and checked: each written exactly once, the edited ones conflicts and never overwritten,
   the counts adding up, one audit entry per item written.
2. **Export.** Another list (``PAID``, ``--export-items`` orders) exported to JSON Lines by an
   export job on the same workers (the worker finishing its last chunk assembles the parts into
   the job's one file), against a raw paginated boto3 Query of the same key condition writing
   JSON Lines. The two files must hold the same lines once sorted; the workers' resident
   memory is sampled during the job (its growth over what it was before).

Each measure also gives the CPU time its side spent per item (the baseline's process, the
workers and their children) and DynamoDB Local's over the same time. Prints a table and
writes ``bench/results/jobs.{json,md}`` (``--quick``: ``bench/results/jobs-quick.{json,md}``).
Every process started is stopped at the end, on an error, on Ctrl-C and on SIGTERM; every wait
is bounded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, nullcontext
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script: make the repository (dynadmin, examples, bench) importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.paths import REPO_ROOT, RESULTS_DIR  # noqa: E402
from bench.procs import BenchError, stop_on_sigterm  # noqa: E402
from examples.project import local  # noqa: E402

#: Orders a full run updates, and a --quick one
FULL_ITEMS, QUICK_ITEMS = 20_000, 2_000
#: Items the editors change during the update job, and the target shares of the baseline
EDITED = 50
TARGET_SHARE = 80.0
#: Orders the untimed job before each backend's timed one updates (at most)
WARM_UP_ITEMS = 2_000
#: Most a worker's memory may grow during an export (MB)
TARGET_RSS_GROWTH_MB = 50.0
#: Threads loading orders, and orders per BatchWriteItem thread task
LOADERS, LOAD_CHUNK = 4, 2_000
#: Bound on any one job (seconds): a guard against a hang, far above any expected run
JOB_TIMEOUT = 3600.0
#: A job that records nothing (no item, no finished chunk) for this long has stalled; its
#: progress is counted this often (seconds)
STALL_SECONDS, PROGRESS_EVERY = 90.0, 2.0
#: Customers the orders are spread over (a partition each in the table, one list on GSI2)
USERS = 500
PENDING, PAID, CANCELLED = "PENDING", "PAID", "CANCELLED"
#: Both jobs' limits (units a second): far above what DynamoDB Local takes here, so that the
#: figures are the engine's. A job's default on an on-demand table (``DYNADMIN_JOB_MAX_WCU``,
#: 500 WCU/s, shared by the chunks in progress) holds a set-status job to 125-250 orders/s, as
#: an order's update costs 4 WCU (the item and its index entries): that measured the limit.
JOB_LIMIT = 100_000.0
DB_WORKER = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")
# As the ready-made project's settings say to run them: RQ's SimpleWorker runs each task in
# the worker's own process; its default Worker forks a process per task, which then builds its
# DynamoDB client, imports the URLconf and connects to the database again (an export of a few
# thousand items took six times as long).
RQ_WORKER = ("rqworker", "default", "--job-class", "django_tasks_rq.Job",
             "--worker-class", "rq.worker.SimpleWorker", "--with-scheduler")


# -- the dataset -----------------------------------------------------------------------------
def order_item(number: int, status: str) -> dict[str, Any]:
    """Order ``number`` (its key a function of the number), version 1."""
    from examples.shop.definitions import Order

    return Order.build_item({
        "user_id": f"u{number % USERS:04d}", "order_id": f"{number:08d}",
        "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, tzinfo=dt.UTC) + dt.timedelta(seconds=number),
        "status": status, "total": Decimal(number % 10_000) / 100, "currency": "EUR",
        "version": 1})


def order_key(number: int) -> dict[str, str]:
    return {"PK": f"USER#u{number % USERS:04d}", "SK": f"ORDER#2024-01-15#{number:08d}"}


def key_text(key: dict[str, str]) -> str:
    """A key as a job's ``JobItem.key_text`` spells it."""
    return f"{key['PK']} / {key['SK']}"


def load(numbers: range, status: str) -> float:
    """Put the orders ``numbers`` (unconditionally: a fresh start); seconds taken."""
    from dynadmin.data import load_items_unconditionally
    from examples.shop.definitions import shop

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=LOADERS) as pool:
        list(pool.map(lambda first: load_items_unconditionally(
            shop, (order_item(n, status) for n in range(first, min(first + LOAD_CHUNK,
                                                                   numbers.stop)))),
            range(numbers.start, numbers.stop, LOAD_CHUNK)))
    return time.perf_counter() - started


def read_back(raw: Any, table_name: str, numbers: range) -> dict[int, dict[str, Any]]:
    """The orders ``numbers`` as they are now: BatchGetItem on their keys, read consistently."""
    from boto3.dynamodb.types import TypeDeserializer

    plain = TypeDeserializer()
    found: dict[int, dict[str, Any]] = {}
    by_sk = {order_key(n)["SK"]: n for n in numbers}
    keys = [{"PK": {"S": k["PK"]}, "SK": {"S": k["SK"]}} for k in map(order_key, numbers)]
    for first in range(0, len(keys), 100):
        asked: dict[str, Any] = {table_name: {"Keys": keys[first:first + 100],
                                              "ConsistentRead": True}}
        for _ in range(100):  # bounded: unprocessed keys are asked again
            answer = raw.batch_get_item(RequestItems=asked)
            for item in answer["Responses"].get(table_name, []):
                values = {k: plain.deserialize(v) for k, v in item.items()}
                found[by_sk[values["SK"]]] = values
            asked = answer.get("UnprocessedKeys") or {}
            if not asked:
                break
    return found


def query_pages(raw: Any, table_name: str, status: str, limit: int | None
                ) -> Iterator[list[dict[str, Any]]]:
    """The raw pages of the Order list's tab ``status`` (GSI2), ``limit`` items a page."""
    asked: dict[str, Any] = {
        "TableName": table_name, "IndexName": "GSI2",
        "KeyConditionExpression": "GSI2PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": f"ORDER#STATUS#{status}"}}}
    if limit:
        asked["Limit"] = limit
    while True:
        page = raw.query(**asked)
        yield page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        asked["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# -- the baselines ---------------------------------------------------------------------------
def baseline_update(raw: Any, table_name: str, threads: int, page_size: int) -> dict[str, Any]:
    """What a plain script does: read the list's pages, then one conditional UpdateItem per
    item from ``threads`` threads (the job's guard: the version it read)."""
    started, cpu = time.perf_counter(), time.process_time()
    todo = [(item["PK"]["S"], item["SK"]["S"], item["version"]["N"])
            for page in query_pages(raw, table_name, PENDING, page_size) for item in page]
    read = time.perf_counter() - started
    conflicts = 0

    def update(entry: tuple[str, str, str]) -> None:
        nonlocal conflicts
        pk, sk, version = entry
        try:
            raw.update_item(
                TableName=table_name, Key={"PK": {"S": pk}, "SK": {"S": sk}},
                UpdateExpression="SET #s = :s, GSI2PK = :g, #v = #v + :one",
                ConditionExpression="#v = :seen",
                ExpressionAttributeNames={"#s": "status", "#v": "version"},
                ExpressionAttributeValues={
                    ":s": {"S": CANCELLED}, ":g": {"S": f"ORDER#STATUS#{CANCELLED}"},
                    ":one": {"N": "1"}, ":seen": {"N": version}})
        except raw.exceptions.ConditionalCheckFailedException:
            conflicts += 1

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(update, todo))
    seconds = time.perf_counter() - started
    return {"items": len(todo), "seconds": round(seconds, 2), "read_seconds": round(read, 2),
            "items_per_second": round(len(todo) / seconds, 1), "conflicts": conflicts,
            "threads": threads, "cpu_ms_per_item": per_item(time.process_time() - cpu,
                                                            len(todo))}


def baseline_export(raw: Any, table_name: str, path: Path) -> dict[str, Any]:
    """A raw paginated Query (1 MB pages) of the same key condition, written as JSON Lines
    spelled as dynadmin's export spells items."""
    from boto3.dynamodb.types import TypeDeserializer

    from dynadmin.plain_json import dumps_plain_json

    plain = TypeDeserializer()
    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for page in query_pages(raw, table_name, PAID, None):
            for item in page:
                out.write(dumps_plain_json({k: plain.deserialize(v) for k, v in item.items()},
                                           indent=None) + "\n")
                count += 1
    seconds = time.perf_counter() - started
    return {"items": count, "seconds": round(seconds, 2),
            "items_per_second": round(count / seconds, 1),
            "cpu_ms_per_item": per_item(time.process_time() - cpu, count)}


def per_item(cpu_seconds: float, items: int) -> float:
    """Milliseconds of CPU an item."""
    return round(1000 * cpu_seconds / max(items, 1), 2)


# -- workers -----------------------------------------------------------------------------------
class Workers:
    """``count`` worker processes of one backend, each in its own session (stopped as a group)."""

    def __init__(self, command: tuple[str, ...], count: int, env: dict[str, str], cwd: Path,
                 logs: Path) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.marks = [0] * count
        self.logs = [logs / f"{command[0]}-{number}.log" for number in range(count)]
        for path in self.logs:
            with open(path, "wb") as log:
                self.processes.append(subprocess.Popen(
                    [sys.executable, str(REPO_ROOT / "manage.py"), *command], cwd=cwd,
                    env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True))
        try:
            self._settle()
        except BaseException:
            self.stop()
            raise

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def _settle(self) -> None:
        """Until every worker has started up (its CPU time stops growing): a job's time is
        then its work, not Django's start-up."""
        last = [-1.0] * len(self.processes)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            time.sleep(0.5)
            self.check()
            now = [cpu_seconds(pid) for pid in self.pids]
            if all(n - before < 0.03 for n, before in zip(now, last, strict=True)):
                return
            last = now
        raise BenchError("the workers did not finish starting within 90 s")

    def mark(self) -> None:
        """From here on: ``last_error`` reads only what the workers log after this."""
        self.marks = [log.stat().st_size for log in self.logs]

    def last_error(self) -> str | None:
        """The last exception line a worker logged since ``mark`` (``TypeError: ...``)."""
        found = None
        for log, mark in zip(self.logs, self.marks, strict=True):
            with open(log, "rb") as text:
                text.seek(mark)
                logged = text.read().decode(errors="replace")
            for line in logged.splitlines():
                if re.match(r"^[A-Za-z_.]+(Error|Exception): ", line):
                    found = line.strip()
        return found

    def check(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                raise BenchError(f"a worker exited with code {process.returncode}: see "
                                 f"{RESULTS_DIR / 'tmp'}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


def cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and of its children it has waited for (RQ's default Worker runs
    each task in a child of its own)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(field) for field in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# -- the jobs --------------------------------------------------------------------------------
def new_job(kind: str, status: str, parameters: dict[str, Any]) -> Any:
    """A job over the Order list's tab ``status``, made as the tests make one."""
    from django.contrib.auth import get_user_model

    from dynadmin.jobs import engine
    from dynadmin.jobs.changes import creator_request
    from dynadmin.sites import site
    from examples.shop.definitions import Order

    user = get_user_model().objects.get(username="bench")
    admin = site.get_entity_admin(Order)
    request = creator_request(user)
    source = engine.sources.from_listing(admin, {"status": status}, request)
    return engine.create(site=site, admin=admin, request=request, kind=kind, source=source,
                         parameters=parameters, max_wcu=JOB_LIMIT, max_rcu=JOB_LIMIT)


class Stalled(BenchError):
    """A job recorded nothing for ``STALL_SECONDS``: its workers fail on every chunk."""


def run_job(job: Any, workers: Workers, during: Callable[[], None] | None = None
            ) -> tuple[float, float]:
    """Start ``job`` and wait for its end (``during`` called while it runs); seconds taken,
    and the CPU seconds the workers spent meanwhile."""
    from dynadmin.jobs import engine
    from dynadmin.models import Job, JobChunk, JobItem

    started, cpu = time.perf_counter(), workers.cpu()
    workers.mark()
    engine.start(job)
    progress, moved, counted = (-1, -1), started, 0.0
    while True:
        job.refresh_from_db(fields=["state"])
        if job.finished:
            break
        now = time.perf_counter()
        if now - started > JOB_TIMEOUT:
            raise BenchError(f"job {job.pk} did not end within {JOB_TIMEOUT:g} s")
        if now - counted >= PROGRESS_EVERY:
            # Counted now and then, not at each look at the state: counting a growing job's
            # items took CPU from the workers being measured.
            counted = now
            seen = (JobItem.objects.filter(job=job).count(),
                    JobChunk.objects.filter(job=job, state=JobChunk.State.DONE).count())
            if seen != progress:
                progress, moved = seen, now
        if now - moved > STALL_SECONDS:
            engine.cancel(job)
            raise Stalled(f"job {job.pk} ({job.kind}) recorded nothing for "
                          f"{STALL_SECONDS:g} s; cancelled. The workers' last error: "
                          f"{workers.last_error() or '(none)'}")
        workers.check()
        if during is not None:
            during()
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    if job.state != Job.State.DONE:
        raise BenchError(f"job {job.pk} ended {job.state}: {job.message}")
    return seconds, workers.cpu() - cpu


class Editors:
    """``count`` threads changing ``EDITED`` orders the job has read but not yet written,
    each with a conditional write of its own (re-read and tried again when it loses)."""

    def __init__(self, job: Any, count: int, raw: Any, table_name: str) -> None:
        self.job, self.count, self.raw, self.table_name = job, count, raw, table_name
        self.threads: list[threading.Thread] = []
        #: number -> (the version the editor wrote, the total it wrote)
        self.edited: dict[int, tuple[int, str]] = {}
        self.attempts = 0
        self._lock = threading.Lock()

    def poll(self) -> None:
        """Called while the job runs: once enough unclaimed chunks are planned, start."""
        if self.threads or not self.count:
            return
        from dynadmin.models import JobChunk

        free = (JobChunk.objects.filter(job=self.job, state=JobChunk.State.PENDING,
                                        lease_until__isnull=True)
                .order_by("-number").values_list("keys", flat=True))
        numbers = [_number_of(key) for keys in free[:10] for key, _ in keys]
        if len(numbers) < EDITED * 2:
            return
        # seeded: a run of the same size edits the same items
        chosen = random.Random(len(numbers)).sample(numbers, EDITED)
        for first in range(self.count):
            thread = threading.Thread(target=self._edit, args=(chosen[first::self.count],),
                                      daemon=True)
            thread.start()
            self.threads.append(thread)

    def _edit(self, numbers: list[int]) -> None:
        for number in numbers:
            key = {k: {"S": v} for k, v in order_key(number).items()}
            total = f"{9000 + number % 1000}.{number % 100:02d}"
            for _ in range(10):  # bounded: each loss means the job wrote it meanwhile
                with self._lock:
                    self.attempts += 1
                seen = self.raw.get_item(TableName=self.table_name, Key=key,
                                         ConsistentRead=True)["Item"]["version"]["N"]
                try:
                    self.raw.update_item(
                        TableName=self.table_name, Key=key,
                        UpdateExpression="SET #t = :t, #v = #v + :one",
                        ConditionExpression="#v = :seen",
                        ExpressionAttributeNames={"#t": "total", "#v": "version"},
                        ExpressionAttributeValues={":t": {"N": total}, ":one": {"N": "1"},
                                                   ":seen": {"N": seen}})
                except self.raw.exceptions.ConditionalCheckFailedException:
                    continue
                with self._lock:
                    self.edited[number] = (int(seen) + 1, total)
                break

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=120)


def _number_of(key_json: str) -> int:
    """The order number in a chunk's key (DynamoDB JSON of PK and SK)."""
    return int(json.loads(key_json)["SK"]["S"].rsplit("#", 1)[1])


def check_update(job: Any, raw: Any, table_name: str, items: int,
                 editors: Editors) -> dict[str, Any]:
    """The scale acceptance, after the update job: each a pass or a fail with its numbers."""
    from dynadmin.jobs import engine
    from dynadmin.models import AuditEntry, JobItem

    counts = engine.counts(job)
    stored = read_back(raw, table_name, range(items))
    edited = editors.edited
    once = all(stored[n]["status"] == CANCELLED and stored[n]["version"] == 2
               for n in range(items) if n not in edited)
    lost = [n for n, (_, total) in edited.items() if str(stored[n]["total"]) != total]
    untouched = {n for n, (version, _) in edited.items()
                 if stored[n]["status"] == PENDING and stored[n]["version"] == version}
    written_after = {n for n, (version, _) in edited.items()
                     if stored[n]["status"] == CANCELLED and stored[n]["version"] == version + 1}
    # An editor that came after the job's write (it read the version the job wrote, 2):
    # both changes kept, the editor's last. Editors pick items of chunks nobody had taken
    # yet, but a worker may take the chunk and write the item before the editor reads it.
    edited_after = {n for n, (version, _) in edited.items()
                    if stored[n]["status"] == CANCELLED and stored[n]["version"] == version == 3}
    listed = set(JobItem.objects.filter(job=job, status=JobItem.Status.CONFLICTED)
                 .values_list("key_text", flat=True))
    audited = AuditEntry.objects.filter(job=job, outcome=AuditEntry.Outcome.APPLIED).count()
    checks = {
        "every item read": counts["read"] == items,
        "counts add up (written + conflicted = matched, none failed)":
            counts["written"] + counts["conflicted"] == items == counts["done"]
            and not counts["failed"] and not counts["refused"],
        "every other item written exactly once (version + 1)": once,
        "every edited item either a listed conflict or written after the edit, or edited "
        "after the job wrote it":
            len(untouched) + len(written_after) + len(edited_after) == len(edited),
        "conflicts listed = edited items not written":
            listed == {key_text(order_key(n)) for n in untouched},
        "0 lost updates": not lost,
        "audit entries = items written": audited == counts["written"],
    }
    return {"checks": {name: bool(ok) for name, ok in checks.items()},
            "counts": {k: v for k, v in counts.items() if v},
            "edited": len(edited), "editor_writes_tried": editors.attempts,
            "conflicts": len(untouched), "edited_then_written_by_the_job": len(written_after),
            "written_by_the_job_then_edited": len(edited_after),
            "lost_updates": len(lost), "audit_entries": audited}


def timed_job(job: Any, workers: Workers, items: int,
              during: Callable[[], None] | None = None) -> dict[str, Any]:
    """A job run to its end (``during`` called while it runs), with its rate and the
    workers' CPU an item."""
    seconds, cpu = run_job(job, workers, during)
    return {"items": items, "seconds": round(seconds, 2),
            "items_per_second": round(items / seconds, 1), "cpu_ms_per_item": per_item(cpu, items)}


def export_leg(workers: Workers, files: Path, expected: Path, count: int) -> dict[str, Any]:
    """The export job over the PAID tab on these workers, timed to its end (one of them
    assembles its parts into the one file); that file compared with the raw export's, the
    workers' memory sampled meanwhile."""
    from django.core.files.storage import FileSystemStorage

    before = {pid: rss_mb(pid) for pid in workers.pids}
    peak = dict(before)

    def sample() -> None:
        for pid in workers.pids:
            peak[pid] = max(peak[pid], rss_mb(pid))

    job = new_job("export", PAID, {"format": "jsonl"})
    try:
        seconds, cpu = run_job(job, workers, sample)
    except Stalled as exc:
        return {"error": str(exc)}
    # The workers run in ``files``: the default storage is the folder they run in.
    storage = FileSystemStorage(location=str(files))
    sample()
    growth = max(peak[pid] - before[pid] for pid in workers.pids)
    return compared(Path(storage.path(job.parameters["file_name"])), expected, count, seconds,
                    max(before.values()), growth) | {"cpu_ms_per_item": per_item(cpu, count)}


def compared(path: Path, expected: Path, count: int, seconds: float, rss_before: float,
             growth: float) -> dict[str, Any]:
    """An export's figures and checks: its file against the raw Query's, line for line once
    sorted, and the growth of the memory of the process that wrote it."""
    with open(path, encoding="utf-8") as mine, open(expected, encoding="utf-8") as theirs:
        written = sorted(mine)
        same = written == sorted(theirs)
    path.unlink()
    lines = len(written)
    return {"items": lines, "seconds": round(seconds, 2),
            "items_per_second": round(lines / seconds, 1),
            "worker_rss_mb_before": round(rss_before, 1),
            "worker_rss_growth_mb": round(growth, 1),
            "checks": {"the file = the raw Query's items, sorted": same and lines == count,
                       f"worker RSS growth < {TARGET_RSS_GROWTH_MB:g} MB":
                           growth < TARGET_RSS_GROWTH_MB}}


# -- the run ---------------------------------------------------------------------------------
def setup_django(endpoint: str, table_name: str, var: Path, redis_url: str | None) -> None:
    from bench import djangoenv

    env = djangoenv.production_env(table_name) | {
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint, "DYNADMIN_VAR_DIR": str(var),
        "DJANGO_STATIC_ROOT": str(var / "static"), "PYTHONUNBUFFERED": "1",
        # a loaded 2-core machine can stall DynamoDB Local for seconds
        "DYNADMIN_READ_TIMEOUT": "120"}
    if redis_url:
        # Settings read it at set-up; the database leg overrides TASKS back.
        env["DYNADMIN_TASKS_RQ_URL"] = redis_url
    djangoenv.setup(env)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_superuser("bench", "bench@example.com", "bench")


def worker_env(backend: str) -> dict[str, str]:
    env = dict(os.environ)
    if backend == "db":
        env.pop("DYNADMIN_TASKS_RQ_URL", None)
    return env


def backend_settings(backend: str) -> Any:
    from django.test import override_settings

    if backend == "db":
        return override_settings(TASKS={"default": {
            "BACKEND": "django_tasks_db.DatabaseBackend"}})
    return nullcontext()


def run(args: argparse.Namespace, stack: ExitStack) -> dict[str, Any]:
    items = args.items or (QUICK_ITEMS if args.quick else FULL_ITEMS)
    export_items = args.export_items or items
    scratch = Path(tempfile.mkdtemp(prefix="dynadmin-bench-jobs-"))
    stack.callback(shutil.rmtree, scratch, ignore_errors=True)
    files, logs = scratch / "files", RESULTS_DIR / "tmp"
    var = Path(tempfile.mkdtemp(prefix="var-", dir=args.var_dir)) if args.var_dir \
        else scratch / "var"
    stack.callback(shutil.rmtree, var, ignore_errors=True)
    for folder in (files, var, logs):
        folder.mkdir(parents=True, exist_ok=True)
    redis_url = None
    if "rq" in args.backends:
        from examples.project.services import start_redis

        redis = start_redis(port=args.redis_port)
        stack.callback(redis.stop)
        redis_url = redis.url
    server = local.start(args.port or local.free_port(), in_memory=True, timeout=120)
    stack.callback(server.stop)
    table_name = "bench-jobs"

    def local_cpu(measure: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
        """``measure(*args)``'s results, with the CPU DynamoDB Local spent meanwhile an item."""
        before = cpu_seconds(server.pid)
        result = measure(*args)
        if "items" in result:
            result["local_cpu_ms_per_item"] = per_item(cpu_seconds(server.pid) - before,
                                                       result["items"])
        return result

    setup_django(server.endpoint, table_name, var, redis_url)
    from dynadmin import conf
    from dynadmin.data.schema import create_table
    from examples.shop.definitions import shop

    create_table(shop)
    raw = local.client(server.endpoint, timeout=120)
    page_size = int(conf.get("JOB_PAGE_SIZE"))
    results: dict[str, Any] = {
        "django_database": f"SQLite in {args.var_dir or tempfile.gettempdir()}",
        "items": items, "export_items": export_items, "workers": args.workers,
        "editors": args.editors, "page_size": page_size, "cpus": os.cpu_count()}

    print(f"Loading {items:,} PENDING orders...", flush=True)
    results["load_seconds"] = round(load(range(items), PENDING), 1)
    print(f"Baseline: boto3, {args.workers} threads, conditional UpdateItem...", flush=True)
    results["baseline_update"] = local_cpu(baseline_update, raw, table_name,
                                                args.workers, page_size)
    print(f"  {results['baseline_update']['items_per_second']:,} items/s", flush=True)
    print(f"Loading {export_items:,} PAID orders for the export...", flush=True)
    paid = range(10_000_000, 10_000_000 + export_items)
    results["export_load_seconds"] = round(load(paid, PAID), 1)
    expected = scratch / "raw.jsonl"
    print("Baseline: raw paginated Query to JSON Lines...", flush=True)
    results["baseline_export"] = local_cpu(baseline_export, raw, table_name, expected)
    print(f"  {results['baseline_export']['items_per_second']:,} items/s", flush=True)

    export_broken = None
    for backend in args.backends:
        leg: dict[str, Any] = {}
        results[backend] = leg
        command = DB_WORKER if backend == "db" else RQ_WORKER
        with backend_settings(backend):
            print(f"[{backend}] starting {args.workers} workers...", flush=True)
            workers = Workers(command, args.workers, worker_env(backend), files, logs)
            try:
                # A job of its own first, untimed, as the baseline's first run is: DynamoDB
                # Local's JVM compiles the paths of the job's requests (an UpdateItem
                # returning the item, a consistent BatchGetItem) only as they come, and the
                # workers import what a job needs at their first task.
                warm = min(items, WARM_UP_ITEMS)
                load(range(warm), PENDING)
                print(f"[{backend}] warm-up job over {warm:,} orders...", flush=True)
                warm_job = new_job("update", PENDING, {"set": {"status": CANCELLED}})
                leg["warm_up"] = local_cpu(timed_job, warm_job, workers, warm)
                # The job is compared with the baseline run again just before it, on the
                # table as it is then (the export's orders in it, DynamoDB Local as warm):
                # the first one ran on the list alone, and the machine's speed drifts.
                load(range(items), PENDING)
                print(f"[{backend}] baseline again...", flush=True)
                leg["baseline_update"] = local_cpu(baseline_update, raw, table_name,
                                                    args.workers, page_size)
                print(f"  {leg['baseline_update']['items_per_second']:,} items/s", flush=True)
                load(range(items), PENDING)
                job = new_job("update", PENDING, {"set": {"status": CANCELLED}})
                editors = Editors(job, args.editors, raw, table_name)
                print(f"[{backend}] set-status job over {items:,} orders...", flush=True)
                timed = local_cpu(timed_job, job, workers, items, editors.poll)
                editors.join()
                leg["update"] = timed | check_update(job, raw, table_name, items, editors)
                print(f"  {leg['update']['items_per_second']:,} items/s", flush=True)
                # And again just after it (the workers idle): the machine's speed drifts by
                # half within minutes, so the job is compared with the mean of both runs.
                load(range(items), PENDING)
                print(f"[{backend}] baseline again, after the job...", flush=True)
                leg["baseline_update_after"] = local_cpu(baseline_update, raw, table_name,
                                                    args.workers, page_size)
                print(f"  {leg['baseline_update_after']['items_per_second']:,} items/s",
                      flush=True)
                if export_broken:
                    leg["export"] = {"error": f"not run: {export_broken}"}
                    continue
                print(f"[{backend}] export job over {export_items:,} orders...", flush=True)
                leg["export"] = local_cpu(export_leg, workers, files, expected,
                                            export_items)
                export_broken = leg["export"].get("error")
                print(f"  {leg['export'].get('items_per_second', export_broken)}", flush=True)
            finally:
                workers.stop()
    results["load_average"] = round(os.getloadavg()[0], 1)
    return results


def legs_of(results: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every measured leg: (backend, kind, its results)."""
    legs = [(backend, kind, results[backend][kind]) for backend in ("db", "rq")
            for kind in ("update", "export") if kind in results.get(backend, {})]
    return legs


def share(value: float, baseline: float) -> float:
    return round(100 * value / baseline, 1) if baseline else 0.0


def cpu_cells(run: dict[str, Any]) -> str:
    """A row's last cells: its side's CPU an item, then DynamoDB Local's."""
    return (f"| {run.get('cpu_ms_per_item', '')} | "
            f"{run.get('local_cpu_ms_per_item', '')} |")


def table_lines(results: dict[str, Any]) -> list[str]:
    """The results as a markdown table, then the checks."""
    rows = ["| measure | items | seconds | items/s | % of baseline (update: of the runs "
            "before and after it) | target | CPU ms/item | DynamoDB Local CPU ms/item |",
            "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    for kind, baseline in (("update", "baseline_update"), ("export", "baseline_export")):
        base = results[baseline]
        label = ("boto3 conditional UpdateItems" if kind == "update"
                 else "raw paginated Query to JSONL")
        rows.append(f"| {kind}: {label} ({results['workers']} threads)"
                    if kind == "update" else f"| {kind}: {label}")
        rows[-1] += f" | {base['items']:,} | {base['seconds']} | {base['items_per_second']:,} " \
                    f"| 100 | {cpu_cells(base)}"
        legs = [(b, results.get(b, {}).get(kind)) for b in ("db", "rq")]
        for backend, leg in legs:
            if not leg or "error" in leg:
                continue
            # The baseline runs just before and just after it; the job against their mean.
            around = [run for run in (results[backend].get(baseline),
                                      results[backend].get(f"{baseline}_after")) if run]
            warm = results[backend].get("warm_up") if kind == "update" else None
            if warm:
                rows.append(f"| {kind}: warm-up job on the {backend} workers (not compared) | "
                            f"{warm['items']:,} | {warm['seconds']} | "
                            f"{warm['items_per_second']:,} | | {cpu_cells(warm)}")
            for run, when in zip(around, ("before", "after"), strict=False):
                rows.append(f"| {kind}: the same, just {when} the {backend} job | "
                            f"{run['items']:,} | {run['seconds']} | "
                            f"{run['items_per_second']:,} | | {cpu_cells(run)}")
            rate = (sum(run["items_per_second"] for run in around) / len(around) if around
                    else base["items_per_second"])
            pct = share(leg["items_per_second"], rate)
            met = "met" if pct >= TARGET_SHARE else "MISSED"
            name = {"db": f"job on {results['workers']} db_worker",
                    "rq": f"job on {results['workers']} rqworker"}[backend]
            rows.append(f"| {kind}: {name} | {leg['items']:,} | "
                        f"{leg['seconds']} | {leg['items_per_second']:,} | {pct} | "
                        f"≥ {TARGET_SHARE:g} %: {met} {cpu_cells(leg)}")
    lines = rows + [""]
    for backend, kind, leg in legs_of(results):
        if "error" in leg:
            lines.append(f"- {backend} {kind}: {leg['error']}")
            continue
        lines.append(f"- {backend} {kind}: " + "; ".join(
            f"{name}: {'pass' if ok else 'FAIL'}" for name, ok in leg["checks"].items()))
        if kind == "update":
            lines.append(f"  - counts {leg['counts']}; {leg['edited']} items edited "
                         f"({leg['editor_writes_tried']} editor writes tried): "
                         f"{leg['conflicts']} conflicts listed, "
                         f"{leg['edited_then_written_by_the_job']} edited before the job "
                         f"read them, {leg.get('written_by_the_job_then_edited', 0)} edited "
                         f"after the job wrote them, {leg['lost_updates']} lost; "
                         f"{leg['audit_entries']} audit entries")
        else:
            lines.append(f"  - worker RSS {leg['worker_rss_mb_before']} MB before, "
                         f"+{leg['worker_rss_growth_mb']} MB at most during the export")
    lines.append(f"\n{results['cpus']} CPUs shared by DynamoDB Local, the workers, this process "
                 f"and Django's database ({results['django_database']}); load average "
                 f"{results['load_average']} at the end; "
                 f"{results['page_size']} items a Query page; the jobs' limits "
                 f"{JOB_LIMIT:,.0f} WCU/s and RCU/s (not reached). CPU ms/item: the CPU "
                 "time of the baseline's process, or of the workers' (their children's "
                 "included), over the items: what competes with DynamoDB Local for the "
                 "cores, and less noisy than the rates on a shared machine; DynamoDB "
                 "Local's, its own over the same time (the editors' few writes included).")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/jobs.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_ITEMS:,} orders instead of {FULL_ITEMS:,}")
    parser.add_argument("--items", type=int, default=None, help="orders the update job changes")
    parser.add_argument("--export-items", type=int, default=None,
                        help="orders the export writes (default: as many as --items)")
    parser.add_argument("--editors", type=int, default=5,
                        help=f"threads changing {EDITED} items during the update job (0: none)")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes per backend, and the baseline's threads")
    parser.add_argument("--backends", default="db,rq",
                        help="comma-separated: db (db_worker), rq (rqworker on Redis)")
    parser.add_argument("--port", type=int, default=None,
                        help="DynamoDB Local's port (default: a free one)")
    parser.add_argument("--redis-port", type=int, default=None,
                        help="Redis's port for the RQ leg (default: a free one)")
    parser.add_argument("--var-dir", type=Path, default=None,
                        help="where Django's SQLite database goes (default: a folder under "
                             "the system's temporary one; /dev/shm shows what its commits cost)")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write .json and .md (default bench/results/jobs, "
                             "--quick: bench/results/jobs-quick)")
    args = parser.parse_args(argv)
    args.backends = [b for b in args.backends.split(",") if b]
    if set(args.backends) - {"db", "rq"}:
        parser.error("--backends takes db and rq")
    stop_on_sigterm()
    started = time.perf_counter()
    try:
        with ExitStack() as stack:
            results = run(args, stack)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: every process started was stopped", file=sys.stderr)
        return 130
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    lines = table_lines(results)
    print("\n" + "\n".join(lines))
    output = args.output or RESULTS_DIR / ("jobs-quick" if args.quick else "jobs")
    output.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    output.with_suffix(".md").write_text(
        f"# Bulk jobs against plain boto3 ({results['items']:,} orders updated, "
        f"{results['export_items']:,} exported)\n\n" + "\n".join(lines) + "\n")
    passed = all(ok for _, _, leg in legs_of(results) for ok in leg.get("checks", {}).values())
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
