"""Running a job: its chunks planned from the source, leased to workers, written item by item.

- **Plan** (one task): read the source one Query page at a time from where the last chunk
  ended, storing each page's keys and fingerprints as a ``JobChunk`` and queueing a worker
  for it. The reader holds a lease on the job (``planner_lease``), renewed per page.
- **Work** (one task per chunk, any number of workers): take a chunk whose lease is free or
  has run out, read its items again (consistently, 100 keys a BatchGetItem) and write each,
  renewing the lease between items and recording a ``JobItem`` per item (unique per job and
  key; those of the items read together in one INSERT).
- **Watch** (one task, deferred, queueing its successor first): queues a worker again for a
  chunk whose lease ran out (its worker was killed), and the reader for an unfinished plan.

No task runs for much longer than ``DYNADMIN_JOB_TASK_SECONDS``: past it, the reader (after
storing a page) and a worker (before taking another chunk) queue a fresh task of their kind
and end, so that a queue's own time limit (RQ's 180 s) never stops one in the middle.

What a chunk's worker does with its items, and how it settles a chunk taken over, is
``chunks``. An import's chunks are ranges of its stored file's lines rather than Query pages.
An export is done once one worker has assembled its parts into the one file (``_assemble``).
Pause, Resume and Cancel are states the workers read between items. A job's counts are those
of its ``JobItem`` rows, never kept twice (an export records only the items it left out).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import time
from collections.abc import Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.http import HttpRequest
from django.utils import timezone

from .. import conf, data
from ..codenames import EXPORT_ALL, IMPORT_ITEMS, RUN_BULK_JOBS
from ..data.parallel import ahead
from ..data.serialization import dumps_dynamodb_json
from ..editing.actions import fingerprint
from ..models import AuditEntry, Job, JobChunk, JobItem
from . import exports, imports, queue, sources
from .changes import BadJob, Change, creator_request
from .chunks import (
    IMPORT_CHUNK_LINES,
    KINDS,
    WORKER,
    Context,
    export_page,
    lease_seconds,
    lease_until,
)
from .throttle import Backoff, Bucket, limits

logger = logging.getLogger("dynadmin.jobs")

if TYPE_CHECKING:
    from ..options import EntityAdmin
    from ..sites import AdminSite

__all__ = ["KINDS", "WRITING", "cancel", "counts", "create", "pause", "plan", "resume",
           "start", "undo_job", "watch", "work"]

#: kinds that write to DynamoDB (refused on a read-only table, need run_bulk_jobs)
WRITING = {Job.Kind.UPDATE, Job.Kind.DELETE, Job.Kind.ACTION, Job.Kind.IMPORT, Job.Kind.UNDO}
#: the permission each kind needs on top of every item's own
PERMISSION = {Job.Kind.EXPORT: EXPORT_ALL, Job.Kind.IMPORT: IMPORT_ITEMS}

# WRITE_FIRST: a transaction here writes before it reads, or is one statement. On SQLite's
# default (deferred) transactions, one that reads first holds a read lock it cannot turn
# into the write lock while another process (the server, another worker) writes: it fails
# at once with "database is locked", without waiting for the lock as a write that comes
# first does. The workers of one job often finish chunks at the same moment.



def task_seconds() -> float:
    return float(conf.get("JOB_TASK_SECONDS"))


def permission_of(kind: str) -> str:
    return PERMISSION.get(kind, RUN_BULK_JOBS)


# -- making a job --------------------------------------------------------------------------
def create(*, site: AdminSite, admin: EntityAdmin, request: HttpRequest, kind: str,
           source: Mapping[str, Any] | None, parameters: Mapping[str, Any],
           dry_run: bool = False, max_wcu: float | None = None,
           max_rcu: float | None = None) -> Job:
    """A job in the preview state, checked as far as it can be before it runs: BadJob (a
    UserInputError) when it cannot be made, PermissionDenied without the permission."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm(permission_of(kind))):
        raise PermissionDenied("You may not run jobs over every matching item.")
    table = admin.opts.table
    if kind in WRITING and not dry_run and data.is_read_only(table):
        raise BadJob(f"Table {table.name} is read-only here: a job that writes cannot run.")
    if kind in (Job.Kind.UPDATE, Job.Kind.DELETE, Job.Kind.ACTION):
        Change.of(admin, request, kind, parameters, dry_run=dry_run)
    return Job.objects.create(
        creator=user, username=user.get_username(), kind=kind, table=table.name,
        entity=admin.opts.label, source=dict(source) if source is not None else None,
        parameters=dict(parameters), dry_run=dry_run,
        **limits(table, source, max_rcu=max_rcu, max_wcu=max_wcu))


