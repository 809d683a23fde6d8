"""The stream consumer: every stream record archived once, however often it is delivered.

Streams deliver at least once (a consumer that stops before its checkpoint reads the same
records again; two consumers read the same records), so storage is made exactly-once by the
key: each change is put under a key derived from its record's sequence number, on condition
that no item holds that key yet. A failed condition means the change is archived already,
which is counted, not an error. A shard's checkpoint (the last sequence number archived)
only moves forward (its update is conditional on it being absent or lower), so a slow
consumer never moves it back under a faster one.

A position older than the stream keeps (trimmed: past 24 hours on AWS) cannot be read: the
read starts again from the oldest record kept, and the records in between are recorded as a
Gap item, never silently skipped. An expired iterator loses nothing (a fresh one starts
after the last sequence number read).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from .. import limits
from ..data.calling import call
from ..data.conditions import AttributeNotExists, LessThan, LessThanOrEqual
from ..data.errors import DataError, TransactionConflict, WriteConflict
from ..data.parallel import MAX_WORKERS, ahead, in_parallel
from ..data.reads import query
from ..data.serialization import deserialize_item, dumps_dynamodb_json
from ..data.streams.client import get_streams_client
from ..data.streams.reading import (
    StreamInfo,
    StreamRead,
    StreamRecord,
    list_shards,
    read_bounds,
    read_shard,
    stream_info,
    typed_record,
)
from ..data.writes import Put, put_item, transact_write, update_item
from ..definitions.tables import Table, defined_tables
from .archive import (
    HOUR,
    Change,
    Checkpoint,
    Gap,
    Status,
    archive,
    expiry,
    item_bytes,
    item_key_text,
    padded_sequence,
    partition_text,
)

__all__ = ["Checkpoints", "Counts", "FOLLOW_STATUS", "Following", "LAMBDA_STATUS",
           "StatusReporter", "archive_record", "archive_records", "change_hours",
           "change_items",
           "change_item", "checkpoints", "finish_shard", "follow", "follow_once",
           "record_gap", "save_checkpoint", "store_changes"]

#: Streams calls one pass over a table may make (DescribeStream, GetShardIterator and
#: GetRecords together): a pass stops there and the next one goes on from the checkpoints.
CALLS_PER_PASS = 10_000
#: Conditional puts per TransactWriteItems (at most 100; 1: every change its own PutItem).
TRANSACTION_ITEMS = limits.TRANSACTION_ACTIONS
#: How often a following process lists a stream's shards again (seconds), besides when a
#: shard ends: a table's stream replaced, new shards.
RELIST_EVERY = 60.0
#: Empty GetRecords answers a pass reads through on an open shard from a new iterator.
EMPTY_READS = 3
#: TransactWriteItems takes at most 4 MB of items together.
TRANSACTION_BYTES = 4_000_000
#: The reason a transaction's put was cancelled when its item is there already.
ALREADY_ARCHIVED = "ConditionalCheckFailed"
#: How long a finished shard's checkpoint is kept: longer than the stream lists the shard
#: (24 hours after it closed), so that no pass reads it again while it is listed.
SHARD_KEPT = dt.timedelta(days=2)


@dataclass
class Counts:
    """What a consumer did: records read, changes archived now, changes found archived
    already (a replay or another consumer), gaps recorded, records it could not archive."""

    read: int = 0
    archived: int = 0
    already_archived: int = 0
    gaps: int = 0
    failed: int = 0
    #: False when the table has no stream to read (nothing can be archived)
    has_stream: bool = True
    #: the pass read every shard to its newest record (it did not stop at its bound)
    complete: bool = True
    #: the time of the newest change read
    newest_change_at: dt.datetime | None = None

    def add(self, other: Counts) -> None:
        for name in ("read", "archived", "already_archived", "gaps", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.has_stream = self.has_stream and other.has_stream
        self.complete = self.complete and other.complete
        self.newest_change_at = max(filter(None, (self.newest_change_at,
                                                  other.newest_change_at)), default=None)


def partition_key_name(source_table: str, keys: Mapping[str, Any]) -> str:
    """Which of a record's key attributes is the partition key: the only one, or the one a
    definition of the table names, else the one DescribeTable names (asked once)."""
    if len(keys) == 1:
        return next(iter(keys))
    for table in defined_tables():
        if table.table_name == source_table:
            return table.primary.pk
    return _described_partition_key(source_table)


@functools.lru_cache(maxsize=256)
def _described_partition_key(source_table: str) -> str:
    answer = call("DescribeTable", source_table, TableName=source_table)
    schema = answer.get("Table", {}).get("KeySchema", [])
    return next(k["AttributeName"] for k in schema if k.get("KeyType") == "HASH")


def change_item(source_table: str, record: StreamRecord, pk_name: str | None = None
                ) -> dict[str, Any]:
    """The archive's Change item for one stream record (ValueError when it cannot be);
    ``pk_name``: the source table's partition key attribute, when the caller knows it."""
    pk_name = pk_name or partition_key_name(source_table, record.keys)
    if record.when is None:
        raise ValueError(f"record {record.sequence_number}: no ApproximateCreationDateTime")
    changed_at = record.when.astimezone(dt.UTC).replace(microsecond=0)
    keys_json = dumps_dynamodb_json(record.keys, indent=None)
    item = Change.build_item({
        "source_table": source_table,
        "item_key": item_key_text(source_table, record.keys, keys_json),
        "changed_at": changed_at, "hour": changed_at.strftime(HOUR),
        "partition": partition_text(source_table, record.keys.get(pk_name, "")),
        "sequence": padded_sequence(record.sequence_number),
        "sequence_number": record.sequence_number,
        "event": record.event_name,
        "keys_json": keys_json,
        "old_image": (None if record.old_image is None
                      else dumps_dynamodb_json(record.old_image, indent=None)),
        "new_image": (None if record.new_image is None
                      else dumps_dynamodb_json(record.new_image, indent=None)),
        "identity_type": record.identity_type, "principal": record.principal,
        "ttl_deletion": record.is_ttl_deletion or None,
        "shard_id": record.shard_id or None,
        "expires": expiry(changed_at),
    })
    return _within_item_size(item)


