"""Delete an item: confirm what will go, then a DeleteItem guarded by what was read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..editing import writes
from ..editing.originals import sign_item
from ..services.display.names import item_name
from ..services.items.page import present_item
from ..services.partitions.query import partition_url
from ..services.url_keys import item_url, key_text
from .access import current_item, posted_original, require_any
from .addresses import table_or_404
from .conflicts import conflict_response, saved_note

if TYPE_CHECKING:
    from ..sites import AdminSite


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = table_or_404(site, table)
    require_any(site, request, definition, "delete")
    if request.method == "GET":
        current, admin = current_item(site, request, definition, "delete")
        return TemplateResponse(request, site.template_names(
            "delete.html", definition, admin.entity if admin else None), {
            "table": definition, "admin": admin, "item": present_item(definition, current),
            "key_text": key_text(definition, current),
            "item_name": item_name(site, definition, current),
            "original_token": sign_item(current), "item_link": item_url(definition, current),
        })
    original, admin = posted_original(site, request, definition, "delete", _("Cannot delete"))
    try:
        result = site.writer(request, definition).delete(original)
    except writes.EditConflict as conflict:
        return conflict_response(request, site, definition, admin, conflict)
    # The message links the item's history, where the delete can be undone.
    messages.success(request, format_html(
        '{} <a href="{}">{}</a>', _("Deleted (it was unchanged since you read it).")
        + saved_note(result), item_url(definition, original),
        _("Its history (undo from there)")))
    return HttpResponseRedirect(partition_url(definition, original[definition.primary.pk]))
