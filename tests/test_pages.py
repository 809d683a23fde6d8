"""The first pages: login, dashboard and the item page, over HTTP to a real backend."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from examples.shop.definitions import Order, User

pytestmark = pytest.mark.django_db


def put(table, item):
    data.put_item(table, item, condition=AttributeNotExists("PK"))
    return item


def item_url(pk, sk):
    from urllib.parse import urlencode

    return reverse("dynadmin:item", kwargs={"table": "Application"}) + "?" + urlencode(
        {"pk": pk, "sk": sk})


class TestLogin:
    def test_anonymous_people_are_sent_to_login(self, client):
        response = client.get(reverse("dynadmin:dashboard"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("dynadmin:login"))

    def test_the_login_page_renders(self, client):
        response = client.get(reverse("dynadmin:login"))
        assert response.status_code == 200
        assert b'name="username"' in response.content

    def test_staff_can_log_in_and_reach_the_dashboard(self, client, django_user_model, shop_table):
        django_user_model.objects.create_user("support", password="s3cret-pass", is_staff=True)
        response = client.post(reverse("dynadmin:login"),
                               {"username": "support", "password": "s3cret-pass"})
        assert response.status_code == 302
        assert client.get(reverse("dynadmin:dashboard")).status_code == 200

    def test_non_staff_accounts_are_refused(self, client, django_user_model):
        user = django_user_model.objects.create_user("customer", password="x")
        client.force_login(user)
        assert client.get(reverse("dynadmin:dashboard")).status_code == 403

    def test_logout_is_a_post(self, staff_client):
        response = staff_client.post(reverse("dynadmin:logout"))
        assert response.status_code == 302
        assert staff_client.get(reverse("dynadmin:dashboard")).status_code == 302


class TestDashboard:
    def test_lists_the_table_and_its_entities(self, staff_client, shop_table):
        response = staff_client.get(reverse("dynadmin:dashboard"))
        html = response.content.decode()
        assert response.status_code == 200
        assert shop_table.table_name in html
        for entity in ("User", "Order", "Order item", "Product", "Session", "Invitation"):
            assert f">{entity}</a>" in html
        assert "ACTIVE" in html
        assert "about every six hours" in html
        # the table, and the archive of changes the example registers beside it
        assert response["X-Dynadmin-Calls"] == "DescribeTable,DescribeTable"

    def test_a_missing_table_is_shown_not_a_crash(self, staff_client, shop_table, settings):
        settings.DYNADMIN_TABLE_NAMES = {"Application": "nope-not-here"}
        response = staff_client.get(reverse("dynadmin:dashboard"))
        assert response.status_code == 200
        # as the health page says it: the table is not there, not "unavailable"
        assert "NOT FOUND" in response.content.decode()


class TestItemPage:
    def test_shows_typed_fields_and_raw_json(self, staff_client, shop_table):
        put(shop_table, User.build_item({
            "user_id": "u1", "email": "alice@example.com", "name": "Alice",
            "created_at": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            "tags": {"vip", "beta"},
        }))
        with data.recording():
            response = staff_client.get(item_url("USER#u1", "METADATA"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "alice@example.com" in html
        assert "2024-01-02 03:04 UTC · " in html  # the one date format, then how long ago
        assert "beta · vip" in html
        assert "&quot;S&quot;: &quot;USER#u1&quot;" in html  # DynamoDB JSON, escaped
        # The item, one bounded Query per related section (orders, sessions, invitations),
        # and one of the archive of changes for its History.
        # (History's Query goes out with the GetItem, and is listed after the page's own)
        assert response["X-Dynadmin-Calls"] == "GetItem,Query,Query,Query,Query"

    def test_exact_decimals(self, staff_client, shop_table):
        put(shop_table, Order.build_item({
            "user_id": "u1", "order_id": "456", "placed_on": "2024-01-15",
            "placed_at": "2024-01-15T09:00:00+00:00", "status": "PENDING",
            "total": Decimal("12345678901234567890.123456789012345678"),
        }))
        response = staff_client.get(item_url("USER#u1", "ORDER#2024-01-15#456"))
        assert "12345678901234567890.123456789012345678" in response.content.decode()

    def test_unclassified_items_show_raw(self, staff_client, shop_table):
        put(shop_table, {"PK": "MYSTERY#1", "SK": "X", "payload": "<b>hi</b>"})
        html = staff_client.get(item_url("MYSTERY#1", "X")).content.decode()
        assert "unclassified" in html
        assert "&lt;b&gt;hi&lt;/b&gt;" in html and "<b>hi</b>" not in html

    def test_a_missing_item_is_a_404_page(self, staff_client, shop_table):
        response = staff_client.get(item_url("USER#nobody", "METADATA"))
        assert response.status_code == 404
        assert "No item with this key" in response.content.decode()

    def test_a_missing_sort_key_is_a_400(self, staff_client, shop_table):
        response = staff_client.get(reverse("dynadmin:item", kwargs={"table": "Application"})
                                    + "?pk=USER%231")
        assert response.status_code == 400
        assert "SK is required" in response.content.decode()

    def test_an_unknown_table_is_a_404(self, staff_client):
        response = staff_client.get(reverse("dynadmin:item", kwargs={"table": "Nope"})
                                    + "?pk=a&sk=b")
        assert response.status_code == 404

    def test_dynamodb_unreachable_is_a_503_page(self, staff_client, shop_table, monkeypatch):
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
        data.reset_client()
        try:
            response = staff_client.get(item_url("USER#u1", "METADATA"))
        finally:
            monkeypatch.undo()
            data.reset_client()
        assert response.status_code == 503
        assert "unreachable" in response.content.decode()
        assert "Traceback" not in response.content.decode()

    def test_only_superusers_see_the_internal_endpoint(self, staff_client, django_user_model,
                                                        shop_table, monkeypatch):
        from django.contrib.auth.models import Group
        from django.test import Client

        from dynadmin.permissions import ensure_groups

        ensure_groups()
        support = django_user_model.objects.create_user("s", password="x", is_staff=True)
        support.groups.add(Group.objects.get(name="Support"))
        client = Client()
        client.force_login(support)
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
        data.reset_client()
        try:
            for_support = client.get(item_url("USER#u1", "METADATA"))
            for_superuser = staff_client.get(item_url("USER#u1", "METADATA"))
        finally:
            monkeypatch.undo()
            data.reset_client()
        assert for_support.status_code == for_superuser.status_code == 503
        assert "127.0.0.1:9" not in for_support.content.decode()
        assert "unreachable" in for_support.content.decode()
        assert "127.0.0.1:9" in for_superuser.content.decode()

    def test_a_user_without_view_permission_is_refused(self, client, django_user_model,
                                                       shop_table):
        put(shop_table, User.build_item({"user_id": "u1", "email": "a@example.com"}))
        user = django_user_model.objects.create_user("s", password="x", is_staff=True)
        client.force_login(user)
        assert client.get(item_url("USER#u1", "METADATA")).status_code == 403
