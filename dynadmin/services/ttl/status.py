"""The table's TTL setting (DescribeTimeToLive) and each entity's TTL policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ... import data
from ...definitions import Table
from .items import duration_text

if TYPE_CHECKING:
    from ...sites import AdminSite


@dataclass
class EntityTTL:
    verbose_name: str
    policy: str
    default_lifetime: str
    attribute: str
    note: str = ""


@dataclass
class TableTTL:
    """DescribeTimeToLive against what the definitions expect, and each entity's policy."""

    table: Table
    status: str = ""
    attribute: str | None = None
    supported: bool = True
    problem: str = ""
    entities: list[EntityTTL] = field(default_factory=list)

    @property
    def expected(self) -> str | None:
        return self.table.ttl_attribute

    @property
    def matches(self) -> bool:
        return (self.status in ("ENABLED", "ENABLING") and self.expected is not None
                and self.attribute == self.expected)

    @property
    def status_text(self) -> str:
        if not self.supported:
            return "not supported by this endpoint"
        return self.status or "unknown"

    @property
    def badge(self) -> str:
        if not self.supported or self.problem:
            return "muted"
        if self.matches:
            return "ok" if self.status == "ENABLED" else "warn"
        return "muted" if self.expected is None and self.status == "DISABLED" else "bad"

    @property
    def summary(self) -> str:
        if not self.supported:
            return ("DescribeTimeToLive is not supported by this endpoint, so whether DynamoDB "
                    "expires items here is unknown.")
        if self.problem:
            return f"The TTL setting could not be read: {self.problem}."
        on = self.status in ("ENABLED", "ENABLING")
        if self.expected is None:
            return (f"TTL is {self.status.lower()} on {self.attribute}, but the definitions "
                    "declare no TTL attribute." if on else
                    "TTL is off, and the definitions declare no TTL attribute.")
        if self.matches:
            return (f"TTL is {self.status.lower()} on {self.attribute}, as the definitions "
                    "expect." + (" Enabling can take up to an hour." if self.status ==
                                 "ENABLING" else " DynamoDB deletes expired items in the "
                                 "background, typically within a few days."))
        if on:
            return (f"TTL is {self.status.lower()} on {self.attribute}, but the definitions "
                    f"keep expiry times in {self.expected}: DynamoDB never expires items by "
                    f"{self.expected}.")
        return (f"TTL is {self.status_text.lower()}: DynamoDB deletes nothing by "
                f"{self.expected}, so items whose TTL has passed stay until deleted by hand.")


def ttl_status(site: AdminSite, table: Table) -> TableTTL:
    """The table's TTL setting (one DescribeTimeToLive) and the entities' policies."""
    status = TableTTL(table=table)
    try:
        description = data.describe("DescribeTimeToLive", table).get(
            "TimeToLiveDescription", {})
    except data.NotSupported:
        status.supported = False
    except data.DataError as exc:
        status.problem = exc.title
    else:
        status.status = description.get("TimeToLiveStatus", "")
        status.attribute = description.get("AttributeName")
    for entity in site.entities_of(table):
        meta = entity._meta
        ttl_field = meta.ttl_field
        attribute = ttl_field.attribute if ttl_field else (
            table.ttl_attribute if meta.ttl_policy != "none" else None)
        note = ""
        if attribute and table.ttl_attribute and attribute != table.ttl_attribute:
            note = (f"Kept in {attribute}, not in the table's TTL attribute "
                    f"{table.ttl_attribute}: DynamoDB never expires these items.")
        status.entities.append(EntityTTL(meta.verbose_name, meta.ttl_policy,
                                         duration_text(meta.default_lifetime),
                                         attribute or "—", note))
    return status
