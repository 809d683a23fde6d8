"""Reading a table's DynamoDB Stream: the one module that talks to DynamoDB Streams.

A stream keeps each change to the table for 24 hours (on AWS; DynamoDB Local keeps what it
keeps), in shards read oldest first: ``DescribeStream`` lists the shards (paged),
``GetShardIterator`` says where to start in one, ``GetRecords`` reads from there. Nothing
reads a stream backwards, which is why no page reads one: the archive's consumer
(``dynadmin.history``) reads every record once and the pages Query the archive. Every read
here is bounded: records per ``GetRecords``
(``STREAM_RECORDS_PER_CALL``), Streams calls per read (``STREAM_CALLS_PER_REQUEST``), and
the request's time budget. A read that stops at its bound says so and returns the position
to read further from (the last sequence number read in each shard: iterators expire after
15 minutes, sequence numbers do not). An iterator that expires mid-read is replaced once per
shard; a position older than the stream keeps (trimmed) starts again from the oldest record
kept, and the read names the shards where that happened (``trimmed_shards``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from typing import Any

from ... import conf, limits
from ...definitions.tables import Table
from ..call_log import current_log
from ..calling import call_client
from ..describe import describe
from ..errors import DataError, StreamIteratorExpired, StreamTrimmed
from ..parallel import ahead
from ..serialization import deserialize_item
from .client import get_streams_client

__all__ = ["StreamInfo", "StreamRead", "StreamRecord", "read_stream", "stream_info"]

#: What a shard's reader does with each batch of raw records: False stops reading the shard
#: (the read reached what it wanted), leaving it unfinished.
Consume = Callable[[list[dict[str, Any]], str], bool]

#: Service-made changes carry this principal: TTL deletions.
TTL_PRINCIPAL = "dynamodb.amazonaws.com"
# A read stops (and offers to read further) when less than this share of the request's
# budget is left, rather than letting the next call fail the whole page.
_BUDGET_RESERVE = 0.3


@dataclass(frozen=True)
class StreamInfo:
    """Whether a table has a stream, and what its records carry."""

    arn: str | None = None
    view_type: str | None = None
    enabled: bool = False
    #: the table's newest stream, enabled or not: a disabled stream keeps its records for
    #: 24 hours, which a consumer archiving every change still reads
    latest_arn: str | None = None

    @classmethod
    def from_description(cls, description: Mapping[str, Any]) -> StreamInfo:
        """From DescribeTable's ``Table``."""
        spec = description.get("StreamSpecification") or {}
        enabled = bool(spec.get("StreamEnabled"))
        latest = description.get("LatestStreamArn")
        return cls(arn=latest if enabled else None,
                   view_type=spec.get("StreamViewType") if enabled else None, enabled=enabled,
                   latest_arn=latest)

    @property
    def readable(self) -> bool:
        return self.enabled and bool(self.arn)

    @property
    def has_old_images(self) -> bool:
        return self.view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")

    @property
    def has_new_images(self) -> bool:
        return self.view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")

    @property
    def has_both_images(self) -> bool:
        return self.has_old_images and self.has_new_images


@dataclass(frozen=True)
class StreamRecord:
    """One change, typed: images and keys through dynadmin's codec (Decimal, bytes, sets)."""

    event_id: str
    event_name: str  # INSERT, MODIFY or REMOVE
    when: dt.datetime | None  # approximate (DynamoDB Local rounds it down to the minute)
    sequence_number: str
    shard_id: str
    keys: dict[str, Any]
    old_image: dict[str, Any] | None = None
    new_image: dict[str, Any] | None = None
    identity_type: str | None = None
    principal: str | None = None

    @property
    def is_ttl_deletion(self) -> bool:
        """DynamoDB's TTL process deleted the item (a Service identity, DynamoDB itself)."""
        return (self.event_name == "REMOVE" and self.identity_type == "Service"
                and self.principal == TTL_PRINCIPAL)


@dataclass
class StreamRead:
    """What one bounded read found: the records kept, what it cost, where it stopped."""

    info: StreamInfo
    records: list[StreamRecord] = field(default_factory=list)
    records_read: int = 0
    get_records_calls: int = 0
    #: JSON-safe: read further from here (``{"after": {shard: seq}, "done": [shard]}``)
    position: dict[str, Any] = field(default_factory=dict)
    #: every shard was read to its end (or to the newest record) within the bounds
    complete: bool = True
    #: why it stopped early: "calls" (the bound on calls) or "time" (the request's budget)
    stopped_by: str = ""
    #: shards whose position was older than the stream keeps: read again from their oldest
    #: kept record, so the records in between (trimmed) could not be read
    trimmed_shards: list[str] = field(default_factory=list)
    #: where the read of each open shard read to its newest record goes on (an iterator,
    #: valid 15 minutes): a reader that comes back soon (the consumer, every second) starts
    #: there, one GetRecords, instead of a GetShardIterator from the position first
    iterators: dict[str, str] = field(default_factory=dict)


