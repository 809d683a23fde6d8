"""The hot calls sent without boto3's request pipeline (data/fast.py) are boto3's calls.

Each operation is made twice through dynadmin's own client, ``DYNADMIN_FAST_CALLS`` on and
off: against a local recording server the two requests are the same (method, URL, target,
JSON body); against DynamoDB Local and moto's server the answers and the errors are the same.
Refreshing credentials are frozen afresh for every request, a spent budget sends nothing,
and a write whose answer never came is still "maybe applied". Nothing mocks boto3: every
client talks HTTP to a server on 127.0.0.1.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.credentials import DeferredRefreshableCredentials
from botocore.parsers import create_parser

from dynadmin import data
from dynadmin.data import call_log, calling, fast
from dynadmin.data.client import client_config, get_client, parse_reads_lightly, refuse_scans
from dynadmin.data.responses import decode_binary
from examples.project import local
from tests import fakes

pytestmark = pytest.mark.django_db

EVERY_TYPE = {
    "text": {"S": "\"B\": quotes, accents é and ✓"},
    "empty": {"S": ""},
    "number": {"N": "12.5"},
    "big": {"N": "123456789012345678901234567890123456"},
    "yes": {"BOOL": True},
    "nothing": {"NULL": True},
    "blob": {"B": b"\x00\x01binary\xff"},
    "blobs": {"BS": [b"a", b"\x00\xff"]},
    "texts": {"SS": ["x", "y"]},
    "numbers": {"NS": ["1", "2.5"]},
    "B": {"S": "an attribute named B"},
    "BS": {"M": {"B": {"B": b"nested binary under a key named B"}}},
    "map": {"M": {"inner": {"B": b"\x10"}, "list": {"L": [
        {"B": b"\x11"}, {"BS": [b"\x12"]}, {"M": {"deep": {"M": {"deeper": {"B": b"\x13"}}}}}]}}},
    "list": {"L": [{"S": "a"}, {"N": "1"}, {"NULL": True}, {"L": [{"B": b"\x14"}]}]},
}


def key(pk: str, sk: str = "ITEM") -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def item(pk: str, sk: str = "ITEM", **extra: Any) -> dict[str, Any]:
    return {**key(pk, sk), **EVERY_TYPE, **extra}


def requests_for(table: str) -> dict[str, dict[str, Any]]:
    """One request of each fast operation, with every type, expressions, names and values."""
    condition = {"ConditionExpression": "attribute_not_exists(#pk) OR #n = :n",
                 "ExpressionAttributeNames": {"#pk": "PK", "#n": "number"},
                 "ExpressionAttributeValues": {":n": {"N": "12.5"}}}
    return {
        "Query": {"TableName": table, "KeyConditionExpression": "#pk = :pk AND SK > :sk",
                  "FilterExpression": "#blob <> :blob AND contains(#texts, :x)",
                  "ProjectionExpression": "#pk, SK, #blob, #texts, #map.#inner, #list",
                  "ExpressionAttributeNames": {"#pk": "PK", "#blob": "blob",
                                               "#texts": "texts", "#map": "map",
                                               "#inner": "inner", "#list": "list"},
                  "ExpressionAttributeValues": {":pk": {"S": "WIRE"}, ":sk": {"S": "A"},
                                                ":blob": {"B": b"\xfe"}, ":x": {"S": "x"}},
                  "Limit": 1, "ScanIndexForward": False, "ConsistentRead": True,
                  "ExclusiveStartKey": key("WIRE", "ZZ"), "ReturnConsumedCapacity": "TOTAL"},
        "GetItem": {"TableName": table, "Key": key("WIRE"), "ConsistentRead": True,
                    "ProjectionExpression": "#b, #blob",
                    "ExpressionAttributeNames": {"#b": "B", "#blob": "blob"},
                    "ReturnConsumedCapacity": "TOTAL"},
        "BatchGetItem": {"RequestItems": {table: {"Keys": [key("WIRE"), key("WIRE", "2")],
                                                  "ConsistentRead": True}},
                         "ReturnConsumedCapacity": "INDEXES"},
        "PutItem": {"TableName": table, "Item": item("WIRE"), **condition,
                    "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
        "UpdateItem": {"TableName": table, "Key": key("WIRE"),
                       "UpdateExpression": "SET #n = :new, #blobs = :blobs REMOVE #gone",
                       "ConditionExpression": "#n = :n",
                       "ExpressionAttributeNames": {"#n": "number", "#blobs": "blobs",
                                                    "#gone": "empty"},
                       "ExpressionAttributeValues": {":n": {"N": "12.5"}, ":new": {"N": "13"},
                                                     ":blobs": {"BS": [b"\x01", b"\x02"]}},
                       "ReturnValues": "ALL_NEW", "ReturnConsumedCapacity": "TOTAL"},
        "DeleteItem": {"TableName": table, "Key": key("WIRE"), **condition,
                       "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"},
        "TransactWriteItems": {"TransactItems": [
            {"Put": {"TableName": table, "Item": item("WIRE", "2"),
                     "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Update": {"TableName": table, "Key": key("WIRE"),
                        "UpdateExpression": "SET #m.#inner = :b",
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeNames": {"#m": "map", "#inner": "inner"},
                        "ExpressionAttributeValues": {":b": {"B": b"\x99"}}}},
            {"ConditionCheck": {"TableName": table, "Key": key("OTHER"),
                                "ConditionExpression": "attribute_not_exists(PK)"}},
        ], "ReturnConsumedCapacity": "TOTAL"},
        "BatchWriteItem": {"RequestItems": {table: [
            {"PutRequest": {"Item": item("WIRE", "3")}},
            {"DeleteRequest": {"Key": key("WIRE", "4")}}]}, "ReturnConsumedCapacity": "TOTAL"},
    }


# -- a recording server ---------------------------------------------------------------------
class _RecordingHandler(fakes._Handler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.read_body()
        self.peer.record({"method": self.command, "path": self.path,
                          "target": self.headers.get("X-Amz-Target"),
                          "authorization": self.headers.get("Authorization"),
                          "headers": sorted(name.lower() for name in self.headers),
                          "body": json.loads(body)})
        self.send_json(200, {})


class RecordingPeer(fakes._Peer):
    """Answers every request with ``{}`` and keeps what it received."""

    handler = _RecordingHandler

    def __init__(self) -> None:
        super().__init__()
        self.received: list[dict[str, Any]] = []
        #: called (in the server's thread) with each request received
        self.on_request: Callable[[dict[str, Any]], None] | None = None

    def record(self, request: dict[str, Any]) -> None:
        self.note(request["target"])
        self.received.append(request)
        if self.on_request is not None:
            self.on_request(request)


@pytest.fixture
def point_at(dynamodb_endpoint: str) -> Iterator[Callable[[str], None]]:
    """Point dynadmin's clients at another endpoint (restored afterwards)."""
    saved = os.environ["AWS_ENDPOINT_URL_DYNAMODB"]

    def point(endpoint: str) -> None:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
        data.reset_client()

    yield point
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = saved
    data.reset_client()


