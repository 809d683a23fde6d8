"""The seeds' "production ready" checklist, answered for one table.

Each row is pass, warn or fail, with the facts behind it. A fail is something that breaks
(an access pattern without its index, ephemeral data that never expires); a warn is a risk
or a policy not met (provisioned capacity, no point-in-time recovery), or something this
endpoint cannot tell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...definitions import Table
from .design import ON_DEMAND, access_patterns, ephemeral_entities
from .report_data import (
    OK,
    UNSUPPORTED,
    ChecklistRow,
    IndexHealth,
    PointInTimeRecovery,
    TableStatus,
)
from .report_data import TimeToLive as TTLState

if TYPE_CHECKING:
    from ...sites import AdminSite

__all__ = ["checklist"]

SINGLE_TABLE = "Single-table design with access patterns documented"
GSIS = "GSIs for all query patterns"
TTL = "TTL enabled for ephemeral data"
CAPACITY = "Capacity mode appropriate (on-demand is the policy)"
PITR = "Point-in-time recovery enabled"
ENCRYPTION = "Encryption at rest"
DELETION = "Deletion protection enabled"


def checklist(table: Table, site: AdminSite, status: TableStatus, indexes: list[IndexHealth],
              ttl: TTLState, pitr: PointInTimeRecovery) -> list[ChecklistRow]:
    return [
        _single_table(table, site),
        _gsis(table, site, status, indexes),
        _ttl(table, site, status, ttl),
        _capacity(table, status),
        _pitr(status, pitr),
        _encryption(status),
        _deletion(status),
    ]


def _unknown(item: str, status: TableStatus) -> ChecklistRow:
    return ChecklistRow(item, "warn", f"Cannot tell: DescribeTable failed ({status.status}).")


def _single_table(table: Table, site: AdminSite) -> ChecklistRow:
    entities = site.entities_of(table)
    patterns = access_patterns(table, site)
    lookups = sum(1 for p in patterns if p.kind in ("lookup", "listing"))
    detail = (f"{len(entities)} entit{'y' if len(entities) == 1 else 'ies'} registered on "
              f"{table.name}, {lookups} lookup{'s' if lookups != 1 else ''} or listing"
              f"{'s' if lookups != 1 else ''}, {len(patterns) - lookups} relation"
              f"{'s' if len(patterns) - lookups != 1 else ''}.")
    if not entities:
        return ChecklistRow(SINGLE_TABLE, "fail", "No entity is registered on this table.")
    if not lookups:
        return ChecklistRow(SINGLE_TABLE, "warn", detail + " No access pattern is declared: "
                            "add lookups or listings to the admins.")
    if len(entities) == 1:
        return ChecklistRow(SINGLE_TABLE, "warn", detail + " One entity per table is "
                            "table-per-entity design; related entities belong together.")
    return ChecklistRow(SINGLE_TABLE, "pass", detail)


def _gsis(table: Table, site: AdminSite, status: TableStatus, indexes: list[IndexHealth]
          ) -> ChecklistRow:
    patterns = access_patterns(table, site)
    needed = sorted({p.index_name for p in patterns if p.index_name is not None})
    broken = [p.where for p in patterns if p.key is None]
    undeclared = sorted({p.index_name for p in patterns
                         if p.key is not None and not table.has_index(p.index_name)})
    if broken or undeclared:
        return ChecklistRow(GSIS, "fail", "; ".join(
            [f"{w} names no key" for w in broken]
            + [f"index {n!r} is not declared" for n in undeclared]))
    if status.error is not None:
        return _unknown(GSIS, status)
    live = {i.name: i for i in indexes if i.live}
    missing = [n for n in needed if n not in live]
    if missing:
        return ChecklistRow(GSIS, "fail", f"Missing on the table: {', '.join(missing)}.")
    inactive = [n for n in needed if live[n].status not in (None, "ACTIVE")
                or live[n].backfilling]
    if inactive:
        return ChecklistRow(GSIS, "warn", f"Not ACTIVE yet: {', '.join(inactive)}.")
    used = ", ".join(needed) or "the table's own key only"
    return ChecklistRow(GSIS, "pass", f"Every lookup, listing and relation has its index "
                        f"({used}).")


def _ttl(table: Table, site: AdminSite, status: TableStatus, ttl: TTLState) -> ChecklistRow:
    ephemeral = ephemeral_entities(table, site)
    if not ephemeral:
        return ChecklistRow(TTL, "pass", "No entity is declared or named as ephemeral.")
    names = ", ".join(e._meta.name for e in ephemeral)
    required = [e for e in ephemeral if e._meta.ttl_policy == "required"]
    unexpiring = [e._meta.name for e in required if e._meta.ttl_field is None]
    if unexpiring or (required and not table.ttl_attribute):
        return ChecklistRow(TTL, "fail", f"Ephemeral without expiry: "
                            f"{', '.join(unexpiring) or names} (no TTL field or no table "
                            "ttl_attribute).")
    attributes = {e._meta.ttl_field.attribute for e in ephemeral if e._meta.ttl_field}
    if table.ttl_attribute and attributes - {table.ttl_attribute}:
        return ChecklistRow(TTL, "fail", f"TTL fields on {', '.join(sorted(attributes))}, "
                            f"but the table expires by {table.ttl_attribute!r}.")
    if status.error is not None:
        return _unknown(TTL, status)
    if ttl.state == UNSUPPORTED:
        return ChecklistRow(TTL, "warn", f"Ephemeral: {names}. DescribeTimeToLive: not "
                            "supported by this endpoint.")
    if ttl.state != OK:
        return ChecklistRow(TTL, "warn", f"Ephemeral: {names}. DescribeTimeToLive could not "
                            "be read.")
    if ttl.status == "ENABLING":
        return ChecklistRow(TTL, "warn", f"TTL is still being enabled on {ttl.attribute!r}.")
    if table.ttl_attribute and (ttl.status != "ENABLED"
                                or ttl.attribute != table.ttl_attribute):
        where = f" on {ttl.attribute!r}" if ttl.attribute else ""
        return ChecklistRow(TTL, "fail", f"Ephemeral: {names}; TTL is {ttl.status}{where}, "
                            f"but the definitions expire items by {table.ttl_attribute!r}.")
    unflagged = [e._meta.name for e in ephemeral if e._meta.ttl_field is None]
    if unflagged:
        return ChecklistRow(TTL, "warn", f"TTL is ENABLED on {ttl.attribute!r}, but "
                            f"{', '.join(unflagged)} sound ephemeral and have no TTL field.")
    return ChecklistRow(TTL, "pass", f"TTL is ENABLED on {ttl.attribute!r} for {names}.")


def _capacity(table: Table, status: TableStatus) -> ChecklistRow:
    if table.billing_mode != ON_DEMAND:
        return ChecklistRow(CAPACITY, "warn", f"The definitions declare "
                            f"{table.billing_mode}; the policy is on-demand.")
    if status.error is not None:
        return _unknown(CAPACITY, status)
    if status.billing_mode == ON_DEMAND:
        return ChecklistRow(CAPACITY, "pass", "On-demand (PAY_PER_REQUEST).")
    mode = status.billing_mode or "of unknown billing mode"
    return ChecklistRow(CAPACITY, "warn", f"The table is {mode}; the policy is on-demand.")


def _pitr(status: TableStatus, pitr: PointInTimeRecovery) -> ChecklistRow:
    if status.error is not None:
        return _unknown(PITR, status)
    if pitr.state == UNSUPPORTED:
        return ChecklistRow(PITR, "warn", "DescribeContinuousBackups: not supported by this "
                            "endpoint.")
    if pitr.state != OK:
        return ChecklistRow(PITR, "warn", "DescribeContinuousBackups could not be read.")
    if pitr.status == "ENABLED":
        return ChecklistRow(PITR, "pass", "Point-in-time recovery is ENABLED.")
    return ChecklistRow(PITR, "warn", f"Point-in-time recovery is {pitr.status or 'off'}.")


def _encryption(status: TableStatus) -> ChecklistRow:
    if status.error is not None or status.encryption is None:
        return _unknown(ENCRYPTION, status)
    sse = status.encryption
    if status.status == "INACCESSIBLE_ENCRYPTION_CREDENTIALS":
        return ChecklistRow(ENCRYPTION, "fail", "The table's KMS key is inaccessible.")
    if sse.status in ("ENABLED", "UPDATING"):
        return ChecklistRow(ENCRYPTION, "pass", f"Encrypted at rest ({sse.key}).")
    return ChecklistRow(ENCRYPTION, "warn", f"Server-side encryption is {sse.status}.")


def _deletion(status: TableStatus) -> ChecklistRow:
    if status.error is not None:
        return _unknown(DELETION, status)
    if status.deletion_protection:
        return ChecklistRow(DELETION, "pass", "Deletion protection is on.")
    return ChecklistRow(DELETION, "warn", "Deletion protection is off.")
