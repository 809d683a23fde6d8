"""Where a page of a stream's changes lies: a window of sequence numbers in every shard.

A shard is read forwards only, from an iterator (its oldest kept record, or just after a
sequence number), so a page of changes is described by where its read starts and where it
must stop in each shard: ``after`` (the last sequence number before the window; a shard it
does not name starts at its oldest kept record) and ``before`` (the first sequence number
past the window; ``None``: up to the newest record, and a bounded window holds only the
shards it names, so a shard made later is never read into an older page). Sequence
numbers are decimal integers, compared as such.

Once a page's read is done, the rest of its window is cut, shard by shard, at the page's
records: what lies before them is the *older* window, what lies after them the *newer*
one. Every shard is cut at one point, so no change falls into both or into neither (a page
boundary neither repeats nor skips a change). Changes from different shards are ordered by
sequence number, which DynamoDB issues in time order within a shard; across shards that
order is the best the stream offers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidCursor

__all__ = ["ReadExtent", "StreamWindow"]


def _positions(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v.isdigit() for k, v in value.items()):
        raise InvalidCursor("This page link holds stream positions dynadmin cannot read.")
    return dict(value)


@dataclass(frozen=True)
class StreamWindow:
    """A stretch of the stream, shard by shard (see the module's docstring)."""

    after: Mapping[str, str] = field(default_factory=dict)
    before: Mapping[str, str] | None = None
    #: whatever ``after`` leaves out is older than every change in the window, so an older
    #: window may start where this one does (a window from a read that stopped part-way
    #: through the shards is not: records it skipped in one shard may be newer)
    sealed: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"after": dict(self.after),
                "before": None if self.before is None else dict(self.before),
                "sealed": self.sealed}

    @classmethod
    def from_json(cls, data: Any) -> StreamWindow:
        if not isinstance(data, Mapping):
            raise InvalidCursor("This page link holds no stream position.")
        before = data.get("before")
        return cls(after=_positions(data.get("after") or {}),
                   before=None if before is None else _positions(before),
                   sealed=bool(data.get("sealed", False)))

    @property
    def from_oldest(self) -> bool:
        """The window starts at the oldest record the stream keeps, in every shard."""
        return not self.after

    def start(self, shard_id: str) -> int:
        """The lowest sequence number the window may hold in a shard."""
        after = self.after.get(shard_id)
        return int(after) + 1 if after is not None else 0

    def limit(self, shard_id: str) -> int | None:
        """The first sequence number past the window in a shard (None: none)."""
        if self.before is None:
            return None
        return int(self.before[shard_id]) if shard_id in self.before else 0

    def holds(self, shard: Mapping[str, Any]) -> bool:
        """Whether a shard (as DescribeStream lists it) may hold records of the window."""
        shard_id = shard["ShardId"]
        span = shard.get("SequenceNumberRange", {})
        ending = span.get("EndingSequenceNumber")
        if ending is not None and int(ending) < self.start(shard_id):
            return False
        limit = self.limit(shard_id)
        return limit is None or int(span.get("StartingSequenceNumber", 0)) < limit


@dataclass
class ReadExtent:
    """How far a read of a window went, shard by shard, and which records its page shows."""

    window: StreamWindow
    #: every shard the stream listed that a bounded window names (all, unbounded), parents
    #: first: each is cut, whether or not it was read
    shards: list[str]
    #: the last sequence number handed to the page in each shard
    consumed: dict[str, str]
    #: (sequence number, shard) of each record the page shows
    shown: list[tuple[str, str]]
    #: the page keeps the newest records of what it read (else the oldest)
    newest_first: bool
    #: the read stopped at its bound (calls or time) before the end of the window
    stopped: bool
    #: a page of the oldest: some shard held more wanted records than the page shows
    more_after: bool = False
    #: a page of the newest: wanted records read that are older than the page's, the
    #: newest ``remembered`` of them counted in ``group`` and the rest cut off at
    #: ``evicted`` (the newest left out, per shard)
    group: int = 0
    evicted: dict[str, str] = field(default_factory=dict)

    def _cut(self, shard_id: str) -> int:
        """Where the shard is cut: older records below, the page's and newer ones from."""
        shown = [int(seq) for seq, shard in self.shown if shard == shard_id]
        start = self.window.start(shard_id)
        if shown:
            cut = min(shown)
        elif self.newest_first and shard_id in self.consumed:
            cut = int(self.consumed[shard_id]) + 1  # all read here is older than the page
        else:
            cut = start  # nothing here is older than the page (or nothing was read)
        limit = self.window.limit(shard_id)
        return max(start, cut) if limit is None else min(max(start, cut), limit)

    def _newer_start(self, shard_id: str) -> str | None:
        # Positions sent to DynamoDB keep the stream's own spelling (leading zeros count).
        shown = [seq for seq, shard in self.shown if shard == shard_id]
        if shown:
            return max(shown, key=int)
        if (self.newest_first and shard_id in self.consumed
                and self._cut(shard_id) > self.window.start(shard_id)):
            return self.consumed[shard_id]
        return self.window.after.get(shard_id)

    @property
    def has_older(self) -> bool:
        if not self.window.from_oldest:
            return True
        return self.newest_first and bool(self.group or self.evicted)

    @property
    def has_newer(self) -> bool:
        if self.window.before is not None:
            return True  # the page this one was reached from lies after it
        return self.stopped or self.more_after

    def older(self, count: int) -> StreamWindow:
        """The window before the page's records: what its Older link reads (newest first).

        It starts at the oldest record kept unless this read remembered where the records
        just older than its page begin (``evicted``: records further back are older still),
        or the window was sealed and still holds at least a page of them."""
        before = {s: str(self._cut(s)) for s in self.shards}
        inherited = dict(self.window.after) if self.window.sealed else {}
        if self.newest_first and self.evicted:
            after = {**inherited, **self.evicted}
            return StreamWindow(after=after, before=before, sealed=self.window.sealed)
        if self.newest_first and self.window.sealed and self.group >= count:
            return StreamWindow(after=inherited, before=before, sealed=True)
        return StreamWindow(after={}, before=before, sealed=True)

    def newer(self) -> StreamWindow:
        """The window after the page's records, to the newest: what Newer reads (oldest
        first, so the next page follows this one without a gap)."""
        after = {s: start for s in self.shards if (start := self._newer_start(s)) is not None}
        return StreamWindow(after=after, before=None, sealed=False)

    def rest(self) -> StreamWindow:
        """From where a stopped read left off to the window's end: "read further"."""
        after = dict(self.window.after)
        after.update(self.consumed)
        return StreamWindow(after=after, before=self.window.before, sealed=False)
