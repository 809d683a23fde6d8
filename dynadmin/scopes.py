"""Scopes: a person limited to part of a table by the values of a key field.

A scope names a field that key templates hold (``org`` of ``ORG#{org}``) and the values a
person may reach: fixed (``Scope("acme only", "org", ["acme"])``) or computed per request
(``allowed=lambda request: customers_of(request.user)``). Scopes are declared on the site
(``AdminSite(scopes=[...])``, ``site.add_scope``) or on an entity admin
(``EntityAdmin.scopes``), and attached to groups and users in Django's own database
(``ScopeAssignment``). A person's reach: superusers and people with no assigned scope reach
everything; several scopes on one field add their values up; scopes on different fields all
apply. A scope holds for the entities that have its field; others are not limited by it.

Enforced twice:

- before a request, wherever the key shows the field: ``ScopeFence`` is the data layer's
  ``KeyFence`` for one request, so a partition or an item outside the reach costs no call and
  answers as an empty partition or a missing item (no oracle: a forbidden key and a missing
  one answer the same);
- after reading, per item, where the key does not show it (an index whose keys do not carry
  the field): ``Reach.allows_item``, composed into every ``has_*_permission(request, item)``
  of the entity admins, so every path that drops refused items drops these too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .definitions import Entity, Table
from .definitions.fields import FieldError

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .definitions.tables import Index

__all__ = ["OPEN_FENCE", "LeadingKeys", "Reach", "Scope", "ScopeFence", "ScopedKeys",
           "assigned_scope_names", "entity_holds", "is_scoped", "leading_keys", "reach_of",
           "scope_names_of", "scoped_keys"]


class Scope:
    """What a person limited by it may reach: the items whose ``field`` is one of ``values``
    (or of what ``allowed(request)`` returns, computed for each request)."""

    def __init__(self, name: str, field: str, values: Iterable[Any] | None = None, *,
                 allowed: Callable[[HttpRequest], Iterable[Any]] | None = None,
                 label: str | None = None) -> None:
        if (values is None) == (allowed is None):
            raise ValueError(f"Scope {name!r} needs either values or allowed, not both")
        if isinstance(values, str):
            values = (values,)
        self.name = name
        self.field = field
        self.values = frozenset(_text(v) for v in values) if values is not None else None
        self.allowed = allowed
        self.label = label or name

    def __repr__(self) -> str:
        return f"<Scope {self.name!r}: {self.field}>"

    def values_for(self, request: HttpRequest | None) -> frozenset[str]:
        """The values of ``field`` this scope lets a person reach on this request."""
        if self.values is not None:
            return self.values
        assert self.allowed is not None
        return frozenset(_text(v) for v in (self.allowed(request) or ()))


def _text(value: Any) -> str:
    """A value as a scope compares it: the text a key spells (``acme``, ``42``)."""
    return value if isinstance(value, str) else str(value)


def entity_holds(entity: type[Entity], field: str) -> bool:
    """Does ``field`` name a field or a key placeholder of ``entity``? A scope holds only
    for the entities that have its field."""
    meta = entity._meta
    return field in meta.fields or any(field in key.variables for key in meta.keys.values())


@dataclass(frozen=True)
class Reach:
    """What a scoped person may reach of one entity: for each limited field, its values.
    ``closed``: a scope assigned to them is declared nowhere, so they reach nothing (a
    misconfiguration never widens what a person sees)."""

    limits: Mapping[str, frozenset[str]]
    closed: bool = False

    def allows_values(self, values: Mapping[str, Any]) -> bool:
        """Do these values (parsed from a key) stay inside? A field they do not hold is not
        decided here."""
        if self.closed:
            return False
        return all(_text(values[name]) in allowed for name, allowed in self.limits.items()
                   if name in values and values[name] is not None)

    def allows_item(self, entity: type[Entity], item: Mapping[str, Any]) -> bool:
        """Is this stored item inside: each limited field, read from its attributes or its
        keys, one of the values? An item that lacks a limited field is outside."""
        if self.closed:
            return False
        if not self.limits:
            return True
        values = entity.parse_item(item).values
        return all(values.get(name) is not None and _text(values[name]) in allowed
                   for name, allowed in self.limits.items())


def assigned_scope_names(request: HttpRequest | None) -> frozenset[str] | None:
    """The names of the scopes assigned to this person, directly or through a group; None
    for superusers and people with none (they reach everything)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    return scope_names_of(user)


def scope_names_of(user: Any) -> frozenset[str] | None:
    """``assigned_scope_names`` of ``user``: read once and kept on the user object (so a
    person kept in the cache, ``people.PersonCacheMiddleware``, carries them)."""
    cached = getattr(user, "_dynadmin_scope_names", False)
    if cached is not False:
        return cached
    found: frozenset[str] | None = None
    if user.is_authenticated and user.is_active and not user.is_superuser:
        from django.db.models import Q

        from .models import ScopeAssignment

        found = frozenset(ScopeAssignment.objects.filter(
            Q(users=user) | Q(groups__in=user.groups.all())).values_list("name", flat=True)
        ) or None
    user._dynadmin_scope_names = found
    return found