def _within_item_size(item: dict[str, Any]) -> dict[str, Any]:
    """Both images of a large item do not fit in one archive item (400 KB each at most,
    400 KB together): the old image is left out first, then the new one, and the change
    says which, so that its keys, event and time are still archived."""
    if item_bytes(item) <= limits.MAX_ITEM_BYTES:
        return item  # nearly always: measured once
    left_out = []
    for image in ("old_image", "new_image"):
        if item_bytes(item) <= limits.MAX_ITEM_BYTES or image not in item:
            continue
        del item[image]
        left_out.append(image)
    if left_out:
        item["images_left_out"] = " ".join(left_out)
    return item


def archive_record(source_table: str, record: StreamRecord) -> bool:
    """Archive one change; False when it was archived already (by a replay or another
    consumer): the conditional put then writes nothing."""
    return _put_change(change_item(source_table, record))


def _put_change(item: Mapping[str, Any]) -> bool:
    try:
        put_item(archive, item, condition=AttributeNotExists("PK"))
    except WriteConflict:
        return False
    return True


def store_changes(items: Sequence[Mapping[str, Any]]) -> list[bool | DataError]:
    """Put Change items, each on condition that its key is free: per item, True when stored
    now, False when archived already, or the DataError that stopped it.

    The puts go in transactions of up to 100 (one request instead of a hundred: what lets
    one process keep up with a busy stream), several at once. A transaction is all or
    nothing, and an item archived already cancels it: those items are counted as archived,
    and the others put again. A transaction cancelled for any other reason (another
    consumer's transaction on the same items, a refused item) is replaced by single puts,
    so that each item gets its own answer.
    """
    outcomes: list[bool | DataError | None] = [None] * len(items)
    first: dict[tuple[Any, Any], int] = {}
    for index, item in enumerate(items):
        key = (item[archive.pk], item[archive.sk])
        if key in first:
            outcomes[index] = False  # the same record twice: stored once, by the first
        else:
            first[key] = index
    groups = _transactions(list(first.values()), items)
    results = in_parallel([functools.partial(_store_group, [items[i] for i in group])
                           for group in groups])
    for group, result in zip(groups, results, strict=True):
        for position, index in enumerate(group):
            outcomes[index] = result if isinstance(result, DataError) else result[position]
    return [outcome if outcome is not None else False for outcome in outcomes]


