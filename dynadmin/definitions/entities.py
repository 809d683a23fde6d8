"""Entities: the kinds of item that share a single table (User, Order, OrderItem...)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

from .fields import TTL, Field, FieldError, Null, Version, WriteMarker
from .keys import Key
from .tables import Table

__all__ = ["Entity", "EntityOptions", "ParsedItem"]


@dataclass
class EntityOptions:
    """What the definition declares, gathered once when the class is created."""

    entity: type[Entity]
    table: Table
    name: str
    type_value: str
    fields: dict[str, Field]
    keys: dict[str, Key]
    verbose_name: str
    ttl_policy: str = "none"  # "none", "optional" or "required"
    default_lifetime: Any = None  # a timedelta for new items of an ephemeral entity
    #: how one item is named on pages: ``"{name} · {email}"`` over the entity's fields
    label_template: str = ""
    verbose_name_plural: str = ""

    @property
    def label(self) -> str:
        """``Application.Order``: unique across tables, used in URLs and permissions."""
        return f"{self.table.name}.{self.name}"

    @property
    def primary_key(self) -> Key:
        primaries = [k for k in self.keys.values() if k.is_primary]
        if not primaries:
            raise LookupError(f"{self.name} declares no key on the table itself")
        return primaries[0]

    @property
    def index_keys(self) -> dict[str, Key]:
        return {n: k for n, k in self.keys.items() if not k.is_primary}

    @cached_property
    def key_variables(self) -> tuple[str, ...]:
        """Declared fields that appear in any key template."""
        names = {v for key in self.keys.values() for v in key.variables}
        return tuple(n for n in self.fields if n in names)

    @cached_property
    def field_attributes(self) -> tuple[tuple[str, Field, str | None], ...]:
        """Each field with the attribute it is stored in (None for a key-only field: read
        from the keys alone), as every item read walks them."""
        return tuple((name, fld, None if fld.key_only else fld.attribute)
                     for name, fld in self.fields.items())

    @cached_property
    def key_variable_attributes(self) -> tuple[str | None, ...]:
        """The attributes of the fields the keys hold (None for a key-only one)."""
        return tuple(None if self.fields[v].key_only else self.fields[v].attribute
                     for v in self.key_variables)

    @cached_property
    def known_attributes(self) -> frozenset[str]:
        """The attributes an item of this entity is expected to hold: its stored fields, the
        table's key attributes and its type attribute (anything else is ``extra``)."""
        known = {f.attribute for f in self.fields.values() if not f.key_only}
        known.update(self.table.key_attribute_types())
        if self.table.type_attribute:
            known.add(self.table.type_attribute)
        return frozenset(known)

    @property
    def primary_key_specificity(self) -> int:
        return sum(t.literal_length for t in self.primary_key.templates)

    @cached_property
    def ttl_field(self) -> TTL | None:
        return next((f for f in self.fields.values() if isinstance(f, TTL)), None)

    @cached_property
    def version_field(self) -> Version | None:
        return next((f for f in self.fields.values() if isinstance(f, Version)), None)

    @cached_property
    def write_marker(self) -> WriteMarker | None:
        """The field dynadmin sets afresh with each write (``fields.WriteMarker``), if any."""
        return next((f for f in self.fields.values() if isinstance(f, WriteMarker)), None)

    def field_for_attribute(self, attribute: str) -> Field | None:
        return next((f for f in self.fields.values() if f.attribute == attribute), None)


@dataclass
class ParsedItem:
    """An item read from DynamoDB, typed by its entity (or raw when none claims it)."""

    item: dict[str, Any]
    entity: type[Entity] | None
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    #: attributes that are neither a declared field nor a key nor the type attribute
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def entity_name(self) -> str:
        return self.entity._meta.name if self.entity else "unclassified"


