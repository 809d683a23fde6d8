"""An item's Recent changes from the table's stream: a section of the item page (loaded with
htmx from its own address, so the item page stays one GetItem), a page of its own without
JavaScript, and JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ..data import decode_cursor, encode_cursor
from ..definitions import Table
from ..plain_json import dumps_plain_json
from ..services.changes.as_json import changes_to_json
from ..services.changes.item_changes import ItemChanges, item_changes
from ..services.links import site_url
from ..services.url_keys import key_text, parse_item_key
from .addresses import table_or_404
from .htmx import is_fragment_request

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["item_changes_json", "item_changes_page"]


def _read(request: HttpRequest, site: AdminSite, table: str
          ) -> tuple[Table, ItemChanges]:
    """The changes this person may see. A forbidden item answers as a missing one (a 404, as
    the item page gives, so neither tells whether the item exists)."""
    definition = table_or_404(site, table)
    key = parse_item_key(definition, request.GET)
    if not site.has_table_permission(request, definition):
        raise PermissionDenied(_("You may not view items of this table."))
    by_key = site.get_entity_admin(definition.classify(key))
    if by_key is not None and not by_key.has_view_permission(request):
        raise Http404(_("No such item."))
    scope = _scope(definition, key)
    further = decode_cursor(request.GET["cursor"], scope=scope) if request.GET.get(
        "cursor") else {}
    # Where the key does not name the entity, each record's images decide.
    changes = item_changes(definition, key, further.get("position"),
                           int(further.get("before", 0)),
                           may_view=lambda keys, images: site.may_view_change(
                               request, definition, keys, images))
    return definition, changes


def _scope(table: Table, key: dict[str, Any]) -> str:
    return f"changes:{table.name}:{key_text(table, key)}"


def _address(request: HttpRequest, table: Table, name: str, **params: str) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    query.update(params)
    return site_url(name, table=table.name) + "?" + query.urlencode()


def item_changes_page(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition, changes = _read(request, site, table)
    further_url = ""
    if changes.position is not None:
        cursor = encode_cursor({"position": changes.position, "before": changes.total_read},
                               scope=_scope(definition, changes.key))
        further_url = _address(request, definition, "item_changes", cursor=cursor)
    context = {"table": definition, "key": changes.key, "changes": changes,
               "further_url": further_url,
               "item_url": _address(request, definition, "item"),
               "json_url": _address(request, definition, "item_changes_json")}
    name = ("partials/item_changes.html" if is_fragment_request(request)
            else "item_changes.html")
    return TemplateResponse(request, site.template_names(name, definition), context)


def item_changes_json(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition, changes = _read(request, site, table)
    payload = changes_to_json(changes)
    if changes.position is not None:
        payload["read_further"] = _address(request, definition, "item_changes_json",
                                           cursor=encode_cursor(
                                               {"position": changes.position,
                                                "before": changes.total_read},
                                               scope=_scope(definition, changes.key)))
    return HttpResponse(dumps_plain_json(payload), content_type="application/json")
