"""An item's Recent changes as JSON (``…/item/changes.json`` and ``dynadmin_changes``):
the page's content, values as plain JSON with every digit kept."""

from __future__ import annotations

from typing import Any

from .item_changes import Change, ItemChanges

__all__ = ["changes_to_json"]


def changes_to_json(changes: ItemChanges) -> dict[str, Any]:
    """JSON-ready (through ``dumps_plain_json``, which keeps every digit of a number)."""
    return {
        "table": changes.table.name,
        "key": changes.key,
        "stream": {"enabled": changes.info.readable, "view_type": changes.info.view_type,
                   "problem": changes.problem, "advice": changes.advice},
        "records_read": changes.records_read,
        "records_before": changes.records_before,
        "get_records_calls": changes.get_records_calls,
        "complete": changes.complete,
        "stopped_by": changes.stopped_by,
        "trimmed": changes.trimmed,
        "changes": [_change(c) for c in changes.changes],
    }


def _change(change: Change) -> dict[str, Any]:
    entry = change.audit_entry
    return {
        "event": change.event,
        "when": change.when.isoformat() if change.when else None,
        "origin": change.origin,
        "sequence_number": change.sequence_number,
        "audit_entry": None if entry is None else {
            "id": entry.pk, "user": entry.username, "action": entry.action,
            "at": entry.created_at.isoformat()},
        "attributes": [{"attribute": a.attribute, "label": a.label, "old": a.old, "new": a.new,
                        "before": a.before.text if a.before else None,
                        "after": a.after.text if a.after else None}
                       for a in change.attributes],
    }
