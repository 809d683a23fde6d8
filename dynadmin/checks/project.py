"""System checks for the project dynadmin is installed into, like ``admin.E401``-``E410``.

dynadmin needs nothing from a host beyond what ``django-admin startproject`` sets up; when a
project lacks one of those parts, ``manage.py check`` names it and the exact line to add.

| ID   | what is missing |
|------|-----------------|
| E101 | ``django.contrib.auth`` or ``django.contrib.contenttypes`` in INSTALLED_APPS |
| E102 | ``django.contrib.sessions`` and its middleware (sign-in needs a session) |
| E103 | ``AuthenticationMiddleware`` |
| E104 | ``MessageMiddleware`` (saves report what was written through messages) |
| E105 | a DjangoTemplates engine |
| E106 | dynadmin's own templates cannot be found (an install without its templates) |
| E107 | ``DYNADMIN_CONNECTIONS`` is wrong, or a table names a connection it does not define |
| W101 | ``django.contrib.staticfiles`` is not installed: serve dynadmin's static files yourself |
| W102 | several processes serve the site (gunicorn, or ``DYNADMIN_MULTI_PROCESS = True``) but the |
|      | default cache, or the cache sessions live in, is one process's own (LocMem, Dummy)   |
"""

from __future__ import annotations

import os
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Warning, register

from .. import conf

__all__ = ["check_project"]

_SESSIONS = "django.contrib.sessions.middleware.SessionMiddleware"
_AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
_MESSAGES = "django.contrib.messages.middleware.MessageMiddleware"


@register("dynadmin")
def check_project(app_configs: Any = None, **kwargs: Any) -> list:
    problems: list = []
    for app in ("django.contrib.auth", "django.contrib.contenttypes"):
        if not apps.is_installed(app):
            problems.append(Error(
                f"'{app}' must be in INSTALLED_APPS: dynadmin's permissions are Django's.",
                hint=f'Add "{app}" to INSTALLED_APPS.', id="dynadmin.E101"))
    middleware = list(getattr(settings, "MIDDLEWARE", []) or [])
    if not apps.is_installed("django.contrib.sessions") or not _has(middleware, _SESSIONS):
        problems.append(Error(
            "dynadmin signs people in with Django's sessions.",
            hint=f'Add "django.contrib.sessions" to INSTALLED_APPS and "{_SESSIONS}" to '
                 "MIDDLEWARE.", id="dynadmin.E102"))
    if not _has(middleware, _AUTH):
        problems.append(Error(
            "dynadmin needs request.user.",
            hint=f'Add "{_AUTH}" to MIDDLEWARE (after the session middleware).',
            id="dynadmin.E103"))
    if not _has(middleware, _MESSAGES):
        problems.append(Error(
            "dynadmin reports what a save wrote through Django's messages.",
            hint=f'Add "{_MESSAGES}" to MIDDLEWARE (and "django.contrib.messages" to '
                 "INSTALLED_APPS).", id="dynadmin.E104"))
    problems += _templates()
    problems += _connections()
    if not apps.is_installed("django.contrib.staticfiles"):
        problems.append(Warning(
            "django.contrib.staticfiles is not installed: dynadmin's stylesheet and scripts "
            "(static/dynadmin/) must be served by your own setup.",
            hint='Add "django.contrib.staticfiles" to INSTALLED_APPS.', id="dynadmin.W101"))
    problems += _per_process_state()
    return problems


# Caches that live in one process's memory: another worker or host never sees what they hold.
_PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache",
                       "django.core.cache.backends.dummy.DummyCache")
_CACHED_SESSIONS = ("django.contrib.sessions.backends.cache",
                    "django.contrib.sessions.backends.cached_db")


def multi_process() -> bool:
    """``DYNADMIN_MULTI_PROCESS`` when set; otherwise whether gunicorn runs this process (its
    master sets SERVER_SOFTWARE in the environment before loading the app)."""
    setting = conf.get("MULTI_PROCESS")
    if setting is not None:
        return bool(setting)
    return os.environ.get("SERVER_SOFTWARE", "").lower().startswith("gunicorn")


def _per_process_state() -> list:
    if not multi_process():
        return []
    caches = getattr(settings, "CACHES", {}) or {}
    uses = {"default": "login throttling and cached DescribeTable answers"}
    if getattr(settings, "SESSION_ENGINE", "") in _CACHED_SESSIONS:
        alias = getattr(settings, "SESSION_CACHE_ALIAS", "default")
        uses[alias] = " and ".join(filter(None, (uses.get(alias), "sessions")))
    if _has(list(getattr(settings, "MIDDLEWARE", ())), "dynadmin.people.PersonCacheMiddleware"):
        alias = conf.get("PERSON_CACHE")
        if alias:
            uses[alias] = " and ".join(filter(None, (uses.get(alias), "signed-in people")))
    problems = []
    for alias, what in uses.items():
        backend = caches.get(alias, {}).get("BACKEND", _PER_PROCESS_CACHES[0])
        if backend in _PER_PROCESS_CACHES:
            problems.append(Warning(
                f"The cache {alias!r} ({backend.rsplit('.', 1)[-1]}) lives in one process, but "
                f"several processes serve this site: {what} differ from one worker or host to "
                "the next (a logout may not end a session everywhere; a lockout may not hold).",
                hint="Use a shared cache (django.core.cache.backends.redis.RedisCache, or "
                     "DatabaseCache after `manage.py createcachetable`) and keep sessions in the "
                     'database (SESSION_ENGINE = "django.contrib.sessions.backends.db"). '
                     "DYNADMIN_MULTI_PROCESS = False silences this for a single process.",
                id="dynadmin.W102"))
    return problems


def _connections() -> list:
    from ..data import connection_problems
    from ..sites import site

    hint = "See DYNADMIN_CONNECTIONS in the settings reference (docs/reference/settings.md)."
    return [Error(problem, hint=hint, id="dynadmin.E107")
            for problem in connection_problems(site.tables.values())]


def _has(middleware: list[str], dotted: str) -> bool:
    from django.utils.module_loading import import_string

    wanted = import_string(dotted)
    for entry in middleware:
        try:
            found = import_string(entry)
        except ImportError:
            continue
        if isinstance(found, type) and isinstance(wanted, type) and issubclass(found, wanted):
            return True
    return False


def _templates() -> list:
    from django.template import TemplateDoesNotExist, engines
    from django.template.backends.django import DjangoTemplates

    if not any(isinstance(engine, DjangoTemplates) for engine in engines.all()):
        return [Error("dynadmin's pages are Django templates.",
                      hint="Add a 'django.template.backends.django.DjangoTemplates' engine to "
                           "TEMPLATES with APP_DIRS=True.", id="dynadmin.E105")]
    engine = next(e for e in engines.all() if isinstance(e, DjangoTemplates))
    try:
        engine.get_template("dynadmin/base.html")
    except TemplateDoesNotExist:
        return [Error(
            "dynadmin's templates cannot be found (dynadmin/base.html).",
            hint="Keep APP_DIRS=True in your DjangoTemplates engine (a built wheel carries the "
                 "templates inside the package); running from a source checkout, add its "
                 "top-level templates/ folder to DIRS.", id="dynadmin.E106")]
    return []
