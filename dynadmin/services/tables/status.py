"""DescribeTable's answer, typed once: the table's status and its indexes, as the dashboard
and the health report (its page, its polled fragment, ``health.json``) all show them.

The answer itself comes from ``summaries.described_table`` (cached briefly, one call shared
by every page); ``status_from`` and ``live_indexes`` are the only readers of its fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import ngettext

from ... import conf
from ...data.errors import DataError, TableNotFound
from ...definitions import Table
from ..display.aws_terms import ARN_MEANING, billing_meaning, stream_meaning
from ..display.values import count_text
from .summaries import described_table

__all__ = [
    "COUNTS_NOTE", "STATUS_POLL_SECONDS", "Encryption", "IndexHealth", "Stream", "TableStatus",
    "billing_mode", "key_names", "live_indexes", "read_table_status", "status_from",
]

COUNTS_NOTE = "approximate: refreshed by DynamoDB about every six hours"


@dataclass
class Encryption:
    status: str = "ENABLED"
    #: who holds the key: "AWS owned key" (DynamoDB's default), "AWS managed key", "KMS key"
    key: str = "AWS owned key"
    sse_type: str | None = None
    kms_key_arn: str | None = None


#: how often the page asks again for the table's status (htmx polling)
STATUS_POLL_SECONDS = 30


@dataclass
class Stream:
    enabled: bool = False
    view_type: str | None = None
    label: str | None = None

    @property
    def meaning(self) -> str:
        return stream_meaning(self.enabled, self.view_type)


@dataclass
class TableStatus:
    """What DescribeTable says about the table itself."""

    status: str
    error: str | None = None
    arn: str | None = None
    created_at: dt.datetime | None = None
    billing_mode: str | None = None
    read_capacity: int | None = None
    write_capacity: int | None = None
    item_count: int | None = None
    size_bytes: int | None = None
    counts_note: str = COUNTS_NOTE
    table_class: str | None = None
    deletion_protection: bool | None = None
    encryption: Encryption | None = None
    stream: Stream | None = None
    #: when DynamoDB gave this answer (a cached answer is shown with its real age)
    read_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == "ACTIVE"

    @property
    def billing_meaning(self) -> str:
        return billing_meaning(self.billing_mode)

    @property
    def arn_meaning(self) -> str:
        return str(ARN_MEANING)

    @property
    def poll_seconds(self) -> int:
        return STATUS_POLL_SECONDS

    @property
    def refresh_text(self) -> str:
        """How fresh the status is, in the words and numbers the code uses: the page asks
        every ``STATUS_POLL_SECONDS``, and an answer is reused for ``DYNADMIN_DESCRIBE_TTL``."""
        reused = int(conf.get("DESCRIBE_TTL"))
        if self.read_at is None:
            return ngettext(
                "DynamoDB gave no answer; this part asks again every %(poll)s seconds.",
                "DynamoDB gave no answer; this part asks again every %(poll)s seconds.",
                STATUS_POLL_SECONDS) % {"poll": STATUS_POLL_SECONDS}
        age = self.age_seconds or 0
        answered = ngettext(
            "DescribeTable answered at %(at)s UTC, %(age)s second ago.",
            "DescribeTable answered at %(at)s UTC, %(age)s seconds ago.", age) % {
            "at": self.read_at.strftime("%Y-%m-%d %H:%M:%S"), "age": age}
        refresh = ngettext(
            "This part refreshes every %(poll)s seconds; an answer is reused for up to "
            "%(reused)s second.",
            "This part refreshes every %(poll)s seconds; an answer is reused for up to "
            "%(reused)s seconds.", reused) % {"poll": STATUS_POLL_SECONDS, "reused": reused}
        return f"{answered} {refresh}"

    @property
    def item_count_text(self) -> str:
        """``≈ 29,035`` (approximate: refreshed by DynamoDB about every six hours)."""
        return count_text(self.item_count)

    @property
    def age_seconds(self) -> int | None:
        """How old the answer shown is (None when nothing was read)."""
        if self.read_at is None:
            return None
        return max(0, int((dt.datetime.now(dt.UTC) - self.read_at).total_seconds()))


@dataclass
class IndexHealth:
    """A secondary index as DynamoDB has it (or as the definitions declare it, if missing)."""

    name: str
    kind: str  # GSI or LSI
    status: str | None = None
    backfilling: bool = False
    partition_key: str | None = None
    sort_key: str | None = None
    projection: str | None = None
    non_key_attributes: list[str] = field(default_factory=list)
    item_count: int | None = None
    size_bytes: int | None = None
    declared: bool = True
    live: bool = True

    @property
    def item_count_text(self) -> str:
        return "—" if self.item_count is None else count_text(self.item_count)


def status_from(description: dict[str, Any] | None, error: DataError | None) -> TableStatus:
    """DescribeTable's ``Table``, typed; without one, what kept it from being read."""
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


def key_names(schema: list[dict[str, str]]) -> tuple[str | None, str | None]:
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
                pk, sk = key_names(entry.get("KeySchema", []))
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


def read_table_status(table: Table) -> tuple[TableStatus, list[IndexHealth]]:
    """The table's status and indexes from one DescribeTable (cached); a failure is a status
    that says what went wrong, never an exception, so a page of several tables still shows."""
    try:
        description, read_at = described_table(table)
    except DataError as exc:
        return status_from(None, exc), []
    status = status_from(description, None)
    status.read_at = read_at
    return status, live_indexes(table, description)
