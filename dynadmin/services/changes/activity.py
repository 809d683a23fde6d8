"""A table's Activity: the latest changes across the table, from the archive of changes.

The archive keeps a table's changes one index partition per hour, newest first
(``history.reading.table_history``), and one partition's changes in a partition of their own
(``partition_history``): the newest page is one Query of the current hour while it holds a
page, whose answer also carries what the consumer last said (how far the archive is
complete). Older and Newer read from a change's position below or above it; follow mode
reads only the changes newer than the newest shown.

The entity, event and who filters (``activity_filters``) and the person's view permissions
decide which of the changes read are kept (``wanted``): a change the person may not view is
never shown or counted, and a read that stops at its bound before filling a page says so and
offers to read further. The time range and the partition narrow the Query itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ... import conf, data
from ...definitions import Table, parse_any
from ...history.archive import archive, archive_is_on
from ...history.reading import (
    POSITION_PREFIX,
    ArchivedChange,
    ArchiveRead,
    ConsumerStatus,
    consumer_status,
    moment_of,
    partition_history,
    table_history,
)
from ..display.names import item_name
from ..display.values import datetime_text, number_text
from ..tables.summaries import described_table
from ..url_keys import item_url, key_text
from .activity_filters import ActivityFilters
from .attribution import audit_entries_for
from .item_changes import (
    Change,
    MayViewChange,
    labelled_changes,
    may_view_record,
    stream_advice,
    stream_problem,
)

__all__ = ["ActivityEntry", "TableActivity", "activity_page", "activity_since", "is_position"]

#: A position's length: an hour's start (``AT#2026-01-15T09``) at the least, a change's
#: (``AT#<time>#<40-digit sequence>``) at the most, with room to spare.
MIN_POSITION_CHARS, MAX_POSITION_CHARS = 14, 100
#: A consumer that has not reported for this long is taken for stopped.
SILENT_AFTER = dt.timedelta(minutes=1)


def is_position(value: Any) -> bool:
    """Is ``value`` a position in the archive a page link may carry?"""
    return (isinstance(value, str) and value.startswith(POSITION_PREFIX)
            and MIN_POSITION_CHARS <= len(value) <= MAX_POSITION_CHARS
            and value.isprintable())


@dataclass
class ActivityEntry:
    """One change across the table: the change as an item's page shows it, and its item."""

    change: Change
    name: str
    key_text: str
    url: str
    entity: str  # the entity's verbose name, "" for an unclassified item
    position: str
    #: what the archive could not keep of the change (an image too large, unreadable)
    note: str = ""


