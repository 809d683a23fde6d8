"""The health report as plain text, for ``manage.py dynadmin_health`` and cron mail."""

from __future__ import annotations

from .report_data import Finding, HealthReport

__all__ = ["as_text"]

_MARK = {"fail": "FAIL", "warn": "WARN", "info": "info", "pass": "ok"}


def as_text(report: HealthReport) -> str:
    s = report.status
    pitr, insights = report.point_in_time_recovery, report.contributor_insights
    lines = [f"== {report.table} ({report.physical_name}): {s.status}"]
    if s.error:
        lines.append(f"   {s.error}")
    else:
        lines += [
            f"   billing {s.billing_mode or '?'}, class {s.table_class or '?'}, "
            f"deletion protection {_onoff(s.deletion_protection)}, "
            f"encryption {s.encryption.key if s.encryption else '?'}, "
            f"stream {s.stream.view_type if s.stream and s.stream.enabled else 'off'}",
            f"   items ≈ {_n(s.item_count)}, size ≈ {_n(s.size_bytes)} bytes "
            f"({s.counts_note})",
            f"   TTL {report.ttl.display}, PITR {pitr.display}, "
            f"contributor insights {insights.display}, tags {report.tags.display}",
        ]
    for index in report.indexes:
        where = f"{index.partition_key} / {index.sort_key or '-'}"
        state = (index.status or "?") if index.live else "MISSING"
        lines.append(f"   {index.kind} {index.name}: {state}"
                     f"{' (backfilling)' if index.backfilling else ''}, {where}, "
                     f"projection {index.projection or '-'}")
    lines += _section("Drift", report.drift)
    lines += _section("Design", report.findings)
    lines.append("   Production checklist:")
    for row in report.checklist:
        lines.append(f"     [{_MARK[row.status]:>4}] {row.item}: {row.detail}")
    counts = report.counts
    lines.append(f"   => {counts['fail']} fail, {counts['warn']} warn, "
                 f"{counts['checklist_fail']} checklist fail"
                 f"{' - FAILING' if report.failing else ''}")
    return "\n".join(lines)


def _section(title: str, findings: list[Finding]) -> list[str]:
    if not findings:
        return [f"   {title}: nothing found."]
    lines = [f"   {title}:"]
    for f in findings:
        lines.append(f"     [{_MARK[f.severity]:>4}] {f.subject}: {f.what}")
        lines.append(f"            why: {f.why}")
        lines.append(f"            fix: {f.fix}")
    return lines


def _onoff(value: bool | None) -> str:
    return "?" if value is None else ("on" if value else "off")


def _n(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"

