"""A page answers its fragment only to an htmx swap: a boosted link or a history restore
gets the whole page, on every page that has a fragment."""

from urllib.parse import urlencode

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from dynadmin.views.htmx import is_fragment_request

SWAP = {"HTTP_HX_REQUEST": "true"}
BOOSTED = SWAP | {"HTTP_HX_BOOSTED": "true"}
HISTORY_RESTORE = SWAP | {"HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


def _request(**headers: str):
    request = RequestFactory().get("/", **headers)
    request.htmx = HtmxDetails(request)
    return request


@pytest.mark.parametrize(("headers", "fragment"), [
    ({}, False), (SWAP, True), (BOOSTED, False), (HISTORY_RESTORE, False)])
def test_only_a_swap_asks_for_a_fragment(headers, fragment):
    assert is_fragment_request(_request(**headers)) is fragment


def test_a_request_not_served_by_the_site_is_no_fragment():
    assert is_fragment_request(RequestFactory().get("/", **SWAP)) is False


def _pages() -> list[str]:
    table = {"table": "Application"}
    key = urlencode({"pk": "USER#u1", "sk": "METADATA"})
    return [
        reverse("dynadmin:partition", kwargs=table) + "?" + urlencode({"pk": "USER#u1"}),
        reverse("dynadmin:health", kwargs=table),
        reverse("dynadmin:activity", kwargs=table),
        reverse("dynadmin:item_changes", kwargs=table) + "?" + key,
        reverse("dynadmin:lookup") + "?" + urlencode({"q": "nobody@example.com"}),
    ]


@pytest.mark.parametrize("headers", [BOOSTED, HISTORY_RESTORE], ids=["boosted", "restore"])
def test_every_page_answers_a_boosted_link_or_a_history_restore_in_full(
        staff_client, shop_table, headers):
    for address in _pages():
        response = staff_client.get(address, **headers)
        assert response.status_code == 200, address
        assert "<html" in response.content.decode(), address


def test_every_page_answers_a_swap_with_its_fragment(staff_client, shop_table):
    for address in _pages():
        response = staff_client.get(address, **SWAP)
        assert response.status_code == 200, address
        assert "<html" not in response.content.decode(), address
