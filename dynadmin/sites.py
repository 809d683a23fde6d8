"""The registry of entities shown in the admin, like ``django.contrib.admin.sites``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import autodiscover_modules

from .definitions import Entity, Table
from .options import EntityAdmin

__all__ = ["AdminSite", "AlreadyRegistered", "NotRegistered", "autodiscover", "register", "site"]


class AlreadyRegistered(Exception):
    pass


class NotRegistered(Exception):
    pass


class AdminSite:
    def __init__(self, name: str = "dynadmin") -> None:
        self.name = name
        self._registry: dict[type[Entity], EntityAdmin] = {}

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

    # -- what is registered ---------------------------------------------------------------
    @property
    def admins(self) -> list[EntityAdmin]:
        return list(self._registry.values())

    def admin_for(self, entity: type[Entity]) -> EntityAdmin:
        try:
            return self._registry[entity]
        except KeyError:
            raise NotRegistered(f"{entity._meta.label} is not registered") from None

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

    # -- permissions ----------------------------------------------------------------------
    def has_permission(self, request: HttpRequest) -> bool:
        """May this person use dynadmin at all (active staff, like Django's admin)?"""
        return bool(request.user.is_active and request.user.is_staff)

    def has_table_permission(self, request: HttpRequest, table: Table) -> bool:
        """Seeing a table's raw or unclassified items needs view access to one of its entities."""
        return any(self._registry[e].has_view_permission(request)
                   for e in self.entities_of(table))


site = AdminSite()
default_site = site


def register(*entities: type[Entity], site: AdminSite | None = None
             ) -> Callable[[type[EntityAdmin]], type[EntityAdmin]]:
    """Register entities with an EntityAdmin class, as a decorator::

        @dynadmin.register(Order)
        class OrderAdmin(EntityAdmin): ...
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
