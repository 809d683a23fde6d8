"""The design check: what single-table practice says about the registered definitions.

Everything in ``design_findings`` comes from the definitions alone (no DynamoDB call), so it
also runs in CI before a table exists. ``operational_findings`` adds what only the live table
can tell (capacity mode, point-in-time recovery, deletion protection).

The rules are the seeds' red lines: hot partitions from poor key design, sequential ids in
partition keys, missing indexes for access patterns, no TTL on ephemeral data, provisioned
capacity where the policy is on-demand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...definitions import Entity, Key, KeyTemplate, Table
from ...definitions.fields import Boolean, Choice, Date, Integer, Version
from .report_data import OK, UNSUPPORTED, Finding, PointInTimeRecovery, TableStatus

if TYPE_CHECKING:
    from ...sites import AdminSite

__all__ = ["AccessPattern", "access_patterns", "design_findings", "ephemeral_entities",
           "looks_ephemeral", "operational_findings"]

ON_DEMAND = "PAY_PER_REQUEST"
#: words in an entity's name that say its items are short-lived
EPHEMERAL_WORDS = frozenset({
    "session", "sessions", "token", "tokens", "invitation", "invitations", "invite",
    "invites", "cache", "cached", "otp", "nonce", "nonces", "verification", "reset",
    "challenge", "lease", "lock", "locks",
})
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|\d+")


@dataclass(frozen=True)
class AccessPattern:
    """A way the admin reads the table: a lookup, listing or relation, through one key."""

    kind: str  # lookup, listing or relation
    label: str
    entity: type[Entity]
    key_name: str
    key: Key | None  # None when the name is not a Key of the entity

    @property
    def index_name(self) -> str | None:
        return self.key.index_name if self.key is not None else None

    @property
    def where(self) -> str:
        return f"{self.entity._meta.label} {self.kind} {self.label!r}"


def access_patterns(table: Table, site: AdminSite) -> list[AccessPattern]:
    """Every lookup, listing and relation the site declares that reads this table."""
    found: list[AccessPattern] = []
    for entity in site.entities_of(table):
        admin = site.get_entity_admin(entity)
        keys = entity._meta.keys
        for lookup in admin.get_lookups():
            found.append(AccessPattern("lookup", lookup.label, entity, lookup.key,
                                       keys.get(lookup.key)))
        for listing in admin.get_listings():
            found.append(AccessPattern("listing", listing.label, entity, listing.key,
                                       keys.get(listing.key)))
    for admin in site.admins:
        for relation in admin.get_relations():
            target = relation.entity
            if target._meta.table is not table:
                continue
            name = relation.key or next((n for n, k in target._meta.keys.items()
                                         if k.is_primary), "keys")
            found.append(AccessPattern("relation", relation.label, target, name,
                                       target._meta.keys.get(name)))
    return found


def looks_ephemeral(entity: type[Entity]) -> bool:
    """Named like short-lived data (Session, Token, Invitation, Cache, OTP...)."""
    words = {w.lower() for w in _WORDS.findall(entity._meta.name)}
    return bool(words & EPHEMERAL_WORDS)


def ephemeral_entities(table: Table, site: AdminSite) -> list[type[Entity]]:
    return [e for e in site.entities_of(table)
            if e._meta.ttl_policy == "required" or looks_ephemeral(e)]


# -- definitions only ------------------------------------------------------------------------
def design_findings(table: Table, site: AdminSite) -> list[Finding]:
    """What the definitions themselves get wrong or risk; no DynamoDB call."""
    findings: list[Finding] = []
    for entity in site.entities_of(table):
        for name, key in entity._meta.keys.items():
            findings += _key_findings(entity, name, key)
        findings += _ttl_findings(entity)
    findings += _pattern_findings(table, site)
    if table.billing_mode != ON_DEMAND:
        findings.append(_provisioned(table.name, f"The definition of {table.name} declares "
                                     f"billing_mode={table.billing_mode!r}."))
    return findings


def _where(entity: type[Entity], name: str, key: Key) -> str:
    return f"{entity._meta.label}.{name} ({key.index_name or 'table'})"


def _key_findings(entity: type[Entity], name: str, key: Key) -> Iterator[Finding]:
    table = entity._meta.table
    where = _where(entity, name, key)
    if not table.has_index(key.index_name):
        yield Finding(
            "undeclared-index", "fail", where,
            f"The key is on index {key.index_name!r}, which table {table.name} does not "
            "declare.",
            "Items cannot be written with this key, and every read through it fails: the "
            "access pattern does not exist.",
            f"Declare {key.index_name!r} in Table(indexes=...) and create it on the table, or "
            "fix the index name.")
        return
    template = key.pk
    kinds = _variable_kinds(template)
    if not template.variables:
        yield Finding(
            "constant-partition-key", "warn", where,
            f"The partition key {template.template!r} is a constant: every item of "
            f"{entity._meta.name} shares one partition.",
            "A partition serves at most 3,000 reads and 1,000 writes per second; one "
            "partition for a whole entity is a hot partition waiting to throttle.",
            "Put a high-cardinality field (an id) into the partition key, or shard it "
            "(e.g. a suffix #0-#9 written at random and queried in parallel).")
    elif all(kind == "low" for kind in kinds.values()):
        fields = ", ".join(kinds)
        yield Finding(
            "low-cardinality-partition-key", "warn", where,
            f"The partition key {template.template!r} only varies with {fields} (a choice "
            "or a boolean), so all items share a handful of partitions.",
            f"Every item with the same {fields} lands in one partition: a popular value "
            "becomes a hot partition that throttles at 3,000 reads or 1,000 writes per "
            "second, however much capacity the table has.",
            "Add a high-cardinality component to the partition key (a date bucket or a shard "
            "suffix written at random and queried in parallel), or keep the index sparse by "
            "writing its key only for the few items that need it.")
    elif all(kind == "date" for kind in kinds.values()):
        yield Finding(
            "time-bucket-partition-key", "info", where,
            f"The partition key {template.template!r} is a date: each day's writes go to one "
            "partition.",
            "All writes of the current day hit the same partition.",
            "Fine for modest write rates; otherwise add a shard suffix to the partition key.")
    sequential = [n for n, kind in kinds.items() if kind == "integer"]
    if sequential:
        yield Finding(
            "sequential-id-partition-key", "warn", where,
            f"The partition key {template.template!r} holds {', '.join(sequential)}, an "
            "Integer: numeric ids usually come from a counter and are sequential.",
            "A counter needs a hot item to increment, and recent ids get the traffic, so "
            "sequential ids concentrate load instead of spreading it; they are also "
            "guessable.",
            "Use random identifiers (UUIDs, ULIDs or KSUIDs) as String fields in partition "
            "keys.")


def _variable_kinds(template: KeyTemplate) -> dict[str, str]:
    """Each placeholder's cardinality class: low, integer, date or high."""
    kinds = {}
    for name in template.variables:
        fld = template.fields.get(name)
        if isinstance(fld, Choice | Boolean):
            kinds[name] = "low"
        elif isinstance(fld, Integer) and not isinstance(fld, Version):
            kinds[name] = "integer"
        elif isinstance(fld, Date):
            kinds[name] = "date"
        else:
            kinds[name] = "high"
    return kinds


