"""An action on the rows selected in a list; the result says what was written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..editing.actions import Selection
from ..editing.actions import run_action as run
from .access import require_writable
from .addresses import table_or_404
from .errors import error_response

if TYPE_CHECKING:
    from ..sites import AdminSite


@require_http_methods(["POST"])
def run_action(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = table_or_404(site, table)
    require_writable(definition)
    if not request.POST.get("action"):
        # The menu starts on "Choose an action": sent as it is, nothing is guessed for it.
        back = _local_url(request, request.POST.get("back", ""))
        message = _("No action chosen: pick one from the menu. Nothing was written.")
        if back:
            messages.error(request, message)
            return HttpResponseRedirect(back)
        return error_response(request, 400, _("No action chosen"), message)
    entity_name, _sep, name = request.POST.get("action", "").partition(".")
    entity = next((e for e in site.entities_of(definition) if e._meta.name == entity_name), None)
    unknown = _("Unknown action"), _("Pick an action from the list.")
    if entity is None:
        return error_response(request, 400, *unknown)
    admin = site.get_entity_admin(entity)
    # get_actions() decides, as it decides the menu: a host may add actions to the declared
    # ones or take some away for this request.
    available = admin.get_actions(request)
    if name not in available:
        if name in admin.actions:
            raise PermissionDenied(_("You may not run this action."))
        return error_response(request, 400, *unknown)
    # One field for the rows, however many (``Selection``).
    chosen = request.POST.get("rows", "")
    back = _local_url(request, request.POST.get("back", ""))
    if not chosen.strip():
        message = _("Nothing selected: tick the rows the action should apply to (or type "
                    "their numbers, or all). Nothing was written.")
        if back:  # answered on the page the person is on, not on a page of its own
            messages.error(request, message)
            return HttpResponseRedirect(back)
        return error_response(request, 400, _("Nothing selected"), message)
    try:
        selected = Selection.unsign(request.POST.get("selection", ""), chosen)
    except ValueError as exc:
        return error_response(request, 400, _("Cannot run this action"), str(exc))
    outcomes = run(request, definition, admin, name, selected)
    return TemplateResponse(request, site.template_names(
        "action_result.html", definition, entity), {
        "table": definition, "admin": admin,
        "description": available[name].description, "outcomes": outcomes,
        "back": back,
    })


def _local_url(request: HttpRequest, url: str) -> str:
    """A link back into this site only (never another host or a javascript: URL)."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return ""
