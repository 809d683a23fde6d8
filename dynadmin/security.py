"""Security headers and login throttling.

The CSP allows only this site's own scripts and styles: templates carry no inline scripts,
styles or event handlers, and htmx is configured not to inject styles or evaluate code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

__all__ = ["SecurityHeadersMiddleware", "ThrottledLoginView"]

DEFAULT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
               "base-uri 'none'; object-src 'none'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "DYNADMIN_CSP", DEFAULT_CSP)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        # Pages show customer data: never keep them in shared or browser caches.
        if request.user.is_authenticated if hasattr(request, "user") else False:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class ThrottledLoginView(LoginView):
    """Django's login, refusing further attempts after repeated failures.

    Failures are counted per client address and per username, in Django's cache (configure a
    shared cache when several web processes serve dynadmin).
    """

    redirect_authenticated_user = True

    def _keys(self) -> list[str]:
        address = self.request.META.get("REMOTE_ADDR", "")
        username = (self.request.POST.get("username") or "").strip().lower()
        return [f"dynadmin:login-fail:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
                for kind, value in (("addr", address), ("user", username)) if value]

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        limit = getattr(settings, "DYNADMIN_LOGIN_MAX_FAILURES", 5)
        if any((cache.get(key) or 0) >= limit for key in self._keys()):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, "Too many failed attempts. Wait a few minutes and try again.")
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: object) -> HttpResponse:
        window = getattr(settings, "DYNADMIN_LOGIN_LOCKOUT_SECONDS", 15 * 60)
        for key in self._keys():
            cache.add(key, 0, window)
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, window)
        return super().form_invalid(form)

    def form_valid(self, form: object) -> HttpResponse:
        cache.delete_many(self._keys())
        return super().form_valid(form)
