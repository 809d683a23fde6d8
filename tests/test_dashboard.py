"""The dashboard as a starting point: entities with their lists and lookups, the example's
"data still loading" notice (one GetItem of a declared marker, cached briefly) and its
suggestions of where to start."""

import re
from html import unescape

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists

pytestmark = pytest.mark.django_db

MARKER = {"PK": "SEED#shop", "SK": "METADATA"}


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", unescape(response.content.decode())))


def calls(response):
    return [c for c in response.get("X-Dynadmin-Calls", "").split(",") if c]


def test_entities_link_to_their_lists_and_name_their_lookups(staff_client, shop_table):
    response = staff_client.get(reverse("dynadmin:dashboard"))
    html = response.content.decode()
    assert '<a href="/e/Application.Order/">Orders by status</a>' in html
    assert "User by email, Users by name, User by ID" in text(response)
    assert "no list: look one up, or open it from a related item" in text(response)
    assert "GetItem" not in calls(response)  # no marker declared: nothing to check


def test_the_loading_notice_lasts_until_the_marker_is_written(staff_client, shop_table,
                                                               settings):
    settings.DYNADMIN_LOADING_MARKER = {"Application": MARKER}
    first = staff_client.get(reverse("dynadmin:dashboard"))
    assert "The data of Application is still loading" in text(first)
    assert calls(first).count("GetItem") == 1
    again = staff_client.get(reverse("dynadmin:dashboard"))
    assert "GetItem" not in calls(again)  # cached briefly: a busy dashboard reads it once
    data.put_item(shop_table, {**MARKER, "item_count": 1}, condition=AttributeNotExists("PK"))
    from django.core.cache import cache

    cache.clear()  # as if the few seconds of the cache had passed
    done = staff_client.get(reverse("dynadmin:dashboard"))
    assert "still loading" not in text(done)


def test_the_example_suggests_where_to_start(staff_client, shop_table, settings):
    settings.DYNADMIN_DASHBOARD_SUGGESTIONS = [("Order 456", "456"),
                                               ("A broken TTL", "/t/Application/ttl/")]
    html = unescape(staff_client.get(reverse("dynadmin:dashboard")).content.decode())
    assert '<a class="button" href="/lookup/?q=456">Order 456</a>' in html
    assert '<a class="button" href="/t/Application/ttl/">A broken TTL</a>' in html