@dataclass(kw_only=True)
class TableActivity:
    """One read of the table's archived changes: a page (newest first), or, in follow
    mode, the changes newer than the newest shown."""

    table: Table
    filters: ActivityFilters
    #: "newest" (the first page), "older", "newer" (a page link's), "follow" (a poll)
    direction: str = "newest"
    entries: list[ActivityEntry] = field(default_factory=list)  # newest first
    read: ArchiveRead = field(default_factory=ArchiveRead)
    #: what the consumer last said (None: never reported for this table, or not read)
    status: ConsumerStatus | None = None
    status_known: bool = False
    #: the archive's table does not exist
    missing_archive: bool = False
    #: why nothing can be archived (the table's stream), when nothing is
    stream_problem: str = ""
    stream_advice: str = ""
    #: the position a follow poll goes on from
    follow_from: str = ""
    #: the page is followed: polls add changes above those shown
    following: bool = False
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def available(self) -> bool:
        return not self.missing_archive

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def newest(self) -> str:
        return self.entries[0].position if self.entries else ""

    @property
    def oldest(self) -> str:
        return self.entries[-1].position if self.entries else ""

    @property
    def stopped_short(self) -> bool:
        """The read stopped at its bound before it filled the page (a filter left out most
        of what it read): older changes have not been read yet."""
        return (self.direction in ("newest", "older") and self.read.more
                and self.count < conf.get("ACTIVITY_PER_PAGE"))

    @property
    def summary(self) -> str:
        """What was read (for whoever sees every change: it counts those left out)."""
        read = ngettext("%(read)s change read", "%(read)s changes read",
                        self.read.read) % {"read": number_text(self.read.read)}
        queries = ngettext("in %(queries)s Query of the archive.",
                           "in %(queries)s Queries of the archive.",
                           self.read.queries) % {"queries": number_text(self.read.queries)}
        return f"{read} {queries}"

    @property
    def shown_text(self) -> str:
        count = self.count
        shown = number_text(count)
        if self.direction == "follow" or self.following:
            return _("Showing the newest changes, newest first; each change archived after "
                     "them is added at the top.")
        if self.direction == "newer":
            return ngettext("Showing %(shown)s change: the next after the page you came from.",
                            "Showing %(shown)s changes: the next after the page you came "
                            "from, newest first.", count) % {"shown": shown}
        if self.direction == "older":
            return ngettext("Showing %(shown)s change older than the page you came from.",
                            "Showing %(shown)s changes older than the page you came from, "
                            "newest first.", count) % {"shown": shown}
        if self.filters.until is not None:
            return ngettext("Showing the newest change until %(until)s.",
                            "Showing the newest %(shown)s changes until %(until)s, newest "
                            "first.", count) % {"shown": shown,
                                                "until": datetime_text(self.filters.until)}
        return ngettext("Showing the newest change.",
                        "Showing the newest %(shown)s changes, newest first.",
                        count) % {"shown": shown}

    @property
    def bound_text(self) -> str:
        if not self.stopped_short:
            return ""
        when = moment_of(self.read.next_position)
        where = (_(" at the changes made around %(when)s") % {"when": datetime_text(when)}
                 if when is not None else "")
        return _("Stopped reading%(where)s: this page reads at most %(queries)s Queries of "
                 "the archive. Older changes have not been read yet: read further to go "
                 "on.") % {"where": where, "queries": number_text(self.read.queries)}

    @property
    def empty_text(self) -> str:
        if self.stopped_short:
            return _("No changes found in the part read.")
        if self.filters.as_params():
            return _("No changes match these filters.")
        if self.direction == "older":
            return _("No older changes.")
        return _("No changes archived yet.")

    # -- the consumer ------------------------------------------------------------------
    @property
    def lag_text(self) -> str:
        """How far the archive is complete: ``Archived up to 4 s ago``."""
        status = self.status
        if status is None:
            return ""
        if status.consumer == "lambda":
            return _("Archived by AWS Lambda; it last archived changes %(ago)s ago "
                     "(%(when)s).") % {"ago": _ago(status.silent_for(self.now)),
                                       "when": datetime_text(status.reported_at)}
        lag = status.lag(self.now)
        if lag is None:
            return _("The consumer has not yet archived every change made so far (it last "
                     "reported %(ago)s ago).") % {"ago": _ago(status.silent_for(self.now))}
        return _("Archived up to %(ago)s ago.") % {"ago": _ago(lag)}

    @property
    def lag_warning(self) -> str:
        """The consumer does not seem to run: changes made since are not shown yet."""
        if not self.status_known or self.missing_archive:
            return ""
        status = self.status
        if status is None and not self.entries:
            return _("No consumer has archived this table's changes yet, so none are shown. "
                     "Start one beside the server: python manage.py dynadmin_history follow "
                     "(or deploy dynadmin.history.lambda_handler on the table's stream).")
        if status is None:
            return _("No consumer reports on this table: is `python manage.py "
                     "dynadmin_history follow` running? Changes made since it stopped are not "
                     "shown until it archives them.")
        if status.consumer == "follow" and status.silent_for(self.now) > SILENT_AFTER:
            return _("The consumer has not reported for %(ago)s: is `python manage.py "
                     "dynadmin_history follow` running? Changes made since are not shown "
                     "until it archives them.") % {"ago": _ago(status.silent_for(self.now))}
        return ""

    @property
    def missing_text(self) -> str:
        if not archive_is_on():
            return _("The archive of changes is turned off in this project's settings "
                     "(DYNADMIN_HISTORY_TABLE = ""), so no change can be shown. To turn it "
                     "on, name its table in that setting, create it, and archive the tables' "
                     "changes beside the server:")
        return _("The archive of changes (table %(name)s) does not exist yet, so no change "
                 "can be shown. Create it, then archive the tables' changes beside the "
                 "server:") % {"name": archive.table_name}

    @property
    def setup_commands(self) -> str:
        return "python manage.py dynadmin_history setup && python manage.py dynadmin_history follow"


