"""How values read in a page: typed, exact, and with TTLs as a moment a person understands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

from ...data.serialization import dumps_plain_json, serialize
from ...definitions import ParsedItem, Table
from ...definitions.fields import TTL, Field
from ..items.relation_links import field_links
from ..ttl import TTLState, TTLTarget, classify_ttl, relative_time, ttl_target
from ..url_keys import item_url, key_text
from . import markup
from .names import parsed_name
from .values import Shown, show, show_field

if TYPE_CHECKING:
    from ...sites import AdminSite

__all__ = ["Group", "Row", "cell", "cell_text", "dynamo_type", "group_items", "raw_text",
           "relative_time", "ttl_text"]

MAX_CELL = 120


def dynamo_type(value: Any) -> str:
    try:
        return next(iter(serialize(value)))
    except (TypeError, ValueError):
        return "?"


def raw_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return dumps_plain_json(value, indent=None)


def ttl_text(value: Any, now: dt.datetime | None = None) -> str:
    """``2026-11-24 10:00 UTC (expires in 3 days)``, or what is wrong with the value."""
    return classify_ttl(value, required=False, now=now or dt.datetime.now(dt.UTC)).text


def cell_text(fld: Field, value: Any, now: dt.datetime | None = None) -> str:
    if isinstance(fld, TTL):
        return ttl_text(value, now)
    return show_field(fld, value, now=now).text


def cell(fld: Field, value: Any, values: dict[str, Any] | None = None,
         now: dt.datetime | None = None, *, typed: bool = False) -> Shown:
    """One table cell: typed, with its CSS class (numbers right-aligned) and badge
    (``typed``: ``value`` is a parsed item's, already typed by its field)."""
    if isinstance(fld, TTL):
        return Shown(text=ttl_text(value, now))
    shown = show_field(fld, value, values, now, typed=typed)
    if shown.nested:
        # A table cell holds one line: the nested form is on the item page.
        return Shown(text=shown.text[:MAX_CELL] + ("…" if len(shown.text) > MAX_CELL else ""))
    return shown


@dataclass
class Row:
    url: str
    key_text: str
    cells: list[Shown]
    item: dict[str, Any]
    #: what the item is called (services/names.py): the row's link text
    name: str = ""
    invalid: list[str] = field(default_factory=list)
    #: the row's number in its group's signed selection, when actions are offered
    selection_number: str = ""
    #: an expired or broken TTL, named next to the key
    ttl: TTLState | None = None
    #: which lookup found the item (the global box's results)
    found_by: str = ""


@dataclass
class Group:
    """Rows of one entity, as every list shows them: a partition page, lookup matches, an
    item's related items (one partial, ``dynadmin/partials/rows_table.html``)."""

    label: str
    entity_name: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    classified: bool = True
    #: the entity's page (its lookups and listings), linked from the group's heading
    entity_url: str = ""
    #: a "Found by" column (the global box's results)
    shows_found_by: bool = False
    #: (value, description) of the actions this person may run on these rows
    actions: list[tuple[str, str]] = field(default_factory=list)
    #: the rows' keys and versions, signed once, when actions are offered
    selection: str = ""

    @property
    def rows_html(self) -> SafeString:
        """The rows as markup (``services/markup.py``: a row is one format string)."""
        return markup.rows_html(self)


def group_items(site: AdminSite, table: Table, items: list[ParsedItem],
                request: HttpRequest | None = None, now: dt.datetime | None = None
                ) -> list[Group]:
    """Rows grouped by entity in order of first appearance. Items of entities the person may
    not view are left out and never counted: with a filter on the page read, a count of
    withheld rows would tell whether a hidden item's value matched (an oracle).

    What a row needs of its entity (its admin, columns, fields, relations) is looked up once
    per entity, not once per row: a list has up to a thousand rows of a few entities."""
    now = now or dt.datetime.now(dt.UTC)
    # Unless an admin decides per item or a scope limits the person, whether they may view
    # a row is their entity's permission: asked once per entity, not once per row.
    per_item = request is not None and site.decides_view_per_item(request)
    groups: dict[str, _Plan] = {}
    for parsed in items:
        entity = parsed.entity
        name = entity._meta.name if entity is not None else ""
        plan = groups.get(name)
        if plan is None:
            plan = groups[name] = _Plan.of(site, table, parsed, request)
            if plan.admin is not None and request is not None and not per_item:
                plan.may_view = plan.admin.has_view_permission(request)
        if plan.admin is None:
            plan.group.rows.append(_unclassified_row(table, parsed.item, now))
        elif (plan.admin.has_view_permission(request, parsed.item) if per_item
              else plan.may_view):
            plan.group.rows.append(plan.row(site, table, parsed, now))
    return [plan.group for plan in groups.values() if plan.group.rows]


@dataclass
class _Plan:
    """One entity's share of a list: its group, and what its rows are made of."""

    group: Group
    admin: Any = None
    columns: tuple[str, ...] = ()
    fields: dict[str, Field] = field(default_factory=dict)
    relations: tuple[Any, ...] = ()
    #: the links of the rows' related values, by those values: the rows of one partition
    #: mostly link to the same few items (every order of a user, to that user)
    links: dict[tuple[Any, ...], dict[str, str]] = field(default_factory=dict)
    #: the fields the relations' keys are spelt from (what ``links`` is keyed by)
    sources: tuple[str, ...] = ()
    #: may the person view every row of the entity (when no admin decides per item)
    may_view: bool = True
    #: which attribute holds the rows' TTL, and whether the entity requires one
    ttl: TTLTarget | None = None

    @classmethod
    def of(cls, site: AdminSite, table: Table, parsed: ParsedItem,
           request: HttpRequest | None) -> _Plan:
        admin = site.get_entity_admin(parsed.entity)
        if admin is None:
            return cls(Group(label="Unclassified", entity_name="unclassified", classified=False,
                             columns=[*table.primary.attributes, "attributes"]))
        meta = parsed.entity._meta
        columns = tuple(admin.get_list_display(request))
        # only relations from a field make links in a row
        relations = tuple(r for r in _relations(site, admin, request) if r.field)
        return cls(Group(label=meta.verbose_name, entity_name=meta.name,
                         columns=[meta.fields[c].label for c in columns]),
                   admin=admin, columns=columns, fields=meta.fields, relations=relations,
                   sources=tuple(source for relation in relations
                                 for source in relation.placeholders.values()),
                   ttl=ttl_target(table, parsed.item, parsed.entity))

    def row(self, site: AdminSite, table: Table, parsed: ParsedItem, now: dt.datetime) -> Row:
        item, values, fields = parsed.item, parsed.values, self.fields
        assert self.ttl is not None  # a plan with an admin (the others' rows are unclassified)
        return Row(
            url=item_url(table, item), key_text=key_text(table, item), item=item,
            name=parsed_name(site, table, parsed),
            cells=self._cells(table, values, parsed.errors, now),
            invalid=[fields[c].label for c in parsed.errors if c in self.columns],
            ttl=_flagged_ttl(item, now, self.ttl))

    def _cells(self, table: Table, values: dict[str, Any], errors: dict[str, str],
               now: dt.datetime) -> list[Shown]:
        fields = self.fields
        links = self._links(table, values) if self.relations else {}
        return [_linked(cell(fields[c], values[c], values, now, typed=c not in errors),
                        links.get(c))
                if c in values else Shown(kind="empty") for c in self.columns]

    def _links(self, table: Table, values: dict[str, Any]) -> dict[str, str]:
        try:
            known = tuple(map(values.get, self.sources))
            links = self.links.get(known)
        except TypeError:  # an unhashable value (a set, a map): no memo
            return field_links(table, self.relations, values)
        if links is None:
            links = self.links[known] = field_links(table, self.relations, values)
        return links


def _relations(site: AdminSite, admin: Any, request: HttpRequest | None) -> tuple[Any, ...]:
    if request is None:
        return admin.get_relations(request)
    return site.viewable_relations(request, admin)


def _unclassified_row(table: Table, item: dict[str, Any], now: dt.datetime) -> Row:
    """An item no entity claims: its key, and the rest as compact JSON."""
    primary = table.primary.attributes
    text = key_text(table, item)
    summary = raw_text({k: v for k, v in item.items() if k not in primary})
    return Row(
        url=item_url(table, item), key_text=text, item=item, name=text,
        cells=[*(show(item[a]) if a in item else Shown() for a in primary),
               Shown(text=summary[:MAX_CELL] + ("…" if len(summary) > MAX_CELL else ""))],
        ttl=_flagged_ttl(item, now, ttl_target(table, item, None)))


def _linked(shown: Shown, url: str | None) -> Shown:
    """A cell whose value is the key of a related item links to it (no call is made)."""
    if url:
        shown.url = url
    return shown


def _flagged_ttl(item: dict[str, Any], now: dt.datetime, target: TTLTarget
                 ) -> TTLState | None:
    """The item's TTL state when it deserves a badge (expired, or one that never works);
    ``target``: where its entity keeps the TTL, looked up once for a list's rows. An absent
    TTL the entity does not require is never flagged (most rows have none)."""
    value = item.get(target.attribute) if target.attribute else None
    if value is None and not target.required:
        return None
    state = classify_ttl(value, required=target.required, now=now)
    return state if state.flagged else None
