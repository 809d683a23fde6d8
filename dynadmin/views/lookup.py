"""The global lookup box, the entity homes, their lookups and listings.

Thin on purpose: the services decide which Query runs (``services.lookups``); these views
only read the request, pick the response (a redirect, a page or an htmx fragment) and
render it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from ..codenames import EXPORT_ALL
from ..jobs import compat
from ..options import EntityAdmin
from ..services.display.rows import group_items
from ..services.links import site_url
from ..services.lists.pages import entity_list, ways_in
from ..services.lookups import (
    LookupInputError,
    box_hints,
    find_listing,
    find_lookup,
    global_lookup,
    group_matches,
    listing_form,
    listing_suggestions,
    listing_url,
    lookup_form,
    run_lookup,
)
from .addresses import admin_or_404
from .browse import offer_actions
from .htmx import is_fragment_request
from .jobs import may_import, may_run_jobs

if TYPE_CHECKING:
    from ..sites import AdminSite


def lookup(request: HttpRequest, site: AdminSite) -> HttpResponse:
    text = request.GET.get("q", "")
    fragment = is_fragment_request(request)
    template = "dynadmin/partials/lookup_results.html" if fragment else "dynadmin/lookup.html"
    context: dict[str, Any] = {"q": text.strip()}
    status = 200
    if not text.strip():
        context["hints"] = box_hints(site, request)
    else:
        try:
            result = global_lookup(site, text, request)
        except LookupInputError as exc:
            context["error"] = exc.message
            # htmx swaps only 2xx responses: the fragment carries the message at 200.
            status = 200 if fragment else 400
        else:
            if not fragment and result.redirect:
                return HttpResponseRedirect(result.redirect)
            context |= {"result": result, "groups": group_matches(result.matches, request)}
            if not result.matches and result.raw_key is None:
                # What could have been typed, and whether any lookup takes a beginning.
                context["hints"] = hints = box_hints(site, request)
                context["only_whole_values"] = not any(h.takes_beginnings for h in hints)
            if result.could_not_search:
                status = 503
    response = TemplateResponse(request, template, context, status=status)
    if fragment and status == 503:
        # htmx swaps only 2xx answers: the fragment says it, and the header keeps the truth.
        response.status_code = 200
        response["X-Dynadmin-Error-Status"] = "503"
    patch_vary_headers(response, ["HX-Request"])
    return response


class Console(NamedTuple):
    """The link to the query console: this list's Query, or an empty console."""

    url: str
    label: str


