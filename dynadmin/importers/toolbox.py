"""DynamoDB-Toolbox v2 DTO exports (``Entity.build(EntityDTO)`` written as JSON).

An EntityDTO is ``{entityName, schema: {type: 'item', attributes}, entityAttribute,
timestamps, table}``; its table is a TableDTO (``partitionKey``, ``sortKey``, ``indexes``,
``entityAttributeSavedAs``, by default ``_et``). An attribute is stored under ``savedAs``
when given; a key attribute spells its key through its transformer (``prefix('USER')`` is
``USER#{userId}``). A key computed by a function (``computeKey``, links) is gone from the DTO,
so it is read as stored. A file holds one EntityDTO, a list or a map of them, or
``{table, entities}``.
"""

from __future__ import annotations

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
)

__all__ = ["read_toolbox"]

ENTITY_KEYS = {"entityName", "schema", "entityAttribute", "timestamps", "table"}
QUIET = {"type", "required", "hidden", "key", "savedAs", "transform", "enum", "elements",
         "attributes", "keyDefault", "putDefault", "updateDefault", "keyLink", "putLink",
         "updateLink", "big", "keys"}
KINDS = {"string": "String", "number": "Number", "boolean": "Boolean", "binary": "Binary",
         "null": "Null", "list": "List", "tuple": "List", "map": "Map", "record": "Map"}
SET_KINDS = {"string": "StringSet", "number": "NumberSet", "binary": "BinarySet"}
KEY_TYPES = {"number": "N", "binary": "B"}
#: timestamp → (default name, default savedAs)
TIMESTAMPS = {"created": ("created", "_ct"), "modified": ("modified", "_md")}


def read_toolbox(data: Any, table: str | None = None) -> Design:
    entities, table_dto = _entities(data)
    design = Design(source="DynamoDB-Toolbox DTOs (" + ", ".join(
        str(e["entityName"]) for e in entities) + ")")
    spec = _table(table_dto, table)
    design.tables.append(spec)
    taken: set[str] = set()
    for entity in entities:
        design.entities.append(_Entity(entity, spec, taken).entity())
    if any(e.get("entityAttribute") is False for e in entities):
        spec.notes.append(f"note: some entities turn off the entity attribute "
                          f"({spec.type_attribute}); dynadmin tells them apart only by it, so "
                          "their items may be shown as another entity.")
    return design


def _is_entity(data: Any) -> bool:
    return (isinstance(data, dict) and bool(data.get("entityName"))
            and isinstance(data.get("schema"), dict) and isinstance(data.get("table"), dict))


def _entities(data: Any) -> tuple[list[dict], dict]:
    found: list | None = None
    table = None
    if _is_entity(data):
        found = [data]
    elif isinstance(data, list) and data and all(map(_is_entity, data)):
        found = data
    elif isinstance(data, dict) and isinstance(data.get("entities"), (list, dict)):
        values = data["entities"]
        values = list(values.values()) if isinstance(values, dict) else values
        found = values if values and all(map(_is_entity, values)) else None
        table = data.get("table") if isinstance(data.get("table"), dict) else None
    elif isinstance(data, dict) and data and all(map(_is_entity, data.values())):
        found = list(data.values())
    if not found:
        shape = ("an object with " + (", ".join(sorted(map(str, data))[:8]) or "no keys")
                 if isinstance(data, dict) else f"a JSON {type(data).__name__}")
        raise ImportFormatError(
            'expected DynamoDB-Toolbox EntityDTOs: an object with "entityName", "schema" and '
            '"table" (or a list or map of them, or {"table", "entities"}); found '
            f"{shape}.")
    table = table or found[0]["table"]
    if not isinstance(table.get("partitionKey"), dict) or not table["partitionKey"].get("name"):
        raise ImportFormatError("the TableDTO has no partitionKey.name.")
    return found, table


def _key(key: Any) -> tuple[str, str] | None:
    if not isinstance(key, dict) or not key.get("name"):
        return None
    return str(key["name"]), str(key.get("type", "string"))


