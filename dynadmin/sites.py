"""The admin site: a registry of entities that owns its URLs and views, like Django's
``AdminSite``.

A project mounts a site with ``path("dynamodb/", dynadmin.site.urls)``. Everything a page
needs beyond Django's sessions and auth comes from the site itself: its login view, the
per-request DynamoDB call log, the page context (``each_context``), one error handler and the
security headers. Several sites, each with its own registry, can be mounted side by side.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from functools import update_wrapper
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy

from .data.serialization import loads_dynamodb_json
from .definitions import Entity, Table
from .options import EntityAdmin, ItemWriter
from .relations import Relation
from .scopes import OPEN_FENCE, Reach, Scope, ScopeFence, is_scoped, reach_of

__all__ = ["AdminSite", "AlreadyRegistered", "NotRegistered", "autodiscover", "register", "site"]


class AlreadyRegistered(Exception):
    pass


class NotRegistered(Exception):
    pass


class AdminSite:
    """Entities registered for one admin, and the pages that present them.

    ``name`` is the URL instance namespace (``dynadmin`` by default); every URL name lives in
    the application namespace ``dynadmin`` (``{% url 'dynadmin:item' %}``), and the site sets
    ``request.current_app`` so each mounted site links to its own pages.
    """

    site_title = gettext_lazy("dynadmin")
    login_template = "dynadmin/login.html"

    def __init__(self, name: str = "dynadmin", *, scopes: Iterable[Scope] = ()) -> None:
        self.name = name
        self._registry: dict[type[Entity], EntityAdmin] = {}
        self._scopes: dict[str, Scope] = {}
        for scope in scopes:
            self.add_scope(scope)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    # -- the registry ---------------------------------------------------------------------
    def register(self, entity_or_iterable: type[Entity] | Iterable[type[Entity]],
                 admin_class: type[EntityAdmin] | None = None) -> None:
        entities = ([entity_or_iterable] if isinstance(entity_or_iterable, type)
                    else list(entity_or_iterable))
        for entity in entities:
            if not (isinstance(entity, type) and issubclass(entity, Entity)):
                raise TypeError(f"{entity!r} is not an Entity subclass")
            if entity in self._registry:
                raise AlreadyRegistered(f"{entity._meta.label} is already registered")
            self._registry[entity] = (admin_class or EntityAdmin)(entity, self)

    def unregister(self, entity: type[Entity]) -> None:
        if entity not in self._registry:
            raise NotRegistered(f"{entity._meta.label} is not registered")
        del self._registry[entity]

    def is_registered(self, entity: type[Entity]) -> bool:
        return entity in self._registry

    @property
    def admins(self) -> list[EntityAdmin]:
        return list(self._registry.values())

    def get_entity_admin(self, entity: type[Entity] | None) -> EntityAdmin | None:
        """The entity's admin; None for no entity (an unclassified item) or one not registered
        here, as ``get_table`` and ``get_entity`` answer None. Django's
        ``AdminSite.get_model_admin`` raises instead: pages ask about items of any entity,
        registered here or not, so here "not registered" is an answer, not an error."""
        return self._registry.get(entity) if entity is not None else None

    def admin_for(self, entity: type[Entity]) -> EntityAdmin:
        """Deprecated spelling of ``get_entity_admin`` that raises NotRegistered instead of
        answering None (kept, with a DeprecationWarning, for one release)."""
        warnings.warn("AdminSite.admin_for() is deprecated; use get_entity_admin(), which "
                      "returns None for an entity not registered.", DeprecationWarning,
                      stacklevel=2)
        admin = self.get_entity_admin(entity)
        if admin is None:
            raise NotRegistered(f"{entity._meta.label} is not registered")
        return admin

    def admin_of(self, entity: type[Entity] | None) -> EntityAdmin | None:
        """Deprecated spelling of ``get_entity_admin`` (kept, with a DeprecationWarning, for
        one release)."""
        warnings.warn("AdminSite.admin_of() is deprecated; use get_entity_admin().",
                      DeprecationWarning, stacklevel=2)
        return self.get_entity_admin(entity)

    def admin_of_item(self, table: Table, item: dict[str, Any] | None) -> EntityAdmin | None:
        """The admin of the entity an item belongs to; None for unclassified items."""
        return self.get_entity_admin(table.classify(item)) if item is not None else None

    def writer(self, request: HttpRequest, table: Table) -> ItemWriter:
        """What a view writes ``table``'s items with: each entity admin's write hooks."""
        return ItemWriter(request, table, lambda item: self.admin_of_item(table, item))

    @property
    def tables(self) -> dict[str, Table]:
        """Registered tables by logical name, in registration order."""
        tables: dict[str, Table] = {}
        for entity in self._registry:
            tables.setdefault(entity._meta.table.name, entity._meta.table)
        return tables

    def get_table(self, name: str) -> Table | None:
        return self.tables.get(name)

    def entities_of(self, table: Table) -> list[type[Entity]]:
        return [e for e in self._registry if e._meta.table is table]

    def get_entity(self, label: str) -> type[Entity] | None:
        """The entity registered as ``Table.Entity`` (or by its bare name when unique)."""
        matches = [e for e in self._registry
                   if label in (e._meta.label, e._meta.name)]
        return matches[0] if len(matches) == 1 else None

    # -- scopes ---------------------------------------------------------------------------
    def add_scope(self, scope: Scope) -> Scope:
        """Declare a scope for every entity of this site that has its field; people are
        limited by it once a ``ScopeAssignment`` of its name names them or their group."""
        if scope.name in self._scopes:
            raise AlreadyRegistered(f"a scope named {scope.name!r} is already declared")
        self._scopes[scope.name] = scope
        return scope

    @property
    def scopes(self) -> dict[str, Scope]:
        """The scopes declared on the site itself, by name."""
        return dict(self._scopes)

    def declared_scopes(self) -> list[tuple[Scope, EntityAdmin | None]]:
        """Every scope declared here: the site's (admin None), then each admin's."""
        declared: list[tuple[Scope, EntityAdmin | None]] = [
            (scope, None) for scope in self._scopes.values()]
        for admin in self._registry.values():
            declared.extend((scope, admin) for scope in admin.scopes)
        return declared

    def reach(self, request: Any, entity: type[Entity]) -> Reach | None:
        """What this person may reach of ``entity`` (None: all of it)."""
        if not is_scoped(request):
            return None
        admin = self._registry.get(entity)
        declared = {**self._scopes, **{s.name: s for s in (admin.scopes if admin else ())}}
        names = {scope.name for scope, _ in self.declared_scopes()}
        return reach_of(request, entity, declared, names)

    def is_scoped(self, request: Any) -> bool:
        """Is this person limited by a scope (lists may then leave items out)?"""
        return is_scoped(request)

    def fence(self, request: Any) -> ScopeFence:
        """The keys this person's requests may send (``data.fence``): for the serving
        pipeline, and anything that reads for a person outside it."""
        if not is_scoped(request):
            return OPEN_FENCE
        # The person's reach is worked out here, in the request's own thread: the reads it
        # fences may go out from others (History's Query beside the item's GetItem, related
        # sections in parallel), which must not ask the database themselves (another
        # connection, outside the request's transaction) nor call a scope's ``allowed``
        # there.
        for entity in self._registry:
            self.reach(request, entity)
        return ScopeFence(lambda entity: self.reach(request, entity))

    # -- permissions ----------------------------------------------------------------------
    def has_permission(self, request: HttpRequest) -> bool:
        """May this person use dynadmin at all (active staff, like Django's admin)?"""
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_active and user.is_staff)

    def has_table_permission(self, request: HttpRequest, table: Table) -> bool:
        """Seeing a table's raw or unclassified items needs view access to one of its entities."""
        return any(self._registry[e].has_view_permission(request)
                   for e in self.entities_of(table))

    def sees_every_entity(self, request: HttpRequest, table: Table) -> bool:
        """May this person view every entity of the table? Otherwise lists say, always
        and without a number, that some items may be left out."""
        return all(self._registry[e].has_view_permission(request)
                   for e in self.entities_of(table))

    def sees_every_item(self, request: HttpRequest, table: Table) -> bool:
        """``sees_every_entity``, and no admin of the table decides per item who may view it:
        otherwise lists say, always and without a number, that some items may be left out."""
        return self.sees_every_entity(request, table) and not is_scoped(request) and all(
            type(self._registry[e]).has_view_permission is EntityAdmin.has_view_permission
            for e in self.entities_of(table))

    def viewable_labels(self, request: HttpRequest) -> set[str] | None:
        """Labels of the entities whose items this person may view; None for everything
        (superusers, who alone see what concerns unclassified items)."""
        user = getattr(request, "user", None)
        if user is not None and user.is_active and user.is_superuser:
            return None
        return {a.opts.label for a in self._registry.values() if a.has_view_permission(request)}

    def viewable_relations(self, request: HttpRequest, admin: EntityAdmin
                           ) -> tuple[Relation, ...]:
        """``admin``'s relations to entities this person may view: a relation to one they may
        not view is neither a section of the item page nor a link from a value."""
        shown = []
        for relation in admin.get_relations(request):
            target = self.get_entity_admin(relation.entity)
            if target is not None and target.has_view_permission(request):
                shown.append(relation)
        return tuple(shown)

    def shows_call_details(self, request: HttpRequest) -> bool:
        """May the footer say what each call read (items, capacity)? Only to whoever sees
        every item: a page withholds the rows a person may not view, and "Query, 1 item" over
        an empty list would tell that one is there. So superusers, and only while no admin
        decides per item (``has_view_permission(request, item)`` overridden)."""
        if self.viewable_labels(request) is not None:
            return False
        return not self.decides_view_per_item()

    def decides_view_per_item(self, request: HttpRequest | None = None) -> bool:
        """Does an admin decide per item who may view it (``has_view_permission(request,
        item)`` overridden), or a scope limit this person (``request``)? Then lists are
        filtered item by item and tell no totals."""
        if request is not None and is_scoped(request):
            return True
        return any(type(admin).has_view_permission is not EntityAdmin.has_view_permission
                   for admin in self._registry.values())

    def may_view_item(self, request: HttpRequest, table: Table, item: dict[str, Any]) -> bool:
        """May this person see this item (its entity's view permission; an unclassified item
        with view access to one of the table's entities)?"""
        admin = self.admin_of_item(table, item)
        if admin is None:
            # A stored item no entity claims says nothing a scope could judge: hidden from
            # the people scopes limit. (An audit image of the attributes a write changed,
            # without its keys, is judged by the key it was written at.)
            stored = table.primary.pk in item
            return self.has_table_permission(request, table) and not (
                stored and is_scoped(request))
        return admin.has_view_permission(request, item)

    def may_view_change(self, request: HttpRequest, table: Table, keys: dict[str, Any],
                        images: Iterable[dict[str, Any] | None]) -> bool:
        """May this person see a change to the item at ``keys`` that shows ``images`` (a
        stream record's old and new item, an audit entry's before and after)? Judged as the
        item page judges the item, on the entity its key names and then on every image: a
        change that turned an Order into a User shows the Order's values too."""
        by_key = self.get_entity_admin(table.classify(keys))
        if by_key is not None and not by_key.has_view_permission(request):
            return False
        if not self.fence(request).allows_key(table, keys):
            return False
        return all(self.may_view_item(request, table, image) for image in images
                   if image is not None)

    def may_view_entry(self, request: HttpRequest, entry: Any) -> bool:
        """May this person see an audit entry (already limited to the entities they may
        view, ``AuditEntry.visible_to``)? Judged per item as ``may_view_change`` judges a
        change: what a write tried and changed is as telling as the item."""
        table = self.get_table(entry.table)
        if table is None:
            return True
        try:
            keys = loads_dynamodb_json(entry.key)
            images = [loads_dynamodb_json(text) for text in (entry.before, entry.after)
                      if text]
        except (ValueError, TypeError, KeyError):
            # An entry this code cannot read is shown as before: to the entities' viewers.
            return True
        return self.may_view_change(request, table, keys, images)

    # -- URLs and views -------------------------------------------------------------------
    @property
    def urls(self) -> tuple[list[URLPattern], str, str]:
        """For ``path("dynamodb/", site.urls)``: the patterns, the app and instance namespaces."""
        return self.get_urls(), "dynadmin", self.name

    def get_urls(self) -> list[URLPattern]:
        # Imported here, as Django's AdminSite does: views import models, which need the app
        # registry, while a site is created when the package is first imported.
        from .views import (
            actions,
            activity,
            browse,
            changes,
            delete,
            downloads,
            edit,
            health,
            history,
            jobs,
            lookup,
            pages,
            tokens,
            ttl,
            undo,
        )

        wrap = self.admin_view
        return [
            path("", wrap(pages.dashboard), name="dashboard"),
            path("login/", self.admin_view(self.login, public=True), name="login"),
            path("logout/", self.admin_view(self.logout, public=True), name="logout"),
            path("lookup/", wrap(lookup.lookup), name="lookup"),
            path("e/<str:entity>/", wrap(lookup.entity_home), name="entity"),
            path("e/<str:entity>/add/", wrap(edit.create), name="add"),
            path("e/<str:entity>/lookup/<str:name>/", wrap(lookup.entity_lookup),
                 name="entity_lookup"),
            path("e/<str:entity>/listing/<str:name>/", wrap(lookup.listing), name="listing"),
            path("recent/", wrap(history.recent_actions), name="recent_actions"),
            path("profile/tokens/", wrap(tokens.token_page), name="tokens"),
            path("e/<str:entity>/jobs/new/", wrap(jobs.new_job), name="new_job"),
            path("e/<str:entity>/jobs/export/", wrap(jobs.new_export), name="new_export"),
            path("e/<str:entity>/jobs/import/", wrap(jobs.new_import), name="new_import"),
            path("jobs/", wrap(jobs.job_list), name="jobs"),
            path("jobs/<int:job_id>/", wrap(jobs.job_page), name="job"),
            path("jobs/<int:job_id>/progress/", wrap(jobs.job_page), name="job_progress"),
            path("jobs/<int:job_id>/items.csv", wrap(jobs.job_items_csv), name="job_items"),
            path("jobs/<int:job_id>/<str:operation>/", wrap(jobs.job_action),
                 name="job_action"),
            path("t/<str:table>/q/", wrap(browse.partition), name="partition"),
            path("t/<str:table>/item/", wrap(pages.item), name="item"),
            path("t/<str:table>/item/changes/", wrap(changes.item_changes_page),
                 name="item_changes"),
            path("t/<str:table>/item/changes.json", wrap(changes.item_changes_json),
                 name="item_changes_json"),
            path("t/<str:table>/item/edit/", wrap(edit.edit), name="edit"),
            path("t/<str:table>/item/delete/", wrap(delete.delete), name="delete"),
            path("t/<str:table>/item/resolve/", wrap(edit.resolve), name="resolve"),
            path("t/<str:table>/item/ttl/", wrap(ttl.set_ttl), name="set_ttl"),
            path("t/<str:table>/actions/", wrap(actions.run_action), name="action"),
            path("t/<str:table>/undo/<int:entry_id>/", wrap(undo.undo_entry), name="undo"),
            path("t/<str:table>/ttl/", wrap(ttl.ttl_page), name="ttl"),
            path("t/<str:table>/activity/", wrap(activity.activity_view), name="activity"),
            path("t/<str:table>/health/", wrap(health.health_page), name="health"),
            path("t/<str:table>/health.json", wrap(health.health_json), name="health_json"),
            path("exports/<str:token>/", wrap(downloads.download_export), name="export_download"),
        ]

    def admin_view(self, view: Callable[..., HttpResponse], *, public: bool = False
                   ) -> Callable[..., HttpResponse]:
        """Wrap a view ``view(request, site, **kwargs)`` as a page of this site.

        Anonymous people are sent to this site's login page and non-staff refused (unless
        ``public``); the request's DynamoDB calls are recorded for the footer; a ``DataError``,
        ``PermissionDenied`` or ``Http404`` becomes this site's own error page; responses are
        never cached and carry the site's security headers; POSTs are CSRF-checked.
        """
        from django.views.decorators.csrf import csrf_exempt, csrf_protect

        from .views.headers import protect
        from .views.serving import refuse_oversized, serve
        from .views.tokens import serve_with_token

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return serve(self, request, view, args, kwargs, public=public)

        protected = csrf_protect(inner)

        # An oversized body is refused before anything reads it. The host's CSRF middleware
        # would read it first (it looks for the token in the POST data), so it is told to
        # skip these views: csrf_protect runs the same check inside, after the size check.
        # A refused CSRF check answers from Django's failure view, outside ``serve``: it
        # carries the same headers as every other answer here.
        # A request with a bearer token carries no cookie a browser could send on someone's
        # behalf: it is answered without the CSRF check, as the token's person.
        def outer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return protect(refuse_oversized(self, request)
                           or serve_with_token(request, view,
                                               lambda request: inner(request, *args, **kwargs),
                                               public=public)
                           or protected(request, *args, **kwargs))

        return update_wrapper(csrf_exempt(outer), view)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        """What every page of the site shows, whatever the host's context processors are."""
        from django.contrib.messages import get_messages

        query = request.GET.get("q", "") if request.resolver_match and (
            request.resolver_match.url_name == "lookup") else ""
        return {
            "site": self,
            "site_title": self.site_title,
            "user": getattr(request, "user", None),
            "messages": get_messages(request),
            "request": request,
            "dynamodb_calls": getattr(request, "dynamodb_calls", []),
            "dynamodb_call_details": self.shows_call_details(request),
            "lookup_query": query,
        }

    def template_names(self, name: str, table: Table | None = None,
                       entity: type[Entity] | None = None) -> list[str]:
        """Templates to try for a page, most specific first, like Django's admin:
        ``dynadmin/<table>/<entity>/item.html``, ``dynadmin/<table>/item.html``,
        ``dynadmin/item.html`` (table and entity names lowercased)."""
        names = [f"dynadmin/{name}"]
        if table is not None:
            names.insert(0, f"dynadmin/{table.name.lower()}/{name}")
            if entity is not None:
                names.insert(0, f"dynadmin/{table.name.lower()}/"
                                f"{entity._meta.name.lower()}/{name}")
        return names

    def login(self, request: HttpRequest, site: AdminSite) -> HttpResponse:
        """Django's login form (throttled), on the site's own template and address; or, when
        the host signs people in elsewhere (``DYNADMIN_LOGIN_URL``, the host's ``LOGIN_URL``),
        a redirect there and back."""
        from .views import login

        return login.login(request, self)

    def logout(self, request: HttpRequest, site: AdminSite) -> HttpResponse:
        """Django's logout, or the host's own (``DYNADMIN_LOGOUT_URL``)."""
        from .views import login

        return login.logout(request, self)


site = AdminSite()
default_site = site


def register(*entities: type[Entity], site: AdminSite | None = None
             ) -> Callable[[type[EntityAdmin]], type[EntityAdmin]]:
    """Register entities with an EntityAdmin class, as a decorator::

        @dynadmin.register(Order)
        class OrderAdmin(EntityAdmin): ...

    Several entities may share one admin class (``@dynadmin.register(Order, Invoice)``).
    ``site`` picks another :class:`AdminSite` than the default ``dynadmin.site``; registering
    an entity twice on one site raises ``AlreadyRegistered``.
    """

    def wrapper(admin_class: type[EntityAdmin]) -> type[EntityAdmin]:
        if not entities:
            raise ValueError("register() needs at least one entity")
        if not issubclass(admin_class, EntityAdmin):
            raise ValueError("the decorated class must subclass EntityAdmin")
        (site or default_site).register(entities, admin_class)
        return admin_class

    return wrapper


def autodiscover() -> Any:
    """Import ``dynadmin.py`` from every installed app, where definitions register themselves."""
    return autodiscover_modules("dynadmin", register_to=site)
