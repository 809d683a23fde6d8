"""An entity's list page: its first listing, one Query per page both ways, a Choice
switcher, ranges in the entity's words (inclusive of the last day), typed filters with a
bounded "read more", and an explanation where an entity has no listing."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from dynadmin import data
from examples.shop.definitions import Order

pytestmark = pytest.mark.django_db

ORDERS = reverse("dynadmin:entity", kwargs={"entity": "Application.Order"})


def order(n, status="PENDING", user_id="u1", day=None, **extra):
    day = day or dt.date(2024, 1, 1) + dt.timedelta(days=n % 28)
    return Order.build_item({
        "user_id": user_id, "order_id": f"{n:06d}", "placed_on": day,
        "placed_at": dt.datetime(day.year, day.month, day.day, 12, n % 60, tzinfo=dt.UTC),
        "status": status, "total": Decimal(n), "currency": "EUR", **extra,
    })


def shown_orders(response):
    """The order ids of the rows, read from their item links (whatever their text)."""
    html = response.content.decode()
    keys = [parse_qs(urlsplit(unescape(href)).query).get("sk", [""])[0]
            for href in re.findall(r'href="([^"]*/item/\?[^"]*)"', html)]
    return [k.rsplit("#", 1)[-1] for k in keys if k.startswith("ORDER#")]


def link(response, rel):
    match = re.search(rf'rel="{rel}" href="([^"]*)"', response.content.decode())
    return unescape(match.group(1)) if match else None


def test_the_order_list_pages_both_ways_at_one_query_per_page(staff_client, shop_table,
                                                               settings):
    data.load_items_unconditionally(shop_table, [order(n) for n in range(120)])
    response = staff_client.get(ORDERS)
    assert response.status_code == 200
    assert response["X-Dynadmin-Calls"] == "Query"
    first = shown_orders(response)
    assert len(first) == 50  # list_per_page
    html = response.content.decode()
    assert "Orders by status" in html and "newest first" in html
    forward = list(first)
    next_url = link(response, "next")
    while next_url:
        assert next_url.startswith(ORDERS)  # paging stays on the list page
        response = staff_client.get(next_url)
        assert response["X-Dynadmin-Calls"] == "Query"
        forward += shown_orders(response)
        next_url = link(response, "next")
    assert sorted(forward) == sorted(f"{n:06d}" for n in range(120))
    assert len(set(forward)) == 120
    back = staff_client.get(link(response, "prev"))
    assert back["X-Dynadmin-Calls"] == "Query"
    assert shown_orders(back) == forward[50:100]


def test_the_status_switcher_lists_another_partition(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [order(1), order(2, "SHIPPED"),
                                                 order(3, "SHIPPED")])
    response = staff_client.get(ORDERS)
    html = response.content.decode()
    assert shown_orders(response) == ["000001"]  # PENDING, the first status, by default
    assert re.search(r'href="[^"]*status=SHIPPED"[^>]*>Shipped</a>', html)
    assert re.search(r'aria-current="page">Pending</a>', html)
    shipped = staff_client.get(ORDERS + "?status=SHIPPED")
    assert sorted(shown_orders(shipped)) == ["000002", "000003"]
    assert re.search(r'aria-current="page">Shipped</a>', shipped.content.decode())
    assert shipped["X-Dynadmin-Calls"] == "Query"


def test_a_date_range_includes_its_last_day(staff_client, shop_table):
    days = [dt.date(2023, 12, 31), dt.date(2024, 1, 1), dt.date(2024, 1, 31),
            dt.date(2024, 2, 1)]
    data.load_items_unconditionally(shop_table, [
        order(n, day=day) for n, day in enumerate(days)])
    on_list = staff_client.get(ORDERS + "?" + urlencode(
        {"status": "PENDING", "sk_from": "2024-01-01", "sk_to": "2024-01-31"}))
    assert on_list["X-Dynadmin-Calls"] == "Query"
    assert sorted(shown_orders(on_list)) == ["000001", "000002"]
    assert "from 2024-01-01 to 2024-01-31 (both included)" in on_list.content.decode()

    # The partition page asks the same in the entity's words: the order of the 31st, whose
    # key ORDER#2024-01-31#000002 sorts after ORDER#2024-01-31, is found.
    partition = staff_client.get(reverse("dynadmin:partition", kwargs={"table": "Application"})
                                 + "?" + urlencode({"pk": "USER#u1", "sk_entity": "Order",
                                                    "sk_from": "2024-01-01",
                                                    "sk_to": "2024-01-31"}))
    assert partition.status_code == 200
    assert sorted(shown_orders(partition)) == ["000001", "000002"]


def test_a_range_that_ends_before_it_starts_is_refused(staff_client, shop_table):
    response = staff_client.get(ORDERS + "?sk_from=2024-02-01&sk_to=2024-01-01")
    assert response.status_code == 400
    assert "ends" in response.content.decode()
    assert "X-Dynadmin-Calls" not in response or response["X-Dynadmin-Calls"] == ""


def test_a_typed_filter_and_a_bounded_read_on(staff_client, shop_table):
    # 60 pages' worth of EUR orders, then one in GBP at the very end of the partition.
    items = [order(n, day=dt.date(2024, 1, 1)) for n in range(600)]
    items.append(order(999, day=dt.date(2023, 1, 1), currency="GBP"))
    data.load_items_unconditionally(shop_table, items)
    first = staff_client.get(ORDERS + "?" + urlencode(
        {"f_attr": "currency", "f_op": "=", "f_value": "GBP"}))
    html = first.content.decode()
    assert first["X-Dynadmin-Calls"] == "Query"
    assert shown_orders(first) == []
    assert "Read 50 items, 0 matched" in html
    assert re.search(r"Read up to 10 more pages, about \d+ RCU", html)
    more = unescape(re.search(r'href="([^"]*more=10[^"]*)"', html).group(1))
    read_on = staff_client.get(more)
    calls = read_on["X-Dynadmin-Calls"].split(",")
    assert calls and set(calls) == {"Query"} and len(calls) == 10  # never more than the bound
    assert "Read 10 pages (500 items) to find a match." in read_on.content.decode()
    assert shown_orders(read_on) == []
    again = staff_client.get(unescape(re.search(
        r'href="([^"]*more=10[^"]*)"', read_on.content.decode()).group(1)))
    assert shown_orders(again) == ["000999"]  # found on the first page that holds it
    assert len(again["X-Dynadmin-Calls"].split(",")) < 10


def test_filter_widgets_follow_the_field_type(staff_client, shop_table):
    html = staff_client.get(ORDERS + "?f_attr=currency&pick=1").content.decode()
    assert re.search(r'<select id="l-f-value" name="f_value">.*?GBP', html, re.S)
    html = staff_client.get(ORDERS + "?f_attr=total&pick=1").content.decode()
    assert 'id="l-f-value" name="f_value" type="number"' in html
    html = staff_client.get(ORDERS + "?f_attr=placed_on&pick=1").content.decode()
    assert 'id="l-f-value" name="f_value" type="text" placeholder="YYYY-MM-DD"' in html


def test_the_list_form_is_built_once_and_shows_each_page_s_own_values(staff_client,
                                                                      shop_table):
    from dynadmin.services.inputs import _kept_groups
    from dynadmin.services.lists import filters
    from dynadmin.services.partitions import key_ranges

    def narrow(params):
        html = staff_client.get(ORDERS + "?" + urlencode(params)).content.decode()
        return re.search(r'<details class="list-narrow".*?</details>', html, re.S).group(0)

    asked = {"sk_from": "2024-01-02", "sk_to": "2024-01-09", "f_attr": "currency",
             "f_op": "<>", "f_value": "GBP"}
    _kept_groups.clear()
    key_ranges._range_fields.cache_clear()
    filters._attribute_field.cache_clear()
    filters._condition_fields.cache_clear()
    built = narrow(asked)
    assert narrow(asked) == built  # kept: the same markup as when it was built
    assert key_ranges._range_fields.cache_info().hits >= 1
    assert filters._condition_fields.cache_info().hits >= 1
    assert 'value="2024-01-02"' in built and 'value="2024-01-09"' in built
    assert re.search(r'<option value="&lt;&gt;" selected>', built)
    assert re.search(r'<option value="GBP" selected>', built)
    # Another page's values, shown back from the same fields.
    other = narrow({"sk_from": "2024-01-03", "f_attr": "currency", "f_op": "=",
                    "f_value": "EUR"})
    assert 'value="2024-01-03"' in other and "2024-01-02" not in other
    assert re.search(r'<option value="EUR" selected>', other)
    assert not re.search(r'<option value="GBP" selected>', other)


def test_an_entity_without_a_listing_says_how_to_find_its_items(staff_client, shop_table):
    response = staff_client.get(reverse("dynadmin:entity",
                                        kwargs={"entity": "Application.Session"}))
    html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", unescape(response.content.decode())))
    assert response.status_code == 200
    assert "How to find Session items" in html
    assert "From a User's page: its “Sessions” section lists them." in html
    assert "X-Dynadmin-Calls" not in response or not response["X-Dynadmin-Calls"]


def test_the_raw_console_stays_under_advanced(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [order(1)])
    html = unescape(staff_client.get(ORDERS).content.decode())
    assert "<summary>Advanced" in html
    console = re.search(r'href="([^"]*/t/Application/q/\?[^"]*)"', html).group(1)
    assert "ORDER#STATUS#PENDING" in unescape(console).replace("%23", "#")


def test_begins_with_without_the_prefix_offers_it(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [order(1, day=dt.date(2024, 3, 5))])
    partition = reverse("dynadmin:partition", kwargs={"table": "Application"})
    response = staff_client.get(partition + "?" + urlencode(
        {"pk": "USER#u1", "sk_op": "begins_with", "sk": "2024-03"}))
    html = unescape(response.content.decode())
    assert shown_orders(response) == []
    assert "ORDER#{placed_on}#{order_id}" in html  # the template beside the raw form
    assert 'list="q-sk-prefixes" placeholder="ORDER#"' in html
    offer = re.search(r'did you mean: <a href="([^"]*)"><span class="key">ORDER#2024-03</span>',
                      html)
    assert offer
    assert shown_orders(staff_client.get(offer.group(1))) == ["000001"]


def test_a_list_hiding_expired_items_says_so_as_the_partition_page_does(staff_client,
                                                                          shop_table):
    data.load_items_unconditionally(shop_table, [order(n) for n in range(3)])
    response = staff_client.get(ORDERS + "?" + urlencode({"hide_expired": "1700000000"}))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert len(shown_orders(response)) == 3
    assert "Expired items are hidden by a filter on the page read" in html
