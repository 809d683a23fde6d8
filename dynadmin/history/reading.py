"""Reading the archive: an item's changes, a table's (or one partition's) changes, newest
first, and what the consumer last said, each read a Query of a declared key.

A position in the archive is a change's sort key, ``AT#<time>#<sequence>``: it names the
change, its hour (a table's changes are kept in one index partition per hour) and its place
among the others, so one string is a cursor both ways: "older than this" reads below it,
"newer than this" above it. A read stops at the page's size or at its bound on Queries, and
says where it stopped; a person's filters (entity, event, who) are applied to what was read
(``wanted``), so a short page says "read further" rather than reading without end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import data
from ..data import fence
from ..data.reads import SortCondition
from ..data.serialization import loads_dynamodb_json
from ..data.streams.reading import StreamRecord
from ..definitions.tables import Table
from .archive import (
    HOUR,
    MOMENT,
    archive,
    archive_is_on,
    hour_partition,
    item_partition,
    partition_partition,
)

__all__ = ["ArchiveHealth", "ArchiveOff", "ArchiveRead", "ArchivedChange", "ArchivedGap",
           "ConsumerStatus", "POSITION_PREFIX", "archive_health", "archived_change",
           "consumer_status", "hour_of", "item_history", "moment_of", "partition_history",
           "position_at", "table_history"]

POSITION_PREFIX = "AT#"
#: Above every ``AT#`` key: a table's hour partition lists the consumer's status there.
STATUS_SORT_KEY = "~STATUS"
#: The index whose hour partitions hold it.
STATUS_INDEX = "GSI1"
#: Queries one read of a table's changes may make, at most (hours without the changes a
#: filter wants are read through until then).
QUERIES_PER_READ = 8
#: Items a Query reads when a filter may drop some (without one, exactly the page plus one).
FILTERED_QUERY_LIMIT = 200
#: Hours listed per Query of the consumer's status partition (the hours that had changes).
HOURS_PER_QUERY = 500

Wanted = Callable[[list["ArchivedChange"]], list["ArchivedChange"]]


@dataclass(frozen=True)
class ArchivedChange(StreamRecord):
    """One archived change: a stream record as the archive keeps it."""

    #: its sort key in the archive (``AT#<time>#<sequence>``): the cursor for "around it"
    position: str = ""
    ttl_deletion: bool = False
    #: images too large to archive with the change (``old_image``, ``new_image``)
    images_left_out: tuple[str, ...] = ()
    #: why an image could not be read back (an archive item written by something else)
    unreadable: str = ""

    @property
    def is_ttl_deletion(self) -> bool:
        return self.ttl_deletion or super().is_ttl_deletion


@dataclass(frozen=True)
class ConsumerStatus:
    """What the consumer last said about a table."""

    reported_at: dt.datetime
    archived_up_to: dt.datetime | None
    consumer: str  # "follow" or "lambda"
    newest_change_at: dt.datetime | None

    def lag(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """How far behind now the archive is complete (None: never read to the end)."""
        if self.archived_up_to is None:
            return None
        return max((now or dt.datetime.now(dt.UTC)) - self.archived_up_to, dt.timedelta(0))

    def silent_for(self, now: dt.datetime | None = None) -> dt.timedelta:
        return max((now or dt.datetime.now(dt.UTC)) - self.reported_at, dt.timedelta(0))


@dataclass
class ArchiveRead:
    """One read of the archive: the changes kept, newest first, and where to go on."""

    changes: list[ArchivedChange] = field(default_factory=list)
    #: changes beyond those read in the direction read (older, or newer for ``after``)
    more: bool = False
    #: where a read in the same direction goes on from (a position), when ``more``
    next_position: str = ""
    #: the consumer's status, when the read met it (a table's newest hour)
    status: ConsumerStatus | None = None
    status_read: bool = False
    queries: int = 0
    #: changes read, before ``wanted`` kept some
    read: int = 0
    #: what a page made of each change ahead of time, in the thread that read it (by the
    #: change's ``id``): see ``services.changes.item_changes.read_archive``
    prepared: dict[int, Any] = field(default_factory=dict)
    #: the images decoded, by their text: changes read together share them
    decoded: dict[str, Any] = field(default_factory=dict, repr=False)


class ArchiveOff(data.TableNotFound):
    """The project turned the archive off (``DYNADMIN_HISTORY_TABLE = ""``): a read finds
    no archive, as when it was never set up, and the pages say which."""

    def __init__(self) -> None:
        super().__init__("The archive of changes is turned off (DYNADMIN_HISTORY_TABLE is "
                         "empty).")


def _ensure_on() -> None:
    if not archive_is_on():
        raise ArchiveOff()


def position_at(moment: dt.datetime) -> str:
    """The position just below every change made in the second of ``moment``'s end: a
    ``before`` bound that keeps the changes of that second is ``position_at(moment)+"~"``."""
    return POSITION_PREFIX + moment.astimezone(dt.UTC).strftime(MOMENT)


def hour_of(position: str) -> str:
    """The hour (``HOUR``) of a position."""
    return position[len(POSITION_PREFIX):len(POSITION_PREFIX) + 13]


_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", re.ASCII)


def moment_of(position: str) -> dt.datetime | None:
    """The time of the change at a position (to the second), or the hour a position names
    began (an hour's start, where a read stopped between hours); None when it names none."""
    text = position[len(POSITION_PREFIX):]
    if len(text) >= 20 and text[19] == "Z" and _SECOND.fullmatch(text, 0, 19):
        # a change's own position (``MOMENT``), as every page reads it: the fast parse
        try:
            return dt.datetime.fromisoformat(text[:19]).replace(tzinfo=dt.UTC)
        except ValueError:
            pass  # digits in place, but no time (minute 61...): read as strptime reads it
    for spelling, length in ((MOMENT, 20), (HOUR, 13)):
        try:
            return dt.datetime.strptime(text[:length], spelling).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    return None


def _hour_start(hour: str) -> str:
    return POSITION_PREFIX + hour


def archived_change(item: Mapping[str, Any],
                    decoded: dict[str, Any] | None = None) -> ArchivedChange:
    """An archive's Change item as a record. An image that cannot be read back (the archive
    is a table like any other: something else may have written it) is left out and said.

    ``decoded``: the images one read decoded already, by their text. Changes read together
    share them: an item's keys are the same in each of its changes, and one change's old
    image is most often the change before's new image, so a page of History decodes each
    once (and ``attribute_changes`` types each once). The records' images are read, never
    changed, by whoever shows them."""
    problems = []

    def image(name: str) -> dict[str, Any] | None:
        text = item.get(name)
        if text is None:
            return None
        text = str(text)
        if decoded is not None and text in decoded:
            return decoded[text]
        try:
            value = loads_dynamodb_json(text)
        except (TypeError, ValueError) as error:
            problems.append(f"{name}: {error}")
            return None
        if not isinstance(value, dict):
            problems.append(f"{name}: not a map")
            return None
        if decoded is not None:
            decoded[text] = value
        return value

    keys = image("keys_json") or {}
    when = _moment_text(item.get("changed_at")) or moment_of(str(item.get(archive.sk, "")))
    left_out = str(item.get("images_left_out") or "").split()
    return ArchivedChange(
        event_id=str(item.get("sequence_number") or ""),
        event_name=str(item.get("event") or ""), when=when,
        sequence_number=str(item.get("sequence_number") or ""),
        shard_id=str(item.get("shard_id") or ""), keys=keys,
        old_image=image("old_image"), new_image=image("new_image"),
        identity_type=item.get("identity_type"), principal=item.get("principal"),
        position=str(item.get(archive.sk, "")), ttl_deletion=bool(item.get("ttl_deletion")),
        images_left_out=tuple(left_out), unreadable="; ".join(problems))


def _moment_text(text: Any) -> dt.datetime | None:
    """A time as the archive stores it (ISO text, UTC), None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _typed(item: Mapping[str, Any]) -> dict[str, Any]:
    from .archive import Change, Status

    entity = Status if item.get(archive.sk) == STATUS_SORT_KEY or str(
        item.get(archive.pk, "")).startswith("STATUS#") else Change
    return dict(entity.parse_item(item).values)


def _status(item: Mapping[str, Any]) -> ConsumerStatus | None:
    values = _typed(item)
    reported = values.get("reported_at")
    if not isinstance(reported, dt.datetime):
        return None
    up_to = values.get("archived_up_to")
    newest = values.get("newest_change_at")
    return ConsumerStatus(
        reported_at=reported,
        archived_up_to=up_to if isinstance(up_to, dt.datetime) else None,
        consumer=str(values.get("consumer") or "follow"),
        newest_change_at=newest if isinstance(newest, dt.datetime) else None)


def _bounds(before: str | None, after: str | None, floor: str | None) -> SortCondition | None:
    low = max(filter(None, (after, floor)), default=None)
    if before is not None and low is not None:
        # between is inclusive: the bounds themselves are dropped after reading
        return SortCondition("between", low, before)
    if before is not None:
        return SortCondition("<", before)
    if low is not None:
        return SortCondition(">", low) if after is not None and low == after else (
            SortCondition(">=", low))
    return None


def _read_partition(index: data.Index, partition: str, result: ArchiveRead, *, count: int,
                    before: str | None, after: str | None, floor: str | None,
                    wanted: Wanted | None, max_queries: int) -> tuple[bool, str]:
    """Read one partition from ``before`` down (or from ``after`` up) until ``count``
    changes are kept or the Queries run out: (whether it holds more in that direction, the
    position to go on from)."""
    newest_first = after is None
    condition = _bounds(before, after, floor)
    start: dict[str, Any] | None = None
    reached = ""  # the last change read in this partition, kept or not
    while True:
        if result.queries >= max_queries:
            # go on from the last change read: a filter may have kept none of them
            return True, reached or (
                result.changes[-1].position if result.changes else (before or ""))
        need = count - len(result.changes)
        # one more than needed tells whether there is more; in an hour's partition, read
        # up to its top, the consumer's status may come too (an item's holds none)
        limit = need + (2 if before is None and index.name == STATUS_INDEX else 1)
        if wanted is not None:
            limit = max(limit, FILTERED_QUERY_LIMIT)
        page = data.query(index, partition, condition, forward=not newest_first, limit=limit,
                          start_key=start)
        result.queries += 1
        batch = []
        for item in page.items:
            sort_key = str(item.get(index.sk, ""))
            if sort_key == STATUS_SORT_KEY:
                # the newest hour's: an older hour's status says less
                if not result.status_read:
                    result.status, result.status_read = _status(item), True
                continue
            if sort_key in (before, after) or not sort_key.startswith(POSITION_PREFIX):
                continue
            batch.append(item)
            reached = sort_key
        result.read += len(batch)
        if wanted is None:
            # unfiltered, only the changes the page shows are decoded: the one read beyond
            # them just says that there is more
            kept = [archived_change(item, result.decoded)
                    for item in batch[:count - len(result.changes)]]
            result.changes.extend(kept)
            if len(batch) > len(kept):
                return True, result.changes[-1].position
        else:
            for change in wanted([archived_change(item, result.decoded) for item in batch]):
                if len(result.changes) == count:
                    # one more than the page: there is more, from the last one shown
                    return True, result.changes[-1].position
                result.changes.append(change)
        start = page.last_evaluated_key
        if start is None:
            return False, ""
        if len(result.changes) == count:
            # the page is full and the partition goes on: go on from where the read stopped
            # (a filter may have kept fewer than it read)
            return True, str(start[index.sk]) if wanted is not None else (
                result.changes[-1].position)


def item_history(table: Table, key: Mapping[str, Any], *, count: int,
                 before: str | None = None, after: str | None = None,
                 wanted: Wanted | None = None, max_queries: int = 1) -> ArchiveRead:
    """The item's changes, newest first: the newest ``count`` (below ``before`` when
    given), or the ``count`` just newer than ``after``. One Query without a filter."""
    _ensure_on()
    result = ArchiveRead()
    if not fence.allows_key(table, key):
        return result  # outside the person's scopes: as an item that never changed
    more, result.next_position = _read_partition(
        archive.primary, item_partition(table.table_name, key), result, count=count,
        before=before, after=after, floor=None, wanted=wanted, max_queries=max_queries)
    result.more = more
    if after is not None:
        result.changes.reverse()
    return result


def partition_history(table: Table, value: Any, *, count: int, before: str | None = None,
                      after: str | None = None, since: dt.datetime | None = None,
                      until: dt.datetime | None = None, wanted: Wanted | None = None,
                      max_queries: int = QUERIES_PER_READ) -> ArchiveRead:
    """The changes of the items of one partition of the table, newest first (none made
    before ``since`` or after ``until``)."""
    _ensure_on()
    result = ArchiveRead()
    if not fence.allows_partition(table.primary, value):
        return result  # outside the person's scopes: as a partition that never changed
    ceiling = position_at(until) + "~" if until else None
    if ceiling is not None and (before is None or before > ceiling):
        before = ceiling
    more, result.next_position = _read_partition(
        archive.index("GSI2"), partition_partition(table.table_name, value), result,
        count=count, before=before, after=after,
        floor=position_at(since) if since else None, wanted=wanted, max_queries=max_queries)
    result.more = more
    if after is not None:
        result.changes.reverse()
    return result


def _hours_with_changes(table: Table, *, below: str | None, above: str | None,
                        floor_hour: str | None, result: ArchiveRead) -> list[str]:
    """The hours before ``below`` (newest first), or after ``above`` (oldest first), in
    which the consumer archived changes: one Query of the table's status partition."""
    from .archive import Status

    partition = Status.key({"source_table": table.table_name, "hour": "-"})[archive.pk]
    if above is not None:
        condition = SortCondition(">", f"HOUR#{above}")
    elif floor_hour is not None and below is not None:
        condition = SortCondition("between", f"HOUR#{floor_hour}", f"HOUR#{below}")
    elif below is not None:
        condition = SortCondition("<", f"HOUR#{below}")
    else:
        condition = None
    page = data.query(archive.primary, partition, condition, forward=above is not None,
                      limit=HOURS_PER_QUERY)
    result.queries += 1
    hours = []
    for item in page.items:
        hour = str(item.get("hour") or "")
        if item.get("has_changes") and hour and hour not in (below, above):
            hours.append(hour)
        if item.get("reported_at") is not None and not result.status_read and above is None:
            # the newest status met: what the consumer last said
            result.status, result.status_read = _status(item), True
    return hours


