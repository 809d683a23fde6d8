"""A DynamoDB table as the definitions declare it: keys, indexes, TTL and type attributes."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .entities import Entity

__all__ = ["Index", "Table", "defined_tables"]

KEY_TYPES = ("S", "N", "B")
#: how many keys a table keeps the entity of (``Table.classify``); a page reads at most a
#: thousand items
CLASSIFIED_KEPT = 4096


@dataclass(frozen=True)
class Index:
    """The base table (``name`` None), a global or a local secondary index."""

    table: Table
    name: str | None
    pk: str
    sk: str | None
    pk_type: str = "S"
    sk_type: str = "S"
    local: bool = False

    @property
    def is_table(self) -> bool:
        return self.name is None

    @property
    def label(self) -> str:
        return self.name or "table"

    @property
    def attributes(self) -> tuple[str, ...]:
        return (self.pk, self.sk) if self.sk else (self.pk,)

    def key_of(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """This index's key attributes taken from an item (those it has)."""
        return {a: item[a] for a in self.attributes if a in item}


# Calls to DynamoDB name tables by physical name; the data layer finds the definition (and so
# the connection) behind a name among the tables the process has defined.
_defined: weakref.WeakSet[Table] = weakref.WeakSet()


def defined_tables() -> list[Table]:
    """Every table definition alive in the process."""
    return list(_defined)


