"""TTL inspection (being built)."""

from django.http import HttpRequest, HttpResponse

from .auth import staff_required
from .errors import error_response


@staff_required
def ttl_page(request: HttpRequest, table: str) -> HttpResponse:
    return error_response(request, 501, "Not built yet", "TTL inspection is coming.")


@staff_required
def set_ttl(request: HttpRequest, table: str) -> HttpResponse:
    return error_response(request, 501, "Not built yet", "TTL changes are coming.")