def _ttl_findings(entity: type[Entity]) -> Iterator[Finding]:
    meta = entity._meta
    table = meta.table
    ttl_field = meta.ttl_field
    if meta.ttl_policy == "required":
        if ttl_field is None:
            yield Finding(
                "ephemeral-without-ttl-field", "fail", meta.label,
                f"{meta.name} is declared ephemeral (ttl=\"required\") but has no TTL field.",
                "Nothing gives its items an expiry time, so DynamoDB never deletes them: "
                "storage and cost grow forever and stale sessions or tokens stay valid.",
                f'Add expires = fields.TTL(attribute="{table.ttl_attribute or "ttl"}").')
        if not table.ttl_attribute:
            yield Finding(
                "ephemeral-without-table-ttl", "fail", meta.label,
                f"{meta.name} is ephemeral but table {table.name} declares no ttl_attribute.",
                "DynamoDB only expires items through the table's single TTL attribute; "
                "without one, ephemeral items are never deleted.",
                f'Table(..., ttl_attribute="{ttl_field.attribute if ttl_field else "ttl"}") '
                "and enable TTL on that attribute.")
    elif ttl_field is None and looks_ephemeral(entity):
        yield Finding(
            "ephemeral-name-without-ttl", "warn", meta.label,
            f"{meta.name} sounds short-lived but has no TTL field.",
            "Sessions, tokens, invitations and caches that never expire pile up (cost, "
            "storage) and stay usable after they should have lapsed.",
            f'Declare it with ttl="required" and a fields.TTL field on the table\'s TTL '
            f'attribute ({table.ttl_attribute or "declare one"}), or rename it if it is '
            "permanent.")
    if ttl_field is not None and table.ttl_attribute and ttl_field.attribute != table.ttl_attribute:
        yield Finding(
            "ttl-field-on-other-attribute", "fail", f"{meta.label}.{ttl_field.name}",
            f"The TTL field is stored as {ttl_field.attribute!r}, but the table expires "
            f"items by {table.ttl_attribute!r}.",
            "DynamoDB ignores every attribute but the table's TTL attribute: these items "
            "never expire.",
            f'{ttl_field.name} = fields.TTL(attribute="{table.ttl_attribute}")')


