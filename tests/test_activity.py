"""A table's Activity page over HTTP: every change across the table from its stream, who
made it, filtered by entity, partition and event, bounded, read further and followed."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import boto3
import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.editing import writes

from .conftest import physical_table
from .test_item_changes import KEY, order, rows

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PRODUCT = {"PK": "PRODUCT#p1", "SK": "METADATA"}


def activity_url(**params: str) -> str:
    from urllib.parse import urlencode

    url = reverse("dynadmin:activity", kwargs={"table": "Application"})
    return url + ("?" + urlencode(params) if params else "")


def app(endpoint: str, shop) -> Any:  # noqa: ANN001
    """The table as the application sees it: plain boto3, nothing of dynadmin's."""
    return boto3.resource("dynamodb", endpoint_url=endpoint).Table(shop.table_name)


def product(**values: Any) -> dict[str, Any]:
    return {**PRODUCT, "type": "Product", "product_id": "p1", "name": "Kettle",
            "category": "KITCHEN", "price": Decimal("24.50"), "version": Decimal(1), **values}


def user() -> dict[str, Any]:
    return {"PK": "USER#u9", "SK": "METADATA", "type": "User", "user_id": "u9",
            "email": "u9@example.com", "name": "Grace", "version": Decimal(1)}


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


def test_every_change_across_the_table_newest_first_with_who_made_it(
        staff_client, shop_table, dynamodb_endpoint) -> None:
    write_some(dynamodb_endpoint, shop_table, staff_client.user)

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
    assert "GetRecords" in html  # the Streams calls in the cost footer


def test_filters_by_entity_partition_and_event(
        staff_client, shop_table, dynamodb_endpoint) -> None:
    write_some(dynamodb_endpoint, shop_table, staff_client.user)

    by_entity = rows(staff_client.get(activity_url(entity="Application.Product")))
    by_pk = rows(staff_client.get(activity_url(pk="USER#u1")))
    by_event = rows(staff_client.get(activity_url(event="INSERT")))
    both = rows(staff_client.get(activity_url(entity="Application.Product", event="REMOVE")))

    assert [r["event"] for r in by_entity] == ["REMOVE", "INSERT"]
    assert all("Kettle" in r["text"] for r in by_entity)
    assert [(r["event"], r["origin"]) for r in by_pk] == [
        ("MODIFY", "dynadmin"), ("INSERT", "elsewhere")]
    assert [r["event"] for r in by_event] == ["INSERT"] * 3
    assert [r["event"] for r in both] == ["REMOVE"]


def test_one_read_is_bounded_and_reads_further_from_where_it_stopped(
        staff_client, shop_table, dynamodb_endpoint, settings) -> None:
    table = app(dynamodb_endpoint, shop_table)
    table.put_item(Item=product())
    for version in range(2, 7):
        table.update_item(Key=PRODUCT, UpdateExpression="SET version = :v",
                          ExpressionAttributeValues={":v": version})
    settings.DYNADMIN_STREAM_RECORDS_PER_CALL = 2
    # DescribeStream, GetShardIterator and two GetRecords: 4 of the 6 records.
    settings.DYNADMIN_STREAM_CALLS_PER_REQUEST = 4

    first = staff_client.get(activity_url(), **HTMX)

    assert first["X-Dynadmin-Calls"].split(",").count("GetRecords") == 2
    assert len(rows(first)) == 4 and "Read further" in first.content.decode()
    assert "<html" not in first.content.decode()  # the fragment only
    further = unescape(re.search(r'href="([^"]+cursor=[^"]+)"',
                                 first.content.decode()).group(1))

    rest = staff_client.get(further, **HTMX)

    assert [r["event"] for r in rows(rest)] == ["MODIFY", "MODIFY"]
    assert "Version 5 → 6" in rows(rest)[0]["text"]
    assert "Read further" not in rest.content.decode()
    assert "2 stream records read" in rest.content.decode()
    tampered = staff_client.get(further.replace("cursor=", "cursor=x"))
    assert tampered.status_code == 400


def test_follow_mode_polls_from_the_last_position_read(
        staff_client, shop_table, dynamodb_endpoint) -> None:
    table = app(dynamodb_endpoint, shop_table)
    table.put_item(Item=product())

    page = staff_client.get(activity_url(follow="1"))
    html = unescape(page.content.decode())
    poller = re.search(r'<tbody id="activity-follow" data-follow hx-get="([^"]+)" '
                       r'hx-trigger="every 5s, dynadmin:resume"', html)
    assert poller is not None and "Stop following" in html
    assert "<script>" not in html and "style=" not in html  # CSP: nothing inline

    quiet = staff_client.get(poller.group(1), **HTMX)
    assert rows(quiet) == [] and 'id="activity-follow"' in quiet.content.decode()

    table.update_item(Key=PRODUCT, UpdateExpression="SET #n = :n",
                      ExpressionAttributeNames={"#n": "name"},
                      ExpressionAttributeValues={":n": "Kettle XL"})
    news = staff_client.get(poller.group(1), **HTMX)
    assert [r["event"] for r in rows(news)] == ["MODIFY"]
    assert "Name Kettle → Kettle XL" in rows(news)[0]["text"]
    assert "<table" not in news.content.decode()  # rows for the table already shown
    assert staff_client.get(activity_url()).content.decode().count('data-follow ') == 0


