"""Which attribute tells the entities of a NoSQL Workbench table apart, read from samples.

Workbench never says which attribute names an item's kind. An attribute named like one
(``type``) that the sample items share groups a table without facets; an attribute every
facet's samples hold with one value of their own becomes the table's type attribute; and
when none does, the attribute that comes closest is proposed, so that a person told two
entities cannot be told apart (E004) learns which attribute would.
"""

from __future__ import annotations

from .design import EntitySpec, TableSpec
from .inference import sample_text

__all__ = ["tell_apart", "type_attribute"]


#: attribute names that say what kind of item an item is (``type``, ``entityType``...)
TYPE_NAMES = {"type", "_type", "entitytype", "itemtype", "recordtype", "kind", "entity",
              "_et", "__edb_e__", "__typename"}


def type_attribute(table: TableSpec, items: list[dict]) -> str | None:
    """The attribute named like an item type (``type``) that every sample item holds as
    text, with some value shared by several items: it says which entity an item is."""
    for attribute in dict.fromkeys(a for item in items for a in item):
        if attribute.lower().replace("-", "") not in TYPE_NAMES or attribute in (
                table.pk, table.sk):
            continue
        values = [sample_text(i[attribute]) if isinstance(i.get(attribute), dict)
                  and "S" in i[attribute] else None
                  for i in items]
        if None not in values and len(set(values)) < len(values):
            return attribute
    return None


def tell_apart(table: TableSpec, facets: list[tuple[EntitySpec, list[dict]]]) -> str:
    """An attribute every facet's samples hold with one value of their own (``Type``) tells
    the entities apart better than their keys; Workbench never says which one it is. Without
    one, what comes closest is proposed (the text returned)."""
    if len(facets) < 2 or not all(items for _, items in facets):
        return ""
    # a facet split by key shape: its entities would share one value
    split = len({e.name for e, _ in facets}) != len(facets) or any(
        "shapes of key" in note for e, _ in facets for note in e.notes)
    values: dict[str, list[str]] = {}
    for _, items in facets:
        shared = set.intersection(*(set(i) for i in items)) - {table.pk, table.sk}
        for attribute in shared:
            seen = {sample_text(i[attribute]) for i in items}
            if len(seen) == 1 and None not in seen:
                values.setdefault(attribute, []).append(seen.pop())
    found = sorted(a for a, v in values.items() if len(v) == len(facets) and len(set(v)) == len(v))
    if not found:
        return _propose(table, facets)
    if split:
        return ""
    attribute = next((a for a in found if "type" in a.lower()), found[0])
    table.type_attribute = attribute
    table.notes.append(f"guess: {attribute} names the facet of every sample item, so it is the "
                       "type attribute (dynadmin writes it on the items it creates).")
    for (entity, _), value in zip(facets, values[attribute], strict=True):
        entity.type_value = value
        dropped = [n for n, f in entity.fields.items() if f.attribute == attribute]
        entity.fields = {n: f for n, f in entity.fields.items() if f.attribute != attribute}
        # a key segment that matched the type attribute is the type value, always the same
        literal = value.replace("{", "{{").replace("}", "}}")
        for key in entity.keys:
            for name in dropped:
                key.pk = key.pk.replace("{" + name + "}", literal)
                key.sk = key.sk.replace("{" + name + "}", literal) if key.sk else key.sk
    return ""


def _propose(table: TableSpec, facets: list[tuple[EntitySpec, list[dict]]]) -> str:
    """No attribute holds one value per entity: name the one that comes closest (its values
    differ between the most entities), so that a person told two entities cannot be told
    apart (E004) knows which attribute would."""
    separated: dict[str, int] = {}
    seen_by: dict[str, list[set]] = {}
    for _, items in facets:
        for attribute in set.intersection(*(set(i) for i in items)) - {table.pk, table.sk}:
            seen_by.setdefault(attribute, []).append({sample_text(i[attribute]) for i in items})
    for attribute, sets in seen_by.items():
        if len(sets) != len(facets) or any(None in values for values in sets):
            continue
        separated[attribute] = sum(
            1 for n, values in enumerate(sets)
            if not any(values & other for m, other in enumerate(sets) if m != n))
    best = max(sorted(separated), key=lambda a: (separated[a], "type" in a.lower()),
               default=None)
    if best is None or separated[best] < 2:
        return ""
    shown = "; ".join(f"{entity.name}: {', '.join(sorted(map(str, values))[:3])}"
                      for (entity, _), values in zip(facets, seen_by[best], strict=True))
    return (
        f"guess: no attribute holds one value per entity, but {best} differs between "
        f"{separated[best]} of the {len(facets)} entities ({shown}). If `manage.py check` says "
        f"two of them cannot be told apart (E004), have the application write one {best} "
        f"value per entity and declare Table(type_attribute={best!r}) with each entity's "
        "type_value.")
