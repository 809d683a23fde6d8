"""The archive of changes: one DynamoDB table of its own, designed single-table style.

Three entities share it (PK / SK, then the index keys):

- Change: ``CHANGE#<source table>#<item key>`` / ``AT#<time>#<sequence>``, so one Query of
  the item's partition, ``ScanIndexForward=False``, lists its changes newest first;
  GSI1 ``TABLE#<source table>#<hour>`` / ``AT#<time>#<sequence>``: a table's changes in one
  hour, newest first, without a hot partition for the whole table.
  GSI2 ``PARTITION#<source table>#<partition key value>`` / ``AT#…``: one partition's
  changes, newest first, at any time.
- Status: ``STATUS#<source table>`` / ``HOUR#<hour>``: what the consumer last said in that
  hour (when it last read the stream to its end, the newest change archived); also in GSI1
  under ``TABLE#<source table>#<hour>`` / ``~STATUS``, after every ``AT#`` key, so the Query
  of a table's newest changes gets the consumer's lag first, in the same call.
- Checkpoint: ``CHECKPOINT#<source table>`` / ``SHARD#<shard id>``: the last sequence number
  archived from each shard (one Query lists a table's shards).
- Gap: ``GAP#<source table>`` / ``SHARD#<shard id>#AFTER#<sequence>``: records the consumer
  could not read (older than the stream keeps): "changes between … and … were not archived".

A change's source table, item key, time, hour, partition and sequence are spelt in its
keys and stored nowhere else (key-only fields: ``Change.parse_item`` reads them back).

The source table is its physical name: the Lambda handler knows only the stream's ARN, which
names it. The item key is the item's key as compact DynamoDB JSON (exact, sorted; its SHA-256
when too long for a partition key), and images are DynamoDB JSON text too: a number keeps
every digit, a binary value its bytes.

Sequence numbers are decimal strings of 21 to 40 digits. Keys and checkpoints spell them
zero-padded to 40 digits, so that comparing the text compares the numbers (a Number would
hold only 38 digits); ``sequence_number`` keeps the stream's own spelling, which a read must
be given back (DynamoDB Local's have leading zeros).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from .. import conf, limits
from ..data.serialization import dumps_dynamodb_json
from ..definitions import Entity, Key, Table, fields

__all__ = ["Change", "Checkpoint", "Gap", "HistoryTable", "SEQUENCE_DIGITS", "Status", "archive",
           "archive_is_on", "expiry", "hour_partition", "item_bytes", "item_key_text",
           "item_partition", "padded_sequence", "partition_partition", "partition_text"]

#: The most digits a stream sequence number has.
SEQUENCE_DIGITS = 40
#: Moments in keys: to the second (GetRecords and Lambda's events agree on the second, not on
#: anything finer), in UTC.
MOMENT = "%Y-%m-%dT%H:%M:%SZ"
HOUR = "%Y-%m-%dT%H"


class HistoryTable(Table):
    """The archive's definition: its physical name comes from ``DYNADMIN_HISTORY_TABLE``
    (unless ``DYNADMIN_TABLE_NAMES`` names it, as for any table); ``""`` turns the archive
    off (``archive_is_on``)."""

    @property
    def table_name(self) -> str:
        from django.core.exceptions import ImproperlyConfigured

        try:
            names: Mapping[str, str] = conf.get("TABLE_NAMES") or {}
            default = conf.get("HISTORY_TABLE")
        except ImproperlyConfigured:  # definitions are usable without Django configured
            names, default = {}, conf.DEFAULTS["HISTORY_TABLE"]
        return names.get(self.name, default)


# No stream of its own: the archive is where changes end up, nothing follows it.
archive = HistoryTable("History", pk="PK", sk="SK",
                       indexes={"GSI1": ("GSI1PK", "GSI1SK"), "GSI2": ("GSI2PK", "GSI2SK")},
                       ttl_attribute="ttl", type_attribute="type", stream_view_type=None)

EVENTS = ("INSERT", "MODIFY", "REMOVE")


class Change(Entity, table=archive, label="{event} {changed_at:%Y-%m-%d %H:%M:%S} · {item_key}"):
    keys = Key(pk="CHANGE#{source_table}#{item_key}",
               sk="AT#{changed_at:%Y-%m-%dT%H:%M:%SZ}#{sequence}")
    by_table_hour = Key("GSI1", pk="TABLE#{source_table}#{hour}",
                        sk="AT#{changed_at:%Y-%m-%dT%H:%M:%SZ}#{sequence}")
    by_partition = Key("GSI2", pk="PARTITION#{source_table}#{partition}",
                       sk="AT#{changed_at:%Y-%m-%dT%H:%M:%SZ}#{sequence}")

    # What the keys spell is kept in the keys alone (read back from them): an archived
    # change is written three times (the item and its two index entries, each billed by its
    # size), and each copy is smaller without them.
    source_table = fields.String(required=True, key_only=True)
    item_key = fields.String(required=True, key_only=True,
                             label="Item key (DynamoDB JSON, or its SHA-256)")
    changed_at = fields.DateTime(required=True, key_only=True)
    hour = fields.String(required=True, key_only=True)
    partition = fields.String(required=True, key_only=True,
                              label="Partition key value (as text, or its SHA-256)")
    sequence = fields.String(required=True, key_only=True, label="Sequence number (padded)")
    sequence_number = fields.String(label="Sequence number (as the stream spells it)")
    event = fields.Choice(*EVENTS, required=True)
    keys_json = fields.String(label="Keys (DynamoDB JSON)")
    old_image = fields.String(label="Old image (DynamoDB JSON)")
    new_image = fields.String(label="New image (DynamoDB JSON)")
    identity_type = fields.String()
    principal = fields.String()
    ttl_deletion = fields.Boolean()  # stored only when true
    images_left_out = fields.String(label="Images too large to archive")
    shard_id = fields.String()
    expires = fields.TTL(attribute="ttl")


class Status(Entity, table=archive, label="{source_table} · consumer in {hour}"):
    keys = Key(pk="STATUS#{source_table}", sk="HOUR#{hour}")
    in_hour = Key("GSI1", pk="TABLE#{source_table}#{hour}", sk="~STATUS")

    source_table = fields.String(required=True)
    hour = fields.String(required=True)
    #: the last time the consumer read every shard to its newest record: every change made
    #: before it is archived
    archived_up_to = fields.DateTime()
    #: the last time the consumer said anything (a pass, a Lambda batch)
    reported_at = fields.DateTime()
    #: the consumer archived changes made in this hour (set once, never unset): Activity
    #: lists these hours to skip the quiet ones
    has_changes = fields.Boolean()
    #: "follow" (the command) or "lambda" (an event source mapping: it runs only when there
    #: are changes, so its silence says nothing)
    consumer = fields.Choice("follow", "lambda")
    newest_change_at = fields.DateTime(label="Time of the newest change archived")
    expires = fields.TTL(attribute="ttl")


class Checkpoint(Entity, table=archive, label="{source_table} · {shard_id}"):
    keys = Key(pk="CHECKPOINT#{source_table}", sk="SHARD#{shard_id}")

    source_table = fields.String(required=True)
    shard_id = fields.String(required=True)
    sequence = fields.String(required=True, label="Last sequence number archived (padded)")
    sequence_number = fields.String(required=True, label="The same, as the stream spells it")
    changed_at = fields.DateTime(label="Time of the last change archived")
    archived_at = fields.DateTime()
    # A closed shard read to its end is finished: no pass reads it again, and its checkpoint
    # expires once the stream no longer lists the shard (24 hours after it closed).
    finished = fields.Boolean()
    expires = fields.TTL(attribute="ttl")


class Gap(Entity, table=archive, label="{source_table} · {shard_id} after {after}"):
    keys = Key(pk="GAP#{source_table}", sk="SHARD#{shard_id}#AFTER#{after}")

    source_table = fields.String(required=True)
    shard_id = fields.String(required=True)
    after = fields.String(required=True, label="Last sequence number archived (padded)")
    until = fields.String(label="First sequence number read again (padded)")
    reason = fields.String()
    noticed_at = fields.DateTime()


def archive_is_on() -> bool:
    """False when the project turned the archive off (``DYNADMIN_HISTORY_TABLE = ""``):
    History then lists dynadmin's own writes only, and nothing reads or writes an archive."""
    return bool(archive.table_name)


