"""A table's Activity page: the newest changes across the table from the archive of changes,
filtered, paged Older and Newer with signed cursors that carry a change's position, read
further where a read stopped at its bound, and followed (htmx polls for the changes newer
than the newest shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ..data import InvalidCursor, decode_cursor, encode_cursor
from ..definitions import Table
from ..services.changes.activity import (
    TableActivity,
    activity_page,
    activity_since,
    is_position,
)
from ..services.changes.activity_filters import ActivityFilters, ActivityForm
from ..services.links import site_url
from .addresses import viewable_table_or_404
from .htmx import is_fragment_request

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["activity_view"]

#: Seconds between two polls of follow mode: each poll is one Query of the archive.
FOLLOW_SECONDS = 5
#: What a cursor asks for: the page below a position, the page above it, or a poll.
_OLDER, _NEWER, _FOLLOW = "before", "after", "follow"


def _scope(table: Table, filters: ActivityFilters) -> str:
    # A page's positions depend on which changes its filters kept: another filter's cursor
    # would skip or repeat changes, so it is refused.
    return f"activity:{table.name}:" + urlencode(sorted(filters.as_params().items()))


def _address(table: Table, filters: ActivityFilters, **params: str) -> str:
    query = urlencode({**filters.as_params(), **params})
    return site_url("activity", table=table.name) + (f"?{query}" if query else "")


def _cursor_url(table: Table, filters: ActivityFilters, mode: str, position: str,
                **params: str) -> str:
    if not position:
        return ""
    cursor = encode_cursor({mode: position}, scope=_scope(table, filters))
    return _address(table, filters, cursor=cursor, **params)


def _read(request: HttpRequest, site: AdminSite, definition: Table,
          filters: ActivityFilters) -> TableActivity:
    cursor: dict[str, Any] = (
        decode_cursor(request.GET["cursor"], scope=_scope(definition, filters))
        if request.GET.get("cursor") else {})
    if cursor and (len(cursor) != 1 or next(iter(cursor)) not in (_OLDER, _NEWER, _FOLLOW)
                   or not is_position(next(iter(cursor.values())))):
        raise InvalidCursor(_("This page link is not valid."))
    kwargs: dict[str, Any] = {
        "site": site, "sees_everything": site.sees_every_item(request, definition),
        "may_view": lambda keys, images: site.may_view_change(request, definition, keys,
                                                              images)}
    if _FOLLOW in cursor:
        return activity_since(definition, filters, after=cursor[_FOLLOW], **kwargs)
    return activity_page(definition, filters, before=cursor.get(_OLDER),
                         after=cursor.get(_NEWER), **kwargs)


def _links(definition: Table, filters: ActivityFilters, activity: TableActivity,
           following: bool) -> dict[str, str]:
    read = activity.read
    newest_first = activity.direction in ("newest", "older")
    if newest_first:
        older = read.next_position if read.more else ""
        newer = activity.newest if activity.direction == "older" else ""
    else:  # a page just newer than another: older than it is the page it came from
        older = activity.oldest
        newer = activity.newest if read.more else ""
    return {
        "older_url": _cursor_url(definition, filters, _OLDER, older),
        "newer_url": _cursor_url(definition, filters, _NEWER, newer),
        "further_url": (_cursor_url(definition, filters, _OLDER, read.next_position)
                        if activity.stopped_short else ""),
        "newest_url": "" if activity.direction == "newest" else _address(definition, filters),
        "follow_url": (_cursor_url(definition, filters, _FOLLOW, activity.follow_from,
                                   follow="1") if following else ""),
    }


def activity_view(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = viewable_table_or_404(site, request, table)
    admins = [site.get_entity_admin(e) for e in site.entities_of(definition)]
    entities = [(a.opts.label, str(a.opts.verbose_name)) for a in admins
                if a is not None and a.has_view_permission(request)]
    form = ActivityForm(definition, request.GET, entities)
    following = request.GET.get("follow") == "1"
    context: dict[str, Any] = {
        "table": definition, "form": form, "following": following,
        "follow_seconds": FOLLOW_SECONDS,
        "partial_view": not site.sees_every_item(request, definition),
        # How many changes were read, beside those shown, would count those withheld.
        "tells_reads": site.shows_call_details(request),
    }
    if not form.is_valid():
        # Nothing is read with a filter the page cannot apply: the form says what is wrong.
        context.update(activity=None, filters=ActivityFilters())
        return TemplateResponse(request, site.template_names("activity.html", definition),
                                context, status=400)
    filters = form.filters()
    activity = _read(request, site, definition, filters)
    activity.following = following
    context.update(activity=activity, filters=filters,
                   start_following_url=_address(definition, filters, follow="1"),
                   stop_following_url=_address(definition, filters),
                   **_links(definition, filters, activity, following))
    if is_fragment_request(request):
        name = ("partials/activity_follow.html" if activity.direction == "follow"
                else "partials/activity_results.html")
        # Older and Newer swap the results in place and leave follow mode: the heading's
        # button is swapped too (out of band), so it no longer says "Stop following".
        context["out_of_band"] = activity.direction != "follow"
    else:
        name = "activity.html"
    return TemplateResponse(request, site.template_names(name, definition), context)