class Table:
    """One DynamoDB table holding many entities (single-table design).

    ``name`` is the logical name used in definitions and URLs; the physical table name comes
    from settings (``DYNADMIN_TABLE_NAMES``) so one set of definitions serves local, staging
    and production tables. ``connection`` names the AWS environment it lives in (settings
    ``DYNADMIN_CONNECTIONS``); ``read_only`` refuses every write dynadmin could make to it.

    ``pk`` and ``sk`` name the key attributes (``sk=None`` for a table without a sort key);
    ``indexes`` maps each global secondary index to its key attributes
    (``{"GSI1": ("GSI1PK", "GSI1SK")}``), ``local_indexes`` each local one to its sort key
    attribute; ``key_types`` gives a key attribute's DynamoDB type when it is not ``S``
    (``{"GSI3SK": "N"}``). ``ttl_attribute`` is the attribute DynamoDB's TTL reads,
    ``type_attribute`` the one naming each item's entity (then entities whose keys look
    alike are still told apart). ``billing_mode`` and ``stream_view_type`` are what a table
    created from the definitions gets (the example seed, the tests); the health page's
    design check also reads ``billing_mode``.
    """

    def __init__(
        self,
        name: str,
        *,
        pk: str = "PK",
        sk: str | None = "SK",
        indexes: Mapping[str, tuple[str, str | None]] | None = None,
        local_indexes: Mapping[str, str] | None = None,
        key_types: Mapping[str, str] | None = None,
        ttl_attribute: str | None = None,
        type_attribute: str | None = None,
        billing_mode: str = "PAY_PER_REQUEST",
        stream_view_type: str | None = "NEW_AND_OLD_IMAGES",
        connection: str = "default",
        read_only: bool = False,
    ) -> None:
        self.name = name
        self.pk = pk
        self.sk = sk
        self.key_types = dict(key_types or {})
        self.ttl_attribute = ttl_attribute
        self.type_attribute = type_attribute
        self.billing_mode = billing_mode
        self.stream_view_type = stream_view_type
        # Which AWS environment the table lives in (settings DYNADMIN_CONNECTIONS), and
        # whether dynadmin may write to it; settings can override both per deployment.
        self.connection = connection
        self.read_only = read_only
        self.entities: list[type[Entity]] = []
        # membership in a set: a generated module can declare thousands of entities
        self._entity_set: set[type[Entity]] = set()
        # classify()'s answers by primary key value (see there)
        self._classified: dict[tuple[Any, Any], type[Entity] | None] = {}
        self._indexes: dict[str | None, Index] = {None: self._index(None, pk, sk)}
        for index_name, (ipk, isk) in (indexes or {}).items():
            self._indexes[index_name] = self._index(index_name, ipk, isk)
        for index_name, isk in (local_indexes or {}).items():
            self._indexes[index_name] = self._index(index_name, pk, isk, local=True)
        _defined.add(self)

    def __repr__(self) -> str:
        return f"<Table {self.name}>"

    def _index(self, name: str | None, pk: str, sk: str | None, local: bool = False) -> Index:
        return Index(
            table=self, name=name, pk=pk, sk=sk, local=local,
            pk_type=self.key_types.get(pk, "S"),
            sk_type=self.key_types.get(sk, "S") if sk else "S",
        )

    # -- indexes --------------------------------------------------------------------------
    @property
    def primary(self) -> Index:
        return self._indexes[None]

    @property
    def indexes(self) -> dict[str, Index]:
        """Secondary indexes by name (the base table excluded)."""
        return {n: i for n, i in self._indexes.items() if n is not None}

    def index(self, name: str | None) -> Index:
        try:
            return self._indexes[name or None]
        except KeyError:
            raise LookupError(f"table {self.name} declares no index {name!r}") from None

    def has_index(self, name: str | None) -> bool:
        return (name or None) in self._indexes

    def key_attribute_types(self) -> dict[str, str]:
        """Every attribute used in a key of the table or an index, with its type."""
        types: dict[str, str] = {}
        for index in self._indexes.values():
            types[index.pk] = index.pk_type
            if index.sk:
                types[index.sk] = index.sk_type
        return types

    # -- physical table -------------------------------------------------------------------
    @property
    def table_name(self) -> str:
        """The physical table name for this deployment."""
        from django.core.exceptions import ImproperlyConfigured

        from .. import conf

        try:
            names: Mapping[str, str] = conf.get("TABLE_NAMES") or {}
        except ImproperlyConfigured:  # definitions are usable without Django configured
            names = {}
        return names.get(self.name, self.name)

    def key_of(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return self.primary.key_of(item)

    # -- entities -------------------------------------------------------------------------
    def add_entity(self, entity: type[Entity]) -> None:
        if entity not in self._entity_set:
            self._entity_set.add(entity)
            self.entities.append(entity)
            self._classified.clear()

    def entity(self, name: str) -> type[Entity]:
        for entity in self.entities:
            if entity._meta.name == name:
                return entity
        raise LookupError(f"table {self.name} has no entity {name!r}")

    def classify(self, item: Mapping[str, Any]) -> type[Entity] | None:
        """The entity an item belongs to: by its type attribute first, else by its keys.

        None means no definition claims the item; it is then shown raw as "unclassified".
        """
        if self.type_attribute and self.type_attribute in item:
            tag = item[self.type_attribute]
            for entity in self.entities:
                if entity._meta.type_value == tag:
                    return entity
        # By its keys, which is all the key templates read: a page classifies the same keys
        # over and over (a list's rows, then their permission; a change's key and both its
        # images), so the answer is kept per key value, a bounded number of them.
        primary = self.primary
        value = (item.get(primary.pk), item.get(primary.sk) if primary.sk else None)
        try:
            return self._classified[value]
        except KeyError:
            pass
        except TypeError:  # a value no key could hold (a list...): nothing to keep
            return self._by_keys(item)
        found = self._by_keys(item)
        if len(self._classified) >= CLASSIFIED_KEPT:
            self._classified.clear()
        self._classified[value] = found
        return found

    def _by_keys(self, item: Mapping[str, Any]) -> type[Entity] | None:
        candidates = [e for e in self.entities if e._meta.primary_key.parse(item) is not None]
        if not candidates:
            return None
        # Several templates can fit one key (USER#{id} vs USER#{id}#x): the one with the most
        # fixed text is the most specific. System checks warn when this is ambiguous.
        return max(candidates, key=lambda e: e._meta.primary_key_specificity)
