"""DescribeTable's answer for every page that shows a table's state, cached briefly.

DescribeTable's item count and size are refreshed by DynamoDB about every six hours, so
calling it per page would add latency and cost for nothing: summaries are cached.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.cache import cache

from ... import conf
from ...data import describe
from ...definitions import Table

__all__ = ["describe_cache_key", "described_table"]


def describe_cache_key(table: Table) -> str:
    """Where DescribeTable's answer for a table is cached (shared by dashboard and health)."""
    return f"dynadmin:describe:{table.table_name}"


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

