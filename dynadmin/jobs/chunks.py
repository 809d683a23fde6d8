"""Running one chunk of a job: each of its items read again and written (or reversed, or
handed to an export or an import), under a lease the worker renews between items.

A chunk taken over from a killed worker skips the items it has a ``JobItem`` for, and
settles the items that worker may have written without recording them (a writing job records
the outcomes of the items read together at once, and over an entity with a Version field
their audit entries with them, in one transaction): an applied audit entry of this job at
the key, or the item holding exactly what this job writes one version up, counts as
written (audited then, from the item as the killed worker read it, ``JobChunk.writing``);
anything else that changed since it was read is a conflict, never overwritten.
``KINDS`` says what a worker does with a chunk of each kind of job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from .. import conf, data, limits
from ..data import call_log
from ..data.serialization import dumps_dynamodb_json, loads_dynamodb_json
from ..definitions import Table
from ..editing import audit, undo, writes
from ..editing.actions import fingerprint
from ..models import AuditEntry, Job, JobChunk, JobItem
from . import sources
from .changes import BadJob, Change, Outcome
from .throttle import Backoff, Bucket

if TYPE_CHECKING:
    from ..options import EntityAdmin
    from ..services.partitions.query import PartitionQuery

__all__ = ["IMPORT_CHUNK_LINES", "KINDS", "WORKER", "Context", "import_lines_of", "key_digest",
           "lease_seconds", "lease_until", "line_key"]

#: who holds a lease: this process (a host may run several workers)
WORKER = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_seconds() -> float:
    return float(conf.get("JOB_LEASE_SECONDS"))


def lease_until() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=lease_seconds())


#: How much of a lease may pass before its worker renews it (between two items): renewing
#: after every item made a commit per item for nothing.
RENEW_AFTER = 0.25

#: How long a worker goes between two readings of its job's state (seconds): a Pause or a
#: Cancel stops it within that; reading the state before every item cost a query per item.
STATE_EVERY = 0.5


@dataclass
class Context:
    """A job as its worker runs it: the admin of its entity and its creator's request, and
    the capacity consumed and not yet added to the job's totals."""

    job: Job
    admin: EntityAdmin
    table: Table
    request: HttpRequest
    unsaved_rcu: float = 0.0
    unsaved_wcu: float = 0.0

    def save_consumed(self) -> None:
        """Add what was consumed since the last time to the job's totals (one UPDATE)."""
        rcu, wcu = self.unsaved_rcu, self.unsaved_wcu
        if rcu or wcu:
            Job.objects.filter(pk=self.job.pk).update(
                consumed_rcu=F("consumed_rcu") + rcu, consumed_wcu=F("consumed_wcu") + wcu)
        self.unsaved_rcu = self.unsaved_wcu = 0.0



def key_digest(key_json: str) -> str:
    return hashlib.sha256(key_json.encode()).hexdigest()


