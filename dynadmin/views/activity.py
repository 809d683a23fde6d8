"""A table's Activity page: the newest changes across the table from its stream, filtered,
paged Older and Newer with signed cursors that carry each shard's position, read further
where a read stopped at its bound, and followed (htmx polls from the last position read)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..data import InvalidCursor, StreamWindow, decode_cursor, encode_cursor
from ..definitions import Table
from ..services.changes.activity import (
    ACTIVITY_EVENTS,
    ActivityFilters,
    TableActivity,
    activity_page,
    activity_since,
)
from ..services.links import site_url
from .addresses import viewable_table_or_404
from .htmx import is_fragment_request

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["activity_view"]

#: Seconds between two polls of follow mode: each poll is one bounded read of the stream.
FOLLOW_SECONDS = 5
#: What a page cursor asks for: the newest of its window, or the oldest (Newer).
_OLDER, _NEWER = "older", "newer"


def _scope(table: Table, filters: ActivityFilters) -> str:
    # A page's positions depend on which records its filters wanted: another filter's
    # cursor would skip or repeat changes, so it is refused.
    return f"activity:{table.name}:" + urlencode(sorted(filters.as_params().items()))


def _address(table: Table, filters: ActivityFilters, **params: str) -> str:
    query = urlencode({**filters.as_params(), **params})
    return site_url("activity", table=table.name) + (f"?{query}" if query else "")


def _page_url(table: Table, filters: ActivityFilters, activity: TableActivity,
              window: StreamWindow | None, mode: str) -> str:
    if window is None:
        return ""
    cursor = encode_cursor({"mode": mode, "window": window.to_json(),
                            "stream": activity.info.arn}, scope=_scope(table, filters))
    return _address(table, filters, cursor=cursor)


def _follow_url(table: Table, filters: ActivityFilters, activity: TableActivity) -> str:
    position = (activity.position if activity.page is None
                else activity.page.follow_from)
    if position is None:
        return ""
    cursor = encode_cursor({"mode": "follow", "position": position},
                           scope=_scope(table, filters))
    return _address(table, filters, follow="1", cursor=cursor)


def _read(request: HttpRequest, site: AdminSite, definition: Table,
          filters: ActivityFilters) -> TableActivity:
    cursor: dict[str, Any] = (
        decode_cursor(request.GET["cursor"], scope=_scope(definition, filters))
        if request.GET.get("cursor") else {})
    kwargs: dict[str, Any] = {
        "site": site,
        "may_view": lambda keys, images: site.may_view_change(request, definition, keys,
                                                              images)}
    mode = cursor.get("mode", _OLDER)
    if mode == "follow":
        return activity_since(definition, filters, position=cursor.get("position"), **kwargs)
    if mode not in (_OLDER, _NEWER):
        raise InvalidCursor("This page link is not valid.")
    window = StreamWindow.from_json(cursor["window"]) if "window" in cursor else None
    return activity_page(definition, filters, window=window, newest_first=mode == _OLDER,
                         stream=cursor.get("stream") if window is not None else None,
                         **kwargs)


def activity_view(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = viewable_table_or_404(site, request, table)
    admins = [site.get_entity_admin(e) for e in site.entities_of(definition)]
    entities = [(a.opts.label, a.opts.verbose_name) for a in admins
                if a is not None and a.has_view_permission(request)]
    filters = ActivityFilters.from_params(request.GET, {label for label, _name in entities})
    following = request.GET.get("follow") == "1"
    activity = _read(request, site, definition, filters)
    page = activity.page
    context = {
        "table": definition, "activity": activity, "filters": filters,
        "entity_choices": entities, "event_choices": ACTIVITY_EVENTS,
        "following": following, "follow_seconds": FOLLOW_SECONDS,
        "follow_url": _follow_url(definition, filters, activity) if following else "",
        "partial_view": not site.sees_every_item(request, definition),
        # How many records were read, beside the changes shown, would count those withheld.
        "tells_reads": site.shows_call_details(request),
        "older_url": _page_url(definition, filters, activity, page and page.older, _OLDER),
        "newer_url": _page_url(definition, filters, activity, page and page.newer, _NEWER),
        "further_url": _page_url(definition, filters, activity, page and page.rest, _OLDER),
        "newest_url": ("" if page is None or page.window.from_oldest
                       and page.window.before is None else _address(definition, filters)),
        "start_following_url": _address(definition, filters, follow="1"),
        "stop_following_url": _address(definition, filters),
    }
    if is_fragment_request(request):
        name = "partials/activity_follow.html" if following else "partials/activity_results.html"
        # Older and Newer swap the results in place and leave follow mode: the heading's
        # button is swapped too (out of band), so it no longer says "Stop following".
        context["out_of_band"] = not following
    else:
        name = "activity.html"
    return TemplateResponse(request, site.template_names(name, definition), context)