def _pattern_findings(table: Table, site: AdminSite) -> Iterator[Finding]:
    for pattern in access_patterns(table, site):
        if pattern.key is None:
            yield Finding(
                "unknown-access-key", "fail", pattern.where,
                f"The {pattern.kind} names {pattern.key_name!r}, which is not a Key of "
                f"{pattern.entity._meta.name}.",
                "The access pattern cannot run: there is no key to query.",
                f"Name one of: {', '.join(pattern.entity._meta.keys)}.")
        elif not table.has_index(pattern.index_name):
            yield Finding(
                "access-pattern-on-undeclared-index", "fail", pattern.where,
                f"The {pattern.kind} queries index {pattern.index_name!r}, which table "
                f"{table.name} does not declare.",
                "Every query pattern needs an index; without it the only way to answer is "
                "a Scan, which dynadmin refuses.",
                f"Declare {pattern.index_name!r} in Table(indexes=...) and create the GSI.")


def _provisioned(subject: str, what: str) -> Finding:
    return Finding(
        "provisioned-capacity", "warn", subject, what,
        "The capacity policy is on-demand: provisioned tables throttle when traffic exceeds "
        "what was planned, and cost money while idle.",
        "Switch to on-demand (UpdateTable BillingMode=PAY_PER_REQUEST) and declare "
        'billing_mode="PAY_PER_REQUEST", unless provisioned capacity is explicitly required.')


# -- from the live table -----------------------------------------------------------------------
def operational_findings(table: Table, status: TableStatus, pitr: PointInTimeRecovery
                         ) -> list[Finding]:
    """Capacity mode, point-in-time recovery and deletion protection of the live table."""
    findings: list[Finding] = []
    if status.error is not None:
        return findings
    if status.billing_mode == "PROVISIONED" and table.billing_mode == ON_DEMAND:
        findings.append(_provisioned(
            table.name, f"The live table is provisioned ({status.read_capacity} RCU, "
            f"{status.write_capacity} WCU)."))
    if pitr.state == UNSUPPORTED:
        findings.append(Finding(
            "pitr-not-supported", "info", table.name,
            "Point-in-time recovery: not supported by this endpoint.",
            "A local endpoint keeps no continuous backups; production tables need them.",
            "Check the production table: aws dynamodb describe-continuous-backups."))
    elif pitr.state == OK and pitr.status != "ENABLED":
        findings.append(Finding(
            "pitr-disabled", "warn", table.name,
            "Point-in-time recovery is off.",
            "Without it, a bad deploy or a mistaken bulk write cannot be rolled back to the "
            "second before it happened (recovery covers the last 35 days).",
            f"aws dynamodb update-continuous-backups --table-name {table.table_name} "
            "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true"))
    if status.deletion_protection is False:
        findings.append(Finding(
            "deletion-protection-off", "warn", table.name,
            "Deletion protection is off.",
            "One DeleteTable call (a script, a console click, an IaC change) destroys the "
            "table and every item in it.",
            f"aws dynamodb update-table --table-name {table.table_name} "
            "--deletion-protection-enabled"))
    return findings