def table_history(table: Table, *, count: int, before: str | None = None,
                  after: str | None = None, since: dt.datetime | None = None,
                  until: dt.datetime | None = None, wanted: Wanted | None = None,
                  max_queries: int = QUERIES_PER_READ,
                  now: dt.datetime | None = None) -> ArchiveRead:
    """The table's changes, newest first: the newest ``count`` (below ``before``, or made
    until ``until``), or the ``count`` just newer than ``after``; none before ``since``.

    Each hour is one index partition. The newest page starts with the current hour, whose
    Query also brings the consumer's status; when it holds too few changes, the hours that
    had changes are listed from the status partition (one Query) and read in turn."""
    _ensure_on()
    now = now or dt.datetime.now(dt.UTC)
    result = ArchiveRead()
    floor = position_at(since) if since else None
    index = archive.index("GSI1")
    if after is not None:
        return _table_newer(table, result, count=count, after=after, until=until, now=now,
                            wanted=wanted, max_queries=max_queries)
    if before is None and until is not None and until < now:
        # (an end still to come reads from the current hour, as the newest page does)
        before = position_at(until) + "~"
    hour = hour_of(before) if before else now.astimezone(dt.UTC).strftime(HOUR)
    floor_hour = hour_of(floor) if floor else None
    hours: list[str] | None = None
    while True:
        bound = before if before and hour_of(before) == hour else None
        more, position = _read_partition(
            index, hour_partition(table.table_name, dt.datetime.strptime(
                hour, HOUR).replace(tzinfo=dt.UTC)), result, count=count, before=bound,
            after=None, floor=floor, wanted=wanted, max_queries=max_queries)
        if more:
            result.more, result.next_position = True, position or _hour_start(hour)
            return result
        if floor_hour is not None and hour <= floor_hour:
            return result
        if len(result.changes) >= count:
            # full just as the hour ends: an older hour may hold more
            if hours is None and result.queries < max_queries:
                hours = _hours_with_changes(table, below=hour, above=None,
                                            floor_hour=floor_hour, result=result)
            result.more = True if hours is None else bool(hours)
            result.next_position = _hour_start(hour) if result.more else ""
            return result
        if hours is None:
            if result.queries >= max_queries:
                result.more, result.next_position = True, _hour_start(hour)
                return result
            hours = _hours_with_changes(table, below=hour, above=None,
                                        floor_hour=floor_hour, result=result)
        if not hours:
            return result
        if result.queries >= max_queries:
            result.more, result.next_position = True, _hour_start(hour)
            return result
        hour = hours.pop(0)


