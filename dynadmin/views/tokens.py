"""Personal access tokens: a monitor or a script reads the site's JSON as the person who made
the token, with ``Authorization: Bearer <token>`` and no session.

- Which pages take a token: the JSON endpoints only (``health.json``, an item's
  ``changes.json``, a partition page asked ``?format=json`` or ``csv``), marked with
  ``accepts_tokens``; an HTML page asked with a token is refused (403), since what a page
  offers (forms, links, htmx) is for a person with a session.
- What a token may do: what its person may, and nothing more; a token reads only unless it
  was made "may write", and then it may also post to the site's write addresses as its
  person (no CSRF token is asked: the request carries no cookie a browser could send on
  someone's behalf). A read-only token gets 403 on every write, before the view runs.
- A missing, malformed, unknown, expired or revoked token gets the same 401 with
  ``WWW-Authenticate: Bearer``: the answer never tells which.
- Every use of a token that exists (revoked and expired ones included) is one
  ``AccessTokenUse`` row with the token's name, kept ``DYNADMIN_TOKEN_USES_KEPT_DAYS``;
  the audit log of writes stays for writes (a write made with a token is audited there as
  its person's, as any other).
- Only a digest of each token is stored: the token is shown once, on the page that made it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import conf
from ..models import AccessToken, AccessTokenUse
from ..services.links import site_url

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["TOKEN_PATTERN", "accepts_tokens", "make_token", "serve_with_token", "token_page"]

View = Callable[..., HttpResponse]

# dyn_<12 hex: the public prefix that finds the row>_<43 characters: 256 random bits>
TOKEN_PATTERN = re.compile(r"dyn_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LIFETIMES = (7, 30, 90, 365)


def accepts_tokens(view: View | None = None, *, when: Callable[[HttpRequest], bool] | None = None
                   ) -> Any:
    """Mark a view as a JSON endpoint a token may read (``when``: only for the requests it
    accepts, such as a page's JSON export)."""

    def mark(view: View) -> View:
        view.accepts_tokens = when or (lambda request: True)  # type: ignore[attr-defined]
        return view

    return mark(view) if view is not None else mark


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_token(user: Any, name: str, *, days: int, may_write: bool = False
               ) -> tuple[AccessToken, str]:
    """A new token for ``user`` and its text, which is never stored nor shown again."""
    while True:
        prefix = secrets.token_hex(6)
        if not AccessToken.objects.filter(prefix=prefix).exists():
            break
    text = f"dyn_{prefix}_{secrets.token_urlsafe(32)}"
    token = AccessToken.objects.create(
        user=user, name=name, prefix=prefix, digest=digest(text), may_write=may_write,
        expires_at=timezone.now() + dt.timedelta(days=days))
    return token, text


def _bearer(request: HttpRequest) -> str | None:
    """The token text of an ``Authorization: Bearer`` header ("" for a malformed one); None
    when the request does not use a token at all."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is None:
        return None
    scheme, _space, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


def _find(text: str) -> AccessToken | None:
    """The token this text is, whatever its state; None for a text no token has."""
    match = TOKEN_PATTERN.fullmatch(text)
    if match is None:
        return None
    token = (AccessToken.objects.select_related("user").filter(prefix=match.group(1)).first())
    if token is None or not hmac.compare_digest(token.digest, digest(text)):
        return None
    return token


def _usable(token: AccessToken) -> bool:
    return (token.revoked_at is None and token.expires_at > timezone.now()
            and token.user.is_active)


def _json(status: int, error: str, message: str) -> HttpResponse:
    return HttpResponse(json.dumps({"error": error, "message": message}), status=status,
                        content_type="application/json; charset=utf-8")


def _unauthorized() -> HttpResponse:
    # One answer for every token that does not open the site: nothing tells a guesser
    # whether a prefix exists, nor an old token's holder that it was revoked, not expired.
    response = _json(401, "invalid_token",
                     "This token is not valid: it may be mistyped, expired or revoked.")
    response["WWW-Authenticate"] = 'Bearer realm="dynadmin", error="invalid_token"'
    return response


def serve_with_token(request: HttpRequest, view: View, serve: View, *, public: bool = False
                     ) -> HttpResponse | None:
    """The answer to a request that carries a bearer token, or None when it carries none
    (the session decides, as for every page). ``serve`` runs ``view`` as the site serves
    any page, here as the token's person."""
    text = _bearer(request)
    if text is None:
        return None
    token = _find(text)
    if token is None:
        return _unauthorized()
    if not _usable(token):
        response = _unauthorized()
    else:
        authenticate(request, token)
        response = _answer(request, token, view, serve, public=public)
    _record_use(token, request, response.status_code)
    return response


def _answer(request: HttpRequest, token: AccessToken, view: View, serve: View, *,
            public: bool) -> HttpResponse:
    if public:  # signing in and out is a person's, with a session
        return _json(403, "not_for_tokens", _("Tokens do not sign in nor out."))
    if request.method not in SAFE_METHODS:
        if not token.may_write:
            return _json(403, "read_only_token",
                         _("This token reads only: it may not change anything."))
        return serve(request)
    if not getattr(view, "accepts_tokens", lambda request: False)(request):
        return _json(403, "not_for_tokens",
                     _("A token reads the JSON endpoints only (health.json, changes.json, a "
                       "page's JSON or CSV); pages need a session."))
    return serve(request)


def authenticate(request: HttpRequest, token: AccessToken) -> None:
    """The request runs as the token's person (the session, if any, is not used)."""
    request.user = token.user
    request.access_token = token  # type: ignore[attr-defined]


def _record_use(token: AccessToken, request: HttpRequest, status: int) -> None:
    now = timezone.now()
    with transaction.atomic():
        if token.last_used_at is None or token.last_used_at.date() != now.date():
            # Pruned once a day per token: a monitor polling every ten seconds leaves
            # 8,640 rows a day, which nobody reads after a month.
            kept = dt.timedelta(days=conf.get("TOKEN_USES_KEPT_DAYS"))
            AccessTokenUse.objects.filter(token=token, at__lt=now - kept).delete()
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        AccessTokenUse.objects.create(token=token, token_name=token.name,
                                      method=request.method or "", path=request.path[:1024],
                                      status=status)


# -- the person's page of tokens ---------------------------------------------------------
class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           help_text=gettext_lazy("What will use it, e.g. “uptime monitor”."))
    days = forms.TypedChoiceField(label=gettext_lazy("Expires after"), coerce=int)
    may_write = forms.BooleanField(
        label=gettext_lazy("May write"), required=False,
        help_text=gettext_lazy("Off: the token only reads. On: it may also change what you "
                               "may change."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        longest = conf.get("TOKEN_MAX_DAYS")
        days = [d for d in LIFETIMES if d < longest] + [longest]
        self.fields["days"].choices = [(d, _("%(days)s days") % {"days": d}) for d in days]
        self.fields["days"].initial = min(30, longest)


def _session_only(request: HttpRequest) -> None:
    if getattr(request, "access_token", None) is not None:
        raise PermissionDenied(_("Tokens are made and revoked with a session, not a token."))


def token_page(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """The person's tokens: make one (shown once, here), revoke one, see when each was
    last used."""
    _session_only(request)
    if request.method == "POST" and "revoke" in request.POST:
        _revoke(request)
        return HttpResponseRedirect(site_url("tokens"))
    created = None
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token, text = make_token(request.user, form.cleaned_data["name"],
                                 days=form.cleaned_data["days"],
                                 may_write=form.cleaned_data["may_write"])
        created = {"token": token, "text": text}
        form = TokenForm()
    now = timezone.now()
    rows = [{"token": t, "active": t.revoked_at is None and t.expires_at > now,
             "state": (_("revoked") if t.revoked_at else
                       _("expired") if t.expires_at <= now else _("active"))}
            for t in AccessToken.objects.filter(user=request.user)]
    return TemplateResponse(request, site.template_names("tokens.html"), {
        "title": _("Access tokens"), "form": form, "created": created, "rows": rows,
    }, status=400 if form.errors else 200)


def _revoke(request: HttpRequest) -> None:
    try:
        token_id = int(request.POST["revoke"])
    except ValueError:
        raise Http404(_("No such token.")) from None
    mine = AccessToken.objects.filter(pk=token_id, user=request.user)
    if not mine.exists():  # someone else's token answers as a missing one
        raise Http404(_("No such token."))
    mine.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
