"""The dashboard and the item page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import data
from ..definitions import Table
from ..editing import audit
from ..services.items import present_item
from ..services.keys import BadKey, parse_item_key
from ..services.related import field_links, related_sections
from ..services.tables import table_summary
from ..services.ttl import item_ttl
from ..sites import site
from .auth import staff_required
from .errors import error_response


def get_table_or_404(name: str) -> Table:
    table = site.get_table(name)
    if table is None:
        raise Http404(f"No registered table is called {name!r}.")
    return table


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    tables = []
    for table in site.tables.values():
        admins = [site.admin_for(e) for e in site.entities_of(table)]
        visible = [a for a in admins if a.has_view_permission(request)]
        if not visible:
            continue
        tables.append({"summary": table_summary(table), "admins": visible})
    return TemplateResponse(request, "dynadmin/dashboard.html", {"tables": tables})


@staff_required
def item(request: HttpRequest, table: str) -> HttpResponse:
    definition = get_table_or_404(table)
    try:
        key = parse_item_key(definition, request.GET)
    except BadKey as exc:
        return error_response(request, 400, "Not a key of this table", str(exc),
                              "Check the pk and sk values in the address.")
    consistent = request.GET.get("consistent") == "1"
    found = data.get_item(definition, key, consistent=consistent)
    if found is None:
        if not site.has_table_permission(request, definition):
            return error_response(request, 403, "Permission denied",
                                  "You may not view items of this table.")
        return TemplateResponse(request, "dynadmin/item_missing.html",
                                {"table": definition, "key": key}, status=404)
    entity = definition.classify(found)
    admin = site.admin_for(entity) if entity is not None and site.is_registered(entity) else None
    allowed = (admin.has_view_permission(request, found) if admin
               else site.has_table_permission(request, definition))
    if not allowed:
        return error_response(request, 403, "Permission denied",
                              "You may not view this kind of item.")
    relations = admin.get_relations(request) if admin else ()
    values = entity.parse_item(found).values if entity else {}
    presentation = present_item(definition, found, field_links(definition, relations, values))
    if admin is not None:
        can_change = admin.has_change_permission(request, found)
        can_delete = admin.has_delete_permission(request, found)
    else:
        can_change = can_delete = request.user.is_superuser
    query = urlencode({"pk": request.GET["pk"], "sk": request.GET.get("sk", "")})
    ttl = item_ttl(definition, found, request)
    return TemplateResponse(request, "dynadmin/item.html", {
        "ttl": ttl, "ttl_token": _signed(found) if ttl and ttl.may_change else "",
        "table": definition, "key": key, "item": presentation, "admin": admin,
        "related": related_sections(definition, relations, values, request),
        "history": audit.history(definition, key), "can_change": can_change,
        "can_delete": can_delete,
        "edit_url": reverse("dynadmin:edit", kwargs={"table": table}) + "?" + query,
        "delete_url": reverse("dynadmin:delete", kwargs={"table": table}) + "?" + query,
    })


def _signed(item: dict) -> str:
    """The item as read, signed, for the TTL form (the same guard as an edit)."""
    # Imported here: views.edit imports this module for get_table_or_404.
    from .edit import sign_item

    return sign_item(item)
