"""The site's login view, refusing further attempts after repeated failures."""

from __future__ import annotations

import hashlib

from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .. import conf

__all__ = ["ThrottledLoginView"]


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
        limit = conf.get("LOGIN_MAX_FAILURES")
        if any((cache.get(key) or 0) >= limit for key in self._keys()):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many failed attempts. Wait a few minutes and try again."))
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: object) -> HttpResponse:
        window = conf.get("LOGIN_LOCKOUT_SECONDS")
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
