"""Signing in with a company's OpenID Connect provider, on mozilla-django-oidc.

The provider decides who may use dynadmin: at every sign-in (and every silent renewal of
mozilla-django-oidc's ``SessionRefresh``) the person's groups at the provider, read from the
claim ``DYNADMIN_OIDC_GROUPS_CLAIM``, are mapped to Django groups through
``DYNADMIN_OIDC_GROUP_MAP``: a mapped group is granted when the claim holds it and taken away
when it does not, and the person is staff exactly while they hold one. Groups the map does not
name are the host's and left alone; superuser status is never granted nor taken here.

People are matched by the claim ``DYNADMIN_OIDC_USERNAME_CLAIM`` as their username, never by
email: an address is not an identity at every provider, and matching by it would hand a local
account to whoever the provider lists under the same address.

The host's settings name the pieces::

    AUTHENTICATION_BACKENDS = ["dynadmin.signin.GroupMappingBackend"]
    MIDDLEWARE += ["dynadmin.signin.SessionRefresh"]   # after AuthenticationMiddleware
    OIDC_OP_LOGOUT_URL_METHOD = "dynadmin.signin.provider_logout_url"
    OIDC_STORE_ID_TOKEN = True   # the logout's id_token_hint
    OIDC_OP_LOGOUT_ENDPOINT = "https://id.example.com/logout"   # end_session_endpoint

Only imported by a project that configures it (it needs mozilla-django-oidc, the ``oidc``
extra).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from mozilla_django_oidc import middleware
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify

from . import conf
from .views.headers import protect

__all__ = ["GroupMappingBackend", "SessionRefresh", "mapped_groups", "provider_logout_url"]

logger = logging.getLogger("dynadmin")


def _names(value: Any) -> set[str]:
    """A claim's or a map entry's group names: one name or a list of them."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, Iterable) and not isinstance(value, dict):
        return {item for item in value if isinstance(item, str)}
    return set()


def mapped_groups(claims: dict[str, Any]) -> set[str]:
    """The Django groups the provider's claims grant, by ``DYNADMIN_OIDC_GROUP_MAP``."""
    mapping = conf.get("OIDC_GROUP_MAP")
    held = _names(claims.get(conf.get("OIDC_GROUPS_CLAIM")))
    return {name for claim in held if claim in mapping for name in _names(mapping[claim])}


class GroupMappingBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's backend, matching people by username and giving them the Django
    groups their provider groups map to."""

    def _username(self, claims: dict[str, Any]) -> str:
        value = claims.get(conf.get("OIDC_USERNAME_CLAIM"))
        return value.strip() if isinstance(value, str) else ""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(self._username(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return self.UserModel.objects.filter(
            **{self.UserModel.USERNAME_FIELD: self._username(claims)})

    def describe_user_by_claims(self, claims: dict[str, Any]) -> str:
        return f"username {self._username(claims)!r}"

    def create_user(self, claims: dict[str, Any]) -> Any:
        with transaction.atomic():
            user = self.UserModel.objects.create_user(
                self._username(claims), email=claims.get("email") or "")
            return self.update_user(user, claims)

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        """The person's mapped groups and staff status as the provider says today."""
        mapping = conf.get("OIDC_GROUP_MAP")
        governed = {name for value in mapping.values() for name in _names(value)}
        wanted = mapped_groups(claims)
        granted = list(Group.objects.filter(name__in=wanted))
        missing = wanted - {group.name for group in granted}
        if missing:
            logger.warning("DYNADMIN_OIDC_GROUP_MAP names groups that do not exist: %s",
                           ", ".join(sorted(missing)))
        with transaction.atomic():
            user.groups.remove(*Group.objects.filter(name__in=governed - wanted))
            user.groups.add(*granted)
            user.is_staff = bool(granted)
            email = claims.get("email")
            if isinstance(email, str) and email:
                user.email = email
            user.save(update_fields=["is_staff", "email"])
        return user


def provider_logout_url(request: HttpRequest) -> str:
    """mozilla-django-oidc's ``OIDC_OP_LOGOUT_URL_METHOD``: where the browser goes after the
    local logout, the provider's end-session endpoint (RP-initiated logout) when the host
    names one in ``OIDC_OP_LOGOUT_ENDPOINT``, coming back to ``LOGOUT_REDIRECT_URL``.

    Called before the local session ends: its ID token (``OIDC_STORE_ID_TOKEN``) tells the
    provider whose session to end without asking."""
    back = absolutify(request, resolve_url(getattr(settings, "LOGOUT_REDIRECT_URL", None)
                                           or "/"))
    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", None)
    if not endpoint:
        return back
    params = {"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": back}
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(params)}"


class SessionRefresh(middleware.SessionRefresh):  # type: ignore[misc]
    """mozilla-django-oidc's ``SessionRefresh``, made to hold on every request dynadmin serves.

    - A page (GET) past the interval is renewed at the provider, silently while the
      provider's session lasts, as before.
    - An htmx request past it cannot follow a redirect to the provider (another origin, from
      script): it is answered ``HX-Redirect``, and htmx renews by loading the page the person
      is on through the provider.
    - Anything else past it (a write) is refused with 403, nothing done: mozilla-django-oidc
      only renews GETs, and a disabled account must not keep writing from a page it loaded
      before. Signing in and out stay open.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if request.method not in ("GET", "HEAD", "OPTIONS") and self._is_stale(request):
            return protect(render(request, "dynadmin/errors/error.html", {
                "status": 403, "title": _("Sign-in to renew"),
                "message": _("Your sign-in has to be renewed before anything is changed. "
                             "Nothing was changed."),
                "advice": _("Reload the page (your company's sign-in may ask for your "
                            "password), then try again.")}, status=403))
        response: HttpResponse | None = super().process_request(request)
        if response is not None and request.headers.get("HX-Request") == "true":
            page = request.headers.get("HX-Current-URL", "")
            if page and url_has_allowed_host_and_scheme(
                    page, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
                parts = urlsplit(page)
                request.session["oidc_login_next"] = parts.path + (
                    f"?{parts.query}" if parts.query else "")
            answer = HttpResponse(status=204)
            answer["HX-Redirect"] = response.get("Location") or response.get("refresh_url")
            return answer
        return response

    def _is_stale(self, request: HttpRequest) -> bool:
        """An OIDC session whose ID token's interval has passed, on a path that is not the
        sign-in's or sign-out's own."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or _is_sign_in_or_out(request.path):
            return False
        probe = request.method
        request.method = "GET"  # is_refreshable_url asks the rest of its questions for GETs
        try:
            refreshable = self.is_refreshable_url(request)
        finally:
            request.method = probe
        return bool(refreshable) and request.session.get(
            "oidc_id_token_expiration", 0) <= time.time()


def _is_sign_in_or_out(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return "dynadmin" in match.app_names and match.url_name in ("login", "logout")
