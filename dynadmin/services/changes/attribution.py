"""Who made a change: the audit entry of the dynadmin write that made an archived change, or
nobody (made elsewhere, or by DynamoDB's TTL).

``audit_entries_for`` finds the audit entries that may have made some changes (same key,
near their time); ``attribute`` decides which change each one made. A write makes one change,
except a key move (or the undo of one), which makes two: the REMOVE at the key it left, the
INSERT at the one it reached. A TTL deletion is DynamoDB's own (its service identity says so)
and is never credited to an entry.

An entry holds the item as the write found it (``before``: what the person read, which the
write's guard checked) and as it left it (``after``: what DynamoDB returned, or the item put).
A change is the entry's when its images are those of the write, by the most exact evidence
the entity's definition offers:

1. **A Version field.** Every dynadmin write is conditional on the version read and writes the
   next one, so the write is the change from ``before``'s version to ``after``'s (a delete:
   the REMOVE of ``before``'s version). Exact as long as versions only go up: another writer
   that copies an item copies its version too, and its change (version to the same version)
   is not a write from one version to the next. Only a writer that winds the version back and
   writes the same version again makes a change that looks like dynadmin's.
2. **A write marker** (``fields.WriteMarker``, opt-in). Every dynadmin write sets it to a fresh
   random token, which the entry's ``after`` holds: the write is the one change whose new
   image holds the token and whose old image does not. Exact: a copy of the item carries the
   token, but then its old image held it already (only a writer that first puts back the
   item as it was before dynadmin's write, then the copy, repeats the change; the order of 3
   settles that). A delete writes nothing, so a REMOVE is judged as in 3.
3. **Neither: the images.** The new image must be ``after`` whole, and the old image must
   hold ``before``'s values of the attributes the write changed (those its guard checked; a
   delete's guard checks them all). This cannot tell apart two changes with the same images
   both ways: a script that writes an item back to what it was before a dynadmin write and
   then writes what dynadmin wrote makes the very change dynadmin made. Such look-alikes are
   settled by order: records are taken in sequence order (the stream's own) and each entry
   in the order it was made, each credited at most once, so an admin's change followed within
   the minute by a script writing the same image labels both right (the admin's comes first
   in the stream); the reverse, script first, credits the script when its old image is also
   the admin's. Only the records given are compared: a change outside them (an older page)
   cannot claim its entry first.

Any tier also needs the entry to be within the time window of the change (its time is
approximate; see ``AUDIT_BEFORE``/``AUDIT_AFTER``). Where an image was too large to archive,
the side that is left is compared alone; a change with neither side is not credited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Q

from ... import data
from ...data.serialization import loads_dynamodb_json, same_value
from ...definitions import Table
from ...history.archive import MOMENT, padded_sequence
from ...models import AuditEntry
from ..url_keys import key_text

__all__ = ["attribute", "audit_entries_for", "keys_of", "time_of"]

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
#: An attribute an image does not hold (distinct from one holding NULL).
_ABSENT = object()


def audit_entries_for(table: Table, key: Mapping[str, Any] | None,
                      records: Sequence[data.StreamRecord]) -> list[AuditEntry]:
    """The applied audit entries that may have made these records (of one key, or any)."""
    times = [when for when in map(time_of, records) if when is not None]
    if not times:
        return []
    rows = AuditEntry.objects.filter(
        table=table.name, outcome__in=AUDIT_OUTCOMES,
        created_at__gte=min(times) - AUDIT_BEFORE, created_at__lte=max(times) + AUDIT_AFTER)
    if key is not None:
        text = key_text(table, key)[:1024]
        rows = rows.filter(Q(key_text=text) | Q(action__in=_KEY_CHANGING))
    found = list(rows.order_by("-created_at")[:_AUDIT_ROWS])
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
    sequence number (records no entry made are absent). Records may come in any order."""
    by_key: dict[str, list[_Write]] = {}
    for entry in sorted(entries, key=lambda e: (e.created_at, e.pk or 0)):
        write = _Write(table, entry)
        for text in keys_of(table, entry):
            by_key.setdefault(text, []).append(write)
    made: dict[str, AuditEntry] = {}
    for record in sorted(records, key=_stream_order):
        if record.is_ttl_deletion:
            continue
        text = key_text(table, record.keys)[:1024]
        for write in by_key.get(text, []):
            # One write makes one change per key it touched.
            if text not in write.credited and write.made(record):
                write.credited.add(text)
                made[record.sequence_number] = write.entry
                break
    return made


