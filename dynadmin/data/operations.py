"""Every DynamoDB call dynadmin makes, and nothing else.

Each function takes definitions (a ``Table`` or an ``Index``) and Python values, builds the
request with every attribute name behind a placeholder, times it, records its consumed
capacity in the request's call log, and turns DynamoDB's errors into dynadmin's types.

There is deliberately no scan here. Writes take a mandatory ``condition``: an unconditional
put, update or delete cannot be expressed through this module (bulk loading of fixtures is
the one exception and says so in its name).
"""

from __future__ import annotations

import contextvars
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import ConditionBase, ConditionExpressionBuilder
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ParamValidationError,
    ReadTimeoutError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from ..definitions.tables import Index, Table
from . import calls
from .client import get_client_for
from .errors import (
    AccessDenied,
    DataError,
    IndexNotFound,
    InvalidRequest,
    NotSupported,
    ScanRefused,
    TableNotFound,
    Throttled,
    TransactionConflict,
    Unavailable,
    WriteConflict,
    iam_action,
)
from .read_only import ensure_writable
from .serialization import deserialize_item, serialize, serialize_item

__all__ = [
    "Page", "SortCondition", "batch_get", "delete_item", "describe", "get_item", "put_item",
    "query", "query_request",
    "transact_write", "update_item", "load_items_unconditionally", "Put", "Update",
    "Delete", "ConditionCheck", "SORT_OPERATORS",
]

SORT_OPERATORS = ("=", "<", "<=", ">", ">=", "begins_with", "between")
BATCH_GET_LIMIT = 100  # keys per BatchGetItem
BATCH_WRITE_LIMIT = 25  # items per BatchWriteItem
TRANSACTION_LIMIT = 100  # actions per TransactWriteItems


@dataclass(frozen=True)
class SortCondition:
    """A sort-key condition: ``begins_with ORDER#``, ``between A and B``, ``>= X``..."""

    op: str
    value: Any
    value2: Any = None

    def __post_init__(self) -> None:
        if self.op not in SORT_OPERATORS:
            raise ValueError(f"unknown sort key operator {self.op!r}")
        if self.op == "between" and self.value2 is None:
            raise ValueError("between needs two values")


@dataclass
class Page:
    """One Query response: the items, and the key to continue from (None at the end)."""

    items: list[dict[str, Any]]
    last_evaluated_key: dict[str, Any] | None
    count: int
    scanned_count: int
    consumed_rcu: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# -- plumbing -----------------------------------------------------------------------------
