"""The last three hours of CloudWatch metrics, as small inline SVG sparklines.

Only against AWS: a local endpoint has no CloudWatch, and the section says so without any
call. Results are cached (``DYNADMIN_METRICS_TTL``, five minutes by default) because the
data points are five minutes apart and GetMetricData is billed per metric requested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.cache import cache
from django.utils.html import escape

from ... import conf
from ...data import cloudwatch
from ...data.errors import DataError
from ...definitions import Table
from .report_data import Metrics, MetricSeries

__all__ = ["LOCAL_MESSAGE", "points_on_grid", "sparkline_svg", "table_metrics"]

LOCAL_MESSAGE = "CloudWatch metrics are only available against AWS."
WINDOW = dt.timedelta(hours=3)
PERIOD = 300  # seconds: CloudWatch's five-minute resolution for DynamoDB

#: (series id, label, unit, whether a missing point means zero)
SERIES = (
    ("read", "Consumed read capacity", "RCU per 5 min", True),
    ("write", "Consumed write capacity", "WCU per 5 min", True),
    ("throttled", "Throttled requests", "requests per 5 min", True),
    ("latencyQuery", "Query latency", "ms (average)", False),
    ("latencyGetItem", "GetItem latency", "ms (average)", False),
)


def table_metrics(table: Table, *, now: dt.datetime | None = None) -> Metrics:
    """The metrics section of a table's health page."""
    if not cloudwatch.metrics_available():
        return Metrics(available=False, message=LOCAL_MESSAGE)
    cache_key = f"dynadmin:metrics:{table.table_name}"
    cached = cache.get(cache_key)
    if isinstance(cached, Metrics):
        return cached
    end = _floor(now or dt.datetime.now(dt.UTC))
    start = end - WINDOW
    try:
        found = cloudwatch.table_metrics(table.table_name, start=start, end=end, period=PERIOD)
    except DataError as exc:
        return Metrics(available=False, message=f"CloudWatch metrics could not be read: "
                       f"{exc.title}.")
    count = int(WINDOW.total_seconds() // PERIOD)
    series = []
    for series_id, label, unit, zero in SERIES:
        values = points_on_grid(found.get(series_id, []), start, count, zero=zero)
        series.append(MetricSeries(name=series_id, label=label, unit=unit, values=values,
                                   svg=sparkline_svg(values, label=f"{label}, {unit}")))
    metrics = Metrics(available=True, period_seconds=PERIOD, start=start, end=end,
                      series=series)
    cache.set(cache_key, metrics, int(conf.get("METRICS_TTL")))
    return metrics


def _floor(moment: dt.datetime) -> dt.datetime:
    seconds = int(moment.timestamp()) // PERIOD * PERIOD
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def points_on_grid(points: Sequence[tuple[dt.datetime, float]], start: dt.datetime,
                   count: int, *, zero: bool) -> list[float | None]:
    """One value per period from ``start``: CloudWatch omits periods without data, which
    means zero for counts (nothing consumed, nothing throttled) and unknown for latency."""
    first = int(start.timestamp()) // PERIOD
    by_slot = {int(moment.timestamp()) // PERIOD - first: value for moment, value in points}
    missing = 0.0 if zero else None
    return [by_slot.get(slot, missing) for slot in range(count)]


def sparkline_svg(values: Sequence[float | None], *, label: str, width: int = 160,
                  height: int = 32) -> str:
    """A sparkline as inline SVG markup (presentation attributes only: no style, no script).

    The vertical scale runs from 0 to the largest value, so a flat line at the bottom means
    nothing happened; gaps (None) break the line instead of being drawn as zero.
    """
    pad = 2.0
    present = [v for v in values if v is not None]
    top = max(present) if present else 0.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    segments: list[list[str]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        y = height - pad - ((value / top) * (height - 2 * pad) if top > 0 else 0.0)
        segments[-1].append(f"{pad + i * step:.1f},{y:.1f}")
    shapes = []
    for points in segments:
        if len(points) == 1:
            x, y = points[0].split(",")
            shapes.append(f'<circle cx="{x}" cy="{y}" r="1.5" fill="currentColor"/>')
        elif points:
            shapes.append(f'<polyline points="{" ".join(points)}" fill="none" '
                          'stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/>')
    if not present:
        shapes.append(f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" '
                      f'y2="{height - pad}" stroke="currentColor" stroke-opacity="0.3" '
                      'stroke-dasharray="2 2"/>')
    text = escape(label)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{text}"><title>{text}</title>{"".join(shapes)}</svg>')
