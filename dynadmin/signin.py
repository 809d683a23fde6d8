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
    OIDC_OP_LOGOUT_URL_METHOD = "dynadmin.signin.provider_logout_url"
    OIDC_STORE_ID_TOKEN = True   # the logout's id_token_hint
    OIDC_OP_LOGOUT_ENDPOINT = "https://id.example.com/logout"   # end_session_endpoint

Only imported by a project that configures it (it needs mozilla-django-oidc, the ``oidc``
extra).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify

from . import conf

__all__ = ["GroupMappingBackend", "mapped_groups", "provider_logout_url"]

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