def _table(dto: dict, name: str | None) -> TableSpec:
    pk, sk = _key(dto["partitionKey"]), _key(dto.get("sortKey"))
    assert pk is not None
    table = TableSpec(name=name or str(dto.get("tableName") or "Toolbox"), pk=pk[0],
                      sk=sk[0] if sk else None,
                      type_attribute=str(dto.get("entityAttributeSavedAs") or "_et"))
    if not name and not dto.get("tableName"):
        table.notes.append("guess: the TableDTO does not name its table; pass --table with "
                           "the table's name.")
    keys = [pk] + ([sk] if sk else [])
    for index, spec in (dto.get("indexes") or {}).items():
        if not isinstance(spec, dict):
            continue
        if spec.get("type") == "local" and _key(spec.get("sortKey")):
            local = _key(spec["sortKey"])
            assert local is not None
            table.local_indexes[str(index)] = local[0]
            keys.append(local)
        elif _key(spec.get("partitionKey")):
            ipk, isk = _key(spec["partitionKey"]), _key(spec.get("sortKey"))
            assert ipk is not None
            table.indexes[str(index)] = (ipk[0], isk[0] if isk else None)
            keys += [ipk] + ([isk] if isk else [])
        else:
            table.notes.append(f"not expressible: index {index} has several partition or sort "
                               "key attributes (partitionKeys/sortKeys); left out.")
    table.key_types = {n: KEY_TYPES[t] for n, t in keys if t in KEY_TYPES}
    return table


