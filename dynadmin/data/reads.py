"""Reading: GetItem, one Query page, BatchGetItem; never a whole-table read."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import limits
from ..definitions.tables import Index, Table
from .calling import call, capacity
from .conditions import COMPARISONS, BeginsWith, Between, Condition, Equals, Placeholders
from .errors import InvalidRequest, Throttled
from .fence import allows_key, allows_partition
from .key_checks import checked_key
from .serialization import deserialize_item, serialize_item

__all__ = ["Page", "SORT_OPERATORS", "SortCondition", "batch_get", "get_item", "query",
           "query_request"]

SORT_OPERATORS = ("=", "<", "<=", ">", ">=", "begins_with", "between")


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

    def on(self, attribute: str) -> Condition:
        """This condition on the sort key attribute ``attribute``."""
        if self.op == "begins_with":
            return BeginsWith(attribute, self.value)
        if self.op == "between":
            return Between(attribute, self.value, self.value2)
        return COMPARISONS[self.op](attribute, self.value)


@dataclass
class Page:
    """One Query response: the items, and the key to continue from (None at the end)."""

    items: list[dict[str, Any]]
    last_evaluated_key: dict[str, Any] | None
    count: int
    scanned_count: int
    consumed_rcu: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def get_item(table: Table, key: Mapping[str, Any], *, consistent: bool = False
             ) -> dict[str, Any] | None:
    """The item with this primary key, or None (without a call when the key is outside the
    request's fence: a forbidden item answers as a missing one)."""
    if not allows_key(table, key):
        return None
    response = call(
        "GetItem", table.table_name, TableName=table.table_name, Key=checked_key(table, key),
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
    filter: Condition | None = None,
) -> dict[str, Any]:
    """The Query request (low-level parameters) that ``query()`` sends.

    Public so that pages can show the exact call as code (boto3 / AWS CLI).
    """
    if consistent and index.name is not None and not index.local:
        raise InvalidRequest("Strongly consistent reads are not possible on a global index.")
    key_condition: Condition = Equals(index.pk, partition)
    if sort is not None:
        if index.sk is None:
            raise InvalidRequest(f"{index.label} has no sort key to put a condition on.")
        key_condition = key_condition & sort.on(index.sk)
    placeholders = Placeholders()
    params: dict[str, Any] = {
        "TableName": index.table.table_name,
        "KeyConditionExpression": placeholders.render(key_condition),
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
        params["FilterExpression"] = placeholders.render(filter)
    return placeholders.apply(params)


def query(index: Index, partition: Any, sort: SortCondition | None = None, **options: Any
          ) -> Page:
    """One Query page of a partition, on the table or a secondary index: the request
    ``query_request()`` builds from the same arguments (``forward``, ``limit``, ``start_key``,
    ``consistent``, ``filter``), sent.

    ``limit`` bounds the items DynamoDB reads (before any filter), so a page costs the same
    whatever the filter matches: dynadmin never loops to fill a page.
    """
    return send_query(index, query_request(index, partition, sort, **options),
                      partition=partition)


def send_query(index: Index, params: Mapping[str, Any], *, partition: Any) -> Page:
    """Send a request ``query_request()`` built for ``partition``: a page shows the very
    request it sent. A partition outside the request's fence answers as an empty one,
    without a call."""
    if not allows_partition(index, partition):
        return Page(items=[], last_evaluated_key=None, count=0, scanned_count=0)
    response = call("Query", index.table.table_name, index.name, **params)
    last = response.get("LastEvaluatedKey")
    return Page(
        items=[deserialize_item(i) for i in response.get("Items", [])],
        last_evaluated_key=deserialize_item(last) if last else None,
        count=response.get("Count", 0),
        scanned_count=response.get("ScannedCount", 0),
        consumed_rcu=capacity(response)[0],
    )


def batch_get(table: Table, keys: Sequence[Mapping[str, Any]], *, consistent: bool = False
              ) -> list[dict[str, Any]]:
    """The items for up to 100 keys (missing ones are simply absent), retrying unprocessed keys."""
    if len(keys) > limits.BATCH_GET_KEYS:
        raise InvalidRequest(f"BatchGetItem takes at most {limits.BATCH_GET_KEYS} keys.")
    name = table.table_name
    # Keys outside the request's fence are absent, as missing ones are.
    keys = [k for k in keys if allows_key(table, k)]
    if not keys:
        return []
    request = {name: {"Keys": [serialize_item(k) for k in keys], "ConsistentRead": consistent}}
    items: list[dict[str, Any]] = []
    for attempt in range(8):
        if not request:
            break
        response = call("BatchGetItem", name, RequestItems=request,
                        ReturnConsumedCapacity="TOTAL")
        items.extend(deserialize_item(i) for i in response.get("Responses", {}).get(name, []))
        request = response.get("UnprocessedKeys") or {}
        if request:
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
    if request:
        raise Throttled("BatchGetItem: DynamoDB kept keys unprocessed; try again.")
    return items