def padded_sequence(sequence: str) -> str:
    """A sequence number as text that sorts as the number does."""
    if not sequence.isdigit() or len(sequence) > SEQUENCE_DIGITS:
        raise ValueError(f"{sequence!r} is not a stream sequence number")
    return sequence.zfill(SEQUENCE_DIGITS)


def item_key_text(source_table: str, keys: Mapping[str, Any], text: str | None = None) -> str:
    """An item's key as the archive spells it: compact DynamoDB JSON, attributes sorted; a
    key too long for the archive's partition key (a source key may be 3 KB, a partition key
    2 KB) is spelled by its SHA-256 instead, which the same call gives every reader.
    ``text``: the keys as compact DynamoDB JSON already, when the caller has it."""
    text = text if text is not None else dumps_dynamodb_json(keys, indent=None)
    partition = Change._meta.primary_key.pk.format({"source_table": source_table,
                                                    "item_key": text})
    if len(partition.encode()) <= limits.MAX_PARTITION_KEY_BYTES:
        return text
    return "SHA256:" + hashlib.sha256(text.encode()).hexdigest()


def item_partition(source_table: str, keys: Mapping[str, Any]) -> str:
    """The partition holding an item's changes (query it newest first)."""
    text: str = Change._meta.primary_key.pk.format(
        {"source_table": source_table, "item_key": item_key_text(source_table, keys)})
    return text