def start(job: Job) -> None:
    """Queue a previewed job: its reader now, and the watch that replaces lost workers."""
    updated = Job.objects.filter(pk=job.pk, state=Job.State.PREVIEW).update(
        state=Job.State.QUEUED)
    if not updated:
        return
    job.state = Job.State.QUEUED
    queue.enqueue("watch", job.pk, after=lease_seconds())
    queue.enqueue("plan", job.pk)


def pause(job: Job) -> bool:
    return bool(Job.objects.filter(pk=job.pk, state__in=[
        Job.State.QUEUED, Job.State.RUNNING]).update(state=Job.State.PAUSED))


def resume(job: Job) -> bool:
    """Workers stopped at the pause: queue the reader and one worker per unfinished chunk."""
    if not Job.objects.filter(pk=job.pk, state=Job.State.PAUSED).update(
            state=Job.State.RUNNING):
        return False
    _requeue(Job.objects.get(pk=job.pk), everything=True)
    queue.enqueue("watch", job.pk, after=lease_seconds())
    return True


def cancel(job: Job) -> bool:
    return bool(Job.objects.filter(pk=job.pk, state__in=[
        Job.State.PREVIEW, Job.State.QUEUED, Job.State.RUNNING, Job.State.PAUSED]).update(
        state=Job.State.CANCELLED, finished_at=timezone.now()))


def undo_job(job: Job, request: HttpRequest) -> Job:
    """A job of its own that reverses every item ``job`` wrote, each with a guarded write
    (an item changed since is listed as a conflict, not overwritten)."""
    user = request.user
    if job.kind not in (Job.Kind.UPDATE, Job.Kind.DELETE, Job.Kind.ACTION) or job.dry_run:
        raise BadJob("Only a job that changed or deleted items can be undone.")
    if not job.finished:
        raise BadJob("A job is undone once it has stopped: pause it and cancel it first.")
    if not (user.is_active and user.is_staff and user.has_perm(RUN_BULK_JOBS)):
        raise PermissionDenied("You may not run jobs over every matching item.")
    undoing = Job.objects.create(
        creator=user, username=user.get_username(), kind=Job.Kind.UNDO, table=job.table,
        entity=job.entity, source=None, parameters={"undoes": job.pk}, undoes=job,
        max_wcu=job.max_wcu, max_rcu=job.max_rcu)
    start(undoing)
    return undoing


class KeysHeld(Func):
    """How many keys a chunk holds, counted by the database (a job of 200,000 items holds
    that many keys: reading them all to count them cost a worker or a web process about
    70 MB)."""

    function = "JSON_ARRAY_LENGTH"  # SQLite's; PostgreSQL's jsonb and MySQL's below
    output_field = IntegerField()

    def __init__(self, field: str = "keys") -> None:
        super().__init__(F(field))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)

    def as_mysql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSON_LENGTH", **extra)


def _keys_held(chunks: Any) -> int:
    return chunks.aggregate(n=Sum(KeysHeld()))["n"] or 0


def counts(job: Job) -> dict[str, int]:
    """Items by outcome (every ``JobItem.Status``), and ``read``: the items its chunks hold
    (an import's: the lines it has read). An export records only the items it left out, so
    its ``written`` (exported) are its finished chunks' keys less those."""
    found = dict.fromkeys(JobItem.Status.values, 0)
    for row in JobItem.objects.filter(job=job).values("status").annotate(n=Count("id")):
        found[row["status"]] = row["n"]
    chunks = JobChunk.objects.filter(job=job)
    if job.kind == Job.Kind.EXPORT:
        finished = chunks.filter(state=JobChunk.State.DONE)
        left_out = JobItem.objects.filter(job=job, chunk__in=finished).count()
        found["written"] = _keys_held(finished) - left_out
    found["done"] = sum(found.values())
    found["read"] = found["done"] if job.kind == Job.Kind.IMPORT else _keys_held(chunks)
    return found


