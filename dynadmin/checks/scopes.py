"""Checks of the declared scopes: one whose field no key holds cannot be enforced before a
request (E019); an index whose partition key does not carry a scoped field serves a scoped
person only by reading rows and dropping those outside the scope (W004, with the cost)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.checks import Error, Warning

from ..scopes import entity_holds

if TYPE_CHECKING:
    from ..sites import AdminSite


def check_scopes(site: AdminSite) -> list:
    errors: list = []
    warned: set[tuple[str, str, str]] = set()
    for scope, admin in site.declared_scopes():
        entities = [admin.entity] if admin is not None else [a.entity for a in site.admins]
        where = (f"{type(admin).__name__}.scopes" if admin is not None
                 else f"the site {site.name!r}")
        holding = [e for e in entities if any(scope.field in key.variables
                                              for key in e._meta.keys.values())]
        if not holding:
            errors.append(Error(
                f"Scope {scope.name!r} of {where} limits field {scope.field!r}, which no key "
                "template holds: it could never be checked before a request.",
                hint="Name a placeholder of a key template (org of ORG#{org}), or remove "
                     "the scope.", obj=type(admin) if admin else site, id="dynadmin.E019"))
            continue
        for entity in entities:
            if not entity_holds(entity, scope.field):
                continue
            for name, key in entity._meta.keys.items():
                if scope.field in key.pk.variables:
                    continue
                seen = (scope.field, entity._meta.label, name)
                if seen in warned:
                    continue
                warned.add(seen)
                errors.append(Warning(
                    f"{entity._meta.label}.{name} ({key.index.label}) does not carry "
                    f"{scope.field!r} in its partition key: a person limited by scope "
                    f"{scope.name!r} is served through it only by reading its rows and "
                    "dropping those outside the scope.",
                    hint="Each page then costs the reads of every tenant's rows and may "
                         "show fewer than it read (or none); put the field in the index's "
                         "partition key to have the scope checked before the request.",
                    obj=entity, id="dynadmin.W004"))
    return errors
