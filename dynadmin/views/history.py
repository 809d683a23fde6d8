"""Recent writes, site-wide, from the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..models import AuditEntry

if TYPE_CHECKING:
    from ..sites import AdminSite


def recent_actions(request: HttpRequest, site: AdminSite) -> HttpResponse:
    entries = AuditEntry.objects.select_related("user")[:100]
    return TemplateResponse(request, site.template_names("recent_actions.html"),
                            {"entries": entries})
