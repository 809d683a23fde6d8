"""A table's health page, its polled status fragment, and the same report as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..services.health import table_health, table_status, to_json
from .resolving import viewable_table_or_404

if TYPE_CHECKING:
    from ..sites import AdminSite


def health_page(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = viewable_table_or_404(site, request, table)
    if request.htmx and not request.htmx.boosted:
        # The polled fragment: DescribeTable only, from the cache most of the time.
        status, indexes = table_status(definition)
        return TemplateResponse(request, "dynadmin/partials/health_status.html",
                                {"table": definition, "status": status, "indexes": indexes})
    report = table_health(definition, site, metrics=True)
    return TemplateResponse(request, site.template_names("health.html", definition), {
        "table": definition, "report": report, "status": report.status,
        "indexes": report.indexes,
    })


def health_json(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    """The report for monitors and load balancers: DescribeTable read now (never an old
    "reachable"), and 503 when DynamoDB does not answer or a check fails."""
    report = table_health(viewable_table_or_404(site, request, table), site, metrics=True,
                          fresh=True)
    healthy = report.reachable and not report.failing
    return HttpResponse(to_json(report.to_dict()), status=200 if healthy else 503,
                        content_type="application/json; charset=utf-8")
