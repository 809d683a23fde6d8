"""Which AWS environment a page is looking at, for the banner every page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ... import data
from ...definitions import Table

if TYPE_CHECKING:
    from ...sites import AdminSite

__all__ = ["Environment", "environment_of", "is_writable", "table_environment"]


@dataclass(frozen=True)
class Environment:
    label: str
    colour: str
    read_only: bool = False


def table_environment(table: Table) -> Environment:
    connection = data.connection_for(table)
    return Environment(label=connection.environment, colour=connection.color,
                       read_only=data.is_read_only(table))


def is_writable(table: Table) -> bool:
    """Whether dynadmin may write to the table at all (no write is offered otherwise)."""
    return not data.is_read_only(table)


def environment_of(site: AdminSite, table: Table | None) -> Environment | None:
    """The environment of the page's table; on a page about no single table, the one every
    registered table shares (None when they differ: each table then shows its own)."""
    if table is not None:
        return table_environment(table)
    found = {table_environment(t) for t in site.tables.values()}
    if len({(e.label, e.colour) for e in found}) == 1:
        first = next(iter(found))
        return Environment(first.label, first.colour, all(e.read_only for e in found))
    return None
