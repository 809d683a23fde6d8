"""NoSQL Workbench data models (the JSON its "Export model" writes).

A model is ``DataModel[]``: tables with ``KeyAttributes``, ``NonKeyAttributes``,
``GlobalSecondaryIndexes`` and ``TableFacets``. A facet is an entity, but it names its keys
only by alias; the templates are inferred from the facet's ``TableData`` sample items
(``inference.py``). A table with sample items but no facets gets one entity per kind of key
its items show: by an item-type attribute (``type``) when the items share one, else by the
labels the keys begin with. A ``ModelSchema`` block (of the model, or inside a table as
OneTable's Workbench export writes it) is a OneTable schema of a table, read by the OneTable
importer instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from .inference import (
    Part,
    TemplateGuess,
    infer_template,
    label_of,
    prefix_groups,
    sample_text,
    shape_groups,
    shared_labels,
)
from .item_types import tell_apart, type_attribute
from .map_functions import map_function, map_guess
from .onetable import read_onetable

__all__ = ["read_workbench"]

KINDS = {"S": "String", "N": "Number", "B": "Binary", "BOOL": "Boolean", "NULL": "Null",
         "M": "Map", "L": "List", "SS": "StringSet", "NS": "NumberSet", "BS": "BinarySet"}
MODEL_KEYS = {"ModelName", "ModelMetadata", "DataModel"}
TABLE_KEYS = {"TableName", "KeyAttributes", "NonKeyAttributes", "TableFacets",
              "GlobalSecondaryIndexes", "TableData", "DataAccess", "BillingMode",
              "ProvisionedCapacitySettings", "SampleDataFormats", "ModelSchema"}
FACET_KEYS = {"FacetName", "KeyAttributeAlias", "TableData", "NonKeyAttributes",
              "DataAccess", "SampleDataFormats"}
TTL_NAMES = {"ttl", "expires", "expire", "expiresat", "expireat", "expiration", "expiry",
             "expirationtime", "timetolive"}


def read_workbench(data: Any, table: str | None = None) -> Design:
    if not isinstance(data, dict) or not isinstance(data.get("DataModel"), list):
        raise ImportFormatError(
            'expected a NoSQL Workbench model: a JSON object with "ModelName" and a '
            f'"DataModel" list of tables; found {_shape(data)}.')
    design = Design(source=f"the NoSQL Workbench model {data.get('ModelName', '')!r}")
    _ignored(design.notes, "the model", data, MODEL_KEYS | {"ModelSchema"})
    tables = [t for t in data["DataModel"] if isinstance(t, dict)]
    names = [str(t.get("TableName")) for t in tables]
    if table is not None and table not in names:
        raise ImportFormatError(f"the model has no table {table!r}; it has {', '.join(names)}.")
    tables = [t for t in tables if table is None or t.get("TableName") == table]
    described = [_model_schema(design, data.get("ModelSchema"), tables)] if (
        "ModelSchema" in data) else []
    # OneTable's Workbench export puts each table's schema inside the table itself
    described += [_model_schema(design, t["ModelSchema"], [t], own=True) for t in tables
                  if "ModelSchema" in t and not any(t is d for d in described)]
    for spec in tables:
        if not any(spec is d for d in described):
            _table(design, spec)
    return design


def _model_schema(design: Design, schema: Any, tables: list[dict],
                  own: bool = False) -> dict | None:
    """A ``ModelSchema`` block is a OneTable schema of one of the model's tables: its value
    templates spell the keys, so it is read as OneTable's own (not inferred from samples).
    The table it describes is returned: the one holding it (``own``), else the one whose
    partition key is its primary hash."""
    indexes = schema.get("indexes") if isinstance(schema, dict) else None
    primary = indexes.get("primary") if isinstance(indexes, dict) else None
    hash_key = primary.get("hash") if isinstance(primary, dict) else None
    where = f"table {tables[0].get('TableName')}'s ModelSchema" if own else (
        "the model's ModelSchema")
    table = tables[0] if own else next((t for t in tables if hash_key and (_key_attribute(
        (t.get("KeyAttributes") or {}).get("PartitionKey")) or ("",))[0] == hash_key), None)
    if table is None:
        design.notes.append(f"note: ignored {where}: it is no OneTable schema of a table "
                            "imported here (no primary index hash on one's partition key).")
        return None
    try:
        read = read_onetable(schema, table=str(table.get("TableName")))
    except ImportFormatError as exc:
        if own:
            raise ImportFormatError(f"{where} is unreadable: {exc}") from None
        design.notes.append(f"note: ignored {where}: {exc}")
        return None
    design.notes.append(f"note: the entities of table {table.get('TableName')} come from "
                        f"{where} (a OneTable schema, whose templates spell the keys); its "
                        "sample items were not used to guess them.")
    design.notes += read.notes
    design.tables += read.tables
    design.entities += read.entities
    return table


def _shape(data: Any) -> str:
    if isinstance(data, dict):
        return "an object with " + (", ".join(sorted(map(str, data))[:8]) or "no keys")
    return f"a JSON {type(data).__name__}"


def _ignored(notes: list[str], where: str, data: Mapping, known: set[str]) -> None:
    unknown = sorted(k for k in data if k not in known)
    if unknown:
        notes.append(f"note: ignored in {where}: {', '.join(unknown)} (not understood).")


def _key_attribute(spec: Any) -> tuple[str, str] | None:
    if not isinstance(spec, dict) or not spec.get("AttributeName"):
        return None
    return str(spec["AttributeName"]), str(spec.get("AttributeType", "S"))


def _table(design: Design, data: dict) -> None:
    name = str(data.get("TableName") or "Table")
    keys = data.get("KeyAttributes") or {}
    pk = _key_attribute(keys.get("PartitionKey"))
    if pk is None:
        raise ImportFormatError(f"table {name} has no KeyAttributes.PartitionKey.AttributeName.")
    sk = _key_attribute(keys.get("SortKey"))
    table = TableSpec(name=name, pk=pk[0], sk=sk[0] if sk else None)
    _ignored(table.notes, f"table {name}", data, TABLE_KEYS)
    types = {str(a.get("AttributeName")): str(a.get("AttributeType", "S"))
             for a in data.get("NonKeyAttributes") or [] if isinstance(a, dict)}
    key_types = dict([pk] + ([sk] if sk else []))
    declared = set(types) | {str(a) for f in data.get("TableFacets") or [] if isinstance(f, dict)
                             for a in f.get("NonKeyAttributes") or []}
    maps: dict[str, list[Part]] = {}
    for key in (keys.get("PartitionKey"), keys.get("SortKey")):
        map_function(table.notes, maps, key, declared, key_types, "")
    for gsi in data.get("GlobalSecondaryIndexes") or []:
        index_keys = gsi.get("KeyAttributes") or {}
        gpk = _key_attribute(index_keys.get("PartitionKey"))
        if gpk is None or not gsi.get("IndexName"):
            table.notes.append("note: ignored an index without IndexName or PartitionKey.")
            continue
        gsk = _key_attribute(index_keys.get("SortKey"))
        table.indexes[str(gsi["IndexName"])] = (gpk[0], gsk[0] if gsk else None)
        for key in (index_keys.get("PartitionKey"), index_keys.get("SortKey")):
            map_function(table.notes, maps, key, declared, dict([gpk] + ([gsk] if gsk else [])),
                         f"index {gsi['IndexName']}'s ")
        key_types.update([gpk] + ([gsk] if gsk else []))
        projection = (gsi.get("Projection") or {}).get("ProjectionType", "ALL")
        if projection != "ALL":
            kept = ", ".join((gsi.get("Projection") or {}).get("NonKeyAttributes") or [])
            table.notes.append(
                f"note: {gsi['IndexName']} projects {projection}"
                + (f" ({kept})" if kept else "")
                + ": items read through it lack the other attributes; open the item itself.")
    table.key_types = {a: t for a, t in key_types.items() if t != "S"}
    types.update(key_types)
    ttl = [a for a, t in types.items() if t == "N" and a.lower().replace("_", "") in TTL_NAMES]
    if ttl:
        table.ttl_attribute = ttl[0]
        table.notes.append(f"guess: {ttl[0]} (a number named like a TTL) is the TTL attribute.")
    design.tables.append(table)
    taken: set[str] = set()
    facets = []
    if not data.get("TableFacets") and data.get("TableData"):
        facets = _facets_from_items(table, data, types, taken, maps)
    for facet in data.get("TableFacets") or []:
        if not isinstance(facet, dict):
            continue
        items = [i for i in facet.get("TableData") or [] if isinstance(i, dict)]
        keys = [[sample_text(i.get(a)) or "" for a in (table.pk, table.sk) if a] for i in items]
        groups = shape_groups(keys) if items else [("", [])]
        if items and {table.pk, table.sk} & set(maps):
            # the model's MapFunction spells the key of every item: a sample of another shape
            # is one that does not fit it (said next to the key), not another entity
            groups = [("", list(range(len(items))))]
        for n, (label, members) in enumerate(groups):
            group = [items[m] for m in members]
            entity = _facet(table, facet, group, types, taken, label if n else "", maps=maps)
            if len(groups) > 1:
                entity.notes.append(
                    f"guess: facet {facet.get('FacetName')} shows {len(groups)} shapes of key; "
                    f"this entity is the {len(group)} sample item(s) keyed like "
                    f"{' / '.join(keys[members[0]])!r}.")
            facets.append((entity, group))
    proposal = tell_apart(table, facets)
    if proposal:
        table.notes.append(proposal)
        design.hints.append(f"table {table.name}: {proposal.removeprefix('guess: ')}")
    design.entities += [entity for entity, _ in facets]


def _facets_from_items(table: TableSpec, data: dict, types: dict[str, str], taken: set[str],
                       maps: dict[str, list[Part]]) -> list[tuple[EntitySpec, list[dict]]]:
    """A table with sample items but no facets: one entity per kind of key the items show,
    grouped by the labels their keys begin with (``inference.prefix_groups``)."""
    items = [i for i in data["TableData"] if isinstance(i, dict)]
    attributes = [a for a in (table.pk, table.sk) if a]
    keys = [[sample_text(i.get(a)) or "" for a in attributes] for i in items]
    by_type = _type_groups(table, items, types, taken, maps)
    if by_type:
        return by_type
    # an item's own attribute values: a key segment equal to one is a value, not a label
    own = [{v for a, x in i.items() if a not in attributes and (v := sample_text(x)) is not None}
           for i in items]
    facets = []
    for _, members in prefix_groups(keys, own):
        group = [items[m] for m in members]
        # a key every item of the group spells alike, as a label (meta, "info"), is literal
        constants = {a: keys[members[0]][n] for n, a in enumerate(attributes)
                     if len({keys[m][n] for m in members}) == 1
                     and label_of(keys[members[0]][n])}
        labels = [label for n in range(len(attributes))
                  for label in shared_labels([keys[m][n] for m in members],
                                             [own[m] for m in members])]
        name = " ".join(dict.fromkeys(labels)) or table.name
        entity = _facet(table, {"FacetName": name}, group, types, taken, "", constants, maps)
        entity.notes.append(
            f"guess: the table has no facets; this entity is the {len(group)} sample item(s) "
            f"keyed like {' / '.join(keys[members[0]])!r}, grouped by their keys' labels.")
        facets.append((entity, group))
    return facets


def _type_groups(table: TableSpec, items: list[dict], types: dict[str, str], taken: set[str],
                 maps: dict[str, list[Part]]) -> list[tuple[EntitySpec, list[dict]]]:
    """Facets read from the item-type attribute, when the samples have one; none otherwise
    (they are grouped by their keys' labels instead)."""
    attribute = type_attribute(table, items)
    if attribute is None:
        return []
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(str(sample_text(item[attribute])), []).append(item)
    if len(groups) < 2:
        return []
    facets = []
    for value, group in groups.items():
        entity = _facet(table, {"FacetName": value}, group, types, taken, "", maps=maps)
        entity.notes.append(f"guess: the table has no facets; this entity is the {len(group)} "
                            f"sample item(s) whose {attribute} is {value!r}.")
        facets.append((entity, group))
    return facets


def _facet(table: TableSpec, facet: dict, items: list[dict], types: dict[str, str],
           taken: set[str], suffix: str, constants: dict[str, str] | None = None,
           maps: dict[str, list[Part]] | None = None) -> EntitySpec:
    name = class_name(class_name(str(facet.get("FacetName") or "Item")) + suffix, taken)
    entity = EntitySpec(name=name, table=table.name)
    _ignored(entity.notes, f"facet {facet.get('FacetName')}", facet, FACET_KEYS)
    key_attributes = {table.pk, table.sk} | {a for k in table.indexes.values() for a in k}
    key_attributes.discard(None)
    attributes = [str(a) for a in facet.get("NonKeyAttributes") or []]
    attributes += [a for a in dict.fromkeys(a for item in items for a in item)
                   if a not in attributes]
    names: dict[str, str] = {}  # attribute → field name
    used = set()
    for attribute in attributes:
        if attribute not in key_attributes:
            names[attribute] = identifier(attribute, used)
            used.add(names[attribute])
    aliases = facet.get("KeyAttributeAlias") or {}
    builder = _KeyBuilder(entity, table, items, types, names, used, key_attributes)
    builder.constants = constants or {}
    builder.maps = maps or {}
    pk = builder.template(table.pk, aliases.get("PartitionKeyAlias"))
    sk = builder.template(table.sk, aliases.get("SortKeyAlias")) if table.sk else None
    entity.keys.append(KeySpec("keys", None, pk, sk, builder.take_notes()))
    if not items:
        entity.notes.append(f"guess: facet {facet.get('FacetName')} has no sample items; its "
                            "keys are read from the aliases alone.")
    for index, (ipk, isk) in table.indexes.items():
        if items:
            has = [i for i in items if ipk in i and (isk is None or isk in i)]
        else:
            has = [] if ipk not in attributes else [{}]
        if not has:
            continue
        builder.items = [i for i in has if i]
        key_name = identifier(f"by_{index.lower()}", used)
        used.add(key_name)
        entity.keys.append(KeySpec(key_name, index, builder.template(ipk, None),
                                   builder.template(isk, None) if isk else None,
                                   builder.take_notes()))
    for attribute, field_name in names.items():
        if field_name not in entity.fields:
            entity.add_field(_field(field_name, attribute, types.get(attribute), table, items))
    return entity


def _field(name: str, attribute: str, kind: str | None, table: TableSpec,
           items: list[dict]) -> FieldSpec:
    spec = FieldSpec(name=name, kind=KINDS.get(kind or "S", "String"), attribute=attribute)
    if kind is None:
        kind = next((next(iter(i[attribute])) for i in items
                     if isinstance(i.get(attribute), dict) and i[attribute]), "S")
        spec.kind = KINDS.get(kind, "String")
    if attribute == table.ttl_attribute:
        spec.kind = "TTL"
    elif spec.kind == "Number":
        samples = [sample_text(i.get(attribute)) for i in items if attribute in i]
        if samples and all(s is not None and s.lstrip("-").isdigit() for s in samples):
            spec.kind = "Integer"
    return spec


class _KeyBuilder:
    """Turns inferred template parts into a template string, declaring the fields it names."""

    def __init__(self, entity: EntitySpec, table: TableSpec, items: list[dict],
                 types: dict[str, str], names: dict[str, str], used: set[str],
                 key_attributes: set) -> None:
        self.entity, self.table, self.items, self.types = entity, table, items, types
        self.names, self.used, self.key_attributes = names, used, key_attributes
        self.notes: list[str] = []
        #: key attributes spelled alike by every item (a group's ``meta``): literal text
        self.constants: dict[str, str] = {}
        #: key attributes whose template the model's MapFunction spells
        self.maps: dict[str, list[Part]] = {}
        #: key attributes already read as one bare placeholder (PK ``player001`` →
        #: ``{playerID}``): a later key holding the same value holds the same placeholder
        self.bare: dict[str, str] = {}

    def take_notes(self) -> list[str]:
        notes, self.notes = self.notes, []
        return notes

    def template(self, attribute: str, alias: str | None) -> str:
        if attribute in self.constants:
            return self.constants[attribute].replace("{", "{{").replace("}", "}}")
        samples = []
        for item in self.items:
            value = sample_text(item.get(attribute))
            if value is not None:
                others = {a: sample_text(v) for a, v in item.items()
                          if a not in self.key_attributes}
                others.update({name: sample_text(item.get(a)) for a, name in self.bare.items()})
                samples.append((value, {a: v for a, v in others.items() if v is not None}))
        mapped = attribute in self.maps
        guess = map_guess(attribute, self.maps[attribute], samples) if mapped else (
            infer_template(attribute, samples, alias))
        if not mapped and len(samples) == 1 and len(guess.parts) > 1 and any(
                p.kind != "literal" for p in guess.parts):
            # one value shows where its segments split, never which of them vary
            guess.notes.append(f"guess: {attribute}'s template is fitted to a single sample "
                               f"item ({samples[0][0]!r}); other items may spell it otherwise.")
        key_type = self.table.key_types.get(attribute, "S")
        if key_type != "S" and not (len(guess.parts) == 1 and guess.parts[0].kind != "literal"):
            guess = TemplateGuess([Part("attribute", attribute)], [
                f"guess: {attribute} is a {key_type} key, so its template is the bare value."])
        self.notes += guess.notes
        if len(guess.parts) == 1 and guess.parts[0].kind != "literal":
            self.bare.setdefault(attribute, guess.parts[0].text)
        out = []
        for part in guess.parts:
            if part.kind == "literal":
                out.append(part.text.replace("{", "{{").replace("}", "}}"))
            else:
                out.append("{" + self._declare(part, attribute, key_type) + "}")
        return "".join(out)

    def _declare(self, part: Part, key_attribute: str, key_type: str) -> str:
        if part.text in self.names:
            name = self.names[part.text]
            if name not in self.entity.fields:
                self.entity.add_field(_field(name, part.text, self.types.get(part.text),
                                             self.table, self.items))
            return name
        name = identifier(part.text, self.used)
        self.used.add(name)
        self.names[part.text] = name
        if part.text in self.key_attributes:
            # an index key holding a plain value (a date, an amount) is itself the field
            return self.entity.add_field(_field(name, part.text, self.types.get(part.text),
                                                self.table, self.items)).name
        kind = {"N": "Integer", "B": "Binary"}.get(key_type, "String")
        spec = FieldSpec(name=name, kind=kind, attribute=part.text)
        if part.kind == "guess" and part.text not in self.key_attributes:
            # Only sample items can show that an attribute is not stored; without any, the
            # alias names a segment that may well be an attribute too.
            spec.key_only = bool(self.items) and not any(part.text in i for i in self.items)
            spec.notes.append(
                f"guess: {name} lives only in {key_attribute}; no sample item has such an "
                "attribute, so it is key-only (read from the key, never written on its own)."
                if spec.key_only else
                f"guess: {name} lives only in {key_attribute}, by its alias; no sample item "
                "shows whether it is stored as well, so dynadmin writes it when it saves.")
        self.entity.add_field(spec)
        return name
