"""dynadmin: a Django admin for DynamoDB single-table designs.

Definitions import from here::

    from dynadmin import Entity, EntityAdmin, Key, Table, fields, register
"""

from typing import TYPE_CHECKING

from .definitions import Entity, Key, KeyTemplate, Table, fields

if TYPE_CHECKING:
    # What ``__getattr__`` below hands out at run time, spelled out for type checkers and
    # IDEs, which do not run it.
    from .access_patterns import Listing, Lookup
    from .options import EntityAdmin, action
    from .relations import Relation
    from .sites import AdminSite, register, site

__all__ = ["AdminSite", "Entity", "EntityAdmin", "Key", "KeyTemplate", "Listing", "Lookup",
           "Relation", "Table", "action", "fields", "register", "site"]


def __getattr__(name: str) -> object:
    # The admin side imports Django; keep ``import dynadmin`` cheap and usable in plain
    # Python (definitions, tests of key templates) until the registry is actually needed.
    if name in ("EntityAdmin", "action"):
        from . import options

        return getattr(options, name)
    if name in ("Listing", "Lookup"):
        from . import access_patterns

        return getattr(access_patterns, name)
    if name == "Relation":
        from .relations import Relation

        return Relation
    if name in ("AdminSite", "register", "site"):
        from . import sites

        return getattr(sites, name)
    raise AttributeError(name)
