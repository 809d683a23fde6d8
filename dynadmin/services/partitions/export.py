"""Download the page being looked at (never more: exports are bounded like pages)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from ...data.serialization import dumps_plain_json
from ..display.rows import raw_text

__all__ = ["column_order", "content_disposition", "file_name", "spreadsheet_text", "to_csv",
           "to_json"]

# A spreadsheet treats these leading characters as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_json(items: list[dict[str, Any]]) -> str:
    return dumps_plain_json(items) + "\n"


def spreadsheet_text(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value: Any) -> str:
    return spreadsheet_text(raw_text(value))


def column_order(items: list[dict[str, Any]], key_attributes: Sequence[str],
                 preferred: Sequence[str] = ()) -> list[str]:
    """Key attributes, then the ``list_display`` attributes (``preferred``), then every
    other attribute in order of first appearance: the same columns for the same page."""
    columns = list(dict.fromkeys([*key_attributes, *preferred]))
    present = {name for item in items for name in item}
    columns = [c for c in columns if c in key_attributes or c in present]
    for item in items:
        columns += [name for name in item if name not in columns]
    return columns


def to_csv(items: list[dict[str, Any]], key_attributes: Sequence[str],
           preferred: Sequence[str] = ()) -> str:
    columns = column_order(items, key_attributes, preferred)
    out = io.StringIO()
    writer = csv.writer(out)
    # Attribute names are data too: a name such as "=cmd|' /C calc'!A0" is a formula.
    writer.writerow([_cell(name) for name in columns])
    for item in items:
        writer.writerow([_cell(item[c]) if c in item else "" for c in columns])
    return out.getvalue()


def file_name(table: str, partition: Any, page: int, extension: str) -> str:
    """``Application-USER#0b5e55ed-page1.csv``: what was downloaded, readable in a folder."""
    return f"{table}-{partition}-page{page}.{extension}"


def content_disposition(name: str) -> str:
    """An attachment header safe for any name: an ASCII fallback (separators, quotes and
    control characters replaced) and the exact name as RFC 5987 ``filename*``."""
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "_", name)
    fallback = re.sub(r'[^A-Za-z0-9._#@+=,-]', "_", name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
