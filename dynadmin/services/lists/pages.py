"""An entity's list page, like Django's changelist: its first listing, one Query per page.

The listing names a key whose partition groups the entity's items (orders by status on
GSI2). A Choice in that partition key becomes a switcher ("PENDING · SHIPPED · ..."), the
first value by default; the page is the partition page's ``PartitionQuery`` read by
``browse`` (so paging both ways costs one Query, with the same signed cursors), in the
entity's words: a range on the sort key's leading field, a filter on one of its fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from ...access_patterns import Listing
from ...definitions import Key
from ...definitions.fields import Choice
from ...limits import MAX_PARTITION_KEY_BYTES
from ...user_errors import UserInputError
from ..links import site_url
from ..lookups.listings import find_listing
from ..lookups.plans import clean_values, key_value
from ..partitions.key_ranges import RangeForm
from ..partitions.pages import BrowsePage, PartitionQuery, read_requested_page
from ..url_keys import key_param
from .filters import FilterForm, filter_form

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ...options import EntityAdmin
    from ...sites import AdminSite

__all__ = ["EntityList", "Tab", "WayIn", "entity_list", "first_listing", "ways_in"]


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    current: bool


@dataclass
class EntityList:
    listing: Listing
    key: Key
    #: one tab per value of the partition key's Choice field (empty: nothing to switch)
    tabs: list[Tab] = field(default_factory=list)
    #: the partition values still to give (not a Choice): the page shows the listing form
    missing: tuple[str, ...] = ()
    range: RangeForm | None = None
    filter: FilterForm | None = None
    query: PartitionQuery | None = None
    page: BrowsePage | None = None
    #: the list's partition (its tab) as hidden inputs of the range and filter form
    hidden: dict[str, str] = field(default_factory=dict)
    #: the list without a range or a filter
    clear_url: str = ""
    #: why the values in the address make no Query (shown beside the form, status 400)
    error: str = ""
    #: the list's own address parameters (its tab, range and filter), without a cursor
    own: dict[str, str] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        """The list's name and, when a tab is chosen, which: "Orders by status: Paid"."""
        current = next((tab.label for tab in self.tabs if tab.current), "")
        return f"{self.listing.label}: {current}" if current else self.listing.label

    @property
    def narrowed(self) -> bool:
        """A range or a filter is asked (or being chosen): its form is shown open."""
        asked_range = self.range is not None and bool(self.range.low or self.range.high)
        return asked_range or bool(self.filter and (self.filter.active or self.filter.picked))


def _own_url(admin: EntityAdmin, params: Mapping[str, str]) -> str:
    base = site_url("entity", entity=admin.opts.label)
    kept = {k: v for k, v in params.items() if v}
    return f"{base}?{urlencode(kept)}" if kept else base


def reachable_choices(admin: EntityAdmin, request: HttpRequest | None, name: str,
                      choices: Sequence[str]) -> list[str]:
    """The choices of field ``name`` this person's scopes reach (all, for a person no scope
    limits): a list across tenants offers only the person's own as tabs."""
    reach = admin.site.reach(request, admin.entity) if request is not None else None
    if reach is None:
        return list(choices)
    if reach.closed:
        return []
    allowed = reach.limits.get(name)
    return [c for c in choices if allowed is None or c in allowed]


def first_listing(admin: EntityAdmin, request: HttpRequest | None) -> Listing | None:
    return next((ls for ls in admin.get_listings(request) if ls.key in admin.opts.keys), None)


