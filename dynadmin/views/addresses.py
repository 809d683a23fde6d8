"""What an address names, within a site: a table, an entity's admin, an item's key.

Each is found in the site's own registry (never a global one) or becomes the site's 404, and
permission to view is decided here, from the name alone, before anything is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from ..definitions import Table

if TYPE_CHECKING:
    from ..options import EntityAdmin
    from ..sites import AdminSite

__all__ = ["admin_or_404", "table_or_404", "viewable_table_or_404"]


def table_or_404(site: AdminSite, name: str) -> Table:
    table = site.get_table(name)
    if table is None:
        raise Http404(_("No registered table is called %(name)r.") % {"name": name})
    return table


def viewable_table_or_404(site: AdminSite, request: HttpRequest, name: str) -> Table:
    """A table whose items this person may see (view access to one of its entities)."""
    table = table_or_404(site, name)
    if not site.has_table_permission(request, table):
        raise PermissionDenied(_("You may not view items of this table."))
    return table


def admin_or_404(site: AdminSite, request: HttpRequest, entity: str) -> EntityAdmin:
    """The admin of an entity named in the address, if this person may view its items."""
    definition = site.get_entity(entity)
    if definition is None:
        raise Http404(_("No registered entity is called %(name)r.") % {"name": entity})
    admin = site.get_entity_admin(definition)
    if not admin.has_view_permission(request):
        raise PermissionDenied(_("You may not view %(things)s items.")
                               % {"things": admin.opts.verbose_name})
    return admin
