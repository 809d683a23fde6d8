"""The related sections of an item page: one bounded Query per to-many relation, and one
BatchGetItem for all its to-one relations together, so each is shown by its name; all of
them at once. A relation to a listing switched by a Choice (an org's tickets by status) is
links only, no call."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from ... import data, limits
from ...data.parallel import in_parallel
from ...definitions import Table, parse_any
from ...relations import Relation
from ..display.names import parsed_name
from ..display.rows import Group, group_items
from ..lists.pages import Tab
from ..lookups.listings import listing_url
from ..lookups.plans import LookupInputError
from ..url_keys import key_text
from .relation_links import field_links, relation_partition, relation_url

if TYPE_CHECKING:
    from ...sites import AdminSite

__all__ = ["RelatedSection", "field_links", "related_sections"]


@dataclass
class RelatedSection:
    relation: Relation
    url: str
    single: bool = False
    groups: list[Group] = field(default_factory=list)
    more: bool = False
    error: str = ""
    #: a to-one relation's item, by name, and its key as a person reads it
    name: str = ""
    key_text: str = ""
    #: the to-one item was looked for and is not there
    missing: bool = False
    #: the primary key of a to-one relation's item (read together with the others)
    key: dict[str, Any] = field(default_factory=dict)
    #: a listing switched by a Choice: one link per value, its free fields from this item
    choices: list[Tab] = field(default_factory=list)


def related_sections(site: AdminSite, table: Table, relations: tuple[Relation, ...],
                     values: dict[str, Any], request: HttpRequest) -> list[RelatedSection]:
    """Every relation's section. Their reads (one Query per to-many relation, one
    BatchGetItem for the to-one ones) go out together, so the page costs about its slowest
    read, not their sum."""
    sections, reads = [], []
    for relation in relations:
        if relation.switches():
            section = _listing_section(site, relation, values, request)
            if section is not None:
                sections.append(section)
            continue
        resolved = relation.resolve(values)
        if resolved is None:
            continue
        section = RelatedSection(relation=relation, url=relation_url(table, resolved),
                                 single=resolved.single)
        if resolved.single:
            index = table.primary
            section.key = {index.pk: resolved.pk, index.sk: resolved.sk}
        else:
            partition = replace(relation_partition(table, resolved), limit=relation.limit)
            reads.append((section, partition.read))
        sections.append(section)
    singles = [s for s in sections if s.single]
    wanted = _wanted(table, singles)
    if wanted:
        keys = [group[0].key for group in wanted.values()]
        reads.append((None, partial(data.batch_get, table, keys)))
    for (section, _read), outcome in zip(reads, in_parallel([read for _, read in reads]),
                                         strict=True):
        if section is None:
            # A failed BatchGetItem leaves the sections plain links; the page still answers.
            if not isinstance(outcome, data.DataError):
                _name_single(site, table, wanted, outcome, request)
        elif isinstance(outcome, data.DataError):
            # One failing section must not take the item page down with it.
            section.error = f"{outcome.title}: {outcome.message}"
        else:
            items = [parse_any(table, i) for i in outcome.items]
            section.groups = group_items(site, table, items, request)
            # "See all" only when every row read is shown: after withheld rows it would tell
            # that more items follow than the section shows.
            shown = sum(len(group.rows) for group in section.groups)
            section.more = outcome.last_evaluated_key is not None and shown == len(items)
    return sections


def _listing_section(site: AdminSite, relation: Relation, values: dict[str, Any],
                     request: HttpRequest) -> RelatedSection | None:
    """Links into the target's listing on the relation's key, the fields this item fills
    kept and the Choice switching (shown only to those who may view the target)."""
    target = site.get_entity_admin(relation.entity)
    if target is None or not target.has_view_permission(request):
        return None
    key = relation.target_key()
    listing = next((ls for ls in target.get_listings(request) if ls.key == key.name), None)
    filled = {t: values.get(s) for t, s in relation.placeholders.items()}
    if listing is None or any(v is None or v == "" for v in filled.values()):
        return None
    switch = target.opts.fields[relation.switches()[0]]
    given = {name: str(value) for name, value in filled.items()}
    try:
        choices = [Tab(label=choice, current=False,
                       url=listing_url(target, listing, given | {switch.name: choice}))
                   for choice in switch.choices]
    except LookupInputError:
        return None  # this item's values make no partition (too long, a separator...)
    return RelatedSection(relation=relation, url=choices[0].url, choices=choices)


def _wanted(table: Table, sections: list[RelatedSection]
            ) -> dict[tuple[Any, ...], list[RelatedSection]]:
    """The to-one sections by the key they name (bounded by BatchGetItem's 100 keys)."""
    wanted: dict[tuple[Any, ...], list[RelatedSection]] = {}
    for section in sections[:limits.BATCH_GET_KEYS]:
        wanted.setdefault(_identity(table, section.key), []).append(section)
    return wanted


def _name_single(site: AdminSite, table: Table,
                 wanted: dict[tuple[Any, ...], list[RelatedSection]],
                 found: list[dict[str, Any]], request: HttpRequest) -> None:
    """Each to-one relation's item by its name. An item the person may not view is told
    as a missing one is (unnamed, "not found" to whoever may view the relation's entity), so
    the page does not tell that it exists."""
    by_key = {_identity(table, item): item for item in found}
    for identity, group in wanted.items():
        item = by_key.get(identity)
        parsed = parse_any(table, item) if item is not None else None
        admin = site.get_entity_admin(parsed.entity) if parsed is not None else None
        viewable = parsed is not None and (
            admin.has_view_permission(request, item) if admin is not None
            else request.user.is_superuser)
        for section in group:
            if viewable:
                section.name = parsed_name(site, table, parsed)
                section.key_text = key_text(table, item)
                continue
            target = site.get_entity_admin(section.relation.entity)
            section.missing = target is not None and target.has_view_permission(request)


def _identity(table: Table, key: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(key.get(a) for a in table.primary.attributes)