def stream_info(table: Table) -> StreamInfo:
    """The table's stream, from one DescribeTable."""
    return StreamInfo.from_description(describe("DescribeTable", table)["Table"])


class StreamBound:
    """The Streams calls a read may still make (and why it stopped, once it has)."""

    def __init__(self, calls: int) -> None:
        self.left = calls
        self.stopped_by = ""

    def take(self) -> bool:
        if self.left <= 0:
            self.stopped_by = self.stopped_by or "calls"
            return False
        log = current_log()
        if log is not None and log.budget and log.remaining() < log.budget * _BUDGET_RESERVE:
            self.stopped_by = self.stopped_by or "time"
            return False
        self.left -= 1
        return True


def read_bounds(max_calls: int | None, per_call: int | None) -> tuple[StreamBound, int]:
    """A read's bound on Streams calls, and the records it asks of each GetRecords."""
    return (StreamBound(max_calls or conf.get("STREAM_CALLS_PER_REQUEST")),
            min(per_call or conf.get("STREAM_RECORDS_PER_CALL"), limits.STREAM_RECORDS_PER_CALL))


def read_stream(table: Table, *, info: StreamInfo | None = None,
                position: Mapping[str, Any] | None = None,
                match: Callable[[dict[str, Any]], bool] | None = None,
                max_calls: int | None = None, per_call: int | None = None,
                read_ahead: bool = False) -> StreamRead:
    """Read the table's stream oldest first (from ``position``, else from the oldest record
    kept), keeping the records whose keys ``match`` (every record without one);
    ``read_ahead``: see ``read_shard``.

    A table without a readable stream gives a StreamRead whose ``info`` says so, not an
    error; a failing call raises its DataError as any DynamoDB call does.
    """
    info = info if info is not None else stream_info(table)
    result = StreamRead(info=info, position=_position(position))
    if not info.readable:
        return result
    bound, per_call = read_bounds(max_calls, per_call)
    client = get_streams_client(table)
    shards = list_shards(client, table, info.arn, bound)
    done = set(result.position["done"])

    def keep(records: list[dict[str, Any]], shard_id: str) -> bool:
        _keep(records, shard_id, result, match)
        return True

    for shard in shards if shards is not None else ():
        if shard["ShardId"] in done:
            continue
        if not read_shard(client, table, info.arn, shard, result, bound, keep, per_call,
                          read_ahead=read_ahead):
            break
    result.complete = shards is not None and not bound.stopped_by
    result.stopped_by = bound.stopped_by
    return result


def _position(position: Mapping[str, Any] | None) -> dict[str, Any]:
    after = dict((position or {}).get("after") or {})
    done = list((position or {}).get("done") or [])
    return {"after": {str(k): str(v) for k, v in after.items()}, "done": [str(s) for s in done]}


def list_shards(client: Any, table: Table, arn: str, bound: StreamBound
                ) -> list[dict[str, Any]] | None:
    """Every shard of the stream, parents first (None when the bound ran out listing them)."""
    shards: list[dict[str, Any]] = []
    start: str | None = None
    while True:
        if not bound.take():
            return None
        params: dict[str, Any] = {"StreamArn": arn, "Limit": limits.STREAM_SHARDS_PER_DESCRIBE}
        if start:
            params["ExclusiveStartShardId"] = start
        description = call_client(client, "DescribeStream", table.table_name,
                                  **params)["StreamDescription"]
        shards += description.get("Shards", [])
        start = description.get("LastEvaluatedShardId")
        if not start:
            break
    # A child shard starts after its parent ends: sequence numbers order them.
    return sorted(shards, key=lambda s: int(s["SequenceNumberRange"]["StartingSequenceNumber"]))


class _OutOfCalls(Exception):  # noqa: N818 - a signal inside this module
    """The read's bound stopped it before a Streams call."""


def _call(client: Any, table: Table, bound: StreamBound, operation: str, **params: Any
          ) -> dict[str, Any]:
    if not bound.take():
        raise _OutOfCalls
    return call_client(client, operation, table.table_name, **params)


def _iterator(client: Any, table: Table, arn: str, shard_id: str, result: StreamRead,
              bound: StreamBound) -> str | None:
    """An iterator just after the last record read in the shard, else at its oldest kept
    record. A position the stream no longer keeps (trimmed: older than 24 hours on AWS)
    starts again from the oldest record kept, and the read notes that records were lost."""
    after = result.position["after"].get(shard_id)
    params: dict[str, Any] = {"StreamArn": arn, "ShardId": shard_id}
    if after:
        try:
            return _call(client, table, bound, "GetShardIterator", **params,
                         ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                         SequenceNumber=after).get("ShardIterator")
        except StreamTrimmed:
            _restart_from_oldest(result, shard_id)
    return _call(client, table, bound, "GetShardIterator", **params,
                 ShardIteratorType="TRIM_HORIZON").get("ShardIterator")


