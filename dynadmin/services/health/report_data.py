"""The health report as data: a tree of dataclasses that pages, JSON and the command share.

Every node turns into plain JSON through ``to_dict()``, so the page, ``health.json`` and
``manage.py dynadmin_health --json`` show the same facts with the same names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from ..tables.status import COUNTS_NOTE, Encryption, IndexHealth, Stream, TableStatus

__all__ = [
    "COUNTS_NOTE", "ChecklistRow", "ContributorInsights", "Encryption", "Finding",
    "HealthReport", "IndexHealth", "MetricSeries", "Metrics", "PointInTimeRecovery", "Source",
    "Stream", "TableStatus", "Tags", "TimeToLive", "SEVERITIES", "to_json",
]

#: how findings and checklist rows are ranked (worst first)
SEVERITIES = ("fail", "warn", "info")
CHECK_STATES = ("pass", "warn", "fail")
NOT_SUPPORTED = "not supported by this endpoint"

# Source states
OK, UNSUPPORTED, ERROR, SKIPPED = "ok", "not_supported", "error", "skipped"


def _plain(value: Any) -> Any:
    """JSON-ready: datetimes as ISO 8601, Decimals as text (exact), bytes never expected."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


class _Node:
    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


_STATE_TEXT = {UNSUPPORTED: NOT_SUPPORTED, ERROR: "could not be read", SKIPPED: "not read"}


class _Setting(_Node):
    """A setting read by one optional Describe call; ``display`` is what a person reads."""

    state: str

    @property
    def display(self) -> str:
        if self.state != OK:
            return _STATE_TEXT.get(self.state, self.state)
        return self.describe()

    def describe(self) -> str:
        return getattr(self, "status", None) or "unknown"


@dataclasses.dataclass
class Source(_Node):
    """One DynamoDB call the report is made of, and what became of it."""

    operation: str
    state: str = OK  # ok, not_supported, error, skipped
    message: str = ""
    response: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.state == OK

    @property
    def supported(self) -> bool:
        return self.state != UNSUPPORTED

    @property
    def display_state(self) -> str:
        return "read" if self.state == OK else _STATE_TEXT.get(self.state, self.state)

    @property
    def response_json(self) -> str:
        return json.dumps(_plain(self.response), indent=2, sort_keys=True)


@dataclasses.dataclass
class TimeToLive(_Setting):
    state: str = OK
    status: str | None = None  # ENABLED, DISABLED, ENABLING, DISABLING
    attribute: str | None = None

    def describe(self) -> str:
        where = f" on {self.attribute}" if self.attribute else ""
        return f"{self.status or 'unknown'}{where}"


@dataclasses.dataclass
class PointInTimeRecovery(_Setting):
    state: str = OK
    status: str | None = None  # ENABLED or DISABLED
    earliest_restorable: dt.datetime | None = None
    latest_restorable: dt.datetime | None = None

    def describe(self) -> str:
        if self.status == "ENABLED" and self.earliest_restorable:
            return f"ENABLED (restorable from {self.earliest_restorable:%Y-%m-%d %H:%M} UTC)"
        return self.status or "unknown"


@dataclasses.dataclass
class ContributorInsights(_Setting):
    state: str = OK
    status: str | None = None


@dataclasses.dataclass
class Tags(_Setting):
    state: str = OK
    tags: dict[str, str] = dataclasses.field(default_factory=dict)

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted(self.tags.items())) or "none"


@dataclasses.dataclass
class Finding(_Node):
    """One thing worth knowing: what, why it matters and how to fix it."""

    code: str
    severity: str  # fail, warn or info
    subject: str
    what: str
    why: str
    fix: str

    @property
    def badge(self) -> str:
        return {"fail": "bad", "warn": "warn"}.get(self.severity, "muted")


@dataclasses.dataclass
class ChecklistRow(_Node):
    """One line of the seeds' "production ready" checklist."""

    item: str
    status: str  # pass, warn or fail
    detail: str

    @property
    def badge(self) -> str:
        return {"pass": "ok", "warn": "warn"}.get(self.status, "bad")


@dataclasses.dataclass
class MetricSeries(_Node):
    name: str
    label: str
    unit: str
    values: list[float | None]
    svg: str = ""

    @property
    def latest(self) -> float | None:
        return next((v for v in reversed(self.values) if v is not None), None)

    @property
    def peak(self) -> float | None:
        present = [v for v in self.values if v is not None]
        return max(present) if present else None


@dataclasses.dataclass
class Metrics(_Node):
    available: bool
    message: str = ""
    period_seconds: int = 300
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    series: list[MetricSeries] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class HealthReport(_Node):
    table: str
    physical_name: str
    generated_at: dt.datetime
    reachable: bool
    status: TableStatus
    indexes: list[IndexHealth]
    ttl: TimeToLive
    point_in_time_recovery: PointInTimeRecovery
    contributor_insights: ContributorInsights
    tags: Tags
    drift: list[Finding]
    findings: list[Finding]
    checklist: list[ChecklistRow]
    sources: list[Source]
    metrics: Metrics | None = None

    @property
    def counts(self) -> dict[str, int]:
        every = [*self.drift, *self.findings]
        counts = {s: sum(1 for f in every if f.severity == s) for s in SEVERITIES}
        for state in CHECK_STATES:
            counts[f"checklist_{state}"] = sum(1 for r in self.checklist if r.status == state)
        return counts

    @property
    def failing(self) -> bool:
        """A fail-severity finding or a failed checklist row (the command exits 1)."""
        return any(f.severity == "fail" for f in (*self.drift, *self.findings)) or any(
            r.status == "fail" for r in self.checklist)

    def to_dict(self) -> dict[str, Any]:
        data = _plain(self)
        data["summary"] = {**self.counts, "failing": self.failing}
        return data


def to_json(data: Any, *, indent: int | None = 2) -> str:
    """JSON with ``<``, ``>`` and ``&`` escaped, so that attribute names or tag values a
    report echoes cannot become markup if the document is ever shown as HTML."""
    text = json.dumps(_plain(data), indent=indent, ensure_ascii=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
