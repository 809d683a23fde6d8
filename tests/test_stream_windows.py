"""Stream windows, without a stream: a page's cut leaves every record of every shard in
exactly one place (the older window, the page, or the newer window), however the shards
interleave and wherever a read stopped."""

from __future__ import annotations

import pytest

from dynadmin.data import InvalidCursor, StreamWindow
from dynadmin.data.streams.windows import ReadExtent


def seq(n: int) -> str:
    """A sequence number as DynamoDB Local spells it: 21 digits, leading zeros kept."""
    return str(n).zfill(21)


# Two shards written at once, their records interleaved in sequence-number order.
SHARDS = {"A": [seq(n) for n in (1, 3, 5, 7, 9)], "B": [seq(n) for n in (2, 4, 6, 8, 10)]}


def inside(window: StreamWindow, shard: str, sequence: str) -> bool:
    limit = window.limit(shard)
    return window.start(shard) <= int(sequence) and (limit is None or int(sequence) < limit)


def places(extent: ReadExtent, count: int) -> dict[tuple[str, str], list[str]]:
    shown = set(extent.shown)
    found: dict[tuple[str, str], list[str]] = {}
    for shard, records in SHARDS.items():
        for sequence in records:
            where = found.setdefault((shard, sequence), [])
            if (sequence, shard) in shown:
                where.append("page")
            if extent.has_older and inside(extent.older(count), shard, sequence):
                where.append("older")
            if extent.has_newer and inside(extent.newer(), shard, sequence):
                where.append("newer")
    return found


@pytest.mark.parametrize(("consumed", "shown", "newest_first", "stopped"), [
    # The newest three of both shards read to their ends.
    ({"A": seq(9), "B": seq(10)}, [(seq(10), "B"), (seq(9), "A"), (seq(8), "B")], True,
     False),
    # The read stopped in shard B: what it read of A and B, the newest three kept.
    ({"A": seq(9), "B": seq(4)}, [(seq(9), "A"), (seq(7), "A"), (seq(5), "A")], True, True),
    # The read stopped before shard B: only A was read.
    ({"A": seq(9)}, [(seq(9), "A"), (seq(7), "A")], True, True),
    # The oldest three after a page that showed 2 and 1 (Newer): each shard read until it
    # held one more than a page.
    ({"A": seq(9), "B": seq(10)}, [(seq(5), "A"), (seq(4), "B"), (seq(3), "A")], False,
     False),
])
def test_every_record_is_in_exactly_one_place(consumed, shown, newest_first,
                                              stopped) -> None:
    window = (StreamWindow() if newest_first
              else StreamWindow(after={"A": seq(1), "B": seq(2)}, sealed=False))
    extent = ReadExtent(window=window, shards=["A", "B"], consumed=consumed,
                        shown=shown, newest_first=newest_first, stopped=stopped,
                        more_after=not newest_first, group=3 if newest_first else 0)
    records_read = {(s, q) for s, last in consumed.items() for q in SHARDS[s]
                    if int(q) <= int(last)}

    for (shard, sequence), where in places(extent, 3).items():
        # A record read by a stopped newest-first page but not kept is older than the page.
        assert len(where) == 1, (shard, sequence, where)
        if (shard, sequence) in records_read and where != ["page"] and newest_first:
            assert where == ["older"]


def test_an_older_window_starts_where_the_read_remembered_and_keeps_the_spelling() -> None:
    extent = ReadExtent(window=StreamWindow(), shards=["A", "B"],
                        consumed={"A": seq(9), "B": seq(10)},
                        shown=[(seq(10), "B"), (seq(9), "A")], newest_first=True,
                        stopped=False, group=4, evicted={"A": seq(1)})

    older = extent.older(2)

    assert older.after == {"A": seq(1)}  # records at or before it are older than 4 more
    assert older.before == {"A": "9", "B": "10"}  # compared, never sent to DynamoDB
    assert extent.newer().after == {"A": seq(9), "B": seq(10)}
    assert extent.rest().after == {"A": seq(9), "B": seq(10)}


def test_a_window_names_the_shards_it_holds() -> None:
    window = StreamWindow(after={"A": seq(3)}, before={"A": seq(9)})

    assert window.holds({"ShardId": "A", "SequenceNumberRange": {
        "StartingSequenceNumber": seq(1)}})
    assert not window.holds({"ShardId": "B", "SequenceNumberRange": {
        "StartingSequenceNumber": seq(1)}})  # made after the window was cut
    assert not window.holds({"ShardId": "A", "SequenceNumberRange": {
        "StartingSequenceNumber": seq(1), "EndingSequenceNumber": seq(2)}})
    assert StreamWindow.from_json(window.to_json()) == window


@pytest.mark.parametrize("data", [None, "all", {"after": {"A": "twelve"}},
                                  {"after": {}, "before": ["A"]}])
def test_a_window_dynadmin_cannot_read_is_refused(data) -> None:
    with pytest.raises(InvalidCursor):
        StreamWindow.from_json(data)