def _ago(delta: dt.timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{number_text(seconds // size)} {unit}"
    return f"{number_text(seconds)} s"


class _Wanted:
    """Which changes read the page keeps: the filters and the person's permissions first,
    then who made them, labelled once (the labels are kept for the rows)."""

    def __init__(self, table: Table, filters: ActivityFilters, may_view: MayViewChange,
                 *, sees_everything: bool) -> None:
        self.table, self.filters, self.may_view = table, filters, may_view
        self.sees_everything = sees_everything
        self.labels: dict[str, Change] = {}

    def passes(self, record: ArchivedChange) -> bool:
        filters = self.filters
        if filters.event and record.event_name != filters.event:
            return False
        if filters.entity:
            image = record.new_image or record.old_image or record.keys
            entity = self.table.classify(image)
            if entity is None or entity._meta.label != filters.entity:
                return False
        if not self.sees_everything and (record.unreadable or record.images_left_out):
            # an image the archive could not keep cannot be judged: not shown
            return False
        return may_view_record(record, self.may_view)

    def __call__(self, batch: list[ArchivedChange]) -> list[ArchivedChange]:
        kept = [record for record in batch if self.passes(record)]
        return [record for record in self.label(kept)
                if not self.filters.who or self.labels[record.position].origin
                == self.filters.who]

    def label(self, records: list[ArchivedChange]) -> list[ArchivedChange]:
        todo = [r for r in records if r.position not in self.labels]
        if todo:
            changes = labelled_changes(self.table, list(todo),
                                       audit_entries_for(self.table, None, todo))
            for record, change in zip(todo, changes, strict=True):
                self.labels[record.position] = change
        return records


def _read(table: Table, filters: ActivityFilters, wanted: _Wanted | None, *, count: int,
          before: str | None = None, after: str | None = None) -> ArchiveRead:
    if filters.pk_value is not None:
        return partition_history(table, filters.pk_value, count=count, before=before,
                                 after=after, since=filters.since, until=filters.until,
                                 wanted=wanted)
    return table_history(table, count=count, before=before, after=after, since=filters.since,
                         until=filters.until, wanted=wanted)


def _activity(table: Table, filters: ActivityFilters, *, may_view: MayViewChange,
              sees_everything: bool, site: Any, direction: str, before: str | None = None,
              after: str | None = None) -> TableActivity:
    result = TableActivity(table=table, filters=filters, direction=direction)
    wanted = (_Wanted(table, filters, may_view, sees_everything=sees_everything)
              if filters.keeps_some or not sees_everything else None)
    labels = wanted or _Wanted(table, filters, may_view, sees_everything=True)
    try:
        read = _read(table, filters, wanted, count=conf.get("ACTIVITY_PER_PAGE"),
                     before=before, after=after)
        result.read = read
        if direction in ("newest", "follow"):
            result.status, result.status_known = read.status, read.status_read
            if not read.status_read or read.status is None:
                # the consumer last said something in an earlier hour (or never)
                result.status, result.status_known = consumer_status(table), True
    except data.TableNotFound:
        result.missing_archive = True
        return result
    labels.label(read.changes)
    for record in read.changes:
        result.entries.append(_entry(site, table, record, labels.labels[record.position]))
    if direction == "follow":
        result.follow_from = result.newest or after or ""
    else:
        # Nothing shown: changes archived from now on are newer than this hour's start.
        result.follow_from = result.newest or (
            POSITION_PREFIX + result.now.strftime("%Y-%m-%dT%H"))
    if (direction == "newest" and not result.entries and result.status is None
            and not filters.as_params()):
        # Nothing was ever archived: the table's stream may be why.
        info = data.StreamInfo.from_description(described_table(table)[0])
        result.stream_problem = stream_problem(info)
        result.stream_advice = stream_advice(table, info) if result.stream_problem else ""
    return result


def activity_page(table: Table, filters: ActivityFilters, *, may_view: MayViewChange,
                  sees_everything: bool = False, site: Any = None, before: str | None = None,
                  after: str | None = None) -> TableActivity:
    """One page of the table's changes that pass the filters and that this person may see
    (``may_view``: the key's entity and both images): the newest (below ``before`` when
    given), or the page just newer than ``after``. ``sees_everything``: the person may
    view every change (nothing to leave out unless a filter asks)."""
    direction = "newer" if after else ("older" if before else "newest")
    return _activity(table, filters, may_view=may_view, sees_everything=sees_everything,
                     site=site, direction=direction, before=before, after=after)


def activity_since(table: Table, filters: ActivityFilters, *, may_view: MayViewChange,
                   sees_everything: bool = False, site: Any = None,
                   after: str) -> TableActivity:
    """Follow mode: the changes newer than ``after`` (the newest shown), newest first."""
    return _activity(table, filters, may_view=may_view, sees_everything=sees_everything,
                     site=site, direction="follow", after=after)


def _entry(site: Any, table: Table, record: ArchivedChange, change: Change) -> ActivityEntry:
    image = record.new_image or record.old_image or record.keys
    parsed = parse_any(table, image)
    notes = []
    if record.images_left_out:
        notes.append(_("Too large to archive: %(images)s.") % {
            "images": ", ".join(name.replace("_", " ") for name in record.images_left_out)})
    if record.unreadable:
        notes.append(_("Could not be read back: %(problem)s.") % {"problem": record.unreadable})
    return ActivityEntry(
        change=change, name=item_name(site, table, image), key_text=key_text(table, record.keys),
        url=item_url(table, dict(record.keys)), position=record.position,
        entity=str(parsed.entity._meta.verbose_name) if parsed.entity is not None else "",
        note=" ".join(notes))
