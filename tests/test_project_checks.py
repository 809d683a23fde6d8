"""What a host project lacks is named by ``manage.py check`` with the line to add."""

import pytest
from django.test import override_settings

from dynadmin.checks import check_project


def ids(settings_overrides):
    with override_settings(**settings_overrides):
        return sorted(problem.id for problem in check_project())


def test_a_startproject_style_configuration_passes(settings):
    assert ids({}) == []


@pytest.mark.parametrize(("dropped", "expected"), [
    (("django.contrib.sessions.middleware.SessionMiddleware",), "dynadmin.E102"),
    # dynadmin's own kind of it counts too (the ready-made project has that one)
    (("django.contrib.auth.middleware.AuthenticationMiddleware",
      "dynadmin.people.PersonCacheMiddleware"), "dynadmin.E103"),
    (("django.contrib.messages.middleware.MessageMiddleware",), "dynadmin.E104"),
])
def test_missing_middleware_is_named(settings, dropped, expected):
    middleware = [m for m in settings.MIDDLEWARE if m not in dropped]
    assert expected in ids({"MIDDLEWARE": middleware})


def test_the_person_cache_middleware_stands_for_djangos(settings):
    middleware = [m for m in settings.MIDDLEWARE
                  if m != "django.contrib.auth.middleware.AuthenticationMiddleware"]
    assert "dynadmin.people.PersonCacheMiddleware" in middleware
    assert "dynadmin.E103" not in ids({"MIDDLEWARE": middleware})


def test_a_missing_template_engine_is_named(settings):
    assert "dynadmin.E105" in ids({"TEMPLATES": []})


def test_templates_that_cannot_be_found_are_named_with_the_fix(settings):
    engine = {**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False}
    with override_settings(TEMPLATES=[engine]):
        problems = check_project()
    [problem] = [p for p in problems if p.id == "dynadmin.E106"]
    assert "APP_DIRS=True" in problem.hint


LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": "redis://127.0.0.1:1/0"}}
DB_SESSIONS = "django.contrib.sessions.backends.db"
CACHED_SESSIONS = "django.contrib.sessions.backends.cached_db"


def test_a_per_process_cache_under_gunicorn_is_warned_about(monkeypatch):
    # gunicorn's master sets SERVER_SOFTWARE before it loads the app (and runs the checks).
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    with override_settings(CACHES=LOCMEM, SESSION_ENGINE=CACHED_SESSIONS):
        [problem] = [p for p in check_project() if p.id == "dynadmin.W102"]
    assert "sessions" in problem.msg and "RedisCache" in problem.hint


def test_the_setting_declares_several_processes_without_gunicorn(monkeypatch):
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert "dynadmin.W102" not in ids({"CACHES": dummy, "SESSION_ENGINE": DB_SESSIONS})
    assert "dynadmin.W102" in ids({"CACHES": dummy, "SESSION_ENGINE": DB_SESSIONS,
                                   "DYNADMIN_MULTI_PROCESS": True})


def test_sessions_in_a_per_process_cache_alias_are_warned_about(monkeypatch):
    caches = {**REDIS, "local": LOCMEM["default"]}
    with override_settings(CACHES=caches, SESSION_ENGINE=CACHED_SESSIONS,
                           SESSION_CACHE_ALIAS="local", DYNADMIN_MULTI_PROCESS=True):
        [problem] = [p for p in check_project() if p.id == "dynadmin.W102"]
    assert "'local'" in problem.msg and "sessions" in problem.msg


@pytest.mark.parametrize("session_engine", [DB_SESSIONS, CACHED_SESSIONS])
def test_a_shared_cache_or_one_process_passes(monkeypatch, session_engine):
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    assert "dynadmin.W102" not in ids({"CACHES": REDIS, "SESSION_ENGINE": session_engine})
    assert "dynadmin.W102" not in ids({"CACHES": LOCMEM, "SESSION_ENGINE": session_engine,
                                       "DYNADMIN_MULTI_PROCESS": False})


def test_signed_in_people_kept_in_a_per_process_cache_alias_are_warned_about():
    """A person kept in one process's cache outlives a change another process makes."""
    caches = {**REDIS, "local": LOCMEM["default"]}
    with override_settings(CACHES=caches, SESSION_ENGINE=DB_SESSIONS,
                           DYNADMIN_PERSON_CACHE="local", DYNADMIN_MULTI_PROCESS=True):
        [problem] = [p for p in check_project() if p.id == "dynadmin.W102"]
    assert "'local'" in problem.msg and "signed-in people" in problem.msg
