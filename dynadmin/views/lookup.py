"""The global lookup box: a raw key opens its item or partition."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .auth import staff_required


@staff_required
def lookup(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "dynadmin/lookup.html", {"q": request.GET.get("q", "")})