class _Chunk:
    """A chunk as its worker runs it: its keys not yet recorded, and the lease it renews."""

    def __init__(self, ctx: Context, chunk: JobChunk) -> None:
        self.ctx, self.chunk = ctx, chunk
        done = set(JobItem.objects.filter(job=ctx.job, key_digest__in=[
            key_digest(key) for key, _ in chunk.keys]).values_list("key_digest", flat=True))
        self.todo = [(key, seen) for key, seen in chunk.keys if key_digest(key) not in done]
        #: what the worker before this one was writing when it stopped (key → item as read)
        self.was_writing = {key: loads_dynamodb_json(image)
                            for key, image in (chunk.writing or {}).items()}
        self.noted = False  # this worker's page being written is noted on the chunk
        self.writes = Bucket(_share(ctx.job, "max_wcu"))
        self.reads = Bucket(_share(ctx.job, "max_rcu"))
        self.backoff = Backoff()
        self.renewed: float | None = None  # when this worker last renewed its lease
        self.state_read: float | None = None  # when it last read the job's state
        self.running = False

    def keep_going(self) -> bool:
        """Between items: the job still runs and this worker still holds the chunk. The lease
        is renewed (and the capacity consumed saved with it) once a quarter of it has
        passed, so that another worker takes the chunk over only from a worker that stopped
        for most of a lease; the job's state is read again every ``STATE_EVERY``."""
        now = time.monotonic()
        if self.renewed is None or now - self.renewed >= RENEW_AFTER * lease_seconds():
            if not JobChunk.objects.filter(pk=self.chunk.pk, lease_owner=WORKER).update(
                    lease_until=lease_until()):
                return False
            self.renewed = now
            self.ctx.save_consumed()
        if self.state_read is None or now - self.state_read >= STATE_EVERY:
            self.running = Job.objects.filter(pk=self.ctx.job.pk,
                                              state=Job.State.RUNNING).exists()
            self.state_read = now
        return self.running

    def read(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """The items at ``keys`` as they are now (consistent), by their key's JSON text."""
        table = self.ctx.table
        wanted = [loads_dynamodb_json(key) for key in keys]
        while True:
            self.reads.wait()
            try:
                with call_log.recording() as log:
                    items = data.batch_get(table, wanted, consistent=True)
            except data.Throttled:
                self.backoff.throttled()
                continue
            self.backoff.succeeded()
            self.charge(log)
            return {dumps_dynamodb_json(table.key_of(item), indent=None): item
                    for item in items}

    def read_page_again(self, query: PartitionQuery, keys: set[str]
                        ) -> dict[str, dict[str, Any]]:
        """The chunk's own Query page read again, as its reader read it (one Query from the
        chunk's start key): those of its items whose keys the chunk holds, by key."""
        ctx = self.ctx
        while True:
            self.reads.wait()
            try:
                with call_log.recording() as log:
                    page = sources.read_page(query, ctx.admin.entity, self.chunk.start_key)
            except data.Throttled:
                self.backoff.throttled()
                continue
            self.backoff.succeeded()
            self.charge(log)
            found = ((dumps_dynamodb_json(ctx.table.key_of(item), indent=None), item)
                     for item in page.items)
            return {key: item for key, item in found if key in keys}

    def charge(self, log: call_log.CallLog) -> None:
        """What the calls in ``log`` consumed: spent from the buckets now, added to the job's
        totals with the next renewal of the lease, and when the chunk ends."""
        rcu, wcu = log.total_rcu, log.total_wcu
        self.reads.spend(rcu)
        self.writes.spend(wcu)
        self.ctx.unsaved_rcu += rcu or 0.0
        self.ctx.unsaved_wcu += wcu or 0.0

    def note_writing(self, items: Mapping[str, dict[str, Any]]) -> None:
        """Note on the chunk the items about to be written, as read (one UPDATE for the
        page): a worker taking over from this one audits from them what this one wrote and
        did not record."""
        JobChunk.objects.filter(pk=self.chunk.pk, lease_owner=WORKER).update(writing={
            key: dumps_dynamodb_json(item, indent=None) for key, item in items.items()})
        self.noted = True

    def record(self, key: str, outcome: Outcome) -> None:
        self.record_all([(key, outcome)])

    def record_all(self, outcomes: list[tuple[str, Outcome]],
                   entries: Sequence[AuditEntry] = ()) -> None:
        """The items' outcomes, in one INSERT, with the audit entries their writes made
        (``audit.collecting``) in the same transaction; an item another worker recorded
        first keeps its row (counted once)."""
        if not outcomes and not entries:
            return
        rows = _job_items(self.ctx, self.chunk, outcomes)
        try:
            with transaction.atomic():
                audit.save_collected(list(entries))
                JobItem.objects.bulk_create(rows, ignore_conflicts=True)
                if self.noted:
                    JobChunk.objects.filter(pk=self.chunk.pk).update(writing={})
                    self.noted = False
        except DatabaseError:
            if not entries:
                raise
            # The writes are made: their entries are logged, the outcomes still recorded.
            audit.log_unsaved(list(entries))
            JobItem.objects.bulk_create(rows, ignore_conflicts=True)


def _job_items(ctx: Context, chunk: JobChunk, outcomes: list[tuple[str, Outcome]]
               ) -> list[JobItem]:
    return [JobItem(
        job=ctx.job, chunk=chunk, key=key, key_digest=key_digest(key),
        key_text=audit.key_text(ctx.table, loads_dynamodb_json(key)),
        status=outcome.status, message=outcome.message[:2000])
        for key, outcome in outcomes]


def _share(job: Job, limit: str) -> float | None:
    """This worker's part of the job's limit: shared among the chunks being worked on."""
    rate = getattr(job, limit)
    if not rate:
        return None
    busy = JobChunk.objects.filter(job=job, state=JobChunk.State.PENDING,
                                   lease_until__gte=timezone.now()).count()
    return rate / max(busy, 1)


def _settled(ctx: Context, key: str) -> Outcome | None:
    """This job's applied write at ``key`` that its worker never recorded (killed between
    its write and its record), from the audit log."""
    written = AuditEntry.objects.filter(
        job_id=ctx.job.pk, table=ctx.table.name,
        key_text=audit.key_text(ctx.table, loads_dynamodb_json(key)),
        outcome=AuditEntry.Outcome.APPLIED).exists()
    return Outcome("written", "written before its first worker stopped") if written else None


def change_chunk(ctx: Context, chunk: JobChunk) -> bool:
    """Set fields, delete or run an action on each item of the chunk.

    The outcomes of the items read together are recorded together, when the last of them is
    written or the worker stops: a worker killed in between leaves items written and not
    recorded, which the worker taking the chunk over settles from their audit entries (each
    write's own, recorded with it), as it settles the one item a worker recording item by
    item could leave."""
    job = ctx.job
    change = Change.of(ctx.admin, ctx.request, job.kind, job.parameters, dry_run=job.dry_run)
    run = _Chunk(ctx, chunk)
    later = _audited_later(ctx, change)
    for first in range(0, len(run.todo), limits.BATCH_GET_KEYS):
        batch = run.todo[first:first + limits.BATCH_GET_KEYS]
        if not run.keep_going():
            return False
        current = run.read([key for key, _ in batch])
        if later:
            run.note_writing(_as_read(ctx.table, run, batch, current))
        done: list[tuple[str, Outcome]] = []
        with audit.collecting() if later else nullcontext([]) as entries:
            try:
                for key, seen in batch:
                    if not run.keep_going():
                        return False
                    done.append((key, _change_one(ctx, run, change, key, seen,
                                                  current.get(key))))
            finally:
                run.record_all(done, entries)
    return True


def _as_read(table: Table, run: _Chunk, batch: list[tuple[str, str]],
             current: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The page's items as the job read them, to note before writing: an item unchanged
    since then as it is now; one changed since, as the worker before noted it (when it did:
    its write, to be recorded now); any other is written by nobody."""
    noted = {}
    for key, seen in batch:
        item = current.get(key)
        if item is not None and fingerprint(table, item) == seen:
            noted[key] = item
        elif key in run.was_writing:
            noted[key] = run.was_writing[key]
    return noted


def _audited_later(ctx: Context, change: Change) -> bool:
    """May the audit entries of a page's writes be saved with their outcomes, once the page
    is written? Only where a worker taking over from one killed in between can tell its
    writes without them: an item whose Version the write raised (``_own_result``); a
    delete leaves nothing to tell by, nor does an item without a Version."""
    return (change.kind != "delete" and not change.dry_run
            and ctx.admin.entity._meta.version_field is not None)


def _change_one(ctx: Context, run: _Chunk, change: Change, key: str, seen: str,
                current: dict[str, Any] | None) -> Outcome:
    table = ctx.table
    if current is None or fingerprint(table, current) != seen:
        settled = _settled(ctx, key)
        if settled is not None:
            return settled
        if current is not None and _own_result(table, change, current, seen):
            return _recorded_now(ctx, run, change, key, current)
        if current is None:
            return Outcome("conflicted", "deleted since the job read it")
        return Outcome("conflicted", "changed by someone else since the job read it; "
                       "not written")
    if table.classify(current) is not ctx.admin.entity:
        return Outcome("conflicted", "no longer an item of this entity; not written")
    while True:
        run.writes.wait()
        with call_log.recording() as log, audit.under_job(ctx.job.pk):
            try:
                outcome = change.apply(current)
            except writes.WriteInterrupted as exc:
                if exc.outcome == "not_applied" and isinstance(exc.cause, data.Throttled):
                    run.charge(log)
                    run.backoff.throttled()
                    continue
                outcome = Outcome("failed", exc.message)
        run.backoff.succeeded()
        run.charge(log)
        return outcome


def _recorded_now(ctx: Context, run: _Chunk, change: Change, key: str,
                  current: dict[str, Any]) -> Outcome:
    """This job's write that a killed worker made and did not record: written. When that
    worker noted the item as it read it (``JobChunk.writing``), the write is audited now, as
    its own entry would have said (undoable like any other)."""
    before = run.was_writing.get(key)
    if before is not None:
        table = ctx.table
        changed = writes.changed_attributes(before, current)
        with audit.under_job(ctx.job.pk):
            audit.record(user=ctx.request.user, table=table, key=table.key_of(current),
                         action="action" if change.action else "update",
                         condition=writes.guard_for(table, before, changed).describe(),
                         before=before, after=current, entity=ctx.admin.opts.label,
                         detail="Recorded by the worker that took the job's chunk over: "
                                "the worker that wrote it stopped before recording it.")
    return Outcome("written", "written before its first worker stopped")


def _own_result(table: Table, change: Change, current: dict[str, Any], seen: str) -> bool:
    """Is ``current`` what this job's write makes of the item it read (its version one
    higher, holding the change)? Only a versioned item can tell."""
    if not seen.startswith("v:") or change.kind == "delete":
        return False
    entity = table.classify(current)
    version = entity._meta.version_field if entity else None
    if version is None:
        return False
    try:
        was = int(seen[2:])
    except ValueError:
        return False
    return current.get(version.attribute) == was + 1 and change.produced(current)


class _UndoWriter:
    """How an undo writes each item: through its entity admin's hooks, as the job's creator."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def save(self, item: dict[str, Any], *, original: dict[str, Any] | None,
             action: str | None = None, version_from: dict[str, Any] | None = None
             ) -> writes.WriteResult:
        return self.ctx.admin.save_item(self.ctx.request, item, original=original,
                                        action=action, version_from=version_from)

    def delete(self, item: dict[str, Any], *, action: str = "delete") -> writes.WriteResult:
        return self.ctx.admin.delete_item(self.ctx.request, item, action=action)