def call(operation: str, params: dict[str, Any], *, fast_calls: bool, settings: Any,
         client: Any = None) -> dict[str, Any]:
    """One call through dynadmin's calling path, with the fast path on or off."""
    settings.DYNADMIN_FAST_CALLS = fast_calls
    writes = operation not in ("Query", "GetItem", "BatchGetItem")
    client = client or get_client(writes=writes)
    table = params.get("TableName") or "several"
    return calling.call_client(client, operation, table, writes=writes,
                               **copy.deepcopy(params))


def pipeline_calls(client: Any) -> list[str]:
    """The calls that go through boto3's pipeline (its ``before-call`` event), from now on."""
    seen: list[str] = []
    client.meta.events.register("before-call.dynamodb",
                                lambda model, **kw: seen.append(model.name),
                                unique_id="test-pipeline-calls")
    return seen


# -- the same request -----------------------------------------------------------------------
@pytest.mark.parametrize("operation", sorted(fast.FAST_OPERATIONS))
def test_the_fast_request_is_boto3s_request(operation, point_at, settings) -> None:
    request = requests_for("wire-table")[operation]
    with RecordingPeer() as peer:
        point_at(peer.endpoint)
        client = get_client(writes=operation not in ("Query", "GetItem", "BatchGetItem"))
        through_boto3 = pipeline_calls(client)
        call(operation, request, fast_calls=True, settings=settings)
        assert through_boto3 == [], "the fast path skips boto3's pipeline"
        call(operation, request, fast_calls=False, settings=settings)
        assert through_boto3 == [operation]
    fast_request, boto3_request = peer.received
    # botocore fills an idempotency token (TransactWriteItems' ClientRequestToken) with a
    # fresh uuid per call: both send one, of the same form.
    for sent in (fast_request, boto3_request):
        token = sent["body"].pop("ClientRequestToken", None)
        assert (token is not None) == (operation == "TransactWriteItems")
        if token:
            assert len(token) == 36 and token.count("-") == 4
        authorization = sent.pop("authorization")
        assert authorization.startswith("AWS4-HMAC-SHA256 Credential=local/")
        sent["signed"] = authorization.partition("SignedHeaders=")[2].partition(",")[0]
    assert fast_request == boto3_request  # the same headers, the same ones signed
    assert fast_request["target"] == f"DynamoDB_20120810.{operation}"
    assert fast_request["method"] == "POST" and fast_request["path"] == "/"


