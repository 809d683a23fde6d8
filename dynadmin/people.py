"""The signed-in person, read from the database once and then kept in the shared cache.

Django's ``AuthenticationMiddleware`` reads the user from the database on every request,
``ModelBackend`` reads their permissions (two more queries) the first time a page asks, and
dynadmin reads their scopes: three or four queries before a page does anything.
``PersonCacheMiddleware``, in its place, keeps that person (the user object with its
permissions and scope names already read) in the cache ``DYNADMIN_PERSON_CACHE`` names: with
sessions in the cache too (``cached_db`` through Redis, as the ready-made project has them), a
page makes no database query at all.

What is kept is never trusted beyond what Django itself checks:

- the session still decides who is signed in: a logout (on any worker or host) ends the
  session, and with it the person; the kept person must be the session's user, through the
  session's backend, and the session's auth hash must verify against them (a password change
  signs them out everywhere, as it does without the cache);
- a person is kept under two tokens, theirs and everyone's, and is used only while both are
  unchanged. Saving or deleting the user, changing their groups or permissions, or logging
  out replaces their token; changing a group, a group's permissions, a permission or a scope
  assignment replaces everyone's. A token is replaced at once and again when the
  transaction commits, so a request that read the person from the database in between keeps
  nothing that outlives the change. Tokens are random, so a token the cache lost never comes
  back as an old one;
- changes made without Django's signals (``QuerySet.update()``, SQL) are seen when the kept
  person expires (``KEPT_SECONDS``) or when anything above replaces a token.

With the sessions in the same cache, a session this process has seen is read with its person
in one ``get_many`` (the session takes that data as its own ``load`` would have read it).

Without a session user, or with ``DYNADMIN_PERSON_CACHE = ""``, it is Django's middleware.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends import cache as cache_sessions
from django.contrib.sessions.backends import cached_db as cached_db_sessions
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from . import conf

__all__ = ["KEPT_SECONDS", "PersonCacheMiddleware", "connect_signals", "forget_everyone",
           "forget_person"]

#: Seconds a person is kept: the bound on seeing a change made without Django's signals.
KEPT_SECONDS = 300

_EVERYONE = "dynadmin:people:token"


def _token_key(pk: Any) -> str:
    return f"dynadmin:person:{pk}:token"


def _person_key(pk: Any) -> str:
    return f"dynadmin:person:{pk}"


class PersonCacheMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware``, with the signed-in person kept in the cache.
    Put it where Django's stands in ``MIDDLEWARE`` (it passes Django's own checks)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _signed_in(request))


def _signed_in(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = _read_person(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


def _read_person(request: HttpRequest) -> Any:
    alias = conf.get("PERSON_CACHE")
    session = request.session
    read_ahead = _read_with_session(session, alias) if alias else None
    pk = session.get(auth.SESSION_KEY)
    backend = session.get(auth.BACKEND_SESSION_KEY)
    if not alias or pk is None or backend not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)  # no one signed in, or a backend no longer allowed
    cache = caches[alias]
    keys = (_EVERYONE, _token_key(pk), _person_key(pk))
    if read_ahead is not None and read_ahead[0] == pk:
        found = read_ahead[1]
    else:
        found = cache.get_many(keys)
        _remember_session(session.session_key, pk)
    tokens = (found.get(keys[0]), found.get(keys[1]))
    kept = found.get(keys[2])
    if (kept is not None and None not in tokens and kept[0] == tokens and kept[1] == backend
            and _verifies(session, kept[2])):
        return kept[2]
    if None in tokens:
        tokens = _tokens(cache, keys[:2])
    # The tokens are read before the person: a change committed after this read replaces
    # a token, and what is kept below is never used.
    user = auth.get_user(request)
    if user.is_authenticated:
        _read_ahead(user)
        cache.set(keys[2], (tokens, backend, user), KEPT_SECONDS)
    return user


#: whose sessions this process has seen (session key: user pk), so that the next page of a
#: session reads its session and its person in one call of the cache, not two
_SESSIONS_SEEN: dict[str, Any] = {}
#: how many sessions are remembered before they are all forgotten (a miss costs one call)
SESSIONS_REMEMBERED = 4096


def _remember_session(session_key: str | None, pk: Any) -> None:
    if session_key:
        if len(_SESSIONS_SEEN) >= SESSIONS_REMEMBERED:
            _SESSIONS_SEEN.clear()
        _SESSIONS_SEEN[session_key] = pk


def _read_with_session(session: Any, alias: str) -> tuple[Any, dict[str, Any]] | None:
    """For a session kept in the person's cache (``cached_db`` or ``cache`` sessions through
    the same alias) whose person this process has seen: the session's data and what is kept
    of that person, in one ``get_many``. The session takes its data as its own ``load``
    would have read it (nothing when the cache has none: it reads as it always does). The
    person's entries are used only if the session's user is still that person."""
    key = session.session_key
    pk = _SESSIONS_SEEN.get(key) if key else None
    if (pk is None or "_session_cache" in session.__dict__
            or not isinstance(session, (cached_db_sessions.SessionStore,
                                        cache_sessions.SessionStore))
            or settings.SESSION_CACHE_ALIAS != alias):
        return None
    session_entry = session.cache_key_prefix + key
    found = caches[alias].get_many((session_entry, _EVERYONE, _token_key(pk), _person_key(pk)))
    data = found.pop(session_entry, None)
    if data is None:
        return None  # the session reads itself (from the database, or finds it has ended)
    session._session_cache = data
    return pk, found


def _verifies(session: Any, user: Any) -> bool:
    """Does the session's auth hash verify against the kept user (as ``auth.get_user``
    checks; a hash that only verifies with a fallback secret goes through Django's path)?"""
    if not hasattr(user, "get_session_auth_hash"):
        return True
    session_hash = session.get(auth.HASH_SESSION_KEY)
    return bool(session_hash) and constant_time_compare(session_hash,
                                                       user.get_session_auth_hash())


