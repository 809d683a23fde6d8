"""How values read in a page: typed, exact, and with TTLs as a moment a person understands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from ..data.serialization import dumps_plain_json, serialize
from ..definitions import ParsedItem, Table
from ..definitions.fields import TTL, Field
from .key_params import item_url, key_text
from .names import parsed_name
from .relation_links import field_links
from .ttl import TTLState, classify_ttl, item_ttl_state, relative_time
from .values import Shown, show, show_field

if TYPE_CHECKING:
    from ..sites import AdminSite

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
         now: dt.datetime | None = None) -> Shown:
    """One table cell: typed, with its CSS class (numbers right-aligned) and badge."""
    if isinstance(fld, TTL):
        return Shown(text=ttl_text(value, now))
    shown = show_field(fld, value, values, now)
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


def group_items(site: AdminSite, table: Table, items: list[ParsedItem],
                request: HttpRequest | None = None, now: dt.datetime | None = None
                ) -> list[Group]:
    """Rows grouped by entity in order of first appearance. Items of entities the person may
    not view are left out and never counted: with a filter on the page read, a count of
    withheld rows would tell whether a hidden item's value matched (an oracle)."""
    now = now or dt.datetime.now(dt.UTC)
    groups: dict[str, Group] = {}
    primary = table.primary
    for parsed in items:
        item = parsed.item
        text = key_text(table, item)
        entity = parsed.entity
        admin = site.admin_of(entity)
        if admin is None:
            group = groups.setdefault("", Group(
                label="Unclassified", entity_name="unclassified", classified=False,
                columns=[*primary.attributes, "attributes"]))
            rest = {k: v for k, v in item.items() if k not in primary.attributes}
            summary = raw_text(rest)
            group.rows.append(Row(
                url=item_url(table, item), key_text=text, item=item, name=text,
                cells=[*(show(item[a]) if a in item else Shown() for a in primary.attributes),
                       Shown(text=summary[:MAX_CELL] + ("…" if len(summary) > MAX_CELL
                                                         else ""))],
                ttl=_flagged_ttl(table, item, now)))
            continue
        if request is not None and not admin.has_view_permission(request, item):
            continue
        columns = admin.get_list_display(request)
        group = groups.get(entity._meta.name)
        if group is None:
            fields = entity._meta.fields
            group = groups[entity._meta.name] = Group(
                label=entity._meta.verbose_name, entity_name=entity._meta.name,
                columns=[fields[c].label for c in columns])
        fields = entity._meta.fields
        links = field_links(table, admin.get_relations(request), parsed.values)
        group.rows.append(Row(
            url=item_url(table, item), key_text=text, item=item,
            name=parsed_name(site, table, parsed),
            cells=[_linked(cell(fields[c], parsed.values[c], parsed.values, now), links.get(c))
                   if c in parsed.values else Shown(kind="empty") for c in columns],
            invalid=[fields[c].label for c in parsed.errors if c in columns],
            ttl=_flagged_ttl(table, item, now)))
    return list(groups.values())


def _linked(shown: Shown, url: str | None) -> Shown:
    """A cell whose value is the key of a related item links to it (no call is made)."""
    if url:
        shown.url = url
    return shown


def _flagged_ttl(table: Table, item: dict[str, Any], now: dt.datetime) -> TTLState | None:
    """The item's TTL state when it deserves a badge (expired, or one that never works)."""
    state = item_ttl_state(table, item, now)
    return state if state.flagged else None
