"""Drift: where the live table disagrees with the registered definitions.

The definitions are what dynadmin formats keys and queries with; when the table differs (an
index never created, a key attribute of another type, TTL switched off), pages fail in
confusing ways or items silently never expire. Each disagreement is a finding with the
reason and the fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...definitions import Table
from .design import access_patterns
from .report_data import OK, Finding, TimeToLive
from .sources import attribute_types, billing_mode, index_descriptions, key_schema

if TYPE_CHECKING:
    from ...sites import AdminSite

__all__ = ["drift_findings", "used_indexes"]

_TYPE_NAMES = {"S": "String", "N": "Number", "B": "Binary"}


def used_indexes(table: Table, site: AdminSite) -> dict[str, list[str]]:
    """Every secondary index the definitions need, with who needs it.

    The table's declared indexes, every index an entity Key is on, and every index a
    lookup, listing or relation reads.
    """
    users: dict[str, list[str]] = {name: [f"Table {table.name}"] for name in table.indexes}
    for entity in site.entities_of(table):
        for name, key in entity._meta.keys.items():
            if key.index_name:
                users.setdefault(key.index_name, []).append(f"{entity._meta.label}.{name}")
    for pattern in access_patterns(table, site):
        if pattern.index_name:
            users.setdefault(pattern.index_name, []).append(pattern.where)
    return users


def drift_findings(table: Table, site: AdminSite, description: dict[str, Any] | None,
                   ttl: TimeToLive) -> list[Finding]:
    """Disagreements between the definitions and DescribeTable / DescribeTimeToLive."""
    if description is None:
        return []
    findings = _key_schema(table, description)
    findings += _key_types(table, description)
    findings += _indexes(table, site, description)
    findings += _ttl(table, ttl)
    findings += _billing(table, description)
    return findings


def _pair(pk: str | None, sk: str | None) -> str:
    return f"{pk} / {sk}" if sk else f"{pk} (no sort key)"


def _key_schema(table: Table, description: dict[str, Any]) -> list[Finding]:
    live = key_schema(description)
    declared = (table.pk, table.sk)
    if live == declared:
        return []
    return [Finding(
        "key-schema", "fail", f"{table.name} (table)",
        f"The table's key is {_pair(*live)}; the definitions declare {_pair(*declared)}.",
        "Every GetItem, Query and write dynadmin sends names the declared attributes, so "
        "DynamoDB rejects them or finds nothing.",
        "Fix Table(pk=..., sk=...) to match the table, or point DYNADMIN_TABLE_NAMES at the "
        "right table.")]


def _key_types(table: Table, description: dict[str, Any]) -> list[Finding]:
    live = attribute_types(description)
    findings = []
    for attribute, declared in table.key_attribute_types().items():
        actual = live.get(attribute)
        if actual is None or actual == declared:
            continue
        findings.append(Finding(
            "key-type", "fail", f"{table.name}.{attribute}",
            f"{attribute} is a {_TYPE_NAMES.get(actual, actual)} ({actual}) key attribute on "
            f"the table; the definitions declare {_TYPE_NAMES.get(declared, declared)} "
            f"({declared}).",
            "Keys are sent with the declared type, which DynamoDB refuses as a "
            "ValidationException (or, for an index, silently leaves items out of it).",
            f'Table(..., key_types={{"{attribute}": "{actual}"}}) if the table is right; '
            "a key attribute's type cannot be changed on an existing table or index."))
    return findings


def _indexes(table: Table, site: AdminSite, description: dict[str, Any]) -> list[Finding]:
    live = index_descriptions(description)
    findings = []
    for name, users in used_indexes(table, site).items():
        if name not in live:
            findings.append(Finding(
                "missing-index", "fail", name,
                f"Index {name!r} is used by {', '.join(users)}, but the table has no such "
                "index.",
                "Every lookup, listing or relation on it fails, and items written through "
                "its key are simply not indexed anywhere.",
                f"Create the GSI (aws dynamodb update-table --table-name {table.table_name} "
                f"--global-secondary-index-updates Create={{IndexName={name},...}}) or "
                "remove it from the definitions."))
            continue
        if not table.has_index(name):
            continue  # the design check reports the missing declaration
        findings += _index_shape(table, name, *live[name])
    for name, (kind, _entry) in live.items():
        if not table.has_index(name):
            findings.append(Finding(
                "undeclared-live-index", "info", name,
                f"The table has {kind} {name!r}, which the definitions do not declare.",
                "dynadmin cannot browse it, and its storage and write cost still apply.",
                "Declare it in Table(indexes=...) if it serves an access pattern; otherwise "
                "consider deleting it."))
    return findings


def _index_shape(table: Table, name: str, kind: str, entry: dict[str, Any]) -> list[Finding]:
    index = table.index(name)
    findings = []
    declared_kind = "LSI" if index.local else "GSI"
    live = key_schema(entry)
    if live != (index.pk, index.sk) or kind != declared_kind:
        findings.append(Finding(
            "index-key-schema", "fail", name,
            f"{kind} {name!r} is keyed {_pair(*live)}; the definitions declare a "
            f"{declared_kind} keyed {_pair(index.pk, index.sk)}.",
            "Queries on the index name the declared attributes, so they find nothing or "
            "are rejected, and items written with the declared attributes are not indexed.",
            "Fix Table(indexes=...) to match, or recreate the index with the declared keys."))
    status = entry.get("IndexStatus")
    if (status and status != "ACTIVE") or entry.get("Backfilling"):
        findings.append(Finding(
            "index-not-active", "warn", name,
            f"Index {name!r} is {status or 'UPDATING'}"
            f"{' and backfilling' if entry.get('Backfilling') else ''}.",
            "Until it is ACTIVE, queries on it fail or miss items that are still being "
            "backfilled.",
            "Wait for DynamoDB to finish; large tables can take hours to backfill."))
    return findings


def _ttl(table: Table, ttl: TimeToLive) -> list[Finding]:
    if ttl.state != OK:
        return []
    declared = table.ttl_attribute
    enabled = ttl.status in ("ENABLED", "ENABLING")
    if declared and not enabled:
        return [Finding(
            "ttl-disabled", "fail", f"{table.name} TTL",
            f"The definitions expire items through {declared!r}, but TTL is "
            f"{ttl.status or 'DISABLED'} on the table.",
            "DynamoDB deletes nothing: sessions, tokens and invitations stay forever, and "
            "storage and cost keep growing.",
            f"aws dynamodb update-time-to-live --table-name {table.table_name} "
            f"--time-to-live-specification Enabled=true,AttributeName={declared}")]
    if declared and ttl.attribute and ttl.attribute != declared:
        return [Finding(
            "ttl-attribute", "fail", f"{table.name} TTL",
            f"TTL is enabled on {ttl.attribute!r}, but the definitions write expiry times "
            f"to {declared!r}.",
            "Items written by dynadmin never expire, and the expiry the table does enforce "
            "is invisible here.",
            f'Table(..., ttl_attribute="{ttl.attribute}") if the table is right; otherwise '
            "disable TTL and re-enable it on the declared attribute (one change per hour).")]
    if not declared and enabled:
        return [Finding(
            "ttl-undeclared", "warn", f"{table.name} TTL",
            f"TTL is enabled on {ttl.attribute!r}, but the definitions declare no "
            "ttl_attribute.",
            "Items expire without the admin showing when.",
            f'Table(..., ttl_attribute="{ttl.attribute}") and a fields.TTL on ephemeral '
            "entities.")]
    return []


def _billing(table: Table, description: dict[str, Any]) -> list[Finding]:
    live = billing_mode(description)
    if live is None or live == table.billing_mode:
        return []
    return [Finding(
        "billing-mode", "warn", f"{table.name} (table)",
        f"The table is billed {live}; the definitions declare {table.billing_mode}.",
        "Tables created from the definitions (tests, new environments) behave and cost "
        "differently from this one.",
        f'Table(..., billing_mode="{live}"), or switch the table to '
        f"{table.billing_mode}.")]
