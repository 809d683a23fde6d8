"""Table summaries for the dashboard: DescribeTable, cached briefly.

DescribeTable's item count and size are refreshed by DynamoDB about every six hours, so
calling it per page would add latency and cost for nothing: summaries are cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from .. import conf
from ..data import describe
from ..data.errors import DataError
from ..definitions import Table

__all__ = ["TableSummary", "describe_cache_key", "table_summary"]


def describe_cache_key(table: Table) -> str:
    """Where DescribeTable's answer for a table is cached (shared by dashboard and health)."""
    return f"dynadmin:describe:{table.table_name}"


@dataclass
class TableSummary:
    table: Table
    status: str
    item_count: int | None = None
    size_bytes: int | None = None
    billing_mode: str | None = None
    indexes: tuple[str, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == "ACTIVE"


def table_summary(table: Table) -> TableSummary:
    cache_key = describe_cache_key(table)
    description = cache.get(cache_key)
    if description is None:
        try:
            description = describe("DescribeTable", table)["Table"]
        except DataError as exc:
            # Not cached: when the table or endpoint comes back, the next page shows it.
            return TableSummary(table=table, status="UNAVAILABLE", error=str(exc.title))
        cache.set(cache_key, description, conf.get("DESCRIBE_TTL"))
    return _summary(table, description)


def _summary(table: Table, description: dict[str, Any]) -> TableSummary:
    billing = (description.get("BillingModeSummary") or {}).get("BillingMode")
    if billing is None and "ProvisionedThroughput" in description:
        throughput = description["ProvisionedThroughput"]
        billing = "PAY_PER_REQUEST" if not throughput.get("ReadCapacityUnits") else "PROVISIONED"
    return TableSummary(
        table=table,
        status=description.get("TableStatus", "UNKNOWN"),
        item_count=description.get("ItemCount"),
        size_bytes=description.get("TableSizeBytes"),
        billing_mode=billing,
        indexes=tuple(i["IndexName"] for i in description.get("GlobalSecondaryIndexes", [])),
    )
