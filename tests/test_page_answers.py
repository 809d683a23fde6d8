"""Answers on the page a person is on: an action with nothing selected, exports named after
what they hold with columns in a stable order, and dynadmin's own 404 even under DEBUG."""

import csv
import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.services.partitions import export
from tests.test_actions import orders, page  # noqa: F401

pytestmark = pytest.mark.django_db

PARTITION = reverse("dynadmin:partition", kwargs={"table": "Application"})


def test_an_action_with_nothing_selected_answers_on_the_partition_page(staff_client,
                                                                       orders):  # noqa: F811
    from examples.shop.definitions import shop

    back = PARTITION + "?" + urlencode({"pk": "USER#u1"})
    response = staff_client.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                                 {"action": "Order.mark_shipped", "back": back}, follow=True)
    assert response.redirect_chain == [(back, 302)]
    html = response.content.decode()
    assert "Nothing selected: tick the rows the action should apply to" in html
    assert "Mark shipped" in html  # the partition page itself, with its actions
    assert [data.get_item(shop, {"PK": o["PK"], "SK": o["SK"]}) for o in orders] == orders


def test_an_export_is_named_after_the_table_and_partition(staff_client, orders):  # noqa: F811
    response = staff_client.get(PARTITION + "?" + urlencode({"pk": "USER#u1", "format": "csv"}))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Application-USER#u1-page1.csv\"; "
        "filename*=UTF-8''Application-USER%23u1-page1.csv")


def test_export_columns_are_keys_then_list_display_then_the_rest(staff_client, orders,  # noqa: F811
                                                                 shop_table):
    odd = dict(orders[0], SK="ORDER#2024-01-15#9", order_id="9", aardvark="first seen")
    data.put_item(shop_table, odd, condition=AttributeNotExists("PK"))
    response = staff_client.get(PARTITION + "?" + urlencode({"pk": "USER#u1", "format": "csv"}))
    header = next(csv.reader(io.StringIO(response.content.decode())))
    assert header[:2] == ["PK", "SK"]
    # OrderAdmin.list_display, then everything else in order of first appearance.
    assert header[2:6] == ["order_id", "placed_on", "status", "total"]
    assert "aardvark" in header[6:]


def test_a_name_that_is_not_ascii_is_encoded_with_a_safe_fallback():
    name = export.file_name("Application", 'USER#é"; x\r\n', 2, "json")
    header = export.content_disposition(name)
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="Application-USER#__')
    assert "filename*=UTF-8''Application-USER%23%C3%A9%22%3B%20x__-page2.json" in header


@pytest.mark.parametrize("path", ["/t/Nope/q/?pk=x", "/t/Nope/item/?pk=x", "/e/Nope/",
                                  "/e/Nope/add/"])
def test_an_unknown_table_or_entity_is_dynadmins_own_404_under_debug(staff_client, settings,
                                                                      shop_table, path):
    settings.DEBUG = True
    response = staff_client.get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert "dynadmin" in html and "Technical" not in html and "URLconf" not in html
    assert 'class="site-header"' in html  # the site's own page, with its header