# -- the worker's side ---------------------------------------------------------------------
def _context(site: AdminSite, job: Job) -> Context:
    entity = site.get_entity(job.entity)
    admin = site.get_entity_admin(entity)
    if admin is None or job.creator is None:
        raise BadJob("The job's entity is no longer registered, or its creator is gone.")
    request = creator_request(job.creator, site.name)
    if not (job.creator.is_active and job.creator.has_perm(permission_of(job.kind))):
        raise BadJob("The job's creator no longer holds the permission to run it.")
    return Context(job, admin, admin.opts.table, request)


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).exclude(state__in=[
        Job.State.CANCELLED, Job.State.DONE]).update(
        state=Job.State.FAILED, message=message, finished_at=timezone.now())


def _running(job: Job) -> bool:
    """Moves a queued job to running; False when it is paused, cancelled or over."""
    Job.objects.filter(pk=job.pk, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now())
    return Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).exists()


def plan(site: AdminSite, job_id: int) -> None:
    """Read the source to its end (from where the last chunk stopped), one chunk per page."""
    job = Job.objects.get(pk=job_id)
    if not _running(job):
        return
    now = timezone.now()
    taken = Job.objects.filter(pk=job.pk, planned=False).filter(
        Q(planner_lease__isnull=True) | Q(planner_lease__lt=now)).update(
        planner_lease=lease_until())
    if not taken:
        return
    handed_over = False
    try:
        ctx = _context(site, job)
        handed_over = _plan(ctx)
    except BadJob as exc:
        _fail(job, exc.message)
    except data.DataError as exc:
        # The watch queues the reader again.
        Job.objects.filter(pk=job.pk).update(message=f"Reading the source: {exc.message}")
        return
    finally:
        # Done, paused or failed: the next reader (Resume's, the watch's) starts at once.
        Job.objects.filter(pk=job.pk).update(planner_lease=None)
    if handed_over:
        # Queued once the lease is free, so that the next reader can take it.
        queue.enqueue("plan", job.pk)
        return
    _finish_if_done(site, job)


def _plan(ctx: Context) -> bool:
    """Read what is left of the source; True when the reader handed over to a fresh task
    before the end (``DYNADMIN_JOB_TASK_SECONDS``)."""
    job = ctx.job
    last = JobChunk.objects.filter(job=job).order_by("-number").first()
    if job.kind == Job.Kind.UNDO:
        _plan_undo(ctx)
    elif job.kind == Job.Kind.IMPORT:
        _plan_import(ctx)
    else:
        if last is not None and last.next_key is None:
            Job.objects.filter(pk=job.pk).update(planned=True)
            return False
        return _plan_source(ctx, last)
    Job.objects.filter(pk=job.pk).update(planned=True)
    return False


def _plan_source(ctx: Context, last: JobChunk | None) -> bool:
    """Read the source a page at a time from ``last``; True when it stopped for a fresh
    task to go on (its time is up), False at the source's end, a pause or a cancel."""
    job = ctx.job
    ends = time.monotonic() + task_seconds()
    query = sources.query_of(ctx.table, job.source or {})
    start_key, number = (last.next_key, last.number + 1) if last else (None, 0)
    bucket, backoff = Bucket(job.max_rcu), Backoff()
    # An export's reader writes each page it holds itself, when the pages hold whole items.
    export_here = job.kind == Job.Kind.EXPORT and sources.whole_items(query)
    # The next page is read while this one is stored (and, for an export, written).
    upcoming: Future[sources.SourcePage | data.DataError] | None = None

    def reading(key: Any) -> Future[sources.SourcePage | data.DataError]:
        bucket.wait()
        return ahead(functools.partial(sources.read_page, query, ctx.admin.entity, key))

    try:
        while True:
            if not Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).exists():
                return False  # paused or cancelled: Resume queues the reader again
            read, upcoming = (upcoming or reading(start_key)).result(), None
            if isinstance(read, data.Throttled):
                backoff.throttled()
                continue
            if isinstance(read, data.DataError):
                raise read
            page = read
            backoff.succeeded()
            bucket.spend(page.consumed_rcu)
            if page.next_key is not None:
                upcoming = reading(page.next_key)
            if _store_page(ctx, page, start_key, number, export_here=export_here):
                return False
            start_key, number = page.next_key, number + 1
            if time.monotonic() >= ends:
                return True
    finally:
        if upcoming is not None:
            upcoming.result()  # not needed any more, but never left running


