"""Per-entity permissions and the two standard groups, Support and Admin."""

from __future__ import annotations

from typing import Any

from .codenames import ACTIONS, BULK_PERMISSIONS, EDIT_RAW_JSON, EXTEND_TTL, permission_codename
from .sites import AdminSite, site

__all__ = ["SUPPORT_GROUP", "ADMIN_GROUP", "EXTEND_TTL", "ensure_groups", "sync_permissions"]

SUPPORT_GROUP = "Support"
ADMIN_GROUP = "Admin"


def sync_permissions(sender: Any = None, *, admin_site: AdminSite = site, using: str = "default",
                     **kwargs: Any) -> list[Any]:
    """Create the permissions of every registered entity (run after each migrate)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from .models import EntityPermissionAnchor

    content_type = ContentType.objects.db_manager(using).get_for_model(
        EntityPermissionAnchor, for_concrete_model=False)
    wanted = {(EXTEND_TTL, "Can extend an item's TTL (later, up to a cap)"),
              (EDIT_RAW_JSON, "Can edit items as raw DynamoDB JSON")}
    for admin in admin_site.admins:
        for action in ACTIONS:
            wanted.add((permission_codename(action, admin.entity),
                        f"Can {action} {admin.opts.label}"))
    permissions = []
    for codename, name in sorted(wanted):
        permission, _ = Permission.objects.db_manager(using).get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name[:255]})
        permissions.append(permission)
    return permissions


def ensure_groups(admin_site: AdminSite = site) -> None:
    """Support: view everything and extend TTLs. Admin: everything but the raw DynamoDB JSON
    editor, which only superusers hold unless it is granted to someone, and the bulk jobs
    (every item a query matches, full exports, imports)."""
    from django.contrib.auth.models import Group, Permission

    permissions = sync_permissions(admin_site=admin_site)
    support, _ = Group.objects.get_or_create(name=SUPPORT_GROUP)
    support.permissions.set(p for p in permissions
                            if p.codename.startswith("view_") or p.codename == EXTEND_TTL)
    admins, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    bulk = Permission.objects.filter(content_type__app_label="dynadmin", codename__in=[
        name.split(".", 1)[1] for name in BULK_PERMISSIONS])
    admins.permissions.set([*(p for p in permissions if p.codename != EDIT_RAW_JSON), *bulk])