_MAY = {"change": "has_change_permission", "delete": "has_delete_permission"}


def undo_chunk(ctx: Context, chunk: JobChunk) -> bool:
    """Reverse each applied entry of the undone job, guarded by the item it left."""
    run = _Chunk(ctx, chunk)
    writer = _UndoWriter(ctx)
    admin, request = ctx.admin, ctx.request
    for key, seen in run.todo:
        if not run.keep_going():
            return False
        entry = AuditEntry.objects.filter(pk=int(seen.split(":", 1)[1])).first()
        reversing = undo.reversal(entry) if entry is not None else None
        if reversing is None:
            run.record(key, Outcome("failed", "its write cannot be undone"))
            continue
        allowed = all(getattr(admin, _MAY[p])(request, item) if p in _MAY
                      else admin.has_add_permission(request)
                      for item, p in reversing.permissions)
        if not allowed:
            run.record(key, Outcome("refused", "the job's creator may not undo this write"))
            continue
        with call_log.recording() as log, audit.under_job(ctx.job.pk):
            try:
                undo.undo(ctx.table, reversing, writer=writer)
                outcome = Outcome("written")
            except writes.EditConflict:
                outcome = Outcome("conflicted", "changed since the job wrote it; not undone")
            except writes.KeyTaken:
                outcome = Outcome("conflicted", "its key is taken again; not undone")
            except writes.NothingChanged:
                outcome = Outcome("unchanged", "nothing to undo")
            except (PermissionDenied, writes.WriteInterrupted) as exc:
                outcome = Outcome("failed", str(exc))
        run.charge(log)
        run.record(key, outcome)
    return True


