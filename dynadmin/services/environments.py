"""Which AWS environment a page is looking at, for the banner every page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..definitions import Table

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["Environment", "environment_of"]


@dataclass(frozen=True)
class Environment:
    label: str
    colour: str
    read_only: bool = False


def environment_of(site: AdminSite, table: Table | None) -> Environment | None:
    """The environment of the page's table; on a page about no single table, the one every
    registered table shares (None when they differ or none is configured)."""
    return None
