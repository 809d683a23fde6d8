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
from ..tables.summaries import describe_cache_key, described_table
from .report_data import (
    ERROR,
    NOT_SUPPORTED,
    OK,
    SKIPPED,
    UNSUPPORTED,
    ContributorInsights,
    Encryption,
    IndexHealth,
    PointInTimeRecovery,
    Source,
    Stream,
    TableStatus,
    Tags,
    TimeToLive,
)

__all__ = [
    "LiveTable", "attribute_types", "billing_mode", "describe_cache_key", "index_descriptions",
    "key_schema", "live_indexes", "read_live_table", "read_status",
    "table_status",
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
        status = table_status(self.description, self.error)
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


def read_status(table: Table) -> LiveTable:
    """DescribeTable alone: what the polled status fragment needs."""
    source, error, read_at = _describe_table(table)
    return LiveTable(table, [source], error, read_at=read_at)


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


# -- DescribeTable, typed -------------------------------------------------------------------
def table_status(description: dict[str, Any] | None, error: DataError | None) -> TableStatus:
    if description is None:
        if isinstance(error, TableNotFound):
            return TableStatus(status="NOT FOUND", error=error.message)
        return TableStatus(status="UNAVAILABLE",
                           error=f"{error.title}: {error.message}" if error else "not read")
    mode = billing_mode(description)
    # On-demand tables report 0 provisioned units, which would read as "no capacity".
    throughput = {} if mode == "PAY_PER_REQUEST" else (
        description.get("ProvisionedThroughput") or {})
    return TableStatus(
        status=description.get("TableStatus", "UNKNOWN"),
        arn=description.get("TableArn"),
        created_at=description.get("CreationDateTime"),
        billing_mode=mode,
        read_capacity=throughput.get("ReadCapacityUnits"),
        write_capacity=throughput.get("WriteCapacityUnits"),
        item_count=description.get("ItemCount"),
        size_bytes=description.get("TableSizeBytes"),
        table_class=(description.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
        deletion_protection=description.get("DeletionProtectionEnabled"),
        encryption=_encryption(description.get("SSEDescription")),
        stream=_stream(description),
    )


def billing_mode(description: dict[str, Any]) -> str | None:
    found = (description.get("BillingModeSummary") or {}).get("BillingMode")
    if found:
        return found
    # Tables created before on-demand existed have no summary: they are provisioned.
    throughput = description.get("ProvisionedThroughput")
    if throughput is None:
        return None
    return "PROVISIONED" if throughput.get("ReadCapacityUnits") else "PAY_PER_REQUEST"


def _encryption(sse: dict[str, Any] | None) -> Encryption:
    # No SSEDescription: DynamoDB's default, encrypted at rest with an AWS owned key.
    if not sse:
        return Encryption()
    arn = sse.get("KMSMasterKeyArn")
    key = "KMS key" if arn and "alias/aws/dynamodb" not in arn else "AWS managed key"
    return Encryption(status=sse.get("Status", "ENABLED"), key=key,
                      sse_type=sse.get("SSEType"), kms_key_arn=arn)


def _stream(description: dict[str, Any]) -> Stream:
    spec = description.get("StreamSpecification") or {}
    return Stream(enabled=bool(spec.get("StreamEnabled")), view_type=spec.get("StreamViewType"),
                  label=description.get("LatestStreamLabel"))


def _key_names(schema: list[dict[str, str]]) -> tuple[str | None, str | None]:
    pk = next((k["AttributeName"] for k in schema if k.get("KeyType") == "HASH"), None)
    sk = next((k["AttributeName"] for k in schema if k.get("KeyType") == "RANGE"), None)
    return pk, sk


def live_indexes(table: Table, description: dict[str, Any] | None) -> list[IndexHealth]:
    """Every live index, then every declared index the table lacks (``live=False``)."""
    found: list[IndexHealth] = []
    if description is not None:
        for kind, entries in (("GSI", description.get("GlobalSecondaryIndexes") or []),
                              ("LSI", description.get("LocalSecondaryIndexes") or [])):
            for entry in entries:
                pk, sk = _key_names(entry.get("KeySchema", []))
                projection = entry.get("Projection") or {}
                found.append(IndexHealth(
                    name=entry.get("IndexName", "?"), kind=kind,
                    # LSIs have no status of their own: they live and die with the table.
                    status=entry.get("IndexStatus") or (
                        description.get("TableStatus") if kind == "LSI" else None),
                    backfilling=bool(entry.get("Backfilling")),
                    partition_key=pk, sort_key=sk,
                    projection=projection.get("ProjectionType"),
                    non_key_attributes=list(projection.get("NonKeyAttributes") or []),
                    item_count=entry.get("ItemCount"), size_bytes=entry.get("IndexSizeBytes"),
                    declared=table.has_index(entry.get("IndexName")),
                ))
    if description is None:
        return found
    found.sort(key=lambda i: (i.kind, i.name))
    live_names = {i.name for i in found}
    for name, index in table.indexes.items():
        if name not in live_names:
            found.append(IndexHealth(name=name, kind="LSI" if index.local else "GSI",
                                     partition_key=index.pk, sort_key=index.sk, live=False))
    return found


def key_schema(description: dict[str, Any]) -> tuple[str | None, str | None]:
    return _key_names(description.get("KeySchema", []))


def attribute_types(description: dict[str, Any]) -> dict[str, str]:
    return {a["AttributeName"]: a["AttributeType"]
            for a in description.get("AttributeDefinitions", [])}


def index_descriptions(description: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Live indexes by name: (GSI or LSI, the index's description)."""
    found = {i["IndexName"]: ("GSI", i) for i in description.get("GlobalSecondaryIndexes") or []}
    found |= {i["IndexName"]: ("LSI", i) for i in description.get("LocalSecondaryIndexes") or []}
    return found

