"""Error pages: what happened and what to do, never a traceback.

A ``DataError`` becomes a page with its status (403 refused, 404 missing, 503 unreachable,
slow or throttled...), the failing operation and, where one helps, links: the request again,
the table's health page for a missing index, the item(s) an interrupted write touched.

htmx requests (a "next page" swap, lookup-as-you-type) get the same message as a fragment.
htmx swaps only 2xx answers, so the fragment is sent with 200 and carries the real status in
``X-Dynadmin-Error-Status``; ``HX-Push-Url: false`` keeps the failed address out of the
history, and the fragment links to the full page, which has the real status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import defaults

from ..data.errors import DataError, IndexNotFound, WriteInterrupted
from ..services.links import site_url
from ..services.url_keys import item_url
from .headers import protect
from .htmx import is_fragment_request

if TYPE_CHECKING:
    from ..sites import AdminSite

_STATUSES = (400, 403, 404, 409, 501, 503)


def error_response(request: HttpRequest, status: int, title: str, message: str,
                   advice: str = "") -> TemplateResponse:
    """The site's error page (rendered, with the site's context, by the site serving it)."""
    return TemplateResponse(
        request, "dynadmin/errors/error.html",
        {"status": status, "title": title, "message": message, "advice": advice},
        status=status,
    )


def _logical_table(site: AdminSite, physical: str | None) -> Any:
    """The registered table a physical name belongs to (names map through settings)."""
    if not physical:
        return None
    return next((t for t in site.tables.values() if t.table_name == physical), None)


def _health_url(site: AdminSite, error: DataError) -> str | None:
    if not isinstance(error, IndexNotFound):
        return None
    table = _logical_table(site, error.table)
    if table is None:
        return None
    return site_url("health", table=table.name)


def _links(request: HttpRequest, error: DataError, site: AdminSite
           ) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    if isinstance(error, WriteInterrupted) and error.table_definition is not None:
        for number, key in enumerate(error.keys):
            label = _("Open the item") if len(error.keys) == 1 else (
                _("Open the item at its old key") if number == 0 else _("Open the new key"))
            links.append((label, item_url(error.table_definition, key)))
        return links
    health = _health_url(site, error)
    if health:
        links.append((_("Open the table's health page (drift)"), health))
    if request.method in ("GET", "HEAD"):
        links.append((_("Try again"), request.get_full_path()))
    return links


def data_error_response(request: HttpRequest, error: DataError, site: AdminSite
                        ) -> TemplateResponse:
    status = error.status if error.status in _STATUSES else 503
    context = {
        "status": status, "title": error.title, "message": error.message, "labelled": True,
        "advice": error.advice, "operation": error.operation, "table_name": error.table,
        "index_name": error.index, "links": _links(request, error, site), "error": error,
        "iam_action": error.iam_action if status == 403 else None,
        # Internal addresses and botocore's words help an operator, not everyone signed in.
        "detail": error.detail if getattr(request.user, "is_superuser", False) else "",
        "interrupted": error if isinstance(error, WriteInterrupted) else None,
    }
    health = _health_url(site, error)
    if health:
        context["advice"] = _("%(advice)s It is at %(url)s.") % {"advice": error.advice,
                                                                "url": health}
    if is_fragment_request(request):
        response = TemplateResponse(request, "dynadmin/errors/error_fragment.html", context,
                                    status=200)
        response["X-Dynadmin-Error-Status"] = str(status)
        response["HX-Push-Url"] = "false"
    else:
        template = ("dynadmin/errors/write_interrupted.html"
                    if isinstance(error, WriteInterrupted) else "dynadmin/errors/error.html")
        response = TemplateResponse(request, template, context, status=status)
        if status == 503:
            response["Retry-After"] = "5"
    # The same address answers a full page or a fragment; neither is kept by any cache.
    patch_vary_headers(response, ["HX-Request"])
    return protect(response)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500`` for a project that serves dynadmin: the project's ``500.html`` (else
    dynadmin's), a page that needs nothing that may have failed (no database, no URL
    reversing, no context processors), with the headers every dynadmin page carries."""
    template = loader.select_template(["500.html", "dynadmin/errors/500.html"])
    return protect(HttpResponseServerError(template.render({})))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: Django's, with the headers every dynadmin page carries."""
    return protect(defaults.bad_request(request, exception))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler403``: Django's, with the headers every dynadmin page carries."""
    return protect(defaults.permission_denied(request, exception))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404`` (an address outside every site): Django's, with the same headers."""
    return protect(defaults.page_not_found(request, exception))