#: an item an export leaves out because its creator may not view it
NOT_VIEWED = "the job's creator may not view it; not exported"


def export_page(ctx: Context, chunk: JobChunk, items: list[dict[str, Any]]) -> None:
    """The reader's own export of the page it has just read (its chunk made with the
    reader's lease): written as the chunk's part at once and the chunk done, rather than
    left to a worker to read again (which made an export read everything twice)."""
    from . import exports

    found = {dumps_dynamodb_json(ctx.table.key_of(item), indent=None): item for item in items}
    allowed, left_out = _to_export(ctx, list(found), found)
    exports.run_chunk(ctx.job, chunk, allowed, ctx.table, ctx.admin.entity)
    with transaction.atomic():
        JobItem.objects.bulk_create(_job_items(ctx, chunk, left_out), ignore_conflicts=True)
        JobChunk.objects.filter(pk=chunk.pk, lease_owner=WORKER).update(
            state=JobChunk.State.DONE, lease_until=None)


def export_chunk(ctx: Context, chunk: JobChunk) -> bool:
    """Write the chunk's items, read again, as its part of the export file.

    They are read again by the chunk's own Query page (one Query; a BatchGetItem of its
    keys cost twice the capacity and most of an export's time) where its pages hold whole
    items (``sources.whole_items``); a key that page no longer returns (the items before it
    changed meanwhile), or every key on an index projecting less, is read by its key.

    A part is written whole each time (a chunk taken over is written again from its first
    key), so it holds no ``JobItem`` per item: only an item not exported (deleted since the
    job read it, or one its creator may not view) is recorded, and the exported count is
    the chunk's keys less those (``engine.counts``)."""
    from . import exports

    run = _Chunk(ctx, chunk)
    keys = [key for key, _ in chunk.keys]
    if not run.keep_going():
        return False
    query = sources.query_of(ctx.table, ctx.job.source or {})
    found = run.read_page_again(query, set(keys)) if sources.whole_items(query) else {}
    missing = [key for key in keys if key not in found]
    for first in range(0, len(missing), limits.BATCH_GET_KEYS):
        if not run.keep_going():
            return False
        found |= run.read(missing[first:first + limits.BATCH_GET_KEYS])
    items, left_out = _to_export(ctx, keys, found)
    run.record_all(left_out)
    if not run.keep_going():
        return False
    exports.run_chunk(ctx.job, chunk, items, ctx.table, ctx.admin.entity)
    return True


