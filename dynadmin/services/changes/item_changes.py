"""An item's History: every change to it, whoever made it, newest first, from the archive of
changes (one Query), merged with the audit log's entries about it into one timeline.

The archive (``dynadmin.history``) holds every change its consumer read from the table's
stream, for as long as the team keeps it; the audit log holds what dynadmin's writes tried.
A change made through dynadmin shows its audit entry (who, the action, Undo where allowed:
``attribution`` decides which entry made it); an entry that made no archived change on the
page (refused, a conflict, failed, or not archived yet) is a row of its own, at its time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from ... import data
from ...definitions import Table
from ...history import reading
from ...models import AuditEntry
from ..display.markup import change_row_html, diff_html
from ..display.values import datetime_text, number_text
from .attribution import (
    AUDIT_AFTER,
    AUDIT_BEFORE,
    AUDIT_OUTCOMES,
    attribute,
    audit_entries_for,
    time_of,
)
from .diffs import AttributeChange, attribute_changes

__all__ = ["Change", "HistoryRow", "ItemHistory", "MayViewChange", "change_of",
           "item_history", "labelled_changes", "may_view_record", "read_archive",
           "stream_advice", "stream_problem"]

#: The audit entries a page of History shows beside its archived changes, at most.
ENTRIES_PER_PAGE = 50


@dataclass
class Change:
    """One change to an item, as the pages show it."""

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
    #: its place in the archive (a cursor around it), "" for a record read elsewhere
    position: str = ""
    #: what of the change could not be kept or read back (too large, written by something else)
    incomplete: str = ""

    @property
    def origin_badge(self) -> str:
        return {"dynadmin": "ok", "ttl": "warn"}.get(self.origin, "muted")

    @property
    def diff_html(self) -> SafeString:
        """The change attribute by attribute, as its cell shows it (``markup.diff_html``)."""
        return diff_html(self.attributes)


@dataclass
class HistoryRow:
    """One line of an item's History: an archived change (with the audit entry of the
    dynadmin write that made it, if one did), or an audit entry alone."""

    when: dt.datetime | None
    change: Change | None = None
    entry: AuditEntry | None = None

    @property
    def when_text(self) -> str:
        return datetime_text(self.when) if self.when else _("unknown time")

    #: the hidden CSRF input of the page's forms (markup), for Undo; set by the view
    csrf_input: str = ""

    @property
    def html(self) -> SafeString:
        """An archived change's row, as one format string (``markup.change_row_html``)."""
        return change_row_html(self, self.csrf_input)

    @property
    def not_archived_yet(self) -> bool:
        """A write dynadmin applied whose change the archive does not hold (yet)."""
        return self.change is None and self.entry is not None and (
            self.entry.outcome == AuditEntry.Outcome.APPLIED)


#: The audit entries about the item this person may see, made in ``(since, until]`` (either
#: end open when None), newest first, at most ``limit``.
VisibleEntries = Callable[[dt.datetime | None, dt.datetime | None, int], list[AuditEntry]]


@dataclass(kw_only=True)
class ItemHistory:
    """One page of an item's History."""

    table: Table
    key: dict[str, Any]
    rows: list[HistoryRow] = field(default_factory=list)  # newest first
    #: the archived changes shown (in the rows too)
    changes: list[Change] = field(default_factory=list)
    #: older changes exist: read on below ``older_position``
    older_position: str = ""
    #: the page is not the newest: newer changes are above ``newer_position``
    newer_position: str = ""
    #: the archive table does not exist (``dynadmin_history setup`` has not run), or is off
    archive_missing: bool = False
    #: the project turned the archive off (``DYNADMIN_HISTORY_TABLE = ""``)
    archive_off: bool = False
    #: why the archive could not be read (DynamoDB unavailable...), None when it was
    failure: data.DataError | None = None
    #: why the table's changes are not archived (no stream...), when the page is empty
    problem: str = ""
    advice: str = ""
    queries: int = 0

    @property
    def is_newest(self) -> bool:
        return not self.newer_position

    @property
    def error(self) -> str:
        return f"{self.failure.title}: {self.failure.message}" if self.failure else ""

    @property
    def summary(self) -> str:
        """How many changes the page shows, in words."""
        count = len(self.changes)
        if not count:
            return ""
        return ngettext("%(count)s change to this item archived, newest first.",
                        "%(count)s changes to this item archived, newest first.",
                        count) % {"count": number_text(count)}


