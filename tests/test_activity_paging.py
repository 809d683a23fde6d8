"""Paging a table's Activity over HTTP: the newest changes first, Older and Newer within the
bounds of one read, filters kept, no change repeated or skipped at a page boundary, and
cursors that cannot be forged or reused for another filter."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dynadmin.data import encode_cursor
from examples.project import local

from .support.changes import HTMX, PRODUCT, activity_url, app, product, rows, user

pytestmark = pytest.mark.django_db
STREAMS_CALLS = ("DescribeStream", "GetShardIterator", "GetRecords")


def versions(response: Any) -> list[int]:
    """The product's version each change on the page leaves (newest first)."""
    found = []
    for row in rows(response):
        match = re.search(r"Version (?:— → |\d+ → )?(\d+)", row["text"])
        assert match, row["text"]
        found.append(int(match.group(1)))
    return found


def link(response: Any, name: str) -> str | None:
    """The address of the page's link named ``name`` (None: shown disabled, or absent)."""
    html = response.content.decode()
    match = re.search(r'<a class="button[^"]*" (?:rel="\w+" )?href="([^"]+)"[^>]*>'
                      + re.escape(name) + "</a>", html)
    return unescape(match.group(1)) if match else None


def streams_calls(response: Any) -> list[str]:
    return [c for c in response["X-Dynadmin-Calls"].split(",") if c in STREAMS_CALLS]


def make_versions(endpoint: str, shop, last: int) -> None:  # noqa: ANN001
    """The application makes the product, then changes it to each version up to ``last``:
    one stream record per version."""
    table = app(endpoint, shop)
    table.put_item(Item=product())
    for version in range(2, last + 1):
        table.update_item(Key=PRODUCT, UpdateExpression="SET version = :v",
                          ExpressionAttributeValues={":v": version})


def test_newest_first_then_older_and_newer_with_no_change_repeated_or_skipped(
        staff_client, shop_table, dynamodb_endpoint, settings) -> None:
    make_versions(dynamodb_endpoint, shop_table, 12)
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 5

    newest = staff_client.get(activity_url())
    older = staff_client.get(link(newest, "Older →"))
    oldest = staff_client.get(link(older, "Older →"))
    back = staff_client.get(link(oldest, "← Newer"))
    front = staff_client.get(link(back, "← Newer"))

    assert versions(newest) == [12, 11, 10, 9, 8]
    assert versions(older) == [7, 6, 5, 4, 3]
    assert versions(oldest) == [2, 1]
    assert versions(back) == [7, 6, 5, 4, 3]
    assert versions(front) == [12, 11, 10, 9, 8]
    assert link(newest, "← Newer") is None and link(front, "← Newer") is None
    assert link(oldest, "Older →") is None
    assert "Showing the newest 5 changes, newest first." in newest.content.decode()
    assert link(older, "⇤ Newest") == activity_url()
    # Every change exactly once, in order, across the pages.
    assert versions(newest) + versions(older) + versions(oldest) == list(range(12, 0, -1))
    for page in (newest, older, oldest, back, front):
        assert page.status_code == 200
        assert 1 <= streams_calls(page).count("GetRecords") <= 2


def test_an_older_page_starts_where_the_newest_page_remembered(
        staff_client, shop_table, dynamodb_endpoint, settings) -> None:
    make_versions(dynamodb_endpoint, shop_table, 12)
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 2

    newest = staff_client.get(activity_url())
    older = staff_client.get(link(newest, "Older →"))

    read = [int(re.search(r'data-records-read="(\d+)"', r.content.decode()).group(1))
            for r in (newest, older)]
    assert versions(newest) == [12, 11] and versions(older) == [10, 9]
    # Three pages back are remembered: the older page's read starts after version 4.
    assert read[0] == 12 and read[1] < 12


def test_filters_are_kept_across_pages_and_bind_the_cursor(
        staff_client, shop_table, dynamodb_endpoint, settings) -> None:
    table = app(dynamodb_endpoint, shop_table)
    table.put_item(Item=user())
    make_versions(dynamodb_endpoint, shop_table, 7)
    table.update_item(Key={"PK": "USER#u9", "SK": "METADATA"},
                      UpdateExpression="SET #n = :n", ExpressionAttributeNames={"#n": "name"},
                      ExpressionAttributeValues={":n": "Ada"})
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 3

    first = staff_client.get(activity_url(entity="Application.Product", event="MODIFY"))
    older_url = link(first, "Older →")
    older = staff_client.get(older_url, **HTMX)

    assert versions(first) == [7, 6, 5] and versions(older) == [4, 3, 2]
    assert parse_qs(urlsplit(older_url).query)["entity"] == ["Application.Product"]
    assert parse_qs(urlsplit(older_url).query)["event"] == ["MODIFY"]
    assert "<html" not in older.content.decode()  # the fragment only, for htmx
    assert link(older, "Older →") is None  # the INSERT is not a MODIFY
    cursor = parse_qs(urlsplit(older_url).query)["cursor"][0]
    other = staff_client.get(activity_url(entity="Application.Product", cursor=cursor))
    assert other.status_code == 400
    assert "not valid for this query" in unescape(other.content.decode())


