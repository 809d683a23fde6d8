"""An item page as a support person reads it, over HTTP: values in their words (DynamoDB's
type letters only in the technical details), money with its currency and said once, a map's
keys by their declared labels, counts that agree with their noun, and sessions that can be
told apart by name."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.services.display.values import show
from examples.shop.definitions import Order, OrderItem, Session

pytestmark = pytest.mark.django_db


def put(table, item):
    data.put_item(table, item, condition=AttributeNotExists("PK"))
    return item


def item_page(client, item, name="item"):
    return client.get(reverse(f"dynadmin:{name}", kwargs={"table": "Application"}) + "?"
                      + urlencode({"pk": item["PK"], "sk": item["SK"]}))


def text_of(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def section(html, heading_id):
    return re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html,
                     re.S).group(0)


def fields_of(html):
    """The Fields section as (label, value text) pairs."""
    body = section(html, "fields-heading")
    return [(text_of(dt_), text_of(dd)) for dt_, dd in
            re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", body, re.S)]


def an_order(**extra):
    return Order.build_item({
        "user_id": "u1", "order_id": "456", "placed_on": dt.date(2026, 11, 26),
        "placed_at": dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC), "status": "PAID",
        "total": Decimal("104.99"), "currency": "USD", "version": 1,
        "shipping_address": {"name": "Alice Liddell", "line1": "1 Rabbit Hole",
                             "postcode": "OX1 1AA", "city": "Oxford", "floor": "2"},
        **extra})


def test_type_letters_belong_to_the_technical_details(staff_client, shop_table):
    order = an_order()
    order["gift_note"] = "for Dinah"  # an attribute the definitions do not declare
    put(shop_table, order)
    html = item_page(staff_client, order).content.decode()
    for heading in ("fields-heading", "extra-heading"):
        assert 'class="type"' not in section(html, heading)
    technical = re.search(r'<details class="section keys-block">.*?</details>', html,
                          re.S).group(0)
    assert "Technical details" in technical
    stored = text_of(technical)
    assert "Total total N" in stored and "Shipping address shipping_address M" in stored
    assert "gift_note gift_note S" in stored


def test_money_reads_with_its_currency_said_once(staff_client, shop_table):
    order = put(shop_table, an_order())
    shown = dict(fields_of(item_page(staff_client, order).content.decode()))
    assert shown["Total"] == "104.99 USD"
    assert "Currency" not in shown  # already beside the amount
    line = put(shop_table, OrderItem.build_item({
        "order_id": "456", "product_id": "B0CX23V2ZK", "quantity": 2,
        "unit_price": Decimal("12.5"), "currency": "USD", "product_name": "Kettle"}))
    shown = dict(fields_of(item_page(staff_client, line).content.decode()))
    assert shown["Unit price"].startswith("12.50 USD")
    assert "Currency" not in shown


def test_a_currency_that_reads_wrong_keeps_its_row(staff_client, shop_table):
    order = an_order()
    order["currency"] = "DOUBLOONS"  # not one of the choices: shown, never hidden
    put(shop_table, order)
    shown = dict(fields_of(item_page(staff_client, order).content.decode()))
    assert "Currency" in shown and "DOUBLOONS" in shown["Currency"]


def test_a_maps_declared_keys_read_by_their_labels(staff_client, shop_table):
    order = put(shop_table, an_order())
    html = item_page(staff_client, order).content.decode()
    address = re.search(r"<dt>Shipping address</dt>\s*<dd>(.*?)<details",
                        section(html, "fields-heading"), re.S).group(1)
    assert text_of(address) == ("Recipient Alice Liddell Address line 1 1 Rabbit Hole "
                                "City Oxford Postcode OX1 1AA floor 2")  # undeclared: as stored


def test_counts_agree_with_their_nouns(staff_client, shop_table, archived):
    order = put(shop_table, an_order())
    archived(shop_table)
    changes = item_page(staff_client, order, "item_changes").content.decode()
    assert "1 change to this item" in text_of(changes)
    assert "1 changes" not in text_of(changes)
    assert show(b"x").text.endswith("(1 byte)")


def test_each_session_has_a_name_of_its_own(staff_client, shop_table):
    created = dt.datetime(2026, 12, 6, 2, 28, tzinfo=dt.UTC)
    names = set()
    for session_id, minutes in (("ttl-milliseconds", 0), ("ttl-too-old", 0), ("3f2a9c", 5)):
        session = put(shop_table, Session.build_item({
            "user_id": "a11cebee", "session_id": session_id, "ip_address": "192.0.2.1",
            "created_at": created + dt.timedelta(minutes=minutes),
            "expires": created + dt.timedelta(days=1)}))
        html = item_page(staff_client, session).content.decode()
        names.add(text_of(re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)))
    assert len(names) == 3
    assert "Session ttl-millisec · 2026-12-06 02:28 · 192.0.2.1" in names


def test_a_ttl_is_set_in_the_iso_form_every_page_writes(staff_client, shop_table):
    created = dt.datetime(2026, 12, 6, 2, 28, tzinfo=dt.UTC)
    session = put(shop_table, Session.build_item({
        "user_id": "a11cebee", "session_id": "s1", "created_at": created,
        "expires": dt.datetime.now(dt.UTC) + dt.timedelta(days=1)}))
    html = item_page(staff_client, session).content.decode()
    field = re.search(r'<input [^>]*id="ttl-expires-at"[^>]*>', html).group(0)
    assert 'type="text"' in field and 'placeholder="YYYY-MM-DD HH:MM"' in field
    assert re.search(r'value="\d{4}-\d{2}-\d{2} \d{2}:\d{2}"', field)
    token = unescape(re.search(r'name="original" value="([^"]+)"', html).group(1))
    response = staff_client.post(reverse("dynadmin:set_ttl", kwargs={"table": "Application"}),
                                 {"original": token, "op": "set",
                                  "expires_at": "2030-01-31 09:30"})
    assert response.status_code == 302
    stored = data.get_item(shop_table, {"PK": session["PK"], "SK": session["SK"]})["ttl"]
    assert stored == int(dt.datetime(2030, 1, 31, 9, 30, tzinfo=dt.UTC).timestamp())
