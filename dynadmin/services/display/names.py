"""What an item is called on every page: "Alice Liddell · alice@example.com", "Order 456 ·
2026-11-19", never ``USER#a11cebee / METADATA``.

An entity names its items with a label template (``class User(Entity, label="{name} ·
{email}")``), its admin may override ``EntityAdmin.item_label(values)`` like ``__str__``, and
without either the name comes from ``list_display``. Every page asks ``item_name()``.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...data.serialization import loads_dynamodb_json
from ...definitions import Entity, ParsedItem, Table, parse_any
from ...definitions.fields import Choice, Date, DateTime, Field, String
from ..url_keys import key_text
from .values import datetime_text, number_text, show_field

if TYPE_CHECKING:
    from ...sites import AdminSite

__all__ = ["MAX_NAME", "entity_label", "entry_name", "item_name", "label_fields",
           "parsed_name", "template_label"]

#: a name longer than this is cut, so a heading or a link stays one line
MAX_NAME = 120
_formatter = string.Formatter()


def label_fields(template: str) -> list[str]:
    """The field names a label template refers to (for the system check)."""
    return [name for _lit, name, _spec, _conv in _formatter.parse(template) if name]


def _plain(fld: Field | None, value: Any, values: Mapping[str, Any], spec: str) -> str:
    """One value as it reads inside a name: dates without relative time, money with
    its currency, no badges."""
    if spec:
        try:
            return format(value, spec)
        except (TypeError, ValueError):
            pass
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if fld is not None:
        return show_field(fld, value, values).text
    if isinstance(value, int) and not isinstance(value, bool):
        return number_text(value)
    return str(value)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != set()


def template_label(template: str, fields: Mapping[str, Field], values: Mapping[str, Any]
                   ) -> str:
    """``template`` filled from ``values``. A placeholder without a value drops out with the
    separator before it ("Order 456" when the date is missing); "" when none has a value."""
    out: list[str] = []
    filled = False
    try:
        pieces = list(_formatter.parse(template))
    except ValueError:  # a broken template (system check E013) names nothing
        return ""
    for literal, name, spec, _conv in pieces:
        if name is None:
            if filled:
                out.append(literal)
            continue
        value = values.get(name)
        if not _present(value):
            if not out:  # the template's own prefix ("Order ") stays with the first value
                out.append(literal)
            continue
        out.append(literal if filled or not out else "")
        out.append(_plain(fields.get(name), value, values, spec or ""))
        filled = True
    return _cut("".join(out).strip()) if filled else ""


def entity_label(entity: type[Entity], values: Mapping[str, Any],
                 list_display: tuple[str, ...] = ()) -> str:
    """The entity's own naming: its label template, else the first two text columns of
    ``list_display`` that are not key parts, else "<Verbose name> <id>"."""
    meta = entity._meta
    if meta.label_template:
        label = template_label(meta.label_template, meta.fields, values)
        if label:
            return label
    keys = set(meta.key_variables)
    texts = [name for name in list_display
             if name in meta.fields and name not in keys
             and isinstance(meta.fields[name], String)
             and not isinstance(meta.fields[name], Choice)
             and isinstance(values.get(name), str) and values[name].strip()]
    if texts:
        return _cut(" · ".join(values[n].strip() for n in texts[:2]))
    identity = [v for v in reversed(meta.primary_key.variables) if _present(values.get(v))
                and not isinstance(meta.fields.get(v), (Date, DateTime))]
    if identity:
        ident = identity[0]
        shown = _plain(meta.fields.get(ident), values[ident], values, "")
        return _cut(f"{meta.verbose_name} {shown}")
    return meta.verbose_name


def parsed_name(site: AdminSite | None, table: Table, parsed: ParsedItem) -> str:
    """The name of an item already typed by its entity; an unclassified item is named by its
    key."""
    if parsed.entity is None:
        return key_text(table, parsed.item)
    admin = site.get_entity_admin(parsed.entity) if site is not None else None
    if admin is not None:
        return _cut(str(admin.item_label(parsed.values)) or key_text(table, parsed.item))
    return entity_label(parsed.entity, parsed.values) or key_text(table, parsed.item)


def item_name(site: AdminSite | None, table: Table, item: Mapping[str, Any]) -> str:
    """The name of a stored item (as read, or as the audit log kept it)."""
    return parsed_name(site, table, parse_any(table, item))


def entry_name(site: AdminSite, entry: Any) -> str:
    """The name of the item an audit entry is about, from the item it kept (after the write,
    else before it, else only its key): the log stores keys, names are derived when shown,
    so a label template changed later renames old entries too. "" when the table is gone."""
    table = site.tables.get(entry.table)
    if table is None:
        return ""
    for text in (entry.after, entry.before, entry.key):
        if text:
            try:
                return item_name(site, table, loads_dynamodb_json(text))
            except (ValueError, TypeError, KeyError):
                continue
    return ""


def _cut(text: str) -> str:
    return text if len(text) <= MAX_NAME else text[:MAX_NAME - 1].rstrip() + "…"