def test_a_person_who_may_view_only_products_sees_no_user_changes(
        client, django_user_model, shop_table, dynamodb_endpoint) -> None:
    from django.contrib.auth.models import Permission

    write_some(dynamodb_endpoint, shop_table, django_user_model.objects.create_superuser(
        "admin", password="pw"))
    person = django_user_model.objects.create_user("pat", password="pw", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="view_application_product"))
    client.force_login(person)

    response = client.get(activity_url())
    asked = client.get(activity_url(entity="Application.User"))  # not offered: ignored

    html = unescape(response.content.decode())
    assert [r["event"] for r in rows(response)] == ["REMOVE", "INSERT"]
    assert "Grace" not in html and "USER#" not in html
    assert "Changes to items you may not view are left out." in html
    assert [r["event"] for r in rows(asked)] == ["REMOVE", "INSERT"]
    nobody = django_user_model.objects.create_user("nobody", password="pw", is_staff=True)
    client.force_login(nobody)
    assert client.get(activity_url()).status_code == 403


def test_a_table_without_a_stream_explains_how_to_enable_one(
        staff_client, dynamodb_endpoint, settings, monkeypatch) -> None:
    from examples.shop.definitions import shop

    monkeypatch.setattr(shop, "stream_view_type", None)
    with physical_table(shop) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        response = staff_client.get(activity_url())
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "has no DynamoDB Stream" in html
    assert "StreamViewType=NEW_AND_OLD_IMAGES" in html
    assert "Follow" not in html


def test_the_dashboard_and_the_tables_pages_link_to_it(staff_client, shop_table) -> None:
    url = activity_url()
    for page in ("dynadmin:dashboard", "dynadmin:health", "dynadmin:ttl"):
        kwargs = {} if page == "dynadmin:dashboard" else {"table": "Application"}
        assert f'href="{url}"' in staff_client.get(reverse(page, kwargs=kwargs)).content.decode()


def test_both_records_of_a_key_move_are_made_through_dynadmin(
        staff_client, shop_table, dynamodb_endpoint) -> None:
    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    item = data.get_item(shop_table, KEY)
    moved = dict(item, placed_on="2024-02-01", SK="ORDER#2024-02-01#456")
    writes.save(shop_table, item, moved, user=staff_client.user,
                entity_label="application.order")

    shown = rows(staff_client.get(activity_url()))

    # One transaction: the REMOVE and the INSERT may come in either order in the stream.
    assert sorted((r["event"], r["origin"]) for r in shown) == [
        ("INSERT", "dynadmin"), ("INSERT", "elsewhere"), ("REMOVE", "dynadmin")]


def test_paging_while_following_says_follow_again(staff_client, shop_table,
                                                  dynamodb_endpoint) -> None:
    """Older and Newer swap the results in place and leave follow mode: the page's heading
    button comes with them, out of band, and offers Follow again."""
    app(dynamodb_endpoint, shop_table).put_item(Item=product())
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


def every_read(client, url: str) -> list[str]:  # noqa: ANN001
    """The page and every "Read further" after it, as text."""
    pages = []
    while url and len(pages) < 20:
        html = unescape(client.get(url).content.decode())
        pages.append(html)
        further = re.search(r'href="([^"]+cursor=[^"]+)"[^>]*>\s*Read further', html)
        url = unescape(further.group(1)) if further else ""
    return pages


def test_a_change_is_shown_only_to_whoever_may_view_both_its_images(
        client, django_user_model, shop_table, dynamodb_endpoint, settings) -> None:
    """The MODIFY that turned an Order into a User carries the Order in its old image: a
    person who may view Users but not Orders sees neither record, wherever changes are
    shown (as the item page, which answers 404)."""
    import json

    from django.contrib.auth.models import Permission

    from dynadmin.services.url_keys import item_url

    order_turned_user(dynamodb_endpoint, shop_table)
    settings.DYNADMIN_STREAM_RECORDS_PER_CALL = 1
    settings.DYNADMIN_STREAM_CALLS_PER_REQUEST = 3  # one record a read: "Read further"
    person = django_user_model.objects.create_user("uma", password="pw", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="view_application_user"))
    client.force_login(person)
    query = {"pk": LEAK_KEY["PK"], "sk": LEAK_KEY["SK"]}

    assert client.get(item_url(shop_table, LEAK_KEY)).status_code == 404
    activity = every_read(client, activity_url(pk=LEAK_KEY["PK"]))
    assert len(activity) > 1, "the read stopped and was read further"
    assert not any(SECRET in html or "NEW-VALUE" in html for html in activity)
    for name in ("item_changes", "item_changes_json"):
        url = reverse(f"dynadmin:{name}", kwargs={"table": "Application"})
        response = client.get(url, query)
        assert SECRET not in response.content.decode()
    settings.DYNADMIN_STREAM_CALLS_PER_REQUEST = 50

    # Who may view both entities sees the change, old values included.
    both = django_user_model.objects.create_user("ola", password="pw", is_staff=True)
    both.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_application_user", "view_application_order"]))
    client.force_login(both)
    assert any(SECRET in html for html in every_read(client, activity_url(pk=LEAK_KEY["PK"])))
    payload = json.loads(client.get(reverse("dynadmin:item_changes_json",
                                            kwargs={"table": "Application"}), query).content)
    assert any(a["old"] == SECRET for c in payload["changes"] for a in c["attributes"])
