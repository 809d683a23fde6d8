"""An item as a page shows it: typed fields, other attributes, and the raw forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ... import data
from ...data.serialization import dumps_dynamodb_json, dumps_plain_json
from ...definitions import ParsedItem, Table, parse_any
from ..display.rows import dynamo_type, raw_text
from ..display.values import Shown, show, show_field

__all__ = ["AttributeRow", "ItemPresentation", "present_item", "read_item"]


def read_item(table: Table, key: dict[str, Any], *, consistent: bool = False
              ) -> dict[str, Any] | None:
    """The item at ``key`` (one GetItem), or None. Editing reads consistently, so a form
    starts from the latest version."""
    return data.get_item(table, key, consistent=consistent)


@dataclass
class AttributeRow:
    label: str
    attribute: str
    dynamo_type: str
    display: str
    error: str = ""
    is_key: bool = False
    #: where the value leads, when it is the key of another entity
    url: str = ""
    #: the value as the page shows it (services/values.py)
    value: Shown = field(default_factory=Shown)


@dataclass
class ItemPresentation:
    table: Table
    parsed: ParsedItem
    key_rows: list[AttributeRow] = field(default_factory=list)
    field_rows: list[AttributeRow] = field(default_factory=list)
    extra_rows: list[AttributeRow] = field(default_factory=list)
    #: each field's attribute and stored type, for the technical details (the rows above
    #: show values in the reader's words, without DynamoDB's type letters)
    stored_rows: list[AttributeRow] = field(default_factory=list)

    @property
    def entity_name(self) -> str:
        return self.parsed.entity_name

    @property
    def primary_key_text(self) -> str:
        """``USER#a11cebee / METADATA``: the folded Keys block's one line."""
        return " / ".join(r.display for r in self.key_rows
                          if r.attribute in self.table.primary.attributes)

    @property
    def dynamodb_json(self) -> str:
        return dumps_dynamodb_json(self.parsed.item)

    @property
    def plain_json(self) -> str:
        return dumps_plain_json(self.parsed.item)


def present_item(table: Table, item: dict[str, Any],
                 links: dict[str, str] | None = None) -> ItemPresentation:
    parsed = parse_any(table, item)
    links = links or {}
    presentation = ItemPresentation(table=table, parsed=parsed)
    key_attributes = table.key_attribute_types()
    for attribute in key_attributes:
        if attribute in item:
            presentation.key_rows.append(AttributeRow(
                label=attribute, attribute=attribute, dynamo_type=dynamo_type(item[attribute]),
                display=raw_text(item[attribute]), is_key=True))
    if parsed.entity is not None:
        beside = _currencies_beside_amounts(parsed)
        for name, fld in parsed.entity._meta.fields.items():
            if name not in parsed.values:
                continue
            if name in beside:
                presentation.stored_rows.append(_stored_row(fld.label, fld.attribute, item))
                continue
            shown = (show(parsed.values[name]) if name in parsed.errors
                     else show_field(fld, parsed.values[name], parsed.values))
            presentation.field_rows.append(AttributeRow(
                label=fld.label, attribute=fld.attribute,
                dynamo_type=dynamo_type(item[fld.attribute]) if fld.attribute in item else "key",
                display=shown.text, value=shown, error=parsed.errors.get(name, ""),
                url=links.get(name, "")))
            presentation.stored_rows.append(_stored_row(fld.label, fld.attribute, item))
    for attribute, value in parsed.extra.items():
        if attribute in key_attributes:
            continue
        shown = show(value)
        presentation.extra_rows.append(AttributeRow(
            label=attribute, attribute=attribute, dynamo_type=dynamo_type(value),
            display=shown.text if not shown.nested else raw_text(value), value=shown))
    return presentation


def _stored_row(label: str, attribute: str, item: dict[str, Any]) -> AttributeRow:
    stored = attribute in item
    return AttributeRow(label=label, attribute=attribute,
                        dynamo_type=dynamo_type(item[attribute]) if stored else "key",
                        display="" if stored else "key")


def _currencies_beside_amounts(parsed: ParsedItem) -> set[str]:
    """The fields that only name the currency of an amount shown with it ("104.99 USD"):
    a row of their own would say it twice. Kept when the currency reads wrong, so a bad
    value is never hidden."""
    assert parsed.entity is not None
    fields = parsed.entity._meta.fields
    out = set()
    for name, fld in fields.items():
        currency_field = getattr(fld, "currency_field", None)
        if (currency_field in fields and parsed.values.get(name) is not None
                and name not in parsed.errors and currency_field not in parsed.errors
                and isinstance(parsed.values.get(currency_field), str)
                and parsed.values[currency_field]):
            out.add(currency_field)
    return out