def is_scoped(request: HttpRequest | None) -> bool:
    """Is this person limited by a scope (so lists may leave items out)?"""
    return assigned_scope_names(request) is not None


def reach_of(request: HttpRequest | None, entity: type[Entity],
             declared: Mapping[str, Scope], all_names: Collection[str]) -> Reach | None:
    """The person's reach over ``entity``, given the scopes ``declared`` for it (the site's
    and its admin's, by name) and ``all_names`` declared anywhere on the site; None when
    nothing limits them. Cached on the request per entity."""
    names = assigned_scope_names(request)
    if names is None:
        return None
    cache: dict[Any, Reach | None] = request.__dict__.setdefault(  # type: ignore[union-attr]
        "_dynadmin_reach", {})
    if entity in cache:
        return cache[entity]
    limits: dict[str, frozenset[str]] = {}
    for name in sorted(names):
        scope = declared.get(name)
        if scope is None or not entity_holds(entity, scope.field):
            continue
        limits[scope.field] = limits.get(scope.field, frozenset()) | scope.values_for(request)
    closed = any(name not in all_names for name in names)
    reach = Reach(limits, closed) if (limits or closed) else None
    cache[entity] = reach
    return reach


class ScopeFence:
    """The data layer's fence for one request: a partition or a primary key whose templates
    spell a limited field with a value outside the person's reach is refused before any
    call. ``reach_for(entity)`` is the site's ``reach``."""

    def __init__(self, reach_for: Callable[[type[Entity]], Reach | None]) -> None:
        self.reach_for = reach_for
        self._policy_keys: dict[tuple[str, ...], Any] = {}

    def allows_partition(self, index: Index, partition: Any) -> bool:
        for entity in index.table.entities:
            reach = self.reach_for(entity)
            if reach is None:
                continue
            if reach.closed:
                return False
            for key in entity._meta.keys.values():
                if key.index_name != index.name:
                    continue
                values = key.pk.parse(partition)
                if values is not None and not reach.allows_values(values):
                    return False
        return True

    def policy_keys(self, tables: list[Table]
                    ) -> tuple[dict[str, list[str]], list[str]] | None:
        """The partitions of ``tables`` this person's session may name (``data.fence``):
        for each table limited by a field its partition keys can say, that field's values;
        a field they cannot say is kept by dynadmin alone. None when nothing limits them.
        Worked out once per request (every call asks)."""
        names = tuple(table.name for table in tables)
        if names not in self._policy_keys:
            self._policy_keys[names] = self._work_out_policy_keys(tables)
        return self._policy_keys[names]

    def _work_out_policy_keys(self, tables: list[Table]
                              ) -> tuple[dict[str, list[str]], list[str]] | None:
        leading: dict[str, list[str]] = {}
        without: list[str] = []
        limited = False
        for table in tables:
            fields: dict[str, frozenset[str]] = {}
            for entity in table.entities:
                reach = self.reach_for(entity)
                for name, values in (reach.limits.items() if reach is not None else ()):
                    fields[name] = fields.get(name, frozenset()) | values
            for name in sorted(fields):
                keys = scoped_keys(Scope(name, name, sorted(fields[name])), [table])
                if table.name in keys.refused:
                    continue
                # several fields: one the keys can say already bounds what the others narrow
                leading.update(keys.leading)
                without.extend(keys.without_indexes)
                limited = True
                break
        return (leading, without) if limited else None

    def allows_key(self, table: Table, key: Mapping[str, Any]) -> bool:
        for entity in table.entities:
            reach = self.reach_for(entity)
            if reach is None:
                continue
            if reach.closed:
                return False
            values = entity._meta.primary_key.parse(key)
            if values is not None and not reach.allows_values(values):
                return False
        return True


    def allows_write(self, table: Table, key: Mapping[str, Any],
                     attributes: Mapping[str, Any]) -> bool:
        """The key, then each limited field among the attributes written: a write never
        takes an item out of the person's reach (an update setting ``org`` to another
        tenant's, a job's "set field", an import's line)."""
        if not self.allows_key(table, key):
            return False
        entity = table.classify({**attributes, **key})
        reach = self.reach_for(entity) if entity is not None else None
        if reach is None:
            return True
        if reach.closed:
            return False
        fields = entity._meta.fields  # type: ignore[union-attr]
        for name, allowed in reach.limits.items():
            fld = fields.get(name)
            if fld is None or fld.key_only or fld.attribute not in attributes:
                continue
            stored = attributes[fld.attribute]
            try:
                value = fld.to_python(stored)
            except FieldError:  # a value its field cannot read is compared as stored
                value = stored
            if value is None or _text(value) not in allowed:
                return False
        return True


