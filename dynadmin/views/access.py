"""Who may write what: checked before a request body is read, then per item.

``require_any`` runs first, from the address alone, so a person with no write permission on a
table learns nothing from what they send. ``require`` then checks the entity of the item
concerned; unclassified items have no entity permissions, so only superusers change them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import data
from ..codenames import EDIT_RAW_JSON
from ..definitions import Table
from ..editing.originals import TamperedOriginal, unsign_item
from ..services.items.page import read_item
from ..services.url_keys import BadKey, parse_item_key
from ..user_errors import UserInputError

if TYPE_CHECKING:
    from ..options import EntityAdmin
    from ..sites import AdminSite

__all__ = ["ItemNotFound", "allowed", "current_item", "may_edit_raw", "posted_original",
           "require", "require_any", "require_raw", "require_write_of", "require_writable"]

_CHECKS = {"change": "has_change_permission", "delete": "has_delete_permission",
           "add": "has_add_permission"}


class ItemNotFound(Http404):
    """No item at the key asked, or one this person may not see: the same answer for both."""

    title = gettext_lazy("No item with this key")


def require_writable(table: Table) -> None:
    """A read-only table or connection refuses every write path with one clear page (the
    data layer refuses it too, before anything is sent)."""
    data.ensure_writable(table)


def allowed(request: HttpRequest, admin: EntityAdmin | None, action: str,
            item: dict[str, Any] | None = None) -> bool:
    """May this person ``action`` items of ``admin``'s entity (None: unclassified items,
    superusers only), or this ``item`` of it (the admin's per-item hook decides)?"""
    if admin is None:
        return bool(request.user.is_superuser)
    if action == "add":
        return admin.has_add_permission(request)
    return bool(getattr(admin, _CHECKS[action])(request, item))


def require(request: HttpRequest, admin: EntityAdmin | None, action: str,
            item: dict[str, Any] | None = None) -> None:
    if admin is not None:
        require_writable(admin.opts.table)
    if allowed(request, admin, action, item):
        return
    if admin is None:
        raise PermissionDenied(_("Only superusers may change unclassified items."))
    raise PermissionDenied(_("You may not %(action)s %(things)s items.")
                           % {"action": action, "things": admin.opts.verbose_name})


def may_edit_raw(request: HttpRequest) -> bool:
    """The raw DynamoDB JSON editor types any attribute, so it is a permission of its own
    (superusers hold every permission)."""
    user = request.user
    return bool(user.is_active and user.is_staff and user.has_perm(f"dynadmin.{EDIT_RAW_JSON}"))


def require_raw(request: HttpRequest) -> None:
    if not may_edit_raw(request):
        raise PermissionDenied(_("You may not edit items as DynamoDB JSON."))


def require_write_of(site: AdminSite, request: HttpRequest, table: Table,
                     original: dict[str, Any], new_item: dict[str, Any]) -> None:
    """May this person turn ``original`` into ``new_item``? Judged on the item that would be
    written, not the form it came from: changing an item needs change on its entity; moving
    it to another key, or making it another entity, creates an item there (add on the
    entity it would be) and removes this one (delete on the entity it was)."""
    source = site.admin_of_item(table, original)
    target = site.admin_of_item(table, new_item)
    require(request, source, "change", original)
    if source is not target or table.key_of(original) != table.key_of(new_item):
        require(request, target, "add")
        require(request, source, "delete", original)


def require_any(site: AdminSite, request: HttpRequest, table: Table, action: str) -> None:
    """Before reading anything from the request: may this person {action} anything here?"""
    require_writable(table)
    if request.user.is_superuser:
        return
    if not any(getattr(site.get_entity_admin(e), _CHECKS[action])(request)
               for e in site.entities_of(table)):
        raise PermissionDenied(_("You may not %(action)s items of %(table)s.")
                               % {"action": action, "table": table.name})


def current_item(site: AdminSite, request: HttpRequest, table: Table, action: str
                 ) -> tuple[dict[str, Any], EntityAdmin | None]:
    """For a GET: the item as it is now (read consistently), its admin, and the person's
    right to ``action`` it (raises UserInputError, PermissionDenied or ItemNotFound)."""
    try:
        key = parse_item_key(table, request.GET)
    except BadKey as exc:
        raise UserInputError(str(exc), title=_("Not a key of this table")) from None
    by_key = site.get_entity_admin(table.classify(key))
    if by_key is not None:
        require(request, by_key, action)  # decided from the key alone, before reading
    item = read_item(table, key, consistent=True)
    admin = site.admin_of_item(table, item)
    # A forbidden item answers as a missing one does: the answer never tells it exists.
    if (item is None or not site.may_view_item(request, table, item)
            or not allowed(request, admin, action, item)):
        raise ItemNotFound(_("It may have been deleted or moved meanwhile."))
    return item, admin


def posted_original(site: AdminSite, request: HttpRequest, table: Table, action: str,
                    title: str) -> tuple[dict[str, Any], EntityAdmin | None]:
    """For a POST: the item as the person read it (signed in the form), and their right
    (raises UserInputError titled ``title`` or PermissionDenied)."""
    try:
        original = unsign_item(request.POST.get("original", ""))
    except TamperedOriginal as exc:
        raise UserInputError(str(exc), title=title) from None
    if original is None:
        raise UserInputError(_("The form is incomplete."), title=title)
    admin = site.admin_of_item(table, original)
    require(request, admin, action, original)
    return original, admin