class Entity:
    """Base class of a definition. Subclass it with ``table=``::

        class Order(Entity, table=shop):
            keys = Key(pk="USER#{user_id}", sk="ORDER#{placed_on}#{order_id}")
            by_id = Key("GSI1", pk="ORDER#{order_id}", sk="USER#{user_id}")
            order_id = fields.String()

    Options are class keywords:

    - ``table``: the :class:`Table` the entity's items live in (required).
    - ``type_value``: what the table's ``type_attribute`` holds for this entity (default:
      the class name in lowercase).
    - ``verbose_name`` and ``verbose_name_plural``: how pages name the entity (default: the
      class name, plus "s").
    - ``label``: how one item is named on every page, a template over its fields
      (``label="Order {order_id} · {placed_on}"``); a placeholder without a value drops out
      with the separator before it.
    - ``ttl``: ``"required"`` or ``"optional"`` for ephemeral items (default: optional when
      the entity has a ``fields.TTL``, else none); ``default_lifetime`` (a ``timedelta``)
      is how far from now the create form sets a new item's expiry.

    Class attributes that are :class:`Key` objects declare its keys (exactly one on the
    table itself, any number on indexes); those that are fields declare its attributes.
    """

    _meta: ClassVar[EntityOptions]

    def __init_subclass__(
        cls,
        *,
        table: Table | None = None,
        type_value: str | None = None,
        verbose_name: str | None = None,
        ttl: str | None = None,
        default_lifetime: Any = None,
        label: str | None = None,
        verbose_name_plural: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        parent = getattr(cls, "_meta", None)
        table = table or (parent.table if parent else None)
        if table is None:
            raise TypeError(
                f"{cls.__name__} needs a table: class {cls.__name__}(Entity, table=...)")
        fields: dict[str, Field] = dict(parent.fields) if parent else {}
        keys: dict[str, Key] = {}
        for name, value in vars(cls).items():
            if isinstance(value, Field):
                fields[name] = value
            elif isinstance(value, Key):
                keys[name] = value
        for key in keys.values():
            key.bind(cls, fields)
        has_ttl = any(isinstance(f, TTL) for f in fields.values())
        cls._meta = EntityOptions(
            entity=cls,
            table=table,
            name=cls.__name__,
            type_value=type_value or cls.__name__.lower(),
            fields=fields,
            keys=keys,
            verbose_name=verbose_name or cls.__name__,
            ttl_policy=ttl or ("optional" if has_ttl else "none"),
            default_lifetime=default_lifetime,
            label_template=label if label is not None else (parent.label_template if parent
                                                             else ""),
            verbose_name_plural=verbose_name_plural or f"{verbose_name or cls.__name__}s",
        )
        table.add_entity(cls)

    # -- keys -----------------------------------------------------------------------------
    @classmethod
    def key(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """The item's primary key for these attribute values."""
        return cls._meta.primary_key.format(values)

    @classmethod
    def index_key_attributes(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Every secondary-index key attribute the values can fill.

        An index key whose placeholders are not all known is left out: the item is then simply
        absent from that (sparse) index, which is how DynamoDB models optional membership.
        """
        attributes: dict[str, Any] = {}
        for key in cls._meta.index_keys.values():
            if all(values.get(v) is not None for v in key.variables):
                attributes.update(key.format(values))
        return attributes

    # -- items ----------------------------------------------------------------------------
    @classmethod
    def build_item(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """A complete item: declared fields, primary and index keys, and the type attribute.

        Raises FieldError or KeyTemplateError (both ValueErrors) with a person-readable message.
        """
        meta = cls._meta
        item: dict[str, Any] = {}
        for name, fld in meta.fields.items():
            value = values.get(name)
            if isinstance(fld, Null):
                if value:
                    item[fld.attribute] = None
                continue
            if value is None:
                if fld.required:
                    raise FieldError(f"{fld.label}: this field is required")
                continue
            if fld.key_only:
                fld.to_key_text(value)  # checked here; written by the keys below
                continue
            stored = fld.to_dynamo(value)
            if stored is not None:
                item[fld.attribute] = stored
        item.update(cls.key(values))
        item.update(cls.index_key_attributes(values))
        if meta.table.type_attribute:
            item[meta.table.type_attribute] = meta.type_value
        return item

    @classmethod
    def rebuild_item(cls, original: Mapping[str, Any], changes: Mapping[str, Any], *,
                     parsed: ParsedItem | None = None) -> dict[str, Any]:
        """``original`` after an edit that changes the fields in ``changes`` (name → new
        value; None removes it), and nothing else.

        Every attribute the edit does not name keeps its stored value and spelling: a value
        read back and written again could come out different (a date typed back in another
        format, a string where a set was, a key a template parses but would spell otherwise).
        A key, primary or index, is spelt again only when a field it holds changed, from the
        values read for its other fields; the primary key changing is a move. Nothing is added
        that the edit did not ask for (not even the type attribute an item lacks).

        Raises FieldError or KeyTemplateError (both ValueErrors) with a person-readable message.
        ``parsed``: ``original`` typed already (``parse_item``), when the caller has it.
        """
        meta = cls._meta
        item = dict(original)
        before = parsed if parsed is not None else cls.parse_item(original)
        for name, value in changes.items():
            fld = meta.fields[name]
            if value is None or (isinstance(fld, Null) and not value):
                if fld.required:
                    raise FieldError(f"{fld.label}: this field is required")
                if not fld.key_only:
                    item.pop(fld.attribute, None)
            elif fld.key_only:
                fld.to_key_text(value)  # checked here; written by the keys below
            elif isinstance(fld, Null):
                item[fld.attribute] = None
            else:
                stored = fld.to_dynamo(value)
                if stored is None:
                    item.pop(fld.attribute, None)
                else:
                    item[fld.attribute] = stored
        values = {**before.values, **changes}
        for key in meta.keys.values():
            if not any(v in changes for v in key.variables):
                continue
            unreadable = [v for v in key.variables if v in before.errors and v not in changes]
            if unreadable:
                fld = meta.fields[unreadable[0]]
                raise FieldError(f"{fld.label}: its stored value cannot be read, so the key it "
                                 "is part of cannot be spelt again")
            if key.is_primary or all(values.get(v) is not None for v in key.variables):
                item.update(key.format(values))
            else:
                # A value of an index key cleared: the item leaves that (sparse) index.
                for attribute in (key.index.pk, key.index.sk):
                    if attribute:
                        item.pop(attribute, None)
        return item

    @classmethod
    def parse_item(cls, item: Mapping[str, Any]) -> ParsedItem:
        """Typed values of an item; a value that does not fit its field is kept raw with a note."""
        meta = cls._meta
        parsed = ParsedItem(item=dict(item), entity=cls)
        from_keys: dict[str, Any] = {}
        # Keys are parsed only when a value they encode is missing from the attributes.
        if any(attribute is None or attribute not in item
               for attribute in meta.key_variable_attributes):
            for key in meta.keys.values():
                from_keys.update(key.parse(item) or {})
        for name, fld, attribute in meta.field_attributes:
            if attribute is not None and attribute in item:
                try:
                    parsed.values[name] = fld.to_python(item[attribute])
                except FieldError as exc:
                    parsed.values[name] = item[attribute]
                    parsed.errors[name] = str(exc)
            elif name in from_keys:
                parsed.values[name] = from_keys[name]
        # A stray attribute named like a key-only field is not the field: kept in ``extra``.
        known = meta.known_attributes
        parsed.extra = {a: v for a, v in item.items() if a not in known}
        return parsed

    @classmethod
    def values_from_key(cls, key: Mapping[str, Any]) -> dict[str, Any]:
        """The attribute values a primary key encodes (empty if the key is not this entity's)."""
        return cls._meta.primary_key.parse(key) or {}


def parse_any(table: Table, item: Mapping[str, Any]) -> ParsedItem:
    """Classify and type an item of a table; unclassified items come back raw."""
    entity = table.classify(item)
    if entity is None:
        return ParsedItem(item=dict(item), entity=None, extra=dict(item))
    return entity.parse_item(item)
