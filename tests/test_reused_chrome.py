"""The chrome of every page (the header, its menu, the static files' addresses) is rendered
once per signed-in person and reused (``{% reused %}``, dynadmin/templatetags/dynadmin_reused.py):
each person still sees their own name and their own request's CSRF token, and a block that
shows something it does not name is caught by the test settings' check."""

import re
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import RequestContext, engines
from django.test import Client, RequestFactory
from django.urls import reverse

RECENT = reverse("dynadmin:recent_actions")
TOKEN_IN_HEADERS = re.compile(r'"X-CSRFToken": "([^"]+)"')
TOKEN_IN_FORM = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _staff(django_user_model, name: str):
    return django_user_model.objects.create_user(name, f"{name}@example.com", "pw",
                                                 is_staff=True)


@pytest.mark.django_db
def test_the_chrome_is_rendered_once_for_a_person_not_on_every_page(client, django_user_model,
                                                                    settings):
    settings.DYNADMIN_CHECK_REUSED = False  # the check renders every block a second time
    client.force_login(_staff(django_user_model, "ana"))
    import django.urls

    real = django.urls.reverse
    with mock.patch.object(django.urls, "reverse", side_effect=real) as reversing:
        first = client.get(RECENT)
        menu_links_first = [c for c in reversing.call_args_list if c.args[0] == "dynadmin:tokens"]
        reversing.reset_mock()
        again = client.get(RECENT)
        menu_links_again = [c for c in reversing.call_args_list if c.args[0] == "dynadmin:tokens"]
    assert first.status_code == again.status_code == 200
    assert len(menu_links_first) == 1
    assert menu_links_again == []  # the header came from the first page's rendering
    assert "Log out ana" in again.content.decode()


@pytest.mark.django_db
def test_each_person_sees_their_own_name_and_their_own_requests_token(django_user_model,
                                                                      settings):
    settings.DYNADMIN_CHECK_REUSED = False
    pages = {}
    for name in ("ana", "bo"):
        person = Client(enforce_csrf_checks=True)
        person.force_login(_staff(django_user_model, name))
        first, second = (person.get(RECENT).content.decode() for _ in range(2))
        pages[name] = (person, first, second)
    for name, other in (("ana", "bo"), ("bo", "ana")):
        person, first, second = pages[name]
        assert f"Log out {name}" in second and f"Log out {other}" not in second
        # The token in the header's logout form is this request's, as in hx-headers.
        tokens = [(TOKEN_IN_HEADERS.search(page)[1], TOKEN_IN_FORM.search(page)[1])
                  for page in (first, second)]
        assert all(headers == form for headers, form in tokens)
        assert tokens[0][0] != tokens[1][0]  # masked afresh for every request
        # ...and it is a token Django accepts: the logout form works.
        answer = person.post(reverse("dynadmin:logout"),
                             {"csrfmiddlewaretoken": tokens[1][1]})
        assert answer.status_code == 302


def _template(source: str):
    return engines["django"].from_string("{% load dynadmin_reused %}" + source).template


def _render(template, **values):
    return template.render(RequestContext(RequestFactory().get("/"), values))


def test_a_block_showing_what_it_does_not_name_is_caught_by_the_check(settings):
    settings.DYNADMIN_CHECK_REUSED = True
    template = _template("{% reused %}<b>{{ name }}</b>{% endreused %}")
    assert _render(template, name="ana") == "<b>ana</b>"
    with pytest.raises(ImproperlyConfigured, match="does not name"):
        _render(template, name="bo")


def test_a_block_is_rendered_again_for_each_value_of_what_it_names(settings):
    settings.DYNADMIN_CHECK_REUSED = True
    template = _template("{% reused name %}<b>{{ name }}</b>{% csrf_token %}{% endreused %}")
    for name in ("ana", "bo", "ana", "<i>"):
        text = _render(template, name=name)
        assert text.startswith(f"<b>{name.replace('<', '&lt;').replace('>', '&gt;')}</b>")
        assert 'name="csrfmiddlewaretoken"' in text and "dynadminreusedtoken" not in text