def _to_export(ctx: Context, keys: list[str], found: Mapping[str, dict[str, Any]]
               ) -> tuple[list[dict[str, Any]], list[tuple[str, Outcome]]]:
    """The items at ``keys`` an export writes, in their order, and the outcome of each it
    leaves out: deleted since the job read it, or one its creator may not view."""
    items, left_out = [], []
    for key in keys:
        item = found.get(key)
        if item is None:
            left_out.append((key, Outcome("conflicted", "deleted since the job read it; "
                                          "not exported")))
        elif not ctx.admin.has_view_permission(ctx.request, item):
            left_out.append((key, Outcome("refused", NOT_VIEWED)))
        else:
            items.append(item)
    return items, left_out


#: an import line's outcome, as a job counts it
IMPORT_STATUS = {
    "created": JobItem.Status.WRITTEN, "updated": JobItem.Status.WRITTEN,
    "unchanged": JobItem.Status.UNCHANGED, "exists": JobItem.Status.UNCHANGED,
    "conflict": JobItem.Status.CONFLICTED,
    "invalid": JobItem.Status.REFUSED, "refused": JobItem.Status.REFUSED,
    "failed": JobItem.Status.FAILED,
}


#: lines of an uploaded file one chunk of its import holds
IMPORT_CHUNK_LINES = 1000


def import_lines_of(job: Job, chunk: JobChunk) -> tuple[int, int | None]:
    """The file lines [first, last) an import chunk holds (last None: to the file's end):
    ``IMPORT_CHUNK_LINES`` from line 1 per chunk, numbered as the chunks are."""
    size = int(job.parameters.get("chunk_lines") or IMPORT_CHUNK_LINES)
    first = 1 + chunk.number * size
    last = first + size
    return first, (None if chunk.number + 1 >= int(job.parameters.get("chunks") or 1)
                   else last)


