"""Resolving a conflict: what differs between the three versions, field by field, and the
item to write once the person has chosen.

A conflict page lists only what a person can decide about: the fields (by their labels) whose
values differ, never the attributes a write derives itself (primary and index keys, the type
attribute, the Version counter, which every save bumps, and the write marker, which every
save sets afresh). Fields only I changed are applied on top of theirs; fields only they
changed stay theirs; where we both changed a field the person chooses per field, and theirs
stays unless they choose mine.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from ..data.serialization import same_value
from ..definitions import Entity, Table
from ..definitions.fields import FieldError
from ..definitions.keys import KeyTemplateError
from .guards import ABSENT, marker_attribute, merge, version_attribute

__all__ = ["Difference", "derived_attributes", "differences", "resolved_item"]

ONLY_MINE, ONLY_THEIRS, BOTH = "mine", "theirs", "both"


@dataclass
class Difference:
    """One field whose value differs between what was read, what is there and what I meant."""

    attribute: str
    label: str
    original: Any
    theirs: Any
    mine: Any
    #: who changed it since it was read: ONLY_MINE, ONLY_THEIRS or BOTH
    changed_by: str


def derived_attributes(table: Table, *items: Mapping[str, Any] | None) -> set[str]:
    """Attributes the write computes itself: keys of the table and its indexes, the type
    attribute, each version counter and each write marker."""
    derived = set(table.key_attribute_types())
    if table.type_attribute:
        derived.add(table.type_attribute)
    for item in items:
        if item:
            derived.update(a for a in (version_attribute(table, item),
                                       marker_attribute(table, item)) if a)
    return derived


def _entity(table: Table, *items: Mapping[str, Any] | None) -> type[Entity] | None:
    return next((e for e in (table.classify(i) for i in items if i) if e is not None), None)


def _label(entity: type[Entity] | None, attribute: str) -> str:
    if entity is not None:
        for fld in entity._meta.fields.values():
            if fld.attribute == attribute:
                return str(fld.label)
    return attribute


def differences(table: Table, original: Mapping[str, Any], theirs: Mapping[str, Any] | None,
                mine: Mapping[str, Any] | None) -> list[Difference]:
    """The fields a person decides about, in the order the item holds them. ``mine`` is
    None for a delete, ``theirs`` None when they deleted the item."""
    entity = _entity(table, original, theirs, mine)
    skip = derived_attributes(table, original, theirs, mine)
    found: list[Difference] = []
    names = dict.fromkeys([*original, *(theirs or {}), *(mine or {})])
    for name in names:
        if name in skip:
            continue
        was = original.get(name, ABSENT)
        they = theirs is not None and not same_value(theirs.get(name, ABSENT), was)
        i = mine is not None and not same_value(mine.get(name, ABSENT), was)
        if not (they or i):
            continue
        same_change = they and i and same_value(theirs.get(name, ABSENT), mine.get(name, ABSENT))
        changed_by = BOTH if they and i and not same_change else (
            ONLY_THEIRS if they else ONLY_MINE)
        found.append(Difference(
            attribute=name, label=_label(entity, name), original=original.get(name, ABSENT),
            theirs=(theirs or {}).get(name, ABSENT), mine=(mine or {}).get(name, ABSENT),
            changed_by=changed_by))
    return found


def resolved_item(table: Table, original: Mapping[str, Any], theirs: Mapping[str, Any],
                  mine: Mapping[str, Any], use_mine: Collection[str]) -> dict[str, Any]:
    """Mine on top of theirs, with the person's per-field choices, its keys and index keys
    computed again from the merged fields (a field I changed may move the item; a field
    whose change of theirs was kept keeps their index keys)."""
    skip = derived_attributes(table, original, theirs, mine)
    merged = merge(original, theirs, mine, use_mine=use_mine, skip=skip)
    entity = _entity(table, mine, theirs)
    if entity is None:
        # Unclassified: only mine can say where the item is meant to be.
        return merged | {n: mine[n] for n in table.primary.attributes if n in mine}
    parsed = entity.parse_item(merged)
    if parsed.errors:
        return merged
    # The fields whose stored attribute the merge changed: their keys are spelt again.
    changes = {name: parsed.values.get(name) for name, _field, attribute
               in entity._meta.field_attributes
               if attribute is not None
               and not same_value(merged.get(attribute, ABSENT), theirs.get(attribute, ABSENT))}
    try:
        item = entity.rebuild_item(merged, changes)
    except (FieldError, KeyTemplateError):
        return merged
    version = version_attribute(table, theirs)
    if version and version in theirs:
        item[version] = theirs[version]
    return item
