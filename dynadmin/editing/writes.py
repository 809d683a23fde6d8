"""Conditional writes: create, update, move (key change), delete.

Every write carries a guard built from what the person saw when the form was opened (see
``guards``), and all four follow one protocol, ``_run``: send, recognise a conflict, settle
an interrupted request, audit.

A failed guard is never retried or swallowed: it becomes ``EditConflict`` with the original,
their (current) and my version, and nothing is written until the person decides.

A write whose request fails on the way (DynamoDB unreachable, no answer in time, throttled,
refused) is settled before the page is drawn, so the person is told which of the two it was:

- nothing reached DynamoDB (connection refused, or DynamoDB answered with a refusal): not
  applied, audited as such (an attempt during an outage is as telling as one that worked),
  ``WriteInterrupted(outcome="not_applied")``;
- the request may have been applied (read timeout, connection dropped after sending, internal
  error): one consistent GetItem of the key(s) decides. The intended state is there: applied,
  audited as such and returned as a success (``WriteResult.recovered`` says what happened);
  the original is there: not applied as above; the read fails too, or finds a third state:
  an audit entry marked "unknown" and ``WriteInterrupted(outcome="unknown")``.

botocore retries a failed request by itself (DYNADMIN_MAX_ATTEMPTS): a retried write whose
first attempt was applied then fails its own guard. The item the failed guard returns settles
it the same way, so such a write is reported as saved, not as someone else's change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import data
from ..data.errors import DataError, WriteInterrupted
from ..data.serialization import dumps_plain_json, same_value
from ..definitions import Table
from ..models import AuditEntry
from . import audit
from .guards import (
    ABSENT,
    Guard,
    bump_version,
    changed_attributes,
    guard_for,
    merge,
    stamp_marker,
    stamped_attributes,
    version_attribute,
)
from .validation import validate_item

__all__ = ["merge", "EditConflict", "KeyTaken", "NothingChanged", "WriteInterrupted", "WriteResult",
           "create", "delete", "save", "Guard", "changed_attributes", "guard_for"]

Found = list[dict[str, Any] | None]


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
    #: non-empty when DynamoDB's answer was lost and a read-back confirmed the write
    recovered: str = ""


# -- interrupted writes -------------------------------------------------------------------
def _has_same_values(item: Mapping[str, Any] | None, expected: Mapping[str, Any],
                     attributes: Sequence[str]) -> bool:
    """Does ``item`` exist and hold ``expected``'s value (or absence) for each attribute?"""
    return item is not None and all(
        same_value(item.get(name, ABSENT), expected.get(name, ABSENT)) for name in attributes)


@dataclass
class _WriteOutcome:
    outcome: str  # "applied" | "not_applied" | "unknown"
    items: list[dict[str, Any] | None] | None = None  # the key(s) as read back, if read
    read_error: DataError | None = None


def _outcome_of_failed_write(
        table: Table, keys: Sequence[Mapping[str, Any]], error: DataError, *,
        applied: Callable[[list[dict[str, Any] | None]], bool],
        unchanged: Callable[[list[dict[str, Any] | None]], bool]) -> _WriteOutcome:
    """After a write failed with ``error``: was it applied? One consistent GetItem per key
    answers, unless no request of the write can have reached DynamoDB."""
    if not error.maybe_applied:
        return _WriteOutcome("not_applied")
    try:
        items = [data.get_item(table, dict(key), consistent=True) for key in keys]
    except DataError as read_error:
        return _WriteOutcome("unknown", read_error=read_error)
    if applied(items):
        return _WriteOutcome("applied", items)
    if unchanged(items):
        return _WriteOutcome("not_applied", items)
    return _WriteOutcome("unknown", items)


def _recovered_note(error: DataError) -> str:
    if isinstance(error, (data.WriteConflict, data.TransactionConflict)):
        return ("DynamoDB's answer to the first attempt was lost, and the automatic retry "
                "found your change already there.")
    return (f"DynamoDB's answer was lost ({error.title.lower()}), so dynadmin read the item "
            "back: your change is there.")


