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
    ("django.contrib.sessions.middleware.SessionMiddleware", "dynadmin.E102"),
    ("django.contrib.auth.middleware.AuthenticationMiddleware", "dynadmin.E103"),
    ("django.contrib.messages.middleware.MessageMiddleware", "dynadmin.E104"),
])
def test_missing_middleware_is_named(settings, dropped, expected):
    middleware = [m for m in settings.MIDDLEWARE if m != dropped]
    assert expected in ids({"MIDDLEWARE": middleware})


def test_a_missing_template_engine_is_named(settings):
    assert "dynadmin.E105" in ids({"TEMPLATES": []})


def test_templates_that_cannot_be_found_are_named_with_the_fix(settings):
    engine = {**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False}
    with override_settings(TEMPLATES=[engine]):
        problems = check_project()
    [problem] = [p for p in problems if p.id == "dynadmin.E106"]
    assert "APP_DIRS=True" in problem.hint