def entity_list(admin: EntityAdmin, params: Mapping[str, str], request: HttpRequest | None,
                *, read: bool = True) -> EntityList | None:
    """The list page of ``admin``'s entity for the address ``params`` (None: no listing).

    Reads one page (one Query; at most ``MAX_MORE_PAGES`` when the person asked to read on);
    values that cannot make a Query leave ``error`` set and nothing read. ``read`` False
    only builds its ``query`` (a job reads every page of it, at its own pace).
    """
    listing = first_listing(admin, request)
    if listing is None:
        return None
    chosen = find_listing(admin, params.get("listing") or "", request)
    listing = chosen or listing
    key = admin.opts.keys[listing.key]
    own: dict[str, str] = {"listing": listing.name} if chosen else {}
    values: dict[str, str] = {}
    result = EntityList(listing=listing, key=key)
    switcher: Choice | None = None
    for name in key.pk.variables:
        fld = admin.opts.fields.get(name)
        value = params.get(name, "")
        if isinstance(fld, Choice):
            choices = reachable_choices(admin, request, name, fld.choices)
            value = value if value in choices else (choices[0] if choices else "")
            switcher = fld
        if value:
            values[name] = own[name] = value
    result.missing = tuple(n for n in key.pk.variables if n not in values)
    if switcher is not None and not result.missing:
        # The free fields typed in (ORG#{org}) stay as the Choice switches (#STATUS#{status}).
        result.tabs = [Tab(label=switcher.choice_label(choice),
                           current=choice == values[switcher.name],
                           url=_own_url(admin, {**own, switcher.name: choice}))
                       for choice in reachable_choices(admin, request, switcher.name,
                                                       switcher.choices)]
    result.hidden = dict(own)
    result.clear_url = _own_url(admin, own)
    if key.sk is not None and key.sk.leading_variable in admin.opts.fields:
        fld = admin.opts.fields[key.sk.leading_variable]
        result.range = RangeForm(fld, ids="l", labels=(_("From"), _("To")),
                                 low=params.get("sk_from", ""), high=params.get("sk_to", ""))
    result.filter = filter_form(
        admin.entity, params, excluded=key.variables,
        pick_url=site_url("entity", entity=admin.opts.label),
        offered=lambda name, choices: reachable_choices(admin, request, name, choices))
    if result.missing:
        return result
    try:
        _read_page(admin, result, own, params, read=read)
    except UserInputError as exc:
        result.error = exc.message
    return result


def _read_page(admin: EntityAdmin, result: EntityList, own: dict[str, str],
               params: Mapping[str, str], *, read: bool) -> None:
    key, listing = result.key, result.listing
    index = key.index
    values = {n: own[n] for n in key.pk.variables}
    cleaned = clean_values(admin, key.pk.variables, values)
    pk = key_value(key.pk, cleaned, index.pk_type, MAX_PARTITION_KEY_BYTES, "partition key")
    query_params: dict[str, str] = {"pk": key_param(pk), "limit": str(admin.list_per_page)}
    if index.name:
        query_params["index"] = index.name
    if listing.descending:
        query_params["order"] = "desc"
    if result.range is not None and (result.range.low or result.range.high):
        ranged = {"sk_entity": admin.opts.name, "sk_from": result.range.low,
                  "sk_to": result.range.high}
        query_params |= ranged
        own |= {"sk_from": result.range.low, "sk_to": result.range.high}
    if result.filter is not None and result.filter.active:
        query_params |= result.filter.params
        own |= result.filter.own_params
    if params.get("hide_expired"):
        query_params["hide_expired"] = own["hide_expired"] = params["hide_expired"]
    result.query = PartitionQuery.from_params(admin.opts.table, query_params)
    result.own = dict(own)
    if not read:
        return
    result.page = read_requested_page(result.query, params)

    def link(cursor: str | None, **extra: str) -> str:
        return _own_url(admin, {**own, **({"cursor": cursor} if cursor else {}), **extra})

    result.page.link = link



@dataclass(frozen=True)
class WayIn:
    """Where a person finds an entity's items without a listing: a parent's page."""

    parent_label: str
    parent_url: str
    relation_label: str


def ways_in(site: AdminSite, admin: EntityAdmin, request: HttpRequest | None) -> list[WayIn]:
    """The relations of other entities that lead to this one ("Orders are found from a
    User's page"), of entities the person may view."""
    found = []
    for entity in site.entities_of(admin.opts.table):
        parent = site.get_entity_admin(entity)
        if parent is admin or (request is not None and not parent.has_view_permission(request)):
            continue
        for relation in parent.get_relations(request):
            if relation.entity is admin.entity:
                found.append(WayIn(parent_label=parent.opts.verbose_name,
                                   parent_url=site_url("entity", entity=parent.opts.label),
                                   relation_label=relation.label))
    return found
