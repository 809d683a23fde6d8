"""The archive of changes: stream records archived exactly once, by the follow command and by
the Lambda handler, and read back newest first in one Query, on a real DynamoDB backend."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from dynadmin import Entity, EntityAdmin, Key, Table, data, fields
from dynadmin.checks import check_definitions
from dynadmin.data.serialization import loads_dynamodb_json
from dynadmin.history import lambda_handler, lambda_record, reading
from dynadmin.history.archive import (
    Change,
    Checkpoint,
    Gap,
    archive,
    hour_partition,
    item_key_text,
    item_partition,
    padded_sequence,
)
from dynadmin.history.consumer import archive_records, follow, save_checkpoint
from dynadmin.services.url_keys import item_url
from dynadmin.sites import AdminSite

from . import fakes
from .conftest import BACKEND, physical_table
from .support.changes import KEY, app, order
from .support.history import (
    OTHER,
    archived_sequences,
    changes_of,
    lambda_event,
    raw_records,
    stream_sequences,
    write_changes,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def test_follow_once_archives_an_items_changes_read_newest_first_in_one_query(
        history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    out = StringIO()

    call_command("dynadmin_history", "follow", "--table", "Application", "--once", stdout=out)

    assert "Application: 4 records read, 4 archived, 0 already archived, 0 gaps." in (
        out.getvalue())
    changes = changes_of(shop_table.table_name, KEY)
    assert [c["event"] for c in changes] == ["MODIFY", "MODIFY", "INSERT"]
    newest = changes[0]
    assert loads_dynamodb_json(newest["old_image"])["status"] == "PAID"
    assert loads_dynamodb_json(newest["new_image"])["status"] == "SHIPPED"
    paid = loads_dynamodb_json(changes[1]["new_image"])
    assert paid["total"] == Decimal("540.10") and str(paid["total"]) == "540.10"  # exact
    assert '"540.10"' in changes[1]["new_image"]
    assert "old_image" not in changes[2]
    assert loads_dynamodb_json(changes[2]["keys_json"]) == KEY
    # sequence numbers in the stream's own order: newest first here
    sequences = [int(Change.parse_item(c).values["sequence"]) for c in changes]
    assert sequences == sorted(sequences, reverse=True)
    # what the keys spell is stored only there (each copy of a change is billed by its
    # size); a change that is no TTL deletion does not say so
    assert not {"source_table", "item_key", "changed_at", "hour", "partition", "sequence",
                "ttl_deletion"} & {name for c in changes for name in c}
    assert all(c["ttl"] > int(dt.datetime.now(dt.UTC).timestamp()) for c in changes)
    assert [c["event"] for c in changes_of(shop_table.table_name, OTHER)] == ["INSERT"]


def test_a_page_of_an_items_changes_reads_one_more_and_decodes_each_image_once(
        history, shop_table, dynamodb_endpoint) -> None:
    """An item's partition holds its changes only (no consumer's status, as an hour's
    does): a page reads one change more than it shows, which says there is more. Its
    changes share their images: one change's old image is the one before's new image, and
    each is decoded (and typed, on the page) once."""
    write_changes(dynamodb_endpoint, shop_table)
    follow(shop_table, once=True)

    with data.recording() as log:
        newest = reading.item_history(shop_table, KEY, count=1)
    assert [(c.operation, c.count) for c in log.calls] == [("Query", 2)]
    assert newest.more and len(newest.changes) == 1

    shipped, paid, created = reading.item_history(shop_table, KEY, count=3).changes
    assert shipped.old_image is paid.new_image and paid.old_image is created.new_image
    assert shipped.keys is paid.keys is created.keys and dict(shipped.keys) == KEY
    assert (paid.old_image["status"], paid.new_image["status"]) == ("PENDING", "PAID")
    assert created.old_image is None


def test_the_tables_changes_of_one_hour_newest_first_on_the_index(
        history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    follow(shop_table, once=True)
    newest = Change.parse_item(changes_of(shop_table.table_name, KEY)[0]).values
    hour = newest["hour"]

    partition = hour_partition(shop_table.table_name, newest["changed_at"])
    page = data.query(archive.index("GSI1"), partition, forward=False, limit=50)

    expected = [c for key in (KEY, OTHER) for c in changes_of(shop_table.table_name, key)
                if Change.parse_item(c).values["hour"] == hour]
    # the consumer's status of the hour sorts after every change: it comes first
    status, *changes = page.items
    assert (status["type"], status["GSI1SK"]) == ("status", "~STATUS")
    assert sorted(c["SK"] for c in changes) == sorted(c["SK"] for c in expected)
    assert [c["GSI1SK"] for c in changes] == sorted((c["GSI1SK"] for c in changes),
                                                    reverse=True)


def test_a_second_run_archives_nothing_new_and_says_so(
        history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    first = follow(shop_table, once=True)
    out = StringIO()

    call_command("dynadmin_history", "follow", "--once", stdout=out)
    again = follow(shop_table, once=True)

    assert (first.read, first.archived, first.already_archived) == (4, 4, 0)
    # From the checkpoints: nothing is read again.
    assert "Application: 0 records read, 0 archived" in out.getvalue()
    assert (again.read, again.archived) == (0, 0)
    assert len(changes_of(shop_table.table_name, KEY)) == 3


def test_following_reads_again_until_stopped(history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    stop = threading.Event()
    passes: list[int] = []

    def report(table: Any, counts: Any) -> None:
        passes.append(counts.archived)
        if len(passes) == 1:  # a change made while the consumer runs
            app(dynamodb_endpoint, shop_table).update_item(
                Key=OTHER, UpdateExpression="SET #s = :s",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": "PAID"})
        if sum(passes) == 5 or len(passes) == 100:
            stop.set()

    total = follow(shop_table, interval=0.01, report=report, stop=stop)

    assert passes[0] == 4 and total.archived == 5
    assert [c["event"] for c in changes_of(shop_table.table_name, OTHER)] == [
        "MODIFY", "INSERT"]


def test_a_replay_from_the_oldest_record_writes_nothing_twice(
        history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    follow(shop_table, once=True)
    records = data.read_stream(shop_table, max_calls=10_000).records

    replay = archive_records(shop_table.table_name, records)

    assert (replay.read, replay.archived, replay.already_archived) == (4, 0, 4)
    assert sorted(archived_sequences(shop_table.table_name, [KEY, OTHER])) == sorted(
        stream_sequences(shop_table))


def test_two_consumers_at_once_store_each_change_once(
        history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    results: list[Any] = []
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            results.append(follow(shop_table, once=True))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=consume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(r.archived for r in results) == 4
    assert sum(r.archived + r.already_archived for r in results) == sum(
        r.read for r in results)
    assert sorted(archived_sequences(shop_table.table_name, [KEY, OTHER])) == sorted(
        stream_sequences(shop_table))


def test_a_consumer_stopped_midway_resumes_from_its_checkpoint_exactly_once(
        history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    records = data.read_stream(shop_table, max_calls=10_000).records
    # It archived three records, but stopped after checkpointing the first two.
    archive_records(shop_table.table_name, records[:3])
    save_checkpoint(shop_table.table_name, records[1].shard_id, records[1])

    resumed = follow(shop_table, once=True)

    assert (resumed.read, resumed.archived, resumed.already_archived) == (2, 1, 1)
    assert sorted(archived_sequences(shop_table.table_name, [KEY, OTHER])) == sorted(
        stream_sequences(shop_table))
    checkpoint = data.get_item(archive, Checkpoint.key(
        {"source_table": shop_table.table_name, "shard_id": records[-1].shard_id}))
    assert checkpoint is not None and int(checkpoint["sequence"]) == int(
        records[-1].sequence_number)


def test_a_checkpoint_never_moves_back(history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    records = data.read_stream(shop_table, max_calls=10_000).records
    shard = records[-1].shard_id

    assert save_checkpoint(shop_table.table_name, shard, records[-1])
    assert not save_checkpoint(shop_table.table_name, shard, records[0])
    assert not save_checkpoint(shop_table.table_name, shard, records[-1])
    checkpoint = data.get_item(archive, Checkpoint.key(
        {"source_table": shop_table.table_name, "shard_id": shard}))
    assert checkpoint is not None
    assert int(checkpoint["sequence"]) == int(records[-1].sequence_number)


def test_the_lambda_handler_archives_duplicated_reordered_batches_and_reports_poison(
        history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    app(dynamodb_endpoint, shop_table).put_item(Item={**KEY, "SK": "BLOB", "data": b"\x00\xff"})
    events = lambda_event(raw_records(shop_table), shop_table.table_name)
    poison = {**events[0], "eventID": "poison",
              "dynamodb": {**events[0]["dynamodb"], "SequenceNumber": "9" * 30,
                           "NewImage": {"total": {"N": "not a number"}}}}
    batch = events + events[:2] + [poison]
    random.Random(21).shuffle(batch)

    answer = lambda_handler({"Records": batch}, None)
    again = lambda_handler({"Records": list(reversed(events))}, None)

    assert answer["batchItemFailures"] == [{"itemIdentifier": "9" * 30}]
    assert (answer["archived"], answer["already_archived"], answer["failed"]) == (5, 2, 1)
    assert (again["archived"], again["already_archived"]) == (0, 5)
    blob_key = {**KEY, "SK": "BLOB"}
    assert sorted(archived_sequences(shop_table.table_name, [KEY, OTHER, blob_key])) == sorted(
        stream_sequences(shop_table))
    blob = changes_of(shop_table.table_name, blob_key)[0]
    assert loads_dynamodb_json(blob["new_image"])["data"] == b"\x00\xff"
    # The handler and the follow command agree on the key: following now adds nothing.
    assert follow(shop_table, once=True).archived == 0


def test_a_ttl_deletion_is_labelled(history, shop_table, dynamodb_endpoint) -> None:
    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    inserted = lambda_event(raw_records(shop_table), shop_table.table_name)[0]
    deletion = {**inserted, "eventID": "ttl", "eventName": "REMOVE",
                "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
                "dynamodb": {**inserted["dynamodb"],
                             "SequenceNumber": str(int(inserted["dynamodb"]["SequenceNumber"])
                                                   + 1),
                             "OldImage": inserted["dynamodb"]["NewImage"]}}
    del deletion["dynamodb"]["NewImage"]

    assert lambda_handler({"Records": [deletion]}, None)["archived"] == 1
    newest = changes_of(shop_table.table_name, KEY)[0]
    assert (newest["event"], newest["ttl_deletion"]) == ("REMOVE", True)
    assert newest["principal"] == "dynamodb.amazonaws.com"


def test_setup_twice_says_the_table_exists(history) -> None:
    out = StringIO()
    call_command("dynadmin_history", "setup", stdout=out)
    assert f"The archive table {archive.table_name} exists already." in out.getvalue()
    description = data.describe("DescribeTable", archive)["Table"]
    assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert sorted(i["IndexName"] for i in description["GlobalSecondaryIndexes"]) == ["GSI1", "GSI2"]


def test_the_archive_design_passes_the_checks() -> None:
    site = AdminSite(name="history-checks")
    for entity in (Change, Checkpoint, Gap):
        site.register(entity, EntityAdmin)
    assert check_definitions(site=site) == []


def test_an_archived_change_is_browsable_with_what_its_keys_spell(
        history, shop_table, dynamodb_endpoint, staff_client) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    follow(shop_table, once=True)
    created = changes_of(shop_table.table_name, KEY)[-1]
    assert "source_table" not in created and "changed_at" not in created  # in the keys only

    html = staff_client.get(item_url(archive, created)).content.decode()

    values = Change.parse_item(created).values
    assert values["source_table"] == shop_table.table_name
    for shown in (shop_table.table_name, values["changed_at"].strftime("%Y-%m-%d"),
                  values["sequence"], "INSERT"):
        assert shown in html


def test_an_archived_changes_key_parses_back_into_its_fields() -> None:
    item = Change.build_item({
        "source_table": "shop", "item_key": item_key_text("shop", KEY),
        "changed_at": dt.datetime(2024, 1, 15, 9, 30, 5, tzinfo=dt.UTC),
        "hour": "2024-01-15T09", "partition": "APP#1", "sequence": "1".zfill(40),
        "event": "INSERT"})
    assert archive.classify(item) is Change
    parsed = Change._meta.primary_key.parse(item)
    assert parsed is not None and parsed["item_key"] == item_key_text("shop", KEY)


def test_a_trimmed_position_is_recorded_as_a_gap_and_reading_goes_on(
        history, shop_table, dynamodb_endpoint, monkeypatch) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    follow(shop_table, once=True)
    application = app(dynamodb_endpoint, shop_table)
    application.update_item(Key=OTHER, UpdateExpression="SET #s = :s",
                            ExpressionAttributeNames={"#s": "status"},
                            ExpressionAttributeValues={":s": "PAID"})
    records = data.read_stream(shop_table, max_calls=10_000).records

    with fakes.DroppingProxy(dynamodb_endpoint) as proxy:
        # DynamoDB Local keeps every record: the proxy says what AWS says after 24 hours.
        proxy.answer_error(
            "GetShardIterator", "TrimmedDataAccessException", times=1,
            when=lambda body: body.get("ShardIteratorType") == "AFTER_SEQUENCE_NUMBER")
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", proxy.endpoint)
        trimmed = follow(shop_table, once=True)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS")
    again = follow(shop_table, once=True)

    assert (trimmed.gaps, trimmed.archived, trimmed.already_archived) == (1, 1, 4)
    assert (again.gaps, again.read) == (0, 0)
    partition = Gap.key({"source_table": shop_table.table_name, "shard_id": "-",
                         "after": "0"})[archive.pk]
    gaps = data.query(archive.primary, partition).items
    assert len(gaps) == 1
    assert gaps[0]["shard_id"] == records[0].shard_id
    assert int(gaps[0]["after"]) == int(records[3].sequence_number)  # the last one archived
    assert int(gaps[0]["until"]) == int(records[0].sequence_number)  # the oldest one kept
    assert gaps[0]["reason"] == "trimmed"
    assert sorted(archived_sequences(shop_table.table_name, [KEY, OTHER])) == sorted(
        stream_sequences(shop_table))


def test_the_lambda_entry_point_imports_without_a_django_project() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = ("import dynadmin.history as h; from django.conf import settings; "
            "assert callable(h.lambda_handler) and not settings.configured; "
            "print(h.lambda_handler({'Records': []}, None))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "'batchItemFailures': []" in done.stdout


def test_the_largest_keys_and_items_are_archived_too(
        history, shop_table, dynamodb_endpoint) -> None:
    application = app(dynamodb_endpoint, shop_table)
    long_key = {"PK": "P" * 2048, "SK": "S" * 1024}  # DynamoDB's longest key
    application.put_item(Item={**long_key, "note": "longest key"})
    large = {"PK": "USER#u1", "SK": "LARGE"}
    application.put_item(Item={**large, "blob": "x" * 300_000})
    application.update_item(Key=large, UpdateExpression="SET #n = :n",
                            ExpressionAttributeNames={"#n": "note"},
                            ExpressionAttributeValues={":n": "changed"})

    counts = follow(shop_table, once=True)

    assert (counts.read, counts.archived) == (3, 3)
    [inserted] = changes_of(shop_table.table_name, long_key)
    assert Change.parse_item(inserted).values["item_key"].startswith("SHA256:")
    assert loads_dynamodb_json(inserted["keys_json"]) == long_key
    modified, created = changes_of(shop_table.table_name, large)
    assert modified["images_left_out"] == "old_image" and "old_image" not in modified
    assert loads_dynamodb_json(modified["new_image"])["note"] == "changed"
    assert "images_left_out" not in created
    assert len(loads_dynamodb_json(created["new_image"])["blob"]) == 300_000


def test_the_command_follows_until_sigterm_and_ends_its_pass_first(
        history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
                   "PYTHONUNBUFFERED": "1",
                   "DYNADMIN_TABLE_NAMES": (f"Application={shop_table.table_name},"
                                            f"History={archive.table_name}")}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "dynadmin_history", "follow", "--interval", "0.05"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    archived = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "archived" in line:
                archived.set()
        archived.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        archived.wait(timeout=120)  # a guard against a hang, not a timing
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    reader.join(timeout=30)

    assert returncode == 0, lines
    assert lines[0] == "Application: 4 records read, 4 archived, 0 already archived, 0 gaps."
    assert lines[-1] == "Stopped."
    assert len(changes_of(shop_table.table_name, KEY)) == 3


def test_a_table_without_a_stream_is_named_not_followed(
        history, dynamodb_endpoint, settings, monkeypatch) -> None:
    plain = Table("Plain", stream_view_type=None)

    class Note(Entity, table=plain):
        keys = Key(pk="NOTE#{note_id}", sk="NOTE")
        note_id = fields.String()

    site = AdminSite(name="plain")
    site.register(Note, EntityAdmin)
    monkeypatch.setattr("dynadmin.sites.site", site)
    errors = StringIO()
    with physical_table(plain) as names:
        settings.DYNADMIN_TABLE_NAMES = {**names, "History": archive.table_name}
        call_command("dynadmin_history", "follow", "--once", stdout=StringIO(), stderr=errors)

    assert "Plain: no stream to follow." in errors.getvalue()
    with physical_table(plain) as names:
        settings.DYNADMIN_TABLE_NAMES = {**names, "History": archive.table_name}
        assert not follow(plain, once=True).has_stream


# -- the archive's spellings, without DynamoDB ------------------------------------------------
def test_sequence_numbers_are_spelled_to_sort_as_numbers() -> None:
    spelled = [padded_sequence(s) for s in ("000000000000000000002", "99" * 11, "1" * 40)]
    assert all(len(s) == 40 for s in spelled) and spelled == sorted(spelled)
    for wrong in ("12a", "1" * 41, ""):
        with pytest.raises(ValueError, match="is not a stream sequence number"):
            padded_sequence(wrong)


def test_an_item_key_is_its_dynamodb_json_unless_too_long_for_a_partition_key() -> None:
    assert item_key_text("shop", KEY) == (
        '{"PK": {"S": "USER#u1"}, "SK": {"S": "ORDER#2024-01-15#456"}}')
    long_key = {"PK": "P" * 2048, "SK": "S" * 1024}
    hashed = item_key_text("shop", long_key)
    assert hashed.startswith("SHA256:") and hashed == item_key_text("shop", dict(long_key))
    assert len(item_partition("shop", long_key).encode()) <= 2048


def test_a_lambda_record_from_elsewhere_than_a_table_is_refused() -> None:
    record = {"eventSourceARN": "arn:aws:kinesis:us-east-1:1:stream/x", "dynamodb": {
        "SequenceNumber": "1" * 21, "ApproximateCreationDateTime": 1700000000, "Keys": {}}}
    with pytest.raises(ValueError, match="does not name a DynamoDB table"):
        lambda_record(record)
    answer = lambda_handler({"Records": [record]}, None)
    assert answer["batchItemFailures"] == [{"itemIdentifier": "1" * 21}]


@pytest.mark.skipif(BACKEND == "moto", reason="moto's DescribeStream fails (500) on a "
                    "disabled stream, where DynamoDB keeps it readable for 24 hours")
def test_a_disabled_streams_last_records_are_archived_and_its_closed_shards_not_read_again(
        history, shop_table, dynamodb_endpoint) -> None:
    write_changes(dynamodb_endpoint, shop_table)
    follow(shop_table, once=True)
    app(dynamodb_endpoint, shop_table).update_item(
        Key=OTHER, UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "PAID"})
    data.get_client().update_table(TableName=shop_table.table_name,
                                   StreamSpecification={"StreamEnabled": False})

    last = follow(shop_table, once=True)
    with data.recording() as log:
        after = follow(shop_table, once=True)

    assert (last.read, last.archived, last.has_stream) == (1, 1, True)
    assert [c["event"] for c in changes_of(shop_table.table_name, OTHER)] == [
        "MODIFY", "INSERT"]
    assert (after.read, after.archived) == (0, 0)
    # Its shards are closed and finished: listed, never read again.
    assert {c.operation for c in log.calls} == {"DescribeTable", "Query", "DescribeStream"}
    finished = data.query(archive.primary, Checkpoint.key(
        {"source_table": shop_table.table_name, "shard_id": "-"})[archive.pk]).items
    assert finished and all(c["finished"] for c in finished)
    assert all(c["ttl"] > int(dt.datetime.now(dt.UTC).timestamp()) for c in finished)
