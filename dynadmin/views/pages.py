"""The dashboard and the item page."""

from __future__ import annotations

from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ..data.parallel import alongside
from ..definitions import Table
from ..editing.originals import sign_item
from ..services.changes.item_changes import read_archive
from ..services.display.environments import is_writable
from ..services.display.names import parsed_name
from ..services.items.page import present_item, read_item
from ..services.items.related import field_links, related_sections
from ..services.links import site_url
from ..services.tables.dashboard import entity_entries, loading_tables, suggestions
from ..services.tables.status import read_table_status
from ..services.ttl import item_ttl
from ..services.url_keys import parse_item_key
from .addresses import table_or_404
from .changes import ITEM_PAGE_ROWS, read_history
from .errors import error_response

if TYPE_CHECKING:
    from ..sites import AdminSite


def _history(request: HttpRequest, site: AdminSite, table: Table, key: dict,
             read: Any = None) -> dict[str, Any]:
    """The item's newest changes this person may see (one Query of the archive, or its
    answer ``read`` already), with the audit log's entries about it, Undo where allowed,
    and the links to the rest."""
    # The item's page makes its reads and one Query of the archive; why a table's changes
    # may not be archived (no stream...) is its History page's to say.
    history = read_history(request, site, table, key, count=ITEM_PAGE_ROWS, explain=False,
                           read=read)
    history_url = site_url("item_changes", table=table.name) + "?" + urlencode(
        {"pk": request.GET.get("pk", ""), "sk": request.GET.get("sk", "")})
    # Older changes are the History page's (its first page repeats these few, then goes on)
    return {"history": history, "history_url": history_url,
            "older_url": history_url if history.older_position else ""}


def _missing(request: HttpRequest, site: AdminSite, table: Table, key: dict,
             read: Any = None) -> TemplateResponse:
    # A deleted item's history stays reachable (and its delete can be undone from there).
    return TemplateResponse(request, site.template_names("item_missing.html", table),
                            {"table": table, "key": key,
                             **_history(request, site, table, key, read)}, status=404)


def dashboard(request: HttpRequest, site: AdminSite) -> HttpResponse:
    tables = []
    for table in site.tables.values():
        admins = [site.get_entity_admin(e) for e in site.entities_of(table)]
        visible = [a for a in admins if a.has_view_permission(request)]
        if not visible:
            continue
        status, indexes = read_table_status(table)
        tables.append({"table": table, "status": status, "admins": visible,
                       "indexes": [index.name for index in indexes if index.live],
                       "entities": entity_entries(visible)})
    shown = [entry["table"] for entry in tables]
    return TemplateResponse(request, site.template_names("dashboard.html"), {
        "tables": tables, "loading": loading_tables(shown), "suggestions": suggestions()})


def item(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = table_or_404(site, table)
    key = parse_item_key(definition, request.GET)
    if not site.has_table_permission(request, definition):  # from the address alone
        return error_response(request, 403, _("Permission denied"),
                              _("You may not view items of this table."))
    # Where the key decides the entity, permission is decided before anything is read; and
    # a forbidden item gets the very answer a missing one gets, so neither the page nor its
    # status tells whether it exists.
    by_key = site.get_entity_admin(definition.classify(key))
    if by_key is not None and not by_key.has_view_permission(request):
        return _missing(request, site, definition, key)
    # History's one Query goes out with the item's GetItem (and waits beside the related
    # sections' reads): the page costs about its slowest read, not their sum. A missing item's
    # page shows its History too, so the Query is the same whatever the GetItem finds.
    with alongside(partial(read_archive, definition, key, count=ITEM_PAGE_ROWS)) as archived:
        return _item_page(request, site, definition, key, archived)


def _item_page(request: HttpRequest, site: AdminSite, definition: Table, key: dict,
               archived: Future) -> HttpResponse:
    found = read_item(definition, key, consistent=request.GET.get("consistent") == "1")
    if found is None or not site.may_view_item(request, definition, found):
        return _missing(request, site, definition, key, archived.result())
    entity = definition.classify(found)
    admin = site.get_entity_admin(entity)
    relations = site.viewable_relations(request, admin) if admin else ()
    values = entity.parse_item(found).values if entity else {}
    presentation = present_item(definition, found, field_links(definition, relations, values))
    if admin is not None:
        can_change = admin.has_change_permission(request, found)
        can_delete = admin.has_delete_permission(request, found)
    else:
        can_change = can_delete = request.user.is_superuser and is_writable(definition)
    query = urlencode({"pk": request.GET["pk"], "sk": request.GET.get("sk", "")})
    ttl = item_ttl(site, definition, found, request)
    related = related_sections(site, definition, relations, values, request)
    return TemplateResponse(request, site.template_names("item.html", definition, entity), {
        "name": parsed_name(site, definition, presentation.parsed),
        "entity_url": site_url("entity", entity=entity._meta.label) if admin else "",
        "ttl": ttl, "ttl_token": sign_item(found) if ttl and ttl.may_change else "",
        "table": definition, "key": key, "item": presentation, "admin": admin,
        "related": related, **_history(request, site, definition, key, archived.result()),
        "can_change": can_change,
        "can_delete": can_delete,
        "edit_url": site_url("edit", table=definition.name) + "?" + query,
        "delete_url": site_url("delete", table=definition.name) + "?" + query,
    })
