"""A page of a table's changes, newest first, from a stream that reads forwards only.

No Streams call reads backwards: ``GetShardIterator`` starts at the oldest record kept, or
just after a sequence number, and ``GetRecords`` goes forwards from there. So a page of the
*newest* changes of a window (``stream_windows.StreamWindow``) reads the window forwards,
within the same bounds as every stream read (records per call, calls per request, the
request's time budget), and keeps the last ``count`` wanted records. The first page's window
is the whole stream, from the oldest record kept to the newest; where the bound stops the
read first, the page shows the newest of what it read, says so, and offers the rest of the
window ("read further"). Its Older link reads the window before the page's records; to make
that cheap the read remembers where the few pages before its own begin (``REMEMBERED``
pages of wanted records), else an older page starts again at the oldest record kept. A page
of the *oldest* changes of a window (Newer: the changes just after a page) reads each shard
until it holds ``count`` wanted records, and keeps the first ``count`` of them all.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...definitions.tables import Table
from ..serialization import deserialize_item
from .client import get_streams_client
from .reading import (
    StreamInfo,
    StreamRead,
    StreamRecord,
    list_shards,
    read_bounds,
    read_shard,
    stream_info,
    typed_record,
)
from .windows import ReadExtent, StreamWindow

__all__ = ["REMEMBERED", "StreamPage", "read_stream_page"]

#: Pages of wanted records older than a newest-first page whose start the read remembers,
#: so that many Older pages in a row each read little more than their own records.
REMEMBERED = 3


@dataclass
class StreamPage:
    """One page of a window: the records it shows (newest first), what the read cost, and
    the windows its links read."""

    info: StreamInfo
    window: StreamWindow
    newest_first: bool
    records: list[StreamRecord] = field(default_factory=list)
    records_read: int = 0
    get_records_calls: int = 0
    #: why the read stopped before the window's end: "calls", "time" (else "")
    stopped_by: str = ""
    trimmed_shards: list[str] = field(default_factory=list)
    #: the first and the last record read (whatever the filters kept): where it read
    first_read: StreamRecord | None = None
    last_read: StreamRecord | None = None
    older: StreamWindow | None = None
    newer: StreamWindow | None = None
    #: the rest of the window, when the bound stopped the read ("read further")
    rest: StreamWindow | None = None
    #: where a read of everything after this page starts (follow mode): the newest page
    follow_from: dict[str, Any] | None = None

    @property
    def complete(self) -> bool:
        return not self.stopped_by


def _order(record: StreamRecord) -> tuple[int, str, str]:
    """Records across shards in sequence-number order (the stream's spelling kept last)."""
    return int(record.sequence_number), record.shard_id, record.sequence_number


class _Newest:
    """The newest ``count`` wanted records, and where the few pages before them begin."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.kept: list[tuple[tuple[int, str, str], int, StreamRecord]] = []
        self.group: list[tuple[int, str, str]] = []
        self.evicted: dict[str, str] = {}
        self.serial = itertools.count()

    def add(self, record: StreamRecord) -> bool:
        heapq.heappush(self.kept, (_order(record), next(self.serial), record))
        if len(self.kept) > self.count:
            heapq.heappush(self.group, heapq.heappop(self.kept)[0])
        if len(self.group) > self.count * REMEMBERED:
            _seq, shard, spelt = heapq.heappop(self.group)
            self.evicted[shard] = max(spelt, self.evicted.get(shard, "0"), key=int)
        return True

    def records(self) -> list[StreamRecord]:
        return [record for _o, _n, record in sorted(self.kept, reverse=True)]


class _Oldest:
    """The oldest ``count`` wanted records: each shard read until it holds one more than
    that, which tells whether newer ones follow."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.by_shard: dict[str, list[StreamRecord]] = {}

    def add(self, record: StreamRecord) -> bool:
        held = self.by_shard.setdefault(record.shard_id, [])
        held.append(record)
        return len(held) <= self.count

    def all(self) -> list[StreamRecord]:
        return sorted(itertools.chain.from_iterable(self.by_shard.values()), key=_order)

    def records(self) -> list[StreamRecord]:
        return list(reversed(self.all()[:self.count]))


def read_stream_page(table: Table, window: StreamWindow, *, newest_first: bool, count: int,
                     wanted: Callable[[StreamRecord], bool], info: StreamInfo | None = None,
                     max_calls: int | None = None, per_call: int | None = None) -> StreamPage:
    """Read one page of ``window`` (bounded): its newest ``count`` wanted records, or its
    oldest. A table without a readable stream gives a page whose ``info`` says so."""
    info = info if info is not None else stream_info(table)
    page = StreamPage(info=info, window=window, newest_first=newest_first)
    if not info.readable:
        return page
    bound, per_call = read_bounds(max_calls, per_call)
    client = get_streams_client(table)
    listed = list_shards(client, table, info.arn, bound) or []
    spanned = [s for s in listed if window.before is None or s["ShardId"] in window.before]
    progress = StreamRead(info=info, position={"after": dict(window.after), "done": []})
    keeper: _Newest | _Oldest = _Newest(count) if newest_first else _Oldest(count)
    consumed: dict[str, int] = {}
    for shard in spanned:
        if not window.holds(shard):
            continue
        consume = _consumer(page, progress, keeper, consumed, wanted, window)
        if not read_shard(client, table, info.arn, shard, progress, bound, consume, per_call):
            break
    page.stopped_by = bound.stopped_by
    page.get_records_calls = progress.get_records_calls
    page.trimmed_shards = progress.trimmed_shards
    page.records = keeper.records()
    extent = ReadExtent(
        window=window, shards=[s["ShardId"] for s in spanned], consumed=consumed,
        shown=[(r.sequence_number, r.shard_id) for r in page.records],
        newest_first=newest_first,
        stopped=bool(bound.stopped_by))
    if isinstance(keeper, _Newest):
        extent.group, extent.evicted = len(keeper.group), keeper.evicted
    else:
        extent.more_after = len(keeper.all()) > count
    _links(page, extent, count, progress)
    return page


def _consumer(page: StreamPage, progress: StreamRead, keeper: _Newest | _Oldest,
              consumed: dict[str, int], wanted: Callable[[StreamRecord], bool],
              window: StreamWindow) -> Callable[[list[dict[str, Any]], str], bool]:
    def consume(records: list[dict[str, Any]], shard_id: str) -> bool:
        limit = window.limit(shard_id)
        page.records_read += len(records)
        for raw in records:
            sequence = raw["dynamodb"]["SequenceNumber"]
            if limit is not None and int(sequence) >= limit:
                return False  # the window ends here in this shard
            record = typed_record(raw, shard_id,
                                  deserialize_item(raw["dynamodb"].get("Keys", {})))
            page.first_read = page.first_read or record
            page.last_read = record
            consumed[shard_id] = sequence
            progress.position["after"][shard_id] = sequence
            if wanted(record) and not keeper.add(record):
                return False  # this shard holds a page of the oldest: enough
        return True

    return consume


def _links(page: StreamPage, extent: ReadExtent, count: int, progress: StreamRead) -> None:
    page.older = extent.older(count) if extent.has_older else None
    page.newer = extent.newer() if extent.has_newer else None
    if page.newest_first and extent.stopped:
        page.rest = extent.rest()
    if page.newest_first and page.window.before is None:
        page.follow_from = {"after": dict(progress.position["after"]),
                            "done": list(progress.position["done"])}