class _OpenFence(ScopeFence):
    """The fence of a person no scope limits (every superuser, most staff): every key
    passes without a look at the entities."""

    def __init__(self) -> None:
        super().__init__(lambda entity: None)

    def allows_partition(self, index: Index, partition: Any) -> bool:
        return True

    def policy_keys(self, tables: list[Table]) -> None:
        return None

    def allows_key(self, table: Table, key: Mapping[str, Any]) -> bool:
        return True

    def allows_write(self, table: Table, key: Mapping[str, Any],
                     attributes: Mapping[str, Any]) -> bool:
        return True


#: shared by every request of a person no scope limits
OPEN_FENCE = _OpenFence()


@dataclass(frozen=True)
class LeadingKeys:
    """The table's partition-key values a scope lets a person reach: exact values
    (``ORG#acme``) and prefixes (``ORG#acme#``, ``PRODUCT#`` for an entity the scope does
    not limit), for an IAM ``dynamodb:LeadingKeys`` condition."""

    values: tuple[str, ...]
    prefixes: tuple[str, ...]


def leading_keys(scope: Scope, table: Table, request: HttpRequest | None = None, *,
                 index: str | None = None) -> LeadingKeys | None:
    """The partition keys of ``table`` (or of its index named ``index``) a person limited by
    ``scope`` may reach, or None when the scope cannot be said with partition keys alone: an
    entity holding the field outside that partition key, or an entity it does not limit
    whose partition key has no fixed beginning (``{device}``), which would let any partition
    through. An entity with no key on the index has no items in it."""
    allowed = sorted(scope.values_for(request))
    values: list[str] = []
    prefixes: list[str] = []
    for entity in table.entities:
        if index is None:
            template = entity._meta.primary_key.pk
        else:
            on_index = [k for k in entity._meta.keys.values() if k.index_name == index]
            if not on_index:
                continue
            template = on_index[0].pk
        if entity_holds(entity, scope.field):
            if scope.field not in template.variables:
                return None
            for value in allowed:
                if template.variables == (scope.field,):
                    values.append(template.format({scope.field: value}))
                else:
                    prefix = template.prefix({scope.field: value})
                    if scope.field not in template.variables[:1] or not prefix:
                        return None
                    prefixes.append(prefix)
        else:
            literal = template.literal_prefix
            if not literal:
                return None
            prefixes.append(literal)
    return LeadingKeys(tuple(dict.fromkeys(values)), tuple(dict.fromkeys(prefixes)))


@dataclass
class ScopedKeys:
    """What an IAM policy for people limited by a scope may allow, table by table (see
    ``scoped_keys``)."""

    #: ``dynamodb:LeadingKeys`` values by table name, or ``"<table>.<index>"``
    leading: dict[str, list[str]]
    #: global indexes (``"<table>.<index>"``) whose partition keys cannot say the scope:
    #: left out of the policy, so that AWS refuses what dynadmin would read and then drop
    without_indexes: list[str]
    #: tables the scope cannot narrow by their partition keys (why, in words)
    refused: dict[str, str]


def scoped_keys(scope: Scope, tables: Iterable[Table], request: HttpRequest | None = None
                ) -> ScopedKeys:
    """The partition keys of ``tables`` (and their global indexes) a person limited by
    ``scope`` may name, as ``dynamodb:LeadingKeys`` values (a prefix ends with ``*``). A table
    none of whose entities has the field is not limited by the scope, so it gets no
    condition; an index through which the scope could only be kept by dropping rows is left
    out."""
    result = ScopedKeys({}, [], {})
    for table in tables:
        if not any(entity_holds(entity, scope.field) for entity in table.entities):
            continue
        keys = leading_keys(scope, table, request)
        if keys is None:
            result.refused[table.name] = (
                f"an entity of {table.name} holds {scope.field!r} outside its partition key, "
                "or an entity it does not limit has a partition key with no fixed beginning")
            continue
        if not keys.values and not keys.prefixes:
            result.refused[table.name] = f"the scope reaches no partition of {table.name}"
            continue
        result.leading[table.name] = _condition_values(keys)
        for index in table.indexes.values():
            if index.is_table or index.local:
                continue
            name = f"{table.name}.{index.name}"
            on_index = leading_keys(scope, table, request, index=str(index.name))
            if on_index is None or not (on_index.values or on_index.prefixes):
                result.without_indexes.append(name)
            else:
                result.leading[name] = _condition_values(on_index)
    return result


def _condition_values(keys: LeadingKeys) -> list[str]:
    return [*keys.values, *(f"{prefix}*" for prefix in keys.prefixes)]
