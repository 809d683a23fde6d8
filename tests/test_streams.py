"""The stream reader (data/streams.py): typed records, bounded reads, tables without a stream.

Against the session's real backend (DynamoDB Local or moto, both serve Streams on the
DynamoDB endpoint); writes are made with plain boto3, as an application would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import boto3
import pytest

from dynadmin import data
from dynadmin.data.streams.reading import StreamInfo, typed_record

from . import fakes
from .conftest import physical_table


def _boto3_table(dynamodb_endpoint: str, shop):  # noqa: ANN001, ANN202
    return boto3.resource("dynamodb", endpoint_url=dynamodb_endpoint).Table(shop.table_name)


def _write_user(table, user_id: str, name: str) -> None:  # noqa: ANN001
    table.put_item(Item={"PK": f"USER#{user_id}", "SK": "METADATA", "type": "User",
                         "user_id": user_id, "email": f"{user_id}@example.com", "name": name,
                         "tags": {"a", "b"}, "version": Decimal(1)})


def test_records_are_typed_and_kept_in_order(shop_table, dynamodb_endpoint) -> None:
    table = _boto3_table(dynamodb_endpoint, shop_table)
    _write_user(table, "u1", "Ada")
    _write_user(table, "u1", "Ada L.")
    table.delete_item(Key={"PK": "USER#u1", "SK": "METADATA"})

    with data.recording() as log:
        read = data.read_stream(shop_table)

    assert read.info.readable and read.info.has_both_images
    assert [r.event_name for r in read.records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = read.records
    assert insert.keys == {"PK": "USER#u1", "SK": "METADATA"}
    assert insert.old_image is None and insert.new_image["tags"] == {"a", "b"}
    assert insert.new_image["version"] == Decimal(1)
    assert modify.old_image["name"] == "Ada" and modify.new_image["name"] == "Ada L."
    assert remove.new_image is None and remove.old_image["name"] == "Ada L."
    assert not remove.is_ttl_deletion
    assert all(isinstance(r.when, dt.datetime) and r.when.tzinfo for r in read.records)
    assert read.complete and read.records_read == 3
    assert {"DescribeTable", "DescribeStream", "GetShardIterator", "GetRecords"} <= set(
        log.operations)


def test_match_keeps_only_one_items_records(shop_table, dynamodb_endpoint) -> None:
    table = _boto3_table(dynamodb_endpoint, shop_table)
    _write_user(table, "u1", "Ada")
    _write_user(table, "u2", "Grace")

    read = data.read_stream(shop_table, match=lambda keys: keys["PK"] == "USER#u2")

    assert [r.new_image["name"] for r in read.records] == ["Grace"]
    assert read.records_read == 2


def test_a_read_stops_at_its_bound_and_reads_further_from_its_position(
        shop_table, dynamodb_endpoint) -> None:
    table = _boto3_table(dynamodb_endpoint, shop_table)
    for number in range(5):
        _write_user(table, f"u{number}", f"user {number}")

    # DescribeStream, GetShardIterator and two GetRecords of 2 records each.
    with data.recording() as log:
        first = data.read_stream(shop_table, max_calls=4, per_call=2)
    assert log.operations.count("GetRecords") == 2
    assert first.get_records_calls == 2 and first.records_read == 4
    assert not first.complete and first.stopped_by == "calls"

    with data.recording() as log:
        rest = data.read_stream(shop_table, position=first.position, max_calls=10, per_call=2)
    assert [r.new_image["user_id"] for r in first.records + rest.records] == [
        "u0", "u1", "u2", "u3", "u4"]
    assert rest.complete and rest.records_read == 1
    assert log.operations.count("GetRecords") == rest.get_records_calls


def test_a_table_without_a_stream_is_a_typed_answer(dynamodb_endpoint, settings,
                                                     monkeypatch) -> None:
    from examples.shop.definitions import shop

    monkeypatch.setattr(shop, "stream_view_type", None)
    with physical_table(shop) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        with data.recording() as log:
            read = data.read_stream(shop)
    assert not read.info.readable and read.records == []
    assert log.operations == ["DescribeTable"]


@pytest.mark.parametrize(("view_type", "old", "new"), [
    ("KEYS_ONLY", False, False), ("NEW_IMAGE", False, True), ("OLD_IMAGE", True, False),
    ("NEW_AND_OLD_IMAGES", True, True)])
def test_stream_info_says_which_images_records_carry(view_type: str, old: bool,
                                                     new: bool) -> None:
    info = StreamInfo.from_description({
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": view_type},
        "LatestStreamArn": "arn:aws:dynamodb:eu-west-1:1:table/t/stream/x"})
    assert (info.readable, info.has_old_images, info.has_new_images) == (True, old, new)
    assert not StreamInfo.from_description({}).readable


def test_a_ttl_deletion_is_recognised_by_its_service_identity() -> None:
    raw = {"eventID": "1", "eventName": "REMOVE",
           "userIdentity": {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"},
           "dynamodb": {"ApproximateCreationDateTime": 1700000000, "SequenceNumber": "7",
                        "Keys": {"PK": {"S": "A"}},
                        "OldImage": {"PK": {"S": "A"}, "ttl": {"N": "1"}}}}
    record = typed_record(raw, "shard-1", {"PK": "A"})
    assert record.is_ttl_deletion
    assert record.when == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    assert record.old_image == {"PK": "A", "ttl": Decimal(1)}
    person = dict(raw, userIdentity=None)
    assert not typed_record(person, "shard-1", {"PK": "A"}).is_ttl_deletion


def test_an_unreachable_streams_endpoint_is_unavailable(shop_table, monkeypatch) -> None:
    from examples.project.local import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(data.Unavailable) as failure, data.recording() as log:
        data.read_stream(shop_table)
    assert failure.value.operation == "DescribeStream"
    assert log.calls[-1].error == "Unavailable"


# -- DynamoDB Streams' own errors, and the reader's recovery from the two it can recover from ---
@pytest.fixture
def streams_through(monkeypatch):  # noqa: ANN001, ANN201
    """Send the Streams calls (only) to another endpoint: a fake peer or a proxy."""
    def point(endpoint: str) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", endpoint)
    return point


@pytest.mark.parametrize(("code", "error", "status", "words"), [
    ("TrimmedDataAccessException", data.StreamTrimmed, 503,
     ("older than the stream keeps", "oldest record it keeps works")),
    ("ExpiredIteratorException", data.StreamIteratorExpired, 503,
     ("expired", "fresh one")),
    ("ResourceNotFoundException", data.StreamNotFound, 404,
     ("disabled or replaced",)),
])
def test_streams_errors_say_what_happened_to_the_stream(
        shop_table, streams_through, settings, code, error, status, words) -> None:
    settings.DYNADMIN_MAX_ATTEMPTS = settings.DYNADMIN_READ_MAX_ATTEMPTS = 0
    with fakes.ErrorPeer(code) as peer:
        streams_through(peer.endpoint)
        with pytest.raises(data.DataError) as caught:
            data.read_stream(shop_table)
    assert type(caught.value) is error and caught.value.status == status
    assert not isinstance(caught.value, data.TableNotFound)  # the table is there
    for word in words:
        assert word in caught.value.message
    assert code in caught.value.message and peer.requests == ["DescribeStream"]


@pytest.mark.parametrize("read_ahead", [False, True])
def test_an_iterator_that_expires_mid_read_is_replaced_once_and_nothing_is_read_twice(
        shop_table, dynamodb_endpoint, streams_through, read_ahead: bool) -> None:
    table = _boto3_table(dynamodb_endpoint, shop_table)
    for number in range(5):
        _write_user(table, f"u{number}", f"user {number}")
    seen: list[dict] = []

    def second_get_records(body: dict) -> bool:
        seen.append(body)
        return len(seen) == 2

    with fakes.DroppingProxy(dynamodb_endpoint) as proxy:
        proxy.answer_error("GetRecords", "ExpiredIteratorException", when=second_get_records)
        streams_through(proxy.endpoint)
        read = data.read_stream(shop_table, per_call=2, read_ahead=read_ahead)

    assert [r.new_image["user_id"] for r in read.records] == ["u0", "u1", "u2", "u3", "u4"]
    assert read.complete and not read.trimmed_shards
    assert proxy.actions("GetRecords").count(fakes.ANSWER_ERROR) == 1
    assert proxy.requests.count("GetShardIterator") == 2  # the fresh one, after u1


def test_an_iterator_that_keeps_expiring_fails_after_one_fresh_one(
        shop_table, dynamodb_endpoint, streams_through) -> None:
    _write_user(_boto3_table(dynamodb_endpoint, shop_table), "u1", "Ada")
    with fakes.DroppingProxy(dynamodb_endpoint) as proxy:
        proxy.answer_error("GetRecords", "ExpiredIteratorException")
        streams_through(proxy.endpoint)
        with pytest.raises(data.StreamIteratorExpired):
            data.read_stream(shop_table)
    assert proxy.requests.count("GetRecords") == 2


def test_a_position_older_than_the_stream_keeps_restarts_from_the_oldest_record(
        shop_table, dynamodb_endpoint, streams_through) -> None:
    table = _boto3_table(dynamodb_endpoint, shop_table)
    for number in range(5):
        _write_user(table, f"u{number}", f"user {number}")
    first = data.read_stream(shop_table, max_calls=4, per_call=2)
    assert not first.complete and first.position["after"]

    with fakes.DroppingProxy(dynamodb_endpoint) as proxy:
        proxy.answer_error(
            "GetShardIterator", "TrimmedDataAccessException", times=1,
            when=lambda body: body.get("ShardIteratorType") == "AFTER_SEQUENCE_NUMBER")
        streams_through(proxy.endpoint)
        rest = data.read_stream(shop_table, position=first.position, per_call=2)

    # DynamoDB Local still keeps them all: "the oldest kept" is the first record again.
    assert [r.new_image["user_id"] for r in rest.records] == ["u0", "u1", "u2", "u3", "u4"]
    assert rest.complete and rest.trimmed_shards == list(first.position["after"])
    assert proxy.actions("GetShardIterator") == [fakes.ANSWER_ERROR, fakes.FORWARD]


@pytest.mark.parametrize("read_ahead", [False, True])
def test_a_read_ahead_reads_every_record_once_in_order(shop_table, dynamodb_endpoint,
                                                        read_ahead: bool) -> None:
    table = _boto3_table(dynamodb_endpoint, shop_table)
    for number in range(7):
        _write_user(table, f"u{number}", f"user {number}")
    first = data.read_stream(shop_table, max_calls=4, per_call=2, read_ahead=read_ahead)
    rest = data.read_stream(shop_table, position=first.position, per_call=2,
                            read_ahead=read_ahead)
    assert [r.new_image["user_id"] for r in first.records + rest.records] == [
        f"u{number}" for number in range(7)]
    assert rest.complete