def _restart_from_oldest(result: StreamRead, shard_id: str) -> None:
    result.position["after"].pop(shard_id, None)
    if shard_id not in result.trimmed_shards:
        result.trimmed_shards.append(shard_id)


def read_shard(client: Any, table: Table, arn: str, shard: dict[str, Any], result: StreamRead,
               bound: StreamBound, consume: Consume, per_call: int, empty_reads: int = 0,
               read_ahead: bool = False) -> bool:
    """Read one shard as far as the bound allows, from ``result.position`` (which
    ``consume`` keeps up to date), handing each batch to ``consume``; False when the bound
    stopped it. A closed shard read to its end is added to the position's ``done``.

    An open shard's read stops at its first empty answer, unless ``empty_reads``: then as
    many empty answers from a new iterator are read through, since a shard's records may
    lie further than an iterator's first answers ("it might take multiple calls to get to a
    portion of the shard that contains stream records", says DynamoDB).

    ``read_ahead``: while ``consume`` handles a batch, the next one is read already (a
    consumer that writes each batch then keeps DynamoDB busy with both)."""
    shard_id = shard["ShardId"]
    closed = "EndingSequenceNumber" in shard["SequenceNumberRange"]
    # An iterator lives 15 minutes and GetRecords may meet trimmed data: each is recovered
    # from once per shard (a fresh iterator, or the oldest record kept), never in a loop.
    recovered: set[type[DataError]] = set()
    kept = result.iterators.pop(shard_id, None)
    # empty answers still read through: none from an iterator a reader kept (it was at the
    # newest record already), a few from a new one
    empty_left = 0 if kept else empty_reads
    next_read: Future[dict[str, Any] | DataError] | None = None
    try:
        iterator = kept or _iterator(client, table, arn, shard_id, result, bound)
        while iterator:
            try:
                if next_read is not None:
                    read, next_read = next_read, None
                    response = _answer(read)
                else:
                    response = _call(client, table, bound, "GetRecords",
                                     ShardIterator=iterator, Limit=per_call)
            except (StreamIteratorExpired, StreamTrimmed) as error:
                if type(error) in recovered:
                    raise
                recovered.add(type(error))
                if isinstance(error, StreamTrimmed):
                    _restart_from_oldest(result, shard_id)
                iterator = _iterator(client, table, arn, shard_id, result, bound)
                continue
            result.get_records_calls += 1
            records = response.get("Records", [])
            iterator = response.get("NextShardIterator")
            if read_ahead and records and iterator:
                next_read = ahead(functools.partial(
                    _call, client, table, bound, "GetRecords", ShardIterator=iterator,
                    Limit=per_call))
            if not consume(records, shard_id):
                return True
            if records:
                empty_left = 0
            elif not closed and iterator:
                if empty_left <= 0:
                    # the newest record of an open shard: nothing more yet
                    result.iterators[shard_id] = iterator
                    return True
                empty_left -= 1
    except _OutOfCalls:
        return False
    finally:
        if next_read is not None:
            futures_wait([next_read])  # not needed any more, but never left behind
    result.position["done"].append(shard_id)  # a closed shard, read to its end
    return True


def _answer(read: Future[dict[str, Any] | DataError]) -> dict[str, Any]:
    """The answer of a read made ahead, or the error it met, raised here."""
    answer = read.result()
    if isinstance(answer, DataError):
        raise answer
    return answer


def _keep(records: list[dict[str, Any]], shard_id: str, result: StreamRead,
          match: Callable[[dict[str, Any]], bool] | None) -> None:
    result.records_read += len(records)
    for raw in records:
        keys = deserialize_item(raw["dynamodb"].get("Keys", {}))
        if match is None or match(keys):
            result.records.append(typed_record(raw, shard_id, keys))
    if records:
        result.position["after"][shard_id] = records[-1]["dynamodb"]["SequenceNumber"]


def typed_record(raw: Mapping[str, Any], shard_id: str, keys: dict[str, Any]) -> StreamRecord:
    """A raw ``GetRecords`` record as dynadmin's typed StreamRecord."""
    change = raw["dynamodb"]
    when = change.get("ApproximateCreationDateTime")
    if isinstance(when, (int, float)):
        when = dt.datetime.fromtimestamp(when, dt.UTC)
    identity = raw.get("userIdentity") or {}
    return StreamRecord(
        event_id=raw.get("eventID", ""), event_name=raw.get("eventName", ""),
        when=when.astimezone(dt.UTC) if isinstance(when, dt.datetime) else None,
        sequence_number=change.get("SequenceNumber", ""), shard_id=shard_id, keys=keys,
        old_image=deserialize_item(change["OldImage"]) if "OldImage" in change else None,
        new_image=deserialize_item(change["NewImage"]) if "NewImage" in change else None,
        identity_type=identity.get("Type"), principal=identity.get("PrincipalId"))
