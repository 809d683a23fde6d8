"""Editing: conditional writes through the HTTP endpoints, conflicts shown, never lost."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists, Equals
from dynadmin.models import AuditEntry
from examples.shop.definitions import Order
from tests.support.editing import ORDER_KEY, edit_url, form_data, q

pytestmark = pytest.mark.django_db

@pytest.fixture
def an_order(shop_table):
    item = Order.build_item({
        "user_id": "u1", "order_id": "456", "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("99.95"), "version": 1})
    item["legacy_note"] = "keep me"
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    return item


def test_edit_writes_only_what_changed_and_bumps_the_version(staff_client, an_order,
                                                              shop_table):
    page = staff_client.get(edit_url(ORDER_KEY))
    assert page.status_code == 200
    fields = form_data(page) | {"status": "SHIPPED"}
    response = staff_client.post(edit_url(ORDER_KEY), fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["status"] == "SHIPPED"
    assert stored["GSI2PK"] == "ORDER#STATUS#SHIPPED"  # index key recomputed
    assert stored["version"] == 2
    assert stored["legacy_note"] == "keep me"  # undeclared attributes survive
    entry = AuditEntry.objects.get()
    assert entry.action == "update" and entry.condition.startswith("attribute_exists(PK)")
    assert set(entry.diff) == {"status", "GSI2PK", "version"}


def test_two_people_editing_the_same_order(client, django_user_model, an_order, shop_table):
    first = django_user_model.objects.create_superuser("first", "f@example.com", "pw")
    second = django_user_model.objects.create_superuser("second", "s@example.com", "pw")
    from django.test import Client

    a, b = Client(), Client()
    a.force_login(first)
    b.force_login(second)
    form_a = form_data(a.get(edit_url(ORDER_KEY)))
    form_b = form_data(b.get(edit_url(ORDER_KEY)))
    assert a.post(edit_url(ORDER_KEY), form_a | {"status": "SHIPPED"}).status_code == 302
    conflict = b.post(edit_url(ORDER_KEY), form_b | {"total": "120.00"})
    html = unescape(conflict.content.decode())
    assert conflict.status_code == 409
    assert "Someone else changed Order 456 · " in html and "Nothing was written" in html
    assert "SHIPPED" in html and "PENDING" in html and re.search(r"<td[^>]*>120", html)
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["status"] == "SHIPPED" and stored["total"] == Decimal("99.95")
    # "Apply mine on top of theirs": both changes survive.
    tokens = dict(re.findall(r'name="(original|theirs|mine)" value="([^"]*)"',
                             conflict.content.decode()))
    resolved = b.post(reverse("dynadmin:resolve", kwargs={"table": "Application"}), tokens)
    assert resolved.status_code == 302
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["status"] == "SHIPPED" and stored["total"] == Decimal("120.00")
    assert stored["version"] == 3


def test_create_never_overwrites(staff_client, shop_table):
    url = reverse("dynadmin:add", kwargs={"entity": "Application.User"})
    fields = {"user_id": "u9", "email": "a@example.com", "__extra__": "{}"}
    assert staff_client.post(url, fields).status_code == 302
    again = staff_client.post(url, fields | {"email": "b@example.com"})
    assert again.status_code == 409
    assert "already exists" in again.content.decode()
    stored = data.get_item(shop_table, {"PK": "USER#u9", "SK": "METADATA"})
    assert stored["email"] == "a@example.com" and stored["version"] == 1


def test_a_key_change_moves_the_item_atomically(staff_client, an_order, shop_table):
    fields = form_data(staff_client.get(edit_url(ORDER_KEY))) | {"placed_on": "2024-02-01"}
    response = staff_client.post(edit_url(ORDER_KEY), fields)
    assert response.status_code == 302
    assert data.get_item(shop_table, ORDER_KEY) is None
    moved = data.get_item(shop_table, {"PK": "USER#u1", "SK": "ORDER#2024-02-01#456"})
    assert moved["legacy_note"] == "keep me" and moved["version"] == 2
    assert AuditEntry.objects.get().action == "move"


def test_a_move_onto_a_taken_key_is_refused(staff_client, an_order, shop_table):
    other = dict(an_order, SK="ORDER#2024-02-01#456", placed_on="2024-02-01")
    data.put_item(shop_table, other, condition=AttributeNotExists("PK"))
    fields = form_data(staff_client.get(edit_url(ORDER_KEY))) | {"placed_on": "2024-02-01"}
    response = staff_client.post(edit_url(ORDER_KEY), fields)
    assert response.status_code == 409
    assert "another item already has this key" in response.content.decode()
    assert data.get_item(shop_table, ORDER_KEY) == an_order
    # Nothing applied; the refused move is on record, under the key the item still has.
    refused = AuditEntry.objects.get()
    assert refused.outcome == "key_taken" and refused.key_text == "USER#u1 / ORDER#2024-01-15#456"


def test_delete_asks_first_and_refuses_a_changed_item(staff_client, an_order, shop_table):
    url = reverse("dynadmin:delete", kwargs={"table": "Application"}) + q(ORDER_KEY)
    confirm = staff_client.get(url)
    assert "Yes, delete it" in confirm.content.decode()
    token = re.search(r'name="original" value="([^"]*)"', confirm.content.decode()).group(1)
    data.update_item(shop_table, ORDER_KEY, set={"version": 2}, condition=Equals("version", 1))
    refused = staff_client.post(url, {"original": unescape(token)})
    assert refused.status_code == 409
    assert data.get_item(shop_table, ORDER_KEY) is not None
    fresh = re.search(r'name="original" value="([^"]*)"',
                      staff_client.get(url).content.decode()).group(1)
    assert staff_client.post(url, {"original": unescape(fresh)}).status_code == 302
    assert data.get_item(shop_table, ORDER_KEY) is None
    assert [(e.action, e.outcome) for e in AuditEntry.objects.order_by("id")] == [
        ("delete", "conflict"), ("delete", "applied")]


def test_a_tampered_original_is_refused(staff_client, an_order, shop_table):
    fields = form_data(staff_client.get(edit_url(ORDER_KEY))) | {"status": "SHIPPED"}
    fields["original"] = fields["original"][:-4] + "abcd"
    assert staff_client.post(edit_url(ORDER_KEY), fields).status_code == 400
    assert data.get_item(shop_table, ORDER_KEY) == an_order


def test_the_item_page_shows_history_and_edit_controls(staff_client, an_order, shop_table):
    fields = form_data(staff_client.get(edit_url(ORDER_KEY))) | {"status": "CANCELLED"}
    staff_client.post(edit_url(ORDER_KEY), fields)
    page = staff_client.get(reverse("dynadmin:item", kwargs={"table": "Application"})
                            + q(ORDER_KEY))
    html = unescape(page.content.decode())
    assert "History" in html and "CANCELLED" in html and "Edit</a>" in html


def test_a_user_without_change_permission_gets_403_and_nothing_is_written(
        client, django_user_model, an_order, shop_table):
    from dynadmin.permissions import ensure_groups

    ensure_groups()
    support = django_user_model.objects.create_user("support", password="x", is_staff=True)
    support.groups.add(__import__("django.contrib.auth.models", fromlist=["Group"])
                       .Group.objects.get(name="Support"))
    client.force_login(support)
    page = client.get(reverse("dynadmin:item", kwargs={"table": "Application"}) + q(ORDER_KEY))
    assert page.status_code == 200 and "Edit</a>" not in page.content.decode()
    assert client.get(edit_url(ORDER_KEY)).status_code == 403
    assert client.post(edit_url(ORDER_KEY), {"status": "SHIPPED"}).status_code == 403
    assert data.get_item(shop_table, ORDER_KEY) == an_order
    # The refused attempt is on record; nothing was applied.
    assert list(AuditEntry.objects.values_list("outcome", "username")) == [("denied", "support")]


def test_an_ephemeral_entity_needs_a_ttl_and_starts_with_its_default_lifetime(staff_client,
                                                                             shop_table):
    url = reverse("dynadmin:add", kwargs={"entity": "Application.Session"})
    form = staff_client.get(url).context["form"]
    assert form.fields["expires"].required
    expires = form.initial["expires"]
    assert dt.timedelta(hours=23) < expires - dt.datetime.now() < dt.timedelta(hours=25)
    response = staff_client.post(url, {"user_id": "u1", "session_id": "s1", "expires": "",
                                       "__extra__": "{}"})
    assert response.status_code == 400
    assert data.get_item(shop_table, {"PK": "USER#u1", "SK": "SESSION#s1"}) is None


def test_apply_mine_on_top_of_theirs_merges_set_members():
    from dynadmin.editing.writes import merge

    original = {"tags": {"a", "b"}, "name": "x", "version": 1}
    theirs = {"tags": {"a", "b", "theirs"}, "name": "x", "version": 2}
    mine = {"tags": {"b", "mine"}, "name": "y", "version": 1}
    assert merge(original, theirs, mine, use_mine={"tags"}) == {
        "tags": {"b", "theirs", "mine"}, "name": "y", "version": 2}
    # Both changed the tags: without the person choosing mine, theirs stay as they are.
    assert merge(original, theirs, mine)["tags"] == {"a", "b", "theirs"}
    # Removing every member on both sides removes the attribute (no empty sets in DynamoDB).
    assert "tags" not in merge({"tags": {"a"}}, {"tags": {"a"}}, {})