def line_key(number: int) -> str:
    """What makes an import line's ``JobItem`` unique (its ``key_digest`` is this one's): its
    number, as a file may name one key on two lines, and each line has an outcome of its own.
    Its ``key_text`` starts with "line <number>", its ``key`` is the item's key ("" when the
    line has none)."""
    return f"line:{number}"


def import_chunk(ctx: Context, chunk: JobChunk) -> bool:
    """Import the chunk's lines of the stored file, each with its outcome recorded, from
    the line after the last one recorded when the chunk is taken over."""
    from . import exports, imports

    job, table = ctx.job, ctx.table
    run = _Chunk(ctx, chunk)
    first, last = import_lines_of(job, chunk)
    numbers = [int(text.split(":", 1)[0].split()[1]) for text in
               JobItem.objects.filter(job=job, chunk=chunk).values_list("key_text", flat=True)]
    start = max(numbers) + 1 if numbers else first
    # Only the first line a worker writes can be one its predecessor wrote, killed before
    # recording it: the lines are written and recorded one after the other.
    unsure = True
    mode = job.parameters.get("mode", "create")
    with exports.export_storage().open(job.parameters["file"], "rb") as file:

        def outcomes_from(number: int) -> Iterator[Any]:
            file.seek(0)
            lines = imports.read_range(ctx.admin, file, job.parameters["format"], number,
                                       last, mode=mode, request=ctx.request)
            return imports.import_lines(table, ctx.admin.entity, lines, mode=mode,
                                        admin=ctx.admin, request=ctx.request)

        outcomes = outcomes_from(start)
        while True:
            if not run.keep_going():
                return False
            run.writes.wait()
            with call_log.recording() as log, audit.under_job(job.pk):
                try:
                    outcome = next(outcomes)
                except StopIteration:
                    break
                except imports.ImportFileError as exc:
                    raise BadJob(str(exc)) from None
            run.charge(log)
            if outcome.outcome == "failed" and any(call.error == "Throttled"
                                                   for call in log.calls):
                # DynamoDB throttled the line: slow down and write it again, never fail it.
                run.backoff.throttled()
                outcomes, unsure = outcomes_from(outcome.number), True
                continue
            run.backoff.succeeded()
            _record_line(ctx, run, outcome, unsure)
            unsure = False
    return True


def _record_line(ctx: Context, run: _Chunk, line: Any, unsure: bool) -> None:
    status, message = IMPORT_STATUS.get(line.outcome, JobItem.Status.FAILED), line.message
    key_json = (dumps_dynamodb_json(ctx.table.key_of(line.key), indent=None)
                if line.key else "")
    if unsure and line.outcome in ("exists", "conflict") and key_json:
        # The worker before may have written this line and been killed before recording it.
        settled = _settled(ctx, key_json)
        if settled is not None:
            status, message = JobItem.Status.WRITTEN, settled.message
    text = f"line {line.number}"
    if key_json:
        text += f": {audit.key_text(ctx.table, loads_dynamodb_json(key_json))}"
    name = line_key(line.number)
    try:
        with transaction.atomic():
            JobItem.objects.create(
                job=ctx.job, chunk=run.chunk, key=key_json, key_digest=key_digest(name),
                key_text=text[:1024],
                status=status, message=f"{line.outcome}: {message}" if message
                else line.outcome)
    except IntegrityError:
        pass  # another worker recorded it first: counted once


#: what a worker does with one chunk, by the job's kind (True: the chunk is finished)
KINDS: dict[str, Callable[[Context, JobChunk], bool]] = {
    Job.Kind.UPDATE: change_chunk,
    Job.Kind.DELETE: change_chunk,
    Job.Kind.ACTION: change_chunk,
    Job.Kind.UNDO: undo_chunk,
    Job.Kind.EXPORT: export_chunk,
    Job.Kind.IMPORT: import_chunk,
}
