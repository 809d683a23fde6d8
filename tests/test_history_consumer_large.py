"""A stream of more than 50,000 records archived exactly once by ``follow --once``, and the
change made after it found first on its item's History with one Query, however large the
stream."""

from __future__ import annotations

import collections
import re
from io import StringIO

import boto3
import pytest
from django.core.management import call_command

from dynadmin import data
from dynadmin.history import reading
from dynadmin.history.archive import archive
from dynadmin.services.url_keys import item_url

from .conftest import BACKEND
from .support.history import archived_in_hours, stream_records

pytestmark = [
    pytest.mark.slow, pytest.mark.django_db, pytest.mark.usefixtures("history"),
    pytest.mark.skipif(BACKEND == "moto", reason="moto copies the whole archive table for "
                       "every transaction (to undo it if cancelled): 50,000 changes take "
                       "hours there"),
]

RECORDS = 50_000


def test_fifty_thousand_records_archived_once_and_the_next_change_found_first(
        shop_table, dynamodb_endpoint, staff_client) -> None:
    resource = boto3.resource("dynamodb", endpoint_url=dynamodb_endpoint).Table(
        shop_table.table_name)
    with resource.batch_writer() as batch:
        for number in range(RECORDS):
            batch.put_item(Item={"PK": f"USER#u{number % 500}", "SK": f"ORDER#{number:06d}",
                                 "type": "Order", "status": "PENDING", "n": number})
    out = StringIO()

    call_command("dynadmin_history", "follow", "--table", "Application", "--once", stdout=out)

    assert (f"Application: {RECORDS} records read, {RECORDS} archived, 0 already archived, "
            "0 gaps.") in out.getvalue()
    records = stream_records(shop_table)
    archived = archived_in_hours(shop_table, {r.when.strftime("%Y-%m-%dT%H")
                                               for r in records})
    assert len(records) == RECORDS
    assert [s for s, n in collections.Counter(archived).items() if n > 1] == []
    assert sorted(archived) == sorted(int(r.sequence_number) for r in records)

    key = {"PK": "USER#u7", "SK": "ORDER#000007"}
    resource.update_item(Key=key, UpdateExpression="SET #s = :s",
                         ExpressionAttributeNames={"#s": "status"},
                         ExpressionAttributeValues={":s": "SHIPPED"})
    again = StringIO()
    call_command("dynadmin_history", "follow", "--table", "Application", "--once",
                 stdout=again)
    with data.recording() as log:
        history = reading.item_history(shop_table, key, count=50)

    assert "Application: 1 records read, 1 archived" in again.getvalue()
    assert [c.operation for c in log.calls] == ["Query"]
    newest = history.changes[0]
    assert (newest.event_name, newest.new_image["status"]) == ("MODIFY", "SHIPPED")
    assert [c.event_name for c in history.changes] == ["MODIFY", "INSERT"]

    # The item's page: its History from one Query of the archive, whatever the stream holds
    page = staff_client.get(item_url(shop_table, key))
    assert page.status_code == 200
    archive_reads = [c.operation for c in page.context["dynamodb_calls"]
                     if c.table == archive.table_name]
    assert archive_reads == ["Query"]
    assert not {"DescribeStream", "GetShardIterator", "GetRecords"} & set(
        page["X-Dynadmin-Calls"].split(","))
    first = re.search(r'<tr data-event="(\w+)" data-origin="(\w+)">(.*?)</tr>',
                      page.content.decode(), re.S)
    assert first.group(1, 2) == ("MODIFY", "elsewhere") and "SHIPPED" in first.group(3)
