"""What the consumer says about each table (its Status items), written by the follow command
and by the Lambda handler, as the pages' reads see them, on a real DynamoDB backend."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest

from dynadmin import data
from dynadmin.history import consumer, lambda_handler, reading
from dynadmin.history.archive import HOUR, Change, Status, archive, item_key_text
from dynadmin.history.consumer import StatusReporter, follow_once

from .conftest import BACKEND
from .support.changes import KEY, app
from .support.history import (
    OTHER,
    archived_sequences,
    lambda_event,
    raw_records,
    stream_sequences,
    write_changes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history")]


def status_item(source_table: str, hour: str) -> dict[str, Any] | None:
    return data.get_item(archive, Status.key({"source_table": source_table, "hour": hour}),
                         consistent=True)


def reported(table: Any) -> dict[str, Any] | None:
    """The newest Status of the table, typed (what ``reading.consumer_status`` reads)."""
    partition = Status.key({"source_table": table.table_name, "hour": "-"})[archive.pk]
    page = data.query(archive.primary, partition, forward=False, limit=1, consistent=True)
    return Status.parse_item(page.items[0]).values if page.items else None


def statuses(source_table: str) -> list[dict[str, Any]]:
    partition = Status.key({"source_table": source_table, "hour": "-"})[archive.pk]
    return data.query(archive.primary, partition, consistent=True).items


def earlier_events(table: Any) -> list[dict[str, Any]]:
    """The table's stream records in Lambda's shape, as if made five and three hours ago."""
    events = lambda_event(raw_records(table), table.table_name)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    for event, hours in zip(events, (2, 2, 0, 0), strict=True):
        event["dynamodb"]["ApproximateCreationDateTime"] = (
            long_ago - dt.timedelta(hours=hours)).timestamp()
    return events


# reading.py is the pages' side: these tests say how it reads what the consumer writes.
def test_the_pages_reads_see_what_a_pass_reported(
        shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    follow_once(shop_table, status=StatusReporter("follow"))

    status = reading.consumer_status(shop_table)
    read = reading.table_history(shop_table, count=50)

    assert status is not None and status.consumer == "follow"
    assert status.lag() is not None and status.newest_change_at is not None
    assert read.status == status  # Activity's first Query meets the status
    assert len(read.changes) == 4 and all(c.when is not None for c in read.changes)


def test_activity_reads_the_marked_hours_and_keeps_the_newest_status(
        shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    events = earlier_events(shop_table)
    lambda_handler({"Records": events}, None)

    status = reading.consumer_status(shop_table)
    read = reading.table_history(shop_table, count=50)

    assert status is not None and status.consumer == "lambda"
    # the current hour is quiet: Activity lists the marked hours and reads them
    assert read.status == status
    assert sorted(c.sequence_number for c in read.changes) == sorted(
        e["dynamodb"]["SequenceNumber"] for e in events)
    assert [c.when for c in read.changes] == sorted((c.when for c in read.changes),
                                                   reverse=True)


def test_a_pass_reports_the_current_hour(
        shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    before = dt.datetime.now(dt.UTC)

    counts = follow_once(shop_table, status=StatusReporter("follow"))

    after = dt.datetime.now(dt.UTC)
    assert counts.complete and counts.archived == 4
    status = reported(shop_table)
    assert status is not None and status["consumer"] == "follow"
    assert before <= status["reported_at"] <= after
    # the pass read every shard to its newest record: every change before its start is in
    assert status["archived_up_to"] is not None
    assert before - dt.timedelta(seconds=1) <= status["archived_up_to"] <= status["reported_at"]
    assert status["newest_change_at"] == counts.newest_change_at
    item = status_item(shop_table.table_name, status["reported_at"].strftime(HOUR))
    assert item is not None and item["GSI1PK"] == f"TABLE#{shop_table.table_name}#{item['hour']}"
    assert item["GSI1SK"] == "~STATUS"
    assert item["ttl"] > int((after + dt.timedelta(days=89)).timestamp())


def test_a_lambda_batch_marks_the_hours_of_its_changes_and_reports(
        shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    events = earlier_events(shop_table)
    long_ago = dt.datetime.fromtimestamp(events[-1]["dynamodb"]["ApproximateCreationDateTime"],
                                         dt.UTC)

    answer = lambda_handler({"Records": events}, None)

    assert answer["archived"] == 4
    hours = {(long_ago - dt.timedelta(hours=h)).strftime(HOUR) for h in (0, 2)}
    marked = {s["hour"] for s in statuses(shop_table.table_name) if s.get("has_changes")}
    assert marked == hours
    for hour in hours:
        item = status_item(shop_table.table_name, hour)
        assert item is not None and item["GSI1PK"] == f"TABLE#{shop_table.table_name}#{hour}"
    status = reported(shop_table)
    assert status is not None and status["consumer"] == "lambda"
    # a Lambda batch says the archive is complete up to its newest change
    newest = long_ago.replace(microsecond=0)
    assert status["archived_up_to"] is not None
    assert abs(status["archived_up_to"] - newest) < dt.timedelta(seconds=1)
    assert status["newest_change_at"] == status["archived_up_to"]


def test_an_hour_is_marked_once_per_process_and_once_in_the_archive(
        shop_table, dynamodb_endpoint) -> None:
    hour = "2024-01-15T09"
    first, second = StatusReporter("follow"), StatusReporter("follow")

    with data.recording() as log:
        first.mark_hours(shop_table.table_name, [hour, hour])
        first.mark_hours(shop_table.table_name, [hour])
    second.mark_hours(shop_table.table_name, [hour])  # another process: the condition fails

    assert [c.operation for c in log.calls] == ["UpdateItem"]
    item = status_item(shop_table.table_name, hour)
    assert item is not None and item["has_changes"] is True and "reported_at" not in item


def test_a_report_never_moves_back_and_keeps_the_hours_mark(
        shop_table, dynamodb_endpoint) -> None:
    now = dt.datetime.now(dt.UTC)
    hour = now.strftime(HOUR)
    fast, slow = StatusReporter("follow"), StatusReporter("follow")
    fast.mark_hours(shop_table.table_name, [hour])

    assert fast.report(shop_table.table_name, archived=1, archived_up_to=now, now=now)
    assert not slow.report(shop_table.table_name, archived=1,
                           archived_up_to=now - dt.timedelta(seconds=30),
                           now=now - dt.timedelta(seconds=10))
    assert not slow.report(shop_table.table_name, archived=1, now=now)

    item = status_item(shop_table.table_name, hour)
    assert item is not None and item["has_changes"] is True
    status = reported(shop_table)
    assert status is not None and status["reported_at"] == now and status["archived_up_to"] == now


def test_a_quiet_pass_reports_only_when_due_and_a_busy_one_always(
        shop_table, dynamodb_endpoint, monkeypatch) -> None:
    reporter = StatusReporter("follow")
    monkeypatch.setattr(consumer, "STATUS_EVERY", 3600.0)
    follow_once(shop_table, status=reporter)
    first = reported(shop_table)

    with data.recording() as log:
        follow_once(shop_table, status=reporter)  # nothing new, not due: no write
    assert "UpdateItem" not in [c.operation for c in log.calls]
    assert reported(shop_table) == first

    app(dynamodb_endpoint, shop_table).put_item(Item={**KEY, "status": "NEW"})
    follow_once(shop_table, status=reporter)  # changes archived: reported at once
    busy = reported(shop_table)
    assert first is not None and busy is not None and busy["reported_at"] > first["reported_at"]

    monkeypatch.setattr(consumer, "STATUS_EVERY", 0.0)
    follow_once(shop_table, status=reporter)  # quiet, but due
    quiet = reported(shop_table)
    assert quiet is not None and quiet["reported_at"] > busy["reported_at"]


def test_a_pass_stopped_at_its_bound_leaves_archived_up_to_as_it_was(
        shop_table, dynamodb_endpoint, monkeypatch) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    reporter = StatusReporter("follow")
    follow_once(shop_table, status=reporter)
    complete = reported(shop_table)
    app(dynamodb_endpoint, shop_table).update_item(
        Key=OTHER, UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "PAID"})
    # DescribeStream and GetShardIterator, then no GetRecords: the pass stops at its bound
    monkeypatch.setattr(consumer, "CALLS_PER_PASS", 2)
    monkeypatch.setattr(consumer, "STATUS_EVERY", 0.0)

    stopped = follow_once(shop_table, status=StatusReporter("follow"))

    assert not stopped.complete and stopped.read == 0
    status = reported(shop_table)
    assert complete is not None and status is not None
    assert status["reported_at"] > complete["reported_at"]
    assert status["archived_up_to"] == complete["archived_up_to"]


# -- writing many changes at once ---------------------------------------------------------
@pytest.mark.skipif(BACKEND == "moto", reason="moto undoes a cancelled transaction by "
                    "restoring the tables as they were when it began, erasing what other "
                    "requests wrote meanwhile (DynamoDB cancels only the transaction)")
def test_changes_go_in_transactions_and_those_archived_already_are_counted_not_rewritten(
        shop_table, dynamodb_endpoint) -> None:
    application = app(dynamodb_endpoint, shop_table)
    for number in range(30):
        application.put_item(Item={**KEY, "SK": f"ORDER#{number:03d}", "n": number})
    records = data.read_stream(shop_table, max_calls=10_000).records
    assert len(records) == 30
    # a consumer stored every third one already (and died before its checkpoint)
    early = consumer.archive_records(shop_table.table_name, records[::3])

    with data.recording() as log:
        counts = consumer.archive_records(shop_table.table_name, records + records[:5])

    assert (early.archived, early.already_archived) == (10, 0)
    assert (counts.read, counts.archived, counts.already_archived) == (35, 20, 15)
    transactions = [c for c in log.calls if c.operation == "TransactWriteItems"]
    assert transactions
    # what the transactions consumed is shown nowhere, so it is not asked for
    assert all(c.consumed_wcu is None and c.consumed_rcu is None for c in transactions)
    for record in records:
        [stored] = data.query(archive.primary, Change.key(
            {"source_table": shop_table.table_name, "item_key": item_key_text(
                shop_table.table_name, record.keys), "changed_at": record.when,
             "sequence": "-"})[archive.pk]).items
        assert stored["sequence_number"] == record.sequence_number


@pytest.mark.skipif(BACKEND == "moto", reason="moto accepts an index key of the wrong type")
def test_a_refused_change_in_a_transaction_fails_alone(shop_table, dynamodb_endpoint) -> None:
    application = app(dynamodb_endpoint, shop_table)
    for number in range(16):  # eight transactions of two
        application.put_item(Item={**KEY, "SK": f"ORDER#{number:03d}"})
    records = data.read_stream(shop_table, max_calls=10_000).records
    items = [consumer.change_item(shop_table.table_name, r) for r in records]
    items[0] = {**items[0], "GSI1PK": 12}  # an index key of the wrong type: refused

    with data.recording() as log:
        outcomes = consumer.store_changes(items)

    assert "TransactWriteItems" in [c.operation for c in log.calls]
    assert isinstance(outcomes[0], data.DataError)
    assert outcomes[1:] == [True] * 15


def test_get_records_is_parsed_as_botocore_parses_it(shop_table, dynamodb_endpoint) -> None:
    import boto3

    from dynadmin.data.streams.client import get_streams_client

    app(dynamodb_endpoint, shop_table).put_item(
        Item={**KEY, "data": b"\x00\xff", "set": {b"a", b"b"}, "deep": {"l": [b"\x01", 1]}})
    arn = data.stream_info(shop_table).arn
    answers = []
    for client in (get_streams_client(shop_table),
                   boto3.client("dynamodbstreams", endpoint_url=dynamodb_endpoint)):
        [shard] = client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        iterator = client.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        answers.append(client.get_records(ShardIterator=iterator)["Records"])

    light, model = answers
    assert light[0]["dynamodb"].pop("ApproximateCreationDateTime") == (
        model[0]["dynamodb"].pop("ApproximateCreationDateTime"))
    assert light == model
    assert light[0]["dynamodb"]["NewImage"]["data"] == {"B": b"\x00\xff"}


# -- following: a pass at the newest record costs one GetRecords per open shard -----------
def test_following_keeps_its_place_between_passes(
        shop_table, dynamodb_endpoint, monkeypatch) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    monkeypatch.setattr(consumer, "STATUS_EVERY", 3600.0)
    following, reporter = consumer.Following(), StatusReporter("follow")
    first = follow_once(shop_table, following=following, status=reporter)

    with data.recording() as log:
        quiet = follow_once(shop_table, following=following, status=reporter)
    app(dynamodb_endpoint, shop_table).update_item(
        Key=OTHER, UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "PAID"})
    with data.recording() as busy_log:
        busy = follow_once(shop_table, following=following, status=reporter)

    assert (first.archived, quiet.read, busy.read, busy.archived) == (4, 0, 1, 1)
    shards = len(following.shards or [])
    assert [c.operation for c in log.calls] == ["GetRecords"] * shards
    assert not {"DescribeTable", "DescribeStream", "GetShardIterator", "Query"} & {
        c.operation for c in busy_log.calls}
    assert quiet.complete and busy.complete
    assert sorted(archived_sequences(shop_table.table_name, [KEY, OTHER])) == sorted(
        stream_sequences(shop_table))


def test_following_lists_the_shards_again_when_due(
        shop_table, dynamodb_endpoint, monkeypatch) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    following = consumer.Following()
    follow_once(shop_table, following=following)
    monkeypatch.setattr(consumer, "RELIST_EVERY", 0.0)

    with data.recording() as log:
        again = follow_once(shop_table, following=following)

    assert again.read == 0
    operations = [c.operation for c in log.calls]
    assert {"DescribeTable", "DescribeStream"} <= set(operations)
    # the place in each shard is kept: no checkpoint read, no new iterator
    assert "Query" not in operations and "GetShardIterator" not in operations


def test_following_outlives_a_failing_pass_and_once_does_not(
        shop_table, dynamodb_endpoint, settings) -> None:
    from dynadmin.data.errors import TableNotFound

    write_changes(dynamodb_endpoint, shop_table)
    present = shop_table.table_name
    # the table is not created yet (make run seeds it while the consumer starts)
    settings.DYNADMIN_TABLE_NAMES = {"Application": "test-not-created-yet"}
    stop = threading.Event()
    failures: list[Exception] = []
    passes: list[Any] = []

    def failed(table: Any, error: Exception) -> None:
        failures.append(error)
        settings.DYNADMIN_TABLE_NAMES = {"Application": present}  # created now

    def report(table: Any, counts: Any) -> None:
        passes.append(counts)
        stop.set()

    total = consumer.follow(shop_table, interval=0.01, report=report, stop=stop,
                            failed=failed)

    assert [type(f) for f in failures] == [TableNotFound]
    assert total.archived == 4
    settings.DYNADMIN_TABLE_NAMES = {"Application": "test-not-created-yet"}
    with pytest.raises(TableNotFound):
        consumer.follow(shop_table, once=True, failed=failed)


def test_a_pass_reads_and_makes_the_next_batch_while_it_stores_one(
        shop_table, dynamodb_endpoint, monkeypatch) -> None:
    application = app(dynamodb_endpoint, shop_table)
    for number in range(6):
        application.put_item(Item={**KEY, "SK": f"ORDER#{number:03d}", "n": number})
    storing, making = consumer.archive_records, consumer.change_items
    made: list[int] = []
    seen: list[tuple[int, int]] = []

    def make(source_table: str, records: Any) -> Any:
        made.append(len(records))
        return making(source_table, records)

    def store(source_table: str, records: Any, items: Any = None) -> Any:
        log = data.current_log()
        if log is None:
            return storing(source_table, records, items)
        if not seen:
            # hold the first batch back until the next one is read and its items made (a
            # pass that reads, makes and stores in turn never gets there while it waits)
            deadline = time.monotonic() + 10
            while len(made) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
        seen.append((log.operations.count("GetRecords"), len(made)))
        return storing(source_table, records, items)

    monkeypatch.setattr(consumer, "change_items", make)
    monkeypatch.setattr(consumer, "archive_records", store)
    with data.recording():
        counts = follow_once(shop_table, per_call=2)

    assert counts.archived == 6 and counts.already_archived == 0
    reads, batches_made = seen[0]
    # while the first batch was stored, the second was read and its items made
    assert reads >= 2 and batches_made == 2
    # and each batch was checkpointed once stored: a second pass finds nothing new
    assert follow_once(shop_table, per_call=2).archived == 0


def test_a_batch_that_fails_to_be_stored_ends_the_pass_and_no_checkpoint_moves_past_it(
        shop_table, dynamodb_endpoint, monkeypatch) -> None:
    """Two batches are stored at once: the one after a failed batch may be stored already,
    but its checkpoint waits for the failed one, so the next pass reads both again and
    archives each change exactly once."""
    application = app(dynamodb_endpoint, shop_table)
    for number in range(6):
        application.put_item(Item={**KEY, "SK": f"ORDER#{number:03d}", "n": number})
    storing = consumer.archive_records
    batches: list[int] = []

    def store(source_table: str, records: Any, items: Any = None) -> Any:
        batches.append(len(records))
        if len(batches) == 2:
            raise data.Unavailable("DynamoDB did not answer", operation="TransactWriteItems")
        return storing(source_table, records, items)

    monkeypatch.setattr(consumer, "archive_records", store)
    with pytest.raises(data.Unavailable):
        follow_once(shop_table, per_call=2)
    assert batches[:2] == [2, 2] and len(batches) <= 3
    stored_after_the_failure = 2 if len(batches) == 3 else 0
    monkeypatch.setattr(consumer, "archive_records", storing)

    # the checkpoint moved past the first batch only: the next pass reads the other four,
    # archiving those the failed pass did not
    again = follow_once(shop_table, per_call=2)
    assert (again.archived, again.already_archived) == (4 - stored_after_the_failure,
                                                        stored_after_the_failure)
    assert follow_once(shop_table, per_call=2).read == 0



def test_the_next_batch_is_stored_while_the_one_before_still_is(
        shop_table, dynamodb_endpoint, monkeypatch) -> None:
    """Two batches go to DynamoDB at once (it is never left waiting while a checkpoint is
    saved); the first batch's store here waits until the second's has begun."""
    application = app(dynamodb_endpoint, shop_table)
    for number in range(6):
        application.put_item(Item={**KEY, "SK": f"ORDER#{number:03d}", "n": number})
    storing = consumer.archive_records
    begun: list[int] = []
    second_begun = threading.Event()
    overlapped: list[bool] = []

    def store(source_table: str, records: Any, items: Any = None) -> Any:
        begun.append(len(records))
        if len(begun) == 1:
            overlapped.append(second_begun.wait(timeout=10))
        elif len(begun) == 2:
            second_begun.set()
        return storing(source_table, records, items)

    monkeypatch.setattr(consumer, "archive_records", store)
    counts = follow_once(shop_table, per_call=2)
    assert overlapped == [True]
    assert (counts.archived, counts.already_archived) == (6, 0)
    # every batch checkpointed, in order: the next pass finds nothing new
    monkeypatch.setattr(consumer, "archive_records", storing)
    assert follow_once(shop_table, per_call=2).read == 0
