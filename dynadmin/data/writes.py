"""Writing: conditional PutItem, UpdateItem, DeleteItem and TransactWriteItems.

Every write takes a mandatory ``condition`` (a ``conditions.Condition``): an unconditional
put, update or delete cannot be expressed here. Bulk loading of fixtures is the one
exception and says so in its name. A failed condition arrives as ``WriteConflict`` carrying
the item as it is now (``ReturnValuesOnConditionCheckFailure=ALL_OLD``), a cancelled
transaction as ``TransactionConflict``: see ``translate``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import limits
from ..definitions.tables import Table
from .calling import call
from .conditions import Condition, Placeholders
from .errors import InvalidRequest, Throttled
from .fence import ensure_inside
from .key_checks import checked_key
from .read_only import ensure_writable
from .serialization import deserialize_item, serialize_item

__all__ = ["ConditionCheck", "Delete", "Put", "Update", "delete_item",
           "load_items_unconditionally", "put_item", "transact_write", "update_item"]


def _update_expression(placeholders: Placeholders, set: Mapping[str, Any] | None,
                       remove: Iterable[str] = (), add: Mapping[str, Any] | None = None) -> str:
    clauses = []
    if set:
        clauses.append("SET " + ", ".join(
            f"{placeholders.name(a)} = {placeholders.value(v)}" for a, v in set.items()))
    if add:
        clauses.append("ADD " + ", ".join(
            f"{placeholders.name(a)} {placeholders.value(v)}" for a, v in add.items()))
    removed = list(remove)
    if removed:
        clauses.append("REMOVE " + ", ".join(placeholders.name(a) for a in removed))
    if not clauses:
        raise InvalidRequest("Nothing to update.")
    return " ".join(clauses)


def put_item(table: Table, item: Mapping[str, Any], *, condition: Condition) -> None:
    """PutItem guarded by ``condition`` (e.g. ``AttributeNotExists("PK")`` for a create)."""
    ensure_writable(table)
    ensure_inside(table, table.key_of(item), item)
    placeholders = Placeholders()
    params = {
        "TableName": table.table_name,
        "Item": serialize_item(item),
        "ConditionExpression": placeholders.render(condition),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }
    call("PutItem", table.table_name, writes=True, **placeholders.apply(params))


def update_item(
    table: Table,
    key: Mapping[str, Any],
    *,
    condition: Condition,
    set: Mapping[str, Any] | None = None,
    remove: Iterable[str] = (),
    add: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """UpdateItem of only the given attributes, guarded by ``condition``; returns the new item."""
    ensure_writable(table)
    ensure_inside(table, key, {**(set or {}), **(add or {})})
    placeholders = Placeholders()
    params = {
        "TableName": table.table_name,
        "Key": checked_key(table, key),
        "UpdateExpression": _update_expression(placeholders, set, remove, add),
        "ConditionExpression": placeholders.render(condition),
        "ReturnValues": "ALL_NEW",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }
    response = call("UpdateItem", table.table_name, writes=True, **placeholders.apply(params))
    return deserialize_item(response.get("Attributes", {}))


def delete_item(table: Table, key: Mapping[str, Any], *, condition: Condition
                ) -> dict[str, Any] | None:
    """DeleteItem guarded by ``condition``; returns the deleted item."""
    ensure_writable(table)
    ensure_inside(table, key)
    placeholders = Placeholders()
    params = {
        "TableName": table.table_name,
        "Key": checked_key(table, key),
        "ConditionExpression": placeholders.render(condition),
        "ReturnValues": "ALL_OLD",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }
    response = call("DeleteItem", table.table_name, writes=True, **placeholders.apply(params))
    old = response.get("Attributes")
    return deserialize_item(old) if old else None


# -- transactions -------------------------------------------------------------------------
@dataclass
class Put:
    """Puts ``item`` if ``condition`` holds."""

    table: Table
    item: Mapping[str, Any]
    condition: Condition


@dataclass
class _KeyedAction:
    """An action on the item at ``key``, guarded by ``condition``."""

    table: Table
    key: Mapping[str, Any]
    condition: Condition


@dataclass
class Update(_KeyedAction):
    """Sets and removes attributes of the item at ``key`` if ``condition`` holds."""

    set: Mapping[str, Any] = field(default_factory=dict)
    remove: Sequence[str] = ()


@dataclass
class Delete(_KeyedAction):
    """Deletes the item at ``key`` if ``condition`` holds."""


@dataclass
class ConditionCheck(_KeyedAction):
    """Fails the transaction unless ``condition`` holds; writes nothing."""


def _transact_action(action: Put | Update | Delete | ConditionCheck) -> dict[str, Any]:
    placeholders = Placeholders()
    body: dict[str, Any] = {"TableName": action.table.table_name}
    if isinstance(action, Put):
        body["Item"] = serialize_item(action.item)
    else:
        body["Key"] = checked_key(action.table, action.key)
    if isinstance(action, Update):
        body["UpdateExpression"] = _update_expression(placeholders, action.set, action.remove)
    body["ConditionExpression"] = placeholders.render(action.condition)
    body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {type(action).__name__: placeholders.apply(body)}


def transact_write(actions: Sequence[Put | Update | Delete | ConditionCheck], *,
                   capacity: bool = True) -> None:
    """All of the actions or none of them (TransactWriteItems, at most 100 actions).

    ``capacity=False``: the call does not ask what it consumed (its call log entry has no
    capacity), for a caller that never shows it: the history consumer, whose transactions
    DynamoDB Local otherwise spends a fifth of its time accounting for."""
    if not actions:
        return
    ensure_writable(*(action.table for action in actions))
    for action in actions:
        if isinstance(action, Put):
            ensure_inside(action.table, action.table.key_of(action.item), action.item)
        else:
            ensure_inside(action.table, action.key,
                          action.set if isinstance(action, Update) else None)
    if len(actions) > limits.TRANSACTION_ACTIONS:
        raise InvalidRequest(
            f"A transaction takes at most {limits.TRANSACTION_ACTIONS} actions.")
    tables = sorted({a.table.table_name for a in actions})
    call("TransactWriteItems", ",".join(tables), writes=True,
         TransactItems=[_transact_action(a) for a in actions],
         ReturnConsumedCapacity="TOTAL" if capacity else "NONE")


# -- fixtures -----------------------------------------------------------------------------
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
            response = call("BatchWriteItem", name, writes=True, RequestItems=request)
            request = response.get("UnprocessedItems") or {}
            if not request:
                return
            time.sleep(min(0.05 * 2 ** attempt, 2.0))
        raise Throttled("BatchWriteItem: DynamoDB kept items unprocessed; try again.")

    for item in items:
        batch.append({"PutRequest": {"Item": serialize_item(item)}})
        if len(batch) == limits.BATCH_WRITE_ITEMS:
            flush()
            written += len(batch)
            batch.clear()
    if batch:
        flush()
        written += len(batch)
    return written
