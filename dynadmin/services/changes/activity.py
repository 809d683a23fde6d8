"""A table's Activity: the latest changes across the table, from its DynamoDB Stream.

A stream is read forwards only, so a page of the newest changes reads a window of it
forwards within the usual bounds (records per call, calls per request, the request's time
budget) and keeps the last page of wanted changes (``data.read_stream_page``): the first page
reads from the oldest record kept to the newest, Older reads the window before a page's
changes, Newer the changes just after them, and where the bound stops a read first the page
says where and offers to read further. Follow mode reads everything after the newest page's
read (``data.read_stream``). The partition, entity and event filters and the person's view
permissions decide which records are wanted, so a change the person may not view is never
shown or counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ... import conf, data
from ...definitions import Table, parse_any
from ..display.names import item_name
from ..display.values import datetime_text, number_text
from ..tables.summaries import described_table
from ..url_keys import item_url, key_text
from .attribution import audit_entries_for
from .item_changes import (
    Change,
    MayViewChange,
    labelled_changes,
    may_view_record,
    stream_advice,
    stream_problem,
)


@dataclass(kw_only=True)
class StreamReadOutcome:
    """What one bounded read of a table's stream did, shared by an item's changes and the
    table's activity: how far it read, why it stopped, and whether the stream can answer."""

    table: Table
    info: data.StreamInfo
    records_read: int = 0
    #: records read before this read, by the reads this one continues
    records_before: int = 0
    get_records_calls: int = 0
    complete: bool = True
    stopped_by: str = ""
    #: the position read from was older than the stream keeps: read from the oldest record
    trimmed: bool = False

    @property
    def available(self) -> bool:
        return self.info.readable and self.info.has_both_images

    @property
    def problem(self) -> str:
        """Why the stream cannot show these changes (empty when it can)."""
        return stream_problem(self.info)

    @property
    def advice(self) -> str:
        return stream_advice(self.table, self.info)


def trimmed_text() -> str:
    """What a read that started again from the oldest record kept says."""
    return _("The stream no longer keeps the records after where the last read stopped (a "
             "stream keeps changes for 24 hours): reading started again from the oldest "
             "record it keeps, so changes made in between cannot be shown.")


__all__ = ["ACTIVITY_EVENTS", "ActivityEntry", "ActivityFilters", "TableActivity",
           "activity_page", "activity_since"]

ACTIVITY_EVENTS = ("INSERT", "MODIFY", "REMOVE")


@dataclass(frozen=True)
class ActivityFilters:
    """What the person asked to see: an entity (its label), one partition, one event type."""

    entity: str = ""
    pk: str = ""
    event: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str], entities: set[str]) -> ActivityFilters:
        """From the query string; an unknown entity or event is ignored, not an error."""
        entity = params.get("entity", "")
        event = params.get("event", "").upper()
        return cls(entity=entity if entity in entities else "",
                   pk=params.get("pk", "").strip(),
                   event=event if event in ACTIVITY_EVENTS else "")

    def as_params(self) -> dict[str, str]:
        return {name: value for name, value in
                (("entity", self.entity), ("pk", self.pk), ("event", self.event)) if value}


@dataclass
class ActivityEntry:
    """One change across the table: the change as an item's page shows it, and its item."""

    change: Change
    name: str
    key_text: str
    url: str
    entity: str  # the entity's verbose name, "" for an unclassified item


@dataclass(kw_only=True)
class TableActivity(StreamReadOutcome):
    """One bounded read of the table's stream: a page (newest first, or the changes just
    after a page) or, in follow mode, everything since the last poll."""

    filters: ActivityFilters
    entries: list[ActivityEntry] = field(default_factory=list)  # newest first
    #: the page read (None in follow mode): the windows its links read
    page: data.StreamPage | None = None
    #: follow mode: where the next poll starts (JSON-safe)
    position: dict[str, Any] | None = None
    #: the first and last record read, whatever the filters kept
    first_read: data.StreamRecord | None = None
    last_read: data.StreamRecord | None = None

    @property
    def is_newest(self) -> bool:
        """The page holds the newest changes the stream has (as of its read)."""
        return self.page is not None and self.page.newer is None

    @property
    def summary(self) -> str:
        read = _("%(read)s stream records read in %(calls)s GetRecords calls") % {
            "read": number_text(self.records_read),
            "calls": number_text(self.get_records_calls)}
        if self.first_read is not None and self.last_read is not None:
            read += _(", changes made from %(first)s to %(last)s") % {
                "first": _when(self.first_read), "last": _when(self.last_read)}
        return read + "."

    @property
    def shown_text(self) -> str:
        """Which of the records read the page shows."""
        if self.page is None:
            return ""
        count = len(self.entries)
        shown = number_text(count)
        if not self.page.newest_first:
            return ngettext("Showing %(shown)s change: the next after the page you came from.",
                            "Showing %(shown)s changes: the next after the page you came "
                            "from, newest first.", count) % {"shown": shown}
        if self.is_newest:
            return ngettext("Showing the newest change.",
                            "Showing the newest %(shown)s changes, newest first.",
                            count) % {"shown": shown}
        return ngettext("Showing the newest change of those read.",
                        "Showing the newest %(shown)s changes of those read, newest first.",
                        count) % {"shown": shown}

    @property
    def trimmed_text(self) -> str:
        return trimmed_text() if self.trimmed else ""

    @property
    def bound_text(self) -> str:
        if self.complete:
            return ""
        where = (_(" at a change made %(when)s") % {"when": _when(self.last_read)}
                 if self.last_read is not None else "")
        if self.stopped_by == "time":
            stopped = _("Stopped reading%(where)s: this page's time for DynamoDB was nearly "
                        "spent.") % {"where": where}
        else:
            stopped = _("Stopped reading%(where)s after %(calls)s GetRecords calls, this "
                        "page's bound.") % {"where": where,
                                            "calls": number_text(self.get_records_calls)}
        return stopped + " " + _("Later records have not been read yet: read further to "
                                 "reach the newest.")


