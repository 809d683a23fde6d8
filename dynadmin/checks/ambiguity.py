"""E004 and W001: entities of one table that the classifier cannot tell apart.

An item is an entity's when its type attribute holds the entity's type value, else when its
keys parse with the entity's key templates. Two entities sharing a type value, or whose keys
look alike on a table without a type attribute, are an error; look-alike keys beside a type
attribute are a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.checks import Error, Warning

from ..definitions import Entity, KeyTemplateError

__all__ = ["check_ambiguity"]


def check_ambiguity(entities: Iterable[type[Entity]]) -> list:
    """E004 / W001 over a table's entities, in time and output linear in their number.

    Comparing every pair would be quadratic, and a generated module can declare thousands
    of entities: entities are grouped by type value, and each entity's example key is
    compared only with the entities whose templates begin with a prefix of that key (a key
    template parses a key only when the key begins with the template's leading text)."""
    errors: list = []
    entities = list(entities)
    by_type: dict[Any, list[type[Entity]]] = {}
    for entity in entities:
        by_type.setdefault(entity._meta.type_value, []).append(entity)
    for group in by_type.values():
        for entity in group[1:]:
            if entity._meta.table.type_attribute:
                errors.append(Error(
                    f"{group[0]._meta.label} and {entity._meta.label} share the type value "
                    f"{entity._meta.type_value!r}.",
                    hint="Give one of them type_value=... in its class statement.",
                    obj=entity, id="dynadmin.E004"))
    overlaps = _overlaps(entities)
    for position, entity in enumerate(entities):
        meta = entity._meta
        type_attribute = meta.table.type_attribute
        others = [other for other in overlaps.get(position, ())
                  if not (type_attribute and entities[other]._meta.type_value == meta.type_value)]
        if not others:
            continue
        labels = [entities[other]._meta.label for other in others[:NAMED]]
        labels += ["others"] if len(others) > NAMED else []
        names = " and ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1
                             else labels)
        if type_attribute:
            errors.append(Warning(
                f"Keys of {meta.label} can look like those of {names}; items without the "
                f"{type_attribute!r} attribute may be misclassified.",
                obj=entity, id="dynadmin.W001"))
        else:
            errors.append(Error(
                f"{meta.label} cannot be told apart from {names}: their key templates match "
                "the same keys and the table has no type attribute.",
                hint='Add a distinguishing literal to a template (e.g. "PROFILE#{id}") or '
                     'Table(type_attribute="type").',
                obj=entity, id="dynadmin.E004"))
    return errors


#: how many look-alikes a message names: it stays short however many entities there are
NAMED = 3


def _leading_text(template: Any) -> str:
    first = template.parts[0] if template.parts else ""
    return first if isinstance(first, str) else ""


def _overlaps(entities: list[type[Entity]]) -> dict[int, list[int]]:
    """For each entity (by position), earlier ones whose keys can look like its keys (a key
    one makes parses as the other's, probed with examples): at most one more than a message
    names, so that the work stays linear even when every entity looks like every other.

    Entities whose key templates read keys alike (the same patterns) are compared once, as
    one: each of them looks like the others."""
    alike: dict[tuple, list[int]] = {}
    probes: dict[tuple, dict] = {}
    for position, entity in enumerate(entities):
        meta = entity._meta
        try:
            key = meta.primary_key
            probe = {meta.table.pk: key.pk.example()}
            if key.sk is not None and meta.table.sk:
                probe[meta.table.sk] = key.sk.example()
            shape = (meta.table.pk, _reads(key.pk), _reads(key.sk) if key.sk is not None
                     else None)
        except (LookupError, KeyTemplateError, ValueError):
            continue  # reported by the key checks
        alike.setdefault(shape, []).append(position)
        probes.setdefault(shape, probe)
    shapes = list(alike)
    #: leading text of the partition template → of the sort template → shapes
    index: dict[str, dict[str, list[int]]] = {}
    for number, shape in enumerate(shapes):
        key = entities[alike[shape][0]]._meta.primary_key
        sort = _leading_text(key.sk) if key.sk is not None else ""
        index.setdefault(_leading_text(key.pk), {}).setdefault(sort, []).append(number)
    lengths: dict[str | None, list[int]] = {text: sorted({len(t) for t in sorts})
                                            for text, sorts in index.items()}
    lengths[None] = sorted({len(text) for text in index})
    similar: dict[int, set[int]] = {}  # shape → earlier shapes that look like it
    for number, shape in enumerate(shapes):
        table = entities[alike[shape][0]]._meta.table
        probe = probes[shape]
        for other in _candidates(index, lengths, str(probe[table.pk]),
                                 str(probe.get(table.sk, "")) if table.sk else ""):
            first, second = sorted((number, other))
            known = similar.setdefault(second, set())
            if other == number or first in known or len(known) > NAMED:
                continue
            if entities[alike[shapes[other]][0]]._meta.primary_key.parse(probe) is not None:
                known.add(first)
    found: dict[int, list[int]] = {}
    for number, shape in enumerate(shapes):
        earlier_shapes = [alike[shapes[other]][0] for other in sorted(similar.get(number, ()))]
        for n, position in enumerate(alike[shape]):
            others = alike[shape][:n][:NAMED + 1] + earlier_shapes
            if others:
                found[position] = sorted(others)[:NAMED + 1]
    return found


def _reads(template: Any) -> tuple:
    """What a template's regular expression would be made of, without compiling it: two
    templates of the same parts read the same keys."""
    return tuple(part if isinstance(part, str) else part.pattern(template._field(part.name))
                 for part in template.parts)


def _candidates(index: dict[str, dict[str, list[int]]], lengths: dict[str | None, list[int]],
                pk: str, sk: str) -> list[int]:
    """The entities whose templates' leading texts begin the partition and sort key values.

    Only the lengths some leading text has (``lengths``: of the partition templates' under
    None, of the sort templates' under each partition text) are tried: a key thousands of
    characters long costs one lookup per such length, not one per character."""
    out: list[int] = []
    for end in lengths[None]:
        if end > len(pk):
            break
        sorts = index.get(pk[:end])
        if sorts is None:
            continue
        for sort_end in lengths[pk[:end]]:
            if sort_end > len(sk):
                break
            out += sorts.get(sk[:sort_end], ())
    return out