class _Names:
    """Expression placeholders: attribute names never appear in an expression as text."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        for placeholder, existing in self.names.items():
            if existing == attribute:
                return placeholder
        placeholder = f"#k{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":k{len(self.values)}"
        self.values[placeholder] = serialize(value)
        return placeholder

    def condition(self, condition: ConditionBase, *, is_key: bool = False) -> str:
        built = ConditionExpressionBuilder().build_expression(condition, is_key_condition=is_key)
        expression = built.condition_expression
        # The builder numbers its placeholders from 0 every time; rename them into ours.
        for placeholder, attribute in built.attribute_name_placeholders.items():
            expression = expression.replace(placeholder, self.name(attribute))
        for placeholder in sorted(built.attribute_value_placeholders, key=len, reverse=True):
            value = built.attribute_value_placeholders[placeholder]
            expression = expression.replace(placeholder, self.value(value))
        return expression

    def apply(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.names:
            params["ExpressionAttributeNames"] = self.names
        if self.values:
            params["ExpressionAttributeValues"] = self.values
        return params


_ERRORS_BY_CODE: dict[str, type[DataError]] = {
    "ResourceNotFoundException": TableNotFound,
    "AccessDeniedException": AccessDenied,
    "UnrecognizedClientException": AccessDenied,
    "InvalidSignatureException": AccessDenied,
    "IncompleteSignatureException": AccessDenied,
    "MissingAuthenticationTokenException": AccessDenied,
    "InvalidClientTokenId": AccessDenied,
    "ExpiredToken": AccessDenied,
    "ExpiredTokenException": AccessDenied,
    "RequestExpired": AccessDenied,
    "ProvisionedThroughputExceededException": Throttled,
    "ThrottlingException": Throttled,
    "Throttling": Throttled,
    "RequestLimitExceeded": Throttled,
    "ValidationException": InvalidRequest,
    "SerializationException": InvalidRequest,
    "UnknownOperationException": NotSupported,
    "InternalServerError": Unavailable,
    "InternalFailure": Unavailable,
    "ServiceUnavailable": Unavailable,
    "ServiceUnavailableException": Unavailable,
}

# AWS refused *who* is asking (unknown, expired or badly signed credentials) rather than what.
_CREDENTIAL_CODES = frozenset(code for code, error in _ERRORS_BY_CODE.items()
                              if error is AccessDenied and code != "AccessDeniedException")


def _where(table: str | None, index: str | None) -> str:
    if not table:
        return ""
    return f" on index {index} of table {table}" if index else f" on table {table}"


def _read_timeout() -> float:
    from .client import _setting

    return float(_setting("DYNADMIN_READ_TIMEOUT", 5))


def _translate(exc: Exception, operation: str, *, table: str | None = None,
               index: str | None = None, attempts: int = 1) -> DataError:
    """DynamoDB's error (or botocore's) as a DataError saying what happened and what to do."""
    if isinstance(exc, DataError):
        return exc
    where = _where(table, index)
    context = {"operation": operation, "table": table, "index": index}
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        message = exc.response.get("Error", {}).get("Message", "") or code
        lowered = message.lower()
        if code == "ValidationException" and "not supported" in lowered:
            return NotSupported(message, **context)
        # DynamoDB (and DynamoDB Local) call a missing index a ValidationException ("The table
        # does not have the specified index"); moto a ResourceNotFoundException ("Invalid index").
        if index and ((code == "ValidationException" and "specified index" in lowered)
                      or (code == "ResourceNotFoundException" and "index" in lowered)):
            return IndexNotFound(
                f"The definitions declare the index {index}, but the table {table} has no such "
                f"index ({operation}: {message}).", **context)
        error_type = _ERRORS_BY_CODE.get(code, DataError)
        if error_type is TableNotFound:
            return TableNotFound(
                f"DynamoDB has no table {table} in this account and region, or it is not "
                f"active ({operation}: {message}).", **context)
        if error_type is AccessDenied:
            action = iam_action(operation)
            if code in _CREDENTIAL_CODES:
                return AccessDenied(
                    f"AWS refused the credentials dynadmin runs with ({code}) when calling "
                    f"{operation}{where}: {message}", **context,
                    title="AWS refused the credentials",
                    advice="The access key is unknown, badly signed or expired: renew the "
                           "credentials dynadmin runs with (environment, AWS_PROFILE, role), "
                           "check the region, then reload this page.")
            return AccessDenied(
                f"AWS refused the permission {action}{where}: {message}", **context,
                advice=f"Grant the IAM action {action} on the table"
                       + (" and its indexes (…/index/*)" if index else "")
                       + " to the role or user dynadmin runs as, then reload this page.")
        if error_type is Throttled:
            return Throttled(f"DynamoDB throttled {operation}{where} ({code}): {message}",
                             **context)
        if error_type is Unavailable:
            return Unavailable(f"DynamoDB answered {operation}{where} with an internal error "
                               f"({code}): {message}", **context,
                               title="DynamoDB failed to answer")
        return error_type(f"DynamoDB refused {operation}{where} ({code}): {message}",
                          **context)
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError)):
        endpoint = exc.kwargs.get("endpoint_url", "")
        return Unavailable(
            f"dynadmin could not connect to DynamoDB at {endpoint} ({operation}{where}): "
            f"the connection was refused or timed out. Nothing was sent.", **context)
    if isinstance(exc, ReadTimeoutError):
        tries = f", {attempts} attempts" if attempts > 1 else ""
        return Unavailable(
            f"DynamoDB did not answer {operation}{where} within {_read_timeout():g} s "
            f"(dynadmin's read timeout{tries}).", **context,
            title="DynamoDB did not answer in time")
    if isinstance(exc, (BotoConnectionError, HTTPClientError)):
        return Unavailable(
            f"The connection to DynamoDB broke during {operation}{where} before an answer "
            f"came back ({exc}).", **context)
    if isinstance(exc, ParamValidationError):
        return InvalidRequest(f"{operation}: {exc}", **context)
    if isinstance(exc, BotoCoreError):
        return DataError(f"{operation}: {exc}", **context)
    raise exc


# -- what each attempt of a call did (botocore retries transparently) ----------------------
# Per attempt: "answered" (DynamoDB answered and, if it refused, refused before doing
# anything), "unsent" (no connection: nothing reached DynamoDB), or "lost" (sent, but the
# answer never came back, or was an internal error: it may have been applied).
_attempts: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "dynadmin_attempts", default=None)
_tracked_clients: weakref.WeakSet[Any] = weakref.WeakSet()


def _note_attempt(response: Any = None, caught_exception: Any = None, **kwargs: Any) -> None:
    log = _attempts.get()
    if log is None:
        return None
    if caught_exception is not None:
        unsent = isinstance(caught_exception, (EndpointConnectionError, ConnectTimeoutError))
        log.append("unsent" if unsent else "lost")
    elif response is not None:
        status = getattr(response[0], "status_code", 200)
        log.append("lost" if status >= 500 else "answered")
    return None  # never decides on retries itself


def _track_attempts(client: Any) -> None:
    if client not in _tracked_clients:
        client.meta.events.register("needs-retry.dynamodb", _note_attempt,
                                    unique_id="dynadmin-note-attempt")
        _tracked_clients.add(client)


def _capacity(response: Mapping[str, Any]) -> tuple[float | None, float | None]:
    consumed = response.get("ConsumedCapacity")
    if not consumed:
        return None, None
    entries = consumed if isinstance(consumed, list) else [consumed]
    rcu = sum(e.get("ReadCapacityUnits", 0) or 0 for e in entries)
    wcu = sum(e.get("WriteCapacityUnits", 0) or 0 for e in entries)
    total = sum(e.get("CapacityUnits", 0) or 0 for e in entries)
    # Some endpoints report only CapacityUnits: attribute it to the kind of call made.
    return (rcu or None, wcu or None) if (rcu or wcu) else (total or None, None)


def _call(operation: str, table: str, index: str | None = None, *,
          writes: bool = False, **params: Any) -> dict[str, Any]:
    """Make one call: time it, log it, translate its errors."""
    client = get_client_for(table)
    _track_attempts(client)
    method = getattr(client, _snake(operation))
    started = time.perf_counter()
    entry = calls.Call(operation=operation, table=table, index=index)
    attempts: list[str] = []
    token = _attempts.set(attempts)
    try:
        response = method(**params)
    except ScanRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes a typed DataError
        entry.latency_ms = (time.perf_counter() - started) * 1000
        error = _translate(exc, operation, table=table, index=index,
                           attempts=max(len(attempts), 1))
        error.maybe_applied = "lost" in attempts
        entry.error = type(error).__name__
        calls.record(entry)
        raise error from exc
    finally:
        _attempts.reset(token)
    entry.latency_ms = (time.perf_counter() - started) * 1000
    rcu, wcu = _capacity(response)
    if writes and rcu and not wcu:
        rcu, wcu = None, rcu
    entry.consumed_rcu, entry.consumed_wcu = rcu, wcu
    entry.count = response.get("Count")
    entry.scanned_count = response.get("ScannedCount")
    calls.record(entry)
    return response


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


_PYTHON_KEY_TYPES = {"S": (str,), "N": (int, Decimal), "B": (bytes,)}


def _checked_key(table: Table, key: Mapping[str, Any]) -> dict[str, Any]:
    """The primary key, checked against the definition before DynamoDB sees it.

    Backends differ in how they report a wrong key (moto accepts some that DynamoDB refuses),
    so the check happens here, with a message a person can act on.
    """
    index = table.primary
    expected = {index.pk: index.pk_type}
    if index.sk:
        expected[index.sk] = index.sk_type
    if set(key) != set(expected):
        raise InvalidRequest(
            f"A key of {table.name} has exactly {', '.join(expected)}; got {', '.join(key)}.")
    for attribute, key_type in expected.items():
        value = key[attribute]
        if isinstance(value, bool) or not isinstance(value, _PYTHON_KEY_TYPES[key_type]):
            raise InvalidRequest(f"{attribute} is a key of type {key_type}; got {value!r}.")
        if value == "" or value == b"":
            raise InvalidRequest(f"{attribute} is a key and cannot be empty.")
    return serialize_item(key)


# -- reads --------------------------------------------------------------------------------
def get_item(table: Table, key: Mapping[str, Any], *, consistent: bool = False
             ) -> dict[str, Any] | None:
    """The item with this primary key, or None."""
    response = _call(
        "GetItem", table.table_name, TableName=table.table_name, Key=_checked_key(table, key),
        ConsistentRead=consistent,
        ReturnConsumedCapacity="TOTAL",
    )
    item = response.get("Item")
    return deserialize_item(item) if item is not None else None


def query_request(
    index: Index,
    partition: Any,
    sort: SortCondition | None = None,
    *,
    forward: bool = True,
    limit: int = 50,
    start_key: Mapping[str, Any] | None = None,
    consistent: bool = False,
    filter: ConditionBase | None = None,
) -> dict[str, Any]:
    """The Query request (low-level parameters) that ``query()`` sends.

    Public so that pages can show the exact call as code (boto3 / AWS CLI).
    """
    if consistent and index.name is not None and not index.local:
        raise InvalidRequest("Strongly consistent reads are not possible on a global index.")
    names = _Names()
    condition = f"{names.name(index.pk)} = {names.value(partition)}"
    if sort is not None:
        if index.sk is None:
            raise InvalidRequest(f"{index.label} has no sort key to put a condition on.")
        sk = names.name(index.sk)
        if sort.op == "begins_with":
            condition += f" AND begins_with({sk}, {names.value(sort.value)})"
        elif sort.op == "between":
            low, high = names.value(sort.value), names.value(sort.value2)
            condition += f" AND {sk} BETWEEN {low} AND {high}"
        else:
            condition += f" AND {sk} {sort.op} {names.value(sort.value)}"
    params: dict[str, Any] = {
        "TableName": index.table.table_name,
        "KeyConditionExpression": condition,
        "ScanIndexForward": forward,
        "Limit": limit,
        "ReturnConsumedCapacity": "TOTAL",
    }
    if index.name:
        params["IndexName"] = index.name
    if consistent:
        params["ConsistentRead"] = True
    if start_key:
        params["ExclusiveStartKey"] = serialize_item(start_key)
    if filter is not None:
        params["FilterExpression"] = names.condition(filter)
    return names.apply(params)


def query(
    index: Index,
    partition: Any,
    sort: SortCondition | None = None,
    *,
    forward: bool = True,
    limit: int = 50,
    start_key: Mapping[str, Any] | None = None,
    consistent: bool = False,
    filter: ConditionBase | None = None,
) -> Page:
    """One Query page of a partition, on the table or a secondary index.

    ``limit`` bounds the items DynamoDB reads (before any filter), so a page costs the same
    whatever the filter matches: dynadmin never loops to fill a page.
    """
    params = query_request(index, partition, sort, forward=forward, limit=limit,
                           start_key=start_key, consistent=consistent, filter=filter)
    response = _call("Query", index.table.table_name, index.name, **params)
    last = response.get("LastEvaluatedKey")
    return Page(
        items=[deserialize_item(i) for i in response.get("Items", [])],
        last_evaluated_key=deserialize_item(last) if last else None,
        count=response.get("Count", 0),
        scanned_count=response.get("ScannedCount", 0),
        consumed_rcu=_capacity(response)[0],
    )


def batch_get(table: Table, keys: Sequence[Mapping[str, Any]], *, consistent: bool = False
              ) -> list[dict[str, Any]]:
    """The items for up to 100 keys (missing ones are simply absent), retrying unprocessed keys."""
    if len(keys) > BATCH_GET_LIMIT:
        raise InvalidRequest(f"BatchGetItem takes at most {BATCH_GET_LIMIT} keys.")
    name = table.table_name
    request = {name: {"Keys": [serialize_item(k) for k in keys], "ConsistentRead": consistent}}
    items: list[dict[str, Any]] = []
    for attempt in range(8):
        if not request:
            break
        response = _call("BatchGetItem", name, RequestItems=request,
                         ReturnConsumedCapacity="TOTAL")
        items.extend(deserialize_item(i) for i in response.get("Responses", {}).get(name, []))
        request = response.get("UnprocessedKeys") or {}
        if request:
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
    if request:
        raise Throttled("BatchGetItem: DynamoDB kept keys unprocessed; try again.")
    return items


# -- writes -------------------------------------------------------------------------------
def _condition_params(names: _Names, condition: ConditionBase | str) -> str:
    if isinstance(condition, str):
        raise TypeError("conditions are boto3 condition objects (Attr(...)), never raw text")
    return names.condition(condition)


def _conflict(exc: DataError, operation: str) -> DataError:
    cause = exc.__cause__
    if isinstance(cause, ClientError) and (
        cause.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
    ):
        old = cause.response.get("Item")
        conflict = WriteConflict(
            f"{operation}: the item changed since it was read",
            current=deserialize_item(old) if old else None, operation=operation,
        )
        # An earlier attempt (retried by botocore) may have been applied: then the condition
        # failed on this write's own result.
        conflict.maybe_applied = exc.maybe_applied
        return conflict
    return exc


def put_item(table: Table, item: Mapping[str, Any], *, condition: ConditionBase) -> None:
    """PutItem guarded by ``condition`` (e.g. ``Attr("PK").not_exists()`` for a create)."""
    ensure_writable(table)
    names = _Names()
    params = {
        "TableName": table.table_name,
        "Item": serialize_item(item),
        "ConditionExpression": _condition_params(names, condition),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }
    try:
        _call("PutItem", table.table_name, writes=True, **names.apply(params))
    except DataError as exc:
        raise _conflict(exc, "PutItem") from exc.__cause__


def update_item(
    table: Table,
    key: Mapping[str, Any],
    *,
    condition: ConditionBase,
    set: Mapping[str, Any] | None = None,
    remove: Iterable[str] = (),
    add: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """UpdateItem of only the given attributes, guarded by ``condition``; returns the new item."""
    ensure_writable(table)
    names = _Names()
    clauses = []
    if set:
        clauses.append("SET " + ", ".join(
            f"{names.name(a)} = {names.value(v)}" for a, v in set.items()))
    if add:
        clauses.append("ADD " + ", ".join(
            f"{names.name(a)} {names.value(v)}" for a, v in add.items()))
    removed = list(remove)
    if removed:
        clauses.append("REMOVE " + ", ".join(names.name(a) for a in removed))
    if not clauses:
        raise InvalidRequest("Nothing to update.")
    params = {
        "TableName": table.table_name,
        "Key": _checked_key(table, key),
        "UpdateExpression": " ".join(clauses),
        "ConditionExpression": _condition_params(names, condition),
        "ReturnValues": "ALL_NEW",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }
    try:
        response = _call("UpdateItem", table.table_name, writes=True, **names.apply(params))
    except DataError as exc:
        raise _conflict(exc, "UpdateItem") from exc.__cause__
    return deserialize_item(response.get("Attributes", {}))


def delete_item(table: Table, key: Mapping[str, Any], *, condition: ConditionBase
                ) -> dict[str, Any] | None:
    """DeleteItem guarded by ``condition``; returns the deleted item."""
    ensure_writable(table)
    names = _Names()
    params = {
        "TableName": table.table_name,
        "Key": _checked_key(table, key),
        "ConditionExpression": _condition_params(names, condition),
        "ReturnValues": "ALL_OLD",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }
    try:
        response = _call("DeleteItem", table.table_name, writes=True, **names.apply(params))
    except DataError as exc:
        raise _conflict(exc, "DeleteItem") from exc.__cause__
    old = response.get("Attributes")
    return deserialize_item(old) if old else None


@dataclass
class Put:
    table: Table
    item: Mapping[str, Any]
    condition: ConditionBase


@dataclass
class Update:
    table: Table
    key: Mapping[str, Any]
    condition: ConditionBase
    set: Mapping[str, Any] = field(default_factory=dict)
    remove: Sequence[str] = ()


@dataclass
class Delete:
    table: Table
    key: Mapping[str, Any]
    condition: ConditionBase


@dataclass
class ConditionCheck:
    table: Table
    key: Mapping[str, Any]
    condition: ConditionBase


def _transact_action(action: Put | Update | Delete | ConditionCheck) -> dict[str, Any]:
    names = _Names()
    body: dict[str, Any] = {"TableName": action.table.table_name}
    if isinstance(action, Put):
        body["Item"] = serialize_item(action.item)
        kind = "Put"
    else:
        body["Key"] = _checked_key(action.table, action.key)
        kind = type(action).__name__
    if isinstance(action, Update):
        clauses = []
        if action.set:
            clauses.append("SET " + ", ".join(
                f"{names.name(a)} = {names.value(v)}" for a, v in action.set.items()))
        if action.remove:
            clauses.append("REMOVE " + ", ".join(names.name(a) for a in action.remove))
        body["UpdateExpression"] = " ".join(clauses)
    body["ConditionExpression"] = _condition_params(names, action.condition)
    body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {kind: names.apply(body)}


def transact_write(actions: Sequence[Put | Update | Delete | ConditionCheck]) -> None:
    """All of the actions or none of them (TransactWriteItems, at most 100 actions)."""
    ensure_writable(*(action.table for action in actions))
    if not actions:
        return
    if len(actions) > TRANSACTION_LIMIT:
        raise InvalidRequest(f"A transaction takes at most {TRANSACTION_LIMIT} actions.")
    tables = sorted({a.table.table_name for a in actions})
    try:
        _call("TransactWriteItems", ",".join(tables), writes=True,
              TransactItems=[_transact_action(a) for a in actions],
              ReturnConsumedCapacity="TOTAL")
    except DataError as exc:
        cause = exc.__cause__
        if isinstance(cause, ClientError) and (
            cause.response.get("Error", {}).get("Code") == "TransactionCanceledException"
        ):
            reasons = cause.response.get("CancellationReasons", [])
            conflict = TransactionConflict(
                "The transaction was cancelled: " + "; ".join(
                    r.get("Code", "") for r in reasons if r.get("Code") not in (None, "None")),
                reasons=[r.get("Code") if r.get("Code") not in (None, "None") else None
                         for r in reasons],
                items=[deserialize_item(r["Item"]) if r.get("Item") else None for r in reasons],
                operation="TransactWriteItems",
            )
            conflict.maybe_applied = exc.maybe_applied
            raise conflict from cause
        raise


def load_items_unconditionally(table: Table, items: Iterable[Mapping[str, Any]]) -> int:
    """Bulk-load fixture items with BatchWriteItem (25 at a time, retrying unprocessed ones).

    BatchWriteItem cannot carry a condition, so this is for seeding and benchmarks only; no
    view calls it. Returns how many items were written.
    """
    ensure_writable(table)
    name = table.table_name
    written = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        request = {name: batch[:]}
        for attempt in range(10):
            response = _call("BatchWriteItem", name, writes=True, RequestItems=request)
            request = response.get("UnprocessedItems") or {}
            if not request:
                return
            time.sleep(min(0.05 * 2 ** attempt, 2.0))
        raise Throttled("BatchWriteItem: DynamoDB kept items unprocessed; try again.")

    for item in items:
        batch.append({"PutRequest": {"Item": serialize_item(item)}})
        if len(batch) == BATCH_WRITE_LIMIT:
            flush()
            written += len(batch)
            batch.clear()
    if batch:
        flush()
        written += len(batch)
    return written


# -- describe -----------------------------------------------------------------------------
def describe(operation: str, table: Table) -> dict[str, Any]:
    """One of the Describe calls for a table (DescribeTable, DescribeTimeToLive,
    DescribeContinuousBackups, DescribeContributorInsights).

    Raises NotSupported when the endpoint does not offer it (DynamoDB Local lacks several).
    """
    allowed = ("DescribeTable", "DescribeTimeToLive", "DescribeContinuousBackups",
               "DescribeContributorInsights")
    if operation not in allowed:
        raise ValueError(f"not a describe call: {operation}")
    return _call(operation, table.table_name, TableName=table.table_name)


def list_tags(resource_arn: str, table_name: str) -> list[dict[str, str]]:
    response = _call("ListTagsOfResource", table_name, ResourceArn=resource_arn)
    return response.get("Tags", [])
