"""Recent writes, site-wide, from the audit log."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..models import AuditEntry
from .auth import staff_required


@staff_required
def recent_actions(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.select_related("user")[:100]
    return TemplateResponse(request, "dynadmin/recent_actions.html", {"entries": entries})
