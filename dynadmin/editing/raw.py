"""What a raw (DynamoDB JSON) edit may write: the rules a generated form enforces by
construction, checked on a whole item a person typed.

A form never offers read-only fields, the Version, the write marker or key attributes: it
computes keys from the templates. A raw edit can type anything, so the item it would write is
checked here: read-only attributes, the version and the write marker keep their values, the
primary key must be the one the entity's template spells from the item's values, and
secondary-index keys are recomputed from the templates (a value the person typed that
disagrees with them is refused, since it would put the item in another item's place in that
index).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.utils.translation import gettext as _

from ..data.serialization import dumps_plain_json, same_value
from ..definitions import Entity, KeyTemplateError, Table
from ..definitions.fields import FieldError
from .guards import ABSENT, marker_attribute, version_attribute
from .validation import ItemInvalid

__all__ = ["check_raw_item", "protected_attributes"]


def protected_attributes(table: Table, original: Mapping[str, Any],
                         readonly: Collection[str]) -> list[str]:
    """The attributes of ``original`` a person may not change: read-only fields (by field
    name, as ``readonly_fields`` names them), the Version and the write marker."""
    entity = table.classify(original)
    names: list[str] = []
    if entity is not None:
        fields = entity._meta.fields
        names += [fields[name].attribute for name in readonly if name in fields]
    for derived in (version_attribute(table, original), marker_attribute(table, original)):
        if derived and derived not in names:
            names.append(derived)
    return names


def _index_attributes(entity: type[Entity]) -> list[str]:
    return list(dict.fromkeys(a for key in entity._meta.index_keys.values()
                              for a in key.index.attributes))


def check_raw_item(table: Table, original: Mapping[str, Any], new_item: Mapping[str, Any], *,
                   readonly: Collection[str] = ()) -> dict[str, Any]:
    """The item a raw edit of ``original`` would write, with its index keys recomputed from
    the templates; ItemInvalid when it changes a protected attribute or its keys disagree
    with the templates of the entity it would belong to."""
    item = dict(new_item)
    problems = []
    changed = [a for a in protected_attributes(table, original, readonly)
               if not same_value(original.get(a, ABSENT), item.get(a, ABSENT))]
    if changed:
        problems.append(_("%(names)s cannot be changed: read-only here, as in the form.")
                        % {"names": ", ".join(changed)})
    entity = table.classify(item)
    if entity is not None:
        problems += _fit_templates(table, entity, original, item)
    if problems:
        raise ItemInvalid(problems)
    return item


def _fit_templates(table: Table, entity: type[Entity], original: Mapping[str, Any],
                   item: dict[str, Any]) -> list[str]:
    """Keys as ``entity``'s templates spell them from the item's values (``item`` is updated
    with the recomputed index keys); the problems found."""
    values = entity.parse_item(item).values
    try:
        primary = entity.key(values)
        indexed = entity.index_key_attributes(values)
    except (FieldError, KeyTemplateError) as exc:
        return [_("The keys of a %(thing)s cannot be built from this item: %(error)s")
                % {"thing": entity._meta.verbose_name, "error": exc}]
    problems = []
    if primary != table.key_of(item):
        problems.append(_("The key does not match the %(thing)s key template: its values "
                          "spell %(expected)s.") % {"thing": entity._meta.verbose_name,
                                                    "expected": dumps_plain_json(primary,
                                                                                 indent=None)})
    for attribute in _index_attributes(entity):
        typed, expected = item.get(attribute, ABSENT), indexed.get(attribute, ABSENT)
        if typed != expected and typed != original.get(attribute, ABSENT):
            problems.append(_("%(name)s disagrees with the index key template (%(expected)s); "
                              "leave it as it was and it is recomputed.")
                            % {"name": attribute, "expected": "—" if expected is ABSENT
                               else dumps_plain_json(expected, indent=None)})
        elif expected is ABSENT:
            item.pop(attribute, None)
        else:
            item[attribute] = expected
    return problems