def _tokens(cache: Any, keys: tuple[str, str]) -> tuple[Any, Any]:
    for key in keys:
        cache.add(key, secrets.token_hex(8), None)
    found = cache.get_many(keys)
    return found.get(keys[0]), found.get(keys[1])


def _read_ahead(user: Any) -> None:
    """What pages ask of a person, read now so that it is kept with them: their
    permissions (``ModelBackend`` caches them on the user) and their scope names."""
    from .scopes import scope_names_of

    if user.is_active and not user.is_superuser:
        user.get_all_permissions()
    scope_names_of(user)


def _replace(key: str) -> None:
    alias = conf.get("PERSON_CACHE")
    if not alias:
        return
    cache = caches[alias]

    def replace() -> None:
        cache.set(key, secrets.token_hex(8), None)

    replace()
    transaction.on_commit(replace, robust=True)


def forget_person(pk: Any) -> None:
    """Stop using the kept copy of the person ``pk`` (on every worker and host sharing the
    cache); their next request reads them from the database."""
    _replace(_token_key(pk))


def forget_everyone() -> None:
    """Stop using every kept person (a group, a permission or a scope assignment changed)."""
    _replace(_EVERYONE)


def _user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_person(instance.pk)


def _membership_changed(sender: Any, instance: Any, action: str, reverse: bool,
                        pk_set: Any = None, **kwargs: Any) -> None:
    """A user's groups or own permissions: theirs from the user's side, else each user's."""
    if not action.startswith("post_"):
        return
    from django.contrib.auth import get_user_model

    if isinstance(instance, get_user_model()):
        forget_person(instance.pk)
    elif pk_set:
        for pk in pk_set:
            forget_person(pk)
    else:
        forget_everyone()


def _everyone_changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        forget_everyone()


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        forget_person(user.pk)


def connect_signals() -> None:
    """Replace the tokens whenever what is kept of a person may have changed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.auth.signals import user_logged_out
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import ScopeAssignment

    user_model = get_user_model()
    uid = "dynadmin.people"
    for signal in (post_save, post_delete):
        signal.connect(_user_changed, sender=user_model, dispatch_uid=f"{uid}.user")
        for model in (Group, Permission, ScopeAssignment):
            signal.connect(_everyone_changed, sender=model,
                           dispatch_uid=f"{uid}.{model.__name__}")
    for relation in ("groups", "user_permissions"):
        field = getattr(user_model, relation, None)
        if field is not None and hasattr(field, "through"):
            m2m_changed.connect(_membership_changed, sender=field.through,
                                dispatch_uid=f"{uid}.{relation}")
    for through in (Group.permissions.through, ScopeAssignment.users.through,
                    ScopeAssignment.groups.through):
        m2m_changed.connect(_everyone_changed, sender=through,
                            dispatch_uid=f"{uid}.{through.__name__}")
    user_logged_out.connect(_logged_out, dispatch_uid=f"{uid}.logout")
