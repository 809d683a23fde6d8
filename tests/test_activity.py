"""A table's Activity page over HTTP: every change across the table from the archive of
changes, who made it, filtered by entity, partition, event, who and time range, followed,
and what the archive's consumer last said."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.editing import writes
from dynadmin.history.archive import Status, archive
from dynadmin.services.changes.activity import activity_page
from dynadmin.services.changes.activity_filters import ActivityFilters

from .conftest import physical_table
from .support.changes import HTMX, KEY, PRODUCT, activity_url, app, order, product, rows, user

pytestmark = pytest.mark.django_db
STREAMS_CALLS = ("DescribeStream", "GetShardIterator", "GetRecords")


def write_some(endpoint: str, shop, staff) -> None:  # noqa: ANN001
    """An order made by the application and shipped through dynadmin, a user and a product
    made and removed by the application."""
    table = app(endpoint, shop)
    table.put_item(Item=order())
    item = data.get_item(shop, KEY)
    writes.save(shop, item, dict(item, status="SHIPPED"), user=staff,
                entity_label="application.order")
    table.put_item(Item=user())
    table.put_item(Item=product())
    table.delete_item(Key=PRODUCT)


def calls(response: Any) -> list[str]:
    return [c for c in response.get("X-Dynadmin-Calls", "").split(",") if c]


def report(shop, *, reported: float, up_to: float | None = None,  # noqa: ANN001
           consumer: str = "follow") -> None:
    """What a consumer says about the table in the current hour: it reported ``reported``
    seconds ago, every change made until ``up_to`` seconds ago archived."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    item = Status.build_item({
        "source_table": shop.table_name, "hour": now.strftime("%Y-%m-%dT%H"),
        "reported_at": now - dt.timedelta(seconds=reported),
        "archived_up_to": None if up_to is None else now - dt.timedelta(seconds=up_to),
        "consumer": consumer, "has_changes": True})
    data.load_items_unconditionally(archive, [{k: v for k, v in item.items()
                                               if v is not None}])


