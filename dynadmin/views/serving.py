"""How a site serves one of its pages: the pipeline every dynadmin view runs inside.

This is what a project middleware and context processor did before dynadmin owned its URLs;
living here, it needs nothing from the host beyond Django's sessions and auth:

- ``request.current_app`` and the site's URL namespace, so links stay inside the mounted site;
- ``request.htmx`` (django-htmx's details object) whether or not the host installs its
  middleware;
- the login redirect to the site's own login page, and the staff check;
- the per-request DynamoDB call log, open while the template renders, so the footer lists
  every call, including those made while rendering;
- one error handler: ``DataError``, ``PermissionDenied`` and ``Http404`` become the site's own
  page (or htmx fragment), never the host's and never a traceback;
- the site's context (``each_context``) merged into every template response;
- ``Cache-Control: no-store`` and the Content-Security-Policy on every answer, a server
  error's included (``headers.protect``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from .. import conf, limits
from ..data import call_log, fence
from ..data.errors import DataError, WriteInterrupted
from ..models import AuditEntry
from ..services import links
from ..services.display.environments import environment_of
from ..user_errors import UserInputError
from .errors import data_error_response, error_response
from .headers import protect
from .refusals import record_refused_write

if TYPE_CHECKING:
    from ..sites import AdminSite

logger = logging.getLogger("dynadmin")

View = Callable[..., HttpResponse]


def serve(site: AdminSite, request: HttpRequest, view: View, args: Sequence[Any],
          kwargs: Mapping[str, Any], *, public: bool = False) -> HttpResponse:
    request.current_app = site.name
    if not isinstance(getattr(request, "htmx", None), HtmxDetails):
        request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]
    # The person's scopes fence every key the page sends (``data.fence``): a key outside
    # them costs no call and answers as a missing one.
    with links.serving(site.name), fence.fenced(site.fence(request)), \
            call_log.recording(conf.get("REQUEST_BUDGET")) as log:
        request.dynamodb_calls = log  # type: ignore[attr-defined]
        try:
            response = _respond(site, request, view, args, kwargs, public=public)
            if isinstance(response, TemplateResponse) and not response.is_rendered:
                response.context_data = {**site.each_context(request),
                                         **_environment(site, response.context_data or {}),
                                         **(response.context_data or {})}
                try:
                    response.render()
                except DataError as exc:
                    # A call made while rendering fails like one made in the view.
                    response = _error_page(site, request, exc)
        except Exception as exc:  # noqa: BLE001 - handed to Django's handler, as it would be
            # Django logs it, signals it and renders the URLconf's handler500 (its debug
            # page under DEBUG), exactly as if it had left the view; answered here, the
            # page still carries the headers below.
            response = response_for_exception(request, exc)
            if settings.DEBUG and response.status_code == 500:
                return protect(response, csp=False)
    if log.operations:
        response["X-Dynadmin-Calls"] = ",".join(log.operations)
    # Pages show customer data: never keep them in shared or browser caches.
    return protect(response)


def refuse_oversized(site: AdminSite, request: HttpRequest) -> HttpResponse | None:
    """A 413 for a request whose declared body is larger than any valid one, decided from
    ``CONTENT_LENGTH`` before anything reads the body (the CSRF check, Django's upload
    handlers, a form)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = max_request_bytes()
    if length <= limit:
        return None

    def too_large(request: HttpRequest, site: AdminSite) -> HttpResponse:
        return error_response(
            request, 413, _("Request too large"),
            _("This request is %(size)s bytes; dynadmin accepts at most %(limit)s bytes "
              "(DynamoDB stores items of up to 400 KB). Nothing was read or written.")
            % {"size": f"{length:,}", "limit": f"{limit:,}"},
            _("Upload a smaller file, or shorten the item."))

    response = serve(site, request, too_large, (), {}, public=True)
    # The body was never read: the connection cannot be reused for another request.
    response["Connection"] = "close"
    return response


def max_request_bytes() -> int:
    """dynadmin's own cap, or the host's DATA_UPLOAD_MAX_MEMORY_SIZE when that is lower."""
    host = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)
    return min(limits.MAX_REQUEST_BYTES, host) if host else limits.MAX_REQUEST_BYTES


def _respond(site: AdminSite, request: HttpRequest, view: View, args: Sequence[Any],
             kwargs: Mapping[str, Any], *, public: bool) -> HttpResponse:
    if not public and not site.has_permission(request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return redirect_to_login(request.get_full_path(),
                                     reverse("dynadmin:login", current_app=site.name))
        return error_response(request, 403, _("Permission denied"),
                              _("dynadmin is for staff accounts."))
    try:
        return view(request, site, *args, **kwargs)
    except DataError as exc:
        if not isinstance(exc, WriteInterrupted):  # a write that was sent audits itself
            record_refused_write(site, request, kwargs, exc.message,
                                 outcome=AuditEntry.Outcome.NOT_APPLIED)
        return _error_page(site, request, exc)
    except UserInputError as exc:
        return error_response(request, exc.status, exc.title, exc.message, exc.advice)
    except PermissionDenied as exc:
        record_refused_write(site, request, kwargs, str(exc))
        return error_response(request, 403, _("Permission denied"),
                              str(exc) or _("You may not see this page."))
    except Http404 as exc:
        # A subclass may name what was not found (``access.ItemNotFound``).
        return error_response(request, 404, getattr(exc, "title", None) or _("Not found"),
                              str(exc) or _("There is nothing at this address."))


def _error_page(site: AdminSite, request: HttpRequest, error: DataError) -> HttpResponse:
    logger.warning("%s on %s: %s", type(error).__name__, request.path, error)
    response = data_error_response(request, error, site)
    if isinstance(response, TemplateResponse) and not response.is_rendered:
        response.context_data = {**site.each_context(request), **(response.context_data or {})}
        response.render()
    return response


def _environment(site: AdminSite, context: Mapping[str, Any]) -> dict[str, Any]:
    """The environment banner: the page's table's connection, or the site's when the page
    shows no single table."""
    table = context.get("table")
    return {"environment": environment_of(site, table if hasattr(table, "primary") else None)}
