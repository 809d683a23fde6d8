"""Table summaries for the dashboard: DescribeTable, cached briefly.

DescribeTable's item count and size are refreshed by DynamoDB about every six hours, so
calling it per page would add latency and cost for nothing: summaries are cached.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from ... import conf
from ...data import describe
from ...data.errors import DataError
from ...definitions import Table
from ..display.aws_terms import billing_meaning
from ..display.values import count_text

__all__ = ["TableSummary", "describe_cache_key", "described_table", "table_summary"]


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

    @property
    def billing_meaning(self) -> str:
        return billing_meaning(self.billing_mode)

    @property
    def item_count_text(self) -> str:
        """``≈ 29,035``: DynamoDB refreshes the count about every six hours."""
        return count_text(self.item_count)


def described_table(table: Table, *, fresh: bool = False
                    ) -> tuple[dict[str, Any], dt.datetime]:
    """DescribeTable's ``Table`` and when DynamoDB said it: from the cache (kept
    ``DYNADMIN_DESCRIBE_TTL`` seconds, shorter than any page's refresh), or read now when
    ``fresh`` (a monitor asking whether DynamoDB answers must not be told an old yes).

    A failure raises its DataError and is never cached: the next page tries again."""
    key = describe_cache_key(table)
    cached = None if fresh else cache.get(key)
    if not (isinstance(cached, dict) and "read_at" in cached):
        cached = {"table": describe("DescribeTable", table)["Table"], "read_at": time.time()}
        cache.set(key, cached, conf.get("DESCRIBE_TTL"))
    return cached["table"], dt.datetime.fromtimestamp(cached["read_at"], dt.UTC)


def table_summary(table: Table) -> TableSummary:
    try:
        description, _read_at = described_table(table)
    except DataError as exc:
        return TableSummary(table=table, status="UNAVAILABLE", error=str(exc.title))
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
