"""EntityAdmin: how one entity is presented and who may do what with it.

Like Django's ModelAdmin, options are declarative class attributes, and each has a ``get_*``
method a subclass can override per request. Behaviour that talks to DynamoDB lives in the data
layer, not here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import data
from .access_patterns import Listing, Lookup
from .codenames import permission_name
from .definitions import Entity, Table
from .definitions.fields import Field
from .editing import writes
from .editing.forms import EntityForm
from .relations import Relation
from .scopes import Scope, is_scoped
from .services.display.names import entity_label

if TYPE_CHECKING:
    from .sites import AdminSite

__all__ = ["action", "EntityAdmin", "ItemWriter", "Listing", "Lookup"]

def action(*, description: str, permission: str = "change"
           ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark an EntityAdmin method as an action on selected rows, like Django admin actions.

    The method receives ``(request, values)`` (one item's typed values) and returns the
    values to change (``{"status": "SHIPPED"}``), or None to leave the item alone. Each item
    is then written with the same guard as an edit.

    ``permission`` names who may run it, as in Django: the action is offered only when the
    EntityAdmin's ``has_<permission>_permission(request)`` is true ("change", "delete", or
    a method of your own such as ``has_publish_permission``; check dynadmin.E016 reports a
    permission without its method).
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func.description = description  # type: ignore[attr-defined]
        func.permission = permission  # type: ignore[attr-defined]
        return func

    return decorate


def _within_scope(method: Callable[..., bool]) -> Callable[..., bool]:
    """``has_*_permission(request, item)`` refusing an item outside the person's scopes
    before the hook is asked: a host's override, with or without ``super()``, cannot let one
    through."""
    if getattr(method, "within_scope", False):
        return method

    @functools.wraps(method)
    def checked(self: EntityAdmin, request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
        item = args[0] if args else kwargs.get("item", kwargs.get("obj"))
        if item is not None and not self.scope_allows(request, item):
            return False
        return method(self, request, *args, **kwargs)

    checked.within_scope = True  # type: ignore[attr-defined]
    return checked


_ITEM_HOOKS = ("has_view_permission", "has_change_permission", "has_delete_permission")


def action_permission_method(method: Callable[..., Any]) -> str:
    """The name of the EntityAdmin method that says who may run an @action method."""
    return f"has_{getattr(method, 'permission', 'change')}_permission"


class EntityAdmin:
    """How one entity is presented and written, like Django's ``ModelAdmin``.

    Subclass it and register the subclass with :func:`dynadmin.register`::

        @dynadmin.register(Order)
        class OrderAdmin(EntityAdmin):
            list_display = ("order_id", "placed_on", "status", "total")
            lookups = (Lookup("by_id", label="Order by ID"),)
            listings = (Listing("by_status", label="Orders by status"),)
            relations = (Relation("Customer", User, field="user_id"),)

    The class attributes below declare what the pages show; the ``get_*`` methods return
    them per request and may be overridden. Every write goes through :meth:`save_item` and
    :meth:`delete_item`, and every page asks the ``has_*_permission`` methods, per item where
    one is concerned, so an override holds on every path (lists, lookups, relations,
    exports, history, activity, actions, undo).
    """

    #: fields shown as columns when items of this entity are listed
    list_display: tuple[str, ...] = ()
    #: fields shown but never editable
    readonly_fields: tuple[str, ...] = ()
    #: default page size for this entity's lists
    list_per_page: int = 50
    #: access patterns offered as lookups: Key attribute names or Lookup objects
    lookups: tuple[str | Lookup, ...] = ()
    #: paged lists through an index whose partition key groups the items (orders by status)
    listings: tuple[Listing, ...] = ()

    #: names of @action methods offered on the selected rows of a list
    actions: tuple[str, ...] = ()
    #: related items reached through the design's keys (see dynadmin.relations)
    relations: tuple[Relation, ...] = ()
    #: the form class edits and creates start from (see get_form)
    form: type[EntityForm] = EntityForm
    #: items a library keeps for itself in the table (OneTable's stored schema, see
    #: dynadmin.definitions.internal): shown by name where they appear, never written, and
    #: left off the dashboard's list of entities
    internal: bool = False
    #: scopes declared for this entity alone (see dynadmin.scopes), beside the site's: a
    #: person assigned one reaches only the items whose field holds its values
    scopes: tuple[Scope, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _ITEM_HOOKS:
            if name in cls.__dict__:
                setattr(cls, name, _within_scope(cls.__dict__[name]))

    def __init__(self, entity: type[Entity], site: AdminSite) -> None:
        self.entity = entity
        self.site = site
        self.opts = entity._meta

    def __repr__(self) -> str:
        return f"<{type(self).__name__} for {self.opts.label}>"

    # -- presentation ---------------------------------------------------------------------
    def get_list_display(self, request: HttpRequest | None = None) -> tuple[str, ...]:
        """The columns of this entity's lists: ``list_display``, else its first six fields."""
        return self.list_display or tuple(list(self.opts.fields)[:6])

    def item_label(self, values: dict[str, Any]) -> str:
        """What one item is called on every page (its heading, links, breadcrumb, history),
        like a model's ``__str__``. ``values`` are its typed field values. By default the
        entity's ``label`` template, else the first text columns of ``list_display``."""
        return entity_label(self.entity, values, self.get_list_display())

    def get_readonly_fields(self, request: HttpRequest | None = None, item: Any = None
                            ) -> tuple[str, ...]:
        """Fields the edit form of ``item`` shows but never writes: ``readonly_fields``."""
        return self.readonly_fields

    def get_fields(self, request: HttpRequest | None = None) -> dict[str, Field]:
        """The fields the create and edit forms offer, by name: every field of the entity."""
        return dict(self.opts.fields)

    def get_form(self, request: HttpRequest | None = None, item: Any = None
                 ) -> type[EntityForm]:
        """The form class for creating (``item`` None) or editing ``item``: ``form`` bound to
        this entity, ``get_fields()`` and ``get_readonly_fields()``."""
        readonly = self.get_readonly_fields(request, item) if item is not None else ()
        return type(f"{self.opts.name}Form", (self.form,), {
            "entity": self.entity, "entity_fields": self.get_fields(request),
            "readonly": tuple(readonly)})

    def get_lookups(self, request: HttpRequest | None = None) -> list[Lookup]:
        """``lookups`` as :class:`Lookup` objects, completed: a bare key name becomes a lookup
        of that key, the fields default to the key's partition key placeholders (and, for a
        ``prefix=True`` lookup, its sort key's leading one), the label to "Order by
        order_id"."""
        lookups = []
        for entry in self.lookups:
            lookup = entry if isinstance(entry, Lookup) else Lookup(key=entry)
            key = self.opts.keys.get(lookup.key)
            fields = lookup.fields or (key.pk.variables if key else ())
            if (lookup.prefix and not lookup.fields and key is not None and key.sk is not None
                    and (leading := key.sk.leading_variable) is not None
                    and leading not in fields):
                # By default a prefix lookup types the beginning of the sort key's field.
                fields = (*fields, leading)
            label = lookup.label or f"{self.opts.verbose_name} by {', '.join(fields)}"
            lookups.append(replace(lookup, label=label, fields=tuple(fields)))
        return lookups

    def get_listings(self, request: HttpRequest | None = None) -> list[Listing]:
        """``listings``, each with a label ("Order by status" unless it names one). The first
        is the entity's list page."""
        listings = []
        for listing in self.listings:
            key = self.opts.keys.get(listing.key)
            fields = key.pk.variables if key else ()
            label = listing.label or (
                f"{self.opts.verbose_name} by {', '.join(fields)}" if fields
                else f"All {self.opts.verbose_name}")
            listings.append(Listing(key=listing.key, label=label,
                                    descending=listing.descending))
        return listings

    def get_relations(self, request: HttpRequest | None = None) -> tuple[Relation, ...]:
        """``relations``, each with its placeholders spelled out (a relation that names none
        fills the target key's placeholders from this entity's fields of the same names);
        an override returns relations completed so, e.g. by extending ``super()``'s."""
        return tuple(r.bound_to(self.entity) for r in self.relations)

    def get_actions(self, request: HttpRequest) -> dict[str, Callable[..., Any]]:
        """The actions this person may run: name -> bound method (with ``description``), like
        ``ModelAdmin.get_actions``. Every list's action menu and the run itself ask it, so an
        override may add @action methods not in ``actions`` or take some away per request."""
        available = {}
        for name in self.actions:
            method = getattr(self, name)
            check = getattr(self, action_permission_method(method))
            if check(request):
                available[name] = method
        return available

    # -- writes ---------------------------------------------------------------------------
    def save_item(self, request: HttpRequest, item: dict[str, Any], *,
                  original: dict[str, Any] | None, action: str | None = None,
                  version_from: dict[str, Any] | None = None) -> writes.WriteResult:
        """Write ``item``, like ``ModelAdmin.save_model``: every create, edit, key move, TTL
        change, action, conflict resolution and undo of this entity's items comes here.

        ``original`` is the item as the person read it, which guards the write (None: a
        create, which never overwrites); ``action`` is what the audit log calls the write
        ("ttl", "action", "undo"...; by default "create" or "update"); ``version_from`` is
        the item a create succeeds (an undone delete), whose version it raises.

        Override it to adjust ``item`` before calling ``super()``, to add a side effect
        after it (the returned ``WriteResult`` says what was written), or to refuse by
        raising ``PermissionDenied`` or ``UserInputError`` before it: nothing is written.
        """
        action = action or ("create" if original is None else "update")
        if original is None:
            return writes.create(self.opts.table, item, user=request.user,
                                 entity_label=self.opts.label, action=action,
                                 version_from=version_from)
        return writes.save(self.opts.table, original, item, user=request.user,
                           entity_label=self.opts.label, action=action)

    def delete_item(self, request: HttpRequest, item: dict[str, Any], *,
                    action: str = "delete") -> writes.WriteResult:
        """Delete ``item`` (as the person read it: the delete is guarded by it), like
        ``ModelAdmin.delete_model``; deletes and undone creates come here. Overridden as
        ``save_item`` is."""
        return writes.delete(self.opts.table, item, user=request.user,
                             entity_label=self.opts.label, action=action)

    # -- permissions ----------------------------------------------------------------------
    def _has(self, request: HttpRequest, action: str) -> bool:
        """The person's Django permission for ``action`` on this entity: asked of Django
        once per user object (a page asks it for each row), as Django keeps their
        permissions on it."""
        user = request.user
        known: dict[tuple[Any, str], bool] | None = getattr(user, "_dynadmin_has", None)
        if known is None:
            known = {}
            setattr(user, "_dynadmin_has", known)  # noqa: B010 - on any kind of user
        key = (self.entity, action)
        found = known.get(key)
        if found is None:
            found = known[key] = bool(user.is_active and user.is_staff and user.has_perm(
                permission_name(action, self.entity)))
        return found

    def scope_allows(self, request: HttpRequest, item: dict[str, Any]) -> bool:
        """Is ``item`` inside the person's scopes (always, for a person no scope limits)?
        Every ``has_*_permission(request, item)`` asks it first, overridden or not."""
        reach = self.site.reach(request, self.entity)
        return reach is None or reach.allows_item(self.entity, item)

    @_within_scope
    def has_view_permission(self, request: HttpRequest, item: Any = None) -> bool:
        """May this person see this entity's items (``item`` None), or this one item?

        By default the Django permission ``dynadmin.view_<table>_<entity>`` (or change),
        for active staff. Override it to decide per item (``item`` is the stored item): an
        item it refuses answers as a missing one everywhere, and lists leave it out. An item
        outside the person's scopes (``dynadmin.scopes``) is refused before it is asked,
        whether or not an override calls ``super()``.
        """
        return self._has(request, "view") or self._has(request, "change")

    def has_add_permission(self, request: HttpRequest) -> bool:
        """May this person create items of this entity (``dynadmin.add_<table>_<entity>``)?
        Never on a read-only table or for ``internal`` items."""
        return self._may_write() and self._has(request, "add")

    @_within_scope
    def has_change_permission(self, request: HttpRequest, item: Any = None) -> bool:
        """May this person change this entity's items, or this one (``item``)? By default
        ``dynadmin.change_<table>_<entity>``, never on a read-only table. Actions ask it
        unless they name another permission."""
        return self._may_write() and self._has(request, "change")

    @_within_scope
    def has_delete_permission(self, request: HttpRequest, item: Any = None) -> bool:
        """May this person delete this entity's items, or this one (``item``)? By default
        ``dynadmin.delete_<table>_<entity>``, never on a read-only table."""
        return self._may_write() and self._has(request, "delete")

    def _may_write(self) -> bool:
        """No write is offered on a read-only table or connection (the data layer refuses
        them anyway), nor on a library's internal items."""
        return not self.internal and not data.is_read_only(self.opts.table)


