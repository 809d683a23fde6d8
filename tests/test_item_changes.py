"""An item's Recent changes from the table's stream, over HTTP: who changed it (through
dynadmin or elsewhere), what each change did, typed, and the bounds of one read."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from html import unescape
from io import StringIO
from typing import Any

import boto3
import pytest
from django.core.management import call_command
from django.urls import reverse

from dynadmin import data
from dynadmin.editing import writes
from dynadmin.services.url_keys import item_url
from examples.project import local
from examples.shop.definitions import Order

from . import fakes
from .conftest import physical_table

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
KEY = {"PK": "USER#u1", "SK": "ORDER#2024-01-15#456"}


def changes_url(key: dict[str, str] = KEY, name: str = "item_changes") -> str:
    from urllib.parse import urlencode

    return (reverse(f"dynadmin:{name}", kwargs={"table": "Application"}) + "?"
            + urlencode({"pk": key["PK"], "sk": key["SK"]}))


def order(**values: Any) -> dict[str, Any]:
    return Order.build_item({
        "user_id": "u1", "order_id": "456", "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("99.95"), "currency": "EUR", "version": 1, **values})


def application_table(endpoint: str, shop) -> Any:  # noqa: ANN001
    """The table as the application sees it: plain boto3, nothing of dynadmin's."""
    return boto3.resource("dynamodb", endpoint_url=endpoint).Table(shop.table_name)


def rows(response: Any) -> list[dict[str, str]]:
    """Each change as the page shows it: event, origin and its diff's text."""
    html = response.content.decode()
    found = []
    for event, origin, body in re.findall(
            r'<tr data-event="(\w+)" data-origin="(\w+)">(.*?)</tr>', html, re.S):
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
        found.append({"event": event, "origin": origin, "text": text})
    return found


def test_changes_made_elsewhere_and_through_dynadmin_newest_first(
        staff_client, shop_table, dynamodb_endpoint) -> None:
    app = application_table(dynamodb_endpoint, shop_table)
    app.put_item(Item=order())  # the application creates the order
    item = data.get_item(shop_table, KEY)
    writes.save(shop_table, item, dict(item, status="SHIPPED"), user=staff_client.user,
                        entity_label="application.order")
    app.update_item(Key=KEY, UpdateExpression="SET #n = :n",
                    ExpressionAttributeNames={"#n": "notes"},
                    ExpressionAttributeValues={":n": ["left at the door"]})
    current = data.get_item(shop_table, KEY)
    writes.delete(shop_table, current, user=staff_client.user,
                  entity_label="application.order")

    response = staff_client.get(changes_url(), **HTMX)

    assert response.status_code == 200
    shown = rows(response)
    assert [(r["event"], r["origin"]) for r in shown] == [
        ("REMOVE", "dynadmin"), ("MODIFY", "elsewhere"), ("MODIFY", "dynadmin"),
        ("INSERT", "elsewhere")]
    assert "made through dynadmin by admin" in shown[0]["text"]
    assert "Notes" in shown[1]["text"] and "left at the door" in shown[1]["text"]
    assert "Status PENDING → SHIPPED" in shown[2]["text"]
    assert "Version 1 → 2" in shown[2]["text"]
    assert "Total — → 99.95" in shown[3]["text"]
    assert "<html" not in response.content.decode()  # the fragment only
    changes = response.context["changes"]
    assert changes.complete and changes.records_read == 4


def test_the_item_page_loads_the_section_from_its_own_address(
        staff_client, shop_table, dynamodb_endpoint) -> None:
    application_table(dynamodb_endpoint, shop_table).put_item(Item=order())
    with data.recording():
        page = staff_client.get(item_url(shop_table, KEY))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'hx-get="{changes_url().replace("&", "&amp;")}"' in html
    assert "GetRecords" not in html  # the item page itself reads no stream

    full = staff_client.get(changes_url())  # without JavaScript: a page of its own
    assert full.status_code == 200 and "<html" in full.content.decode()
    assert [r["event"] for r in rows(full)] == ["INSERT"]
    assert "GetRecords" in full.content.decode()  # the footer lists the Streams calls


def test_one_read_is_bounded_and_offers_to_read_further(
        staff_client, shop_table, dynamodb_endpoint, settings) -> None:
    app = application_table(dynamodb_endpoint, shop_table)
    app.put_item(Item=order())
    for number in range(2, 7):
        app.update_item(Key=KEY, UpdateExpression="SET version = :v",
                        ExpressionAttributeValues={":v": number})
    settings.DYNADMIN_STREAM_RECORDS_PER_CALL = 2
    # DescribeStream, GetShardIterator and two GetRecords: 4 of the 6 records.
    settings.DYNADMIN_STREAM_CALLS_PER_REQUEST = 4

    first = staff_client.get(changes_url(), **HTMX)

    changes = first.context["changes"]
    html = first.content.decode()
    assert [c.operation for c in first.context["dynamodb_calls"]].count("GetRecords") == 2
    assert changes.records_read == 4 and not changes.complete
    assert len(rows(first)) == 4 and "Read further" in html
    further = unescape(re.search(r'href="([^"]+cursor=[^"]+)"', html).group(1))

    rest = staff_client.get(further, **HTMX)

    assert len(rows(rest)) == 2
    assert "Version 5 → 6" in rows(rest)[0]["text"]
    assert rest.context["changes"].complete and "Read further" not in rest.content.decode()
    assert "records 5–6" in rest.content.decode()


def test_a_table_without_a_stream_explains_how_to_enable_one(
        staff_client, dynamodb_endpoint, settings, monkeypatch) -> None:
    from examples.shop.definitions import shop

    monkeypatch.setattr(shop, "stream_view_type", None)
    with physical_table(shop) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        response = staff_client.get(changes_url(), **HTMX)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "has no DynamoDB Stream" in html
    assert "StreamViewType=NEW_AND_OLD_IMAGES" in html