def _interrupted(table: Table, keys: Sequence[Mapping[str, Any]], error: DataError,
                 settled: _WriteOutcome, *, user: Any, action: str, condition: str,
                 before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
                 entity_label: str, detail: str = "") -> WriteInterrupted:
    """The exception for a write that was not applied, or may have been (audited as such)."""
    where = " and ".join(audit.key_text(table, key) for key in keys)
    if settled.outcome == "not_applied":
        checked = (" A consistent read afterwards found nothing changed."
                   if settled.items is not None else "")
        # Under the key the item was read at, where its History is found.
        audit.record(user=user, table=table, key=keys[0], action=action, condition=condition,
                     before=before, after=after, entity=entity_label,
                     outcome=AuditEntry.Outcome.NOT_APPLIED,
                     detail=" ".join(part for part in (
                         detail, f"Nothing was written: {error.message}{checked}") if part))
        return WriteInterrupted(
            f"Nothing was written to {where}: {error.message}{checked}",
            outcome="not_applied", cause=error, keys=[dict(k) for k in keys],
            table_definition=table)
    if settled.read_error is not None:
        why = f"Reading the item back failed too: {settled.read_error.message}"
    else:
        why = ("Reading the item back found neither the version you saw nor yours: someone "
               "else may have written to it meanwhile.")
    note = f"The write's outcome is unknown: {error.message} {why}"
    # One entry per key, so that the item's History shows it wherever the item now is.
    for key in reversed(keys):
        audit.record(user=user, table=table, key=key, action=action, condition=condition,
                     before=before, after=after, entity=entity_label,
                     outcome=AuditEntry.Outcome.UNKNOWN,
                     detail=" ".join(part for part in (detail, note) if part))
    return WriteInterrupted(
        f"DynamoDB did not confirm the write to {where}: {error.message} {why}",
        outcome="unknown", cause=error, keys=[dict(k) for k in keys], table_definition=table)


# -- the one protocol ----------------------------------------------------------------------
@dataclass
class _GuardedWrite:
    """One guarded write, described as data so that ``_run`` treats all four alike."""

    table: Table
    action: str
    user: Any
    #: sends the request; returns the item as written when DynamoDB returns it
    send: Callable[[], dict[str, Any] | None]
    #: the keys read back to settle an interrupted request (the audit key is the last)
    keys: list[dict[str, Any]]
    condition: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    entity_label: str
    #: was the write applied / is everything as it was, judged from the keys read back
    applied: Callable[[Found], bool]
    unchanged: Callable[[Found], bool]
    #: a failed guard or cancelled transaction: raise what the person must decide, or return
    #: the item as written when the failure was the write's own retried result
    conflict: Callable[[DataError], dict[str, Any] | None]
    #: the item as written, from the keys read back after an interrupted request
    read_back: Callable[[Found], dict[str, Any] | None] | None = None
    detail: str = ""


def _run(write: _GuardedWrite) -> WriteResult:
    """Send, recognise a conflict, settle an interrupted request, audit: once for all writes."""
    after, recovered = write.after, ""
    try:
        returned = write.send()
        if returned is not None:
            after = returned
    except (data.WriteConflict, data.TransactionConflict) as exc:
        try:
            after, recovered = write.conflict(exc), _recovered_note(exc)
        except (EditConflict, KeyTaken) as refused:
            _record_refused(write, refused)
            raise
    except DataError as exc:
        settled = _outcome_of_failed_write(write.table, write.keys, exc,
                                           applied=write.applied, unchanged=write.unchanged)
        if settled.outcome != "applied":
            raise _interrupted(write.table, write.keys, exc, settled, user=write.user,
                               action=write.action, condition=write.condition,
                               before=write.before, after=write.after,
                               entity_label=write.entity_label, detail=write.detail) from exc
        if write.read_back is not None:
            after = write.read_back(settled.items or [])
        recovered = _recovered_note(exc)
    key = write.keys[-1]
    entry = audit.record(user=write.user, table=write.table, key=key, action=write.action,
                         condition=write.condition, before=write.before, after=after,
                         entity=write.entity_label, written=write.after,
                         detail=" ".join(part for part in (write.detail, recovered) if part))
    return WriteResult(write.action, key, write.before, after, entry, recovered)


