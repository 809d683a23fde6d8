"""Audit entries as History and Recent actions show them: in the entity's words.

An entry's diff is kept per stored attribute (``GSI2PK``, ``version``, ``status``). A person
reads the fields that changed by their labels ("Status: PENDING → SHIPPED"); what only keeps
the design working (the table's and indexes' key attributes, the type attribute, the
version) and the write's condition sit apart, as technical details. An undo names the entry
it reversed, and an entry reversed by an applied undo says by whom and when.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ...definitions import Table
from ...definitions.fields import Version, WriteMarker
from ...models import AuditEntry
from ..display.values import datetime_text

if TYPE_CHECKING:
    from ...sites import AdminSite

__all__ = ["AttributeDiff", "EntryChanges", "EntryPage", "describe_entries", "undone_by",
           "visible_page"]

#: how many entries a page may read per row it shows before it stops looking: a log whose
#: entries are nearly all withheld from this person still answers in bounded time
EXAMINED_PER_ROW = 20


@dataclass(frozen=True)
class AttributeDiff:
    """One attribute before and after the write ("—": absent on that side)."""

    label: str
    before: str
    after: str


@dataclass
class EntryChanges:
    """What an entry's Changes cell shows."""

    #: the fields that changed, by label, in the entity's declared order
    fields: list[AttributeDiff] = field(default_factory=list)
    #: index keys, the type attribute and the version, by attribute name
    technical: list[AttributeDiff] = field(default_factory=list)
    #: the entry an undo reversed, named ("bob's update at …"); "" otherwise
    reverses: str = ""
    #: who reversed this entry and when ("undone by alice at …"); "" while it stands
    undone: str = ""

    @property
    def summary(self) -> str:
        """The changed fields' labels on one line, for the cell before it is unfolded."""
        if self.fields:
            return ", ".join(d.label for d in self.fields)
        if self.technical:
            return _("technical attributes only")
        return _("nothing changed")


def _text(value: str | None) -> str:
    """A diff side (exact plain JSON) as a person reads it: a text without its quotes."""
    if value is None:
        return "—"
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return parsed if isinstance(parsed, str) else value


def _technical(table: Table, entity: Any) -> set[str]:
    names = set(table.key_attribute_types())
    if table.type_attribute:
        names.add(table.type_attribute)
    if entity is not None:
        # what only keeps the history exact: the version and the write marker
        names.update(f.attribute for f in entity._meta.fields.values()
                     if isinstance(f, (Version, WriteMarker)))
    return names


def _changes(site: AdminSite, entry: AuditEntry) -> EntryChanges:
    table = site.get_table(entry.table)
    entity = site.get_entity(entry.entity) if entry.entity else None
    diff = entry.diff if isinstance(entry.diff, dict) else {}
    result = EntryChanges()
    technical = _technical(table, entity) if table is not None else set()
    declared = [(f.attribute, str(f.label)) for f in entity._meta.fields.values()
                ] if entity is not None else []
    shown = set()
    for attribute, label in declared:
        if attribute in diff and attribute not in technical:
            change = diff[attribute]
            result.fields.append(AttributeDiff(label, _text(change.get("before")),
                                               _text(change.get("after"))))
            shown.add(attribute)
    for attribute in sorted(diff):
        if attribute in shown:
            continue
        change = diff[attribute]
        target = result.technical if attribute in technical else result.fields
        target.append(AttributeDiff(attribute, _text(change.get("before")),
                                    _text(change.get("after"))))
    return result


def _named(entry: AuditEntry) -> dict[str, str]:
    return {"action": entry.get_action_display().lower(), "who": entry.username,
            "when": datetime_text(entry.created_at)}


def undone_by(entries: Iterable[AuditEntry]) -> dict[int, AuditEntry]:
    """For each entry reversed by an applied undo, that undo (the latest)."""
    ids = [entry.pk for entry in entries]
    found: dict[int, AuditEntry] = {}
    if not ids:
        return found
    for undo in (AuditEntry.objects.filter(undoes__in=ids, outcome=AuditEntry.Outcome.APPLIED)
                 .order_by("created_at", "id")):
        found[undo.undoes_id] = undo
    return found


