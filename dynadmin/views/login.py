"""The site's login and logout: its own throttled form, or the host's sign-in.

When the host signs people in elsewhere (``DYNADMIN_LOGIN_URL``, or a ``LOGIN_URL`` of its own
that is not a dynadmin login), the login page sends people there with ``next`` pointing back,
and the logout hands the sign-out to ``DYNADMIN_LOGOUT_URL`` (where a provider's session can
end too). Someone signed in who may not use the site gets a "no access" page from the login,
never a redirect to the sign-in again: a provider that signs them in silently would send them
straight back, forever.

The form refuses further attempts after repeated failures.

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
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .. import conf

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["LoginThrottle", "ThrottledLoginView", "client_address", "login", "logout",
           "normalise_username", "sign_in_url", "sign_out_url"]

#: The query parameter of the login page after a sign-out handed to the host: the page says
#: so and offers to sign in again, instead of sending the person back to a provider that
#: may still hold their session.
SIGNED_OUT = "signed_out"


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


# -- the host's sign-in -------------------------------------------------------------------
def _host_url(name: str) -> str | None:
    """A setting naming a URL or a URL name, resolved; None when unset or empty."""
    value = conf.get(name)
    if not value:
        return None
    try:
        return str(resolve_url(value))
    except NoReverseMatch:
        return str(value)


def _is_a_dynadmin_login(url: str) -> bool:
    """Does ``url`` (of this host) lead to a dynadmin login page? Then it is no sign-in of the
    host's: redirecting there would loop."""
    parts = urlsplit(url)
    if parts.netloc:
        return False
    try:
        match = resolve(parts.path)
    except Resolver404:
        return False
    return "dynadmin" in match.app_names and match.url_name == "login"


def sign_in_url() -> str | None:
    """Where people sign in, when not on dynadmin's own form: ``DYNADMIN_LOGIN_URL``, else
    the host's ``LOGIN_URL`` when the host set one. None: dynadmin's own form (also when the
    setting names a dynadmin login, the way to keep the form beside a host's ``LOGIN_URL``)."""
    url = _host_url("LOGIN_URL")
    if url is None and settings.is_overridden("LOGIN_URL"):
        url = str(resolve_url(settings.LOGIN_URL))
    if url is None or _is_a_dynadmin_login(url):
        return None
    return url


def sign_out_url() -> str | None:
    """The host's logout view dynadmin's Log out hands over to (``DYNADMIN_LOGOUT_URL``)."""
    return _host_url("LOGOUT_URL")


def _next_page(request: HttpRequest, default: str) -> str:
    """``next`` when it leads to this host (over HTTPS when the request came so), else
    ``default``: a link to the login page must not send a person elsewhere afterwards."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return default


def _hand_over(request: HttpRequest, site: AdminSite, target: str, next_page: str
               ) -> HttpResponse:
    """A redirect to the host's sign-in, asking it to come back through this login page to
    ``next_page``: the login page then lets in, or shows the "no access" page, whatever page
    was asked for. The way back is a path when the sign-in is on this host, the full address
    when it is elsewhere."""
    login_page = reverse("dynadmin:login", current_app=site.name)
    next_page = f"{login_page}?{urlencode({REDIRECT_FIELD_NAME: next_page})}"
    parts = urlsplit(target)
    if parts.netloc and (parts.scheme, parts.netloc) != (request.scheme, request.get_host()):
        next_page = request.build_absolute_uri(next_page)
    return redirect_to_login(next_page, target, REDIRECT_FIELD_NAME)


def no_access(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """The page of someone signed in whom the site does not let in (403): who they are, that
    their account has no access, and a way to sign out; never a loop back to the sign-in."""
    return TemplateResponse(request, "dynadmin/no_access.html", {
        "title": _("No access"),
        "signed_in_elsewhere": sign_in_url() is not None,
    }, status=403)


def login(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """The site's login page: its own form, or a redirect to the host's sign-in and back."""
    index = reverse("dynadmin:dashboard", current_app=site.name)
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if request.method in ("GET", "HEAD") and site.has_permission(request):
        return HttpResponseRedirect(_next_page(request, index))
    external = sign_in_url()
    if signed_in and (external is not None or request.method in ("GET", "HEAD")):
        return no_access(request, site)
    if external is not None:
        if request.GET.get(SIGNED_OUT):
            return TemplateResponse(request, site.login_template, {
                "title": _("Signed out"), "signed_out": True,
                "sign_in_url": _hand_over(request, site, external, index)["Location"]})
        return _hand_over(request, site, external, _next_page(request, index))
    # A LoginView answers with a page or a redirect; Django's types only promise the base.
    return cast(HttpResponse, ThrottledLoginView.as_view(
        template_name=site.login_template, next_page=index,
        extra_context={"title": _("Log in")},
    )(request))


def logout(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """Django's logout, or the host's (``DYNADMIN_LOGOUT_URL``), which receives this same
    POST (307 keeps the method, the body and so the CSRF token): a provider's session can
    only be ended by the code that knows it, before the local session is gone."""
    handed_to = sign_out_url()
    if handed_to is not None and request.method == "POST":
        return HttpResponseRedirect(handed_to, preserve_request=True)
    login_page = reverse("dynadmin:login", current_app=site.name)
    if sign_in_url() is not None:
        # Signed in elsewhere: the login page would send the person straight back there,
        # where a provider's session may sign them in again at once.
        login_page += f"?{SIGNED_OUT}=1"
    view: Any = LogoutView.as_view(next_page=login_page)
    return cast(HttpResponse, view(request))
