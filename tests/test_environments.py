"""Several environments: every page says which one it is looking at, and a read-only
connection or table refuses every write path with one clear answer and offers no write UI."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.editing.originals import sign_item
from examples.shop.definitions import Order, User

pytestmark = pytest.mark.django_db

KEY = {"pk": "USER#0b5e55ed", "sk": "METADATA"}


@pytest.fixture
def alice(shop_table):
    item = User.build_item({"user_id": "0b5e55ed", "email": "alice@example.com",
                            "name": "Alice", "created_at": dt.datetime(2024, 1, 2, tzinfo=dt.UTC)})
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    return item


@pytest.fixture
def production(settings):
    settings.DYNADMIN_CONNECTIONS = {"default": {
        "environment": "production", "color": "red", "read_only": True}}


def url(name, query=None, **kwargs):
    kwargs = kwargs or {"table": "Application"}
    return reverse(f"dynadmin:{name}", kwargs=kwargs) + ("?" + urlencode(query) if query else "")


class TestBanner:
    def test_every_page_names_its_environment_in_its_colour(self, staff_client, alice,
                                                           settings):
        settings.DYNADMIN_CONNECTIONS = {"default": {"environment": "staging",
                                                     "color": "amber"}}
        for page in (reverse("dynadmin:dashboard"),
                     url("item", KEY), url("partition", {"pk": KEY["pk"]}),
                     reverse("dynadmin:lookup") + "?q=nothing"):
            html = staff_client.get(page).content.decode()
            assert 'class="environment env-amber"' in html, page
            assert "staging" in html

    def test_a_read_only_environment_says_so(self, staff_client, alice, production):
        html = staff_client.get(url("item", KEY)).content.decode()
        assert 'class="environment env-red"' in html
        assert "production" in html and "read-only" in html

    def test_a_colour_outside_the_palette_is_a_system_check_error(self, settings):
        from dynadmin.checks import check_project

        settings.DYNADMIN_CONNECTIONS = {"default": {"color": "#ff0000"}}
        assert "dynadmin.E107" in [p.id for p in check_project()]


class TestReadOnly:
    def test_no_write_controls_are_offered(self, staff_client, alice, production):
        html = staff_client.get(url("item", KEY)).content.decode()
        assert "Edit</a>" not in html and "Delete</a>" not in html
        assert 'name="extend"' not in html
        entity = staff_client.get(reverse("dynadmin:entity",
                                          kwargs={"entity": "Application.User"}))
        assert "/add/" not in entity.content.decode()

    @pytest.mark.parametrize("attempt", ["edit-get", "edit-post", "delete-post", "add-post",
                                         "ttl-post", "action-post", "resolve-post"])
    def test_every_write_path_is_refused_clearly_and_writes_nothing(
            self, staff_client, alice, production, attempt):
        token = sign_item(alice)
        changed = dict(alice, name="Mallory")
        requests = {
            "edit-get": ("get", url("edit", KEY), {}),
            "edit-post": ("post", url("edit", KEY), {"original": token, "name": "Mallory"}),
            "delete-post": ("post", url("delete", KEY), {"original": token}),
            "add-post": ("post", reverse("dynadmin:add", kwargs={"entity": "Application.User"}),
                         {"user_id": "u2", "email": "b@example.com"}),
            "ttl-post": ("post", url("set_ttl"), {"original": token, "extend": "7"}),
            "action-post": ("post", url("action"), {"action": "Order.cancel", "rows": "1",
                                                    "selection": "x"}),
            "resolve-post": ("post", url("resolve"), {
                "original": token, "theirs": token, "mine": sign_item(changed)}),
        }
        method, address, body = requests[attempt]
        response = getattr(staff_client, method)(address, body)
        assert response.status_code == 403
        assert "This table is read-only" in response.content.decode()
        assert data.get_item(User._meta.table, {"PK": KEY["pk"], "SK": KEY["sk"]},
                             consistent=True) == alice
        assert data.get_item(User._meta.table, {"PK": "USER#u2", "SK": "METADATA"}) is None

    def test_a_table_can_be_read_only_on_a_writable_connection(self, staff_client, alice,
                                                               settings):
        settings.DYNADMIN_READ_ONLY_TABLES = ["Application"]
        response = staff_client.get(url("edit", KEY))
        assert response.status_code == 403
        assert "DYNADMIN_READ_ONLY_TABLES" in response.content.decode()
        assert Order._meta.table.name == "Application"
