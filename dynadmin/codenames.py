"""Permission codenames: one per action and entity, like Django's ``change_order``.

A codename holds no ``.``: Django's auth backends split ``app_label.codename`` on it
(``ModelBackend.with_perm("dynadmin.change_application_order")`` must work).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .definitions import Entity

__all__ = ["ACTIONS", "BULK_PERMISSIONS", "EDIT_RAW_JSON", "EXPORT_ALL", "EXTEND_TTL",
           "IMPORT_ITEMS", "RUN_BULK_JOBS", "permission_codename", "permission_name"]

ACTIONS = ("view", "add", "change", "delete")
#: beyond viewing, Support may extend an item's TTL
EXTEND_TTL = "extend_ttl"
#: the raw DynamoDB JSON editor, which can type any attribute of an item
EDIT_RAW_JSON = "edit_raw_json"
#: jobs over everything a query matches, full exports and imports: each on top of the
#: permissions of every item concerned (``dynadmin.Job``'s Meta permissions)
RUN_BULK_JOBS = "dynadmin.run_bulk_jobs"
EXPORT_ALL = "dynadmin.export_all"
IMPORT_ITEMS = "dynadmin.import_items"
BULK_PERMISSIONS = (RUN_BULK_JOBS, EXPORT_ALL, IMPORT_ITEMS)


def permission_codename(action: str, entity: type[Entity]) -> str:
    """``change_application_order``: the action, the table and the entity, lowercased."""
    meta = entity._meta
    return f"{action}_{meta.table.name}_{meta.name}".lower()


def permission_name(action: str, entity: type[Entity]) -> str:
    """``dynadmin.change_application_order``, for ``user.has_perm``."""
    return f"dynadmin.{permission_codename(action, entity)}"