class ItemWriter:
    """The writes one request makes on one table, through the hooks of the admin of each
    item written: a view never calls ``editing.writes`` itself. An item no registered entity
    claims (raw, unclassified) has no admin and is written as is."""

    def __init__(self, request: HttpRequest, table: Table,
                 admin_of: Callable[[dict[str, Any]], EntityAdmin | None]) -> None:
        self.request = request
        self.table = table
        self.admin_of = admin_of

    def save(self, item: dict[str, Any], *, original: dict[str, Any] | None,
             action: str | None = None, version_from: dict[str, Any] | None = None
             ) -> writes.WriteResult:
        """Create (``original`` None) or save ``item``, through the hook of the entity it
        will be (a raw edit can make it another one), as its audit entry is labelled."""
        admin = self.admin_of(item)
        self._ensure_inside(admin, item)
        if admin is not None:
            return admin.save_item(self.request, item, original=original, action=action,
                                   version_from=version_from)
        user = self.request.user
        if original is None:
            return writes.create(self.table, item, user=user, action=action or "create",
                                 version_from=version_from)
        return writes.save(self.table, original, item, user=user, action=action or "update")

    def delete(self, item: dict[str, Any], *, action: str = "delete") -> writes.WriteResult:
        admin = self.admin_of(item)
        self._ensure_inside(admin, item)
        if admin is not None:
            return admin.delete_item(self.request, item, action=action)
        return writes.delete(self.table, item, user=self.request.user, action=action)

    def _ensure_inside(self, admin: EntityAdmin | None, item: dict[str, Any]) -> None:
        """A scoped person writes only items inside their scopes (an item no entity claims:
        never), whatever the admin's hooks say; refused in the same words whether or not
        anything is stored there."""
        if admin is not None:
            inside = admin.scope_allows(self.request, item)
        else:
            inside = not is_scoped(self.request)
        if not inside:
            raise PermissionDenied(_OUTSIDE)


_OUTSIDE = ("This item is outside the part of the table you may reach. Nothing was written.")
