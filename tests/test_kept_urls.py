"""``{% load dynadmin_urls %}``: ``{% url %}`` as Django's, each address reversed once."""

import pytest
from django.template import Engine, RequestContext, Template
from django.template.exceptions import TemplateSyntaxError
from django.test import RequestFactory
from django.urls import NoReverseMatch, set_script_prefix

from dynadmin.templatetags import dynadmin_urls

ENGINE = Engine(libraries={"dynadmin_urls": "dynadmin.templatetags.dynadmin_urls"})


def render(text, **context):
    request = RequestFactory().get("/")
    request.current_app = context.pop("current_app", None)
    return Template("{% load dynadmin_urls %}" + text, engine=ENGINE).render(
        RequestContext(request, context))


def django_render(text, **context):
    request = RequestFactory().get("/")
    request.current_app = context.pop("current_app", None)
    return Template(text, engine=Engine()).render(RequestContext(request, context))


CASES = [
    ("{% url 'dynadmin:partition' table %}", {"table": "Application"}),
    ("{% url 'dynadmin:partition' table=table %}", {"table": "A&B <x>"}),
    ("{% url 'dynadmin:dashboard' %}", {}),
    ("{% url 'dynadmin:dashboard' as home %}[{{ home }}]", {}),
    ("{% url 'no-such-view' as nothing %}[{{ nothing }}]", {}),
    ("{% url name table %}", {"name": "dynadmin:activity", "table": "Application"}),
]


@pytest.mark.parametrize(("text", "context"), CASES)
def test_the_same_addresses_as_djangos_url(text, context):
    dynadmin_urls._kept.clear()
    expected = django_render(text, **context)
    assert render(text, **context) == expected
    assert render(text, **context) == expected  # kept


def test_each_address_is_reversed_once_per_prefix_and_site(monkeypatch):
    dynadmin_urls._kept.clear()
    import django.urls

    reversed_ = []
    real = django.urls.reverse
    monkeypatch.setattr(django.urls, "reverse",
                        lambda *a, **k: reversed_.append(a) or real(*a, **k))
    for _ in range(3):
        assert render("{% url 'dynadmin:partition' 'T' %}") == "/t/T/q/"
    assert len(reversed_) == 1
    set_script_prefix("/admin/")
    try:
        assert render("{% url 'dynadmin:partition' 'T' %}") == "/admin/t/T/q/"
    finally:
        set_script_prefix("/")
    assert len(reversed_) == 2
    render("{% url 'dynadmin:partition' 'T' %}", current_app="other")
    assert len(reversed_) == 3
    render("{% url 'dynadmin:partition' items %}", items=["T"])  # no key: reversed each time
    render("{% url 'dynadmin:partition' items %}", items=["T"])
    assert len(reversed_) == 5


def test_a_missing_view_raises_and_nothing_is_kept():
    dynadmin_urls._kept.clear()
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")
    assert not dynadmin_urls._kept
    with pytest.raises(TemplateSyntaxError):
        render("{% url %}")


def test_a_setting_change_forgets_every_address(settings):
    render("{% url 'dynadmin:dashboard' %}")
    assert dynadmin_urls._kept
    settings.ROOT_URLCONF = settings.ROOT_URLCONF
    assert not dynadmin_urls._kept
