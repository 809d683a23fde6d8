"""The related sections of an item page: one bounded Query per to-many relation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from .. import data
from ..data import SortCondition
from ..definitions import Table, parse_any
from ..relations import Relation, ResolvedRelation
from .key_params import item_url
from .partitions import PartitionQuery
from .presentation import Group, group_items

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["RelatedSection", "field_links", "related_sections"]


@dataclass
class RelatedSection:
    relation: Relation
    url: str
    single: bool = False
    groups: list[Group] = field(default_factory=list)
    more: bool = False
    error: str = ""


def _partition(table: Table, resolved: ResolvedRelation) -> PartitionQuery:
    """The partition a to-many relation lists (its link and its one bounded Query)."""
    return PartitionQuery(
        table=table, index=resolved.key.index, pk=resolved.pk,
        sort=SortCondition(resolved.sk_op, resolved.sk) if resolved.sk_op else None,
        descending=resolved.relation.descending)


def _url(table: Table, resolved: ResolvedRelation) -> str:
    if resolved.single:
        index = table.primary
        return item_url(table, {index.pk: resolved.pk, index.sk: resolved.sk})
    return _partition(table, resolved).url()


def related_sections(site: AdminSite, table: Table, relations: tuple[Relation, ...],
                     values: dict[str, Any], request: HttpRequest) -> list[RelatedSection]:
    sections = []
    for relation in relations:
        resolved = relation.resolve(values)
        if resolved is None:
            continue
        section = RelatedSection(relation=relation, url=_url(table, resolved),
                                 single=resolved.single)
        if not resolved.single:
            partition = replace(_partition(table, resolved), limit=relation.limit)
            try:
                page = partition.read()
            except data.DataError as exc:
                # One failing section must not take the item page down with it.
                section.error = f"{exc.title}: {exc.message}"
            else:
                items = [parse_any(table, i) for i in page.items]
                section.groups = group_items(site, table, items, request)
                section.more = page.last_evaluated_key is not None
        sections.append(section)
    return sections


def field_links(table: Table, relations: tuple[Relation, ...], values: dict[str, Any]
                ) -> dict[str, str]:
    """Source field name -> URL, for attribute values that are keys of other entities."""
    links = {}
    for relation in relations:
        if relation.field:
            resolved = relation.resolve(values)
            if resolved is not None:
                links[relation.field] = _url(table, resolved)
    return links
