"""Undo an audited write, as a guarded write of its own.

An applied entry records the item before and after the write. Undoing it writes ``before``
back, but only while the item is still exactly ``after``: it is read consistently first
(anything else is a conflict the person sees), and the write itself carries the usual guard
(``writes``), so a change between that read and the write is refused too.

- create → a guarded delete of what was created;
- edit (an update, a TTL change, an admin action) → ``before`` restored over ``after``;
- delete → ``before`` created again with ``attribute_not_exists``;
- key move → moved back to the old key, in one transaction.

The undo is audited with action "undo", linked to the entry it reversed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .. import data
from ..data.serialization import loads_dynamodb_json
from ..definitions import Table
from ..models import AuditEntry
from . import writes

__all__ = ["EDITS", "UNDOABLE", "Reversal", "reversal", "undo"]

EDITS = {AuditEntry.Action.UPDATE, AuditEntry.Action.TTL, AuditEntry.Action.ACTION}
UNDOABLE = EDITS | {AuditEntry.Action.CREATE, AuditEntry.Action.DELETE,
                    AuditEntry.Action.MOVE}


class Writer(Protocol):
    """How the undo writes (``options.ItemWriter``: through the entity admin's hooks)."""

    def save(self, item: dict[str, Any], *, original: dict[str, Any] | None,
             action: str | None = None, version_from: dict[str, Any] | None = None
             ) -> writes.WriteResult: ...

    def delete(self, item: dict[str, Any], *, action: str = "delete"
               ) -> writes.WriteResult: ...


@dataclass
class Reversal:
    """What undoing an entry writes: the item as the entry left it (``after``, None after a
    delete) and the item as it was before (``before``, None before a create)."""

    entry: AuditEntry
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def kind(self) -> str:
        """"create", "delete", "move" or "edit": the write being undone."""
        action = self.entry.action
        return "edit" if action in EDITS else action

    @property
    def permissions(self) -> list[tuple[dict[str, Any], str]]:
        """(item, permission) pairs the undo needs: the same as the write it makes."""
        if self.kind == "create":
            return [(self.after or {}, "delete")]
        if self.kind == "delete":
            return [(self.before or {}, "add")]
        return [(self.after or {}, "change")]


def reversal(entry: AuditEntry) -> Reversal | None:
    """The reversal of an applied create, edit, delete or move; None for anything else."""
    if entry.outcome != AuditEntry.Outcome.APPLIED or entry.action not in UNDOABLE:
        return None
    before = loads_dynamodb_json(entry.before) if entry.before else None
    after = loads_dynamodb_json(entry.after) if entry.after else None
    if (entry.action != AuditEntry.Action.CREATE and before is None) or (
            entry.action != AuditEntry.Action.DELETE and after is None):
        return None
    return Reversal(entry, before, after)


def undo(table: Table, undoing: Reversal, *, writer: Writer) -> writes.WriteResult:
    """Reverse the entry's write. Raises ``writes.EditConflict`` when the item is no longer
    as the entry left it, ``writes.KeyTaken`` when a deleted item's key (or a moved item's
    old key) is taken again, ``writes.NothingChanged`` when there is nothing to reverse."""
    before, after = undoing.before, undoing.after
    key = table.key_of(after if after is not None else before)
    current = data.get_item(table, key, consistent=True)
    action = AuditEntry.Action.UNDO
    if after is None:  # a delete: its key must still be free
        if current is not None:
            raise writes.KeyTaken(key, current)
        result = writer.save(before, original=None, action=action, version_from=before)
    elif current != after:
        raise writes.EditConflict(original=after, theirs=current,
                                  mine=before)
    elif before is None:  # a create
        result = writer.delete(after, action=action)
    else:
        result = writer.save(before, original=after, action=action)
    if result.entry is not None:
        AuditEntry.objects.filter(pk=result.entry.pk).update(undoes=undoing.entry)
    return result
