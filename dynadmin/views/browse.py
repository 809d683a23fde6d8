"""The partition page: one Query per page, grouped by entity, paged both ways."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..data.operations import SORT_OPERATORS
from ..definitions import Table
from ..editing.actions import Selection
from ..services import code, export
from ..services.browse import FILTER_OPERATORS, MAX_LIMIT, BadQuery, PartitionQuery, browse
from ..services.presentation import Group, group_items
from ..sites import site
from .auth import staff_required
from .pages import get_table_or_404

EXPORT_TYPES = {"json": "application/json", "csv": "text/csv"}


@staff_required
def partition(request: HttpRequest, table: str) -> HttpResponse:
    definition = get_table_or_404(table)
    if not site.has_table_permission(request, definition):
        raise PermissionDenied("You may not view items of this table.")
    context = {
        "table": definition, "params": request.GET, "sort_operators": SORT_OPERATORS,
        "filter_operators": FILTER_OPERATORS, "max_limit": MAX_LIMIT,
        "indexes": [definition.primary, *definition.indexes.values()],
    }
    if not request.GET.get("pk"):
        return TemplateResponse(request, "dynadmin/partition.html", context)
    try:
        query = PartitionQuery.from_params(definition, request.GET)
    except BadQuery as exc:
        return TemplateResponse(request, "dynadmin/partition.html",
                                context | {"error": str(exc)}, status=400)
    page = browse(query, request.GET.get("cursor") or None)
    groups, hidden = group_items(definition, page.items, request)
    visible = [row.item for group in groups for row in group.rows]
    fmt = request.GET.get("format")
    if fmt in EXPORT_TYPES:
        return _download(fmt, visible, definition.primary.attributes)
    _offer_actions(request, definition, groups)
    context |= {
        "query": query, "page": page, "groups": groups, "hidden": hidden,
        "boto3_code": code.as_boto3(page.request), "cli_code": code.as_aws_cli(page.request),
    }
    template = "dynadmin/partition.html"
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        template = "dynadmin/partials/partition_results.html"
    return TemplateResponse(request, template, context)


def _download(fmt: str, items: list[dict], key_attributes: tuple[str, ...]) -> HttpResponse:
    body = export.to_json(items) if fmt == "json" else export.to_csv(items, key_attributes)
    response = HttpResponse(body, content_type=f"{EXPORT_TYPES[fmt]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dynadmin-page.{fmt}"'
    return response


def _offer_actions(request: HttpRequest, table: Table, groups: list[Group]) -> None:
    """Rows of entities with actions become selectable: the group's keys and versions are
    signed once for the page, and each checkbox carries only its row's number."""
    for group in groups:
        if not group.classified:
            continue
        admin = site.admin_for(table.entity(group.entity_name))
        available = admin.get_actions(request)
        if not available:
            continue
        group.actions = [(f"{group.entity_name}.{name}", method.description)
                         for name, method in available.items()]
        group.selection = Selection.sign(table, [row.item for row in group.rows])
        for number, row in enumerate(group.rows):
            row.token = str(number)