def _store_page(ctx: Context, page: sources.SourcePage, start_key: Any, number: int, *,
                export_here: bool = False) -> bool:
    """Keep one page read as the job's chunk ``number`` (with ``export_here``, written at
    once as its part, under the chunk's lease; queued for a worker otherwise): True when it
    was the source's last."""
    job = ctx.job
    keys = [[dumps_dynamodb_json(ctx.table.key_of(item), indent=None),
             fingerprint(ctx.table, item)] for item in page.items]
    exporting = bool(keys) and export_here
    with transaction.atomic():
        # Writing first (see WRITE_FIRST).
        Job.objects.filter(pk=job.pk).update(
            consumed_rcu=F("consumed_rcu") + page.consumed_rcu,
            planner_lease=lease_until())
        # A page of nothing (the partition's end, or none of the entity's items) is
        # done as soon as it is read.
        chunk, created = JobChunk.objects.get_or_create(job=job, number=number, defaults={
            "start_key": start_key, "next_key": page.next_key, "keys": keys,
            "read_count": page.read_count, "consumed_rcu": page.consumed_rcu,
            "state": JobChunk.State.PENDING if keys else JobChunk.State.DONE,
            **({"lease_owner": WORKER, "lease_until": lease_until()}
               if exporting else {})})
    if not (exporting and created and _exported(ctx, chunk, page.items)) and keys:
        queue.enqueue("work", job.pk)
    if page.next_key is None:
        Job.objects.filter(pk=job.pk).update(planned=True)
        return True
    return False


def _exported(ctx: Context, chunk: JobChunk, items: list[dict[str, Any]]) -> bool:
    """The reader's export of its page (``chunks.export_page``); False when something
    stopped it (the storage refused the part...): the chunk is freed for a worker, which
    reads the page again and says what stops it."""
    try:
        export_page(ctx, chunk, items)
    except Exception:
        logger.warning("job %s: the reader could not export chunk %s itself; a worker will",
                       ctx.job.pk, chunk.number, exc_info=True)
        JobChunk.objects.filter(pk=chunk.pk, lease_owner=WORKER).update(lease_until=None)
        return False
    return True


def _plan_import(ctx: Context) -> None:
    """The stored file's lines, ``IMPORT_CHUNK_LINES`` to a chunk (a record spanning two
    chunks belongs to the one it starts in)."""
    job = ctx.job
    with exports.export_storage().open(job.parameters["file"], "rb") as file:
        lines = imports.count_lines(file)
    chunks = max(1, math.ceil(lines / IMPORT_CHUNK_LINES))
    job.parameters = {**job.parameters, "chunks": chunks, "chunk_lines": IMPORT_CHUNK_LINES}
    Job.objects.filter(pk=job.pk).update(parameters=job.parameters)
    for number in range(chunks):
        _, made = JobChunk.objects.get_or_create(job=job, number=number)
        if made:
            queue.enqueue("work", job.pk)


def _plan_undo(ctx: Context) -> None:
    """The undone job's applied entries, ``JOB_PAGE_SIZE`` to a chunk."""
    job = ctx.job
    if JobChunk.objects.filter(job=job).exists():
        return
    entries = (AuditEntry.objects.filter(job_id=job.parameters.get("undoes"),
                                         outcome=AuditEntry.Outcome.APPLIED)
               .order_by("id").values_list("id", "key"))
    size = int(conf.get("JOB_PAGE_SIZE"))
    rows = [[key, f"entry:{entry_id}"] for entry_id, key in entries]
    for number, first in enumerate(range(0, len(rows), size)):
        JobChunk.objects.create(job=job, number=number, keys=rows[first:first + size])
        queue.enqueue("work", job.pk)


