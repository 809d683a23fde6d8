"""Numbers as wide as DynamoDB stores them (38 significant digits, exponents -130..+125),
put by the application with plain boto3: every page that shows them answers, exactly.

Python's default decimal context keeps 28 digits; any arithmetic on such a number there
rounds or raises. These tests hold the pages to DynamoDB's range, over HTTP.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from html import unescape
from io import StringIO
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dynadmin.data.serialization import serialize_item
from examples.shop.definitions import Order, Session

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
#: 40 digits, 38 of them significant: the widest number DynamoDB accepts with this exponent
HUGE_TOTAL = Decimal("1" * 38 + "00")
HUGE_TTL = Decimal("9" * 29)
ORDER_KEY = {"PK": "USER#u1", "SK": "ORDER#2026-01-01#777"}
SESSION_KEY = {"PK": "USER#u1", "SK": "SESSION#wide"}


def app(endpoint: str, shop) -> Any:  # noqa: ANN001
    """The table as the application sees it: plain boto3, nothing of dynadmin's."""
    return boto3.resource("dynamodb", endpoint_url=endpoint).Table(shop.table_name)


def put(endpoint: str, shop, item: dict[str, Any]) -> None:  # noqa: ANN001
    """Store an item with boto3's low-level client: its resource layer refuses to send a
    number whose 40 digits it would have to round, although DynamoDB stores it."""
    boto3.client("dynamodb", endpoint_url=endpoint).put_item(
        TableName=shop.table_name, Item=serialize_item(item))


def url(name: str, key: dict[str, str] | None = None, **params: str) -> str:
    query = {"pk": key["PK"], "sk": key["SK"]} if key else {}
    return (reverse(f"dynadmin:{name}", kwargs={"table": "Application"}) + "?"
            + urlencode(query | params))


def text(response: Any) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def assert_answers(response: Any) -> str:
    body = response.content.decode()
    assert response.status_code == 200, body[:3000]
    assert "Traceback" not in body
    return text(response)


def huge_order(**values: Any) -> dict[str, Any]:
    item = Order.build_item({
        "user_id": "u1", "order_id": "777", "placed_on": "2026-01-01",
        "placed_at": dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC), "status": "PAID",
        "total": Decimal("1"), "currency": "EUR", "version": 1})
    item["total"] = HUGE_TOTAL
    item.update(values)
    return item


@pytest.fixture
def stored_order(shop_table, dynamodb_endpoint) -> dict[str, Any]:
    item = huge_order()
    assert item["GSI2PK"] == "ORDER#STATUS#PAID"
    put(dynamodb_endpoint, shop_table, item)
    return item


# -- a 38-digit Number field ----------------------------------------------------------------
def test_the_status_listing_shows_a_38_digit_total_exactly(staff_client, stored_order):
    page = staff_client.get(reverse("dynadmin:listing", kwargs={
        "entity": "Application.Order", "name": "by_status"}) + "?status=PAID", follow=True)
    shown = assert_answers(page)
    assert "777" in shown
    assert_total_shown(shown)


def assert_total_shown(shown: str) -> None:
    # Grouped or not, every one of the 40 digits is there: nothing rounded away.
    digits = re.sub(r"[^\d]", "", shown)
    assert "1" * 38 + "00" in digits, shown[:3000]


def test_the_order_id_lookup_finds_an_order_with_a_38_digit_total(staff_client, stored_order):
    page = staff_client.get(reverse("dynadmin:entity_lookup", kwargs={
        "entity": "Application.Order", "name": "by_id"}) + "?order_id=777", follow=True)
    assert_answers(page)
    search = staff_client.get(reverse("dynadmin:lookup") + "?q=ORD-777", follow=True)
    assert_answers(search)


def test_the_partition_page_shows_a_38_digit_total(staff_client, stored_order):
    shown = assert_answers(staff_client.get(url("partition", pk="USER#u1")))
    assert_total_shown(shown)


def test_the_csv_download_holds_the_38_digit_total_exactly(staff_client, stored_order):
    response = staff_client.get(url("partition", pk="USER#u1", format="csv"))
    assert response.status_code == 200
    assert str(HUGE_TOTAL) in response.content.decode()


def test_the_json_download_holds_the_38_digit_total_exactly(staff_client, stored_order):
    response = staff_client.get(url("partition", pk="USER#u1", format="json"))
    assert response.status_code == 200
    assert str(HUGE_TOTAL) in response.content.decode()


def test_the_item_page_shows_a_38_digit_total(staff_client, stored_order):
    shown = assert_answers(staff_client.get(url("item", ORDER_KEY)))
    assert_total_shown(shown)


@pytest.mark.parametrize("total", [
    Decimal("9" * 38 + "E+87"),  # the largest number DynamoDB stores
    Decimal("1E-130"),  # the smallest positive one
    Decimal("-" + "9" * 38 + "E+87"),
    Decimal("0." + "1" * 38),
], ids=["largest", "smallest", "most-negative", "38-places"])
def test_item_and_edit_pages_answer_at_the_edges_of_the_number_range(
        total, staff_client, shop_table, dynamodb_endpoint):
    put(dynamodb_endpoint, shop_table, huge_order(total=total))
    assert_answers(staff_client.get(url("item", ORDER_KEY)))
    assert_answers(staff_client.get(url("edit", ORDER_KEY)))
    assert_answers(staff_client.get(url("partition", pk="USER#u1")))