def _table_newer(table: Table, result: ArchiveRead, *, count: int, after: str,
                 until: dt.datetime | None, now: dt.datetime, wanted: Wanted | None,
                 max_queries: int) -> ArchiveRead:
    index = archive.index("GSI1")
    ceiling = position_at(until) + "~" if until else None
    hour = hour_of(after)
    hours: list[str] | None = None
    while True:
        more, position = _read_partition(
            index, hour_partition(table.table_name, dt.datetime.strptime(
                hour, HOUR).replace(tzinfo=dt.UTC)), result, count=count,
            before=ceiling if ceiling and hour_of(ceiling) == hour else None,
            after=after if hour_of(after) == hour else _hour_start(hour), floor=None,
            wanted=wanted, max_queries=max_queries)
        if more or len(result.changes) >= count:
            result.more, result.next_position = more, position
            break
        if hours is None:
            if result.queries >= max_queries:
                result.more, result.next_position = True, _hour_start(hour) + "~"
                break
            hours = _hours_with_changes(table, below=None, above=hour, floor_hour=None,
                                        result=result)
            if ceiling:
                hours = [h for h in hours if h <= hour_of(ceiling)]
        if not hours or result.queries >= max_queries:
            result.more = bool(hours)
            # the hour was read to its end: a read that goes on starts above all of it
            result.next_position = (_hour_start(hour) + "~" if hours else
                                    result.changes[-1].position if result.changes else after)
            break
        hour = hours.pop(0)
    del now
    result.changes.reverse()
    return result


