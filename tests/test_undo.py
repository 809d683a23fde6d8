"""Undo from history: each audited create, edit, delete and key move reversed as a guarded
write of its own, refused when the item changed since, audited as "undo"."""

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
from tests.support.people import person

pytestmark = pytest.mark.django_db

MOVED_KEY = {"PK": "USER#u1", "SK": "ORDER#2024-02-01#456"}


@pytest.fixture
def an_order(shop_table):
    """An order with an attribute its definition does not declare."""
    item = Order.build_item({
        "user_id": "u1", "order_id": "456", "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("99.95"), "version": 1}) | {"legacy_note": "keep me"}
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    return item


def undo_url(entry):
    return reverse("dynadmin:undo", kwargs={"table": "Application", "entry_id": entry.pk})


def item_url(key):
    return reverse("dynadmin:item", kwargs={"table": "Application"}) + q(key)


def item_page(client, key):
    return client.get(item_url(key))


def edit(client, key, **changes):
    response = client.post(edit_url(key), form_data(client.get(edit_url(key))) | changes)
    assert response.status_code == 302, response.content.decode()[:1500]
    return AuditEntry.objects.latest("id")


def test_undo_an_edit_restores_before_guarded_by_after(staff_client, an_order, shop_table):
    entry = edit(staff_client, ORDER_KEY, status="SHIPPED")
    # The item page's history offers it.
    assert undo_url(entry) in item_page(staff_client, ORDER_KEY).content.decode()
    assert staff_client.post(undo_url(entry)).status_code == 302
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["status"] == "PENDING" and stored["GSI2PK"] == "ORDER#STATUS#PENDING"
    assert stored["version"] == 3  # versions only go forward
    undone = AuditEntry.objects.latest("id")
    assert (undone.action, undone.outcome, undone.undoes_id) == ("undo", "applied", entry.pk)
    assert undone.condition.startswith("attribute_exists(PK) AND version = 2")


def test_undo_is_refused_when_the_item_changed_since(staff_client, an_order, shop_table):
    entry = edit(staff_client, ORDER_KEY, status="SHIPPED")
    data.update_item(shop_table, ORDER_KEY, set={"currency": "GBP", "version": 3},
                     condition=Equals("version", 2))
    response = staff_client.post(undo_url(entry), follow=True)
    html = unescape(response.content.decode())
    # Said on the item's page, reached by a GET: reloading it never posts the undo again.
    assert response.redirect_chain == [(item_url(ORDER_KEY), 302)]
    assert response.request["REQUEST_METHOD"] == "GET"
    assert "Cannot undo admin's update at " in html
    assert "Currency changed after that write" in html and "Nothing was written" in html
    assert "after you read it" not in html
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["status"] == "SHIPPED" and stored["currency"] == "GBP"
    assert not AuditEntry.objects.filter(action="undo", outcome="applied").exists()


def test_undo_a_create_is_a_guarded_delete(staff_client, shop_table):
    url = reverse("dynadmin:add", kwargs={"entity": "Application.User"})
    assert staff_client.post(url, {"user_id": "u9", "email": "a@example.com",
                                   "__extra__": "{}"}).status_code == 302
    created = AuditEntry.objects.get()
    key = {"PK": "USER#u9", "SK": "METADATA"}
    assert staff_client.post(undo_url(created)).status_code == 302
    assert data.get_item(shop_table, key) is None
    assert AuditEntry.objects.latest("id").condition == "attribute_exists(PK) AND version = 1"


def test_undo_a_delete_from_the_missing_items_history(staff_client, an_order, shop_table):
    confirm = staff_client.get(reverse("dynadmin:delete", kwargs={"table": "Application"})
                               + q(ORDER_KEY))
    assert "What will be deleted" in confirm.content.decode()
    token = re.search(r'name="original" value="([^"]*)"', confirm.content.decode()).group(1)
    deleted = staff_client.post(reverse("dynadmin:delete", kwargs={"table": "Application"})
                                + q(ORDER_KEY), {"original": unescape(token)}, follow=True)
    # The partition page says so and links the item's history, where the undo is.
    assert "Its history (undo from there)" in deleted.content.decode()
    entry = AuditEntry.objects.get(action="delete")
    missing = item_page(staff_client, ORDER_KEY)
    assert missing.status_code == 404 and undo_url(entry) in missing.content.decode()
    assert staff_client.post(undo_url(entry)).status_code == 302
    restored = data.get_item(shop_table, ORDER_KEY)
    assert restored["legacy_note"] == "keep me" and restored["version"] == 2
    assert AuditEntry.objects.latest("id").condition == "attribute_not_exists(PK)"


def test_undo_a_delete_refused_when_the_key_is_taken_again(staff_client, an_order,
                                                           shop_table):
    token = re.search(r'name="original" value="([^"]*)"', staff_client.get(
        reverse("dynadmin:delete", kwargs={"table": "Application"}) + q(ORDER_KEY)
    ).content.decode()).group(1)
    staff_client.post(reverse("dynadmin:delete", kwargs={"table": "Application"})
                      + q(ORDER_KEY), {"original": unescape(token)})
    entry = AuditEntry.objects.get(action="delete")
    data.put_item(shop_table, an_order | {"notes": ["new"]},
                  condition=AttributeNotExists("PK"))
    response = staff_client.post(undo_url(entry), follow=True)
    assert response.redirect_chain == [(item_url(ORDER_KEY), 302)]
    assert "an item with this key exists again" in unescape(response.content.decode())
    assert data.get_item(shop_table, ORDER_KEY)["notes"] == ["new"]


def test_undo_a_move_moves_it_back(staff_client, an_order, shop_table):
    entry = edit(staff_client, ORDER_KEY, placed_on="2024-02-01")
    assert entry.action == "move"
    assert staff_client.post(undo_url(entry)).status_code == 302
    assert data.get_item(shop_table, MOVED_KEY) is None
    back = data.get_item(shop_table, ORDER_KEY)
    assert back["placed_on"] == "2024-01-15" and back["legacy_note"] == "keep me"
    assert AuditEntry.objects.latest("id").action == "undo"


def test_undo_needs_the_permission_of_the_write_it_makes(client, django_user_model,
                                                         staff_client, an_order, shop_table):
    entry = edit(staff_client, ORDER_KEY, status="SHIPPED")
    viewer = person(client, django_user_model, "view_application_order")
    assert undo_url(entry) not in item_page(viewer, ORDER_KEY).content.decode()
    assert viewer.post(undo_url(entry)).status_code == 403
    assert data.get_item(shop_table, ORDER_KEY)["status"] == "SHIPPED"
    # The attempt is audited, under the key of the entry it tried to reverse.
    refused = AuditEntry.objects.get(outcome="denied")
    assert (refused.action, refused.key_text) == ("undo", entry.key_text)


def test_a_read_only_table_offers_and_allows_no_undo(staff_client, an_order, shop_table,
                                                     settings):
    entry = edit(staff_client, ORDER_KEY, status="SHIPPED")
    settings.DYNADMIN_READ_ONLY_TABLES = [shop_table.name]
    assert undo_url(entry) not in item_page(staff_client, ORDER_KEY).content.decode()
    assert staff_client.post(undo_url(entry)).status_code == 403
    assert data.get_item(shop_table, ORDER_KEY)["status"] == "SHIPPED"


def test_undo_from_recent_actions(staff_client, an_order, shop_table):
    entry = edit(staff_client, ORDER_KEY, status="SHIPPED")
    page = staff_client.get(reverse("dynadmin:recent_actions"))
    assert undo_url(entry) in page.content.decode()


def test_history_speaks_the_entitys_words_and_keeps_storage_behind_technical_details(
        staff_client, an_order, shop_table):
    """An edit of Status changes the status, the GSI2 key it feeds and the version: the
    History says "Status: PENDING → SHIPPED"; the index key, the version and the condition
    are technical details."""
    edit(staff_client, ORDER_KEY, status="SHIPPED")
    html = unescape(item_page(staff_client, ORDER_KEY).content.decode())
    cell = html[html.index('<table class="data changes history">'):]
    cell = cell[:cell.index("</table>")]
    assert "<strong>Status</strong>: PENDING → SHIPPED" in cell
    assert "attributes</summary>" not in cell
    details = cell[cell.index("<summary>Technical details</summary>"):]
    details = details[:details.index("</details>")]
    assert "GSI2PK" in details and "version" in details
    assert "attribute_exists(PK) AND version = 1" in details
    fields = cell[:cell.index("<summary>Technical details</summary>")]
    assert "GSI2PK" not in fields and "attribute_exists" not in fields


def test_an_undo_names_what_it_reversed_and_an_undone_entry_offers_no_undo(
        staff_client, an_order, shop_table):
    entry = edit(staff_client, ORDER_KEY, status="SHIPPED")
    response = staff_client.post(undo_url(entry), follow=True)
    html = unescape(response.content.decode())
    assert response.request["REQUEST_METHOD"] == "GET"
    assert response.redirect_chain == [(item_url(ORDER_KEY), 302)]
    assert "Undid admin's update at " in html
    for page in (html, unescape(staff_client.get(reverse("dynadmin:recent_actions"))
                                .content.decode())):
        assert "Undid admin's update at " in page  # the undo's own entry names it
        assert "undone by admin at " in page
        assert undo_url(entry) not in page, "an undone entry offers no Undo"
    # Posted again anyway (an old tab): refused, nothing written, said on a GET page.
    again = staff_client.post(undo_url(entry), follow=True)
    assert again.redirect_chain == [(item_url(ORDER_KEY), 302)]
    assert "was already undone by admin at" in unescape(again.content.decode())
    assert data.get_item(shop_table, ORDER_KEY)["status"] == "PENDING"
    assert AuditEntry.objects.filter(action="undo", outcome="applied").count() == 1
