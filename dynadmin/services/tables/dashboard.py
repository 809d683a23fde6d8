"""What the dashboard adds to the table summaries: a "data still loading" notice and where
to start (both only where the project declares them, so the app stays generic)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.core.cache import cache

from ... import conf, data
from ...data.errors import DataError
from ...definitions import Table
from ..links import site_url

if TYPE_CHECKING:
    from ...options import EntityAdmin

__all__ = ["EntityEntry", "Suggestion", "entity_entries", "loading_tables", "suggestions"]

#: Seconds a "still loading" answer is kept: the notice goes within this long of the end.
LOADING_CACHE_SECONDS = 10


def loading_tables(tables: Iterable[Table]) -> list[Table]:
    """The tables whose declared loading marker is not there yet: one GetItem per table
    with a marker, cached briefly (a dashboard refreshed by many people costs one read)."""
    markers = conf.get("LOADING_MARKER") or {}
    loading = []
    for table in tables:
        key = markers.get(table.name)
        if not key:
            continue
        cache_key = f"dynadmin:loading:{table.table_name}"
        state = cache.get(cache_key)
        if state is None:
            try:
                state = "loading" if data.get_item(table, key) is None else "done"
            except DataError:
                state = "unknown"  # the table's summary already says what is wrong
            cache.set(cache_key, state, LOADING_CACHE_SECONDS)
        if state == "loading":
            loading.append(table)
    return loading


@dataclass(frozen=True)
class Suggestion:
    label: str
    url: str


def suggestions() -> list[Suggestion]:
    """``DASHBOARD_SUGGESTIONS`` as links: a path inside the site, or a lookup."""
    out = []
    root = site_url("dashboard")
    for label, target in conf.get("DASHBOARD_SUGGESTIONS") or ():
        if target.startswith("/"):
            url = root + target.lstrip("/")
        else:
            url = site_url("lookup") + "?" + urlencode({"q": target})
        out.append(Suggestion(label=label, url=url))
    return out


@dataclass(frozen=True)
class EntityEntry:
    """An entity on the dashboard: its list page, and how its items are found."""

    admin: EntityAdmin
    url: str
    listing: str
    lookups: list[str]


def entity_entries(admins: Iterable[EntityAdmin]) -> list[EntityEntry]:
    entries = []
    for admin in admins:
        if admin.internal:
            continue  # a library's own items (OneTable's schema): found where they live
        listing = next((ls.label for ls in admin.get_listings() if ls.key in admin.opts.keys),
                       "")
        entries.append(EntityEntry(
            admin=admin, url=site_url("entity", entity=admin.opts.label), listing=listing,
            lookups=[lk.label for lk in admin.get_lookups() if lk.key in admin.opts.keys]))
    return entries
