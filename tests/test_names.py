"""services/names.py: what an item is called on every page."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from dynadmin import Entity, EntityAdmin, Key, Table, fields
from dynadmin.data.serialization import dumps_dynamodb_json
from dynadmin.services.display.names import (
    MAX_NAME,
    entity_label,
    entry_name,
    item_name,
    label_fields,
    template_label,
)
from dynadmin.sites import AdminSite
from examples.shop.definitions import Order, OrderItem, Product, Session, User, shop

ALICE = {"user_id": "a11cebee", "email": "alice@example.com", "name": "Alice Liddell"}


def test_a_label_template_names_the_item():
    assert entity_label(User, ALICE) == "Alice Liddell · alice@example.com"
    assert entity_label(Order, {"order_id": "456", "placed_on": dt.date(2026, 11, 19)}) == (
        "Order 456 · 2026-11-19")
    assert entity_label(Product, {"name": "Kettle", "product_id": "B0X"}) == "Kettle"
    assert entity_label(OrderItem, {"quantity": 2, "product_name": "Kettle"}) == "2 × Kettle"


def test_format_specs_apply_to_placeholders():
    values = {"ip_address": "192.0.2.1",
              "created_at": dt.datetime(2026, 11, 19, 17, 47, tzinfo=dt.UTC)}
    assert entity_label(Session, values) == "Session 2026-11-19 17:47 · 192.0.2.1"
    values["session_id"] = "3f2a9c1e5b7d40a8b6c2e9f1d3a5b7c9"
    assert entity_label(Session, values) == "Session 3f2a9c1e5b7d · 2026-11-19 17:47 · 192.0.2.1"


def test_a_missing_placeholder_drops_out_with_its_separator():
    assert entity_label(User, {"email": "bob@example.com"}) == "bob@example.com"
    assert entity_label(Order, {"order_id": "456"}) == "Order 456"
    assert template_label("{a} · {b}", {}, {}) == ""


def test_without_any_label_value_the_default_applies():
    # no name nor email: the template gives nothing, the id does
    assert entity_label(Session, {"session_id": "s1"}) == "Session s1"


def test_default_from_list_display_skips_keys_and_choices():
    table = Table("T", pk="PK", sk="SK")

    class Ticket(Entity, table=table):
        keys = Key(pk="TICKET#{ticket_id}", sk="META")
        ticket_id = fields.String()
        status = fields.Choice("OPEN", "CLOSED")
        subject = fields.String()
        requester = fields.Email()

    values = {"ticket_id": "T-9", "status": "OPEN", "subject": "Printer on fire",
              "requester": "ann@example.com"}
    assert entity_label(Ticket, values, ("ticket_id", "status", "subject", "requester")) == (
        "Printer on fire · ann@example.com")
    assert entity_label(Ticket, {"ticket_id": "T-9"}, ("ticket_id", "subject")) == "Ticket T-9"
    assert label_fields("{name} · {email:>3}") == ["name", "email"]


def test_an_admin_may_name_items_itself_like_str():
    site = AdminSite(name="names-test")

    class ShoutingUsers(EntityAdmin):
        def item_label(self, values):
            return values["name"].upper()

    site.register(User, ShoutingUsers)
    item = User.build_item(ALICE)
    assert item_name(site, shop, item) == "ALICE LIDDELL"


def test_unclassified_items_are_named_by_their_key_and_long_names_are_cut():
    assert item_name(None, shop, {"PK": "MYSTERY#1", "SK": "X"}) == "MYSTERY#1 / X"
    long = entity_label(Product, {"name": "K" * 500})
    assert len(long) == MAX_NAME and long.endswith("…")


def test_money_in_a_name_reads_like_money():
    table = Table("M", pk="PK")

    class Invoice(Entity, table=table, label="Invoice {number} · {amount}"):
        keys = Key(pk="INV#{number}")
        number = fields.String()
        amount = fields.Number(places=2, currency_field="currency")
        currency = fields.String()

    assert entity_label(Invoice, {"number": "7", "amount": Decimal("1234.5"),
                                  "currency": "EUR"}) == "Invoice 7 · 1,234.50 EUR"


@pytest.mark.django_db
def test_an_audit_entry_is_named_from_the_item_it_kept():
    site = AdminSite(name="names-audit")
    site.register(User)
    after = User.build_item(ALICE)
    entry = SimpleNamespace(table="Application", after=dumps_dynamodb_json(after), before="",
                            key=dumps_dynamodb_json({"PK": "USER#a11cebee", "SK": "METADATA"}))
    assert entry_name(site, entry) == "Alice Liddell · alice@example.com"
    deleted = SimpleNamespace(table="Application", after="", before=entry.after, key=entry.key)
    assert entry_name(site, deleted) == "Alice Liddell · alice@example.com"
    only_key = SimpleNamespace(table="Application", after="", before="", key=entry.key)
    assert entry_name(site, only_key) == "User a11cebee"
    assert entry_name(site, SimpleNamespace(table="Gone", after="", before="", key="")) == ""
