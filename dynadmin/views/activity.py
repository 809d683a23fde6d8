"""A table's Activity page: the latest changes across the table from its stream, filtered,
read further with a signed cursor, and followed (htmx polls from the last position read)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..data import decode_cursor, encode_cursor
from ..definitions import Table
from ..services.activity import ACTIVITY_EVENTS, ActivityFilters, TableActivity, table_activity
from ..services.links import site_url
from .resolving import viewable_table_or_404

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["activity_page"]

#: Seconds between two polls of follow mode: each poll is one bounded read of the stream.
FOLLOW_SECONDS = 5


def _scope(table: Table) -> str:
    return f"activity:{table.name}"


def _address(table: Table, filters: ActivityFilters, **params: str) -> str:
    return (site_url("activity", table=table.name) + "?"
            + urlencode({**filters.as_params(), **params}))


def _cursor(table: Table, activity: TableActivity, before: int) -> str:
    return encode_cursor({"position": activity.position, "before": before},
                         scope=_scope(table))


def activity_page(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = viewable_table_or_404(site, request, table)
    admins = [site.admin_of(e) for e in site.entities_of(definition)]
    entities = [(a.opts.label, a.opts.verbose_name) for a in admins
                if a is not None and a.has_view_permission(request)]
    filters = ActivityFilters.from_params(request.GET, {label for label, _name in entities})
    further: dict[str, Any] = (decode_cursor(request.GET["cursor"], scope=_scope(definition))
                               if request.GET.get("cursor") else {})
    following = request.GET.get("follow") == "1"
    activity = table_activity(
        definition, filters, site=site, position=further.get("position"),
        records_before=int(further.get("before", 0)),
        may_view=lambda image: site.may_view_item(request, definition, image))
    follow_url = (_address(definition, filters, follow="1",
                           cursor=_cursor(definition, activity, activity.total_read))
                  if activity.available else "")
    context = {
        "table": definition, "activity": activity, "filters": filters,
        "entity_choices": entities, "event_choices": ACTIVITY_EVENTS,
        "following": following, "follow_url": follow_url, "follow_seconds": FOLLOW_SECONDS,
        "partial_view": not site.sees_every_entity(request, definition),
        "further_url": "" if activity.complete else _address(
            definition, filters, cursor=_cursor(definition, activity, activity.total_read)),
        "start_following_url": _address(definition, filters, follow="1"),
        "stop_following_url": _address(definition, filters),
    }
    if request.htmx and not request.htmx.boosted:
        name = "partials/activity_follow.html" if following else "partials/activity_results.html"
    else:
        name = "activity.html"
    return TemplateResponse(request, site.template_names(name, definition), context)
