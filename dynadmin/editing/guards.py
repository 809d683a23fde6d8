"""The condition each write carries, derived from what the person saw.

- with a ``Version`` field: ``version = <seen>`` and the version goes up by one;
- without one: every attribute the person changed must still hold the value it had (absent
  attributes must still be absent), so concurrent edits of *other* attributes both survive.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..data.conditions import (
    AttributeExists,
    AttributeNotExists,
    Condition,
    Equals,
    all_of,
    render_text,
)
from ..data.serialization import same_value
from ..definitions import Table

__all__ = ["ABSENT", "Guard", "bump_version", "changed_attributes", "guard_for", "marker_attribute",
           "merge", "stamp_marker", "version_attribute"]

#: An attribute the item does not have (distinct from one holding NULL).
ABSENT = object()


@dataclass
class Guard:
    """The condition a write carries, as data. Sent and audited as the same condition object,
    so the audit log's text is exactly what DynamoDB checked."""

    expected: dict[str, Any] = field(default_factory=dict)
    must_exist: str | None = None
    must_not_exist: str | None = None

    def condition(self) -> Condition:
        parts: list[Condition] = []
        if self.must_exist:
            parts.append(AttributeExists(self.must_exist))
        if self.must_not_exist:
            parts.append(AttributeNotExists(self.must_not_exist))
        for name, value in self.expected.items():
            parts.append(AttributeNotExists(name) if value is ABSENT else Equals(name, value))
        return all_of(parts)

    def describe(self) -> str:
        return render_text(self.condition())


def version_attribute(table: Table, item: Mapping[str, Any]) -> str | None:
    entity = table.classify(item)
    version = entity._meta.version_field if entity else None
    return version.attribute if version else None


def marker_attribute(table: Table, item: Mapping[str, Any]) -> str | None:
    """The attribute of the item's ``fields.WriteMarker``, if its entity declares one."""
    entity = table.classify(item)
    marker = entity._meta.write_marker if entity else None
    return marker.attribute if marker else None


def changed_attributes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The attributes whose value or type differs (N 1 becoming BOOL true is a change)."""
    names = dict.fromkeys([*before, *after])
    return [n for n in names if not same_value(before.get(n, ABSENT), after.get(n, ABSENT))]


def merge(original: Mapping[str, Any], theirs: Mapping[str, Any], mine: Mapping[str, Any],
          *, use_mine: Collection[str] = (), skip: Collection[str] = ()) -> dict[str, Any]:
    """My changes applied on top of their version ("apply mine on top of theirs").

    Each attribute only I changed takes my value; the others keep theirs. Where we both
    changed an attribute, theirs stays unless the person chose mine for it (``use_mine``):
    their change is never overwritten silently. A set chosen "mine" is merged member by
    member (my additions and removals on their members), so their added tags survive.
    ``skip`` names attributes the write derives itself (keys, the type, the version).
    """
    merged = dict(theirs)
    for name in changed_attributes(original, mine):
        if name in skip:
            continue
        old, new, current = original.get(name), mine.get(name), theirs.get(name)
        they_changed = not same_value(original.get(name, ABSENT), theirs.get(name, ABSENT))
        if they_changed and name not in use_mine:
            continue
        if all(isinstance(v, (set, frozenset)) or v is None for v in (old, new, current)) and (
                new is not None or current is not None):
            old, new, current = old or set(), new or set(), current or set()
            members = (current | (new - old)) - (old - new)
            if members:
                merged[name] = members
            else:
                merged.pop(name, None)
        elif name in mine:
            merged[name] = mine[name]
        else:
            merged.pop(name, None)
    return merged


def guard_for(table: Table, original: Mapping[str, Any], changed: list[str]) -> Guard:
    guard = Guard(must_exist=table.primary.pk)
    version = version_attribute(table, original)
    if version:
        guard.expected[version] = original.get(version, ABSENT)
    else:
        for name in changed:
            guard.expected[name] = original.get(name, ABSENT)
    return guard


def bump_version(table: Table, original: Mapping[str, Any] | None, item: dict[str, Any]
                  ) -> None:
    version = version_attribute(table, item)
    if version:
        seen = (original or {}).get(version)
        item[version] = (int(seen) + 1) if seen is not None else 1


def stamped_attributes(table: Table, item: Mapping[str, Any]) -> tuple[str, ...]:
    """The attributes ``bump_version`` and ``stamp_marker`` set on ``item``, when its entity
    declares them."""
    entity = table.classify(item)
    if entity is None:
        return ()
    meta = entity._meta
    return tuple(f.attribute for f in (meta.version_field, meta.write_marker) if f is not None)


def stamp_marker(table: Table, item: dict[str, Any]) -> None:
    """A fresh write marker on the item about to be written, when its entity declares one:
    the audit entry's after image then names the one change this write makes."""
    entity = table.classify(item)
    marker = entity._meta.write_marker if entity else None
    if marker is not None:
        item[marker.attribute] = marker.fresh()
