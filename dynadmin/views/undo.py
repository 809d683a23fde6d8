"""Undo an audited write from an item's History or Recent actions (``editing.undo``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..definitions import Table
from ..editing import writes
from ..editing.conflicts import ONLY_MINE, differences
from ..editing.undo import Reversal, reversal, undo
from ..models import AuditEntry
from ..services.changes.audit_entries import describe_entries, undone_by
from ..services.display.environments import is_writable
from ..services.display.values import datetime_text
from ..services.links import site_url
from ..services.partitions.query import partition_url
from ..services.url_keys import item_url
from .access import allowed, require, require_writable, require_write_of
from .addresses import table_or_404
from .conflicts import saved_note
from .errors import error_response

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["may_undo", "offer_undo", "undo_entry", "undo_url"]


def _visible_entry(site: AdminSite, request: HttpRequest, table: Table, entry_id: int
                   ) -> AuditEntry:
    """The entry, if the person may see it (as History and Recent actions decide)."""
    entry = (AuditEntry.objects.filter(pk=entry_id, table=table.name)
             .visible_to(site.viewable_labels(request)).first())
    if entry is None or not site.may_view_entry(request, entry):
        raise Http404(_("No such entry in the audit log."))
    return entry


def may_undo(site: AdminSite, request: HttpRequest, table: Table, undoing: Reversal) -> bool:
    """Does this person hold every permission the undo's write needs?"""
    if not undoing.after and not undoing.before:
        return False
    if undoing.kind == "move":
        source = site.admin_of_item(table, undoing.after)
        target = site.admin_of_item(table, undoing.before)
        return all(allowed(request, admin, action, undoing.after) for admin, action in (
            (source, "change"), (target, "add"), (source, "delete")))
    return all(allowed(request, site.admin_of_item(table, item), action, item)
               for item, action in undoing.permissions)


def undo_url(site: AdminSite, request: HttpRequest, table: Table, entry: AuditEntry) -> str:
    """Where the entry's Undo button posts, or "" when it cannot be undone by this person
    (an entry already undone is not offered again: ``describe_entries`` says by whom)."""
    undoing = reversal(entry)
    if undoing is None or getattr(entry, "undone_entry", None) is not None or (
            not is_writable(table) or not may_undo(site, request, table, undoing)):
        return ""
    return site_url("undo", table=table.name, entry_id=str(entry.pk))


def offer_undo(site: AdminSite, request: HttpRequest, entries: list[AuditEntry]
               ) -> list[AuditEntry]:
    """The entries this person may see of the item they are about (the admins' per-item
    view permission), each described in the entity's words (``describe_entries``) and given
    its ``undo_url`` ("" where there is nothing this person may undo)."""
    entries = [entry for entry in entries if site.may_view_entry(request, entry)]
    describe_entries(site, entries)
    for entry in entries:
        table = site.get_table(entry.table)
        entry.undo_url = undo_url(site, request, table, entry) if table is not None else ""
    return entries


def _refused(request: HttpRequest, where: str, message: str) -> HttpResponse:
    """An undo that wrote nothing: said on the item's page, reached by a GET (so reloading
    it never posts the undo again)."""
    messages.error(request, message)
    return HttpResponseRedirect(where)


def _changed_since(site: AdminSite, request: HttpRequest, table: Table,
                   conflict: writes.EditConflict) -> str:
    """Why the item is no longer as the entry left it, in the entity's words."""
    if conflict.theirs is None:
        return _("the item was deleted after that write")
    if not site.may_view_change(request, table, table.key_of(conflict.theirs),
                                (conflict.theirs,)):
        return _("the item changed after that write")
    labels = [d.label for d in differences(table, conflict.original, conflict.theirs,
                                           conflict.mine) if d.changed_by != ONLY_MINE]
    if not labels:
        return _("the item changed after that write")
    return _("%(fields)s changed after that write") % {"fields": ", ".join(labels)}


@require_http_methods(["POST"])
def undo_entry(request: HttpRequest, site: AdminSite, table: str, entry_id: int
               ) -> HttpResponse:
    definition = table_or_404(site, table)
    require_writable(definition)
    entry = _visible_entry(site, request, definition, entry_id)
    undoing = reversal(entry)
    if undoing is None:
        return error_response(request, 400, _("Cannot undo this entry"), _(
            "Only applied creates, edits, deletes and key moves can be undone."))
    if undoing.kind == "move":
        require_write_of(site, request, definition, undoing.after, undoing.before)
    for item, action in undoing.permissions:
        require(request, site.admin_of_item(definition, item), action, item)
    named = {"action": entry.get_action_display().lower(), "who": entry.username,
             "when": datetime_text(entry.created_at)}
    where = item_url(definition, undoing.after or undoing.before)
    undone = undone_by([entry]).get(entry.pk)
    if undone is not None:
        return _refused(request, where, _(
            "%(who)s's %(action)s at %(when)s was already undone by %(by)s at %(at)s. "
            "Nothing was written.") % {**named, "by": undone.username,
                                       "at": datetime_text(undone.created_at)})
    try:
        result = undo(definition, undoing, writer=site.writer(request, definition))
    except writes.EditConflict as conflict:
        return _refused(request, where, _(
            "Cannot undo %(who)s's %(action)s at %(when)s: %(why)s, so undoing it would "
            "overwrite a later change. Nothing was written.") % {
                **named, "why": _changed_since(site, request, definition, conflict)})
    except writes.KeyTaken:
        return _refused(request, item_url(definition, undoing.before or undoing.after), _(
            "Cannot undo %(who)s's %(action)s at %(when)s: an item with this key exists "
            "again. Nothing was written.") % named)
    except writes.NothingChanged:
        messages.info(request, _("Nothing to undo: the item is already as it was."))
        return HttpResponseRedirect(item_url(definition, undoing.before or undoing.after))
    messages.success(request, _("Undid %(who)s's %(action)s at %(when)s. The write was "
                                "conditional on the item being as that entry left it.")
                     % named + saved_note(result))
    if result.after is None:
        return HttpResponseRedirect(partition_url(definition, undoing.after[
            definition.primary.pk]))
    return HttpResponseRedirect(item_url(definition, result.after))