def describe_entries(site: AdminSite, entries: list[AuditEntry]) -> list[AuditEntry]:
    """Each entry gets ``changes`` (``EntryChanges``) and ``undone_entry`` (the undo that
    reversed it, or None)."""
    reversed_by = undone_by(entries)
    reversed_ids = {entry.undoes_id for entry in entries if entry.undoes_id}
    originals = ({e.pk: e for e in AuditEntry.objects.filter(pk__in=reversed_ids)}
                 if reversed_ids else {})
    for entry in entries:
        entry.changes = _changes(site, entry)
        entry.undone_entry = reversed_by.get(entry.pk)
        if entry.undone_entry is not None:
            entry.changes.undone = _("undone by %(who)s at %(when)s") % {
                "who": entry.undone_entry.username,
                "when": datetime_text(entry.undone_entry.created_at)}
        original = originals.get(entry.undoes_id) if entry.undoes_id else None
        if original is not None:
            entry.changes.reverses = _("Undid %(who)s's %(action)s at %(when)s") % _named(
                original)
    return entries


@dataclass
class EntryPage:
    """One page of the entries a person may see, newest first, placed by the entries around
    it (``before``/``after`` an entry's id), not by a number: neither a total nor a page
    number is told, since either would count the entries withheld."""

    entries: list[AuditEntry]
    #: the entry "Older" reads past (the last one this page shown or examined), if any follow
    older_than: int | None = None
    #: the entry "Newer" reads up to (the first one shown or examined), if any precede
    newer_than: int | None = None

    @property
    def has_next(self) -> bool:
        return self.older_than is not None

    @property
    def has_previous(self) -> bool:
        return self.newer_than is not None


def _beside(entries: QuerySet, anchor: int, *, older: bool) -> QuerySet | None:
    """The entries older (or newer) than entry ``anchor`` in the log's order, newest first
    (oldest first for newer ones); None for an anchor that is not in the log."""
    moment = AuditEntry.objects.filter(pk=anchor).values_list("created_at", flat=True).first()
    if moment is None:
        return None
    if older:
        return entries.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=anchor))
    return entries.filter(Q(created_at__gt=moment) | Q(created_at=moment, pk__gt=anchor)
                          ).order_by("created_at", "pk")


def visible_page(entries: QuerySet, may_see: Callable[[AuditEntry], bool], *, size: int,
                 before: int | None = None, after: int | None = None) -> EntryPage:
    """The ``size`` newest entries that ``may_see`` keeps, older than entry ``before`` (or
    the ``size`` oldest newer than entry ``after``). The entries are filtered before they are
    paged, so a page is full unless the log ends, and its links lead to the entries right
    beside the ones it examined: none is skipped. Reads at most ``EXAMINED_PER_ROW`` entries
    per row; a log withheld beyond that ends the page early, and Older goes on from there."""
    going_back = after is not None and before is None
    anchor = after if going_back else before
    window = entries if anchor is None else _beside(entries, anchor, older=not going_back)
    if window is None:  # an anchor no longer in the log: start again from the newest
        window, anchor, going_back = entries, None, False
    limit = (size + 1) * EXAMINED_PER_ROW
    kept: list[AuditEntry] = []
    last_examined = None
    count = 0
    for entry in window[:limit].iterator(chunk_size=size * 2):
        count += 1
        last_examined = entry
        if may_see(entry):
            kept.append(entry)
            if len(kept) > size:
                break
    more = len(kept) > size or (count == limit and window[limit:].exists())
    shown = kept[:size]
    # where this page's reading stopped: past the last entry shown, or every one examined
    edge = shown[-1].pk if len(kept) > size else getattr(last_examined, "pk", None)
    if going_back:
        shown.reverse()
        return EntryPage(entries=shown, newer_than=edge if more else None,
                         older_than=shown[-1].pk if shown else anchor)
    return EntryPage(entries=shown, older_than=edge if more else None,
                     newer_than=(shown[0].pk if shown else anchor) if anchor is not None
                     else None)