def labelled_changes(table: Table, records: list[data.StreamRecord],
                     entries: list[AuditEntry], prepared: Mapping[int, Any] | None = None
                     ) -> list[Change]:
    """The records as the pages show them, each credited to the audit entry of the dynadmin
    write that made it (``attribution.attribute``), else to elsewhere or TTL. ``prepared``:
    their attribute changes, made already (``read_archive``)."""
    made = attribute(table, records, entries)
    prepared = prepared or {}
    return [change_of(table, record, made.get(record.sequence_number),
                      attributes=prepared.get(id(record))) for record in records]


def change_of(table: Table, record: data.StreamRecord, entry: AuditEntry | None, *,
              attributes: list[AttributeChange] | None = None) -> Change:
    """One record as the pages show it; ``entry``: the audit entry of the write that made
    it, when dynadmin did; ``attributes``: its attribute changes, when made already."""
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
        attributes=(attributes if attributes is not None
                    else attribute_changes(table, record.old_image, record.new_image)),
        audit_entry=entry, position=getattr(record, "position", ""),
        incomplete=_incomplete(record))


def _incomplete(record: data.StreamRecord) -> str:
    if not isinstance(record, reading.ArchivedChange):
        return ""
    if record.unreadable:
        return _("Part of this change could not be read back from the archive "
                 "(%(problem)s).") % {"problem": record.unreadable}
    if record.images_left_out:
        return _("The item was too large to archive both its images with this change: "
                 "the values before (or after) are not shown.")
    return ""


_EVENT_LABELS = {"INSERT": _lazy("created"), "MODIFY": _lazy("changed"),
                 "REMOVE": _lazy("deleted")}


def stream_problem(info: data.StreamInfo) -> str:
    if not info.readable:
        return _("This table has no DynamoDB Stream, so changes made outside dynadmin are "
                 "not archived.")
    if not info.has_both_images:
        return _("This table's stream records carry %(view)s only, not both the old and the "
                 "new image, so a change cannot be shown attribute by attribute.") % {
                     "view": info.view_type}
    return ""


def stream_advice(table: Table, info: data.StreamInfo) -> str:
    """How to turn on what History needs (an AWS CLI command to copy)."""
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
    """A change is shown only to whoever may view its key's entity and both its images."""
    return may_view is None or may_view(dict(record.keys),
                                        (record.old_image, record.new_image))


def _page_entries(table: Table, key: Mapping[str, Any], shown: list[data.StreamRecord],
                  entries: VisibleEntries, bottom: dt.datetime | None,
                  top: dt.datetime | None) -> tuple[list[AuditEntry], list[AuditEntry]]:
    """The audit entries a page of History needs, from one read of the item's entries: those
    that may have made the changes shown (near their times), and every entry read (those
    made in the page's stretch of time ``(bottom, top]`` are its rows). A REMOVE may be a
    key move's, whose entry is filed under the key it reached: only then are other keys'
    entries read too."""
    times = [when for when in map(time_of, shown) if when is not None]
    low = min(times) - AUDIT_BEFORE if times else None
    high = max(times) + AUDIT_AFTER if times else None
    since = bottom if bottom is None or low is None else min(bottom, low)
    until = top if top is None or high is None else max(top, high)
    fetched = entries(since, until, ENTRIES_PER_PAGE + len(shown))
    candidates = [entry for entry in fetched if entry.outcome in AUDIT_OUTCOMES
                  and low is not None and high is not None and low <= entry.created_at <= high]
    if any(record.event_name == "REMOVE" for record in shown):
        known = {entry.pk for entry in fetched}
        candidates += [entry for entry in audit_entries_for(table, key, shown)
                       if entry.pk not in known]
    return candidates, fetched


