"""dynamodb-onetable schemas (the JSON of schema 1.1.0, or a ``.js`` schema dumped as JSON).

A schema has ``indexes`` (``primary``, GSIs, LSIs with ``type: 'local'``), ``params``
(``typeField``, default ``_type``; ``isoDates``; ``timestamps``) and ``models`` whose key
fields spell their keys: ``value: 'account#${id}'`` is dynadmin's ``account#{id}``.
"""

from __future__ import annotations

import re
from typing import Any

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

__all__ = ["read_onetable"]

SCHEMA_KEYS = {"format", "version", "indexes", "models", "params", "queries", "items",
               "description", "extensions"}
#: field properties OneTable knows that say nothing dynadmin shows (generation, validation...)
QUIET = {"type", "value", "enum", "required", "hidden", "ttl", "map", "default", "generate",
         "uuid", "validate", "unique", "crypt", "encode", "partial", "schema", "nulls",
         "filter", "reference", "description", "scope", "items", "timestamp", "isoDates"}
#: OneTable's own models: their items are declared by dynadmin.definitions.internal
BUILT_IN_MODELS = {"_Schema", "_Migration", "_Unique", "_Generic"}
KINDS = {"string": "String", "number": "Number", "boolean": "Boolean", "object": "Map",
         "array": "List", "binary": "Binary", "buffer": "Binary", "set": "StringSet"}
#: ``${name}``, ``${name:size}`` or ``${name:size:pad}``
VARIABLE = re.compile(r"\$\{([^}:]+)(?::(\d+)(?::(.))?)?\}")


def read_onetable(data: Any, table: str | None = None) -> Design:
    indexes = data.get("indexes") if isinstance(data, dict) else None
    if (not isinstance(indexes, dict) or not isinstance(indexes.get("primary"), dict)
            or not isinstance(data.get("models"), dict)):
        shape = ("an object with " + ", ".join(sorted(map(str, data))[:8])
                 if isinstance(data, dict) else f"a JSON {type(data).__name__}")
        raise ImportFormatError(
            'expected a OneTable schema: a JSON object with "indexes" (holding "primary") and '
            f'"models"; found {shape}.')
    params = data.get("params") or {}
    design = Design(source=f"a OneTable schema (version {data.get('version', '?')})")
    unknown = sorted(k for k in data if k not in SCHEMA_KEYS)
    if unknown:
        design.notes.append(f"note: ignored in the schema: {', '.join(unknown)} (not understood).")
    spec = _table(indexes, params, table)
    design.tables.append(spec)
    taken: set[str] = set()
    for name, model in data["models"].items():
        if name in BUILT_IN_MODELS:
            continue  # OneTable's own (the schema read back from a table lists them)
        if isinstance(model, dict):
            design.entities.append(_Model(name, model, spec, params, taken).entity())
    return design


def _table(indexes: dict, params: dict, name: str | None) -> TableSpec:
    primary = indexes["primary"]
    table = TableSpec(name=name or "OneTable", pk=str(primary.get("hash") or "pk"),
                      sk=primary.get("sort"), type_attribute=params.get("typeField", "_type"),
                      internal_items="onetable")
    if not name:
        table.notes.append("guess: a OneTable schema does not name its table; pass --table "
                           "with the table's name (the physical name can differ per "
                           "deployment, see DYNADMIN_TABLE_NAMES).")
    for index, spec in indexes.items():
        if index == "primary" or not isinstance(spec, dict):
            continue
        if spec.get("type") == "local":
            if spec.get("sort"):
                table.local_indexes[index] = str(spec["sort"])
        elif spec.get("hash"):
            table.indexes[index] = (str(spec["hash"]), spec.get("sort"))
        project = spec.get("project", "all")
        if project != "all":
            kept = ", ".join(project) if isinstance(project, list) else str(project)
            table.notes.append(f"note: {index} projects {kept}: items read through it lack the "
                               "other attributes; open the item itself.")
    return table


