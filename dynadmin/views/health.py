"""A table's health page, its polled status fragment, and the same report as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..data import DataError
from ..definitions.tables import Table
from ..history.archive import archive
from ..history.reading import ArchiveHealth, archive_health
from ..services.health import table_health, to_json
from ..services.health.verify import verify_table
from ..services.tables.status import read_table_status
from .addresses import viewable_table_or_404
from .htmx import is_fragment_request
from .tokens import accepts_tokens

if TYPE_CHECKING:
    from ..sites import AdminSite


def health_page(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    definition = viewable_table_or_404(site, request, table)
    if is_fragment_request(request):
        # The polled fragment: DescribeTable only, from the cache most of the time.
        status, indexes = read_table_status(definition)
        return TemplateResponse(request, "dynadmin/partials/health_status.html",
                                {"table": definition, "status": status, "indexes": indexes})
    report = table_health(definition, site, metrics=True)
    verification = _verification(request, site, definition)
    return TemplateResponse(request, site.template_names("health.html", definition), {
        "table": definition, "report": report, "status": report.status,
        "indexes": report.indexes, **verification,
        "archive": None if definition is archive else _archive(definition),
    }, status=400 if "verify_error" in verification else 200)


def _archive(definition: Table) -> ArchiveHealth | None:
    """The archive of the table's changes: the consumer's last word and the gaps (two
    Queries); None when the archive cannot be read now (the rest of the page still can)."""
    try:
        return archive_health(definition)
    except DataError:
        return None


def _verification(request: HttpRequest, site: AdminSite, definition: Table) -> dict[str, Any]:
    """"Verify a sample": one Query page of the partition typed in, checked against the
    definitions (the command does more: several partitions, listings, pages)."""
    partition = request.GET.get("verify")
    if partition is None:
        return {}
    try:
        return {"verify_pk": partition, "verification": verify_table(
            definition, site, partitions=[partition],
            may_view=lambda item: site.may_view_item(request, definition, item))}
    except ValueError as exc:
        return {"verify_pk": partition, "verify_error": str(exc)}


@accepts_tokens
def health_json(request: HttpRequest, site: AdminSite, table: str) -> HttpResponse:
    """The report for monitors and load balancers: DescribeTable read now (never an old
    "reachable"), and 503 when DynamoDB does not answer or a check fails."""
    report = table_health(viewable_table_or_404(site, request, table), site, metrics=True,
                          fresh=True)
    healthy = report.reachable and not report.failing
    return HttpResponse(to_json(report.to_dict()), status=200 if healthy else 503,
                        content_type="application/json; charset=utf-8")