def work(site: AdminSite, job_id: int) -> None:
    """Take the job's chunks whose lease is free (or has run out) one after the other and
    run them, until none is left or its time is up (a fresh task then goes on): a task lost
    with its worker costs no chunk, as long as some worker works on the job (the watch
    queues one again otherwise)."""
    job = Job.objects.get(pk=job_id)
    lingered = False
    ends = time.monotonic() + task_seconds()
    while _running(job):
        chunk = _claim(job)
        if chunk is None:
            if _plan_abandoned(job):
                plan(site, job.pk)  # its reader was lost: read on here
                continue
            held = _held_for(job)
            if held is None or lingered:
                break
            # What is left is held by others, maybe by a worker that was killed, or not read
            # yet: wait once for a chunk to come free (the reader's next page, a lease that
            # runs out) rather than leave it to the watch alone (a queue's scheduler can be
            # lost with the worker that held it).
            lingered = True
            _wait_for_a_chunk(job, min(held, lease_seconds(),
                                       max(ends - time.monotonic(), 0.0)) + 0.1)
            continue
        lingered = False
        try:
            ctx = _context(site, job)
            try:
                finished = KINDS[job.kind](ctx, chunk)
            finally:
                ctx.save_consumed()
        except BadJob as exc:
            _fail(job, exc.message)
            return
        except NotImplementedError as exc:
            _fail(job, str(exc))
            return
        if finished:
            JobChunk.objects.filter(pk=chunk.pk, lease_owner=WORKER).update(
                state=JobChunk.State.DONE, lease_until=None)
            if time.monotonic() >= ends:
                queue.enqueue("work", job.pk)  # its time is up: a fresh task goes on
                break
        else:
            # Paused, cancelled or lost: free the chunk at once for whoever resumes it.
            JobChunk.objects.filter(pk=chunk.pk, lease_owner=WORKER).update(
                lease_until=None)
            break
    _finish_if_done(site, job)


#: how often a worker with nothing to take looks for a chunk come free (seconds)
WAIT_STEP = 0.5


def _wait_for_a_chunk(job: Job, seconds: float) -> None:
    """Wait at most ``seconds`` for one of the job's chunks to come free, looking every
    ``WAIT_STEP``: a worker that caught up with the job's reader takes its next page as soon
    as it is stored (sleeping for a whole lease stalled it for a minute)."""
    until = time.monotonic() + seconds
    while (left := until - time.monotonic()) > 0:
        time.sleep(min(WAIT_STEP, left))
        if _free_chunks(job).exists() or not Job.objects.filter(
                pk=job.pk, state=Job.State.RUNNING).exists():
            return


def _plan_abandoned(job: Job) -> bool:
    fresh = Job.objects.filter(pk=job.pk).values("planned", "planner_lease").get()
    return not fresh["planned"] and (fresh["planner_lease"] is None
                                     or fresh["planner_lease"] < timezone.now())


def _held_for(job: Job) -> float | None:
    """Seconds until the first lease on the job's unfinished work runs out (None: none)."""
    now = timezone.now()
    leases = list(JobChunk.objects.filter(job=job, state=JobChunk.State.PENDING,
                                          lease_until__gte=now)
                  .values_list("lease_until", flat=True))
    fresh = Job.objects.filter(pk=job.pk).values("planned", "planner_lease").get()
    if not fresh["planned"] and fresh["planner_lease"] is not None:
        leases.append(fresh["planner_lease"])
    return max((min(leases) - now).total_seconds(), 0.0) if leases else None


def _free_chunks(job: Job) -> QuerySet[JobChunk]:
    """The job's chunks nobody holds: never leased, or their lease run out."""
    return (JobChunk.objects.filter(job=job, state=JobChunk.State.PENDING)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=timezone.now())))


