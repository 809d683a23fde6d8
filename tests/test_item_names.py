"""Items are shown by name over HTTP: the item page's heading and breadcrumb, every row's link,
the lookup box's results, an order's customer (one BatchGetItem for the page), the delete page
and Recent actions; and values read like values."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from examples.shop.definitions import Order, OrderItem, Product, User
from tests.support.results import named_rows

pytestmark = pytest.mark.django_db

ALICE = {"user_id": "a11cebee", "email": "alice@example.com", "name": "Alice Liddell",
         "tier": "PRO", "marketing_opt_in": True,
         "preferences": {"language": "en", "currency": "USD",
                         "notifications": {"email": True, "sms": False}}}
ORDER = {"user_id": "a11cebee", "order_id": "456", "placed_on": dt.date(2026, 11, 19),
         "placed_at": dt.datetime(2026, 11, 19, 17, 47, tzinfo=dt.UTC), "status": "SHIPPED",
         "total": Decimal("1167.49"), "currency": "USD", "item_count": 3}


def item_url(pk, sk):
    return reverse("dynadmin:item", kwargs={"table": "Application"}) + "?" + urlencode(
        {"pk": pk, "sk": sk})


@pytest.fixture
def shop(shop_table):
    data.load_items_unconditionally(shop_table, [
        User.build_item(ALICE),
        Order.build_item(ORDER),
        OrderItem.build_item({"order_id": "456", "product_id": "B0KETTLE01", "quantity": 3,
                              "unit_price": Decimal("389.163"), "product_name": "Kettle"}),
        Product.build_item({"product_id": "B0KETTLE01", "name": "Kettle",
                            "category": "kitchen", "price": Decimal("389.16")}),
    ])
    return shop_table


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode()), response


def test_the_item_page_is_headed_and_breadcrumbed_by_the_name(staff_client, shop):
    html, _ = page(staff_client, item_url("USER#a11cebee", "METADATA"))
    assert re.search(r"<h1>\s*Alice Liddell · alice@example.com\s*</h1>", html)
    crumbs = re.search(r'<nav class="breadcrumbs"[^>]*>\s*<ol>(.*?)</ol>', html, re.S).group(1)
    users = reverse("dynadmin:entity", args=["Application.User"])
    assert f'<a href="{users}">Users</a>' in crumbs
    assert 'aria-current="page">Alice Liddell · alice@example.com</li>' in crumbs
    # the keys are one click away, not the heading
    assert re.search(r'<details class="section keys-block">\s*<summary>', html)
    assert "USER#a11cebee / METADATA" in html


def test_rows_link_by_name_with_the_key_beneath(staff_client, shop):
    html, _ = page(staff_client, item_url("USER#a11cebee", "METADATA"))
    rows = named_rows(html)
    assert [(name, key) for _url, name, key, _rest in rows] == [
        ("Order 456 · 2026-11-19", "USER#a11cebee / ORDER#2026-11-19#456")]


def test_the_order_shows_its_customer_by_name_with_one_batch_get(staff_client, shop):
    with data.recording():
        html, response = page(staff_client, item_url("USER#a11cebee", "ORDER#2026-11-19#456"))
    assert re.search(r"<h1>\s*Order 456 · 2026-11-19\s*</h1>", html)
    customer = item_url("USER#a11cebee", "METADATA")
    assert f'<a href="{customer}">Alice Liddell · alice@example.com</a>' in unescape(html)
    assert "Open customer" not in html
    # The item, then its relations' reads and History's Query of the archive, sent together
    # (in whichever order they end).
    first, *rest = response["X-Dynadmin-Calls"].split(",")
    assert (first, sorted(rest)) == ("GetItem", ["BatchGetItem", "Query", "Query"])
    # line items are named, and link to their product
    (_url, name, _key, rest), = named_rows(html)
    product = item_url("PRODUCT#B0KETTLE01", "METADATA")
    assert name == "3 × Kettle"
    assert f'<a href="{product}">B0KETTLE01</a>' in html


def test_values_read_like_values(staff_client, shop):
    html, _ = page(staff_client, item_url("USER#a11cebee", "ORDER#2026-11-19#456"))
    assert "1,167.49 USD" in html
    assert "2026-11-19 17:47 UTC · " in html and " ago" in html
    assert "Decimal(" not in html
    # the line item's price, right-aligned in its table, rounded to its places for display
    assert re.search(r'<td [^>]*class="num" title="389.163">389.16</td>', html)
    user, _ = page(staff_client, item_url("USER#a11cebee", "METADATA"))
    assert '<span class="badge yes">yes</span>' in user
    nested = re.search(r'<dl class="nested">(.*?)</dl>\s*<details class="raw-json">', user, re.S)
    assert nested and "<dt>language</dt><dd>en</dd>" in nested.group(1)
    assert '<dt>sms</dt><dd><span class="badge no">no</span></dd>' in user


def test_lookup_results_are_names(staff_client, shop):
    # as you type (htmx asks for the results only): the one match, by name
    response = staff_client.get(reverse("dynadmin:lookup"), {"q": "ORD-456"},
                                headers={"HX-Request": "true"})
    html = unescape(response.content.decode())
    assert re.search(r'One match: <a href="[^"]+">Order 456 · 2026-11-19</a>', html)
    assert named_rows(html)[0][1] == "Order 456 · 2026-11-19"
    hints, _ = page(staff_client, reverse("dynadmin:lookup"))
    assert "e.g. ORD-456" in hints and "e.g. alice@example.com" in hints
    assert "(?:" not in hints and "\\d" not in hints


def test_the_delete_page_and_recent_actions_name_the_item(staff_client, shop):
    delete = reverse("dynadmin:delete", kwargs={"table": "Application"}) + "?" + urlencode(
        {"pk": "PRODUCT#B0KETTLE01", "sk": "METADATA"})
    html, _ = page(staff_client, delete)
    assert re.search(r"<h1>\s*Delete Kettle\?\s*</h1>", html)
    token = re.search(r'name="original" value="([^"]+)"', html).group(1)
    assert staff_client.post(delete, {"original": token}).status_code == 302
    recent, _ = page(staff_client, reverse("dynadmin:recent_actions"))
    # The deleted item is named (and linked: its history offers the undo), its key beneath.
    assert re.search(r'>Kettle</a> <span class="muted">Product · Application</span>'
                     r'<span class="key-line key">PRODUCT#B0KETTLE01 / METADATA</span></td>',
                     recent)
