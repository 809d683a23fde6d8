"""An item's Recent changes, from the table's DynamoDB Stream: whoever made them.

The audit log knows the changes made through dynadmin; the stream knows every change (24
hours on AWS). A record is "made through dynadmin" when an applied audit entry for the same
key wrote the same image within a short while of the record's time (a key move's one entry
counts for both keys: the REMOVE at the key it left, the INSERT at the one it reached); else
it was made elsewhere, or, a REMOVE by DynamoDB's own service identity, by TTL. One read is
bounded (``data.read_stream``): the page says how many records it read and offers to read
further from where it stopped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from ... import data
from ...definitions import Table
from ...models import AuditEntry
from ..display.values import datetime_text, number_text
from ..tables.summaries import described_table
from .attribution import attribute, audit_entries_for
from .diffs import AttributeChange, attribute_changes

__all__ = ["Change", "ItemChanges", "MayViewChange", "change_of", "labelled_changes",
           "item_changes", "may_view_record", "stream_advice", "stream_problem",
           "trimmed_text"]


@dataclass
class Change:
    """One record about the item, as the page shows it."""

    event: str  # INSERT, MODIFY, REMOVE
    event_label: str
    when: dt.datetime | None
    when_text: str
    origin: str  # "dynadmin", "ttl", "elsewhere"
    origin_label: str
    attributes: list[AttributeChange]
    sequence_number: str
    #: the audit entry of the dynadmin write that made it (who, exactly when)
    audit_entry: AuditEntry | None = None

    @property
    def origin_badge(self) -> str:
        return {"dynadmin": "ok", "ttl": "warn"}.get(self.origin, "muted")


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


@dataclass(kw_only=True)
class ItemChanges(StreamReadOutcome):
    """One bounded read of the stream for one item."""

    key: dict[str, Any]
    changes: list[Change] = field(default_factory=list)  # newest first
    #: where a further read starts (JSON-safe), when this one stopped at its bound
    position: dict[str, Any] | None = None

    @property
    def summary(self) -> str:
        count = len(self.changes)
        shown = number_text(count)
        read = number_text(self.records_read)
        if self.records_before:
            return ngettext(
                "%(shown)s change to this item in stream records %(first)s–%(last)s.",
                "%(shown)s changes to this item in stream records %(first)s–%(last)s.",
                count) % {
                "shown": shown, "first": number_text(self.records_before + 1),
                "last": number_text(self.records_before + self.records_read)}
        return ngettext(
            "%(shown)s change to this item among %(read)s stream records read.",
            "%(shown)s changes to this item among %(read)s stream records read.",
            count) % {"shown": shown, "read": read}

    @property
    def bound_text(self) -> str:
        """Where the read stopped and why (empty when it read everything the stream keeps)."""
        if self.complete:
            return ""
        if self.stopped_by == "time":
            return _("Stopped reading: this page's time for DynamoDB was nearly spent. Newer "
                     "records have not been read.")
        return _("Stopped reading after %(calls)s GetRecords calls, this page's bound. Newer "
                 "records have not been read.") % {"calls": number_text(self.get_records_calls)}

    @property
    def total_read(self) -> int:
        return self.records_before + self.records_read

    @property
    def trimmed_text(self) -> str:
        return trimmed_text() if self.trimmed else ""


def trimmed_text() -> str:
    """What a read that started again from the oldest record kept says."""
    return _("The stream no longer keeps the records after where the last read stopped (a "
             "stream keeps changes for 24 hours): reading started again from the oldest "
             "record it keeps, so changes made in between cannot be shown.")


def stream_problem(info: data.StreamInfo) -> str:
    if not info.readable:
        return _("This table has no DynamoDB Stream, so changes made outside dynadmin cannot "
                 "be shown.")
    if not info.has_both_images:
        return _("This table's stream records carry %(view)s only, not both the old and the "
                 "new image, so a change cannot be shown attribute by attribute.") % {
                     "view": info.view_type}
    return ""


def stream_advice(table: Table, info: data.StreamInfo) -> str:
    """How to turn on what Recent changes needs (an AWS CLI command to copy)."""
    enable = (f"aws dynamodb update-table --table-name {table.table_name} "
              "--stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES")
    if not info.readable:
        return _("Enable a stream with old and new images: %(command)s") % {"command": enable}
    if not info.has_both_images:
        return _("A stream's view type cannot be changed in place: disable the stream "
                 "(StreamEnabled=false), then enable it again: %(command)s. Applications "
                 "reading the stream will see a new stream ARN.") % {"command": enable}
    return ""


#: May this person see a change to the item at these keys that shows these images?
MayViewChange = Callable[[dict[str, Any], tuple[dict[str, Any] | None, ...]], bool]


def may_view_record(record: data.StreamRecord, may_view: MayViewChange | None) -> bool:
    """A record is shown only to whoever may view its key's entity and both its images."""
    return may_view is None or may_view(dict(record.keys),
                                        (record.old_image, record.new_image))


def item_changes(table: Table, key: Mapping[str, Any],
                 position: Mapping[str, Any] | None = None, records_before: int = 0,
                 *, max_calls: int | None = None, per_call: int | None = None,
                 may_view: MayViewChange | None = None) -> ItemChanges:
    """Read the stream (one bounded read) for the changes to the item at ``key``; only
    those ``may_view`` allows (all of them when None: the command line)."""
    key = dict(key)
    info = data.StreamInfo.from_description(described_table(table)[0])
    result = ItemChanges(table=table, key=key, info=info, records_before=records_before)
    if not result.available:
        return result
    read = data.read_stream(table, info=info, position=position, max_calls=max_calls,
                            per_call=per_call, match=lambda keys: keys == key)
    result.records_read, result.get_records_calls = read.records_read, read.get_records_calls
    result.complete, result.stopped_by = read.complete, read.stopped_by
    result.position = None if read.complete else read.position
    result.trimmed = bool(read.trimmed_shards)
    shown = [record for record in reversed(read.records) if may_view_record(record, may_view)]
    result.changes = labelled_changes(table, shown, audit_entries_for(table, key, shown))
    return result


def labelled_changes(table: Table, records: list[data.StreamRecord],
                     entries: list[AuditEntry]) -> list[Change]:
    """The records as the page shows them, each credited to the audit entry of the dynadmin
    write that made it (``attribution.attribute``), else to elsewhere or TTL."""
    made = attribute(table, records, entries)
    return [change_of(table, record, made.get(record.sequence_number)) for record in records]


def change_of(table: Table, record: data.StreamRecord, entry: AuditEntry | None) -> Change:
    """One record as the page shows it; ``entry``: the audit entry of the write that made
    it, when dynadmin did."""
    if entry is not None:
        origin, label = "dynadmin", _("made through dynadmin by %(user)s") % {
            "user": entry.username}
    elif record.is_ttl_deletion:
        origin, label = "ttl", _("deleted by DynamoDB's TTL (expired)")
    else:
        origin, label = "elsewhere", _("made elsewhere (not through dynadmin)")
    return Change(
        event=record.event_name,
        event_label=str(_EVENT_LABELS.get(record.event_name, record.event_name)),
        when=record.when,
        when_text=datetime_text(record.when) if record.when else _("unknown time"),
        origin=origin, origin_label=label, sequence_number=record.sequence_number,
        attributes=attribute_changes(table, record.old_image, record.new_image),
        audit_entry=entry)


_EVENT_LABELS = {"INSERT": _lazy("created"), "MODIFY": _lazy("changed"),
                 "REMOVE": _lazy("deleted")}