def time_of(record: data.StreamRecord) -> dt.datetime | None:
    """When the change was made, to the second: the record's time, else (an archived change
    read without it) the moment its position in the archive, ``AT#<time>#<sequence>``,
    names."""
    if record.when is not None:
        return record.when
    position = str(getattr(record, "position", "") or "")
    prefix, _, rest = position.partition("#")
    try:
        return dt.datetime.strptime(rest.partition("#")[0], MOMENT).replace(tzinfo=dt.UTC) if (
            prefix == "AT") else None
    except ValueError:
        return None


def _stream_order(record: data.StreamRecord) -> str:
    try:
        return padded_sequence(record.sequence_number)
    except ValueError:  # not a stream's sequence number: after every real one
        return "~" + record.sequence_number


class _Write:
    """One audit entry's write, as its images say it changed an item."""

    def __init__(self, table: Table, entry: AuditEntry) -> None:
        self.table = table
        self.entry = entry
        self.before = _image(entry.before)
        self.after = _image(entry.after)
        diff = entry.diff if isinstance(entry.diff, dict) else None
        #: the attributes the write changed (its guard checked their values in ``before``)
        self.changed = list(diff) if diff else None
        #: key texts already credited with one of this write's changes
        self.credited: set[str] = set()

    def made(self, record: data.StreamRecord) -> bool:
        when = time_of(record)
        if when is None or not (
                when - AUDIT_BEFORE <= self.entry.created_at <= when + AUDIT_AFTER):
            return False
        keys = dict(record.keys)
        # The write's images at this record's key: a move's before is at the key it left,
        # its after at the one it reached.
        old = self.before if self.before and self.table.key_of(self.before) == keys else None
        new = self.after if self.after and self.table.key_of(self.after) == keys else None
        had_old = record.event_name in ("MODIFY", "REMOVE")
        has_new = record.event_name in ("INSERT", "MODIFY")
        if (old is not None) != had_old or (new is not None) != has_new:
            return False
        entity = self.table.classify(new if new is not None else old or {})
        meta = entity._meta if entity is not None else None
        version = meta.version_field if meta else None
        marker = meta.write_marker if meta else None
        if version is not None:
            return _by_attribute(record, old, new, version.attribute)
        if marker is not None and new is not None and marker.attribute in new:
            return _by_marker(record, old, new, marker.attribute)
        return self._by_images(record, old, new)

    def _by_images(self, record: data.StreamRecord, old: dict[str, Any] | None,
                   new: dict[str, Any] | None) -> bool:
        compared = False
        if old is not None and record.old_image is not None:
            names = self.changed if self.changed is not None else list(
                dict.fromkeys([*old, *record.old_image]))
            if not all(same_value(record.old_image.get(n, _ABSENT), old.get(n, _ABSENT))
                       for n in names):
                return False
            compared = True
        if new is not None and record.new_image is not None:
            if not _same_image(record.new_image, new):
                return False
            compared = True
        return compared


def _by_attribute(record: data.StreamRecord, old: dict[str, Any] | None,
                  new: dict[str, Any] | None, name: str) -> bool:
    """The record went from ``old``'s value of ``name`` to ``new``'s (the version the write
    was conditional on, and the one it wrote)."""
    compared = False
    for expected, image in ((old, record.old_image), (new, record.new_image)):
        if expected is not None and image is not None:
            if not same_value(image.get(name, _ABSENT), expected.get(name, _ABSENT)):
                return False
            compared = True
    return compared


def _by_marker(record: data.StreamRecord, old: dict[str, Any] | None,
               new: dict[str, Any], name: str) -> bool:
    """The record's new image holds the write's fresh token and its old image does not."""
    if record.new_image is None:
        # the new image was too large to archive: judged by what the write found
        return old is not None and record.old_image is not None and same_value(
            record.old_image.get(name, _ABSENT), old.get(name, _ABSENT))
    token = new[name]
    if not same_value(record.new_image.get(name, _ABSENT), token):
        return False
    return record.old_image is None or not same_value(record.old_image.get(name, _ABSENT),
                                                      token)


def _same_image(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.keys() == b.keys() and all(same_value(a[n], b[n]) for n in a)


def _image(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        image = loads_dynamodb_json(text)
    except ValueError:
        return None
    return image if isinstance(image, dict) else None
