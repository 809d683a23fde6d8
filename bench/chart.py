"""The depth chart, hand-written SVG (no chart library): page time (p50) against page depth,
on log-log axes, for dynadmin, the raw Query and the peer both ways it pages."""

from __future__ import annotations

import math
from typing import Any
from xml.sax.saxutils import escape

_W, _H = 780, 380
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 250, 30, 50
_SERIES = (("raw", "raw boto3 Query", "#7f7f7f", "2 3"),
           ("dynadmin", "dynadmin (cursor)", "#1f77b4", ""),
           ("peer_query", "dynamodb-admin, Query kept", "#ff7f0e", ""),
           ("peer_next", "dynamodb-admin, its Next link", "#d62728", "6 4"))


def _series(results: dict[str, Any]) -> dict[str, list[tuple[int, float, bool]]]:
    """(page, p50 ms, timed out) per series."""
    curve = results.get("depth_curve", {})
    out: dict[str, list[tuple[int, float, bool]]] = {}
    out["dynadmin"] = [(int(p), s["p50"], False) for p, s in curve.get("dynadmin", {}).items()]
    out["raw"] = [(int(p), s["p50"], False) for p, s in curve.get("raw", {}).items()]
    peer = curve.get("peer", {})
    out["peer_query"] = [(int(p), s["p50"], False) for p, s in peer.get("query", {}).items()]
    out["peer_next"] = [(int(p), s["p50"], bool(s.get("timed_out_after_s")))
                        for p, s in peer.get("next_link", {}).items()]
    return {k: sorted(v) for k, v in out.items() if v}


def depth_svg(results: dict[str, Any]) -> str:
    series = _series(results)
    points = [pt for values in series.values() for pt in values]
    if not points:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n'
    max_page = max(p for p, _, _ in points)
    low = 10 ** math.floor(math.log10(min(v for _, v, _ in points)))
    high = 10 ** math.ceil(math.log10(max(v for _, v, _ in points)))
    if high <= low:
        high = low * 10

    def x(page: int) -> float:
        span = math.log10(max(max_page, 10))
        return _LEFT + (_W - _LEFT - _RIGHT) * math.log10(page) / span

    def y(ms: float) -> float:
        frac = (math.log10(ms) - math.log10(low)) / (math.log10(high) - math.log10(low))
        return _H - _BOTTOM - (_H - _TOP - _BOTTOM) * frac

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
             f'viewBox="0 0 {_W} {_H}" font-family="sans-serif" font-size="12">',
             f'<rect width="{_W}" height="{_H}" fill="white"/>',
             f'<text x="{_LEFT}" y="18" font-size="14">Page time (p50) against page depth, '
             f'50 items a page</text>']
    parts += _axes(x, y, low, high, max_page)
    for row, (key, label, colour, dash) in enumerate(_SERIES):
        if key in series:
            parts += _line(series[key], x, y, colour, dash)
            ly = _TOP + 20 + 20 * row
            lx = _W - _RIGHT + 12
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" '
                         f'stroke="{colour}" stroke-width="2"{dash_attr}/>')
            parts.append(f'<text x="{lx + 28}" y="{ly + 4}">{escape(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _axes(x: Any, y: Any, low: float, high: float, max_page: int) -> list[str]:
    left, right, bottom = _LEFT, _W - _RIGHT, _H - _BOTTOM
    parts = [f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>',
             f'<line x1="{left}" y1="{_TOP}" x2="{left}" y2="{bottom}" stroke="#333"/>',
             f'<text x="{(left + right) / 2:.0f}" y="{_H - 12}" text-anchor="middle">'
             'page number (log scale)</text>',
             f'<text x="16" y="{(_TOP + bottom) / 2:.0f}" text-anchor="middle" '
             f'transform="rotate(-90 16 {(_TOP + bottom) / 2:.0f})">ms (log scale)</text>']
    ticks = [10 ** k for k in range(int(math.log10(max_page)) + 1)]
    if max_page not in ticks and max_page / ticks[-1] >= 1.5:
        ticks.append(max_page)
    for page in ticks:
        parts.append(f'<line x1="{x(page):.1f}" y1="{bottom}" x2="{x(page):.1f}" '
                     f'y2="{bottom + 5}" stroke="#333"/>')
        parts.append(f'<text x="{x(page):.1f}" y="{bottom + 18}" text-anchor="middle">'
                     f'{page:,}</text>')
    tick = low
    while tick <= high * 1.0001:
        label = f"{tick:g}" if tick < 1000 else f"{tick / 1000:g} s"
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{right}" y2="{y(tick):.1f}" '
                     'stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
                     f'{label}</text>')
        tick *= 10
    return parts


def _line(points: list[tuple[int, float, bool]], x: Any, y: Any, colour: str,
          dash: str) -> list[str]:
    path = " ".join(f"{x(p):.1f},{y(v):.1f}" for p, v, _ in points)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    parts = [f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
             f'{dash_attr}/>']
    for page, ms, timed_out in points:
        parts.append(f'<circle cx="{x(page):.1f}" cy="{y(ms):.1f}" r="3" fill="{colour}"/>')
        if timed_out:
            parts.append(f'<text x="{x(page) - 4:.1f}" y="{y(ms) - 8:.1f}" text-anchor="end" '
                         f'fill="{colour}">≥ {ms / 1000:g} s (stopped)</text>')
    return parts