def consumer_status(table: Table) -> ConsumerStatus | None:
    """What the consumer last said about the table: one Query (its status partition,
    newest first, one item)."""
    _ensure_on()
    from .archive import Status

    partition = Status.key({"source_table": table.table_name, "hour": "-"})[archive.pk]
    page = data.query(archive.primary, partition, forward=False, limit=1)
    return _status(page.items[0]) if page.items else None


@dataclass(frozen=True)
class ArchivedGap:
    """Changes of one shard the consumer could not archive (the stream no longer kept them)."""

    shard_id: str
    after: str  # the last sequence number archived before it (padded), "0…0": none
    until: str  # the first read again (padded), "" when unknown
    reason: str
    noticed_at: dt.datetime | None


@dataclass
class ArchiveHealth:
    """The archive, for a table's health page: what the consumer last said, and the gaps."""

    status: ConsumerStatus | None = None
    gaps: list[ArchivedGap] = field(default_factory=list)
    #: more gaps than listed
    more_gaps: bool = False
    missing: bool = False


#: Gaps a table's health page lists (the newest noticed... by sequence: the latest first).
GAPS_LISTED = 20


def archive_health(table: Table) -> ArchiveHealth:
    """Two Queries: the consumer's last status, and the table's gaps (newest first)."""
    _ensure_on()
    from .archive import Gap

    health = ArchiveHealth()
    try:
        health.status = consumer_status(table)
    except data.TableNotFound:
        health.missing = True
        return health
    partition = Gap.key({"source_table": table.table_name, "shard_id": "-",
                         "after": "0"})[archive.pk]
    page = data.query(archive.primary, partition, forward=False, limit=GAPS_LISTED)
    for item in page.items:
        values = Gap.parse_item(item).values
        noticed = values.get("noticed_at")
        health.gaps.append(ArchivedGap(
            shard_id=str(values.get("shard_id") or ""), after=str(values.get("after") or ""),
            until=str(values.get("until") or ""), reason=str(values.get("reason") or ""),
            noticed_at=noticed if isinstance(noticed, dt.datetime) else None))
    health.more_gaps = page.last_evaluated_key is not None
    return health