def test_every_change_across_the_table_newest_first_with_who_made_it(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    write_some(dynamodb_endpoint, shop_table, staff_client.user)
    archived(shop_table)

    response = staff_client.get(activity_url())

    assert response.status_code == 200
    shown = rows(response)
    assert [(r["event"], r["origin"]) for r in shown] == [
        ("REMOVE", "elsewhere"), ("INSERT", "elsewhere"), ("INSERT", "elsewhere"),
        ("MODIFY", "dynadmin"), ("INSERT", "elsewhere")]
    assert "Kettle" in shown[0]["text"] and "PRODUCT#p1 / METADATA" in shown[0]["text"]
    assert "Grace" in shown[2]["text"]
    assert "Status PENDING → SHIPPED" in shown[3]["text"]
    assert "made through dynadmin by admin" in shown[3]["text"]
    html = unescape(response.content.decode())
    assert "/t/Application/item/?pk=PRODUCT%23p1&sk=METADATA" in html  # the item's link
    # Nothing on the page reads the stream: the archive is Queried.
    assert "Query" in calls(response)
    assert not set(calls(response)) & set(STREAMS_CALLS)


def test_the_newest_page_is_one_query_of_the_archive_whatever_the_stream_holds(
        staff_client, shop_table, dynamodb_endpoint, archived, settings) -> None:
    table = app(dynamodb_endpoint, shop_table)
    table.put_item(Item=product())
    for version in range(2, 13):
        table.update_item(Key=PRODUCT, UpdateExpression="SET version = :v",
                          ExpressionAttributeValues={":v": version})
    archived(shop_table)
    report(shop_table, reported=1, up_to=1)
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 5

    response = staff_client.get(activity_url())
    with data.recording() as log:
        activity_page(shop_table, ActivityFilters(), may_view=lambda keys, images: True,
                      sees_everything=True)

    assert len(rows(response)) == 5
    assert calls(response) == ["Query"]
    assert [(c.operation, c.table, c.index) for c in log.calls] == [
        ("Query", archive.table_name, "GSI1")]


def test_filters_by_entity_partition_and_event(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    write_some(dynamodb_endpoint, shop_table, staff_client.user)
    archived(shop_table)

    by_entity = rows(staff_client.get(activity_url(entity="Application.Product")))
    by_pk = staff_client.get(activity_url(pk="USER#u1"))
    by_event = rows(staff_client.get(activity_url(event="INSERT")))
    both = rows(staff_client.get(activity_url(entity="Application.Product", event="REMOVE")))

    assert [r["event"] for r in by_entity] == ["REMOVE", "INSERT"]
    assert all("Kettle" in r["text"] for r in by_entity)
    assert [(r["event"], r["origin"]) for r in rows(by_pk)] == [
        ("MODIFY", "dynadmin"), ("INSERT", "elsewhere")]
    # the partition's own index partition, and what the consumer last said
    assert calls(by_pk) == ["Query", "Query"]
    assert [r["event"] for r in by_event] == ["INSERT"] * 3
    assert [r["event"] for r in both] == ["REMOVE"]


def test_filters_by_who_made_the_change(staff_client, shop_table, dynamodb_endpoint,
                                        archived) -> None:
    write_some(dynamodb_endpoint, shop_table, staff_client.user)
    archived(shop_table)

    through = rows(staff_client.get(activity_url(who="dynadmin")))
    elsewhere = rows(staff_client.get(activity_url(who="elsewhere")))
    expired = staff_client.get(activity_url(who="ttl"))

    assert [(r["event"], r["origin"]) for r in through] == [("MODIFY", "dynadmin")]
    assert [r["origin"] for r in elsewhere] == ["elsewhere"] * 4
    assert rows(expired) == []
    assert "No changes match these filters." in expired.content.decode()
    html = expired.content.decode()
    assert re.search(r'<option value="ttl" selected>', html)  # the form says what was asked


def test_a_ttl_deletion_is_labelled_and_found_by_who(staff_client, shop_table,
                                                     dynamodb_endpoint, archived) -> None:
    """DynamoDB Local does not expire items: the stream record TTL's deletion makes (by
    DynamoDB's own service identity) is archived as the consumer archives any."""
    from dynadmin.data import StreamRecord
    from dynadmin.history.consumer import archive_record

    app(dynamodb_endpoint, shop_table).put_item(Item=user())
    archived(shop_table)
    session = {"PK": "USER#u9", "SK": "SESSION#s1", "type": "Session", "user_id": "u9",
               "session_id": "s1", "ip_address": "192.0.2.1"}
    archive_record(shop_table.table_name, StreamRecord(
        event_id="ttl", event_name="REMOVE", when=dt.datetime.now(dt.UTC),
        sequence_number="9" * 38, shard_id="shardId-ttl",
        keys={"PK": "USER#u9", "SK": "SESSION#s1"}, old_image=session,
        identity_type="Service", principal="dynamodb.amazonaws.com"))

    every = rows(staff_client.get(activity_url()))
    expired = rows(staff_client.get(activity_url(who="ttl")))

    assert [(r["event"], r["origin"]) for r in every] == [
        ("REMOVE", "ttl"), ("INSERT", "elsewhere")]
    assert "deleted by DynamoDB's TTL (expired)" in every[0]["text"]
    assert [(r["event"], r["origin"]) for r in expired] == [("REMOVE", "ttl")]


def test_filters_by_time_range_in_utc(staff_client, shop_table, dynamodb_endpoint,
                                      archived) -> None:
    write_some(dynamodb_endpoint, shop_table, staff_client.user)
    archived(shop_table)
    today = dt.datetime.now(dt.UTC).date()
    hour_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")

    since_today = rows(staff_client.get(activity_url(since=today.isoformat())))
    until_today = rows(staff_client.get(activity_url(until=today.isoformat())))
    since_an_hour_ago = rows(staff_client.get(activity_url(since=hour_ago)))
    until_yesterday = staff_client.get(activity_url(
        until=(today - dt.timedelta(days=1)).isoformat()))
    since_tomorrow = rows(staff_client.get(activity_url(
        since=(today + dt.timedelta(days=1)).isoformat())))

    assert len(since_today) == len(until_today) == len(since_an_hour_ago) == 5
    assert rows(until_yesterday) == [] and since_tomorrow == []
    assert "No changes match these filters." in until_yesterday.content.decode()
    # One partition's changes in a time range: its own index partition, bounded both ways.
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert len(rows(staff_client.get(activity_url(pk="USER#u1", since=yesterday,
                                                  until=today.isoformat())))) == 2
    assert rows(staff_client.get(activity_url(pk="USER#u1", until=yesterday))) == []


@pytest.mark.parametrize(("params", "message"), [
    ({"since": "yesterday"}, "yesterday is not a date (YYYY-MM-DD)"),
    ({"until": "2026-13-40"}, "2026-13-40 is not a date (YYYY-MM-DD)"),
    ({"since": "2026-02-02", "until": "2026-02-01"}, "The end of the time range is before"),
    ({"event": "UPSERT"}, "Select a valid choice"),
    ({"who": "robots"}, "Select a valid choice"),
    ({"entity": "Application.Nothing"}, "is not an entity of this table whose items you may"),
])
def test_bad_filters_are_said_on_the_form_and_read_nothing(
        staff_client, shop_table, params, message) -> None:
    response = staff_client.get(activity_url(**params))

    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert message in html and 'class="errorlist"' in html
    assert "Nothing was read: correct the filters above." in html
    assert "Query" not in calls(response)
    assert "Traceback" not in html


def test_follow_mode_adds_only_the_changes_newer_than_the_newest_shown(
        staff_client, shop_table, dynamodb_endpoint, archived, settings) -> None:
    table = app(dynamodb_endpoint, shop_table)
    table.put_item(Item=product())
    for version in range(2, 5):
        table.update_item(Key=PRODUCT, UpdateExpression="SET version = :v",
                          ExpressionAttributeValues={":v": version})
    archived(shop_table)
    settings.DYNADMIN_ACTIVITY_PER_PAGE = 2

    page = staff_client.get(activity_url(follow="1"))
    html = unescape(page.content.decode())
    poller = re.search(r'<tbody id="activity-follow" data-follow hx-get="([^"]+)" '
                       r'hx-trigger="every 5s, dynadmin:resume"', html)
    assert poller is not None and "Stop following" in html
    assert "<script>" not in html and "style=" not in html  # CSP: nothing inline
    assert len(rows(page)) == 2
    # The summary names no number that the polls would make false.
    assert "Showing the newest changes, newest first" in html
    assert "Showing the newest 2" not in html

    quiet = staff_client.get(poller.group(1), **HTMX)
    assert rows(quiet) == [] and 'id="activity-follow"' in quiet.content.decode()
    # Each poll refreshes what the page says of the consumer, in place.
    assert '<div id="activity-lag" hx-swap-oob="true">' in quiet.content.decode()
    assert not set(calls(quiet)) & set(STREAMS_CALLS)

    table.update_item(Key=PRODUCT, UpdateExpression="SET #n = :n",
                      ExpressionAttributeNames={"#n": "name"},
                      ExpressionAttributeValues={":n": "Kettle XL"})
    archived(shop_table)
    news = staff_client.get(poller.group(1), **HTMX)
    assert [r["event"] for r in rows(news)] == ["MODIFY"]
    assert "Name Kettle → Kettle XL" in rows(news)[0]["text"]
    assert "<table" not in news.content.decode()  # rows for the table already shown

    # The next poll goes on from the change it added: nothing is added twice.
    after = re.search(r'<tbody id="activity-follow" data-follow hx-get="([^"]+)"',
                      unescape(news.content.decode())).group(1)
    assert rows(staff_client.get(after, **HTMX)) == []
    assert staff_client.get(activity_url()).content.decode().count('data-follow ') == 0


def test_follow_mode_of_an_empty_filter_shows_the_first_change_that_matches(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    table = app(dynamodb_endpoint, shop_table)
    table.put_item(Item=user())
    archived(shop_table)
    page = unescape(staff_client.get(activity_url(pk="PRODUCT#p1", follow="1"))
                    .content.decode())
    poller = re.search(r'data-follow hx-get="([^"]+)"', page).group(1)

    table.put_item(Item=product())
    archived(shop_table)

    assert [r["event"] for r in rows(staff_client.get(poller, **HTMX))] == ["INSERT"]


def test_a_person_who_may_view_only_products_sees_no_user_changes(
        client, django_user_model, shop_table, dynamodb_endpoint, archived) -> None:
    from django.contrib.auth.models import Permission

    write_some(dynamodb_endpoint, shop_table, django_user_model.objects.create_superuser(
        "admin", password="pw"))
    archived(shop_table)
    person = django_user_model.objects.create_user("pat", password="pw", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="view_application_product"))
    client.force_login(person)

    response = client.get(activity_url())
    asked = client.get(activity_url(entity="Application.User"))  # not offered: refused

    html = unescape(response.content.decode())
    assert [r["event"] for r in rows(response)] == ["REMOVE", "INSERT"]
    assert "Grace" not in html and "USER#" not in html
    assert "Changes to items you may not view are left out." in html
    # Nothing counts what was left out: no number of changes read, no call details.
    assert "data-records-read" not in html and "changes read in" not in html
    assert asked.status_code == 400 and rows(asked) == []
    assert "Query" not in calls(asked)  # refused before reading
    nobody = django_user_model.objects.create_user("nobody", password="pw", is_staff=True)
    client.force_login(nobody)
    assert client.get(activity_url()).status_code == 403


def test_the_consumers_lag_is_shown(staff_client, shop_table, dynamodb_endpoint,
                                    archived) -> None:
    app(dynamodb_endpoint, shop_table).put_item(Item=product())
    archived(shop_table)
    report(shop_table, reported=2, up_to=4)

    html = unescape(staff_client.get(activity_url()).content.decode())

    assert re.search(r"Archived up to \d+ s ago\.", html)
    assert "data-consumer-warning" not in html


def test_a_consumer_silent_for_a_minute_is_a_warning(staff_client, shop_table,
                                                     dynamodb_endpoint, archived) -> None:
    app(dynamodb_endpoint, shop_table).put_item(Item=product())
    archived(shop_table)
    report(shop_table, reported=300, up_to=300)

    html = unescape(staff_client.get(activity_url()).content.decode())

    assert re.search(r"Archived up to 5 min ago\.", html)
    assert "The consumer has not reported for 5 min" in html
    assert "is `python manage.py dynadmin_history follow` running?" in html


def test_a_lambda_consumer_says_when_it_last_archived_without_a_warning(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    app(dynamodb_endpoint, shop_table).put_item(Item=product())
    archived(shop_table)
    report(shop_table, reported=600, up_to=600, consumer="lambda")

    html = unescape(staff_client.get(activity_url()).content.decode())

    assert "Archived by AWS Lambda; it last archived changes 10 min ago" in html
    assert "data-consumer-warning" not in html


def test_a_table_no_consumer_ever_reported_on_says_how_to_start_one(
        staff_client, shop_table, archive_table) -> None:
    html = unescape(staff_client.get(activity_url()).content.decode())

    assert "No consumer has archived this table's changes yet" in html
    assert "python manage.py dynadmin_history follow" in html
    assert "No changes archived yet." in html


def test_a_missing_archive_table_says_how_to_create_it(staff_client, shop_table,
                                                       settings) -> None:
    settings.DYNADMIN_HISTORY_TABLE = "dynadmin-history-never-created"

    response = staff_client.get(activity_url())

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "The archive of changes (table dynadmin-history-never-created) does not exist" in html
    assert "python manage.py dynadmin_history setup" in html
    assert "activity-follow-toggle" not in html and "Traceback" not in html


def test_a_table_without_a_stream_explains_how_to_enable_one(
        staff_client, dynamodb_endpoint, archive_table, settings, monkeypatch) -> None:
    from examples.shop.definitions import shop

    monkeypatch.setattr(shop, "stream_view_type", None)
    with physical_table(shop) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        response = staff_client.get(activity_url())
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "has no DynamoDB Stream" in html
    assert "StreamViewType=NEW_AND_OLD_IMAGES" in html


def test_the_dashboard_and_the_tables_pages_link_to_it(staff_client, shop_table) -> None:
    url = activity_url()
    for page in ("dynadmin:dashboard", "dynadmin:health", "dynadmin:ttl"):
        kwargs = {} if page == "dynadmin:dashboard" else {"table": "Application"}
        assert f'href="{url}"' in staff_client.get(reverse(page, kwargs=kwargs)).content.decode()


def test_both_records_of_a_key_move_are_made_through_dynadmin(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    item = data.get_item(shop_table, KEY)
    moved = dict(item, placed_on="2024-02-01", SK="ORDER#2024-02-01#456")
    writes.save(shop_table, item, moved, user=staff_client.user,
                entity_label="application.order")
    archived(shop_table)

    shown = rows(staff_client.get(activity_url()))

    # One transaction: the REMOVE and the INSERT may come in either order in the stream.
    assert sorted((r["event"], r["origin"]) for r in shown) == [
        ("INSERT", "dynadmin"), ("INSERT", "elsewhere"), ("REMOVE", "dynadmin")]


def test_paging_while_following_says_follow_again(staff_client, shop_table,
                                                  dynamodb_endpoint, archived) -> None:
    """Older and Newer swap the results in place and leave follow mode: the page's heading
    button comes with them, out of band, and offers Follow again."""
    app(dynamodb_endpoint, shop_table).put_item(Item=product())
    archived(shop_table)
    following = unescape(staff_client.get(activity_url(follow="1")).content.decode())
    assert re.search(r'id="activity-follow-toggle"[^>]*>Stop following</a>', following)
    swapped = unescape(staff_client.get(activity_url(), **HTMX).content.decode())
    toggle = re.search(r'<a id="activity-follow-toggle"[^>]*>([^<]+)</a>', swapped)
    assert toggle is not None and toggle.group(1) == "Follow"
    assert 'hx-swap-oob="true"' in toggle.group(0)
    assert "follow=1" in toggle.group(0)
    # The whole page carries the button once, in its heading, not out of band.
    full = staff_client.get(activity_url()).content.decode()
    assert full.count('id="activity-follow-toggle"') == 1 and "hx-swap-oob" not in full


LEAK_KEY = {"PK": "USER#leak0001", "SK": "ORDER#2026-01-01#leak1"}
SECRET = "OLD-ORDER-SECRET-4242"


def order_turned_user(endpoint: str, shop) -> None:  # noqa: ANN001
    """An Order that the application later turns into a User (type and a field changed)."""
    table = app(endpoint, shop)
    table.put_item(Item={**LEAK_KEY, "type": "order", "user_id": "leak0001",
                         "order_id": "leak1", "placed_on": "2026-01-01", "status": "PAID",
                         "total": Decimal("12.00"), "card_last4": SECRET,
                         "version": Decimal(1)})
    table.update_item(Key=LEAK_KEY, UpdateExpression="SET #t = :t, card_last4 = :c",
                      ExpressionAttributeNames={"#t": "type"},
                      ExpressionAttributeValues={":t": "user", ":c": "NEW-VALUE"})


def test_a_change_is_shown_only_to_whoever_may_view_both_its_images(
        client, django_user_model, shop_table, dynamodb_endpoint, archived) -> None:
    """The MODIFY that turned an Order into a User carries the Order in its old image: a
    person who may view Users but not Orders sees neither change, whatever the filter."""
    from django.contrib.auth.models import Permission

    order_turned_user(dynamodb_endpoint, shop_table)
    archived(shop_table)
    person = django_user_model.objects.create_user("uma", password="pw", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="view_application_user"))
    client.force_login(person)

    for params in ({}, {"pk": LEAK_KEY["PK"]}, {"entity": "Application.User"},
                   {"event": "MODIFY"}, {"who": "elsewhere"}):
        response = client.get(activity_url(**params))
        html = unescape(response.content.decode())
        assert SECRET not in html and "NEW-VALUE" not in html, params
        assert rows(response) == [], params
    query = {"pk": LEAK_KEY["PK"], "sk": LEAK_KEY["SK"]}
    for name in ("item_changes", "item_changes_json"):
        url = reverse(f"dynadmin:{name}", kwargs={"table": "Application"})
        assert SECRET not in client.get(url, query).content.decode(), name

    # Who may view both entities sees the change, old values included.
    both = django_user_model.objects.create_user("ola", password="pw", is_staff=True)
    both.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_application_user", "view_application_order"]))
    client.force_login(both)
    html = unescape(client.get(activity_url(pk=LEAK_KEY["PK"])).content.decode())
    assert SECRET in html and "NEW-VALUE" in html