def _transactions(indexes: list[int], items: Sequence[Mapping[str, Any]]) -> list[list[int]]:
    """The items in groups of at most ``TRANSACTION_ITEMS`` items and 4 MB (a transaction's
    limits), of even sizes and as many as the threads that write them at least: ten groups
    of 100 on eight threads would make the last two wait for a second round alone."""
    if not indexes:
        return []
    count = max(-(-len(indexes) // TRANSACTION_ITEMS), min(MAX_WORKERS, len(indexes)))
    count = -(-count // MAX_WORKERS) * MAX_WORKERS if count > MAX_WORKERS else count
    per_group = -(-len(indexes) // count)
    groups: list[list[int]] = []
    size = 0
    for index in indexes:
        bytes_ = item_bytes(items[index])
        if not groups or len(groups[-1]) == per_group or size + bytes_ > TRANSACTION_BYTES:
            groups.append([])
            size = 0
        groups[-1].append(index)
        size += bytes_
    return groups


def _store_group(items: list[Mapping[str, Any]]) -> list[bool | DataError]:
    if len(items) == 1:
        return [_single(items[0])]
    try:
        # what it consumed is shown nowhere: not asked
        transact_write([Put(archive, item, AttributeNotExists(archive.pk)) for item in items],
                       capacity=False)
    except TransactionConflict as conflict:
        reasons = conflict.reasons
    except DataError:
        # refused as a whole (an item DynamoDB checks before the transaction), or failed
        # (unavailable, an internal error: it may even have been applied): each item's own
        # conditional put says what became of it, and stores nothing twice
        return [_single(item) for item in items]
    else:
        return [True] * len(items)
    archived_already = [reason == ALREADY_ARCHIVED for reason in reasons]
    if len(reasons) != len(items) or not any(archived_already) or any(
            reason not in (None, ALREADY_ARCHIVED) for reason in reasons):
        return [_single(item) for item in items]
    rest = [item for item, done in zip(items, archived_already, strict=True) if not done]
    stored = iter(_store_group(rest) if rest else [])
    return [False if done else next(stored) for done in archived_already]


def _single(item: Mapping[str, Any]) -> bool | DataError:
    try:
        return _put_change(item)
    except DataError as error:
        return error


def change_items(source_table: str, records: Sequence[StreamRecord]) -> list[dict[str, Any]]:
    """The archive's Change items for a batch of records (ValueError when one cannot be)."""
    if not records:
        return []
    pk_name = partition_key_name(source_table, records[0].keys)
    return [change_item(source_table, record, pk_name) for record in records]


def archive_records(source_table: str, records: Sequence[StreamRecord],
                    items: Sequence[Mapping[str, Any]] | None = None) -> Counts:
    """Archive a batch of changes (a batch's checkpoint moves only once all of them are
    stored). A failed put raises its DataError once the others are done: the batch is then
    read again, and what was stored is not stored twice. ``items``: the records' Change
    items, when the caller made them already (``change_items``)."""
    counts = Counts(read=len(records), newest_change_at=max(
        (r.when for r in records if r.when is not None), default=None))
    if not records:
        return counts
    outcomes = store_changes(items if items is not None else change_items(source_table,
                                                                          records))
    for outcome in outcomes:
        if isinstance(outcome, DataError):
            raise outcome
        if outcome:
            counts.archived += 1
        else:
            counts.already_archived += 1
    return counts


@dataclass
class Checkpoints:
    """Where a table's shards were archived up to: the last sequence number archived per
    shard (as the stream spells it), and the closed shards read to their end."""

    after: dict[str, str] = field(default_factory=dict)
    finished: set[str] = field(default_factory=set)


def checkpoints(source_table: str) -> Checkpoints:
    """The table's checkpoints: one Query of its checkpoint partition (a page per thousand
    shards)."""
    found = Checkpoints()
    partition = Checkpoint.key({"source_table": source_table, "shard_id": "-"})[archive.pk]
    start: dict[str, Any] | None = None
    while True:
        page = query(archive.primary, partition, consistent=True, limit=1000, start_key=start)
        for item in page.items:
            found.after[item["shard_id"]] = item["sequence_number"]
            if item.get("finished"):
                found.finished.add(item["shard_id"])
        start = page.last_evaluated_key
        if not start:
            return found


def _advance_checkpoint(source_table: str, shard_id: str, sequence_number: str, *,
                        inclusive: bool, **values: Any) -> bool:
    """Move the shard's checkpoint forward to ``sequence_number`` (``inclusive``: or leave it
    there), with ``values``; False when it was further already (another consumer went ahead):
    a checkpoint never moves back."""
    item = Checkpoint.build_item({
        "source_table": source_table, "shard_id": shard_id,
        "sequence": padded_sequence(sequence_number), "sequence_number": sequence_number,
        "archived_at": dt.datetime.now(dt.UTC), **values})
    key = archive.key_of(item)
    forward = LessThanOrEqual if inclusive else LessThan
    try:
        update_item(archive, key, set={n: v for n, v in item.items() if n not in key},
                    condition=(AttributeNotExists(archive.pk)
                               | forward("sequence", item["sequence"])))
    except WriteConflict:
        return False
    return True


def finish_shard(source_table: str, shard: Mapping[str, Any]) -> None:
    """Mark a closed shard read to its end, so that no pass reads it again. Every record of
    the shard is at most its ending sequence number, so this moves forward (or stays)."""
    _advance_checkpoint(source_table, shard["ShardId"],
                        shard["SequenceNumberRange"]["EndingSequenceNumber"], inclusive=True,
                        finished=True, expires=dt.datetime.now(dt.UTC) + SHARD_KEPT)


def save_checkpoint(source_table: str, shard_id: str, record: StreamRecord) -> bool:
    """Move the shard's checkpoint forward to ``record``; False when it was there already
    (or further: another consumer went ahead), which leaves it as it is."""
    return _advance_checkpoint(source_table, shard_id, record.sequence_number, inclusive=False,
                               changed_at=record.when)


def record_gap(source_table: str, shard_id: str, after: str | None, until: str | None,
               reason: str) -> bool:
    """Note that the records of a shard after ``after`` and before ``until`` were not
    archived; False when another consumer noted the same gap already."""
    item = Gap.build_item({
        "source_table": source_table, "shard_id": shard_id,
        "after": padded_sequence(after or "0"),
        "until": padded_sequence(until) if until else None,
        "reason": reason, "noticed_at": dt.datetime.now(dt.UTC)})
    try:
        put_item(archive, item, condition=AttributeNotExists("PK"))
    except WriteConflict:
        return False
    return True


# -- what the consumer says about each table ----------------------------------------------
#: A pass that archived nothing writes the hour's Status at most this often (seconds): the
#: pages say "archived up to 4 s ago" from it, and a quiet table costs one write per period.
STATUS_EVERY = 5.0


class StatusReporter:
    """Writes the Status items of one kind of consumer ("follow" or "lambda").

    The current hour's Status says when the consumer last reported and how far the archive is
    complete; every write is conditional on ``reported_at`` moving forward, so a slow consumer
    never overwrites a newer report. Each hour in which changes were archived is marked
    (``has_changes``) once: Activity lists those hours to skip quiet ones. What was written is
    remembered per process, by archive table, so that neither costs a write per pass.
    """

    def __init__(self, consumer: str) -> None:
        self.consumer = consumer
        self._lock = threading.Lock()
        self._marked: set[tuple[str, str, str]] = set()
        self._last: dict[tuple[str, str], tuple[float, str]] = {}
        self._up_to: dict[tuple[str, str], dt.datetime] = {}
        self._newest: dict[tuple[str, str], dt.datetime] = {}

    def mark_hours(self, source_table: str, hours: Iterable[str]) -> None:
        """Set ``has_changes`` on the Status of each hour not marked yet by this process.
        Called before the checkpoint moves past the changes: a crash in between reads them
        again, and marks them then."""
        for hour in sorted(set(hours)):
            done = (archive.table_name, source_table, hour)
            with self._lock:
                if done in self._marked:
                    continue
            item = Status.build_item({"source_table": source_table, "hour": hour,
                                      "has_changes": True})
            key = archive.key_of(item)
            try:
                update_item(archive, key, set={n: v for n, v in item.items() if n not in key},
                            condition=AttributeNotExists("has_changes"))
            except WriteConflict:
                pass  # marked already, by an earlier run or another consumer
            with self._lock:
                self._marked.add(done)

    def report(self, source_table: str, *, archived: int,
               archived_up_to: dt.datetime | None = None,
               newest_change_at: dt.datetime | None = None,
               now: dt.datetime | None = None) -> bool:
        """Write the current hour's Status when it is due (changes archived, a new hour, or
        ``STATUS_EVERY`` seconds since the last one); False when not due or when another
        report was newer. ``archived_up_to``: every change made before it is archived (None:
        not known from this report, the last one known is kept)."""
        now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        hour = now.strftime(HOUR)
        table = (archive.table_name, source_table)
        with self._lock:
            if archived_up_to is not None:
                self._up_to[table] = max(archived_up_to, self._up_to.get(table, archived_up_to))
            if newest_change_at is not None:
                self._newest[table] = max(newest_change_at,
                                          self._newest.get(table, newest_change_at))
            last = self._last.get(table)
            if (not archived and last is not None and last[1] == hour
                    and time.monotonic() - last[0] < STATUS_EVERY):
                return False
            self._last[table] = (time.monotonic(), hour)
            up_to, newest = self._up_to.get(table), self._newest.get(table)
        item = Status.build_item({
            "source_table": source_table, "hour": hour, "reported_at": now,
            "consumer": self.consumer, "archived_up_to": up_to,
            "newest_change_at": newest, "expires": expiry(now)})
        key = archive.key_of(item)
        try:
            update_item(archive, key, set={n: v for n, v in item.items() if n not in key},
                        condition=(AttributeNotExists("reported_at")
                                   | LessThan("reported_at", item["reported_at"])))
        except WriteConflict:
            return False
        return True


#: What this process's follow passes and Lambda invocations have said.
FOLLOW_STATUS = StatusReporter("follow")
LAMBDA_STATUS = StatusReporter("lambda")


def change_hours(records: Iterable[StreamRecord]) -> set[str]:
    """The hours (``HOUR``) of the records' changes, as their Change items file them."""
    return {r.when.astimezone(dt.UTC).strftime(HOUR) for r in records if r.when is not None}


class _ShardArchiver:
    """Hands each batch of one pass's records to the archive, then moves the checkpoint.

    Batches are stored in other threads while the next one is read and its items made, two
    at a time, so that DynamoDB always has a transaction to work on (it would otherwise wait
    while a batch's checkpoint is saved and the next batch handed over). Checkpoints still
    move in the order read: a batch's checkpoint is saved once it is stored and the batch
    before it is checkpointed. ``finish`` waits for every batch (and raises what stopped
    one); after a batch that failed, no checkpoint moves and the pass stops at the next
    batch (one stored meanwhile is stored again next time, found archived already).
    """

    #: batches being stored at once
    IN_FLIGHT = 2

    def __init__(self, table: Table, result: StreamRead, saved: Mapping[str, str],
                 status: StatusReporter, stop: threading.Event | None = None) -> None:
        self.source = table.table_name
        self.stop = stop
        self.status = status
        self.result = result
        self.last = dict(saved)  # the last sequence number archived, per shard
        self.gapped: set[str] = set()
        self.counts = Counts()
        self.storing: list[Future[None | DataError]] = []

    def __call__(self, records: list[dict[str, Any]], shard_id: str) -> bool:
        if shard_id in self.result.trimmed_shards and shard_id not in self.gapped:
            # The position was trimmed: what lay between the last record archived and the
            # oldest one kept is lost, and the archive says so.
            self.finish()
            self.gapped.add(shard_id)
            until = records[0]["dynamodb"]["SequenceNumber"] if records else None
            if record_gap(self.source, shard_id, self.last.get(shard_id), until, "trimmed"):
                self.counts.gaps += 1
        typed = [typed_record(raw, shard_id, deserialize_item(raw["dynamodb"].get("Keys", {})))
                 for raw in records]
        if typed:
            items = change_items(self.source, typed)  # while the batches before are stored
            while len(self.storing) >= self.IN_FLIGHT:
                self._wait_oldest()
            # read this far; the checkpoint follows once the batch is stored
            self.result.position["after"][shard_id] = typed[-1].sequence_number
            before = self.storing[-1] if self.storing else None
            self.storing.append(ahead(functools.partial(
                self._store, typed, items, shard_id, before)))
        # asked to stop: the batches are archived and checkpointed (``finish``), the pass ends
        return self.stop is None or not self.stop.is_set()

    def _store(self, typed: list[StreamRecord], items: list[dict[str, Any]], shard_id: str,
               before: Future[None | DataError] | None) -> None:
        counts = archive_records(self.source, typed, items)
        if before is not None:
            failed = before.result()
            if isinstance(failed, DataError):
                raise failed  # no checkpoint moves past a batch that was not stored
        self.counts.add(counts)
        self.status.mark_hours(self.source, change_hours(typed))
        save_checkpoint(self.source, shard_id, typed[-1])
        self.last[shard_id] = typed[-1].sequence_number

    def _wait_oldest(self) -> None:
        outcome = self.storing.pop(0).result()
        if isinstance(outcome, DataError):
            # the batches after it wait for it and stop there, no checkpoint moved: the
            # pass ends once they have
            for later in self.storing:
                later.result()
            self.storing.clear()
            raise outcome

    def finish(self) -> None:
        """Wait for the batches being stored; raise the DataError that stopped one."""
        try:
            while self.storing:
                self._wait_oldest()
        finally:
            self.storing.clear()


@dataclass
class Following:
    """What a following process keeps of one table between passes: the stream and its
    shards, where it is in each (the last sequence number archived, and an iterator at the
    newest record), so that a pass over a quiet stream costs one GetRecords per open shard.
    The checkpoints are read once, when following starts; the stream's shards are listed
    again every ``RELIST_EVERY`` seconds, and as soon as a shard ends (its children follow).
    """

    info: StreamInfo | None = None
    shards: list[dict[str, Any]] | None = None
    listed_at: float = 0.0
    position: dict[str, Any] = field(default_factory=lambda: {"after": {}, "done": []})
    iterators: dict[str, str] = field(default_factory=dict)
    started: bool = False

    def due(self) -> bool:
        return self.shards is None or time.monotonic() - self.listed_at >= RELIST_EVERY

    def forget_all_but(self, listed: set[str]) -> None:
        """Forget the shards the stream no longer lists (24 hours after they closed): a
        process that follows for months keeps what a day's shards need, no more."""
        self.position["after"] = {s: n for s, n in self.position["after"].items()
                                  if s in listed}
        self.position["done"] = [s for s in self.position["done"] if s in listed]
        for shard_id in set(self.iterators) - listed:
            del self.iterators[shard_id]


def follow_once(table: Table, *, per_call: int | None = None,
                status: StatusReporter = FOLLOW_STATUS,
                following: Following | None = None,
                stop: threading.Event | None = None) -> Counts:
    """One pass over every shard of the table's stream, from each shard's checkpoint (or
    its oldest record), to the newest record: what it archived. The pass ends with the
    current hour's Status (when due): a pass that read every shard to its newest record
    archived every change made before it started. ``following``: what an earlier pass of
    this process kept (none: the pass starts from the checkpoints)."""
    started = dt.datetime.now(dt.UTC)
    following = following or Following()
    listing = following.due()
    if listing:
        info = stream_info(table)
        # A disabled (or replaced) stream still holds its last 24 hours: they are archived
        # too.
        if not (info.arn or info.latest_arn):
            following.shards = None
            return Counts(has_stream=False)
        if following.info is not None and (info.arn or info.latest_arn) != (
                following.info.arn or following.info.latest_arn):
            following.iterators.clear()  # a new stream: shards of its own
        following.info = info
    if following.info is None:
        return Counts(has_stream=False)
    arn = str(following.info.arn or following.info.latest_arn)
    if not following.started:
        saved = checkpoints(table.table_name)
        following.position = {"after": dict(saved.after), "done": sorted(saved.finished)}
        following.started = True
    result = StreamRead(info=following.info, position=following.position,
                        iterators=following.iterators)
    bound, per_call = read_bounds(CALLS_PER_PASS, per_call)
    archiver = _ShardArchiver(table, result, following.position["after"], status, stop)
    client = get_streams_client(table)
    if listing:
        listed = list_shards(client, table, arn, bound)
        if listed is not None:
            following.shards, following.listed_at = listed, time.monotonic()
            following.forget_all_but({shard["ShardId"] for shard in listed})
        shards = listed
    else:
        shards = following.shards
    counts = archiver.counts
    counts.complete = shards is not None
    finished_before = set(following.position["done"])
    for shard in shards or ():
        shard_id = shard["ShardId"]
        if shard_id in finished_before:
            continue
        try:
            read_all = read_shard(client, table, arn, shard, result, bound, archiver, per_call,
                                  empty_reads=EMPTY_READS, read_ahead=True)
        finally:
            archiver.finish()  # the shard's last batch stored and checkpointed
        if not read_all or (stop is not None and stop.is_set()):
            counts.complete = False
            break
        if shard_id in following.position["done"]:
            finish_shard(table.table_name, shard)
            following.listed_at = 0.0  # its children: listed on the next pass
    status.report(table.table_name, archived=counts.archived,
                  archived_up_to=started if counts.complete else None,
                  newest_change_at=counts.newest_change_at)
    return counts


def follow(tables: Table | Iterable[Table], *, once: bool = False, interval: float = 1.0,
           report: Callable[[Table, Counts], None] | None = None,
           stop: threading.Event | None = None,
           failed: Callable[[Table, DataError], None] | None = None) -> Counts:
    """Archive the tables' streams: with ``once``, one pass (what is there now), else a pass
    every ``interval`` seconds until interrupted, or until ``stop`` is set (the batch under
    way is archived and checkpointed first). Returns the counts of every pass.

    Without ``once``, a pass that fails (DynamoDB unreachable, the table not created yet,
    throttled) is handed to ``failed`` and tried again on the next pass, from the
    checkpoints: a consumer that runs beside the server outlives what the server does.
    With ``once``, the error is raised."""
    tables = [tables] if isinstance(tables, Table) else list(tables)
    stop = stop or threading.Event()
    total = Counts()
    kept = {table.name: Following() for table in tables}
    while True:
        for table in tables:
            if stop.is_set():
                break
            try:
                counts = follow_once(table, following=kept[table.name], stop=stop)
            except DataError as error:
                if once or failed is None:
                    raise
                kept[table.name] = Following()  # from the checkpoints again
                failed(table, error)
                continue
            total.add(counts)
            if report is not None:
                report(table, counts)
        if once or stop.wait(interval):
            return total
