"""Paging a table's Activity over HTTP: the newest changes first, Older and Newer from a
change's position in the archive, filters kept, no change repeated or skipped at a page
boundary, a filtered read that stops at its bound read further, and cursors that cannot be
forged or reused for another filter."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dynadmin.data import encode_cursor
from dynadmin.history import reading
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


def calls(response: Any) -> list[str]:
    return [c for c in response.get("X-Dynadmin-Calls", "").split(",") if c]


def make_versions(endpoint: str, shop, last: int) -> None:  # noqa: ANN001
    """The application makes the product, then changes it to each version up to ``last``:
    one change per version."""
    table = app(endpoint, shop)
    table.put_item(Item=product())
    for version in range(2, last + 1):
        table.update_item(Key=PRODUCT, UpdateExpression="SET version = :v",
                          ExpressionAttributeValues={":v": version})


def test_newest_first_then_older_and_newer_with_no_change_repeated_or_skipped(
        staff_client, shop_table, dynamodb_endpoint, archived, settings) -> None:
    make_versions(dynamodb_endpoint, shop_table, 12)
    archived(shop_table)
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
    assert link(newest, "⇤ Newest") is None
    # Every change exactly once, in order, across the pages.
    assert versions(newest) + versions(older) + versions(oldest) == list(range(12, 0, -1))
    for page in (newest, older, oldest, back, front):
        assert page.status_code == 200
        assert "Query" in calls(page)
        assert not set(calls(page)) & set(STREAMS_CALLS)


def test_filters_are_kept_across_pages_and_bind_the_cursor(
        staff_client, shop_table, dynamodb_endpoint, archived, settings) -> None:
    table = app(dynamodb_endpoint, shop_table)
    table.put_item(Item=user())
    make_versions(dynamodb_endpoint, shop_table, 7)
    table.update_item(Key={"PK": "USER#u9", "SK": "METADATA"},
                      UpdateExpression="SET #n = :n", ExpressionAttributeNames={"#n": "name"},
                      ExpressionAttributeValues={":n": "Ada"})
    archived(shop_table)
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
    for other in ({"entity": "Application.Product"}, {"event": "MODIFY"},
                  {"entity": "Application.Product", "event": "MODIFY", "who": "elsewhere"},
                  {"entity": "Application.Product", "event": "MODIFY", "since": "2020-01-01"}):
        refused = staff_client.get(activity_url(cursor=cursor, **other))
        assert refused.status_code == 400, other
        assert "not valid for this query" in unescape(refused.content.decode())


def test_a_filtered_read_that_stops_at_its_bound_says_so_and_reads_further(
        staff_client, shop_table, dynamodb_endpoint, archived, settings,
        monkeypatch) -> None:
    """The user's one change lies below many of the product's: a read of a few Queries
    stops before it, says where, and offers to read further (without a word of streams)."""
    table = app(dynamodb_endpoint, shop_table)
    table.put_item(Item=user())
    make_versions(dynamodb_endpoint, shop_table, 12)
    archived(shop_table)
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 1
    monkeypatch.setattr(reading, "FILTERED_QUERY_LIMIT", 2)
    monkeypatch.setattr(reading, "QUERIES_PER_READ", 3)
    monkeypatch.setattr(reading.table_history, "__kwdefaults__",
                        {**reading.table_history.__kwdefaults__, "max_queries": 3})

    pages = [staff_client.get(activity_url(entity="Application.User"))]
    while (further := link(pages[-1], "Read further")) and len(pages) < 10:
        pages.append(staff_client.get(further))

    html = unescape(pages[0].content.decode())
    assert rows(pages[0]) == []
    assert "Stopped reading at the changes made around" in html
    assert "Older changes have not been read yet: read further to go on." in html
    assert "No changes found in the part read." in html
    assert "GetRecords" not in html and "stream records" not in html
    found = [r["event"] for page in pages for r in rows(page)]
    assert found == ["INSERT"]
    assert "Read further" not in pages[-1].content.decode()
    for page in pages:
        assert calls(page).count("Query") <= 4


@pytest.mark.parametrize("cursor", ["x", "", "forged"])
def test_a_forged_stale_or_malformed_cursor_is_a_clear_400(
        staff_client, shop_table, dynamodb_endpoint, archived, settings, cursor) -> None:
    make_versions(dynamodb_endpoint, shop_table, 3)
    archived(shop_table)
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
    {"before": {"shard": "12ab"}},
    {"after": "everything"},
    {"follow": "AT#" + "9" * 200},
    {"before": "AT#2026-01-01T00", "after": "AT#2026-01-01T00"},
])
def test_a_signed_cursor_dynadmin_cannot_read_is_a_400_not_a_500(
        staff_client, shop_table, payload) -> None:
    token = encode_cursor(payload, scope="activity:Application:")

    response = staff_client.get(activity_url(cursor=token))

    assert response.status_code == 400


def test_an_unreachable_archive_is_the_calm_failure_page_on_any_page(
        staff_client, shop_table, dynamodb_endpoint, archived, settings,
        monkeypatch) -> None:
    make_versions(dynamodb_endpoint, shop_table, 3)
    archived(shop_table)
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 2
    older_url = link(staff_client.get(activity_url()), "Older →")
    settings.DYNADMIN_MAX_ATTEMPTS = settings.DYNADMIN_READ_MAX_ATTEMPTS = 1
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{local.free_port()}")
    from dynadmin.data import reset_client

    reset_client()
    try:
        for url in (activity_url(), older_url):
            response = staff_client.get(url)
            html = response.content.decode()
            assert response.status_code == 503
            assert "What happened" in html and "What to do" in html
            assert "Traceback" not in html
    finally:
        monkeypatch.undo()
        reset_client()


def test_a_page_that_fills_as_its_hour_ends_still_leads_to_older_hours(
        staff_client, shop_table, archive_table, settings) -> None:
    """Two changes this hour, three two hours ago (the consumer's status lists both hours):
    a page of two is full exactly where this hour ends, and Older goes on in the older one."""
    import datetime as dt

    from dynadmin.data import StreamRecord, load_items_unconditionally
    from dynadmin.history.archive import Status, archive
    from dynadmin.history.consumer import archive_record

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    earlier = now - dt.timedelta(hours=2)
    for number, when in enumerate([earlier] * 3 + [now] * 2, start=1):
        archive_record(shop_table.table_name, StreamRecord(
            event_id=str(number), event_name="MODIFY" if number > 1 else "INSERT", when=when,
            sequence_number=str(number).zfill(21), shard_id="shardId-1", keys=PRODUCT,
            old_image=product(version=number - 1) if number > 1 else None,
            new_image=product(version=number)))
    load_items_unconditionally(archive, [Status.build_item({
        "source_table": shop_table.table_name, "hour": hour.strftime("%Y-%m-%dT%H"),
        "reported_at": now, "archived_up_to": now, "consumer": "follow",
        "has_changes": True}) for hour in (earlier, now)])
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 2

    newest = staff_client.get(activity_url())
    older = staff_client.get(link(newest, "Older →"))
    oldest = staff_client.get(link(older, "Older →"))

    assert versions(newest) == [5, 4]
    assert versions(older) == [3, 2]
    assert versions(oldest) == [1]
    assert link(oldest, "Older →") is None
    assert versions(staff_client.get(link(oldest, "← Newer"))) == [3, 2]
