"""System checks for entity definitions, with stable IDs a developer can look up.

A broken definition is reported by ``manage.py check`` (and at every start-up) as
``dynadmin.E00x``, never as a stack trace from deep inside a page.

| ID   | what is wrong |
|------|---------------|
| E001 | a key template names a field the entity does not declare |
| E002 | a key is on an index the table does not declare |
| E003 | an entity has no key on the table itself, or more than one |
| E004 | two entities the classifier cannot tell apart |
| E005 | a TTL field on a table without a ``ttl_attribute`` (or on another attribute) |
| E006 | a lookup that does not fully determine a partition key, or names no key |
| E007 | a key template that cannot fit its key attribute (field type, N/B shape, sort key) |
| E008 | ``list_display`` or ``readonly_fields`` names an unknown field |
| E009 | a listing on an unknown key, or whose partition key has no Choice to switch by |
| E010 | a lookup's ``accepts`` pattern is not a valid regular expression |
| E011 | a relation to an unregistered entity or unknown key, or that cannot fill the
         target's partition key (it would need a scan) |
| E012 | ``actions`` names something that is not an ``@action`` method |
| E013 | an entity's ``label`` template names a field it does not declare, or does not parse |
| E014 | a ``key_only=True`` field that no key template of its entity holds (it would be stored
         nowhere) |
| E015 | a ``Lookup(prefix=True)`` whose key cannot match the beginning of its field with
         ``begins_with`` on a String sort key (it would need a scan) |
| E016 | an ``@action(permission=...)`` whose EntityAdmin has no ``has_<permission>_permission``
         method to ask |
| E017 | an entity declares more than one ``fields.WriteMarker`` |
| E018 | a ``fields.WriteMarker`` stored in an attribute the item uses for something else (a
         key, the type or TTL attribute, another field) |
| E019 | a scope (site or entity admin) limits a field that no key template holds |
| W001 | two entities' keys overlap; only the type attribute tells them apart |
| W002 | a DateTime placeholder without a format: it reads keys (zone-less, ``Z``, fractions)
         it would spell differently, so it cannot reproduce keys another writer stored |
| W003 | a ``fields.WriteMarker`` beside a ``fields.Version``: the version already tells
         dynadmin's writes apart, the marker is never read |
| W004 | a key (table or index) of an entity a scope limits whose partition key does not
         carry the scoped field: scoped people are served through it by dropping rows |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.checks import Error, Warning, register

from ..access_patterns import Lookup
from ..definitions import Entity, Key, KeyTemplateError
from ..definitions.fields import TTL, Boolean, Choice, DateTime, Field, String, WriteMarker
from ..options import EntityAdmin, action_permission_method
from ..services.display.names import label_fields
from ..sites import AdminSite, site
from .ambiguity import check_ambiguity
from .scopes import check_scopes

__all__ = ["check_definitions"]


@register("dynadmin")
def check_definitions(app_configs: Any = None, site: AdminSite = site, **kwargs: Any) -> list:
    errors: list = []
    for admin in site.admins:
        errors += _check_keys(admin.entity)
        errors += _check_ttl(admin.entity)
        errors += _check_write_marker(admin.entity)
        errors += _check_admin(admin)
        errors += _check_listings_and_relations(admin, site)
    for table in site.tables.values():
        errors += check_ambiguity(site.entities_of(table))
    errors += check_scopes(site)
    return errors


def _check_keys(entity: type[Entity]) -> list:
    meta = entity._meta
    errors: list = []
    primaries = [k for k in meta.keys.values() if k.is_primary]
    if len(primaries) != 1:
        errors.append(Error(
            f"{meta.label} declares {len(primaries)} keys on the table itself; "
            "it needs exactly one.",
            hint='Add keys = Key(pk="...", sk="...") with no index name.',
            obj=entity, id="dynadmin.E003"))
    for name, key in meta.keys.items():
        where = f"{meta.label}.{name}"
        if not meta.table.has_index(key.index_name):
            errors.append(Error(
                f"{where} is on index {key.index_name!r}, which table {meta.table.name} "
                "does not declare.",
                hint=f"Declare it in Table(indexes=...) or fix the name; declared: "
                     f"{', '.join(meta.table.indexes) or 'none'}.",
                obj=entity, id="dynadmin.E002"))
            continue
        errors += _check_templates(entity, where, key)
        errors += _check_reproducible(entity, where, key)
    in_keys = {v for key in meta.keys.values() for v in key.variables}
    for name, fld in meta.fields.items():
        if fld.key_only and name not in in_keys:
            errors.append(Error(
                f"{meta.label}.{name} is key_only=True, but no key template of {meta.label} "
                "holds it, so its value would be stored nowhere.",
                hint=f"Put {{{name}}} in a key template, or drop key_only=True to store it as "
                     "an attribute.", obj=entity, id="dynadmin.E014"))
    return errors


def _check_write_marker(entity: type[Entity]) -> list:
    """A write marker is rewritten by every write dynadmin makes: stored anywhere the item
    keeps something else, it would overwrite that (or move the item)."""
    meta = entity._meta
    markers = [(name, fld) for name, fld in meta.fields.items() if isinstance(fld, WriteMarker)]
    if not markers:
        return []
    errors: list = []
    if len(markers) > 1:
        errors.append(Error(
            f"{meta.label} declares {len(markers)} write markers "
            f"({', '.join(name for name, _ in markers)}); it needs one at most.",
            hint="Keep one fields.WriteMarker(): every write sets it afresh.",
            obj=entity, id="dynadmin.E017"))
    table = meta.table
    for name, marker in markers:
        attribute = marker.attribute
        uses = []
        if attribute in table.key_attribute_types():
            uses.append("a key attribute")
        if attribute in (table.type_attribute, table.ttl_attribute):
            uses.append("the table's type attribute" if attribute == table.type_attribute
                        else "the table's TTL attribute")
        uses += [f"field {other}" for other, fld in meta.fields.items()
                 if other != name and not fld.key_only and fld.attribute == attribute]
        if uses:
            errors.append(Error(
                f"{meta.label}.{name} is a write marker stored as {attribute!r}, which is also "
                f"{', '.join(uses)}: every write would overwrite it.",
                hint=f'Store it in an attribute of its own: {name} = '
                     f'fields.WriteMarker(attribute="dynadmin_write").',
                obj=entity, id="dynadmin.E018"))
    if meta.version_field is not None:
        errors.append(Warning(
            f"{meta.label} has a Version field ({meta.version_field.name}) and a write marker "
            f"({markers[0][0]}): the version already tells dynadmin's writes from others, so "
            "the marker is never read.",
            hint=f"Remove {markers[0][0]} = fields.WriteMarker() (it costs every item an "
                 "attribute).", obj=entity, id="dynadmin.W003"))
    return errors


def _check_reproducible(entity: type[Entity], where: str, key: Key) -> list:
    """A placeholder must spell a key exactly as it reads it, or keys stored in another
    spelling are rewritten (dynadmin keeps the stored key when its fields are unchanged,
    but a new item, or a changed field, gets the template's spelling)."""
    warnings: list = []
    for template in key.templates:
        for name, spec in template.placeholders:
            if isinstance(template.fields.get(name), DateTime) and not spec:
                warnings.append(Warning(
                    f"{where}: {{{name}}} in {template.template!r} is a DateTime without a "
                    "format. It reads keys such as 2024-01-15T09:30:00 or ...Z but writes "
                    "2024-01-15T09:30:00+00:00, so keys stored in another spelling are not "
                    "reproduced.",
                    hint=f"Give the format the table's keys use, e.g. "
                         f"{{{name}:%Y-%m-%dT%H:%M:%S}} for zone-less keys or "
                         f"{{{name}:%Y-%m-%dT%H:%M:%S+00:00}} for keys written by dynadmin.",
                    obj=entity, id="dynadmin.W002"))
    return warnings


def _check_templates(entity: type[Entity], where: str, key: Key) -> list:
    errors: list = []
    index = key.index
    for template in key.templates:
        for unknown in template.unknown_fields:
            errors.append(Error(
                f"{where}: key template {template.template!r} names {{{unknown}}}, which "
                f"{entity._meta.name} does not declare.",
                hint=f"Add {unknown} = fields.String() (or another key-capable field).",
                obj=entity, id="dynadmin.E001"))
        for name, fld in template.fields.items():
            if not fld.key_capable:
                errors.append(Error(
                    f"{where}: {{{name}}} is a {type(fld).__name__} field, which cannot be "
                    "part of a key.", obj=entity, id="dynadmin.E007"))
    pairs = [(key.pk, index.pk, index.pk_type)]
    if key.sk is not None:
        if index.sk is None:
            errors.append(Error(
                f"{where} has a sort key template but {index.label} has no sort key.",
                obj=entity, id="dynadmin.E007"))
        else:
            pairs.append((key.sk, index.sk, index.sk_type))
    elif index.sk is not None:
        errors.append(Error(
            f"{where} has no sort key template but {index.label} has sort key {index.sk}.",
            hint='Give the Key an sk="..." template (a constant such as "METADATA" is fine).',
            obj=entity, id="dynadmin.E007"))
    for template, attribute, key_type in pairs:
        if key_type != "S" and not template.is_bare:
            errors.append(Error(
                f"{where}: {attribute} is of type {key_type}, so its template must be one bare "
                f"field such as {{id}}, not {template.template!r}.",
                obj=entity, id="dynadmin.E007"))
    if not errors:
        try:
            for template in key.templates:
                template.example()
        except (KeyTemplateError, ValueError) as exc:
            errors.append(Error(f"{where}: {exc}", obj=entity, id="dynadmin.E007"))
    return errors


def _check_ttl(entity: type[Entity]) -> list:
    meta = entity._meta
    errors: list = []
    for fld in meta.fields.values():
        if not isinstance(fld, TTL):
            continue
        if not meta.table.ttl_attribute:
            errors.append(Error(
                f"{meta.label}.{fld.name} is a TTL field, but table {meta.table.name} has no "
                "ttl_attribute, so DynamoDB would never expire these items.",
                hint=f'Table(..., ttl_attribute="{fld.attribute}")',
                obj=entity, id="dynadmin.E005"))
        elif fld.attribute != meta.table.ttl_attribute:
            errors.append(Error(
                f"{meta.label}.{fld.name} is stored as {fld.attribute!r}, but the table's TTL "
                f"attribute is {meta.table.ttl_attribute!r}: DynamoDB would ignore it.",
                hint=f'{fld.name} = fields.TTL(attribute="{meta.table.ttl_attribute}")',
                obj=entity, id="dynadmin.E005"))
    return errors


def _check_admin(admin: EntityAdmin) -> list:
    meta = admin.opts
    errors: list = []
    if meta.label_template:
        try:
            unknown = [n for n in label_fields(meta.label_template) if n not in meta.fields]
        except ValueError as exc:
            unknown = [f"(it does not parse: {exc})"]
        if unknown:
            errors.append(Error(
                f"{meta.label} label {meta.label_template!r} names {', '.join(unknown)}, "
                f"which {meta.label} does not declare.",
                hint=f"Fields: {', '.join(meta.fields)}.", obj=meta.entity, id="dynadmin.E013"))
    for option in ("list_display", "readonly_fields"):
        for name in getattr(admin, option):
            if name not in meta.fields:
                errors.append(Error(
                    f"{type(admin).__name__}.{option} names {name!r}, which {meta.label} "
                    "does not declare.", obj=type(admin), id="dynadmin.E008"))
    for lookup in admin.get_lookups():
        if lookup.key not in meta.keys:
            errors.append(Error(
                f"{type(admin).__name__}.lookups names {lookup.key!r}, which is not a Key of "
                f"{meta.label}.", hint=f"Keys: {', '.join(meta.keys)}.",
                obj=type(admin), id="dynadmin.E006"))
            continue
        missing = [v for v in meta.keys[lookup.key].pk.variables if v not in lookup.fields]
        if missing:
            errors.append(Error(
                f"Lookup {lookup.label!r} does not determine the partition key "
                f"{meta.keys[lookup.key].pk.template!r}: it lacks {', '.join(missing)}. "
                "Without the whole partition key it would need a scan.",
                obj=type(admin), id="dynadmin.E006"))
        problem = _prefix_problem(meta.keys[lookup.key], meta.fields, lookup)
        if problem:
            errors.append(Error(
                f"Lookup {lookup.label!r} has prefix=True, but {problem}.",
                hint="A prefix lookup needs a key whose sort key (a String) holds the field as "
                     "text, after what the other fields fill, e.g. Key('GSI3', pk='USERS', "
                     "sk='NAME#{name:lower}'); otherwise drop prefix=True.",
                obj=type(admin), id="dynadmin.E015"))
    return errors


def _prefix_problem(key: Key, fields: Mapping[str, Field], lookup: Lookup) -> str:
    """Why ``lookup`` (prefix=True) cannot be one Query with ``begins_with`` on ``key``'s
    sort key ("" when it can, or when it is not a prefix lookup)."""
    name = lookup.prefix_field
    if name is None:
        return ""
    if key.sk is None or key.index.sk_type != "S":
        return f"its key {key.name!r} has no String sort key to match the beginning of"
    if name in key.pk.variables:
        return f"{name!r} is part of the partition key {key.pk.template!r}, which is matched whole"
    if name not in key.sk.variables:
        return f"{name!r} is not in the sort key {key.sk.template!r}"
    before = key.sk.variables[:key.sk.variables.index(name)]
    unknown = [v for v in before if v not in lookup.fields]
    if unknown:
        return (f"the sort key {key.sk.template!r} has {', '.join(unknown)} before {name!r}, "
                "which the lookup does not fill")
    fld = fields.get(name)
    if fld is not None and not isinstance(fld, String):
        return f"{name!r} is not a text field, so its beginning is not its key's beginning"
    return key.sk.text_prefix_problem(name)


def _check_listings_and_relations(admin: EntityAdmin, site: AdminSite) -> list:
    meta = admin.opts
    name = type(admin).__name__
    errors: list = []
    for lookup in admin.get_lookups():
        if lookup.accepts:
            try:
                re.compile(lookup.accepts)
            except re.error as exc:
                errors.append(Error(
                    f"{name}: lookup {lookup.label!r} accepts={lookup.accepts!r} is not a valid "
                    f"regular expression ({exc}).", obj=type(admin), id="dynadmin.E010"))
    for listing in admin.get_listings():
        key = meta.keys.get(listing.key)
        if key is None:
            errors.append(Error(
                f"{name}.listings names {listing.key!r}, which is not a Key of {meta.label}.",
                obj=type(admin), id="dynadmin.E009"))
            continue
        # Free fields are typed in beside a Choice switcher (a tenant's tickets by status);
        # a partition of free fields alone is one item's group: that is a Lookup.
        free = [v for v in key.pk.variables
                if not isinstance(meta.fields.get(v), (Choice, Boolean))]
        if free and len(free) == len(key.pk.variables):
            errors.append(Error(
                f"{name}: listing {listing.label or listing.key!r} has only {', '.join(free)} "
                f"in its partition key {key.pk.template!r}; a listing switches between "
                "partitions by a Choice field, so add one (or declare a Lookup instead).",
                obj=type(admin), id="dynadmin.E009"))
    for action_name in admin.actions:
        method = getattr(admin, action_name, None)
        if not callable(method) or not hasattr(method, "description"):
            errors.append(Error(
                f"{name}.actions names {action_name!r}, which is not a method decorated with "
                "@action(description=...).", obj=type(admin), id="dynadmin.E012"))
        elif not callable(getattr(admin, action_permission_method(method), None)):
            errors.append(Error(
                f"{name}.{action_name} asks for permission {method.permission!r}, but "
                f"{name} has no {action_permission_method(method)}(request) method to say who "
                "holds it.", obj=type(admin), id="dynadmin.E016"))
    for relation in admin.get_relations():
        where = f"{name}: relation {relation.label!r}"
        if not site.is_registered(relation.entity):
            errors.append(Error(f"{where} leads to {relation.entity.__name__}, which is not "
                                "registered.", obj=type(admin), id="dynadmin.E011"))
            continue
        target = relation.entity._meta
        if relation.key and relation.key not in target.keys:
            errors.append(Error(f"{where} follows {relation.key!r}, not a Key of "
                                f"{target.label}.", obj=type(admin), id="dynadmin.E011"))
            continue
        unknown = [s for s in relation.placeholders.values() if s not in meta.fields]
        if unknown or (relation.field and relation.field not in meta.fields):
            errors.append(Error(f"{where} uses {', '.join(unknown or [relation.field or ''])}, "
                                f"not a field of {meta.label}.", obj=type(admin),
                                id="dynadmin.E011"))
        key = relation.target_key()
        missing = [v for v in key.pk.variables if v not in relation.placeholders]
        # A Choice left unfilled switches between partitions of a listing on that key.
        target_admin = site.get_entity_admin(relation.entity)
        listed = any(ls.key == key.name for ls in target_admin.get_listings())
        if listed:
            missing = [v for v in missing if v not in relation.switches()]
        if missing:
            errors.append(Error(
                f"{where} cannot fill {', '.join(missing)} of the partition key "
                f"{key.pk.template!r}: it would need a scan (a Choice left unfilled needs a "
                "listing on that key, to switch between its partitions).",
                obj=type(admin), id="dynadmin.E011"))
    return errors
