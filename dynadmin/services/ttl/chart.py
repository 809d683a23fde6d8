"""The expiry histogram as an inline SVG bar chart (no chart library, no inline style)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .inspection import Bar

_FILLS = {"ok": "#2f855a", "warn": "#b7791f", "bad": "#c53030", "muted": "#718096"}


def bar_chart_svg(bars: Sequence[Bar], *, title: str, chart_id: str = "ttl-chart"
                  ) -> SafeString:
    """A horizontal bar chart as inline SVG: no script, no style attribute, every text
    escaped; a <title> and <desc> (every value as text) make it readable without seeing it."""
    width, label_width, count_width, row, bar_height, top = 640, 200, 70, 26, 18, 6
    plot = width - label_width - count_width
    most = max((b.count for b in bars), default=0) or 1
    height = top * 2 + row * len(bars)
    rows = []
    for i, bar in enumerate(bars):
        y = top + i * row
        rows.append(format_html(
            '<g class="bar {tone}"><text x="{lx}" y="{ty}" text-anchor="end" fill="#1f2933">'
            '{label}</text><rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}">'
            "<title>{label}: {count}</title></rect>"
            '<text x="{cx}" y="{ty}" fill="#1f2933">{count}</text></g>',
            tone=bar.tone, lx=label_width - 8, ty=y + 14, label=bar.label, x=label_width, y=y,
            w=round(plot * bar.count / most), h=bar_height, fill=_FILLS.get(bar.tone, "#718096"),
            count=bar.count, cx=label_width + round(plot * bar.count / most) + 6))
    description = "; ".join(f"{b.label}: {b.count}" for b in bars)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        # width 100% of its card, the viewBox keeping its proportions: fits a phone.
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="100%" '
        'font-size="13" font-family="system-ui, sans-serif">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{rows}</svg>',
        id=chart_id, w=width, h=height, title=title, desc=description,
        rows=format_html_join("", "{}", ((r,) for r in rows)))
