"""A save writes only what the person changed.

Every test opens the edit form over HTTP, submits the fields exactly as the page showed them
(parsed from its HTML, as a browser would send them back) and asserts on what DynamoDB holds
afterwards and on the audit log. A stored value the form cannot show exactly is kept
read-only, with its DynamoDB type, and never rewritten.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.models import AuditEntry
from examples.shop.definitions import Order, User
from tests.forms_as_shown import shown_fields

pytestmark = pytest.mark.django_db


def edit_url(key: dict[str, Any], table: str = "Application") -> str:
    return (reverse("dynadmin:edit", kwargs={"table": table}) + "?"
            + urlencode({"pk": key["PK"], "sk": key["SK"]}))


def _put(table, item: dict[str, Any]) -> dict[str, Any]:
    data.put_item(table, item, condition=AttributeNotExists("PK"))
    return item


def _order(**changes: Any) -> dict[str, Any]:
    item = Order.build_item({
        "user_id": "sd1", "order_id": "sd2", "placed_on": "2026-01-01",
        "placed_at": dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC), "status": "PAID",
        "total": Decimal("12.50"), "currency": "EUR", "notes": ["leave at the door", "ring"],
        "version": 3})
    return item | changes


def _user(**changes: Any) -> dict[str, Any]:
    item = User.build_item({"user_id": "a11cebee", "email": "alice@example.com",
                            "name": "Alice Liddell", "version": 2})
    return item | changes


def _save_untouched(client, table, item: dict[str, Any]):
    key = table.key_of(item)
    page = client.get(edit_url(key))
    assert page.status_code == 200, unescape(page.content.decode())[:2000]
    response = client.post(edit_url(key), shown_fields(page))
    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    return page, response


UNREPRESENTABLE = [
    ("order-date-in-another-format", _order, {"placed_on": "01/02/2026"}, "placed_on", "S"),
    ("user-tags-as-a-string", _user, {"tags": "beta"}, "tags", "S"),
    ("user-tags-as-a-number-set", _user, {"tags": {Decimal(1)}}, "tags", "NS"),
    ("order-total-as-text", _order, {"total": "12.50"}, "total", "S"),
    ("user-opt-in-as-a-number", _user, {"marketing_opt_in": Decimal(1)},
     "marketing_opt_in", "N"),
    ("user-name-as-a-number", _user, {"name": Decimal(7)}, "name", "N"),
    ("order-notes-holding-a-set", _order, {"notes": ["a", {"b"}]}, "notes", "L"),
]


@pytest.mark.parametrize("label,build,stored,field,kind", UNREPRESENTABLE,
                         ids=[c[0] for c in UNREPRESENTABLE])
def test_saving_an_untouched_form_writes_nothing(label, build, stored, field, kind,
                                                 staff_client, shop_table):
    item = _put(shop_table, build(**stored))

    page, response = _save_untouched(staff_client, shop_table, item)

    # Nothing moved, nothing rewritten, nothing applied on record.
    assert data.get_item(shop_table, shop_table.key_of(item), consistent=True) == item
    if label == "order-date-in-another-format":
        moved = {"PK": "USER#sd1", "SK": "ORDER#2026-01-02#sd2"}
        assert data.get_item(shop_table, moved, consistent=True) is None
    assert not AuditEntry.objects.filter(outcome="applied").exists()
    # Kept read-only with its DynamoDB type and why, never an input that would rewrite it.
    form = page.context["form"]
    assert field in form.kept and form.fields[field].stored_type == kind
    assert f'name="{field}"' not in page.content.decode()
    assert form.kept[field] in unescape(page.content.decode())


def test_an_untouched_form_of_an_ordinary_item_writes_nothing(staff_client, shop_table):
    """Every field shown in its input (dates, a list one value per line, a set, a map,
    a boolean, numbers), sent back as the browser sends it."""
    order = _put(shop_table, _order(shipping_address={"city": "Lyon", "floor": Decimal(3)},
                                    item_count=Decimal(2)))
    user = _put(shop_table, User.build_item({
        "user_id": "a11cebee", "email": "alice@example.com", "name": "Alice Liddell",
        "tier": "PRO", "created_at": dt.datetime(2026, 1, 1, 9, 30, tzinfo=dt.UTC),
        "marketing_opt_in": False, "tags": {"beta", "vip"}, "preferences": {"a": [1, "x"]},
        "version": 2}))
    for item in (order, user):
        page, response = _save_untouched(staff_client, shop_table, item)
        assert data.get_item(shop_table, shop_table.key_of(item), consistent=True) == item
        assert not page.context["form"].kept
    assert not AuditEntry.objects.exists()


def test_a_changed_field_is_written_and_the_unreadable_one_kept(staff_client, shop_table):
    item = _put(shop_table, _order(placed_on="01/02/2026"))
    key = shop_table.key_of(item)
    fields = shown_fields(staff_client.get(edit_url(key))) | {"status": "SHIPPED"}

    response = staff_client.post(edit_url(key), fields)

    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    stored = data.get_item(shop_table, key, consistent=True)
    assert stored == item | {"status": "SHIPPED", "GSI2PK": "ORDER#STATUS#SHIPPED",
                             "version": Decimal(4)}
    entry = AuditEntry.objects.get()
    assert entry.action == "update" and set(entry.diff) == {"status", "GSI2PK", "version"}


def test_a_save_adds_no_attribute_the_person_did_not_ask_for(staff_client, shop_table):
    """An item written by other code without its type attribute or an index key keeps
    lacking them when an unrelated field is saved."""
    item = _put(shop_table, {k: v for k, v in _order().items()
                             if k not in ("type", "GSI1PK", "GSI1SK")})
    key = shop_table.key_of(item)
    fields = shown_fields(staff_client.get(edit_url(key))) | {"total": "13"}

    response = staff_client.post(edit_url(key), fields)

    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    stored = data.get_item(shop_table, key, consistent=True)
    assert stored == item | {"total": Decimal(13), "version": Decimal(4)}


def test_a_changed_key_part_moves_the_item_keeping_its_other_values(staff_client, shop_table):
    item = _put(shop_table, _order())
    key = shop_table.key_of(item)
    fields = shown_fields(staff_client.get(edit_url(key))) | {"placed_on": "2026-01-03"}

    response = staff_client.post(edit_url(key), fields)

    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    assert data.get_item(shop_table, key, consistent=True) is None
    moved = data.get_item(shop_table, {"PK": "USER#sd1", "SK": "ORDER#2026-01-03#sd2"},
                          consistent=True)
    assert moved == item | {"SK": "ORDER#2026-01-03#sd2", "placed_on": "2026-01-03",
                            "version": Decimal(4)}
    assert AuditEntry.objects.get().action == "move"


def test_an_action_rewrites_only_what_it_changes(staff_client, shop_table):
    """The same rule on the list's actions: "Mark shipped" on an Order whose date is
    spelt in another format changes its status, not its date or its key."""
    item = _put(shop_table, _order(placed_on="01/02/2026"))
    key = shop_table.key_of(item)
    html = staff_client.get(reverse("dynadmin:partition", kwargs={"table": "Application"})
                            + "?" + urlencode({"pk": key["PK"]})).content.decode()
    fields = {"action": "Order.mark_shipped", "rows": "1"}
    fields |= {name: unescape(value) for name, value in re.findall(
        r'<input type="hidden" name="(selection)" value="([^"]*)"', html)}

    response = staff_client.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                                 fields)

    assert response.status_code == 200, unescape(response.content.decode())[:2000]
    assert ">done<" in unescape(response.content.decode())
    stored = data.get_item(shop_table, key, consistent=True)
    assert stored == item | {"status": "SHIPPED", "GSI2PK": "ORDER#STATUS#SHIPPED",
                             "version": Decimal(4)}


@pytest.mark.parametrize("before,after", [
    ({"N": "1"}, {"BOOL": True}), ({"S": "1"}, {"N": "1"}), ({"L": [{"S": "a"}]},
                                                            {"SS": ["a"]}),
], ids=["number-to-boolean", "text-to-number", "list-to-set"])
def test_a_change_of_type_alone_is_a_change(before, after, staff_client, shop_table):
    """Python says True == Decimal(1): a raw edit that changes only an attribute's type is
    still written (and audited), never "Nothing changed"."""
    import json

    from dynadmin.data.serialization import deserialize

    item = _put(shop_table, _order(legacy=deserialize(before)))
    key = shop_table.key_of(item)
    page = staff_client.get(edit_url(key) + "&raw=1")
    wire = json.loads(page.context["form"].initial["item"])
    wire["legacy"] = after
    fields = shown_fields(page) | {"item": json.dumps(wire)}

    response = staff_client.post(edit_url(key), fields)

    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    stored = data.get_item(shop_table, key, consistent=True)
    assert stored["legacy"] == deserialize(after) and type(stored["legacy"]) is type(
        deserialize(after))
    assert AuditEntry.objects.get(outcome="applied").action == "update"


def test_a_key_needing_an_unreadable_value_is_refused_not_guessed(staff_client, shop_table):
    """Changing the status spells the status index key again from placed_at; stored as
    text that is not a date-time, it cannot be: the save is refused with why, and nothing
    is written."""
    item = _put(shop_table, _order(placed_at="last tuesday"))
    key = shop_table.key_of(item)
    fields = shown_fields(staff_client.get(edit_url(key))) | {"status": "SHIPPED"}

    response = staff_client.post(edit_url(key), fields)

    assert response.status_code == 400
    assert ("Placed at: its stored value cannot be read, so the key it is part of cannot be "
            "spelt again") in unescape(response.content.decode())
    assert data.get_item(shop_table, key, consistent=True) == item
    assert not AuditEntry.objects.exists()


def test_a_read_only_field_holding_an_unreadable_value_shows_its_type(staff_client,
                                                                      shop_table):
    item = _put(shop_table, _order(placed_at=Decimal(17)))
    page = staff_client.get(edit_url(shop_table.key_of(item)))
    field = page.context["form"].fields["placed_at"]
    assert field.disabled and field.stored_type == "N" and field.readonly_text == "17"
    assert "Stored as N, which this field cannot read" in unescape(page.content.decode())


def test_an_update_checks_what_it_sends_the_keys_and_the_items_size(shop_table) -> None:
    """An UpdateItem sends the changed attributes: only their values are checked one by
    one (the others are as DynamoDB holds them, and stay so); the keys and the size of
    the item as it will be are checked as always, and a move, which puts the whole item,
    checks every value."""
    from dynadmin.editing.validation import ItemInvalid, validate_item

    held = {**_order(), "notes": "x" * 300_000, "odd": float("nan")}  # "odd": never sent
    validate_item(shop_table, held, sent=["status"])
    with pytest.raises(ItemInvalid, match="odd"):
        validate_item(shop_table, held)
    with pytest.raises(ItemInvalid, match="odd"):
        validate_item(shop_table, held, sent=["status", "odd"])
    with pytest.raises(ItemInvalid, match="400 KB"):
        validate_item(shop_table, {**held, "more": "y" * 200_000}, sent=["more"])
    with pytest.raises(ItemInvalid, match="PK"):
        validate_item(shop_table, {**held, "PK": ""}, sent=["status"])
