"""Download the page being looked at (never more: exports are bounded like pages)."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..data.serialization import dumps_plain_json
from .presentation import raw_text

__all__ = ["to_csv", "to_json"]

# A spreadsheet treats these leading characters as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_json(items: list[dict[str, Any]]) -> str:
    return dumps_plain_json(items) + "\n"


def _cell(value: Any) -> str:
    text = raw_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(items: list[dict[str, Any]], key_attributes: tuple[str, ...]) -> str:
    """Key attributes first, then every other attribute in order of first appearance."""
    columns = list(key_attributes)
    for item in items:
        columns += [name for name in item if name not in columns]
    out = io.StringIO()
    writer = csv.writer(out)
    # Attribute names are data too: a name such as "=cmd|' /C calc'!A0" is a formula.
    writer.writerow([_cell(name) for name in columns])
    for item in items:
        writer.writerow([_cell(item[c]) if c in item else "" for c in columns])
    return out.getvalue()
