"""An item's History over HTTP: every change from the archive of changes (one Query),
whoever made it, merged with the audit log's entries, paged both ways; the same as JSON and
from the command line."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html import unescape
from io import StringIO
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeExists
from dynadmin.editing import writes
from dynadmin.history.archive import archive, item_partition
from dynadmin.services.url_keys import item_url

from .conftest import physical_table
from .support.changes import KEY, app, order, rows

pytestmark = pytest.mark.django_db

STREAMS_CALLS = {"DescribeStream", "GetShardIterator", "GetRecords", "ListStreams"}


def changes_url(key: dict[str, str] = KEY, name: str = "item_changes", **params: str) -> str:
    return (reverse(f"dynadmin:{name}", kwargs={"table": "Application"}) + "?"
            + urlencode({"pk": key["PK"], "sk": key["SK"], **params}))


def calls(response: Any) -> list[str]:
    return response["X-Dynadmin-Calls"].split(",")


def link(response: Any, label: str) -> str:
    """The address of the page's link labelled ``label``."""
    html = response.content.decode()
    found = re.search(r'<a href="([^"]+)"[^>]*>' + re.escape(label) + "</a>", html)
    assert found, f"no {label!r} link"
    return unescape(found.group(1))


def test_changes_made_elsewhere_and_through_dynadmin_newest_first(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    application = app(dynamodb_endpoint, shop_table)
    application.put_item(Item=order())  # the application creates the order
    item = data.get_item(shop_table, KEY)
    writes.save(shop_table, item, dict(item, status="SHIPPED"), user=staff_client.user,
                entity_label="application.order")
    application.update_item(Key=KEY, UpdateExpression="SET #n = :n",
                            ExpressionAttributeNames={"#n": "notes"},
                            ExpressionAttributeValues={":n": ["left at the door"]})
    current = data.get_item(shop_table, KEY)
    writes.delete(shop_table, current, user=staff_client.user,
                  entity_label="application.order")
    archived(shop_table)

    response = staff_client.get(changes_url())

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
    # each dynadmin write is one row, its change: not again as an entry of its own
    assert "data-entry=" not in response.content.decode()
    # the archive was read, never the stream
    assert not STREAMS_CALLS & set(calls(response))


def test_a_change_made_with_boto3_tops_the_item_pages_history_in_one_archive_query(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    application = app(dynamodb_endpoint, shop_table)
    application.put_item(Item=order())
    archived(shop_table)
    application.update_item(Key=KEY, UpdateExpression="SET #s = :s",
                            ExpressionAttributeNames={"#s": "status"},
                            ExpressionAttributeValues={":s": "PAID"})
    archived(shop_table)

    page = staff_client.get(item_url(shop_table, KEY))

    assert page.status_code == 200
    shown = rows(page)
    assert shown[0]["event"] == "MODIFY" and "Status PENDING → PAID" in shown[0]["text"]
    assert [r["event"] for r in shown] == ["MODIFY", "INSERT"]
    archive_reads = [c for c in page.context["dynamodb_calls"]
                     if c.table == archive.table_name]
    assert [c.operation for c in archive_reads] == ["Query"]
    assert calls(page)[0] == "GetItem" and not STREAMS_CALLS & set(calls(page))


def test_a_write_through_dynadmin_shows_at_once_and_merges_with_its_change_once_archived(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    archived(shop_table)
    item = data.get_item(shop_table, KEY)
    writes.save(shop_table, item, dict(item, status="SHIPPED"), user=staff_client.user,
                entity_label="application.order")

    before = staff_client.get(changes_url())
    html = before.content.decode()
    # the audit log knows it before the consumer has archived it
    assert 'data-entry="applied"' in html and "data-not-archived" in html
    assert [r["event"] for r in rows(before)] == ["INSERT"]

    archived(shop_table)
    after = staff_client.get(changes_url())
    assert [(r["event"], r["origin"]) for r in rows(after)] == [
        ("MODIFY", "dynadmin"), ("INSERT", "elsewhere")]
    assert "data-entry=" not in after.content.decode()
    # Undo where allowed, on the change's own row
    assert "/undo/" in after.content.decode()


def test_a_refused_write_is_in_the_timeline_beside_the_changes(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    stale = data.get_item(shop_table, KEY)
    app(dynamodb_endpoint, shop_table).update_item(
        Key=KEY, UpdateExpression="SET #s = :s, version = :v",
        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": "PAID",
                                                                              ":v": 2})
    with pytest.raises(writes.EditConflict):
        writes.save(shop_table, stale, dict(stale, status="CANCELLED"),
                    user=staff_client.user, entity_label="application.order")
    archived(shop_table)

    response = staff_client.get(changes_url())

    html = response.content.decode()
    assert [(r["event"], r["origin"]) for r in rows(response)] == [
        ("MODIFY", "elsewhere"), ("INSERT", "elsewhere")]
    assert 'data-entry="conflict"' in html  # what dynadmin tried, and that it wrote nothing


def test_older_and_newer_pages_with_signed_cursors(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    application = app(dynamodb_endpoint, shop_table)
    application.put_item(Item=order())
    for number in range(2, 61):
        application.update_item(Key=KEY, UpdateExpression="SET version = :v",
                                ExpressionAttributeValues={":v": number})
    archived(shop_table)

    first = staff_client.get(changes_url())

    assert len(rows(first)) == 50 and "Version 59 → 60" in rows(first)[0]["text"]
    assert [c for c in calls(first) if c == "Query"] == ["Query"]

    older = staff_client.get(link(first, "Older →"))
    assert [r["event"] for r in rows(older)][-1] == "INSERT" and len(rows(older)) == 10
    assert "Version 9 → 10" in rows(older)[0]["text"]
    assert "Older →" not in older.content.decode()

    newer = staff_client.get(link(older, "← Newer"))

    assert len(rows(newer)) == 50 and "Version 59 → 60" in rows(newer)[0]["text"]

    # a cursor is the item's own: on another item's page it is refused, clearly
    cursor = re.search(r"cursor=([^&\"]+)", link(first, "Older →")).group(1)
    other = staff_client.get(changes_url({"PK": "USER#u2", "SK": KEY["SK"]}) + "&cursor="
                             + cursor)
    assert other.status_code == 400 and "Traceback" not in other.content.decode()


def test_a_table_without_a_stream_explains_how_to_enable_one(
        staff_client, dynamodb_endpoint, settings, monkeypatch, archive_table) -> None:
    from examples.shop.definitions import shop

    monkeypatch.setattr(shop, "stream_view_type", None)
    with physical_table(shop) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        response = staff_client.get(changes_url())
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "has no DynamoDB Stream" in html
    assert "StreamViewType=NEW_AND_OLD_IMAGES" in html


def test_without_the_archive_table_the_pages_say_how_to_set_it_up(
        staff_client, shop_table, dynamodb_endpoint, settings) -> None:
    settings.DYNADMIN_HISTORY_TABLE = "no-archive-here"
    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    for url in (changes_url(), item_url(shop_table, KEY)):
        response = staff_client.get(url)
        html = unescape(response.content.decode())
        assert response.status_code == 200
        assert "dynadmin_history setup" in html and "Traceback" not in html


def test_the_same_history_as_json_and_from_the_command_line_with_exact_values(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    exact = "12345678901234567890.123456789012345678"  # 38 digits: no float holds them
    app(dynamodb_endpoint, shop_table).put_item(Item=order(total=Decimal(exact)))
    archived(shop_table)

    response = staff_client.get(changes_url(name="item_changes_json"))

    assert response["Content-Type"] == "application/json"
    assert f'"new": {exact}' in response.content.decode()  # every digit the item holds
    payload = json.loads(response.content)
    (change,) = payload["changes"]
    assert change["event"] == "INSERT" and change["origin"] == "elsewhere"
    total = next(a for a in change["attributes"] if a["attribute"] == "total")
    assert total["old"] is None
    assert payload["older"] is None and not payload["archive"]["missing"]

    out = StringIO()
    call_command("dynadmin_changes", "--table", "Application", "--pk", KEY["PK"],
                 "--sk", KEY["SK"], "--json", stdout=out)
    assert json.loads(out.getvalue())["changes"][0]["event"] == "INSERT"
    assert f'"new": {exact}' in out.getvalue()
    out = StringIO()
    call_command("dynadmin_changes", "--table", "Application", "--pk", KEY["PK"],
                 "--sk", KEY["SK"], stdout=out)
    assert "INSERT" in out.getvalue() and "elsewhere" in out.getvalue()


def test_the_command_pages_with_positions(shop_table, dynamodb_endpoint, archived) -> None:
    application = app(dynamodb_endpoint, shop_table)
    application.put_item(Item=order())
    application.update_item(Key=KEY, UpdateExpression="SET version = :v",
                            ExpressionAttributeValues={":v": 2})
    archived(shop_table)
    out = StringIO()
    call_command("dynadmin_changes", "--table", "Application", "--pk", KEY["PK"],
                 "--sk", KEY["SK"], "--count", "1", stdout=out)
    assert "MODIFY" in out.getvalue() and "INSERT" not in out.getvalue()
    position = re.search(r"--before '([^']+)'", out.getvalue()).group(1)
    out = StringIO()
    call_command("dynadmin_changes", "--table", "Application", "--pk", KEY["PK"],
                 "--sk", KEY["SK"], "--before", position, stdout=out)
    assert "INSERT" in out.getvalue() and "MODIFY" not in out.getvalue()


def test_a_person_who_may_not_view_the_entity_gets_the_missing_answer(
        client, django_user_model, shop_table, dynamodb_endpoint, archived) -> None:
    from django.contrib.auth.models import Permission

    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    archived(shop_table)
    user = django_user_model.objects.create_user("sam", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_application_user"))
    client.force_login(user)
    missing = client.get(item_url(shop_table, KEY))
    assert missing.status_code == 404 and rows(missing) == []
    assert client.get(changes_url()).status_code == 404
    assert client.get(changes_url(name="item_changes_json")).status_code == 404


def test_an_archived_change_written_by_something_else_is_shown_not_a_500(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    archived(shop_table)
    (item,) = data.query(archive.primary, item_partition(shop_table.table_name, KEY)).items
    data.put_item(archive, dict(item, new_image="{not json", event="MODIFY"),
                  condition=AttributeExists("PK"))

    response = staff_client.get(changes_url())

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "could not be read back from the archive" in html


def test_a_key_move_through_the_edit_form_is_made_through_dynadmin_at_both_keys(
        staff_client, shop_table, dynamodb_endpoint, archived) -> None:
    """A move is one audit entry (filed under the new key) for two records: the REMOVE at the
    old key and the INSERT at the new one. Both are dynadmin's."""
    from .support.editing import edit_url, form_data

    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    form = form_data(staff_client.get(edit_url(KEY))) | {"placed_on": "2024-02-01"}
    assert staff_client.post(edit_url(KEY), form).status_code == 302
    new_key = {"PK": "USER#u1", "SK": "ORDER#2024-02-01#456"}
    assert data.get_item(shop_table, new_key) is not None
    archived(shop_table)

    at_new_key = rows(staff_client.get(changes_url(new_key)))
    at_old_key = rows(staff_client.get(changes_url()))

    assert [(r["event"], r["origin"]) for r in at_new_key] == [("INSERT", "dynadmin")]
    assert "made through dynadmin by admin" in at_new_key[0]["text"]
    assert [(r["event"], r["origin"]) for r in at_old_key] == [
        ("REMOVE", "dynadmin"), ("INSERT", "elsewhere")]
    assert "made through dynadmin by admin" in at_old_key[0]["text"]


def test_with_the_archive_turned_off_history_is_the_audit_log_and_nothing_reads_an_archive(
        staff_client, shop_table, dynamodb_endpoint, settings) -> None:
    settings.DYNADMIN_HISTORY_TABLE = ""
    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    item = data.get_item(shop_table, KEY)
    writes.save(shop_table, item, dict(item, status="SHIPPED"), user=staff_client.user,
                entity_label="application.order")

    page = staff_client.get(item_url(shop_table, KEY))
    html = page.content.decode()
    assert page.status_code == 200 and "data-archive-off" in html
    assert 'data-entry="applied"' in html  # the write dynadmin made, from the audit log
    # the item and its related sections' reads, none of an archive
    assert sorted(calls(page)) == ["BatchGetItem", "GetItem", "Query"]
    activity = staff_client.get(reverse("dynadmin:activity", kwargs={"table": "Application"}))
    assert activity.status_code == 200 and "turned off" in activity.content.decode()
    with pytest.raises(CommandError, match="turned off"):
        call_command("dynadmin_history", "follow", "--once")