def _when(record: data.StreamRecord) -> str:
    return datetime_text(record.when) if record.when is not None else _("at an unknown time")


def activity_page(table: Table, filters: ActivityFilters, *,
                  may_view: MayViewChange, site: Any = None,
                  window: data.StreamWindow | None = None, newest_first: bool = True,
                  stream: str | None = None) -> TableActivity:
    """One page of the table's changes that pass the filters and that this person may see
    (``may_view``: the key's entity and both images): the newest of ``window`` (the whole stream by
    default), or, ``newest_first=False``, the oldest (the page just after another).
    ``stream``: the stream ARN the window's positions belong to."""
    info = data.StreamInfo.from_description(described_table(table)[0])
    result = TableActivity(table=table, info=info, filters=filters)
    if not result.available:
        return result
    if stream is not None and stream != info.arn:
        raise data.InvalidCursor(_(
            "The table's stream has been replaced since this page link was made, so its "
            "positions mean nothing now. Start again from the newest changes."))
    page = data.read_stream_page(
        table, window or data.StreamWindow(), newest_first=newest_first,
        count=conf.get("ACTIVITY_PER_PAGE"), info=info,
        wanted=lambda record: _wanted(table, record, filters, may_view))
    result.page, result.first_read, result.last_read = page, page.first_read, page.last_read
    result.records_read, result.get_records_calls = page.records_read, page.get_records_calls
    result.complete, result.stopped_by = page.complete, page.stopped_by
    result.trimmed = bool(page.trimmed_shards)
    _add_entries(result, site, page.records)  # newest first already
    return result


def activity_since(table: Table, filters: ActivityFilters, *,
                   may_view: MayViewChange, site: Any = None,
                   position: Mapping[str, Any] | None = None) -> TableActivity:
    """Follow mode: every change read (bounded) after ``position``, newest first."""
    info = data.StreamInfo.from_description(described_table(table)[0])
    result = TableActivity(table=table, info=info, filters=filters)
    if not result.available:
        return result
    read = data.read_stream(table, info=info, position=position)
    result.records_read, result.get_records_calls = read.records_read, read.get_records_calls
    result.complete, result.stopped_by = read.complete, read.stopped_by
    result.position = read.position
    result.trimmed = bool(read.trimmed_shards)
    if read.records:
        result.first_read, result.last_read = read.records[0], read.records[-1]
    kept = [r for r in read.records if _wanted(table, r, filters, may_view)]
    _add_entries(result, site, list(reversed(kept)))
    return result


def _add_entries(result: TableActivity, site: Any, records: list[data.StreamRecord]) -> None:
    table = result.table
    changes = labelled_changes(table, records, audit_entries_for(table, None, records))
    for record, change in zip(records, changes, strict=True):
        result.entries.append(_entry(site, table, record, change, key_text(table, record.keys)))


def _wanted(table: Table, record: data.StreamRecord, filters: ActivityFilters,
            may_view: MayViewChange) -> bool:
    image = record.new_image or record.old_image or record.keys
    if filters.pk and str(record.keys.get(table.primary.pk, "")) != filters.pk:
        return False
    if filters.event and record.event_name != filters.event:
        return False
    if filters.entity:
        entity = table.classify(image)
        if entity is None or entity._meta.label != filters.entity:
            return False
    return may_view_record(record, may_view)


def _entry(site: Any, table: Table, record: data.StreamRecord, change: Change,
           text: str) -> ActivityEntry:
    image = record.new_image or record.old_image or record.keys
    parsed = parse_any(table, image)
    return ActivityEntry(
        change=change, name=item_name(site, table, image), key_text=text,
        url=item_url(table, dict(record.keys)),
        entity=str(parsed.entity._meta.verbose_name) if parsed.entity is not None else "")