def test_only_dynadmins_own_clients_and_the_hot_operations_go_fast(dynamodb_endpoint,
                                                                     settings) -> None:
    own = get_client()
    assert fast.route_for(own, "Query") is not None
    assert fast.route_for(own, "Scan") is None
    assert fast.route_for(own, "DescribeTable") is None
    assert fast.route_for(boto3.client("dynamodb"), "Query") is None, "a host's client"
    settings.DYNADMIN_FAST_CALLS = False
    assert fast.route_for(own, "Query") is None


def test_scan_stays_refused(dynamodb_endpoint, settings) -> None:
    settings.DYNADMIN_FAST_CALLS = True
    with pytest.raises(data.ScanRefused):
        calling.call_client(get_client(), "Scan", "any-table", TableName="any-table")


# -- the same answers and errors, on DynamoDB Local and on moto -------------------------------
@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = local.start_moto()
    try:
        yield server.endpoint
    finally:
        server.stop()


@pytest.fixture(params=["session backend", "moto"])
def backend(request, dynamodb_endpoint, point_at) -> Iterator[Any]:
    """A fresh table on DynamoDB Local (the session's backend) or moto's server, and a plain
    boto3 client to set up items with."""
    endpoint = (request.getfixturevalue("moto_endpoint") if request.param == "moto"
                else dynamodb_endpoint)
    point_at(endpoint)
    plain = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id="local", aws_secret_access_key="local")
    name = f"fast-{request.param.split()[0]}-{next(_tables)}"
    plain.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                       KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                                  {"AttributeName": "SK", "KeyType": "RANGE"}],
                       AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                             {"AttributeName": "SK", "AttributeType": "S"}])
    plain.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    yield type("Backend", (), {"table": name, "plain": plain})
    plain.delete_table(TableName=name)


_tables = itertools.count()


def _state(backend: Any) -> None:
    """The items every comparison starts from (written again before each call)."""
    for sk in ("ITEM", "2", "3", "4", "A0", "A1"):
        backend.plain.delete_item(TableName=backend.table, Key=key("WIRE", sk))
    for sk in ("ITEM", "A0", "A1", "4"):
        backend.plain.put_item(TableName=backend.table, Item=item("WIRE", sk))


def both(backend: Any, operation: str, params: dict[str, Any], settings: Any
         ) -> tuple[Any, Any]:
    """The call's answer (or DataError) with the fast path, then with boto3, from one state."""
    outcomes = []
    for fast_calls in (True, False):
        _state(backend)
        try:
            answer = call(operation, params, fast_calls=fast_calls, settings=settings)
        except data.DataError as error:
            outcomes.append(error)
        else:
            answer.pop("ResponseMetadata")
            outcomes.append(answer)
    return outcomes[0], outcomes[1]


