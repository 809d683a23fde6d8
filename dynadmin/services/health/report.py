"""Building a table's health report: the live sources, drift, design and checklist.

The site is a parameter so that a project with several AdminSites (and the tests) can check
the definitions each registers.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ...definitions import Table
from .checklist import checklist
from .design import design_findings, operational_findings
from .drift import drift_findings
from .metrics import table_metrics
from .report_data import Finding, HealthReport
from .sources import read_live_table

if TYPE_CHECKING:
    from ...sites import AdminSite

__all__ = ["table_health"]


def table_health(table: Table, site: AdminSite, *, metrics: bool = False,
                 fresh: bool = False) -> HealthReport:
    """The whole report: at most five DynamoDB calls (each cached briefly), no table read.

    ``metrics`` adds the CloudWatch section (only ever called against AWS); ``fresh`` reads
    DescribeTable now, for monitors that ask whether DynamoDB answers.
    """
    live = read_live_table(table, fresh=fresh)
    status = live.status()
    indexes = live.indexes()
    ttl, pitr = live.ttl(), live.pitr()
    drift = drift_findings(table, site, live.description, ttl)
    if status.status == "NOT FOUND":
        drift.insert(0, Finding(
            "table-not-found", "fail", table.name,
            f"DynamoDB has no table {table.table_name!r}.",
            "Every page of this table fails until it exists.",
            "Create it, or map the logical name to the right table in DYNADMIN_TABLE_NAMES."))
    elif live.error is not None:
        drift.insert(0, Finding(
            "table-unreadable", "fail", table.name,
            f"DescribeTable failed: {status.error}",
            "Nothing about the live table can be checked, and pages of this table will fail "
            "the same way.",
            live.error.advice or "Check the endpoint, the region and dynadmin's IAM policy."))
    findings = design_findings(table, site) + operational_findings(table, status, pitr)
    return HealthReport(
        table=table.name,
        physical_name=table.table_name,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        reachable=live.reachable,
        status=status,
        indexes=indexes,
        ttl=ttl,
        point_in_time_recovery=pitr,
        contributor_insights=live.contributor_insights(),
        tags=live.tags(),
        drift=_worst_first(drift),
        findings=_worst_first(findings),
        checklist=checklist(table, site, status, indexes, ttl, pitr),
        sources=list(live.sources.values()),
        metrics=table_metrics(table) if metrics and live.reachable else None,
    )


def _worst_first(findings: list[Finding]) -> list[Finding]:
    order = {"fail": 0, "warn": 1, "info": 2}
    return sorted(findings, key=lambda f: order.get(f.severity, 3))