def test_an_integer_field_of_29_digits_is_shown_on_its_item_page(
        staff_client, shop_table, dynamodb_endpoint):
    count = Decimal("1" * 29)
    put(dynamodb_endpoint, shop_table, huge_order(total=Decimal("5"), item_count=count))
    shown = assert_answers(staff_client.get(url("item", ORDER_KEY)))
    assert "1" * 29 in re.sub(r"[^\d]", "", shown)
    assert_answers(staff_client.get(url("edit", ORDER_KEY)))


# -- a TTL of 29 digits ---------------------------------------------------------------------
@pytest.fixture
def wide_ttl_session(shop_table, dynamodb_endpoint) -> dict[str, Any]:
    item = Session.build_item({"user_id": "u1", "session_id": "wide",
                               "expires": NOW + dt.timedelta(days=1)})
    item["ttl"] = HUGE_TTL
    put(dynamodb_endpoint, shop_table, item)
    return item


def test_a_29_digit_ttl_is_named_on_the_item_page_and_shown_on_delete_and_edit(
        staff_client, wide_ttl_session):
    assert "after the year 3000" in assert_answers(staff_client.get(url("item", SESSION_KEY)))
    for page in ("delete", "edit"):
        shown = assert_answers(staff_client.get(url(page, SESSION_KEY)))
        assert "9" * 29 in re.sub(r"[^\d]", "", shown), page


def test_a_29_digit_ttl_is_shown_on_the_ttl_page_and_in_the_partition(
        staff_client, wide_ttl_session):
    shown = assert_answers(staff_client.get(url("ttl", pk="USER#u1")))
    assert "after the year 3000" in shown
    assert_answers(staff_client.get(url("partition", pk="USER#u1")))


def test_activity_pages_through_changes_that_carry_a_29_digit_ttl(
        staff_client, shop_table, wide_ttl_session, dynamodb_endpoint, settings, archived):
    table = app(dynamodb_endpoint, shop_table)
    for address in ("192.0.2.7", "192.0.2.8"):
        table.update_item(Key=SESSION_KEY, UpdateExpression="SET ip_address = :v",
                          ExpressionAttributeValues={":v": address})
    archived(shop_table)
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 1

    page = staff_client.get(url("activity"), **HTMX)
    shown = []
    while True:
        assert_answers(page)
        html = unescape(page.content.decode())
        shown.append(html)
        older = re.search(r'rel="next" href="([^"]+)"', html)
        if older is None or len(shown) == 10:
            break
        page = staff_client.get(unescape(older.group(1)), **HTMX)
    assert len(shown) == 3
    assert "192.0.2.8" in shown[0] and "INSERT" in shown[-1]


def test_an_items_history_shows_changes_that_carry_a_29_digit_ttl(
        staff_client, shop_table, wide_ttl_session, dynamodb_endpoint, archived):
    table = app(dynamodb_endpoint, shop_table)
    for address in ("192.0.2.7", "192.0.2.8"):
        table.update_item(Key=SESSION_KEY, UpdateExpression="SET ip_address = :v",
                          ExpressionAttributeValues={":v": address})
    archived(shop_table)

    for name in ("item_changes", "item"):
        page = staff_client.get(url(name, SESSION_KEY))
        assert_answers(page)
        html = unescape(page.content.decode())
        assert html.index("→ 192.0.2.8") < html.index("→ 192.0.2.7")  # newest first
        assert 'data-event="INSERT"' in html


# -- a millisecond TTL ----------------------------------------------------------------------
@pytest.mark.parametrize("page", ["item", "edit", "ttl", "partition"])
def test_a_millisecond_ttl_is_shown_as_its_digits_never_as_a_python_repr(
        page, staff_client, shop_table, dynamodb_endpoint):
    item = Session.build_item({"user_id": "u1", "session_id": "ms",
                               "expires": NOW + dt.timedelta(days=1)})
    item["ttl"] = Decimal("1796787313000")
    put(dynamodb_endpoint, shop_table, item)
    key = {"PK": item["PK"], "SK": item["SK"]}

    response = staff_client.get(url(page, pk="USER#u1") if page in ("ttl", "partition")
                                else url(page, key))

    shown = assert_answers(response)
    assert "Decimal" not in shown
    assert re.search(r"1,?796,?787,?313,?000", shown), shown[:3000]


# -- the verify command ---------------------------------------------------------------------
def test_verify_reads_a_partition_of_wide_numbers_and_names_the_broken_ttl(
        stored_order, wide_ttl_session):
    out = StringIO()
    with pytest.raises(CommandError):  # the TTL is broken: exit status 1
        call_command("dynadmin_verify", "--table", "Application", "--json",
                     "--partition", "USER#u1", stdout=out)
    report = json.loads(out.getvalue())
    assert report["items_read"] == 2
    assert [f["kind"] for f in report["findings"]]
    assert "Decimal(" not in out.getvalue()