@pytest.mark.parametrize("operation", sorted(fast.FAST_OPERATIONS))
def test_the_fast_answer_is_boto3s_answer(operation, backend, settings) -> None:
    params = requests_for(backend.table)[operation]
    if operation == "Query":
        params = {k: v for k, v in params.items() if k not in ("ExclusiveStartKey",)}
    fast_answer, boto3_answer = both(backend, operation, params, settings)
    assert not isinstance(fast_answer, Exception), fast_answer
    assert fast_answer == boto3_answer
    if operation == "Query":
        assert fast_answer["LastEvaluatedKey"] == key("WIRE", "ITEM")
        assert fast_answer["Items"][0]["blob"] == {"B": b"\x00\x01binary\xff"}
    if operation in ("Query", "GetItem", "PutItem"):
        assert fast_answer["ConsumedCapacity"]["TableName"] == backend.table
    if operation == "BatchGetItem":
        assert "UnprocessedKeys" in fast_answer
        assert len(fast_answer["Responses"][backend.table]) == 1
    if operation in ("PutItem", "DeleteItem"):
        assert fast_answer["Attributes"]["map"] == EVERY_TYPE["map"]
    if operation == "UpdateItem":
        assert fast_answer["Attributes"]["blobs"] == {"BS": [b"\x01", b"\x02"]}


def _errors_alike(fast_error: Any, boto3_error: Any) -> None:
    assert isinstance(fast_error, data.DataError), fast_error
    assert type(fast_error) is type(boto3_error)
    assert str(fast_error) == str(boto3_error)
    assert vars(fast_error) == vars(boto3_error)


