"""dynadmin: a Django admin for DynamoDB single-table designs.

Definitions import from here::

    from dynadmin import Entity, EntityAdmin, Key, Table, fields, register
"""

from .definitions import Entity, Key, KeyTemplate, Table, fields

__all__ = ["AdminSite", "Entity", "EntityAdmin", "Key", "KeyTemplate", "Listing", "Lookup",
           "Relation", "Table", "action", "fields", "register", "site"]


def __getattr__(name: str):  # noqa: ANN202
    # The admin side imports Django; keep ``import dynadmin`` cheap and usable in plain
    # Python (definitions, tests of key templates) until the registry is actually needed.
    if name in ("EntityAdmin", "action"):
        from . import options

        return getattr(options, name)
    if name in ("Listing", "Lookup"):
        from . import patterns

        return getattr(patterns, name)
    if name == "Relation":
        from .relations import Relation

        return Relation
    if name in ("AdminSite", "register", "site"):
        from . import sites

        return getattr(sites, name)
    raise AttributeError(name)