def partition_text(source_table: str, value: Any) -> str:
    """A partition key value as the archive's partition index spells it: a string as it is,
    a number or binary value as DynamoDB JSON; its SHA-256 when too long."""
    text = value if isinstance(value, str) else dumps_dynamodb_json({"v": value}, indent=None)
    partition = Change._meta.keys["by_partition"].pk.format(
        {"source_table": source_table, "partition": text})
    if len(partition.encode()) <= limits.MAX_PARTITION_KEY_BYTES:
        return text
    return "SHA256:" + hashlib.sha256(text.encode()).hexdigest()


def partition_partition(source_table: str, value: Any) -> str:
    """The index partition holding the changes of the items of one partition of a table."""
    text: str = Change._meta.keys["by_partition"].pk.format(
        {"source_table": source_table, "partition": partition_text(source_table, value)})
    return text


def hour_partition(source_table: str, hour: dt.datetime) -> str:
    """The index partition holding a table's changes in the hour of ``hour`` (UTC)."""
    text: str = Change._meta.keys["by_table_hour"].pk.format(
        {"source_table": source_table, "hour": hour.astimezone(dt.UTC).strftime(HOUR)})
    return text


def item_bytes(item: Mapping[str, Any]) -> int:
    """An archive item's size as DynamoDB counts it, from above: names and text by their
    UTF-8 bytes, any other value (numbers, booleans, as the archive holds them) as at most
    the bytes of its text plus one."""
    return sum(len(name.encode()) + len(str(value).encode()) + 1
               for name, value in item.items())


def expiry(changed_at: dt.datetime) -> dt.datetime:
    """When an archived change expires (``DYNADMIN_HISTORY_RETENTION_DAYS`` after it)."""
    return changed_at + dt.timedelta(days=conf.get("HISTORY_RETENTION_DAYS"))
