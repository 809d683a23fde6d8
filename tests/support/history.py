"""The archive of changes in tests: the stream read in full, what the archive holds, the
application's changes that fill it, and Lambda's event shape."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

from dynadmin import data
from dynadmin.data.streams.client import get_streams_client
from dynadmin.history.archive import HOUR, archive, hour_partition, item_partition

from .changes import KEY, app, order


def changes_of(source_table: str, key: dict[str, Any], limit: int = 100) -> list[dict[str, Any]]:
    """The item's archived changes, newest first: one Query."""
    partition = item_partition(source_table, key)
    with data.recording() as log:
        page = data.query(archive.primary, partition, forward=False, limit=limit)
    assert [c.operation for c in log.calls] == ["Query"]
    return page.items


def stream_sequences(table: Any) -> list[str]:
    """Every record of the table's stream, read in full (as a test may; not a page)."""
    read = data.read_stream(table, max_calls=10_000)
    assert read.complete
    return [r.sequence_number for r in read.records]


def archived_sequences(source_table: str, keys: list[dict[str, Any]]) -> list[str]:
    found = []
    for key in keys:
        found += [c["sequence_number"] for c in changes_of(source_table, key)]
    return found


def write_changes(endpoint: str, shop) -> None:  # noqa: ANN001
    """The application creates order 456, changes it twice, and creates another."""
    application = app(endpoint, shop)
    application.put_item(Item=order())
    application.update_item(Key=KEY, UpdateExpression="SET #s = :s, #t = :t",
                            ExpressionAttributeNames={"#s": "status", "#t": "total"},
                            ExpressionAttributeValues={":s": "PAID", ":t": Decimal("540.10")})
    application.update_item(Key=KEY, UpdateExpression="SET #s = :s",
                            ExpressionAttributeNames={"#s": "status"},
                            ExpressionAttributeValues={":s": "SHIPPED"})
    application.put_item(Item=order(order_id="789", placed_on="2024-01-16"))


OTHER = {"PK": "USER#u1", "SK": "ORDER#2024-01-16#789"}


def lambda_event(records: list[dict[str, Any]], table_name: str) -> list[dict[str, Any]]:
    """Raw GetRecords records as Lambda's event shape: DynamoDB JSON (binary as base64),
    the time in epoch seconds, the stream's ARN naming the table."""
    def json_value(value: Any) -> Any:
        if isinstance(value, bytes):
            return base64.b64encode(value).decode()
        if isinstance(value, dict):
            return {k: json_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [json_value(v) for v in value]
        return value

    arn = (f"arn:aws:dynamodb:us-east-1:123456789012:table/{table_name}"
           "/stream/2024-01-15T09:00:00.000")
    shaped = []
    for raw in records:
        change = dict(raw["dynamodb"])
        change["ApproximateCreationDateTime"] = change["ApproximateCreationDateTime"].timestamp()
        shaped.append({"eventID": raw["eventID"], "eventName": raw["eventName"],
                       "eventVersion": "1.1", "eventSource": "aws:dynamodb",
                       "awsRegion": "us-east-1", "eventSourceARN": arn,
                       "dynamodb": json_value(change)})
    return shaped


def raw_records(table: Any) -> list[dict[str, Any]]:
    """The stream's raw records as GetRecords returns them (every shard, oldest first)."""
    client = get_streams_client(table)
    arn = data.stream_info(table).arn
    found = []
    for shard in client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = client.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            response = client.get_records(ShardIterator=iterator)
            found += response["Records"]
            iterator = response.get("NextShardIterator") if response["Records"] else None
    return found


def archived_in_hours(table: Any, hours: set[str]) -> list[int]:
    """The sequence number of every Change item of the table in the archive: its index of
    a table's changes by hour, every page of the hours of the stream's records."""
    found: list[int] = []
    for hour in hours:
        partition = hour_partition(table.table_name, dt.datetime.strptime(
            hour, HOUR).replace(tzinfo=dt.UTC))
        start: dict[str, Any] | None = None
        while True:
            page = data.query(archive.index("GSI1"), partition, limit=1000, start_key=start)
            found += [int(item["sequence_number"]) for item in page.items
                      if str(item["GSI1SK"]).startswith("AT#")]
            start = page.last_evaluated_key
            if not start:
                break
    return found


def stream_records(table: Any) -> list[Any]:
    """Every record of the table's stream, read in full."""
    read = data.read_stream(table, max_calls=10_000)
    assert read.complete
    return read.records
