"""The site's login view, refusing further attempts after repeated failures.

Failures are counted in Django's cache, which the project must share between processes (a
Redis or database cache; system check W102 warns about a per-process one), with atomic
increments, so every worker and host sees the same counts:

- per **username**, normalised the way Django's login form normalises it (NFKC) and then
  case-folded, so ``ｎogroup`` and ``NOGROUP`` spend ``nogroup``'s attempts. Reaching the limit
  locks that username only: another person's correct password is never refused for it.
- per **client address**, a looser limit (10x by default), which stops one machine guessing
  across many usernames without locking out an office behind one NAT after a few typos. The
  address is ``X-Forwarded-For``'s only behind ``DYNADMIN_TRUSTED_PROXIES`` proxies of your own;
  otherwise anyone could pick a fresh address per attempt.

django-axes was considered: it has one failure limit for every lockout parameter (no looser
limit per address) and needs its backend and middleware in the host's settings, which
dynadmin promises not to require.
"""

from __future__ import annotations

import hashlib
import unicodedata

from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .. import conf

__all__ = ["LoginThrottle", "ThrottledLoginView", "client_address", "normalise_username"]


def normalise_username(username: str) -> str:
    """The counter's name for a username: what Django's ``UsernameField`` makes of it (NFKC,
    stripped), case-folded so case variants share one counter."""
    text = unicodedata.normalize("NFKC", username.strip()).casefold()
    return unicodedata.normalize("NFKC", text)


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the outermost of N trusted proxies saw.

    Each proxy appends the address it received the request from, so with N proxies of your
    own the client is the N-th entry from the right; entries further left are whatever the
    client chose to send."""
    proxies = int(conf.get("TRUSTED_PROXIES") or 0)
    forwarded = [part.strip() for part in
                 request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies > 0 and forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "")


class LoginThrottle:
    """The failure counters one login attempt is judged by."""

    def __init__(self, request: HttpRequest) -> None:
        per_user = conf.get("LOGIN_MAX_FAILURES")
        per_address = conf.get("LOGIN_MAX_FAILURES_PER_ADDRESS") or 10 * per_user
        self.window = conf.get("LOGIN_LOCKOUT_SECONDS")
        username = normalise_username(request.POST.get("username") or "")
        self.username_key = _key("user", username) if username else None
        address = client_address(request)
        self.limits = {key: limit for key, limit in (
            (self.username_key, per_user),
            (_key("addr", address) if address else None, per_address)) if key}

    def refuses(self) -> bool:
        counts = cache.get_many(list(self.limits))
        return any(counts.get(key, 0) >= limit for key, limit in self.limits.items())

    def failed(self) -> None:
        for key in self.limits:
            # add + incr: atomic on Redis, so concurrent failures on several workers all count.
            cache.add(key, 0, self.window)
            try:
                cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.add(key, 1, self.window)
            # The window runs from the last failure (a database cache's incr resets it anyway).
            cache.touch(key, self.window)

    def succeeded(self) -> None:
        # The username's counter only: signing in to one's own account must not reset the
        # address's, or a guesser with one account could keep trying everybody else's.
        if self.username_key:
            cache.delete(self.username_key)


def _key(kind: str, value: str) -> str:
    return f"dynadmin:login-fail:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


class ThrottledLoginView(LoginView):
    """Django's login, refusing attempts for a username (or from an address) that failed too
    often recently, with 429 and the form."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        self.throttle = LoginThrottle(request)
        if self.throttle.refuses():
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many failed attempts. Wait a few minutes and try again."))
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: object) -> HttpResponse:
        self.throttle.failed()
        return super().form_invalid(form)

    def form_valid(self, form: object) -> HttpResponse:
        self.throttle.succeeded()
        return super().form_valid(form)