def read_archive(table: Table, key: Mapping[str, Any], *, count: int,
                 before: str | None = None, after: str | None = None
                 ) -> reading.ArchiveRead | data.DataError:
    """The one Query of the archive a page of History makes (or the error it met), and
    each change's attributes before and after in the entity's words: read beside the
    page's other reads (``alongside``), the thread that waited for the archive does that
    work too while the page's own thread waits for its reads."""
    try:
        read = reading.item_history(table, key, count=count, before=before, after=after)
    except data.DataError as error:
        return error
    # the changes share their images (``reading.archived_change``): each is typed once
    typed: dict[int, Any] = {}
    read.prepared = {id(change): attribute_changes(table, change.old_image, change.new_image,
                                                   typed=typed)
                     for change in read.changes}
    return read


def item_history(table: Table, key: Mapping[str, Any], *, count: int,
                 before: str | None = None, after: str | None = None,
                 may_view: MayViewChange | None = None,
                 entries: VisibleEntries | None = None, explain: bool = True,
                 read: reading.ArchiveRead | data.DataError | None = None) -> ItemHistory:
    """One page of the item's History: its newest ``count`` archived changes (older than
    ``before``, or just newer than ``after``) in one Query, the changes ``may_view`` keeps
    (all: the command line), labelled, with the audit entries ``entries`` gives for the
    same stretch of time. ``explain``: when no change is archived, say why the table's
    changes may not be (no stream...), from its description. ``read``: the archive's
    answer when the caller read it already (``read_archive``), alongside other reads."""
    key = dict(key)
    result = ItemHistory(table=table, key=key)
    if read is None:
        read = read_archive(table, key, count=count, before=before, after=after)
    if isinstance(read, data.TableNotFound):
        result.archive_off = isinstance(read, reading.ArchiveOff)
        result.archive_missing, read = True, reading.ArchiveRead()
    elif isinstance(read, data.DataError):
        # the item's page still answers: its History says what went wrong
        result.failure, read = read, reading.ArchiveRead()
    result.queries = read.queries
    shown = [record for record in read.changes if may_view_record(record, may_view)]
    if read.changes:
        newest, oldest = read.changes[0], read.changes[-1]
        # Older reads below the oldest change shown, Newer above the newest one
        if after is None:
            result.older_position = oldest.position if read.more else ""
            result.newer_position = newest.position if before else ""
        else:
            result.older_position = oldest.position
            result.newer_position = newest.position if read.more else ""
        top = None if result.is_newest else newest.when
        bottom = oldest.when if result.older_position else None
    else:
        top = reading.moment_of(before) if before else None
        bottom = reading.moment_of(after) if after else None
        if after is not None:
            result.older_position = after
    if entries is None:
        candidates, visible = audit_entries_for(table, key, shown), []
    else:
        candidates, visible = _page_entries(table, key, shown, entries, bottom, top)
    result.changes = labelled_changes(table, shown, candidates, read.prepared)
    # A change's row shows its entry as this person sees it (in the entity's words, with
    # its Undo); a key move's entry, filed under the key it reached, is that key's to show.
    described = {entry.pk: entry for entry in visible}
    rows = [HistoryRow(when=change.when, change=change,
                       entry=described.get(change.audit_entry.pk) if change.audit_entry
                       else None) for change in result.changes]
    made = {change.audit_entry.pk for change in result.changes if change.audit_entry}
    rows += [HistoryRow(when=entry.created_at, entry=entry) for entry in visible
             if entry.pk not in made and (bottom is None or entry.created_at > bottom)
             and (top is None or entry.created_at <= top)][:ENTRIES_PER_PAGE]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda row: row.when or epoch, reverse=True)
    result.rows = rows
    if (explain and not read.changes and not result.archive_missing and before is None
            and after is None):
        from ..tables.summaries import described_table

        info = data.StreamInfo.from_description(described_table(table)[0])
        result.problem, result.advice = stream_problem(info), stream_advice(table, info)
    return result
