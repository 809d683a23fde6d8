"""A table's health page, its polled status fragment, and the same report as JSON."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..definitions import Table
from ..services.health import table_health, table_status, to_json
from ..sites import site
from .auth import staff_required
from .pages import get_table_or_404


def _table(request: HttpRequest, name: str) -> Table:
    definition = get_table_or_404(name)
    if not site.has_table_permission(request, definition):
        raise PermissionDenied("You may not view this table.")
    return definition


@staff_required
def health_page(request: HttpRequest, table: str) -> HttpResponse:
    definition = _table(request, table)
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        # The polled fragment: DescribeTable only, from the cache most of the time.
        status, indexes = table_status(definition)
        return TemplateResponse(request, "dynadmin/partials/health_status.html",
                                {"table": definition, "status": status, "indexes": indexes})
    report = table_health(definition, site, metrics=True)
    return TemplateResponse(request, "dynadmin/health.html", {
        "table": definition, "report": report, "status": report.status,
        "indexes": report.indexes,
    })


@staff_required
def health_json(request: HttpRequest, table: str) -> HttpResponse:
    report = table_health(_table(request, table), site, metrics=True)
    response = HttpResponse(to_json(report.to_dict()),
                            content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
