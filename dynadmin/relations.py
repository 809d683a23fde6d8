"""Relations: how an item reaches related items through the design's keys.

Declared on an EntityAdmin::

    relations = (
        Relation("Orders", Order, descending=True),
        Relation("User", User, field="user_id"),
        Relation("Invited by", User, placeholders={"user_id": "invited_by"}),
    )

``placeholders`` maps the target key's placeholders to the source item's fields. Left out, each
placeholder of the target key is filled from the source's field of the same name (those the
source has); ``get_relations`` completes it so, as ``get_lookups`` completes a Lookup. When they
fill the target's whole key, the relation is a single item (a link, no call). Otherwise it is the
partition they determine, narrowed by ``begins_with`` the sort key's known prefix, read one
bounded page at a time like any partition.

A relation may also lead to a listing whose partition key mixes the source's fields with a
Choice of the target (``ORG#{org}#STATUS#{status}``): the source fills ``org`` and the
Choice is left to switch (an org's page offers its tickets by status, a link per status).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .definitions import Entity, Key, KeyTemplateError
from .definitions.fields import Choice

__all__ = ["Relation", "ResolvedRelation"]


@dataclass(frozen=True, init=False)
class Relation:
    """A way from an item to related items, declared on ``EntityAdmin.relations``.

    ``Relation("Customer", User, field="user_id")`` on an order's admin: ``label`` heads the
    section of the item page, ``entity`` is the target. Each placeholder of the target key is
    filled from the source item's field of the same name, unless ``placeholders`` maps it
    (``{"user_id": "invited_by"}``). ``key`` names which Key of the target to follow (its
    primary key by default; an index key such as ``"by_status"`` leads to a listing, one link
    per value of its Choice). When the source fills the whole key the relation is one item, a
    link and no call; otherwise it is the partition it determines, read newest first with
    ``descending=True``, ``limit`` items a page, one bounded Query each. ``field`` is a source
    field whose value links to the related item. Check ``dynadmin.E011`` refuses a relation
    whose items no bounded Query could read.
    """

    label: str
    entity: type[Entity]
    #: target placeholder -> source field; None: each from the source field of its name
    placeholders: Mapping[str, str] | None = None
    #: which Key of the target entity to follow (its primary key by default)
    key: str | None = None
    descending: bool = False
    limit: int = 10
    #: a source field whose value should link to the related item(s)
    field: str | None = None

    def __init__(self, label: str, entity: type[Entity],
                 placeholders: Mapping[str, str] | None = None, key: str | None = None,
                 descending: bool = False, limit: int = 10, field: str | None = None, *,
                 values: Mapping[str, str] | None = None) -> None:
        # ``values`` is the former spelling of ``placeholders``, kept working (with a
        # DeprecationWarning) for a release so that definitions written for it still import.
        if values is not None:
            warnings.warn("Relation(values=...) is deprecated; it is now spelled "
                          "placeholders=.", DeprecationWarning, stacklevel=2)
            if placeholders is not None:
                raise TypeError("Relation() takes placeholders= or its old spelling values=, "
                                "not both")
            placeholders = values
        for name, value in (("label", label), ("entity", entity),
                            ("placeholders", placeholders), ("key", key),
                            ("descending", descending), ("limit", limit), ("field", field)):
            object.__setattr__(self, name, value)

    @property
    def values(self) -> Mapping[str, str] | None:
        """The former spelling of ``placeholders`` (deprecated)."""
        warnings.warn("Relation.values is deprecated; it is now spelled placeholders.",
                      DeprecationWarning, stacklevel=2)
        return self.placeholders

    def bound_to(self, source: type[Entity]) -> Relation:
        """This relation as declared on ``source``'s admin, its placeholders spelled out: when
        none were given, each placeholder of the target key that names a field of ``source``
        is filled from that field."""
        if self.placeholders is not None:
            return self
        return replace(self, placeholders={n: n for n in self.target_key().variables
                                           if n in source._meta.fields})

    def target_key(self) -> Key:
        meta = self.entity._meta
        return meta.keys[self.key] if self.key else meta.primary_key

    def switches(self) -> tuple[str, ...]:
        """The target's partition-key Choice fields the relation leaves unfilled, to switch
        between (a listing's tabs); empty when the relation fills the partition key."""
        fields = self.entity._meta.fields
        return tuple(v for v in self.target_key().pk.variables
                     if v not in (self.placeholders or {}) and isinstance(fields.get(v), Choice))

    def resolve(self, source_values: Mapping[str, Any]) -> ResolvedRelation | None:
        """Where the relation leads for one item; None when the item lacks a needed value."""
        values = {target: source_values.get(source)
                  for target, source in (self.placeholders or {}).items()}
        key = self.target_key()
        try:
            query = key.query_for(values)
        except KeyTemplateError:
            return None
        single = query.sk_op == "=" and key.is_primary
        return ResolvedRelation(self, key, query.pk, sk_op=query.sk_op, sk=query.sk,
                                single=single)


@dataclass(frozen=True)
class ResolvedRelation:
    relation: Relation
    key: Key
    pk: Any
    sk_op: str | None = None
    sk: Any = None
    #: the whole primary key is known: one item, reached by a link
    single: bool = False

    @property
    def index_name(self) -> str | None:
        return self.key.index_name