def _claim(job: Job) -> JobChunk | None:
    for chunk in _free_chunks(job).order_by("number")[:20]:
        if JobChunk.objects.filter(pk=chunk.pk, lease_until=chunk.lease_until,
                                   state=JobChunk.State.PENDING).update(
                lease_owner=WORKER, lease_until=lease_until()):
            chunk.refresh_from_db()
            return chunk
    return None


def watch(site: AdminSite, job_id: int) -> None:
    """Look after a job until it ends: its successor is queued first, so a worker killed
    while watching loses nothing; chunks and a plan whose lease ran out are queued again."""
    job = Job.objects.get(pk=job_id)
    if job.finished:
        return
    queue.enqueue("watch", job.pk, after=lease_seconds())
    if job.state not in (Job.State.QUEUED, Job.State.RUNNING):
        return
    _requeue(job, everything=False)
    _finish_if_done(site, job)


def _requeue(job: Job, *, everything: bool) -> None:
    """Queue the reader when its lease ran out (``everything``: whatever its lease), and a
    worker for each chunk nobody holds."""
    now = timezone.now()
    if not job.planned and (everything or job.planner_lease is None
                            or job.planner_lease < now):
        queue.enqueue("plan", job.pk)
    # A chunk nobody holds: its worker was killed (its lease ran out), or the task queued
    # for it was taken by a worker that found nothing free then.
    free = JobChunk.objects.filter(job=job, state=JobChunk.State.PENDING).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    for _ in free.values_list("pk", flat=True):
        queue.enqueue("work", job.pk)


def _finish_if_done(site: AdminSite, job: Job) -> None:
    """A running job read to its end with no chunk left is done: by one conditional UPDATE
    (only one of the workers finishing at once changes the row), or, for an export, once
    one of them has assembled its file."""
    unfinished = JobChunk.objects.filter(job=OuterRef("pk"), state=JobChunk.State.PENDING)
    ready = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, planned=True).exclude(
        Exists(unfinished))
    if job.kind == Job.Kind.EXPORT:
        if ready.exists():
            _assemble(site, job)
        return
    if ready.update(state=Job.State.DONE, finished_at=timezone.now()) and (
            job.kind == Job.Kind.IMPORT):
        # Every line has its outcome: the uploaded file (people's data, often) is not kept.
        exports.export_storage().delete(job.parameters["file"])


def _assemble(site: AdminSite, job: Job) -> None:
    """Join an export's parts into its one file, by one worker: the one whose conditional
    update takes the job's (by then unused) reader lease. A worker killed while assembling
    leaves the lease to run out, and the watch assembles again (the parts are deleted only
    once the file is whole)."""
    numbers = list(JobChunk.objects.filter(job=job).annotate(held=KeysHeld())
                   .filter(held__gt=0).order_by("number").values_list("number", flat=True))
    now = timezone.now()
    # A part is copied in well under a second: the lease covers one second each.
    until = now + dt.timedelta(seconds=lease_seconds() + len(numbers))
    if not Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, planned=True).filter(
            Q(planner_lease__isnull=True) | Q(planner_lease__lt=now)).update(
            planner_lease=until):
        return  # another worker is assembling it
    fmt = job.parameters["format"]
    try:
        ctx = _context(site, job)
        name = exports.finish(job, [exports.part_name(job.pk, n, fmt) for n in numbers],
                              ctx.table, ctx.admin.entity)
    except BadJob as exc:
        _fail(job, exc.message)
        return
    except exports.ExportPartMissing as exc:
        _fail(job, f"The export cannot be assembled: {exc}.")
        return
    except OSError as exc:
        # The storage failed: the watch tries again.
        Job.objects.filter(pk=job.pk).update(planner_lease=None,
                                             message=f"Assembling the export: {exc}")
        return
    # Nothing else writes an export's parameters once it runs: one conditional UPDATE.
    parameters = Job.objects.filter(pk=job.pk).values_list("parameters", flat=True).get()
    Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
        parameters={**parameters, "file_name": name}, state=Job.State.DONE,
        finished_at=timezone.now(), planner_lease=None, message="")
