"""Browsing a partition of the table or of an index, one Query per page, both ways.

Paging forward continues from DynamoDB's LastEvaluatedKey. Paging back runs the same Query
in the opposite direction, starting (exclusively) from the first item shown, and reverses
the result: so page 100 costs what page 1 costs, and Previous never re-reads the pages
before it. Items hidden by a filter are never shown in either direction, so starting from
the first *shown* item skips nothing a person could see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import data
from ..data.cursors import decode_cursor, encode_cursor, key_from_json, key_to_json
from ..definitions import Index, ParsedItem, parse_any
from .partitions import (
    FILTER_OPERATORS,
    MAX_LIMIT,
    AttributeFilter,
    BadQuery,
    PartitionQuery,
    index_choices,
    not_expired,
    partition_url,
)

__all__ = [
    "AttributeFilter", "BadQuery", "BrowsePage", "FILTER_OPERATORS", "MAX_LIMIT",
    "PartitionQuery", "browse", "cursor_key", "index_choices", "not_expired", "partition_url",
]


# -- one page ----------------------------------------------------------------------------
@dataclass
class BrowsePage:
    query: PartitionQuery
    items: list[ParsedItem]
    offset: int
    read_count: int
    next_cursor: str | None = None
    prev_cursor: str | None = None
    request: dict[str, Any] = field(default_factory=dict)

    @property
    def first_number(self) -> int:
        return self.offset + 1

    @property
    def last_number(self) -> int:
        return self.offset + len(self.items)

    @property
    def next_url(self) -> str | None:
        return self.query.url(self.next_cursor) if self.next_cursor else None

    @property
    def prev_url(self) -> str | None:
        return self.query.url(self.prev_cursor) if self.prev_cursor else None

    @property
    def filtered(self) -> bool:
        return self.query.filter is not None or self.query.hide_expired_at is not None


def cursor_key(index: Index, item: Mapping[str, Any]) -> dict[str, Any]:
    """An ExclusiveStartKey for an item: the index's key plus the table's key."""
    attributes = dict.fromkeys((*index.attributes, *index.table.primary.attributes))
    return {a: item[a] for a in attributes if a in item}


def browse(query: PartitionQuery, cursor: str | None = None) -> BrowsePage:
    """The page of ``query`` that ``cursor`` points at (the first page without one)."""
    direction, start, offset = "f", None, 0
    if cursor:
        payload = decode_cursor(cursor, scope=query.scope)
        direction = payload.get("d")
        offset = payload.get("o")
        if direction not in ("f", "b") or not isinstance(offset, int) or offset < 0:
            raise data.InvalidCursor("This page link is not valid.")
        start = key_from_json(payload["k"]) if payload.get("k") else None
    backward = direction == "b"
    # The partition's natural direction is ascending; "desc" flips it, and paging back
    # flips it again.
    forward = query.descending == backward
    request = query.request(forward=forward, start_key=start)
    page = query.run(request)
    raw_items = list(reversed(page.items)) if backward else page.items
    items = [parse_any(query.table, item) for item in raw_items]
    if backward:
        offset = max(offset - len(items), 0)
    result = BrowsePage(query=query, items=items, offset=offset, read_count=page.scanned_count,
                        request=request)
    first = cursor_key(query.index, raw_items[0]) if raw_items else None
    last = cursor_key(query.index, raw_items[-1]) if raw_items else None
    after = offset + len(items)
    if backward:
        # We came back from a later page, so there is one after this (unless we started
        # from the very end); there is one before while DynamoDB had more to read.
        if start is not None:
            result.next_cursor = _cursor(query, "f", last or page.last_evaluated_key, after)
        # DynamoDB returns a LastEvaluatedKey whenever Limit is reached, even at the very
        # start; the offset (matches shown before this page) is exact, so it decides.
        if page.last_evaluated_key is not None and offset > 0:
            result.prev_cursor = _cursor(query, "b", first or page.last_evaluated_key, offset)
    else:
        if page.last_evaluated_key is not None:
            result.next_cursor = _cursor(query, "f", page.last_evaluated_key, after)
        if cursor:
            result.prev_cursor = _cursor(query, "b", first or page.last_evaluated_key, offset)
    return result


def _cursor(query: PartitionQuery, direction: str, key: Mapping[str, Any] | None,
            offset: int) -> str:
    return encode_cursor({"d": direction, "k": key_to_json(key) if key else None, "o": offset},
                         scope=query.scope)