@pytest.mark.django_db
def test_each_site_of_a_process_keeps_its_own_chrome(client, django_user_model, settings):
    # Two sites share one URLconf (tests/two_sites_urls.py): the header's links point into
    # the site that serves the page, never into the one whose page was rendered first.
    from dynadmin.services import links

    settings.DYNADMIN_CHECK_REUSED = False
    settings.ROOT_URLCONF = "tests.two_sites_urls"
    links._reverse.cache_clear()
    client.force_login(django_user_model.objects.create_superuser("ana", "a@example.com",
                                                                  "pw"))
    try:
        pages = {site: client.get(f"/{site}/recent/").content.decode()
                 for site in ("everything", "catalogue", "everything")}
    finally:
        links._reverse.cache_clear()
    for site, other in (("everything", "catalogue"), ("catalogue", "everything")):
        header = pages[site].split("</header>")[0]
        assert f'href="/{site}/recent/"' in header and f"/{other}/" not in header


@pytest.mark.django_db
def test_the_partition_page_keeps_its_hints_per_partition_and_index(staff_client, shop_table,
                                                                     settings):
    # With the check on, each block is rendered afresh too and compared: a partition's hints
    # shown for another, or for a query refused before its hints were worked out, would
    # raise. The hints' forms carry the page's own partition and order.
    settings.DYNADMIN_CHECK_REUSED = True
    browse = reverse("dynadmin:partition", kwargs={"table": "Application"})
    words = "Ask in the entity"
    pages = [
        ("?pk=USER%23u1", 200, ["ORDER#{placed_on}#{order_id}", 'name="pk" value="USER#u1"']),
        ("?pk=USER%23u1&order=desc", 200, ['name="order" value="desc"']),
        ("?pk=USER%23u1&index=NOPE", 400, []),
        ("?pk=ORDER%23456&index=GSI1", 200, ["USER#{user_id}", 'name="index" value="GSI1"']),
        ("?pk=ORDER%23456", 200, ["ITEM#{product_id}", 'name="pk" value="ORDER#456"']),
        ("?pk=USER%23u2", 200, ['name="pk" value="USER#u2"']),
        ("?pk=USER%23u1", 200, ['name="pk" value="USER#u1"']),
    ]
    for address, status, shown in pages:
        page = staff_client.get(browse + address)
        assert page.status_code == status, address
        html = page.content.decode()
        assert (words in html) == bool(shown), address
        assert all(text in html for text in shown), address
        assert "USER#u1" not in html or "u1" in address, address


class _Thing:
    def __init__(self, name):
        self.name = name
        self.inner = {"name": name}

    def shout(self):
        return self.name.upper()

    @property
    def broken(self):
        raise AttributeError("a property that fails")


class _Defaults(dict):
    def __missing__(self, key):
        return f"default {key}"


@pytest.mark.parametrize("expression", [
    "thing.name", "thing.inner.name", "thing.shout", "thing.broken", "thing.nothing",
    "mapping.name", "mapping.missing", "defaults.name", "defaults.other", "things.0.name",
    "nothing.name", "none.name", "thing.name|upper", "thing.inner.items"])
def test_a_block_s_dependencies_are_what_the_template_engine_finds(settings, expression):
    # The block finds its dependencies' values by a shorter way than the engine's; with the
    # check on, a value it found wrongly (the same key for two texts) raises.
    settings.DYNADMIN_CHECK_REUSED = True
    template = _template(f"{{% reused {expression} %}}[{{{{ {expression} }}}}]{{% endreused %}}")
    plain = engines["django"].from_string(f"[{{{{ {expression} }}}}]").template
    for name in ("ana", "bo", "ana", "cy"):
        values = {"thing": _Thing(name), "mapping": {"name": name}, "things": [_Thing(name)],
                  "defaults": _Defaults(name=name), "none": None}
        try:
            expected = _render(plain, **values)
        except AttributeError:  # the engine lets a failing property's error through...
            with pytest.raises(AttributeError):  # ...and so does the block
                _render(template, **values)
            continue
        assert _render(template, **values) == expected
