"""Locked down: every URL needs a login, permissions hold for every view, input is escaped."""

import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.models import AuditEntry
from dynadmin.permissions import ensure_groups
from examples.shop.definitions import User

pytestmark = pytest.mark.django_db

KWARGS = {"table": "Application", "entity": "Application.User", "name": "by_email",
          "entry_id": 1, "token": "x", "job_id": 1, "operation": "pause"}
PUBLIC = {"dynadmin:login"}


def all_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def url_for(name, pattern):
    return reverse(name, kwargs={k: KWARGS[k] for k in pattern.pattern.converters})


ALL = sorted(all_patterns(), key=lambda p: p[0])


@pytest.mark.parametrize(("name", "pattern"), ALL, ids=[n for n, _ in ALL])
def test_every_url_sends_anonymous_people_to_login(client, name, pattern):
    url = url_for(name, pattern)
    if name in PUBLIC:
        assert client.get(url).status_code == 200
        return
    for method in (client.get, client.post):
        response = method(url + "?pk=USER%231&sk=METADATA")
        if name == "dynadmin:logout" and method == client.get:
            assert response.status_code == 405  # logging out is a POST; GET shows nothing
            continue
        assert response.status_code == 302, (name, method)
        assert response["Location"].startswith(reverse("dynadmin:login"))


def test_the_url_walk_saw_every_view():
    names = {n for n, _ in ALL}
    assert {"dynadmin:dashboard", "dynadmin:partition", "dynadmin:item", "dynadmin:edit",
            "dynadmin:delete", "dynadmin:add", "dynadmin:action", "dynadmin:lookup"} <= names


@pytest.fixture
def people(django_user_model):
    ensure_groups()
    clients = {"anonymous": Client()}
    for name in ("Support", "Admin"):
        user = django_user_model.objects.create_user(name.lower(), password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=name))
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


@pytest.fixture
def alice(shop_table):
    item = User.build_item({"user_id": "u1", "email": "alice@example.com", "name": "Alice",
                            "version": 1})
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    return item


ITEM_Q = "?" + urlencode({"pk": "USER#u1", "sk": "METADATA"})
TABLE = {"table": "Application"}
READS = [
    ("dashboard", {}, ""), ("partition", TABLE, "?pk=USER%23u1"), ("item", TABLE, ITEM_Q),
    ("lookup", {}, "?q=alice%40example.com"), ("entity", {"entity": "Application.User"}, ""),
    ("recent_actions", {}, ""),
]


@pytest.mark.parametrize(("view", "kwargs", "query"), READS, ids=[r[0] for r in READS])
@pytest.mark.parametrize("who", ["anonymous", "Support", "Admin"])
def test_read_views_permission_matrix(people, alice, who, view, kwargs, query):
    url = reverse(f"dynadmin:{view}", kwargs=kwargs) + query
    response = people[who].get(url)
    expected = {"anonymous": {302}, "Support": {200, 302}, "Admin": {200, 302}}[who]
    assert response.status_code in expected


def writes(alice):
    return [
        ("edit", {"table": "Application"}, ITEM_Q, {"email": "x@example.com"}),
        ("delete", {"table": "Application"}, ITEM_Q, {}),
        ("resolve", {"table": "Application"}, "", {}),
        ("action", {"table": "Application"}, "", {"action": "Order.mark_shipped",
                                                   "rows": "1"}),
        ("add", {"entity": "Application.User"}, "", {"user_id": "u2", "email": "b@example.com",
                                                     "__extra__": "{}"}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "Support"])
def test_write_views_refuse_without_permission_and_write_nothing(people, alice, shop_table,
                                                                 who):
    for view, kwargs, query, body in writes(alice):
        response = people[who].post(reverse(f"dynadmin:{view}", kwargs=kwargs) + query, body)
        assert response.status_code == (302 if who == "anonymous" else 403), view
        if who == "anonymous":
            assert response["Location"].startswith(reverse("dynadmin:login"))
    assert data.get_item(shop_table, {"PK": "USER#u1", "SK": "METADATA"}) == alice
    assert data.get_item(shop_table, {"PK": "USER#u2", "SK": "METADATA"}) is None
    # Nothing applied; Support's refused attempts are on record (anonymous ones never reach
    # a view).
    outcomes = set(AuditEntry.objects.values_list("outcome", flat=True))
    assert outcomes == ({"denied"} if who == "Support" else set())


def test_admin_may_write(people, alice, shop_table):
    url = reverse("dynadmin:add", kwargs={"entity": "Application.User"})
    response = people["Admin"].post(url, {"user_id": "u2", "email": "b@example.com",
                                          "__extra__": "{}"})
    assert response.status_code == 302
    assert data.get_item(shop_table, {"PK": "USER#u2", "SK": "METADATA"}) is not None


def test_state_changes_need_a_csrf_token(django_user_model, alice, shop_table):
    user = django_user_model.objects.create_superuser("root", "r@example.com", "pw")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    url = reverse("dynadmin:add", kwargs={"entity": "Application.User"})
    response = strict.post(url, {"user_id": "u3", "email": "c@example.com", "__extra__": "{}"})
    assert response.status_code == 403
    assert data.get_item(shop_table, {"PK": "USER#u3", "SK": "METADATA"}) is None


def test_login_is_throttled(client, django_user_model):
    django_user_model.objects.create_user("staff", password="right-password", is_staff=True)
    url = reverse("dynadmin:login")
    for _ in range(5):
        assert client.post(url, {"username": "staff", "password": "wrong"}).status_code == 200
    locked = client.post(url, {"username": "staff", "password": "right-password"})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()


def test_security_headers(staff_client):
    response = staff_client.get(reverse("dynadmin:dashboard"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


def test_templates_have_no_inline_scripts_styles_or_handlers():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\sstyle=", text), path
        assert not re.search(r"\son[a-z]+=", text), path


HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "';alert(1)//",
           "javascript:alert(1)", "ü" * 300, "{{ 7*7 }}", "x" * 5000]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_names_values_and_keys_render_escaped_everywhere(staff_client, shop_table,
                                                                  value):
    item = {"PK": f"USER#{value[:500]}", "SK": "METADATA", "type": "user",
            value[:200]: value, "email": value, "n": Decimal("1.5")}
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    key = {"pk": item["PK"], "sk": "METADATA"}
    pages = [
        reverse("dynadmin:item", kwargs={"table": "Application"}) + "?" + urlencode(key),
        reverse("dynadmin:partition", kwargs={"table": "Application"}) + "?" + urlencode(
            {"pk": item["PK"]}),
        reverse("dynadmin:lookup") + "?" + urlencode({"q": value[:1000]}),
        reverse("dynadmin:edit", kwargs={"table": "Application"}) + "?" + urlencode(key),
    ]
    for url in pages:
        response = staff_client.get(url)
        assert response.status_code < 500, url
        body = response.content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "<img src=x onerror" not in body
    export = staff_client.get(pages[1] + "&format=json")
    assert export["Content-Type"].startswith("application/json")
    assert "<script>" not in unescape(export.content.decode()) or (
        export["Content-Type"].startswith("application/json"))