class _Model:
    """One model of the schema, read into an entity."""

    def __init__(self, name: str, model: dict, table: TableSpec, params: dict,
                 taken: set[str]) -> None:
        self.model_name, self.model, self.table, self.params = name, model, table, params
        self.entity_spec = EntitySpec(name=class_name(name, taken), table=table.name,
                                      type_value=name)
        self.names: dict[str, str] = {}  # OneTable field name → Python field name
        self.key_attributes = {table.pk, table.sk, *table.local_indexes.values()} | {
            a for pair in table.indexes.values() for a in pair}
        self.key_attributes.discard(None)
        self.in_keys: set[str] = set()
        self.key_notes: list[str] = []  # what reading the key being built had to guess

    def entity(self) -> EntitySpec:
        entity = self.entity_spec
        fields = {n: f for n, f in self.model.items() if isinstance(f, dict)}
        for name, spec in fields.items():
            if self._attribute(name, spec) not in self.key_attributes:
                self.names[name] = identifier(name, set(self.names.values()) | {"keys"})
        by_attribute = {self._attribute(n, s): (n, s) for n, s in fields.items()}
        pk = self._template(self.table.pk, by_attribute)
        sk = self._template(self.table.sk, by_attribute) if self.table.sk else None
        notes = []
        if pk is None:
            notes.append(f"guess: the model has no {self.table.pk} field; its key is read "
                         "as it is stored.")
            pk = self._bare(self.table.pk)
        if self.table.sk and sk is None:
            sk = self._bare(self.table.sk)
        entity.keys.append(KeySpec("keys", None, pk, sk, notes + self._take_notes()))
        for index, (ipk, isk) in self.table.indexes.items():
            self._index_key(index, ipk, isk, by_attribute)
        for index, isk in self.table.local_indexes.items():
            sort = self._template(isk, by_attribute)
            if sort is not None:
                entity.keys.append(KeySpec(self._key_name(index), index, pk, sort,
                                           self._take_notes()))
        for name, spec in fields.items():
            if name in self.names and name != self.table.type_attribute:
                self._field(name, spec)
        self._timestamps()
        return entity

    # -- keys -----------------------------------------------------------------------------
    def _attribute(self, name: str, spec: dict) -> str:
        mapped = spec.get("map")
        return mapped if isinstance(mapped, str) and "." not in mapped else name

    def _key_name(self, index: str) -> str:
        return identifier(f"by_{index.lower()}", set(self.names.values()) | {
            k.name for k in self.entity_spec.keys})

    def _index_key(self, index: str, ipk: str, isk: str | None, by_attribute: dict) -> None:
        pk = self._template(ipk, by_attribute)
        if pk is None:
            return  # the model is not in this index (sparse)
        sk = self._template(isk, by_attribute) if isk else None
        if isk and sk is None:
            self.entity_spec.notes.append(
                f"note: {self.model_name} sets {ipk} but not {isk}, so it is never in {index} "
                "(DynamoDB indexes an item only when it has both keys); key left out.")
            return
        self.entity_spec.keys.append(KeySpec(self._key_name(index), index, pk, sk,
                                             self._take_notes()))

    def _take_notes(self) -> list[str]:
        notes, self.key_notes = self.key_notes, []
        return notes

    def _template(self, attribute: str, by_attribute: dict) -> str | None:
        if attribute not in by_attribute:
            return None
        name, spec = by_attribute[attribute]
        value = spec.get("value")
        if not isinstance(value, str):
            self.key_notes.append(f"guess: {name} has no value template: the application "
                                  "writes it, so dynadmin reads and edits it as it is.")
            return self._bare(attribute)
        out, last, notes = [], 0, self.key_notes
        for match in VARIABLE.finditer(value):
            if match.start() == last and out and out[-1].startswith("{"):
                notes.append(f"guess: {value!r} has nothing between two placeholders; a key "
                             "is read back into both only by guessing where one ends.")
            out.append(_literal(value[last:match.start()]))
            if not out[-1]:
                out.pop()
            last = match.end()
            variable, size, pad = match.group(1), match.group(2), match.group(3)
            self.in_keys.add(variable)
            if variable == self.table.type_attribute:
                out.append(_literal(self.model_name))  # OneTable fills ${_type} with the model
                continue
            field_name = self._placeholder(variable, attribute)
            # ${id:7:0}: the value's text padded at the start to 7 with "0" (the default)
            spec_text = f":{pad or '0'}>{size}" if size else ""
            out.append("{" + field_name + spec_text + "}")
        out.append(_literal(value[last:]))
        return "".join(out)

    def _placeholder(self, variable: str, attribute: str) -> str:
        if variable not in self.names:
            self.names[variable] = identifier(variable, set(self.names.values()) | {"keys"})
            # OneTable writes only a model's fields: a value given for this one fills the
            # template and is not stored, so it is key-only
            self.entity_spec.add_field(FieldSpec(
                self.names[variable], "String", attribute=variable, key_only=True,
                notes=[f"guess: {attribute}'s value names ${{{variable}}}, which is no field "
                       f"of {self.model_name}, so OneTable never stores it: key-only."]))
        return self.names[variable]

    def _bare(self, attribute: str) -> str:
        name = identifier(attribute, set(self.names.values()) | {"keys"})
        self.names.setdefault(attribute, name)
        self.entity_spec.add_field(FieldSpec(name, "String", attribute=attribute))
        return "{" + self.names[attribute] + "}"

    # -- fields ---------------------------------------------------------------------------
    def _field(self, name: str, spec: dict) -> None:
        python_name = self.names[name]
        if python_name in self.entity_spec.fields:
            return
        kind_name = str(spec.get("type") or "").lower()
        field = FieldSpec(python_name, KINDS.get(kind_name, "String"),
                          attribute=self._attribute(name, spec),
                          required=spec.get("required") is True)
        mapped = spec.get("map")
        if isinstance(mapped, str) and "." in mapped:
            self.entity_spec.notes.append(
                f"not expressible: OneTable packs {name} into {mapped!r}; dynadmin shows it "
                "inside that map attribute instead.")
            return
        if not kind_name:
            field.notes.append(f"guess: {name} has no type; taken as text.")
        elif kind_name not in KINDS and kind_name != "date":
            field.notes.append(f"guess: {name} has type {kind_name!r}, unknown; taken as text.")
        if kind_name == "date":
            self._date(name, field)
        if kind_name == "set":
            field.notes.append(f"guess: {name} is a set; OneTable does not say of what, so "
                               "strings are assumed.")
        if isinstance(spec.get("enum"), list) and field.kind == "String":
            field.kind, field.choices = "Choice", tuple(str(v) for v in spec["enum"])
        if spec.get("ttl") is True:
            self._ttl(name, field)
        if spec.get("hidden") is True:
            field.notes.append(f"note: {name} is hidden (OneTable leaves it out of results).")
        self._default(name, spec, field)
        field.notes += _unenforced(name, spec)
        unknown = sorted(k for k in spec if k not in QUIET)
        if unknown:
            field.notes.append(f"note: ignored on {name}: {', '.join(unknown)} "
                               "(not understood).")
        self.entity_spec.add_field(field)

    def _default(self, name: str, spec: dict, field: FieldSpec) -> None:
        """OneTable's ``default`` fills a new item's field: the create form starts with it."""
        if "default" not in spec:
            return
        default = spec["default"]
        if default == "default":
            # the dump in the import how-to (docs/howto/import-a-model.md) writes a function
            # as its name, and a function given as ``default`` is named "default"
            field.notes.append(f"note: OneTable computes {name}'s default with a function the "
                               "JSON does not carry; dynadmin leaves it empty.")
        elif field.choices and default not in field.choices:
            field.notes.append(f"note: {name} defaults to {default!r}, which is none of its "
                               "choices; the default is left out.")
        elif field.kind in ("DateTime", "TTL") or (field.kind == "Number" and (
                isinstance(default, bool) or not isinstance(default, (int, float)))):
            field.notes.append(f"note: {name} defaults to {default!r} in OneTable; left out, "
                               f"as a {field.kind} field reads no such value.")
        elif not plain_default(default):
            field.notes.append(f"note: {name} has a default that is no plain value (nested "
                               "deeper than DynamoDB stores); left out.")
        elif default is not None:
            field.default = default

    def _date(self, name: str, field: FieldSpec) -> None:
        if name in self.in_keys:
            field.notes.append(f"guess: {name} is a date inside a key, kept as text so the "
                               "key is spelled exactly as OneTable wrote it.")
        elif self.params.get("isoDates"):
            field.kind = "DateTime"
        else:
            field.kind = "Number"
            field.notes.append(f"guess: {name} is a date stored as a number (isoDates is off): "
                               "OneTable writes milliseconds since 1970.")

    def _ttl(self, name: str, field: FieldSpec) -> None:
        if self.table.ttl_attribute in (None, field.attribute):
            self.table.ttl_attribute = field.attribute
            field.kind = "TTL"
        else:
            field.notes.append(f"not expressible: {name} is a TTL on {field.attribute}, but the "
                               f"table's TTL attribute is {self.table.ttl_attribute}.")

    def _timestamps(self) -> None:
        stamps = self.params.get("timestamps")
        if not stamps:
            return
        wanted = []
        if stamps in (True, "create"):
            wanted.append(self.params.get("createdField", "created"))
        if stamps in (True, "update"):
            wanted.append(self.params.get("updatedField", "updated"))
        for attribute in wanted:
            if attribute in self.names:
                continue
            self.names[attribute] = identifier(attribute, set(self.names.values()))
            kind = "DateTime" if self.params.get("isoDates") else "Number"
            self.entity_spec.add_field(FieldSpec(self.names[attribute], kind, attribute=attribute,
                                                 notes=["note: written by OneTable "
                                                        "(params.timestamps)."]))


