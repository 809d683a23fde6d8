"""A support person's lists, over HTTP: the heading names the list in their words, ranges are
asked in words and in ISO dates, no action is chosen for them, the list says where it is and
whether it goes on, and the table's name in the breadcrumbs leads somewhere."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from examples.shop.definitions import Order

pytestmark = pytest.mark.django_db

ORDERS = reverse("dynadmin:entity", kwargs={"entity": "Application.Order"})


def order(n, status="PAID", day=dt.date(2024, 1, 15)):
    return Order.build_item({
        "user_id": "u1", "order_id": f"{n:06d}", "placed_on": day,
        "placed_at": dt.datetime(day.year, day.month, day.day, 12, n % 60, tzinfo=dt.UTC),
        "status": status, "total": Decimal(n), "currency": "EUR",
    })


def text_of(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_heading_names_the_list_and_its_tab_in_words(staff_client, shop_table):
    html = staff_client.get(ORDERS + "?status=PAID").content.decode()
    heading = text_of(re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)).strip()
    assert heading == "Orders by status: Paid"
    assert "Application.Order" not in heading


def test_a_range_is_asked_in_words_with_iso_dates(staff_client, shop_table):
    html = staff_client.get(ORDERS + "?status=PAID").content.decode()
    fieldset = re.search(r"<details class=\"list-narrow\".*?</details>", html, re.S).group(0)
    assert "{placed_at" not in fieldset and "%Y" not in fieldset  # templates are technical
    assert '<label for="l-from">From</label>' in fieldset
    assert "Placed at, from one day to another" in text_of(fieldset)
    # No browser date picker: it would show 01/15/2024 where every page writes 2024-01-15.
    assert 'type="date"' not in html
    assert re.search(r'id="l-from" name="sk_from" type="text" placeholder="YYYY-MM-DD"', html)

    data.load_items_unconditionally(shop_table, [order(1)])
    ranged = staff_client.get(ORDERS + "?" + urlencode(
        {"status": "PAID", "sk_from": "2024-01-01", "sk_to": "2024-01-31"}))
    shown = text_of(ranged.content.decode())
    assert "Placed at, from 2024-01-01 to 2024-01-31 (both included)" in shown
    assert "placed at from" not in shown


def test_lookups_and_the_consoles_ranges_take_iso_text_too(staff_client, shop_table):
    partition = staff_client.get(reverse("dynadmin:partition", kwargs={"table": "Application"})
                                 + "?pk=USER%23u1")
    html = partition.content.decode()
    assert 'type="date"' not in html and 'type="datetime-local"' not in html
    assert 'placeholder="YYYY-MM-DD"' in html


def test_no_action_is_chosen_for_the_person(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [order(1, "SHIPPED")])
    html = staff_client.get(ORDERS + "?status=SHIPPED").content.decode()
    menu = re.search(r'<select id="action-Order" name="action"[^>]*>(.*?)</select>', html,
                     re.S).group(1)
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", menu)
    assert options[0] == (' value="" selected', "Choose an action")
    assert [attrs for attrs, _label in options[1:] if "selected" in attrs] == []

    # Sent without a choice (no script to stop it): said on the page, nothing written.
    back = ORDERS + "?status=SHIPPED"
    response = staff_client.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                                 {"action": "", "rows": "0", "selection": "", "back": back})
    assert response.status_code == 302 and response["Location"] == back
    page = staff_client.get(back).content.decode()
    assert "No action chosen" in page
    assert data.get_item(shop_table, {"PK": "USER#u1", "SK": "ORDER#2024-01-15#000001"}
                         )["status"] == "SHIPPED"


def test_a_list_says_what_it_has_read_and_whether_more_follow(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [order(n) for n in range(73)])
    first = staff_client.get(ORDERS + "?status=PAID")
    assert "Items 1–50 · more follow" in text_of(first.content.decode())
    next_url = unescape(re.search(r'rel="next" href="([^"]*)"', first.content.decode()).group(1))
    last = staff_client.get(next_url)
    assert "Items 51–73 · end of list" in text_of(last.content.decode())

    partition = staff_client.get(reverse("dynadmin:partition", kwargs={"table": "Application"})
                                 + "?pk=USER%23u1&limit=100")
    assert "Items 1–73 · end of list" in text_of(partition.content.decode())


@pytest.mark.parametrize("page", ["entity", "partition", "ttl", "health", "activity",
                                  "item_changes"])
def test_the_tables_name_in_the_breadcrumbs_is_a_link(staff_client, shop_table, page):
    url = (ORDERS if page == "entity"
           else reverse(f"dynadmin:{page}", kwargs={"table": "Application"}))
    if page == "item_changes":
        url += "?pk=USER%23u1&sk=ORDER%232024-01-15%23000001"
    html = staff_client.get(url).content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    link = re.search(r'<a href="([^"]*)">Application</a>', crumbs)
    assert link is not None
    assert link.group(1) == reverse("dynadmin:dashboard") + "#table-application"
    dashboard = staff_client.get(reverse("dynadmin:dashboard")).content.decode()
    assert 'id="table-application"' in dashboard


def test_an_amounts_currency_is_not_a_column_of_its_own(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [order(1)])
    html = staff_client.get(ORDERS + "?status=PAID").content.decode()
    headers = [text_of(h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, re.S)]
    assert "Total" in headers and "Currency" not in headers
    assert re.search(r">\s*1\.00 EUR\s*<", html)
