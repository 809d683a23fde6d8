"""Table health (being built)."""

from django.http import HttpRequest, HttpResponse

from .auth import staff_required
from .errors import error_response


@staff_required
def health_page(request: HttpRequest, table: str) -> HttpResponse:
    return error_response(request, 501, "Not built yet", "Health pages are coming.")


@staff_required
def health_json(request: HttpRequest, table: str) -> HttpResponse:
    return error_response(request, 501, "Not built yet", "Health pages are coming.")