def _home(request: HttpRequest, site: AdminSite, admin: EntityAdmin, *, status: int = 200,
          listing_values: Mapping[str, str] | None = None, listing_name: str = "",
          listing_error: LookupInputError | None = None) -> HttpResponse:
    listings = []
    for listing in admin.get_listings(request):
        if listing.key not in admin.opts.keys:
            continue
        mine = listing.name == listing_name
        listings.append(listing_form(admin, listing, listing_values if mine else None,
                                     listing_error if mine else None))
    lookups = [lookup_form(admin, lk) for lk in admin.get_lookups(request)
               if lk.key in admin.opts.keys]
    context: dict[str, Any] = {
        "admin": admin, "opts": admin.opts, "table": admin.opts.table,
        "heading": admin.opts.verbose_name, "lookups": lookups, "listings": listings,
        "can_add": admin.has_add_permission(request),
        # Without a listing, the page says how else its items are found.
        "guide": not listings,
        "suggestions": listing_suggestions(admin) if not listings else [],
        "ways_in": ways_in(site, admin, request) if not listings else [],
        "keys": list(admin.opts.keys.values()),
        "console": Console(site_url("partition", table=admin.opts.table.name),
                           _("Open the query console")),
    }
    templates = site.template_names("entity.html", admin.opts.table, admin.entity)
    # A listing form sent with a value that makes no partition reads nothing: the form
    # shows the message, open under Advanced.
    found = entity_list(admin, request.GET, request) if listing_error is None else None
    context["listing_failed"] = listing_error is not None
    # Under Advanced, the listings the page does not already show as its list.
    shown_elsewhere = len(listings) <= 1 and found is not None and not found.missing
    context["other_listings"] = [] if shown_elsewhere else listings
    if found is not None:
        if found.error:
            context["list_error"] = found.error
            status = 400
        if found.page is not None:
            groups = group_items(site, admin.opts.table, found.page.items, request)
            offer_actions(site, request, admin.opts.table, groups)
            if compat.available() and may_run_jobs(request) and (
                    admin.has_change_permission(request)
                    or admin.has_delete_permission(request)):
                own = f"?{urlencode(found.own)}" if found.own else ""
                context["bulk_url"] = site_url("new_job", entity=admin.opts.label) + own
            if compat.available() and may_run_jobs(request, EXPORT_ALL):
                own = f"?{urlencode(found.own)}" if found.own else ""
                context["export_url"] = site_url("new_export", entity=admin.opts.label) + own
            if compat.available() and may_import(request, admin):
                context["import_url"] = site_url("new_import", entity=admin.opts.label)
            context |= {"groups": groups, "page": found.page, "query": found.query,
                        "console": Console(found.query.url(),
                                           _("Open this list in the query console")),
                        "shown": sum(len(g.rows) for g in groups),
                        "restricted": not site.sees_every_item(request, admin.opts.table)}
            if is_fragment_request(request) and request.htmx.target == "results":
                templates = site.template_names("partials/entity_results.html",
                                                admin.opts.table, admin.entity)
        context |= {"list": found, "heading": found.heading, "list_form_template": (
            "dynadmin/partials/list_missing.html" if found.missing else
            "dynadmin/partials/list_narrow.html")}
        context["list_form"] = next(
            (f for f in listings if f.name == found.listing.name), None)
    return TemplateResponse(request, templates, context, status=status)


def entity_home(request: HttpRequest, site: AdminSite, entity: str) -> HttpResponse:
    response = _home(request, site, admin_or_404(site, request, entity))
    patch_vary_headers(response, ["HX-Request"])
    return response


def entity_lookup(request: HttpRequest, site: AdminSite, entity: str, name: str
                  ) -> HttpResponse:
    admin = admin_or_404(site, request, entity)
    lookup = find_lookup(admin, name, request)
    if lookup is None or lookup.key not in admin.opts.keys:
        raise Http404(_("%(thing)s has no lookup %(name)r.")
                      % {"thing": admin.opts.verbose_name, "name": name})
    values = {f: request.GET.get(f, "") for f in lookup.fields}
    context: dict[str, Any] = {"admin": admin, "opts": admin.opts, "table": admin.opts.table,
                               "lookup": lookup}
    if not any(f in request.GET for f in lookup.fields):
        context["form"] = lookup_form(admin, lookup)
        return TemplateResponse(request, "dynadmin/lookup_results.html", context)
    try:
        result = run_lookup(admin, lookup, values)
    except LookupInputError as exc:
        context["form"] = lookup_form(admin, lookup, values, exc)
        context["error"] = exc.message
        return TemplateResponse(request, "dynadmin/lookup_results.html", context, status=400)
    groups = group_items(site, result.table, result.items, request)
    rows = [row for group in groups for row in group.rows]
    if len(rows) == 1 and not result.more:
        return HttpResponseRedirect(rows[0].url)
    context |= {"form": lookup_form(admin, lookup, values), "result": result,
                "groups": groups,
                "restricted": not site.sees_every_item(request, result.table)}
    return TemplateResponse(request, "dynadmin/lookup_results.html", context)


def listing(request: HttpRequest, site: AdminSite, entity: str, name: str) -> HttpResponse:
    admin = admin_or_404(site, request, entity)
    found = find_listing(admin, name, request)
    if found is None:
        raise Http404(_("%(thing)s has no listing %(name)r.")
                      % {"thing": admin.opts.verbose_name, "name": name})
    values = {f: request.GET.get(f, "") for f in found.resolve(admin.entity).pk.variables}
    try:
        url = listing_url(admin, found, values)
    except LookupInputError as exc:
        return _home(request, site, admin, status=400, listing_values=values, listing_name=name,
                     listing_error=exc)
    return HttpResponseRedirect(url)
