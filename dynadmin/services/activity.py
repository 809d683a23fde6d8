"""A table's Activity: the latest changes across the table, from its DynamoDB Stream.

The same bounded read as an item's Recent changes (``data.read_stream``: records per call,
calls per request, the request's time budget), kept for every key instead of one. A stream is
read oldest first, so one read shows the records it reached, newest first; "read further"
and follow mode continue from where it stopped. Filters by partition key narrow what is kept
while reading; entity and event filters, and the person's view permissions, apply to each
record's item. A change the person may not view is dropped before anything is counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .. import data
from ..definitions import Table, parse_any
from .changes import (
    Change,
    StreamReadOutcome,
    audit_entries_by_key,
    change_of,
    trimmed_text,
)
from .key_params import item_url, key_text
from .names import item_name
from .tables import described_table
from .values import number_text

__all__ = ["ACTIVITY_EVENTS", "ActivityEntry", "ActivityFilters", "TableActivity",
           "table_activity"]

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
    """One bounded read of the table's stream."""

    filters: ActivityFilters
    entries: list[ActivityEntry] = field(default_factory=list)  # newest first
    #: where the next read starts (JSON-safe): "read further" and follow mode
    position: dict[str, Any] = field(default_factory=dict)

    @property
    def total_read(self) -> int:
        return self.records_before + self.records_read

    @property
    def summary(self) -> str:
        if self.records_before:
            return _("Stream records %(first)s–%(last)s read.") % {
                "first": number_text(self.records_before + 1),
                "last": number_text(self.total_read)}
        return _("%(read)s stream records read.") % {"read": number_text(self.records_read)}

    @property
    def trimmed_text(self) -> str:
        return trimmed_text() if self.trimmed else ""

    @property
    def bound_text(self) -> str:
        if self.complete:
            return ""
        if self.stopped_by == "time":
            return _("Stopped reading: this page's time for DynamoDB was nearly spent. Newer "
                     "records have not been read.")
        return _("Stopped reading after %(calls)s GetRecords calls, this page's bound. Newer "
                 "records have not been read.") % {"calls": number_text(self.get_records_calls)}


def table_activity(table: Table, filters: ActivityFilters, *,
                   may_view: Callable[[dict[str, Any]], bool],
                   site: Any = None, position: Mapping[str, Any] | None = None,
                   records_before: int = 0) -> TableActivity:
    """Read the table's stream once (bounded) from ``position`` and keep the changes that
    pass the filters and whose item (``may_view`` of its image) this person may see."""
    info = data.StreamInfo.from_description(described_table(table)[0])
    result = TableActivity(table=table, info=info, filters=filters,
                           records_before=records_before)
    if not result.available:
        return result
    pk_attribute = table.primary.pk
    match = (None if not filters.pk
             else lambda keys: str(keys.get(pk_attribute, "")) == filters.pk)
    read = data.read_stream(table, info=info, position=position, match=match)
    result.records_read, result.get_records_calls = read.records_read, read.get_records_calls
    result.complete, result.stopped_by = read.complete, read.stopped_by
    result.position = read.position
    result.trimmed = bool(read.trimmed_shards)
    kept = [r for r in read.records if _wanted(table, r, filters, may_view)]
    entries = audit_entries_by_key(table, kept)
    for record in reversed(kept):
        text = key_text(table, record.keys)
        change = change_of(table, record, entries.setdefault(text[:1024], []))
        result.entries.append(_entry(site, table, record, change, text))
    return result


def _wanted(table: Table, record: data.StreamRecord, filters: ActivityFilters,
            may_view: Callable[[dict[str, Any]], bool]) -> bool:
    image = record.new_image or record.old_image or record.keys
    if filters.event and record.event_name != filters.event:
        return False
    if filters.entity:
        entity = table.classify(image)
        if entity is None or entity._meta.label != filters.entity:
            return False
    return may_view(image)


def _entry(site: Any, table: Table, record: data.StreamRecord, change: Change,
           text: str) -> ActivityEntry:
    image = record.new_image or record.old_image or record.keys
    parsed = parse_any(table, image)
    return ActivityEntry(
        change=change, name=item_name(site, table, image), key_text=text,
        url=item_url(table, dict(record.keys)),
        entity=str(parsed.entity._meta.verbose_name) if parsed.entity is not None else "")
