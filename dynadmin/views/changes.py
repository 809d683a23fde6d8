"""An item's History: every change to it from the archive of changes, merged with the audit
log — on the item's page (its newest changes), a page of its own (paged Older and Newer with
signed cursors), and JSON."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.backends.utils import csrf_input
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ..data import DataError, decode_cursor, encode_cursor
from ..definitions import Table
from ..editing import audit
from ..history import reading
from ..models import AuditEntry
from ..plain_json import dumps_plain_json
from ..services.changes.as_json import history_to_json
from ..services.changes.item_changes import ItemHistory, item_history
from ..services.links import site_url
from ..services.url_keys import key_text, parse_item_key
from .addresses import table_or_404
from .history import link_jobs
from .htmx import is_fragment_request
from .tokens import accepts_tokens
from .undo import offer_undo

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["ITEM_PAGE_ROWS", "history_links", "item_changes_json", "item_changes_page",
           "read_history"]

#: Changes the item's own page shows (its History page shows a full page).
ITEM_PAGE_ROWS = 5
PAGE_ROWS = 50


def read_history(request: HttpRequest, site: AdminSite, table: Table, key: dict[str, Any], *,
                 count: int = PAGE_ROWS, cursor: dict[str, Any] | None = None,
                 explain: bool = True,
                 read: reading.ArchiveRead | DataError | None = None) -> ItemHistory:
    """The page of the item's History this person may see: the changes whose every image
    shows an entity they may view, the audit entries they may see, Undo where allowed."""

    def entries(since: dt.datetime | None, until: dt.datetime | None, limit: int
                ) -> list[AuditEntry]:
        return link_jobs(request, offer_undo(site, request, audit.history(
            table, key, limit=limit, entities=site.viewable_labels(request),
            may_see=lambda entry: site.may_view_entry(request, entry), since=since,
            until=until)))

    cursor = cursor or {}
    history = item_history(
        table, key, count=count, before=cursor.get("before"), after=cursor.get("after"),
        may_view=lambda keys, images: site.may_view_change(request, table, keys, images),
        entries=entries, explain=explain, read=read)
    if any(row.entry is not None and getattr(row.entry, "undo_url", "")
           for row in history.rows):
        token = csrf_input(request)
        for row in history.rows:
            row.csrf_input = token
    return history


def _scope(table: Table, key: dict[str, Any]) -> str:
    return f"history:{table.name}:{key_text(table, key)}"


def _address(request: HttpRequest, table: Table, name: str, **params: str) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    query.update(params)
    return site_url(name, table=table.name) + "?" + query.urlencode()


def history_links(request: HttpRequest, table: Table, history: ItemHistory,
                  name: str = "item_changes") -> dict[str, str]:
    """Older, Newer and Newest (the page ``name``: the History page or its JSON)."""

    def to(**position: str) -> str:
        return _address(request, table, name,
                        cursor=encode_cursor(position, scope=_scope(table, history.key)))

    return {
        "older_url": to(before=history.older_position) if history.older_position else "",
        "newer_url": to(after=history.newer_position) if history.newer_position else "",
        "newest_url": "" if history.is_newest else _address(request, table, name),
    }


def _read(request: HttpRequest, site: AdminSite, table: str) -> tuple[Table, ItemHistory]:
    """A forbidden item answers as a missing one would (a 404, as the item page gives, so
    neither tells whether the item exists)."""
    definition = table_or_404(site, table)
    key = parse_item_key(definition, request.GET)
    if not site.has_table_permission(request, definition):
        raise PermissionDenied(_("You may not view items of this table."))
    by_key = site.get_entity_admin(definition.classify(key))
    if by_key is not None and not by_key.has_view_permission(request):
        raise Http404(_("No such item."))
    cursor = (decode_cursor(request.GET["cursor"], scope=_scope(definition, key))
              if request.GET.get("cursor") else {})
    # Where the key does not name the entity, each change's images decide.
    history = read_history(request, site, definition, key, cursor=cursor)
    if history.failure is not None:
        raise history.failure  # the calm failure page (or JSON), as any read's
    return definition, history


def item_changes_page(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition, history = _read(request, site, table)
    context = {"table": definition, "key": history.key, "history": history,
               "item_url": _address(request, definition, "item"),
               "json_url": _address(request, definition, "item_changes_json"),
               **history_links(request, definition, history)}
    name = ("partials/item_history.html" if is_fragment_request(request)
            else "item_changes.html")
    return TemplateResponse(request, site.template_names(name, definition), context)


@accepts_tokens
def item_changes_json(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition, history = _read(request, site, table)
    links = history_links(request, definition, history, "item_changes_json")
    payload = history_to_json(history)
    payload.update({"older": links["older_url"] or None, "newer": links["newer_url"] or None})
    return HttpResponse(dumps_plain_json(payload), content_type="application/json")
