"""What dynadmin's management commands share: the site whose definitions they use
(``--site``) and a registered table named on the command line."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from django.core.management import CommandError
from django.utils.module_loading import import_string

from ..sites import AdminSite

if TYPE_CHECKING:
    from ..definitions import Table

__all__ = ["add_site_argument", "registered_table", "site_named"]

DEFAULT_SITE = "dynadmin.sites.site"


def add_site_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", default=DEFAULT_SITE, metavar="DOTTED.PATH",
                        help=f"the AdminSite whose definitions to use (default: {DEFAULT_SITE})")


def site_named(path: str) -> AdminSite:
    """The AdminSite at a dotted path, or a CommandError saying what is wrong with it."""
    try:
        site = import_string(path)
    except ImportError as exc:
        raise CommandError(f"--site {path}: {exc}") from None
    if not isinstance(site, AdminSite):
        raise CommandError(f"--site {path} is not an AdminSite.")
    return site


def registered_table(site: AdminSite, name: str) -> Table:
    """The table registered under ``name``, or a CommandError listing those that are."""
    table = site.tables.get(name)
    if table is None:
        raise CommandError(f"No registered table is called {name!r} "
                           f"(registered: {', '.join(site.tables) or 'none'}).")
    return table
