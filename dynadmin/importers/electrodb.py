"""ElectroDB entity schemas (the JSON of one entity's schema, or of a service's entities).

An entity is ``{model: {entity, version, service}, attributes, indexes}``. Each index names
its key fields (``pk.field``, ``sk.field``) and either lists ``composite`` attributes, which
ElectroDB spells ``$service#label_value`` (partition) and ``$entity_version#label_value``
(sort; ``$collection#entity_version#...`` when the index is in a collection), or gives a
``template`` (``org#${orgId}``) spelled as written. Keys are lowercased unless ``casing``
says otherwise; the ``__edb_e__`` and ``__edb_v__`` attributes name an item's entity and
version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..definitions.placeholders import CASINGS
from .design import (
    Design,
    EntitySpec,
    FieldSpec,
    ImportFormatError,
    KeySpec,
    TableSpec,
    class_name,
    identifier,
    plain_default,
)

__all__ = ["read_electrodb"]

ENTITY_ATTRIBUTE, VERSION_ATTRIBUTE = "__edb_e__", "__edb_v__"
SCHEMA_KEYS = {"model", "attributes", "indexes"}
INDEX_KEYS = {"pk", "sk", "index", "collection", "type", "scope", "condition"}
KEY_KEYS = {"field", "composite", "template", "casing", "cast", "facets"}
#: attribute properties that say nothing dynadmin shows (functions are gone from the JSON)
QUIET = {"type", "required", "hidden", "readOnly", "field", "label", "padding", "items",
         "properties", "default", "validate", "get", "set", "watch", "cast", "format"}
KINDS = {"string": "String", "number": "Number", "boolean": "Boolean", "list": "List",
         "map": "Map", "any": "String", "custom": "String"}
SET_KINDS = {"string": "StringSet", "number": "NumberSet"}
VARIABLE = re.compile(r"\$\{([^}]+)\}")


def read_electrodb(data: Any, table: str | None = None) -> Design:
    schemas = _schemas(data)
    design = Design(source="ElectroDB entity schemas (" + ", ".join(
        str(s["model"].get("entity")) for _, s in schemas) + ")")
    spec = _table(schemas, table)
    design.tables.append(spec)
    taken: set[str] = set()
    for name, schema in schemas:
        design.entities.append(_Entity(name, schema, spec, taken).entity())
    return design


def _is_entity(data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("model"), dict)
            and isinstance(data.get("indexes"), dict))


def _schemas(data: Any) -> list[tuple[str, dict]]:
    if _is_entity(data):
        return [(str(data["model"].get("entity")), data)]
    if isinstance(data, dict) and data and all(_is_entity(v) for v in data.values()):
        return list(data.items())
    if isinstance(data, list) and data and all(_is_entity(v) for v in data):
        return [(str(v["model"].get("entity")), v) for v in data]
    shape = ("an object with " + (", ".join(sorted(map(str, data))[:8]) or "no keys")
             if isinstance(data, dict) else f"a JSON {type(data).__name__}")
    raise ImportFormatError(
        'expected ElectroDB entity schemas: an object with "model", "attributes" and "indexes", '
        f"or a service's map of such objects; found {shape}.")


def _primary(schema: dict) -> dict | None:
    return next((i for i in schema["indexes"].values()
                 if isinstance(i, dict) and not i.get("index")), None)


def _field_of(key: Any) -> str | None:
    return str(key["field"]) if isinstance(key, dict) and key.get("field") else None


def _table(schemas: list[tuple[str, dict]], name: str | None) -> TableSpec:
    primary = next((p for p in map(_primary, (s for _, s in schemas)) if p), None)
    if primary is None or not _field_of(primary.get("pk")):
        raise ImportFormatError("no entity has a primary index (an index without \"index\") "
                                "whose pk names its field.")
    table = TableSpec(name=name or "ElectroDB", pk=_field_of(primary["pk"]) or "pk",
                      sk=_field_of(primary.get("sk")), type_attribute=ENTITY_ATTRIBUTE)
    if not name:
        table.notes.append("guess: ElectroDB schemas do not name their table (it is given to "
                           "the Entity at run time); pass --table with the table's name.")
    for _, schema in schemas:
        for index in schema["indexes"].values():
            if not isinstance(index, dict) or not index.get("index"):
                continue
            pk, sk = _field_of(index.get("pk")), _field_of(index.get("sk"))
            index_name = str(index["index"])
            if pk is None or index_name in table.indexes or index_name in table.local_indexes:
                continue
            if pk == table.pk and sk:
                table.local_indexes[index_name] = sk
                table.notes.append(f"guess: {index_name} shares the table's partition key "
                                   f"{pk}, so it is taken as a local secondary index.")
            else:
                table.indexes[index_name] = (pk, sk)
    return table


class _Entity:
    """One entity schema, read into an EntitySpec."""

    def __init__(self, key: str, schema: dict, table: TableSpec, taken: set[str]) -> None:
        self.schema, self.table = schema, table
        model = schema["model"]
        self.entity_name = str(model.get("entity") or key)
        self.version = str(model.get("version") or "1")
        self.service = str(model.get("service") or "")
        name = class_name(self.entity_name, taken)
        self.spec = EntitySpec(name=name, table=table.name, type_value=self.entity_name)
        raw = schema.get("attributes")
        self.attributes: dict[str, dict] = {
            n: a for n, a in (raw.items() if isinstance(raw, dict) else []) if isinstance(a, dict)}
        self.names: dict[str, str] = {}  # ElectroDB attribute name → Python field name
        for attribute in self.attributes:
            self.names[attribute] = identifier(attribute, set(self.names.values()) | {"keys"})
        self.key_notes: list[str] = []

    def entity(self) -> EntitySpec:
        unknown = sorted(k for k in self.schema if k not in SCHEMA_KEYS)
        if unknown:
            self.spec.notes.append(f"note: ignored in {self.entity_name}: {', '.join(unknown)} "
                                   "(not understood).")
        primary = _primary(self.schema)
        if primary is None or _field_of(primary.get("pk")) != self.table.pk or (
                _field_of(primary.get("sk")) != self.table.sk):
            raise ImportFormatError(
                f"entity {self.entity_name}'s primary index does not use the table's keys "
                f"({self.table.pk}, {self.table.sk}); import it on its own with --table.")
        for attribute, spec in self.attributes.items():
            self._field(attribute, spec)
        for pattern, index in self.schema["indexes"].items():
            if isinstance(index, dict):
                self._key(str(pattern), index)
        self.spec.add_field(FieldSpec(
            "electrodb_version", "String", attribute=VERSION_ATTRIBUTE, required=True,
            default=self.version,
            notes=[f"note: ElectroDB reads an item as {self.entity_name} only when "
                   f"{ENTITY_ATTRIBUTE} is {self.entity_name!r} and {VERSION_ATTRIBUTE} is "
                   f"{self.version!r}; dynadmin tells entities apart by {ENTITY_ATTRIBUTE} "
                   "alone."]))
        return self.spec

    # -- keys -----------------------------------------------------------------------------
    def _key(self, pattern: str, index: dict) -> None:
        unknown = sorted(k for k in index if k not in INDEX_KEYS)
        if unknown:
            self.spec.notes.append(f"note: ignored on index {pattern}: {', '.join(unknown)} "
                                   "(not understood).")
        name = index.get("index")
        pk_spec, sk_spec = index.get("pk") or {}, index.get("sk")
        has_sk = isinstance(sk_spec, dict) and bool(sk_spec)
        pk_prefix = f"${self.service}" + (f"_{index['scope']}" if index.get("scope") else "")
        collection = index.get("collection")
        collections = [collection] if isinstance(collection, str) else list(collection or [])
        entity_part = f"{self.entity_name}_{self.version}"
        clustered = index.get("type") == "clustered"
        if collections:
            sk_prefix, entity_keys = "$" + "#".join(map(str, collections)), f"#{entity_part}"
        else:
            sk_prefix, entity_keys = "", f"${entity_part}"
        postfix = entity_keys if clustered else ""
        if not clustered:
            sk_prefix += entity_keys
        if not has_sk:
            pk_prefix += sk_prefix + postfix
        pk = self._template(pk_spec, pk_prefix, "", pattern)
        sk = self._template(sk_spec, sk_prefix, postfix, pattern) if has_sk else None
        if name:
            key_name = identifier(f"by_{pattern}", set(self.names.values()) | {
                k.name for k in self.spec.keys} | {"keys"})
            self.spec.keys.append(KeySpec(key_name, str(name), pk, sk, self._take_notes()))
        else:
            self.spec.keys.insert(0, KeySpec("keys", None, pk, sk, self._take_notes()))

    def _take_notes(self) -> list[str]:
        notes, self.key_notes = self.key_notes, []
        return notes

    def _template(self, key: dict, prefix: str, postfix: str, pattern: str) -> str:
        unknown = sorted(k for k in key if k not in KEY_KEYS)
        if unknown:
            self.key_notes.append(f"note: ignored on {pattern}'s {key.get('field')}: "
                                  f"{', '.join(unknown)} (not understood).")
        # ElectroDB cases the whole key, values included: lowercase unless told otherwise
        casing = {"upper": "upper", "none": ""}.get(str(key.get("casing") or "default"), "lower")
        case = {"upper": str.upper, "": str}.get(casing, str.lower)
        template = key.get("template")
        parts: list[tuple[str, str | None]] = []  # (literal text, attribute or None)
        if isinstance(template, str):
            last = 0
            for match in VARIABLE.finditer(template):
                parts += [(template[last:match.start()], None), ("", match.group(1))]
                last = match.end()
            parts.append((template[last:], None))
        else:
            composite = key.get("composite") or key.get("facets") or []
            parts.append((prefix, None))
            for attribute in composite if isinstance(composite, list) else []:
                label = self.attributes.get(str(attribute), {}).get("label") or attribute
                parts += [(f"#{label}_", None), ("", str(attribute))]
            parts.append((postfix, None))
        if key.get("cast") == "number" and len([a for _, a in parts if a]) == 1:
            attribute = next(a for _, a in parts if a)
            self.table.key_types[str(key.get("field"))] = "N"
            return "{" + self._placeholder(attribute, "", pattern) + "}"
        out = []
        for literal, attribute in parts:
            if attribute is None:
                out.append(case(literal).replace("{", "{{").replace("}", "}}"))
            else:
                cased = casing if casing and not self._case_safe(attribute, case) else ""
                out.append("{" + self._placeholder(attribute, cased, pattern) + "}")
        return "".join(out)

    def _case_safe(self, attribute: str, case: Any) -> bool:
        """Whether casing can never change this attribute's value (numbers, fixed choices)."""
        spec = self.attributes.get(attribute, {})
        kind = spec.get("type")
        if isinstance(kind, list):
            return all(case(str(v)) == str(v) for v in kind)
        return kind == "number" or (kind == "boolean" and case is str.lower)

    def _placeholder(self, attribute: str, casing: str, pattern: str) -> str:
        if attribute not in self.names:
            self.names[attribute] = identifier(attribute, set(self.names.values()) | {"keys"})
            self.spec.add_field(FieldSpec(
                self.names[attribute], "String", attribute=attribute,
                notes=[f"guess: index {pattern} names {attribute}, which is no attribute of "
                       f"{self.entity_name}."]))
        spec = [casing] if casing else []
        padding = self.attributes.get(attribute, {}).get("padding")
        if isinstance(padding, Mapping) and padding.get("length"):
            length, char = int(padding["length"]), str(padding.get("char") or "")
            if len(char) == 1 and (not casing or CASINGS[casing](char) == char):
                spec.insert(0, f"{char}>{length}")  # padStart(length, char), as ElectroDB
            else:
                self.key_notes.append(f"not expressible: {attribute} is padded to {length} "
                                      f"characters with {char!r} in keys; dynadmin pads with "
                                      "one character its casing keeps.")
        return ":".join([self.names[attribute], *spec])

    # -- fields ---------------------------------------------------------------------------
    def _field(self, attribute: str, spec: dict) -> None:
        name = self.names[attribute]
        kind = spec.get("type")
        stored = str(spec.get("field") or attribute)
        field = FieldSpec(name, "String", attribute=stored, required=spec.get("required") is True)
        if isinstance(kind, list):
            field.kind, field.choices = "Choice", tuple(str(v) for v in kind)
        elif kind == "set":
            items = spec.get("items")
            field.kind = SET_KINDS.get(str(items), "StringSet")
            if str(items) not in SET_KINDS:
                field.notes.append(f"guess: {attribute} is a set of {items!r}; taken as a set "
                                   "of strings.")
        elif isinstance(kind, str) and kind in KINDS:
            field.kind = KINDS[kind]
            if kind in ("any", "custom"):
                field.notes.append(f"guess: {attribute} has type {kind!r}; shown as text.")
        else:
            field.notes.append(f"guess: {attribute} has type {kind!r}, unknown; taken as text.")
        if stored in (self.table.pk, self.table.sk, ENTITY_ATTRIBUTE, VERSION_ATTRIBUTE):
            field.notes.append(f"note: {attribute} is stored in {stored}, which ElectroDB also "
                               "uses for a key or its own bookkeeping.")
        if spec.get("hidden") is True:
            field.notes.append(f"note: {attribute} is hidden (ElectroDB leaves it out of "
                               "results).")
        if spec.get("readOnly") is True:
            field.notes.append(f"note: {attribute} is read-only in ElectroDB once written.")
        if "default" in spec:
            _default(attribute, spec["default"], field)
        unknown = sorted(k for k in spec if k not in QUIET)
        if unknown:
            field.notes.append(f"note: ignored on {attribute}: {', '.join(unknown)} "
                               "(not understood).")
        self.spec.add_field(field)


def _default(attribute: str, default: Any, field: FieldSpec) -> None:
    """ElectroDB's ``default`` (a value; a function is gone from the JSON) fills a new item."""
    fits = {"Number": (int, float), "Boolean": (bool,), "List": (list,), "Map": (dict,),
            "StringSet": (list,), "NumberSet": (list,)}.get(field.kind, (str,))
    if field.choices and default not in field.choices or not isinstance(default, fits) or (
            isinstance(default, bool) and field.kind == "Number") or not plain_default(default):
        field.notes.append(f"note: {attribute} defaults to {default!r} in ElectroDB, which its "
                           "field cannot hold; the default is left out.")
    else:
        field.default = default
