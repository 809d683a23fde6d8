"""Recent writes, site-wide, from the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..models import AuditEntry
from ..services.names import entry_name

if TYPE_CHECKING:
    from ..sites import AdminSite


def recent_actions(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """Entries about entities the person may view (what a write tried and changed is as
    telling as the item itself); entries about unclassified items, superusers only."""
    entries = AuditEntry.objects.select_related("user")
    labels = site.viewable_labels(request)
    if labels is not None:
        entries = entries.filter(entity__in=labels)
    entries = list(entries[:100])
    for entry in entries:
        entry.item_name = entry_name(site, entry)
    return TemplateResponse(request, site.template_names("recent_actions.html"),
                            {"entries": entries})
