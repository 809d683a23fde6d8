"""Permission codenames: one per action and entity, like Django's ``change_order``.

A codename holds no ``.``: Django's auth backends split ``app_label.codename`` on it
(``ModelBackend.with_perm("dynadmin.change_application_order")`` must work).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .definitions import Entity

__all__ = ["ACTIONS", "EDIT_RAW_JSON", "EXTEND_TTL", "permission_codename", "permission_name"]

ACTIONS = ("view", "add", "change", "delete")
#: beyond viewing, Support may extend an item's TTL
EXTEND_TTL = "extend_ttl"
#: the raw DynamoDB JSON editor, which can type any attribute of an item
EDIT_RAW_JSON = "edit_raw_json"


def permission_codename(action: str, entity: type[Entity]) -> str:
    """``change_application_order``: the action, the table and the entity, lowercased."""
    meta = entity._meta
    return f"{action}_{meta.table.name}_{meta.name}".lower()


def permission_name(action: str, entity: type[Entity]) -> str:
    """``dynadmin.change_application_order``, for ``user.has_perm``."""
    return f"dynadmin.{permission_codename(action, entity)}"
