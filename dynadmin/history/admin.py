"""The archive registered like any other table: its changes, checkpoints, gaps and the
consumer's status are browsable, and never edited (the consumer alone writes them).

A project registers it with ``register_archive(site)`` (the default site when none is
given), in its ``dynadmin.py``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ..options import EntityAdmin
from .archive import Change, Checkpoint, Gap, Status, archive_is_on

__all__ = ["ArchiveAdmin", "register_archive"]


class ArchiveAdmin(EntityAdmin):
    """Read-only: a change archived is a fact, and a checkpoint or status written by hand
    would make the consumer skip or repeat changes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, item: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, item: Any = None) -> bool:
        return False


class ChangeAdmin(ArchiveAdmin):
    list_display = ("changed_at", "event", "item_key", "principal")


def register_archive(site: Any = None) -> None:
    """Register the archive's entities with ``site`` (dynadmin's default site); nothing when
    the archive is turned off."""
    if not archive_is_on():
        return
    if site is None:
        from ..sites import site as default_site

        site = default_site
    site.register(Change, ChangeAdmin)
    for entity in (Status, Checkpoint, Gap):
        site.register(entity, ArchiveAdmin)
