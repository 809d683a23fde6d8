"""Reading the five DynamoDB sources of a health report, briefly cached.

DescribeTable's counts change about every six hours and the other Describe calls describe
settings that change rarely, so every source is cached for ``DYNADMIN_DESCRIBE_TTL`` seconds
(DescribeTable under the same key as the dashboard's summaries, so the two share one call).
A source the endpoint does not offer (DynamoDB Local has no tags, PITR or Contributor
Insights) is recorded as "not supported by this endpoint" (``NotSupported``, which the data
layer's ``translate`` decides for every caller) and cached like an answer; a
failure is shown on the page and not cached, so the next refresh tries again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from ... import conf
from ...data import describe, list_tags
from ...data.errors import DataError, NotSupported, TableNotFound, Unavailable
from ...definitions import Table
from ..tables.status import (
    IndexHealth,
    TableStatus,
    billing_mode,
    key_names,
    live_indexes,
    status_from,
)
from ..tables.summaries import describe_cache_key, described_table
from .report_data import (
    ERROR,
    NOT_SUPPORTED,
    OK,
    SKIPPED,
    UNSUPPORTED,
    ContributorInsights,
    PointInTimeRecovery,
    Source,
    Tags,
    TimeToLive,
)

__all__ = [
    "LiveTable", "attribute_types", "billing_mode", "describe_cache_key", "index_descriptions",
    "key_schema", "live_indexes", "read_live_table",
]

def _ttl() -> int:
    return int(conf.get("DESCRIBE_TTL"))


def _cache_key(operation: str, table: Table) -> str:
    return f"dynadmin:health:{operation}:{table.table_name}"


def _source(operation: str, call: Callable[[], dict[str, Any]], cache_key: str) -> Source:
    """Call (or recall) one optional source; unsupported answers are cached, failures not."""
    cached = cache.get(cache_key)
    if isinstance(cached, Source):
        return cached
    try:
        response = dict(call())
    except DataError as exc:
        if not isinstance(exc, NotSupported):
            return _failed(operation, exc)
        source = Source(operation, UNSUPPORTED, NOT_SUPPORTED)
    else:
        response.pop("ResponseMetadata", None)
        source = Source(operation, OK, response=response)
    cache.set(cache_key, source, _ttl())
    return source


def _failed(operation: str, error: DataError) -> Source:
    return Source(operation, ERROR, f"{error.title}: {error.message}")


class LiveTable:
    """The sources read for one table, and typed views of them."""

    def __init__(self, table: Table, sources: list[Source], error: DataError | None = None,
                 *, read_at: dt.datetime | None = None) -> None:
        self.table = table
        self.sources = {s.operation: s for s in sources}
        self.error = error
        #: when DynamoDB gave the DescribeTable answer shown (it may come from the cache)
        self.read_at = read_at

    @property
    def description(self) -> dict[str, Any] | None:
        source = self.sources.get("DescribeTable")
        return source.response.get("Table") if source and source.ok else None

    @property
    def reachable(self) -> bool:
        return not isinstance(self.error, Unavailable)

    @property
    def exists(self) -> bool:
        return self.description is not None

    def source(self, operation: str) -> Source:
        return self.sources.get(operation) or Source(operation, SKIPPED, "not read")

    # -- typed views -------------------------------------------------------------------
    def status(self) -> TableStatus:
        status = status_from(self.description, self.error)
        status.read_at = self.read_at
        return status

    def indexes(self) -> list[IndexHealth]:
        return live_indexes(self.table, self.description)

    def ttl(self) -> TimeToLive:
        source = self.source("DescribeTimeToLive")
        if not source.ok:
            return TimeToLive(state=source.state)
        found = source.response.get("TimeToLiveDescription", {})
        return TimeToLive(status=found.get("TimeToLiveStatus"),
                          attribute=found.get("AttributeName"))

    def pitr(self) -> PointInTimeRecovery:
        source = self.source("DescribeContinuousBackups")
        if not source.ok:
            return PointInTimeRecovery(state=source.state)
        found = (source.response.get("ContinuousBackupsDescription", {})
                 .get("PointInTimeRecoveryDescription", {}))
        return PointInTimeRecovery(
            status=found.get("PointInTimeRecoveryStatus"),
            earliest_restorable=found.get("EarliestRestorableDateTime"),
            latest_restorable=found.get("LatestRestorableDateTime"))

    def contributor_insights(self) -> ContributorInsights:
        source = self.source("DescribeContributorInsights")
        if not source.ok:
            return ContributorInsights(state=source.state)
        return ContributorInsights(status=source.response.get("ContributorInsightsStatus"))

    def tags(self) -> Tags:
        source = self.source("ListTagsOfResource")
        if not source.ok:
            return Tags(state=source.state)
        return Tags(tags={t.get("Key", ""): t.get("Value", "")
                          for t in source.response.get("Tags", [])})


def _describe_table(table: Table, *, fresh: bool = False
                    ) -> tuple[Source, DataError | None, dt.datetime | None]:
    # Cached as the dashboard caches it, so the two share one call.
    try:
        description, read_at = described_table(table, fresh=fresh)
    except DataError as exc:
        return _failed("DescribeTable", exc), exc, None
    return Source("DescribeTable", OK, response={"Table": description}), None, read_at


def read_live_table(table: Table, *, fresh: bool = False) -> LiveTable:
    """Every source: DescribeTable first (read now when ``fresh``); without it (table
    missing, endpoint down) the others are not attempted, since each would fail the same
    way, slowly."""
    first, error, read_at = _describe_table(table, fresh=fresh)
    sources = [first]
    optional = ("DescribeTimeToLive", "DescribeContinuousBackups",
                "DescribeContributorInsights")
    if error is not None:
        reason = ("the table does not exist" if isinstance(error, TableNotFound)
                  else "DescribeTable failed")
        sources += [Source(op, SKIPPED, f"not read: {reason}")
                    for op in (*optional, "ListTagsOfResource")]
        return LiveTable(table, sources, error, read_at=read_at)
    for operation in optional:
        sources.append(_source(operation, lambda op=operation: describe(op, table),
                               _cache_key(operation, table)))
    arn = first.response.get("Table", {}).get("TableArn", "")
    sources.append(_source("ListTagsOfResource",
                           lambda: {"Tags": list_tags(arn, table.table_name)},
                           _cache_key("ListTagsOfResource", table)))
    return LiveTable(table, sources, read_at=read_at)


def key_schema(description: dict[str, Any]) -> tuple[str | None, str | None]:
    return key_names(description.get("KeySchema", []))


def attribute_types(description: dict[str, Any]) -> dict[str, str]:
    return {a["AttributeName"]: a["AttributeType"]
            for a in description.get("AttributeDefinitions", [])}


def index_descriptions(description: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Live indexes by name: (GSI or LSI, the index's description)."""
    found = {i["IndexName"]: ("GSI", i) for i in description.get("GlobalSecondaryIndexes") or []}
    found |= {i["IndexName"]: ("LSI", i) for i in description.get("LocalSecondaryIndexes") or []}
    return found