#: how deep a nested ``schema`` is described: deeper levels are only named
OUTLINE_DEPTH = 4


def _unenforced(name: str, spec: dict) -> list[str]:
    """What OneTable does for a field on every write that dynadmin will not do."""
    notes = []
    generate = spec.get("generate") or ("uuid" if spec.get("uuid") is True else None)
    if generate:
        kind = "ulid" if generate is True else str(generate)
        notes.append(f"note: OneTable generates {name} ({kind}) when it creates an item; "
                     f"dynadmin does not: type a {kind.upper()} in when you create one here.")
    if spec.get("crypt") is True:
        notes.append(f"note: OneTable encrypts {name} (crypt); dynadmin shows and writes the "
                     "stored ciphertext, never the clear value: do not type a clear value "
                     "here.")
    if spec.get("unique") is True:
        notes.append(f"note: {name} is unique in OneTable, which keeps a _unique item per "
                     "value; dynadmin neither checks it nor moves that item, so change "
                     f"{name} through the application.")
    if spec.get("validate") not in (None, False):
        notes.append(f"note: OneTable validates {name} against {spec['validate']!r}; dynadmin "
                     "does not check it.")
    nested = spec.get("schema")
    if not isinstance(nested, dict) and isinstance(spec.get("items"), dict):
        nested = spec["items"].get("schema")
        name = f"each item of {name}"
    if isinstance(nested, dict) and nested:
        notes.append(f"note: {name} holds declared fields: {_outline(nested, 1)}; dynadmin "
                     "edits the whole value as JSON and does not check them.")
    return notes


def _outline(schema: dict, depth: int) -> str:
    """``street (string), zip (number, required), geo {lat (number)}``."""
    parts = []
    for sub, spec in schema.items():
        if not isinstance(spec, dict):
            continue
        about = [str(spec.get("type") or "any")] + (["required"] if spec.get("required") is True
                                                    else [])
        text = f"{sub} ({', '.join(about)})"
        inner = spec.get("schema")
        if isinstance(inner, dict) and inner:
            text += " {" + (_outline(inner, depth + 1) if depth < OUTLINE_DEPTH else "...") + "}"
        parts.append(text)
    return ", ".join(parts)


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
