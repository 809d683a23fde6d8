"""Listings: a paged list of an entity through an index whose partition groups it (orders
by status), and suggestions of indexes that would serve one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils.translation import gettext as _

from ...access_patterns import Listing
from ...definitions import Key
from ...definitions.fields import Boolean, Choice
from ...limits import MAX_PARTITION_KEY_BYTES
from ..links import site_url
from ..partitions.query import partition_url
from .plans import LookupInputError, clean_values, key_value

if TYPE_CHECKING:
    from ...options import EntityAdmin

# -- listings -----------------------------------------------------------------------------
def find_listing(admin: EntityAdmin, name: str, request: HttpRequest | None = None
                 ) -> Listing | None:
    return next((ls for ls in admin.get_listings(request)
                 if ls.name == name and ls.key in admin.opts.keys), None)


def listing_url(admin: EntityAdmin, listing: Listing, values: Mapping[str, str]) -> str:
    """The partition page a listing opens for the chosen values (raises LookupInputError)."""
    key = admin.opts.keys.get(listing.key)
    if key is None:
        raise LookupInputError(_("%(thing)s has no key %(key)r.")
                               % {"thing": admin.opts.verbose_name, "key": listing.key})
    cleaned = clean_values(admin, key.pk.variables, values)
    index = key.index
    pk = key_value(key.pk, cleaned, index.pk_type, MAX_PARTITION_KEY_BYTES, "partition key")
    if any(not isinstance(admin.opts.fields.get(v), (Choice, Boolean))
           for v in key.pk.variables):
        # Typed-in values (a tenant): the entity's list keeps them while the Choice switches.
        kept = {"listing": listing.name} | {n: str(values.get(n, "")).strip()
                                              for n in key.pk.variables}
        return f"{site_url('entity', entity=admin.opts.label)}?{urlencode(kept)}"
    return partition_url(admin.opts.table, pk, index=index.name,
                         descending=listing.descending, limit=admin.list_per_page)


@dataclass(frozen=True)
class ListingSuggestion:
    """A key whose partition groups an entity's items, so a listing could page through it."""

    key: Key
    label: str

    @property
    def code(self) -> str:
        return f'Listing("{self.key.name}", label="{self.label}")'


def listing_suggestions(admin: EntityAdmin) -> list[ListingSuggestion]:
    """Keys whose partition key is made of constants and Choice fields only: a person can
    pick every value from a menu, and each partition groups many items."""
    suggestions = []
    used = {listing.key for listing in admin.get_listings()}
    for key in admin.opts.keys.values():
        if key.name in used:
            continue
        variables = key.pk.variables
        if not all(isinstance(admin.opts.fields.get(v), Choice) for v in variables):
            continue
        if key.index.pk_type != "S" and variables:
            continue
        what = f" by {', '.join(variables)}" if variables else ""
        suggestions.append(ListingSuggestion(
            key=key, label=f"{_plural(admin.opts.verbose_name)}{what}"))
    return suggestions


def _plural(name: str) -> str:
    return name if name.endswith("s") else f"{name}s"
