"""The partition page: one Query per page, grouped by entity, paged both ways."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..codenames import EXPORT_ALL
from ..definitions import Table
from ..editing.actions import Selection
from ..jobs import compat
from ..services.display.rows import Group, group_items, raw_text
from ..services.links import site_url
from ..services.partitions import code_snippets, export
from ..services.partitions.case_hints import other_case_partitions
from ..services.partitions.console import ConsoleForm
from ..services.partitions.key_ranges import key_hints, missing_prefixes
from ..services.partitions.pages import BadQuery, PartitionQuery, read_requested_page
from .addresses import viewable_table_or_404
from .htmx import is_fragment_request
from .jobs import may_run_jobs
from .tokens import accepts_tokens

if TYPE_CHECKING:
    from ..sites import AdminSite

EXPORT_TYPES = {"json": "application/json", "csv": "text/csv"}


@accepts_tokens(when=lambda request: request.GET.get("format") in EXPORT_TYPES)
def partition(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = viewable_table_or_404(site, request, table)
    params = _FormValues(request.GET.items())
    # The moment "hide expired" compares TTLs with is part of the address, so a cursor
    # stays valid for the query it was made for.
    now = int(time.time())
    context = {"table": definition, "params": params}
    templates = site.template_names("partition.html", definition)
    if not request.GET.get("pk"):
        return TemplateResponse(request, templates,
                                context | {"form": ConsoleForm(definition, params, now=now)})
    try:
        query = PartitionQuery.from_params(definition, request.GET)
    except BadQuery as exc:
        return TemplateResponse(request, templates, context | {
            "error": str(exc), "form": ConsoleForm(definition, params, now=now)}, status=400)
    hints = key_hints(definition.entities, query.index, query.pk)
    page = read_requested_page(query, request.GET)
    groups = group_items(site, definition, page.items, request)
    visible = [row.item for group in groups for row in group.rows]
    # Hints for a page that shows nothing, withheld rows or none: otherwise their absence
    # would tell that items the person may not see are there.
    if query.sort is not None and query.sort.op == "begins_with" and not visible:
        context["prefix_hints"] = [
            (hint, query.url(None, sk=hint.prefix + query.sort.value))
            for hint in missing_prefixes(hints, query.sort.value)]
    if not visible and not request.GET.get("cursor"):
        context["other_cases"] = other_case_partitions(
            query, lambda item: site.may_view_item(request, definition, item))
    fmt = request.GET.get("format")
    if fmt in EXPORT_TYPES:
        name = export.file_name(definition.name, raw_text(query.pk),
                                page.offset // query.limit + 1, fmt)
        return _download(fmt, visible, definition.primary.attributes,
                         _listed_attributes(site, request, definition, groups), name)
    offer_actions(site, request, definition, groups)
    if compat.available() and may_run_jobs(request, EXPORT_ALL):
        # A job is over one entity's items: one offer per entity the page shows.
        asked = f"?{urlencode({k: v for k, v in query.params().items() if k != 'limit'})}"
        context["export_all_urls"] = [
            (group.label, site_url("new_export",
                                   entity=definition.entity(group.entity_name)._meta.label)
             + asked) for group in groups if group.classified]
    context |= {
        "query": query, "page": page, "groups": groups, "shown": len(visible),
        "key_hints": hints,
        "restricted": not site.sees_every_item(request, definition),
        "export_urls": {fmt: _address_with(request, format=fmt) for fmt in EXPORT_TYPES},
        "boto3_code": code_snippets.as_boto3(page.request),
        "cli_code": code_snippets.as_aws_cli(page.request),
    }
    if is_fragment_request(request):
        templates = site.template_names("partials/partition_results.html", definition)
    else:  # the console is built once, and only for a whole page (a swap does not show it)
        context["form"] = ConsoleForm(definition, params, hints=hints, now=now)
    return TemplateResponse(request, templates, context)


class _FormValues(dict):
    """The address's parameters as the query form shows them back: one value each, and ""
    for one not given (so each of the form's lookups is a dictionary hit, not a failed
    attribute lookup on a QueryDict)."""

    def __missing__(self, key: str) -> str:
        return ""


def _address_with(request: HttpRequest, **params: str) -> str:
    """This page's address with ``params`` added (the same page, in another form), spelt as
    ``QueryDict.update`` then ``urlencode`` would (a value added to a parameter the address
    has follows its values) without copying the QueryDict, which deep-copies every value."""
    pairs = {key: list(values) for key, values in request.GET.lists()}
    for key, value in params.items():
        pairs.setdefault(key, []).append(value)
    return f"{request.path}?{urlencode([(k, v) for k, vs in pairs.items() for v in vs])}"


def _listed_attributes(site: AdminSite, request: HttpRequest, table: Table,
                       groups: list[Group]) -> list[str]:
    """The attributes of the page's entities' ``list_display``, in the order shown."""
    listed: list[str] = []
    for group in groups:
        if group.classified:
            entity = table.entity(group.entity_name)
            fields = entity._meta.fields
            listed += [fields[n].attribute for n in
                       site.get_entity_admin(entity).get_list_display(request) if n in fields]
    return listed


def _download(fmt: str, items: list[dict], key_attributes: tuple[str, ...],
              listed: list[str], name: str) -> HttpResponse:
    body = (export.to_json(items) if fmt == "json"
            else export.to_csv(items, key_attributes, listed))
    response = HttpResponse(body, content_type=f"{EXPORT_TYPES[fmt]}; charset=utf-8")
    response["Content-Disposition"] = export.content_disposition(name)
    return response


def offer_actions(site: AdminSite, request: HttpRequest, table: Table,
                   groups: list[Group]) -> None:
    """Rows of entities with actions become selectable: the group's keys and versions are
    signed once for the page, and each row shows its number (what the action's one ``rows``
    field names)."""
    for group in groups:
        if not group.classified:
            continue
        entity = table.entity(group.entity_name)
        admin = site.get_entity_admin(entity)
        available = admin.get_actions(request) if admin is not None else {}
        if not available:
            continue
        group.actions = [(f"{group.entity_name}.{name}", method.description)
                         for name, method in available.items()]
        group.selection = Selection.sign(table, [row.item for row in group.rows], entity)
        for number, row in enumerate(group.rows, start=1):
            row.selection_number = str(number)
