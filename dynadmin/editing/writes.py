"""Conditional writes: create, update, move (key change), delete.

Every write carries a guard built from what the person saw when the form was opened:

- with a ``Version`` field: ``version = <seen>`` and the version goes up by one;
- without one: every attribute the person changed must still hold the value it had (absent
  attributes must still be absent), so concurrent edits of *other* attributes both survive.

A failed guard is never retried or swallowed: it becomes ``EditConflict`` with the original,
their (current) and my version, and nothing is written until the person decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase

from .. import data
from ..data.serialization import dumps_plain_json
from ..definitions import Table
from . import audit
from .validation import validate_item

__all__ = ["EditConflict", "KeyTaken", "NothingChanged", "WriteResult", "create", "delete",
           "save", "Guard"]

_ABSENT = object()


class KeyTaken(Exception):
    """A create or a move onto a key that already holds an item."""

    def __init__(self, key: Mapping[str, Any], current: dict[str, Any] | None) -> None:
        super().__init__("An item with this key already exists.")
        self.key = dict(key)
        self.current = current


class NothingChanged(Exception):
    """The form was saved without a change: nothing to write."""


@dataclass
class EditConflict(Exception):
    """Someone else changed (or deleted) the item since the person read it."""

    original: dict[str, Any]
    theirs: dict[str, Any] | None
    mine: dict[str, Any] | None

    def __str__(self) -> str:
        return "The item changed since it was read."

    def attributes(self) -> list[str]:
        names: dict[str, None] = {}
        for version in (self.original, self.theirs or {}, self.mine or {}):
            names.update(dict.fromkeys(version))
        return list(names)


@dataclass
class WriteResult:
    action: str
    key: dict[str, Any]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    entry: Any = None


@dataclass
class Guard:
    """The condition a write carries, as data: rendered both as a boto3 condition and as the
    text the audit log records."""

    expected: dict[str, Any] = field(default_factory=dict)
    must_exist: str | None = None
    must_not_exist: str | None = None

    def condition(self) -> ConditionBase:
        parts: list[ConditionBase] = []
        if self.must_exist:
            parts.append(Attr(self.must_exist).exists())
        if self.must_not_exist:
            parts.append(Attr(self.must_not_exist).not_exists())
        for name, value in self.expected.items():
            parts.append(Attr(name).not_exists() if value is _ABSENT else Attr(name).eq(value))
        condition = parts[0]
        for part in parts[1:]:
            condition = condition & part
        return condition

    def describe(self) -> str:
        parts = []
        if self.must_exist:
            parts.append(f"attribute_exists({self.must_exist})")
        if self.must_not_exist:
            parts.append(f"attribute_not_exists({self.must_not_exist})")
        for name, value in self.expected.items():
            parts.append(f"attribute_not_exists({name})" if value is _ABSENT
                         else f"{name} = {dumps_plain_json(value, indent=None)}")
        return " AND ".join(parts)


def _version_attribute(table: Table, item: Mapping[str, Any]) -> str | None:
    entity = table.classify(item)
    version = entity._meta.version_field if entity else None
    return version.attribute if version else None


def changed_attributes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    names = dict.fromkeys([*before, *after])
    return [n for n in names if before.get(n, _ABSENT) != after.get(n, _ABSENT)]


def guard_for(table: Table, original: Mapping[str, Any], changed: list[str]) -> Guard:
    guard = Guard(must_exist=table.primary.pk)
    version = _version_attribute(table, original)
    if version:
        guard.expected[version] = original.get(version, _ABSENT)
    else:
        for name in changed:
            guard.expected[name] = original.get(name, _ABSENT)
    return guard


def _bump_version(table: Table, original: Mapping[str, Any] | None, item: dict[str, Any]
                  ) -> None:
    version = _version_attribute(table, item)
    if version:
        seen = (original or {}).get(version)
        item[version] = (int(seen) + 1) if seen is not None else 1


# -- the four writes ----------------------------------------------------------------------
def create(table: Table, item: dict[str, Any], *, user: Any, entity_label: str = ""
           ) -> WriteResult:
    """PutItem that can never overwrite: ``attribute_not_exists`` on the partition key."""
    item = dict(item)
    _bump_version(table, None, item)
    validate_item(table, item)
    guard = Guard(must_not_exist=table.primary.pk)
    key = table.key_of(item)
    try:
        data.put_item(table, item, condition=guard.condition())
    except data.WriteConflict as exc:
        raise KeyTaken(key, exc.current) from None
    entry = audit.record(user=user, table=table, key=key, action="create",
                         condition=guard.describe(), before=None, after=item,
                         entity=entity_label)
    return WriteResult("create", key, None, item, entry)


def save(table: Table, original: dict[str, Any], new_item: dict[str, Any], *, user: Any,
         entity_label: str = "", action: str = "update") -> WriteResult:
    """Write ``new_item`` over ``original``: an UpdateItem of what changed, or a move when the
    primary key changed. Raises EditConflict, KeyTaken, NothingChanged or ItemInvalid."""
    new_item = dict(new_item)
    changed = changed_attributes(original, new_item)
    if not changed:
        raise NothingChanged()
    _bump_version(table, original, new_item)
    validate_item(table, new_item)
    old_key, new_key = table.key_of(original), table.key_of(new_item)
    guard = guard_for(table, original, changed)
    if old_key != new_key:
        return _move(table, original, new_item, guard, user=user, entity_label=entity_label)
    key_attributes = set(table.primary.attributes)
    set_values = {n: new_item[n] for n in changed_attributes(original, new_item)
                  if n in new_item and n not in key_attributes}
    removed = [n for n in original if n not in new_item and n not in key_attributes]
    try:
        after = data.update_item(table, old_key, condition=guard.condition(),
                                 set=set_values, remove=removed)
    except data.WriteConflict as exc:
        raise EditConflict(original=dict(original), theirs=exc.current, mine=new_item) from None
    entry = audit.record(user=user, table=table, key=old_key, action=action,
                         condition=guard.describe(), before=original, after=after,
                         entity=entity_label)
    return WriteResult(action, old_key, original, after, entry)


def _move(table: Table, original: dict[str, Any], new_item: dict[str, Any], guard: Guard,
          *, user: Any, entity_label: str) -> WriteResult:
    """A key change: delete the old item and put the new one, in one transaction."""
    old_key, new_key = table.key_of(original), table.key_of(new_item)
    put_guard = Guard(must_not_exist=table.primary.pk)
    try:
        data.transact_write([
            data.Delete(table, old_key, guard.condition()),
            data.Put(table, new_item, put_guard.condition()),
        ])
    except data.TransactionConflict as exc:
        old_reason, new_reason = (exc.reasons + [None, None])[:2]
        if old_reason:
            theirs = exc.items[0] if exc.items else None
            raise EditConflict(original=dict(original), theirs=theirs, mine=new_item) from None
        if new_reason:
            raise KeyTaken(new_key, exc.items[1] if len(exc.items) > 1 else None) from None
        raise
    # Recorded under the new key: that is where the item (and its history page) now is.
    entry = audit.record(user=user, table=table, key=new_key, action="move",
                         condition=f"{guard.describe()}; new key: {put_guard.describe()}",
                         before=original, after=new_item, entity=entity_label,
                         detail=f"moved from {dumps_plain_json(old_key, indent=None)}")
    return WriteResult("move", new_key, original, new_item, entry)


def delete(table: Table, original: dict[str, Any], *, user: Any, entity_label: str = ""
           ) -> WriteResult:
    """DeleteItem conditional on the item being exactly as the person saw it."""
    key = table.key_of(original)
    version = _version_attribute(table, original)
    guard = Guard(must_exist=table.primary.pk)
    if version:
        guard.expected[version] = original.get(version, _ABSENT)
    else:
        guard.expected.update({n: v for n, v in original.items()
                               if n not in table.primary.attributes})
    try:
        data.delete_item(table, key, condition=guard.condition())
    except data.WriteConflict as exc:
        raise EditConflict(original=dict(original), theirs=exc.current, mine=None) from None
    entry = audit.record(user=user, table=table, key=key, action="delete",
                         condition=guard.describe(), before=original, after=None,
                         entity=entity_label)
    return WriteResult("delete", key, original, None, entry)