def _record_refused(write: _GuardedWrite, refused: Exception) -> None:
    """A guard that refused the write: recorded with what the person tried, under the key
    the item was read at (where its History is found)."""
    conflict = isinstance(refused, EditConflict)
    audit.record(user=write.user, table=write.table, key=write.keys[0], action=write.action,
                 condition=write.condition, before=write.before, after=write.after,
                 entity=write.entity_label,
                 outcome=AuditEntry.Outcome.CONFLICT if conflict
                 else AuditEntry.Outcome.KEY_TAKEN,
                 detail=" ".join(part for part in (
                     write.detail, "Someone else changed the item since it was read: nothing "
                     "was written." if conflict else "Another item already has this key: "
                     "nothing was written.") if part))


# -- the four writes ----------------------------------------------------------------------
def create(table: Table, item: dict[str, Any], *, user: Any, entity_label: str = "",
           action: str = "create", version_from: dict[str, Any] | None = None) -> WriteResult:
    """PutItem that can never overwrite: ``attribute_not_exists`` on the partition key.
    ``version_from``: an item this one succeeds (an undone delete), whose version it raises."""
    item = dict(item)
    bump_version(table, version_from, item)
    stamp_marker(table, item)
    validate_item(table, item)
    guard = Guard(must_not_exist=table.primary.pk)
    key = table.key_of(item)

    def conflict(exc: DataError) -> dict[str, Any]:
        # A retried create whose first attempt was applied finds its own item.
        if not (exc.maybe_applied and exc.current == item):
            raise KeyTaken(key, exc.current) from None
        return item

    return _run(_GuardedWrite(
        table, action, user=user,
        send=lambda: data.put_item(table, item, condition=guard.condition()),
        keys=[key], condition=guard.describe(), before=None, after=item,
        entity_label=entity_label, conflict=conflict,
        applied=lambda found: found[0] == item, unchanged=lambda found: found[0] is None))


def save(table: Table, original: dict[str, Any], new_item: dict[str, Any], *, user: Any,
         entity_label: str = "", action: str = "update") -> WriteResult:
    """Write ``new_item`` over ``original``: an UpdateItem of what changed, or a move when the
    primary key changed. Raises EditConflict, KeyTaken, NothingChanged or ItemInvalid."""
    new_item = dict(new_item)
    changed = changed_attributes(original, new_item)
    if not changed:
        raise NothingChanged()
    bump_version(table, original, new_item)
    stamp_marker(table, new_item)
    old_key, new_key = table.key_of(original), table.key_of(new_item)
    # What the write changes (the version and the write marker included): what an
    # UpdateItem sends, and how its result is recognised. A move puts the whole item.
    # (``changed`` and what the two lines above set, in the items' order, as compared.)
    stamped = {name for name in stamped_attributes(table, new_item)
               if not same_value(original.get(name, ABSENT), new_item.get(name, ABSENT))}
    if stamped.difference(changed):
        written = stamped.union(changed)
        compared = [name for name in dict.fromkeys([*original, *new_item]) if name in written]
    else:
        compared = changed
    validate_item(table, new_item, sent=compared if old_key == new_key else None)
    guard = guard_for(table, original, changed)
    if old_key != new_key:
        return _move(table, original, new_item, guard, user=user, entity_label=entity_label,
                     action="move" if action == "update" else action)
    key_attributes = set(table.primary.attributes)
    set_values = {n: new_item[n] for n in compared
                  if n in new_item and n not in key_attributes}
    removed = [n for n in original if n not in new_item and n not in key_attributes]

    def conflict(exc: DataError) -> dict[str, Any]:
        # A retried update whose first attempt was applied fails its own guard.
        if not (exc.maybe_applied and _has_same_values(exc.current, new_item, compared)):
            raise EditConflict(original=dict(original), theirs=exc.current,
                               mine=new_item) from None
        return dict(exc.current or {})

    return _run(_GuardedWrite(
        table, action, user=user,
        send=lambda: data.update_item(table, old_key, condition=guard.condition(),
                                      set=set_values, remove=removed),
        keys=[old_key], condition=guard.describe(), before=original, after=new_item,
        entity_label=entity_label, conflict=conflict,
        applied=lambda found: _has_same_values(found[0], new_item, compared),
        unchanged=lambda found: _has_same_values(found[0], original, compared),
        read_back=lambda found: dict(found[0] or {})))


