"""What a job reads: any question a page can ask, kept as the partition page's parameters.

An entity's list (its tab, date range and filter) and a partition with its sort-key
condition both become a ``PartitionQuery``, read one bounded Query page at a time from a
start key, the way their pages read it: a job never scans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import conf
from ..data import DataError
from ..data.cursors import key_from_json, key_to_json
from ..definitions import Entity, Table
from ..services.lists.pages import entity_list
from ..services.partitions.query import MAX_LIMIT, PartitionQuery
from ..services.tables.summaries import described_table
from ..user_errors import UserInputError

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ..options import EntityAdmin

__all__ = ["SourcePage", "from_listing", "from_partition", "query_of", "read_page",
           "whole_items"]

#: what a page's address carries that says where to start, not what to read
_PLACES = ("cursor", "more", "limit")


def from_listing(admin: EntityAdmin, params: Mapping[str, str], request: HttpRequest
                 ) -> dict[str, Any]:
    """The source of an entity's list page as its address asks it (tab, range, filter):
    UserInputError when the address makes no Query."""
    asked = {k: v for k, v in params.items() if k not in _PLACES}
    listed = entity_list(admin, asked, request, read=False)
    if listed is None:
        raise UserInputError(f"{admin.opts.verbose_name_plural} have no list to run a "
                             "job over.")
    if listed.error or listed.query is None:
        raise UserInputError(listed.error or "Choose the list's values first.")
    return {"params": _what(listed.query), "list": listed.own, "heading": listed.heading}


def from_partition(table: Table, params: Mapping[str, str]) -> dict[str, Any]:
    """The source of a partition page (``pk``, ``index``, ``sk_op``/``sk``/``sk2``, filter)."""
    query = PartitionQuery.from_params(table, {k: v for k, v in params.items()
                                               if k not in _PLACES})
    return {"params": _what(query)}


def _what(query: PartitionQuery) -> dict[str, str]:
    params = query.params()
    params.pop("limit", None)
    return params


def query_of(table: Table, source: Mapping[str, Any]) -> PartitionQuery:
    """The query a job's source asks, one ``JOB_PAGE_SIZE`` page at a time."""
    params = dict(source["params"])
    params["limit"] = str(min(int(conf.get("JOB_PAGE_SIZE")), MAX_LIMIT))
    return PartitionQuery.from_params(table, params)


@dataclass
class SourcePage:
    """One Query page of a source: the items of the job's entity, where the next page
    starts (None: the end), what the Query read and cost."""

    items: list[dict[str, Any]]
    next_key: dict[str, Any] | None
    read_count: int
    consumed_rcu: float


def read_page(query: PartitionQuery, entity: type[Entity] | None,
              start_key: Mapping[str, Any] | None) -> SourcePage:
    """One page from ``start_key`` (JSON, as ``JobChunk.start_key`` keeps it), keeping the
    items ``entity`` claims (a partition holds others' too)."""
    page = query.read(start_key=key_from_json(start_key) if start_key else None)
    table = query.table
    items = [item for item in page.items
             if entity is None or table.classify(item) is entity]
    next_key = (key_to_json(page.last_evaluated_key)
                if page.last_evaluated_key is not None else None)
    return SourcePage(items=items, next_key=next_key, read_count=page.scanned_count,
                      consumed_rcu=page.consumed_rcu or 0.0)


def whole_items(query: PartitionQuery) -> bool:
    """Does ``query`` return whole items? On the table's own key, always; on an index, only
    when DynamoDB says it projects ALL (dynadmin creates them so; an index made elsewhere
    may project less, and a page of it holds items in part). Not known (DescribeTable
    failed): no. DescribeTable comes from the cache the dashboard shares."""
    if query.index.is_table:
        return True
    try:
        description, _ = described_table(query.table)
    except DataError:
        return False
    for entry in [*(description.get("GlobalSecondaryIndexes") or []),
                  *(description.get("LocalSecondaryIndexes") or [])]:
        if entry.get("IndexName") == query.index.name:
            return (entry.get("Projection") or {}).get("ProjectionType") == "ALL"
    return False
