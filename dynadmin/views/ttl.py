"""TTL: the table's setting and a bounded inspection of one partition; changing an item's TTL.

Changing a TTL is an ordinary guarded, audited write (the entity admin's ``save_item``) that Support
may make without the right to edit anything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..editing import ttl as ttl_changes
from ..editing import writes
from ..editing.originals import TamperedOriginal, unsign_item
from ..services import ttl
from ..services.partitions.query import BadQuery, index_choices
from ..services.url_keys import item_url
from .access import require_writable
from .addresses import table_or_404, viewable_table_or_404
from .conflicts import conflict_response
from .errors import error_response

if TYPE_CHECKING:
    from ..sites import AdminSite

FORM_FIELDS = ("pk", "index", "sk", "pages", "limit")


@require_GET
def ttl_page(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = viewable_table_or_404(site, request, table)
    defaults = ttl.inspection_defaults(site, definition)
    params = defaults | {k: request.GET[k] for k in FORM_FIELDS if k in request.GET}
    context = {
        "table": definition, "status": ttl.ttl_status(site, definition), "params": params,
        "defaults": defaults, "max_pages": ttl.MAX_PAGES,
        "index_choices": index_choices(definition, params.get("index")),
        "estimate": ttl.estimate_for_form(params),
    }
    templates = site.template_names("ttl.html", definition)
    if not request.GET.get("pk"):
        return TemplateResponse(request, templates, context)
    try:
        query, pages = ttl.inspection_query(definition, request.GET)
    except BadQuery as exc:
        return TemplateResponse(request, templates, context | {"error": str(exc)}, status=400)
    inspection = ttl.inspect(query, pages, may_view=lambda item: site.may_view_item(
        request, definition, dict(item)))
    chart = ttl.bar_chart_svg(inspection.bars, title=f"TTLs of the {inspection.items_read} "
                              "items read, by when they expire")
    return TemplateResponse(request, templates, context | {
        "inspection": inspection, "chart": chart,
        "restricted": not site.sees_every_item(request, definition)})


@require_POST
def set_ttl(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    """Extend, set or clear one item's TTL, guarded by what the person read."""
    definition = table_or_404(site, table)
    require_writable(definition)
    # Before the body is read: people with neither permission learn nothing more.
    if not ttl.may_set_any_ttl(site, request, definition):
        raise PermissionDenied(_("You may not change TTLs of %(things)s items.")
                               % {"things": definition.name})
    try:
        original = unsign_item(request.POST.get("original", ""))
    except TamperedOriginal as exc:
        return error_response(request, 400, _("Cannot change this TTL"), str(exc))
    if original is None:
        return error_response(request, 400, _("Cannot change this TTL"),
                              _("The form is incomplete."))
    rights = ttl.ttl_rights(site, request, definition, original)
    if not rights:
        raise PermissionDenied(_("You may not change the TTL of this kind of item."))
    change = ttl_changes.parse_change(request.POST)
    new_item = ttl_changes.apply_change(definition, original, change,
                                        extend_only=rights == "extend")
    admin = site.admin_of_item(definition, original)
    try:
        site.writer(request, definition).save(new_item, original=original, action="ttl")
    except writes.NothingChanged:
        messages.info(request, _("The TTL already had this value: nothing was written."))
    except writes.EditConflict as conflict:
        return conflict_response(request, site, definition, admin, conflict)
    else:
        messages.success(request, _("TTL %(change)s. The write was conditional on what you had "
                                    "read.") % {"change": change.describe()})
    return HttpResponseRedirect(item_url(definition, original))