def _move(table: Table, original: dict[str, Any], new_item: dict[str, Any], guard: Guard,
          *, user: Any, entity_label: str, action: str) -> WriteResult:
    """A key change: delete the old item and put the new one, in one transaction."""
    old_key, new_key = table.key_of(original), table.key_of(new_item)
    put_guard = Guard(must_not_exist=table.primary.pk)

    # A transaction is all or nothing: the new item there and the old one gone, or the
    # new key still free (the old item then cannot have been deleted by it).
    def applied(found: Found) -> bool:
        return found[0] is None and found[1] == new_item

    def unchanged(found: Found) -> bool:
        return found[0] is not None and found[1] is None

    def conflict(exc: DataError) -> dict[str, Any]:
        # A retried move whose first attempt was applied is cancelled by its own result.
        settled = (_outcome_of_failed_write(table, [old_key, new_key], exc, applied=applied,
                                            unchanged=unchanged)
                   if exc.maybe_applied else None)
        if settled is None or settled.outcome != "applied":
            old_reason, new_reason = (exc.reasons + [None, None])[:2]
            if old_reason:
                theirs = exc.items[0] if exc.items else None
                raise EditConflict(original=dict(original), theirs=theirs,
                                   mine=new_item) from None
            if new_reason:
                raise KeyTaken(new_key, exc.items[1] if len(exc.items) > 1 else None) from None
            raise exc
        return new_item

    # Audited under the new key (the last of keys): that is where the item now is.
    return _run(_GuardedWrite(
        table, action, user=user,
        send=lambda: data.transact_write([
            data.Delete(table, old_key, guard.condition()),
            data.Put(table, new_item, put_guard.condition()),
        ]),
        keys=[old_key, new_key],
        condition=f"{guard.describe()}; new key: {put_guard.describe()}",
        before=original, after=new_item, entity_label=entity_label, conflict=conflict,
        applied=applied, unchanged=unchanged,
        detail=f"moved from {dumps_plain_json(old_key, indent=None)}"))


def delete(table: Table, original: dict[str, Any], *, user: Any, entity_label: str = "",
           action: str = "delete") -> WriteResult:
    """DeleteItem conditional on the item being exactly as the person saw it."""
    key = table.key_of(original)
    version = version_attribute(table, original)
    guard = Guard(must_exist=table.primary.pk)
    if version:
        guard.expected[version] = original.get(version, ABSENT)
    else:
        guard.expected.update({n: v for n, v in original.items()
                               if n not in table.primary.attributes})
    compared = [version] if version else list(original)

    def send() -> None:
        data.delete_item(table, key, condition=guard.condition())  # returns the item deleted

    def conflict(exc: DataError) -> None:
        # A retried delete whose first attempt was applied finds the item gone.
        if not (exc.maybe_applied and exc.current is None):
            raise EditConflict(original=dict(original), theirs=exc.current, mine=None) from None

    return _run(_GuardedWrite(
        table, action, user=user,
        send=send,
        keys=[key], condition=guard.describe(), before=original, after=None,
        entity_label=entity_label, conflict=conflict,
        applied=lambda found: found[0] is None,
        unchanged=lambda found: _has_same_values(found[0], original, compared)))