def test_an_unreachable_stream_endpoint_is_the_calm_failure_page(
        staff_client, shop_table, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
                       f"http://127.0.0.1:{local.free_port()}")
    response = staff_client.get(changes_url())
    html = response.content.decode()
    assert response.status_code == 503
    assert "What happened" in html and "What to do" in html
    assert "Traceback" not in html


def test_the_same_history_as_json_and_from_the_command_line(
        staff_client, shop_table, dynamodb_endpoint) -> None:
    application_table(dynamodb_endpoint, shop_table).put_item(Item=order())
    response = staff_client.get(changes_url(name="item_changes_json"))
    assert response["Content-Type"] == "application/json"
    payload = json.loads(response.content)
    assert payload["complete"] and payload["records_read"] == 1
    (change,) = payload["changes"]
    assert change["event"] == "INSERT" and change["origin"] == "elsewhere"
    total = next(a for a in change["attributes"] if a["attribute"] == "total")
    assert total["new"] == 99.95 and total["old"] is None

    out = StringIO()
    call_command("dynadmin_changes", "--table", "Application", "--pk", KEY["PK"],
                 "--sk", KEY["SK"], "--json", stdout=out)
    assert json.loads(out.getvalue())["changes"][0]["event"] == "INSERT"
    out = StringIO()
    call_command("dynadmin_changes", "--table", "Application", "--pk", KEY["PK"],
                 "--sk", KEY["SK"], stdout=out)
    assert "INSERT" in out.getvalue() and "elsewhere" in out.getvalue()


def test_a_person_who_may_not_view_the_entity_gets_the_missing_answer(
        client, django_user_model, shop_table, dynamodb_endpoint) -> None:
    from django.contrib.auth.models import Permission

    application_table(dynamodb_endpoint, shop_table).put_item(Item=order())
    user = django_user_model.objects.create_user("sam", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_application_user"))
    client.force_login(user)
    assert client.get(item_url(shop_table, KEY)).status_code == 404
    assert client.get(changes_url()).status_code == 404
    assert client.get(changes_url(name="item_changes_json")).status_code == 404


def test_a_stream_that_was_replaced_is_its_own_page_not_a_missing_table(
        staff_client, shop_table, monkeypatch, settings) -> None:
    settings.DYNADMIN_MAX_ATTEMPTS = settings.DYNADMIN_READ_MAX_ATTEMPTS = 0
    with fakes.ErrorPeer("ResourceNotFoundException", "Requested resource not found") as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", peer.endpoint)
        response = staff_client.get(changes_url())
    html = unescape(response.content.decode())
    assert response.status_code == 404
    assert "The table's stream is gone" in html and "disabled or replaced" in html
    assert "Table not found" not in html


def test_reading_further_from_a_trimmed_position_says_so_and_reads_from_the_oldest(
        staff_client, shop_table, dynamodb_endpoint, settings, monkeypatch) -> None:
    app = application_table(dynamodb_endpoint, shop_table)
    app.put_item(Item=order())
    for number in range(2, 7):
        app.update_item(Key=KEY, UpdateExpression="SET version = :v",
                        ExpressionAttributeValues={":v": number})
    settings.DYNADMIN_STREAM_RECORDS_PER_CALL = 2
    settings.DYNADMIN_STREAM_CALLS_PER_REQUEST = 4
    first = staff_client.get(changes_url(), **HTMX)
    further = unescape(re.search(r'href="([^"]+cursor=[^"]+)"', first.content.decode()).group(1))
    settings.DYNADMIN_STREAM_CALLS_PER_REQUEST = 10

    with fakes.DroppingProxy(dynamodb_endpoint) as proxy:
        proxy.answer_error(
            "GetShardIterator", "TrimmedDataAccessException",
            when=lambda body: body.get("ShardIteratorType") == "AFTER_SEQUENCE_NUMBER")
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", proxy.endpoint)
        rest = staff_client.get(further, **HTMX)

    html = unescape(rest.content.decode())
    assert rest.status_code == 200
    assert "reading started again from the oldest record it keeps" in html
    assert [r["event"] for r in rows(rest)][-1] == "INSERT"  # the oldest record, again
    assert rest.context["changes"].trimmed and rest.context["changes"].complete


def test_a_key_move_through_the_edit_form_is_made_through_dynadmin_at_both_keys(
        staff_client, shop_table, dynamodb_endpoint) -> None:
    """A move is one audit entry (filed under the new key) for two records: the REMOVE at the
    old key and the INSERT at the new one. Both are dynadmin's."""
    from .test_edit import edit_url, form_data

    application_table(dynamodb_endpoint, shop_table).put_item(Item=order())
    form = form_data(staff_client.get(edit_url(KEY))) | {"placed_on": "2024-02-01"}
    assert staff_client.post(edit_url(KEY), form).status_code == 302
    new_key = {"PK": "USER#u1", "SK": "ORDER#2024-02-01#456"}
    assert data.get_item(shop_table, new_key) is not None

    at_new_key = rows(staff_client.get(changes_url(new_key), **HTMX))
    at_old_key = rows(staff_client.get(changes_url(), **HTMX))

    assert [(r["event"], r["origin"]) for r in at_new_key] == [("INSERT", "dynadmin")]
    assert "made through dynadmin by admin" in at_new_key[0]["text"]
    assert [(r["event"], r["origin"]) for r in at_old_key] == [
        ("REMOVE", "dynadmin"), ("INSERT", "elsewhere")]
    assert "made through dynadmin by admin" in at_old_key[0]["text"]
