"""Where a relation leads, as a link: one item's page, or the partition it determines.

No call is made here, so every list may link each row's values to their related items (an
order's line item links to its product) at no cost.
"""

from __future__ import annotations

from typing import Any

from ...data import SortCondition
from ...definitions import Table
from ...relations import Relation, ResolvedRelation
from ..partitions.query import PartitionQuery
from ..url_keys import item_url

__all__ = ["field_links", "relation_partition", "relation_url"]


def relation_partition(table: Table, resolved: ResolvedRelation) -> PartitionQuery:
    """The partition a to-many relation lists (its link and its one bounded Query)."""
    return PartitionQuery(
        table=table, index=resolved.key.index, pk=resolved.pk,
        sort=SortCondition(resolved.sk_op, resolved.sk) if resolved.sk_op else None,
        descending=resolved.relation.descending)


def relation_url(table: Table, resolved: ResolvedRelation) -> str:
    if resolved.single:
        index = table.primary
        return item_url(table, {index.pk: resolved.pk, index.sk: resolved.sk})
    return relation_partition(table, resolved).url()


def field_links(table: Table, relations: tuple[Relation, ...], values: dict[str, Any]
                ) -> dict[str, str]:
    """Source field name -> URL, for attribute values that are keys of other entities."""
    links = {}
    for relation in relations:
        if relation.field:
            resolved = relation.resolve(values)
            if resolved is not None:
                links[relation.field] = relation_url(table, resolved)
    return links
