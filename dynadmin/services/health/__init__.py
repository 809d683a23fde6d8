"""Table health: live state, drift from the definitions, a design check and the seeds'
production checklist, as one report for the page, ``health.json`` and the command.

- ``report_data``: the report's dataclasses and their JSON form (the table's status and
  indexes are ``services/tables/status.py``'s, the model the dashboard shows too).
- ``report``: building the report from the sources.
- ``verify``: a bounded sample of the data checked against the design.
- ``sources``: the five DynamoDB calls (cached briefly; unsupported ones recorded as such).
- ``drift``: where the live table disagrees with the definitions.
- ``design``: single-table practice applied to the definitions (no call needed).
- ``checklist``: the "production ready" rows.
- ``metrics``: CloudWatch sparklines, only against AWS.
- ``text``: the plain-text form for the command.
"""

from .design import access_patterns, design_findings, operational_findings
from .drift import drift_findings
from .metrics import LOCAL_MESSAGE, sparkline_svg, table_metrics
from .report import table_health
from .report_data import COUNTS_NOTE, NOT_SUPPORTED, Finding, HealthReport, to_json
from .text import as_text

__all__ = [
    "COUNTS_NOTE", "Finding", "HealthReport", "LOCAL_MESSAGE", "NOT_SUPPORTED",
    "access_patterns", "as_text", "design_findings", "drift_findings", "operational_findings",
    "sparkline_svg", "table_health", "table_metrics", "to_json",
]
