"""The partition page: one Query per page, both ways, grouped by entity, never a scan."""

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from examples.shop import seed
from examples.shop.definitions import Order, Session, User
from tests.conftest import BACKEND
from tests.support.results import named_rows

pytestmark = pytest.mark.django_db

WHALE = seed.WHALE_USER_ID  # the seeded example's whale: 5,200 orders in one partition
WHALE_ORDERS = seed.expected_whale_orders(seed.DEFAULT_ORDERS)
NOW = dt.datetime.now(dt.UTC)


def order(user_id, n, status="PENDING", **extra):
    day = dt.date(2020, 1, 1) + dt.timedelta(days=n // 10)
    return Order.build_item({
        "user_id": user_id, "order_id": f"{n:06d}", "placed_on": day,
        "placed_at": dt.datetime(day.year, day.month, day.day, n % 10, tzinfo=dt.UTC),
        "status": status, "total": Decimal(n) / 100, **extra,
    })


def url(**params):
    return reverse("dynadmin:partition", kwargs={"table": "Application"}) + "?" + urlencode(
        params)


def rows(response):
    """The keys of a page's rows, in display order."""
    return [key for _url, _name, key, _rest in named_rows(response.content.decode())]


def link(response, rel):
    match = re.search(rf'rel="{rel}" href="([^"]*)"', response.content.decode())
    return unescape(match.group(1)) if match else None


@pytest.fixture(scope="module")
def whale_names(dynamodb_endpoint, django_db_blocker):
    """The seeded example's whale partition (its profile, sessions and 5,200 orders) in one
    read-only table shared by this module's tests (loading takes seconds on DynamoDB Local)."""
    from django.test import override_settings

    from examples.shop.definitions import shop
    from tests.conftest import physical_table

    with physical_table(shop) as names, override_settings(DYNADMIN_TABLE_NAMES=names):
        data.load_items_unconditionally(
            shop, (item for item in seed.generate() if item["PK"] == f"USER#{WHALE}"))
        yield names


@pytest.fixture
def whale(whale_names, settings):
    from examples.shop.definitions import shop

    settings.DYNADMIN_TABLE_NAMES = whale_names
    return shop


def test_paging_a_deep_partition_forward_and_back(staff_client, whale):
    forward, pages = [], []
    next_url = url(pk=f"USER#{WHALE}", sk_op="begins_with", sk="ORDER#", limit=500)
    while next_url:
        response = staff_client.get(next_url)
        assert response.status_code == 200
        assert response["X-Dynadmin-Calls"] == "Query"  # one call per page, never a scan
        pages.append(rows(response))
        forward += pages[-1]
        next_url = link(response, "next")
    assert WHALE_ORDERS >= 5_000 and len(pages) == -(-WHALE_ORDERS // 500)
    assert len(forward) == len(set(forward)) == WHALE_ORDERS
    assert forward == sorted(forward)
    assert f"Items 5,001–{WHALE_ORDERS:,} · end of list" in response.content.decode()

    backward = []
    prev_url = link(response, "prev")
    while prev_url:
        response = staff_client.get(prev_url)
        assert response["X-Dynadmin-Calls"] == "Query"
        backward = rows(response) + backward
        prev_url = link(response, "prev")
    assert backward == forward[:-(WHALE_ORDERS % 500 or 500)]
    assert "Items 1–500" in response.content.decode()


def test_page_settings_survive_paging(staff_client, whale):
    response = staff_client.get(url(pk=f"USER#{WHALE}", order="desc", limit=7))
    nxt = link(response, "next")
    assert parse_qs(urlsplit(nxt).query)["order"] == ["desc"]
    assert parse_qs(urlsplit(nxt).query)["limit"] == ["7"]
    second = staff_client.get(nxt)
    assert rows(second)[0] < rows(response)[-1]  # newest first, continuing
    back = staff_client.get(link(second, "prev"))
    assert rows(back) == rows(response)


def test_a_tampered_cursor_is_a_400(staff_client, whale):
    response = staff_client.get(url(pk=f"USER#{WHALE}", limit=10))
    nxt = link(response, "next")
    tampered = nxt.replace("cursor=", "cursor=x")
    response = staff_client.get(tampered)
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_a_cursor_from_another_query_is_a_400(staff_client, whale):
    nxt = link(staff_client.get(url(pk=f"USER#{WHALE}", limit=10)), "next")
    cursor = parse_qs(urlsplit(nxt).query)["cursor"][0]
    response = staff_client.get(url(pk="USER#other", cursor=cursor))
    assert response.status_code == 400


@pytest.mark.parametrize(("op", "sk", "sk2", "expected"), [
    ("begins_with", "ORDER#2020-01-0", None, 90),
    ("between", "ORDER#2020-01-01", "ORDER#2020-01-03", 20),
    ("<", "ORDER#2020-01-02", None, 10),
    (">=", "ORDER#2020-01-30", None, 3),
    ("=", "ORDER#2020-01-01#000000", None, 1),
])
def test_sort_key_conditions(staff_client, shop_table, op, sk, sk2, expected):
    data.load_items_unconditionally(shop_table, [order("u1", n) for n in range(293)])
    params = {"pk": "USER#u1", "sk_op": op, "sk": sk, "limit": 1000}
    if sk2:
        params["sk2"] = sk2
    assert len(rows(staff_client.get(url(**params)))) == expected


def test_a_filter_applies_to_the_page_read_and_says_so(staff_client, shop_table):
    items = [order("u1", n, "SHIPPED" if n % 7 == 0 else "PENDING") for n in range(100)]
    data.load_items_unconditionally(shop_table, items)
    response = staff_client.get(url(pk="USER#u1", f_attr="status", f_op="=", f_value="SHIPPED"))
    assert response["X-Dynadmin-Calls"] == "Query"
    assert "Read 50 items, 8 matched" in response.content.decode()
    # The next page continues after the 50 read, not after the 8 shown.
    second = staff_client.get(link(response, "next"))
    assert "Read 50 items, 7 matched" in second.content.decode()
    # Paging back realigns pages around the matches shown, and skips none of them.
    back, prev_url = [], link(second, "prev")
    while prev_url:
        page = staff_client.get(prev_url)
        back = rows(page) + back
        prev_url = link(page, "prev")
    assert back == rows(response)


def test_a_mixed_partition_is_grouped_by_entity_with_typed_values(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [
        User.build_item({"user_id": "u1", "email": "alice@example.com", "name": "Alice"}),
        order("u1", 1, total=Decimal("12345678901234567890.12345678901234567")),
        Session.build_item({"user_id": "u1", "session_id": "s1",
                            "expires": NOW + dt.timedelta(days=3, minutes=5)}),
        Session.build_item({"user_id": "u1", "session_id": "s2",
                            "expires": NOW - dt.timedelta(hours=2, minutes=5)}),
        {"PK": "USER#u1", "SK": "ZZZ#legacy", "blob": "old"},
    ])
    html = staff_client.get(url(pk="USER#u1")).content.decode()
    assert [h for h in re.findall(r"<h2>([^<]+?) <span", html)] == [
        "User", "Order", "Session", "Unclassified"]  # key order: METADATA < ORDER# < SESSION#
    assert "12345678901234567890.12345678901234567" in html
    assert "expires in 3 days" in html
    assert "expired 2 hours ago" in html
    assert "alice@example.com" in html
    assert "&quot;blob&quot;: &quot;old&quot;" in html


def test_a_gsi_listing_newest_first(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [
        order("u1", n, "PENDING" if n % 2 else "SHIPPED") for n in range(40)])
    response = staff_client.get(url(pk="ORDER#STATUS#PENDING", index="GSI2", order="desc"))
    listed = rows(response)
    assert len(listed) == 20
    assert listed == sorted(listed, reverse=True)
    assert response["X-Dynadmin-Calls"] == "Query"
    cost = response.content.decode().split('class="cost"')[1]
    assert "This page made 1 DynamoDB call" in cost and "Query" in cost and "GSI2" in cost
    if BACKEND == "dynamodb-local":  # moto reports no consumed capacity
        assert "RCU" in cost


@pytest.mark.parametrize("params", [
    {"pk": "USER#1", "limit": "0"}, {"pk": "USER#1", "limit": "1001"},
    {"pk": "USER#1", "limit": "ten"}, {"pk": "USER#1", "index": "GSI9"},
    {"pk": "X", "index": "GSI1", "consistent": "1"}, {"pk": "USER#1", "sk_op": "like", "sk": "a"},
    {"pk": "USER#1", "sk_op": "between", "sk": "b", "sk2": "a"},
    {"pk": "USER#1", "sk_op": "begins_with"}, {"pk": "USER#1", "f_attr": "PK", "f_value": "x"},
    {"pk": "USER#1", "f_attr": "total", "f_op": ">", "f_value": "abc", "f_type": "N"},
    {"pk": "USER#1", "cursor": "garbage"},
])
def test_bad_query_parameters_are_a_clear_400(staff_client, shop_table, params):
    with data.recording() as log:
        response = staff_client.get(url(**params))
    assert response.status_code == 400
    assert b"Traceback" not in response.content
    assert "Query" not in log.operations


HOSTILE = ['<script>alert("x")</script>', "quote'\"", "slash/and#hash?&=", "ünïcødé ✓ 🐍",
           "x" * 900]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_keys_render_escaped_and_round_trip_through_links(staff_client, shop_table,
                                                                   value):
    data.put_item(shop_table, {"PK": f"USER#{value}", "SK": f"S#{value}", "note": value},
                  condition=AttributeNotExists("PK"))
    response = staff_client.get(url(pk=f"USER#{value}"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    item_link = named_rows(html)[0][0]
    item_page = staff_client.get(item_link)
    assert item_page.status_code == 200
    assert "<script>alert" not in item_page.content.decode()
    assert data.get_item(shop_table, {"PK": f"USER#{value}", "SK": f"S#{value}"})["note"] == value


def test_htmx_paging_swaps_only_the_results(staff_client, whale):
    response = staff_client.get(url(pk=f"USER#{WHALE}", limit=5), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "Items 1–5" in html
    assert 'hx-push-url="true"' in html


def test_download_the_page_as_json_and_csv(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [order("u1", n) for n in range(30)] + [
        {"PK": "USER#u1", "SK": "ZZ", "formula": "=HYPERLINK(\"x\")"}])
    as_json = json.loads(staff_client.get(url(pk="USER#u1", limit=10, format="json")).content)
    assert len(as_json) == 10
    assert as_json[0]["total"] == 0
    response = staff_client.get(url(pk="USER#u1", sk_op=">=", sk="ZZ", format="csv"))
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0][:2] == ["PK", "SK"]
    assert table[1][table[0].index("formula")].startswith("'=")


def test_copy_as_code_shows_the_exact_call(staff_client, shop_table):
    html = unescape(staff_client.get(url(pk="USER#u1", sk_op="begins_with", sk="ORDER#",
                                         order="desc")).content.decode())
    assert "client.query(" in html
    assert f"--table-name {shop_table.table_name}" in html
    assert "begins_with(#n1, :v1)" in html
    assert "--no-scan-index-forward" in html


def test_copy_as_code_is_made_once_per_request_and_each_request_gets_its_own():
    import pprint
    import uuid
    from unittest import mock

    from dynadmin.services.partitions import code_snippets

    table = f"T-{uuid.uuid4().hex}"  # a request no other test made
    text = {"TableName": table, "KeyConditionExpression": "#n0 = :v0",
            "ExpressionAttributeNames": {"#n0": "PK"},
            "ExpressionAttributeValues": {":v0": {"S": "1"}}}
    number = {**text, "ExpressionAttributeValues": {":v0": {"N": "1"}}}
    with mock.patch.object(code_snippets.pprint, "pformat", wraps=pprint.pformat) as made:
        first = code_snippets.as_boto3(text)
        again = code_snippets.as_boto3(dict(text))
        other = code_snippets.as_boto3(number)
    assert first == again and made.call_count == 2
    assert "'S': '1'" in first and "'N': '1'" in other
    assert code_snippets.as_aws_cli(text) != code_snippets.as_aws_cli(number)


def test_the_form_alone_without_a_partition_key(staff_client, shop_table):
    with data.recording() as log:
        response = staff_client.get(url())
    assert response.status_code == 200
    assert log.operations == []


def test_a_number_filter_is_described_as_a_number_not_a_python_repr():
    from decimal import Decimal

    from dynadmin.services.partitions.query import AttributeFilter

    assert AttributeFilter("total", ">", Decimal("5"), "N").describe().endswith(" 5")
    assert "Decimal" not in AttributeFilter("total", "=", Decimal("5.50"), "N").describe()
    assert AttributeFilter("status", "=", "PAID", "S").describe().endswith(" 'PAID'")


class _ImportsSeen:
    """A finder first on ``sys.meta_path`` that finds nothing and notes what was asked:
    every import of a module not loaded yet passes it, a failed one on each attempt."""

    def __init__(self):
        self.names = []

    def find_spec(self, name, path=None, target=None):  # noqa: ARG002 - the finder protocol
        self.names.append(name)


@pytest.mark.parametrize("address", [
    url(pk=f"USER#{WHALE}"),
    reverse("dynadmin:entity", kwargs={"entity": "Application.Order"}),
])
def test_a_page_once_served_imports_nothing_again(staff_client, shop_table, address):
    """Asking on every page whether an optional package is installed (Django 5.2 has no
    ``django.tasks``) walked ``sys.path`` again on each request: a failed import is never
    remembered. What a page needs is imported once."""
    import sys

    data.load_items_unconditionally(shop_table, [order(WHALE, n, "PAID") for n in range(3)])
    assert staff_client.get(address).status_code == 200
    seen = _ImportsSeen()
    sys.meta_path.insert(0, seen)
    try:
        again = staff_client.get(address)
    finally:
        sys.meta_path.remove(seen)
    assert again.status_code == 200
    assert seen.names == []
