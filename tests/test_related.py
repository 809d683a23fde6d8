"""Item pages follow the design's relationships: a user's orders, an order's customer."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from examples.shop.definitions import Order, OrderItem, Product, User

from . import fakes

pytestmark = pytest.mark.django_db


def item_url(pk, sk):
    return reverse("dynadmin:item", kwargs={"table": "Application"}) + "?" + urlencode(
        {"pk": pk, "sk": sk})


def order(n, user_id="u1"):
    day = dt.date(2024, 1, 1) + dt.timedelta(days=n)
    return Order.build_item({
        "user_id": user_id, "order_id": str(1000 + n), "placed_on": day,
        "placed_at": dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC),
        "status": "PENDING", "total": Decimal("9.99")})


@pytest.fixture
def shop_data(shop_table):
    data.load_items_unconditionally(shop_table, [
        User.build_item({"user_id": "u1", "email": "alice@example.com", "name": "Alice"}),
        *[order(n) for n in range(12)],
        OrderItem.build_item({"order_id": "1000", "product_id": "p1", "quantity": 2,
                              "unit_price": Decimal("4.50")}),
        Product.build_item({"product_id": "p1", "name": "Kettle", "category": "kitchen",
                            "price": Decimal("4.50")}),
    ])
    return shop_table


def test_a_users_orders_newest_first_in_one_query(staff_client, shop_data):
    response = staff_client.get(item_url("USER#u1", "METADATA"))
    html = unescape(response.content.decode())
    # orders, sessions, invitations to the user's email, and History's Query of the archive
    assert response["X-Dynadmin-Calls"] == "GetItem,Query,Query,Query,Query"
    section = html.split('aria-label="Orders"')[1].split("</section>")[0]
    shown = re.findall(r"ORDER#[\d-]+#(\d+)", section)
    assert shown == [str(1000 + n) for n in range(11, 1, -1)]  # 10 newest
    assert "See all orders" in section
    assert "sk_op=begins_with&sk=ORDER%23" in section.replace("&amp;", "&")


def test_an_orders_customer_is_a_link_and_its_line_items_are_listed(staff_client, shop_data):
    html = unescape(staff_client.get(item_url("USER#u1", "ORDER#2024-01-01#1000"))
                    .content.decode())
    user_link = item_url("USER#u1", "METADATA")
    assert f'<a href="{user_link}">u1</a>' in html
    line_items = html.split('aria-label="Line items"')[1].split("</section>")[0]
    assert "ITEM#p1" in line_items and "Kettle" not in line_items


def test_an_order_item_leads_to_its_order_through_gsi1(staff_client, shop_data):
    html = unescape(staff_client.get(item_url("ORDER#1000", "ITEM#p1")).content.decode())
    assert "index=GSI1" in html
    assert "ORDER#2024-01-01#1000" in html  # the order itself, found by one Query on GSI1


def test_an_items_related_sections_are_read_at_once(staff_client, shop_data, dynamodb_endpoint,
                                                   monkeypatch):
    """The user page's three relation Queries are in flight together (a proxy holds each
    until all three have arrived), so the page costs about its slowest Query, not their sum."""
    with fakes.DroppingProxy(dynamodb_endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint)
        data.reset_client()
        try:
            # the three sections' Queries and History's, held until all four are in flight
            proxy.gather(("Query",), 4)
            response = staff_client.get(item_url("USER#u1", "METADATA"))
        finally:
            monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint)
            data.reset_client()
    assert response.status_code == 200
    assert proxy.met == {"Query": 4}
    assert response["X-Dynadmin-Calls"] == "GetItem,Query,Query,Query,Query"
    html = unescape(response.content.decode())
    assert "ORDER#2024-01-12#1011" in html  # the sections were filled from their answers


def test_an_orders_customer_and_line_items_are_read_at_once(staff_client, shop_data,
                                                          dynamodb_endpoint, monkeypatch):
    """A to-one relation's BatchGetItem goes out with the to-many Queries."""
    with fakes.DroppingProxy(dynamodb_endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint)
        data.reset_client()
        try:
            proxy.gather(("Query", "BatchGetItem"), 3)
            response = staff_client.get(item_url("USER#u1", "ORDER#2024-01-01#1000"))
        finally:
            monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint)
            data.reset_client()
    assert response.status_code == 200
    assert proxy.met == {"Query": 2, "BatchGetItem": 1}  # line items, History; the customer
