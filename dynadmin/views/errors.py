"""Error pages: what happened and what to do, never a traceback."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..data.errors import DataError


def error_response(request: HttpRequest, status: int, title: str, message: str,
                   advice: str = "") -> HttpResponse:
    response = TemplateResponse(
        request, "dynadmin/errors/error.html",
        {"status": status, "title": title, "message": message, "advice": advice},
        status=status,
    )
    return response.render()


def data_error_response(request: HttpRequest, error: DataError) -> HttpResponse:
    status = error.status if error.status in (400, 403, 404, 409, 501, 503) else 503
    return error_response(request, status, error.title, error.message, error.advice)
