"""An item's History as JSON (``…/item/changes.json`` and ``dynadmin_changes --json``): the
page's changes, values as plain JSON with every digit kept."""

from __future__ import annotations

from typing import Any

from .item_changes import Change, ItemHistory

__all__ = ["history_to_json"]


def history_to_json(history: ItemHistory) -> dict[str, Any]:
    """JSON-ready (through ``dumps_plain_json``, which keeps every digit of a number)."""
    return {
        "table": history.table.name,
        "key": history.key,
        "archive": {"missing": history.archive_missing, "problem": history.problem,
                    "advice": history.advice},
        "changes": [change_to_json(c) for c in history.changes],
        "not_archived_yet": [
            {"audit_entry": _entry(row.entry)} for row in history.rows
            if row.not_archived_yet and row.entry is not None],
        "older_position": history.older_position or None,
        "newer_position": history.newer_position or None,
    }


def _entry(entry: Any) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"id": entry.pk, "user": entry.username, "action": entry.action,
            "outcome": entry.outcome, "at": entry.created_at.isoformat()}


def change_to_json(change: Change) -> dict[str, Any]:
    return {
        "event": change.event,
        "when": change.when.isoformat() if change.when else None,
        "origin": change.origin,
        "sequence_number": change.sequence_number,
        "position": change.position or None,
        "audit_entry": _entry(change.audit_entry),
        "incomplete": change.incomplete or None,
        "attributes": [{"attribute": a.attribute, "label": a.label, "old": a.old, "new": a.new,
                        "before": a.before.text if a.before else None,
                        "after": a.after.text if a.after else None}
                       for a in change.attributes],
    }