def test_a_failed_condition_is_the_same_conflict_with_the_item(backend, settings) -> None:
    params = {"TableName": backend.table, "Item": item("WIRE", number={"N": "1"}),
              "ConditionExpression": "attribute_not_exists(PK)",
              "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    fast_error, boto3_error = both(backend, "PutItem", params, settings)
    _errors_alike(fast_error, boto3_error)
    assert isinstance(fast_error, data.WriteConflict)
    assert fast_error.current is not None and fast_error.current["blob"] == b"\x00\x01binary\xff"
    assert fast_error.maybe_applied is False


def test_a_cancelled_transaction_is_the_same_conflict_with_its_reasons(backend,
                                                                      settings) -> None:
    params = {"TransactItems": [
        {"ConditionCheck": {"TableName": backend.table, "Key": key("WIRE", "A0"),
                            "ConditionExpression": "attribute_exists(PK)"}},
        {"Put": {"TableName": backend.table, "Item": item("WIRE"),
                 "ConditionExpression": "attribute_not_exists(PK)",
                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]}
    fast_error, boto3_error = both(backend, "TransactWriteItems", params, settings)
    _errors_alike(fast_error, boto3_error)
    assert isinstance(fast_error, data.TransactionConflict)
    assert fast_error.reasons == [None, "ConditionalCheckFailed"]


@pytest.mark.parametrize(("operation", "error"), [
    ("GetItem", data.TableNotFound), ("PutItem", data.TableNotFound),
    ("Query", data.InvalidRequest), ("UpdateItem", data.InvalidRequest)])
def test_a_refusal_is_the_same_error(operation, error, backend, settings) -> None:
    params = {
        "GetItem": {"TableName": "no-such-table", "Key": key("WIRE")},
        "PutItem": {"TableName": "no-such-table", "Item": item("WIRE"),
                    "ConditionExpression": "attribute_not_exists(PK)"},
        "Query": {"TableName": backend.table, "KeyConditionExpression": "SK = :s",
                  "ExpressionAttributeValues": {":s": {"S": "x"}}},
        "UpdateItem": {"TableName": backend.table, "Key": key("WIRE"),
                       "UpdateExpression": "SET #a = :undefined",
                       "ExpressionAttributeNames": {"#a": "a"}},
    }[operation]
    fast_error, boto3_error = both(backend, operation, params, settings)
    _errors_alike(fast_error, boto3_error)
    assert isinstance(fast_error, error)


# -- credentials, budget, lost answers --------------------------------------------------------
def test_refreshing_credentials_are_frozen_afresh_for_every_request(point_at,
                                                                    settings) -> None:
    """A client on refreshable credentials (an assumed role's, renewed by botocore before
    they expire) signs each request with the credentials of the moment."""
    counter = itertools.count(1)

    def refresh() -> dict[str, Any]:
        # Expiring within botocore's mandatory refresh window: renewed on every use.
        expiry = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
        return {"access_key": f"AKIAROLE{next(counter):04d}", "secret_key": "s",
                "token": "t", "expiry_time": expiry.isoformat()}

    core = botocore.session.Session()
    core._credentials = DeferredRefreshableCredentials(refresh, method="sts-assume-role")
    settings.DYNADMIN_FAST_CALLS = True
    with RecordingPeer() as peer:
        client = boto3.session.Session(botocore_session=core, region_name="us-east-1").client(
            "dynamodb", endpoint_url=peer.endpoint, config=client_config(writes=False))
        refuse_scans(client)
        parse_reads_lightly(client)
        fast.adopt(client)  # built as dynadmin builds its own (client.py)
        through_boto3 = pipeline_calls(client)
        for _ in range(3):
            calling.call_client(client, "GetItem", "t", TableName="t", Key=key("X"))
    assert through_boto3 == []
    keys = [r["authorization"].split("Credential=")[1].split("/")[0] for r in peer.received]
    assert len(set(keys)) == 3 and all(k.startswith("AKIAROLE") for k in keys), keys


def test_a_spent_budget_sends_nothing(point_at, settings) -> None:
    settings.DYNADMIN_FAST_CALLS = True
    with RecordingPeer() as peer:
        point_at(peer.endpoint)
        with call_log.recording(budget=5) as log:
            log.deadline = 0.0  # spent
            with pytest.raises(data.Unavailable, match="Nothing more was sent"):
                calling.call("GetItem", "any-table", TableName="any-table", Key=key("X"))
    assert peer.received == []


class _ThrottlingRecorder(fakes._Handler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.read_body()
        self.peer.note(fakes.operation_of(self.headers))
        self.peer.spend()  # the page's budget runs out while DynamoDB answers
        self.send_json(400, {"__type": fakes.ERROR_PREFIX + "ThrottlingException",
                             "message": "Rate exceeded"})


class _SpendingPeer(fakes._Peer):
    handler = _ThrottlingRecorder
    log: call_log.CallLog

    def spend(self) -> None:
        self.log.deadline = 0.0


@pytest.mark.parametrize("fast_calls", [True, False])
def test_the_budget_is_checked_before_every_retry(fast_calls, point_at, settings) -> None:
    """A throttled write was not applied; the retry the spent budget stopped was not sent:
    the write did not happen (not "maybe applied"), on either path."""
    settings.DYNADMIN_FAST_CALLS = fast_calls
    settings.DYNADMIN_MAX_ATTEMPTS = 5
    with _SpendingPeer() as peer:
        point_at(peer.endpoint)
        with call_log.recording(budget=30) as log:
            peer.log = log
            with pytest.raises(data.Unavailable, match="Nothing more was sent") as caught:
                calling.call("PutItem", "t", writes=True, TableName="t", Item=item("X"),
                             ConditionExpression="attribute_not_exists(PK)")
    assert peer.requests == ["PutItem"], "no retry once the budget is spent"
    assert caught.value.maybe_applied is False


def test_a_throttled_read_is_retried_as_boto3_retries_it(point_at, settings) -> None:
    attempts = []
    for fast_calls in (True, False):
        settings.DYNADMIN_FAST_CALLS = fast_calls
        settings.DYNADMIN_READ_MAX_ATTEMPTS = 2
        with fakes.throttling_peer() as peer:
            point_at(peer.endpoint)
            with pytest.raises(data.Throttled):
                calling.call("GetItem", "any-table", TableName="any-table", Key=key("X"))
        attempts.append(len(peer.requests))
    assert attempts == [3, 3]


def test_a_write_whose_answer_never_came_may_have_been_applied(point_at, settings) -> None:
    settings.DYNADMIN_FAST_CALLS = True
    settings.DYNADMIN_READ_TIMEOUT = 1
    settings.DYNADMIN_MAX_ATTEMPTS = 0
    with fakes.SilentPeer() as peer:
        point_at(peer.endpoint)
        client = get_client(writes=True)
        through_boto3 = pipeline_calls(client)
        with pytest.raises(data.Unavailable) as caught:
            calling.call_client(client, "PutItem", "t", writes=True, TableName="t",
                                Item=item("X"), ConditionExpression="attribute_not_exists(PK)")
    assert through_boto3 == [] and peer.requests == ["PutItem"]
    assert caught.value.maybe_applied is True


def test_calls_from_several_threads_share_the_route(dynamodb_endpoint, settings,
                                                    shop_table) -> None:
    settings.DYNADMIN_FAST_CALLS = True
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(5):
                calling.call_client(get_client(), "GetItem", shop_table.table_name,
                                    TableName=shop_table.table_name, Key=key("NONE"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


class _Stop(Exception):  # noqa: N818 - ends a call in before-send, before anything is sent
    pass


def stopped_in_before_send(client: Any, handler: Callable[..., None], settings: Any) -> None:
    """A GetItem through the fast path, then through boto3, each ended by ``handler`` (which
    raises _Stop) in before-send, so nothing leaves the machine."""
    client.meta.events.register("before-send.dynamodb", handler)
    for fast_calls in (True, False):
        settings.DYNADMIN_FAST_CALLS = fast_calls
        with pytest.raises(_Stop):
            calling.call_client(client, "GetItem", "t", TableName="t", Key=key("X"))


@pytest.mark.parametrize("account", [None, "123456789012"])
def test_the_fast_request_goes_where_boto3s_goes_on_aws(account, settings,
                                                       monkeypatch) -> None:
    """On AWS the client's endpoint rules choose the URL (the account's own endpoint when
    the credentials name one): the fast path asks the same rules. Each call is stopped in
    before-send, so nothing leaves the machine."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ACCOUNT_ID"):
        monkeypatch.delenv(name, raising=False)
    extra = {"aws_account_id": account} if account else {}
    session = boto3.session.Session(aws_access_key_id="AKIAFAST", aws_secret_access_key="s",
                                    region_name="eu-west-1", **extra)
    client = session.client("dynamodb", config=client_config(writes=False))
    fast.adopt(client)
    urls: list[tuple[str, str]] = []

    def stop(request: Any, **kwargs: Any) -> None:
        urls.append((request.url, request.headers["Authorization"]))
        raise _Stop

    stopped_in_before_send(client, stop, settings)
    (fast_url, fast_auth), (boto3_url, boto3_auth) = urls
    assert fast_url == boto3_url == (f"https://{account}.ddb.eu-west-1.amazonaws.com/"
                                     if account else "https://dynamodb.eu-west-1.amazonaws.com/")
    scope = "/eu-west-1/dynamodb/aws4_request"
    assert scope in str(fast_auth) and scope in str(boto3_auth)


def test_a_before_send_handler_reads_and_sets_headers_in_any_spelling_on_both_paths(
        settings) -> None:
    """botocore's header map answers any spelling of a name: a host's handler written for it
    reads and replaces the fast request's headers alike (the fast path's map is a dict)."""
    session = boto3.session.Session(aws_access_key_id="AKIAFAST", aws_secret_access_key="s",
                                    region_name="eu-west-1")
    client = session.client("dynamodb", config=client_config(writes=False))
    fast.adopt(client)
    seen: list[tuple[Any, ...]] = []

    def text(value: Any) -> Any:  # botocore keeps some values as bytes, the fast path text
        return value.decode() if isinstance(value, bytes) else value

    def look(request: Any, **kwargs: Any) -> None:
        headers = request.headers
        headers["x-extra"] = "first"
        headers["X-Extra"] = "second"  # the same header, spelled otherwise: replaced
        seen.append((text(headers["x-amz-target"]), text(headers.get("CONTENT-TYPE")),
                     "authorization" in headers, "x-absent" in headers,
                     headers.get("x-absent", "none"), headers["x-extra"],
                     sorted(name.lower() for name in headers).count("x-extra")))
        del headers["X-EXTRA"]
        assert "x-extra" not in headers
        raise _Stop

    stopped_in_before_send(client, look, settings)
    fast_seen, boto3_seen = seen
    assert fast_seen == boto3_seen == ("DynamoDB_20120810.GetItem",
                                       "application/x-amz-json-1.0", True, False, "none",
                                       "second", 1)


def test_a_request_not_in_wire_form_is_refused_as_boto3_refuses_it(point_at, settings) -> None:
    """boto3 checks the parameters against the model before sending; the fast path sends
    what is already DynamoDB's wire form, and leaves anything else to boto3's check."""
    errors = []
    with RecordingPeer() as peer:
        point_at(peer.endpoint)
        for fast_calls in (True, False):
            settings.DYNADMIN_FAST_CALLS = fast_calls
            with pytest.raises(data.InvalidRequest) as caught:
                calling.call_client(get_client(writes=True), "PutItem", "t", writes=True,
                                    TableName="t", Item={**key("X"), "tags": {"SS": {"a"}}},
                                    ConditionExpression="attribute_not_exists(PK)")
            errors.append(caught.value)
    assert peer.received == [], "nothing was sent"
    _errors_alike(*errors)


class _NotDynamoDB(fakes._Handler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.read_body()
        self.peer.note(fakes.operation_of(self.headers))
        body = b"<html>a proxy's page</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _NotDynamoDBPeer(fakes._Peer):
    handler = _NotDynamoDB


def test_an_answer_that_is_not_dynamodbs_is_read_as_boto3_reads_it(point_at,
                                                                  settings) -> None:
    answers = []
    with _NotDynamoDBPeer() as peer:
        point_at(peer.endpoint)
        for fast_calls in (True, False):
            answer = call("GetItem", {"TableName": "t", "Key": key("X")},
                          fast_calls=fast_calls, settings=settings)
            answers.append({k: v for k, v in answer.items() if k != "ResponseMetadata"})
    assert answers[0] == answers[1]
    assert "Item" not in answers[0]


def _wire(value: Any) -> Any:
    """An attribute value as DynamoDB writes it in JSON (binary in base64)."""
    return json.loads(json.dumps(value, default=fast._blob))


@pytest.mark.parametrize("operation", sorted(fast.FAST_OPERATIONS))
def test_every_item_of_an_answer_is_decoded_where_botocore_decodes_it(operation) -> None:
    """Answers DynamoDB Local cannot be made to give (unprocessed writes, item collection
    metrics) parsed both ways from the same body: json.loads with the binary values decoded,
    and botocore's parser walking the operation's output shape."""
    one = _wire(item("P", "S"))
    metrics = {"ItemCollectionKey": _wire({"PK": {"B": b"\x01"}}),
               "SizeEstimateRangeGB": [1.0, 2.0]}
    answers = {
        "Query": {"Items": [one, one], "LastEvaluatedKey": _wire({"PK": {"B": b"\x02"}}),
                  "Count": 2, "ScannedCount": 2},
        "GetItem": {"Item": one},
        "BatchGetItem": {"Responses": {"t": [one]},
                         "UnprocessedKeys": {"t": {"Keys": [_wire({"PK": {"B": b"\x03"}})]}}},
        "PutItem": {"Attributes": one, "ItemCollectionMetrics": metrics},
        "UpdateItem": {"Attributes": one, "ItemCollectionMetrics": metrics},
        "DeleteItem": {"Attributes": one, "ItemCollectionMetrics": metrics},
        "TransactWriteItems": {"ItemCollectionMetrics": {"t": [metrics]}},
        "BatchWriteItem": {"UnprocessedItems": {"t": [
            {"PutRequest": {"Item": one}},
            {"DeleteRequest": {"Key": _wire({"PK": {"B": b"\x04"}})}}]},
            "ItemCollectionMetrics": {"t": [metrics]}},
    }
    body = json.dumps(answers[operation]).encode()
    model = botocore.session.Session().get_service_model("dynamodb").operation_model(operation)
    expected = create_parser("json").parse({"body": body, "headers": {}, "status_code": 200},
                                           model.output_shape)
    expected.pop("ResponseMetadata", None)
    got = json.loads(body)
    decode_binary(got)
    assert got == expected
    assert "b'" in repr(expected), "the answer held binary values to decode"
