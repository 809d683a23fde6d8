"""What one stream record changed, attribute by attribute, in the entity's words.

Both images are parsed through the entity's definitions (the new image's entity, else the
old one's), so a change reads "Status: PAID → SHIPPED" with the field's label and typed
display, not ``{"S": "PAID"}``. Key attributes are left out: a record is about one key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...definitions import ParsedItem, Table, parse_any
from ...definitions.fields import Field, WriteMarker
from ..display.values import Shown, show, show_field

__all__ = ["AttributeChange", "attribute_changes"]


@dataclass(frozen=True)
class AttributeChange:
    """One attribute before and after (None: absent on that side)."""

    label: str
    attribute: str
    before: Shown | None
    after: Shown | None
    #: the stored values (None: absent), for JSON
    old: Any = None
    new: Any = None

    @property
    def kind(self) -> str:
        """``added``, ``removed`` or ``changed``: the row's look."""
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"


def attribute_changes(table: Table, old: Mapping[str, Any] | None,
                      new: Mapping[str, Any] | None, *,
                      typed: dict[int, ParsedItem] | None = None) -> list[AttributeChange]:
    """The attributes that differ between the images: the entity's fields in their declared
    order, then the undeclared ones by name. ``typed``: the images typed already, by their
    ``id``, for changes shown together that share images (``reading.archived_change``); it
    must not outlive them."""
    entity = (new and table.classify(new)) or (old and table.classify(old)) or None
    if typed is None:
        typed = {}

    def parsed(image: Mapping[str, Any] | None) -> ParsedItem | None:
        """The image typed as its entity: only once a declared field of it is shown (most
        changes touch a field or two, and many only the write marker)."""
        if not image:
            return None
        if id(image) not in typed:
            typed[id(image)] = parse_any(table, image)
        return typed[id(image)]

    skipped = set(table.key_attribute_types())
    fields: list[tuple[str, Field | None]] = []
    if entity is not None:
        # the write marker is dynadmin's bookkeeping, a new token with every write
        skipped.update(f.attribute for f in entity._meta.fields.values()
                       if isinstance(f, WriteMarker))
        fields = [(name, fld) for name, fld in entity._meta.fields.items()
                  if fld.attribute not in skipped]
    declared = {fld.attribute for _, fld in fields if fld is not None}
    others = sorted((set(old or {}) | set(new or {})) - declared - skipped)
    changes = []
    for name, fld in fields + [(attribute, None) for attribute in others]:
        attribute = fld.attribute if fld is not None else name
        before, after = (old or {}).get(attribute), (new or {}).get(attribute)
        in_old, in_new = attribute in (old or {}), attribute in (new or {})
        if in_old == in_new and before == after:
            continue
        changes.append(AttributeChange(
            label=fld.label if fld is not None else attribute, attribute=attribute,
            before=_shown(parsed(old) if fld is not None else None, name, fld, before)
            if in_old else None,
            after=_shown(parsed(new) if fld is not None else None, name, fld, after)
            if in_new else None,
            old=before, new=after))
    return changes


def _shown(parsed: ParsedItem | None, name: str, fld: Field | None, raw: Any) -> Shown:
    if fld is None or parsed is None or parsed.entity is None or name not in parsed.values:
        return show(raw)
    if name in parsed.errors:
        return show(parsed.values[name])
    return show_field(fld, parsed.values[name], parsed.values)