def test_each_read_is_bounded_says_where_it_stopped_and_reads_further(
        staff_client, shop_table, dynamodb_endpoint, settings) -> None:
    make_versions(dynamodb_endpoint, shop_table, 12)
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 5
    settings.DYNADMIN_STREAM_RECORDS_PER_CALL = 2
    # DescribeStream, GetShardIterator and two GetRecords: 4 records a page.
    settings.DYNADMIN_STREAM_CALLS_PER_REQUEST = 4

    pages = [staff_client.get(activity_url())]
    while (further := link(pages[-1], "Read further")) and len(pages) < 6:
        pages.append(staff_client.get(further))

    html = unescape(pages[0].content.decode())
    assert versions(pages[0]) == [4, 3, 2, 1]
    assert "4 stream records read in 2 GetRecords calls" in html
    assert "Stopped reading at a change made" in html
    assert "after 2 GetRecords calls, this page's bound" in html
    assert "Later records have not been read yet" in html
    assert [versions(p) for p in pages] == [[4, 3, 2, 1], [8, 7, 6, 5], [12, 11, 10, 9], []]
    assert "No changes in the records read." in pages[-1].content.decode()
    for page in pages:
        assert len(streams_calls(page)) <= 4
    # Newer from a stopped page goes on just after it.
    assert versions(staff_client.get(link(pages[0], "← Newer"))) == [8, 7, 6, 5]


@pytest.mark.parametrize("cursor", ["x", "", "forged"])
def test_a_forged_stale_or_malformed_cursor_is_a_clear_400(
        staff_client, shop_table, dynamodb_endpoint, settings, cursor) -> None:
    make_versions(dynamodb_endpoint, shop_table, 3)
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 2
    older_url = link(staff_client.get(activity_url()), "Older →")
    token = parse_qs(urlsplit(older_url).query)["cursor"][0]

    if cursor == "forged":
        response = staff_client.get(activity_url(cursor=token[:-3] + "abc"))
    elif cursor == "x":
        response = staff_client.get(activity_url(cursor="x" + token))
    else:
        settings.DYNADMIN_CURSOR_MAX_AGE = -1
        response = staff_client.get(older_url)

    assert response.status_code == 400
    text = unescape(response.content.decode())
    assert "expired" in text if cursor == "" else "not valid for this query" in text


@pytest.mark.parametrize("payload", [
    {"mode": "sideways"},
    {"mode": "older", "window": {"after": {"shard": "12ab"}}},
    {"mode": "newer", "window": "everything"},
])
def test_a_signed_cursor_dynadmin_cannot_read_is_a_400_not_a_500(
        staff_client, shop_table, payload) -> None:
    token = encode_cursor(payload, scope="activity:Application:")

    response = staff_client.get(activity_url(cursor=token))

    assert response.status_code == 400


def test_an_unreachable_stream_endpoint_is_the_calm_failure_page_on_any_page(
        staff_client, shop_table, dynamodb_endpoint, settings, monkeypatch) -> None:
    make_versions(dynamodb_endpoint, shop_table, 3)
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 2
    older_url = link(staff_client.get(activity_url()), "Older →")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
                       f"http://127.0.0.1:{local.free_port()}")

    for url in (activity_url(), older_url):
        response = staff_client.get(url)
        html = response.content.decode()
        assert response.status_code == 503
        assert "What happened" in html and "What to do" in html
        assert "Traceback" not in html


def test_a_page_link_of_a_replaced_stream_says_so(staff_client, shop_table) -> None:
    token = encode_cursor({"mode": "older", "window": {"after": {}, "before": {}},
                           "stream": "arn:aws:dynamodb:eu-west-1:1:table/T/stream/old"},
                          scope="activity:Application:")

    response = staff_client.get(activity_url(cursor=token))

    assert response.status_code == 400
    assert "stream has been replaced" in unescape(response.content.decode())
