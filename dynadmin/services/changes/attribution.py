"""Who made a change: the audit entry of the dynadmin write that made an archived change, or
nobody (made elsewhere, or by DynamoDB's TTL).

``audit_entries_for`` finds the audit entries that may have made some changes (same key,
near their time); ``attribute`` decides which change each one made, one change per entry (a
key move's one entry makes two: the REMOVE at the key it left, the INSERT at the one it
reached).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Q

from ... import data
from ...data.serialization import loads_dynamodb_json
from ...definitions import Table
from ...models import AuditEntry
from ..url_keys import key_text

__all__ = ["attribute", "audit_entries_for"]

# The record's time is approximate: DynamoDB Local rounds it down to the minute, AWS to the
# second. An audit entry is written just after its write returns, so it may follow the
# record's time by up to a minute, and precede it only by clock skew.
AUDIT_BEFORE = dt.timedelta(seconds=5)
AUDIT_AFTER = dt.timedelta(seconds=65)
AUDIT_OUTCOMES = (AuditEntry.Outcome.APPLIED, AuditEntry.Outcome.UNKNOWN)
# Writes that change an item's key: one entry, filed under the key the item ends at, for two
# records (a REMOVE at the key it left, an INSERT at the key it reached).
_KEY_CHANGING = (AuditEntry.Action.MOVE, AuditEntry.Action.UNDO)
# Audit entries compared with one read's records, at most (the newest in the window).
_AUDIT_ROWS = 200


def audit_entries_for(table: Table, key: Mapping[str, Any] | None,
                      records: Sequence[data.StreamRecord]) -> list[AuditEntry]:
    """The applied audit entries that may have made these records (of one key, or any)."""
    times = [r.when for r in records if r.when is not None]
    if not times:
        return []
    rows = AuditEntry.objects.filter(
        table=table.name, outcome__in=AUDIT_OUTCOMES,
        created_at__gte=min(times) - AUDIT_BEFORE, created_at__lte=max(times) + AUDIT_AFTER)
    if key is not None:
        text = key_text(table, key)[:1024]
        rows = rows.filter(Q(key_text=text) | Q(action__in=_KEY_CHANGING))
    found = list(rows.select_related("user").order_by("-created_at")[:_AUDIT_ROWS])
    if key is None:
        return found
    return [entry for entry in found if text in keys_of(table, entry)]


def keys_of(table: Table, entry: AuditEntry) -> set[str]:
    """The keys (as text) an entry's write touched: its own, and for a move (or its undo)
    the keys of the items before and after it."""
    keys = {entry.key_text}
    if entry.action in _KEY_CHANGING:
        for image in (_image(entry.before), _image(entry.after)):
            if image and all(name in image for name in table.primary.attributes):
                keys.add(key_text(table, table.key_of(image))[:1024])
    return keys


def attribute(table: Table, records: Sequence[data.StreamRecord],
              entries: Sequence[AuditEntry]) -> dict[str, AuditEntry]:
    """Which records dynadmin's writes made: the audit entry of each, by the record's
    sequence number (records no entry made are absent)."""
    by_key: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        for text in keys_of(table, entry):
            by_key.setdefault(text, []).append(entry)
    made: dict[str, AuditEntry] = {}
    for record in records:
        candidates = by_key.get(key_text(table, record.keys)[:1024], [])
        entry = _matching_entry(record, candidates)
        if entry is not None:
            candidates.remove(entry)  # one write makes one record
            made[record.sequence_number] = entry
    return made


def _matching_entry(record: data.StreamRecord, entries: list[AuditEntry]) -> AuditEntry | None:
    if record.when is None:
        return None
    for entry in entries:
        if not (record.when - AUDIT_BEFORE <= entry.created_at <= record.when + AUDIT_AFTER):
            continue
        if record.event_name == "REMOVE":
            if entry.before and _image(entry.before) == record.old_image and (
                    not entry.after or _image(entry.after) != record.old_image):
                return entry
        elif entry.after and _image(entry.after) == record.new_image:
            return entry
    return None


def _image(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        return loads_dynamodb_json(text)
    except ValueError:
        return None