class _Entity:
    """One EntityDTO, read into an EntitySpec."""

    def __init__(self, dto: dict, table: TableSpec, taken: set[str]) -> None:
        self.dto, self.table = dto, table
        self.entity_name = str(dto["entityName"])
        name = class_name(self.entity_name, taken)
        self.spec = EntitySpec(name=name, table=table.name, type_value=self.entity_name)
        raw = dto["schema"].get("attributes")
        self.attributes = {str(n): a for n, a in (raw.items() if isinstance(raw, dict) else [])
                           if isinstance(a, dict)}
        self.names: dict[str, str] = {}
        for attribute in self.attributes:
            self.names[attribute] = identifier(attribute, set(self.names.values()) | {"keys"})
        self.by_stored = {str(a.get("savedAs") or n): n for n, a in self.attributes.items()}

    def entity(self) -> EntitySpec:
        unknown = sorted(k for k in self.dto if k not in ENTITY_KEYS)
        if unknown:
            self.spec.notes.append(f"note: ignored in {self.entity_name}: {', '.join(unknown)} "
                                   "(not understood).")
        pk, pk_notes = self._template(self.table.pk)
        sk, sk_notes = self._template(self.table.sk) if self.table.sk else (None, [])
        self.spec.keys.append(KeySpec("keys", None, pk, sk, pk_notes + sk_notes))
        for index, (ipk, isk) in self.table.indexes.items():
            if ipk not in self.by_stored or (isk and isk not in self.by_stored):
                continue  # the entity never writes this index's keys (sparse)
            ipk_text, notes = self._template(ipk)
            isk_text, more = self._template(isk) if isk else (None, [])
            self.spec.keys.append(KeySpec(self._key_name(index), index, ipk_text, isk_text,
                                          notes + more))
        for index, lsk in self.table.local_indexes.items():
            if lsk in self.by_stored:
                text, notes = self._template(lsk)
                self.spec.keys.append(KeySpec(self._key_name(index), index, pk, text, notes))
        for attribute, spec in self.attributes.items():
            self._field(attribute, spec)
        self._timestamps()
        return self.spec

    def _key_name(self, index: str) -> str:
        name = index if index.lower().startswith("by") else f"by_{index}"
        return identifier(name, set(self.names.values()) | {
            k.name for k in self.spec.keys} | {"keys"})

    # -- keys -----------------------------------------------------------------------------
    def _template(self, stored: str) -> tuple[str, list[str]]:
        attribute = self.by_stored.get(stored)
        if attribute is None:
            name = identifier(stored, set(self.names.values()) | {"keys"})
            self.names[stored] = name
            self.spec.add_field(FieldSpec(name, "String", attribute=stored))
            return "{" + name + "}", [f"guess: {self.entity_name} computes {stored} with a "
                                      "function (computeKey) the DTO does not carry; it is "
                                      "read and edited as stored."]
        spec, notes = self.attributes[attribute], []
        if attribute == stored and spec.get("key") and spec.get("hidden"):
            # what EntityDTO adds for a key the entity computes (computeKey)
            notes.append(f"guess: {self.entity_name} computes {stored} with a function "
                         "(computeKey) the DTO does not carry; it is read and edited as "
                         "stored.")
        if any(spec.get(link) for link in ("keyLink", "putLink")):
            notes.append(f"guess: {attribute} is linked to other attributes by a function the "
                         "DTO does not carry; it is read and edited as stored.")
        before, after = "", ""
        for transformer in _transformers(spec.get("transform")):
            kind = transformer.get("transformerId")
            if kind == "prefix":
                before = f"{transformer.get('prefix', '')}{transformer.get('delimiter', '#')}" + (
                    before)
            elif kind == "suffix":
                after += f"{transformer.get('delimiter', '#')}{transformer.get('suffix', '')}"
            else:
                notes.append(f"not expressible: {attribute} is transformed by {kind!r} before "
                             "it is saved; dynadmin spells it as given.")
        name = self.names[attribute]
        if attribute == stored and not (before or after or notes):
            # a key attribute declared under its own name (PK): the application spells it
            default = spec.get("keyDefault") or {}
            constant = default.get("value") if isinstance(default, dict) else None
            notes.append(f"guess: {stored} is written whole by the application (the DTO shows "
                         "no prefix or suffix), so dynadmin reads and edits it as stored"
                         + (f"; a new item's starts as {constant!r} (keyDefault)."
                            if isinstance(constant, str) else "."))
        if before or after:
            # savedAs the key attribute itself and transformed: the value lives only there
            field = self._field(attribute, spec)
            field.key_only = True
            field.notes.append(f"note: {attribute} is saved only inside {stored} "
                               f"(savedAs, with its prefix), so it is key-only.")
        else:
            self._field(attribute, spec)
        return _literal(before) + "{" + name + "}" + _literal(after), notes

    # -- fields ---------------------------------------------------------------------------
    def _field(self, attribute: str, spec: dict) -> FieldSpec:
        name = self.names[attribute]
        if name in self.spec.fields:
            return self.spec.fields[name]
        kind = str(spec.get("type"))
        field = FieldSpec(name, KINDS.get(kind, "String"),
                          attribute=str(spec.get("savedAs") or attribute),
                          required=spec.get("required", "atLeastOnce") != "never")
        if kind == "set":
            elements = (spec.get("elements") or {}).get("type")
            field.kind = SET_KINDS.get(str(elements), "StringSet")
        elif kind not in KINDS:
            field.notes.append(f"guess: {attribute} has type {kind!r}; shown as text.")
        if kind == "string" and isinstance(spec.get("enum"), list):
            field.kind, field.choices = "Choice", tuple(str(v) for v in spec["enum"])
        self._default(attribute, spec, field)
        if spec.get("hidden") is True and not spec.get("key"):
            field.notes.append(f"note: {attribute} is hidden (Toolbox leaves it out of "
                               "results).")
        unknown = sorted(k for k in spec if k not in QUIET)
        if unknown:
            field.notes.append(f"note: ignored on {attribute}: {', '.join(unknown)} "
                               "(not understood).")
        return self.spec.add_field(field)

    def _default(self, attribute: str, spec: dict, field: FieldSpec) -> None:
        """``keyDefault`` (a key attribute's) or ``putDefault`` fills a new item's field."""
        for which in ("keyDefault", "putDefault"):
            default = spec.get(which)
            if not isinstance(default, dict):
                continue
            if default.get("defaulterId") != "value":
                field.notes.append(f"note: {attribute} gets its {which} from a function the "
                                   "DTO does not carry; dynadmin leaves it empty.")
            elif field.kind == "Number" and isinstance(default.get("value"), (int, float)) and (
                    not isinstance(default.get("value"), bool)) or (
                    field.kind == "Boolean" and isinstance(default.get("value"), bool)) or (
                    field.kind not in ("Number", "Boolean")
                    and isinstance(default.get("value"), str)
                    and (not field.choices or default.get("value") in field.choices)):
                field.default = default["value"]
            else:
                field.notes.append(f"note: {attribute} defaults to {default.get('value')!r} "
                                   "in Toolbox, which its field cannot hold; left out.")
            return

    def _timestamps(self) -> None:
        option = self.dto.get("timestamps", True)
        for stamp, (name, saved_as) in TIMESTAMPS.items():
            setting = option if isinstance(option, bool) else (option or {}).get(stamp, False)
            if setting is False:
                continue
            if isinstance(setting, dict):
                name = str(setting.get("name") or name)
                saved_as = str(setting.get("savedAs") or saved_as)
            python = identifier(name, set(self.names.values()) | set(self.spec.fields))
            self.spec.add_field(FieldSpec(python, "DateTime", attribute=saved_as, notes=[
                f"note: written by DynamoDB-Toolbox (timestamps.{stamp})."]))


def _transformers(transform: Any) -> list[dict]:
    if not isinstance(transform, dict):
        return []
    if transform.get("transformerId") == "pipe":
        return [t for inner in transform.get("transformers") or []
                for t in _transformers(inner)]
    return [transform]


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
