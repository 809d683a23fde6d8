"""Browsing a partition of the table or of an index, one Query per page, both ways.

Paging forward continues from DynamoDB's LastEvaluatedKey. Paging back runs the same Query
in the opposite direction, starting (exclusively) from the first item shown, and reverses
the result: so page 100 costs what page 1 costs, and Previous never re-reads the pages
before it. Items hidden by a filter are never shown in either direction, so starting from
the first *shown* item skips nothing a person could see.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ... import data
from ...data.cursors import decode_cursor, encode_cursor, key_from_json, key_to_json
from ...definitions import Index, ParsedItem, parse_any
from ..display.values import number_text
from .query import FILTER_OPERATORS, MAX_LIMIT, BadQuery, PartitionQuery, index_choices

__all__ = [
    "BadQuery", "BrowsePage", "FILTER_OPERATORS", "MAX_LIMIT", "MAX_MORE_PAGES",
    "PartitionQuery", "browse", "browse_until_match", "cursor_key", "index_choices",
    "read_requested_page",
]

#: How many further pages "read more" may read at once: each is one Query, and a filter
#: that matches nothing must never turn into a loop over the whole partition.
MAX_MORE_PAGES = 10


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
    consumed_rcu: float | None = None
    #: Queries sent for this page (more than one only when "read more" was asked)
    pages_read: int = 1
    #: how this page's links are spelled (the partition page's address unless a page that
    #: shows the same query elsewhere, an entity's list, says otherwise)
    link: Callable[..., str] | None = None

    def url(self, cursor: str | None, **extra: str) -> str:
        return (self.link or self.query.url)(cursor, **extra)

    @property
    def first_number(self) -> int:
        return self.offset + 1

    @property
    def last_number(self) -> int:
        return self.offset + len(self.items)

    @property
    def position(self) -> str:
        """Where this page sits and whether the list goes on: "Items 1–50 · more follow",
        "Items 51–73 · end of list". DynamoDB says only that it stopped at the page's size
        (a LastEvaluatedKey), never how many items a partition holds: no total is given."""
        where = _("Items %(first)s–%(last)s") % {
            "first": number_text(self.first_number), "last": number_text(self.last_number)}
        more = _("more follow") if self.next_cursor else _("end of list")
        return f"{where} · {more}"

    @property
    def read_count_text(self) -> str:
        """"1 item", "500 items": what the Queries read."""
        return ngettext("%(n)s item", "%(n)s items", self.read_count) % {
            "n": number_text(self.read_count)}

    # Each is asked four times by a page (both pagers, as a link and for htmx), and each
    # spells the whole query again: kept once made (the cursors are set before a page shows).
    @cached_property
    def next_url(self) -> str | None:
        return self.url(self.next_cursor) if self.next_cursor else None

    @cached_property
    def prev_url(self) -> str | None:
        return self.url(self.prev_cursor) if self.prev_cursor else None

    @property
    def more_url(self) -> str | None:
        """Read on from here, at most ``MAX_MORE_PAGES`` pages, until something matches."""
        if not self.offers_more:
            return None
        return self.url(self.next_cursor, more=str(MAX_MORE_PAGES))

    @property
    def more_pages(self) -> int:
        return MAX_MORE_PAGES

    @property
    def filtered(self) -> bool:
        return self.query.filter is not None or self.query.hide_expired_at is not None

    @property
    def offers_more(self) -> bool:
        """A filtered page that matched nothing, with more of the partition to read."""
        return self.filtered and not self.items and self.next_cursor is not None

    @property
    def more_cost(self) -> int | None:
        """About how many RCU reading ``MAX_MORE_PAGES`` more pages costs, from this one's."""
        if self.consumed_rcu is None:
            return None
        per_page = self.consumed_rcu / max(self.pages_read, 1)
        return max(1, round(per_page * MAX_MORE_PAGES))


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
                        request=request, consumed_rcu=page.consumed_rcu)
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


def read_requested_page(query: PartitionQuery, params: Mapping[str, str]) -> BrowsePage:
    """The page an address asks for: ``cursor`` where to start, ``more=N`` to read on (at
    most N pages, bounded by ``MAX_MORE_PAGES``) until one has an item to show."""
    cursor = params.get("cursor") or None
    more = params.get("more") or ""
    if more.isdigit() and int(more) > 1:
        return browse_until_match(query, cursor, int(more))
    return browse(query, cursor)


def browse_until_match(query: PartitionQuery, cursor: str | None, pages: int) -> BrowsePage:
    """Up to ``pages`` pages (at most ``MAX_MORE_PAGES``), one Query each, stopping at the
    first with an item to show or at the partition's end: a filter that matches rarely is
    read on only as far as the person agreed to pay for."""
    pages = max(1, min(pages, MAX_MORE_PAGES))
    result = browse(query, cursor)
    read, consumed = result.read_count, result.consumed_rcu
    sent = 1
    while sent < pages and not result.items and result.next_cursor is not None:
        result = browse(query, result.next_cursor)
        sent += 1
        read += result.read_count
        if consumed is not None and result.consumed_rcu is not None:
            consumed += result.consumed_rcu
    result.read_count, result.consumed_rcu, result.pages_read = read, consumed, sent
    return result


def _cursor(query: PartitionQuery, direction: str, key: Mapping[str, Any] | None,
            offset: int) -> str:
    return encode_cursor({"d": direction, "k": key_to_json(key) if key else None, "o": offset},
                         scope=query.scope)
