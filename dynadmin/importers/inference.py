"""Key templates inferred from sample items, for formats that show keys but never spell them.

NoSQL Workbench facets name their keys by alias (``AccountId``) and hold sample items
(``PK = ACCT#76584123``, ``AccountId = 76584123``): the template is what the samples share,
``ACCT#{AccountId}``. A segment that equals one of the item's own attributes in every sample
is that attribute; a segment every sample spells the same way and that reads as a label
(``ACCT``, ``METADATA``) is literal text; anything else is a guess, named after the alias.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Part", "TemplateGuess", "infer_template", "label_of", "prefix_groups",
           "sample_text", "shape_groups", "shared_labels", "template_from_alias"]

#: a segment that reads as a label rather than a value: letters, "_" and "-", no digits
LABEL = re.compile(r"[A-Za-z_][A-Za-z_\-]*\Z")
SEPARATORS = ("#", "|", "~", ":")
TIME = re.compile(r"\d:\d\d")


@dataclass(frozen=True)
class Part:
    kind: str  # "literal", "attribute" (an attribute of the item) or "guess" (a name made up)
    text: str


@dataclass
class TemplateGuess:
    parts: list[Part]
    notes: list[str] = field(default_factory=list)


def infer_template(attribute: str, samples: Sequence[tuple[str, Mapping[str, str]]],
                   alias: str | None = None) -> TemplateGuess:
    """The template of ``attribute`` from ``(key value, the item's other attributes as
    text)`` pairs; ``alias`` is the name the model gives the key, if any."""
    if not samples:
        return template_from_alias(attribute, alias)
    whole = _same_attribute([(value, attrs) for value, attrs in samples])
    if whole:
        return TemplateGuess([Part("attribute", whole)])
    separator = _separator([v for v, _ in samples])
    if separator is None:
        return _single_guess(attribute, samples, alias)
    shapes = Counter(len(v.split(separator)) for v, _ in samples)
    count, _ = shapes.most_common(1)[0]
    chosen = [(v.split(separator), attrs) for v, attrs in samples
              if len(v.split(separator)) == count]
    notes = []
    if len(chosen) < len(samples):
        notes.append(f"guess: {len(samples) - len(chosen)} of {len(samples)} sample "
                     f"{attribute} values have another shape and were not used.")
    parts: list[Part] = []
    for position in range(count):
        segments = [(segs[position], attrs) for segs, attrs in chosen]
        name = _same_attribute(segments)
        texts = {text for text, _ in segments}
        if name:
            parts.append(Part("attribute", name))
        elif len(texts) == 1 and (LABEL.match(next(iter(texts))) or not next(iter(texts))):
            parts.append(Part("literal", next(iter(texts))))
        else:
            parts.append(Part("guess", ""))
    parts = _name_guesses(parts, attribute, alias, separator, notes, chosen)
    joined: list[Part] = []
    for i, part in enumerate(parts):
        if i:
            joined.append(Part("literal", separator))
        joined.append(part)
    return TemplateGuess(_merge_literals(joined), notes)


def template_from_alias(attribute: str, alias: str | None) -> TemplateGuess:
    """Without samples only the alias is left: ``USER#<id>`` → ``USER#{id}``, ``UserId`` →
    ``{UserId}``."""
    note = (f"guess: no sample item shows {attribute}; its template is read from the alias "
            f"{alias!r}.") if alias else f"guess: nothing shows how {attribute} is spelled."
    if not alias or alias == attribute:
        return TemplateGuess([Part("guess", attribute)], [note])
    separator = next((s for s in SEPARATORS if s in alias), None)
    pieces = alias.split(separator) if separator else [alias]
    parts: list[Part] = []
    for i, piece in enumerate(pieces):
        if i:
            parts.append(Part("literal", separator or ""))
        bare = piece.strip("<>{}[]$ ")
        if piece.isupper() and LABEL.match(piece):
            parts.append(Part("literal", piece))
        else:
            parts.append(Part("guess", bare or f"{attribute}_{i}"))
    return TemplateGuess(_merge_literals(parts), [note])


def _separator(values: Sequence[str]) -> str | None:
    # ":" separates segments only where it is not part of a time of day (2023-05-21T14:15).
    for candidate in SEPARATORS:
        if candidate == ":" and any(TIME.search(v) for v in values):
            continue
        if any(candidate in v for v in values):
            return candidate
    return None


def _same_attribute(segments: Sequence[tuple[str, Mapping[str, str]]]) -> str | None:
    """The one attribute whose value is the segment in every sample, if there is one."""
    common: set[str] | None = None
    for text, attrs in segments:
        names = {name for name, value in attrs.items() if value == text and text != ""}
        common = names if common is None else common & names
        if not common:
            return None
    return sorted(common)[0] if common else None


def _single_guess(attribute: str, samples: Sequence[tuple[str, Mapping[str, str]]],
                  alias: str | None) -> TemplateGuess:
    texts = {v for v, _ in samples}
    if len(texts) == 1 and len(samples) > 1 and LABEL.match(next(iter(texts))):
        return TemplateGuess([Part("literal", next(iter(texts)))])
    if len(texts) == 1 and LABEL.match(next(iter(texts))) and next(iter(texts)).isupper():
        return TemplateGuess([Part("literal", next(iter(texts)))], [
            f"guess: the only sample {attribute} is {next(iter(texts))!r}; taken as constant."])
    if not alias or alias == attribute:
        # An index key holding a plain value (a date, an email) is that attribute itself.
        return TemplateGuess([Part("attribute", attribute)])
    name = alias
    return TemplateGuess([Part("guess", name)], [
        f"guess: {attribute} matches no attribute of the sample items; {{{name}}} is made up "
        "from the key's alias."])


def _name_guesses(parts: list[Part], attribute: str, alias: str | None, separator: str,
                  notes: list[str], chosen: Sequence) -> list[Part]:
    """Name the guessed segments after the alias's pieces that are not literal text."""
    guesses = [i for i, p in enumerate(parts) if p.kind == "guess"]
    if not guesses:
        return parts
    literals = {p.text for p in parts if p.kind == "literal"}
    taken = {p.text for p in parts if p.kind == "attribute"}
    pieces = [p.strip("<>{}[]$ ") for p in (alias or "").split(separator)]
    pieces = [p for p in pieces if p and p not in literals and p not in taken and p != attribute]
    if len(pieces) != len(guesses):
        pieces = [f"{attribute}_{n + 1}" for n in range(len(guesses))]
    named = list(parts)
    for position, name in zip(guesses, pieces, strict=True):
        named[position] = Part("guess", name)
        example = chosen[0][0][position]
        notes.append(f"guess: {{{name}}} is {attribute}'s segment {position + 1} (e.g. "
                     f"{example!r}), which matches no attribute of the sample items.")
    return named


def _merge_literals(parts: list[Part]) -> list[Part]:
    merged: list[Part] = []
    for part in parts:
        if part.kind == "literal" and merged and merged[-1].kind == "literal":
            merged[-1] = Part("literal", merged[-1].text + part.text)
        elif part.kind != "literal" or part.text:
            merged.append(part)
    return merged


def shape_groups(keys: Sequence[Sequence[str]]) -> list[tuple[str, list[int]]]:
    """Sample items (their key values) grouped by the shape of their keys, largest first.

    A facet sometimes shows several kinds of item under one name (a vehicle's ``#META#``
    item and its ``FEATURE#AUTODRIVE`` items): one template cannot spell both, so each shape
    becomes an entity of its own. A key's shape is the first label of its sort key (``META``,
    else of its partition key); keys of one label in several lengths stay one entity, whose
    template follows the most common length."""
    groups: dict[str, list[int]] = {}
    for position, values in enumerate(keys):
        groups.setdefault(_label(values), []).append(position)
    ordered = sorted(groups.items(), key=lambda group: (-len(group[1]), group[1][0]))
    return [(label, members) for label, members in ordered]


def _segments(value: str) -> list[str]:
    separator = _separator([value])
    return value.split(separator) if separator else [value]


def _label(values: Sequence[str]) -> str:
    for value in reversed(values):
        for segment in _segments(value):
            if LABEL.match(segment):
                return "".join(w.capitalize() for w in re.split(r"[_\-]", segment) if w)
    return ""


def label_of(segment: str) -> str | None:
    """A key segment that reads as a label (``ACCT``, ``meta``, a quoted ``"info"``)."""
    text = segment.strip("\"'")
    return text if text and LABEL.match(text) else None


def shared_labels(values: Sequence[str], own: Sequence[set[str]] | None = None) -> list[str]:
    """The labels every value has at the same place (``u``, ``post`` of ``u#12345#post``),
    but for a segment that is an attribute's value in some item (``own``)."""
    split = [_segments(value) for value in values]
    seen = set().union(*own) if own else set()
    return [label for n, segment in enumerate(split[0])
            if (label := label_of(segment)) and segment not in seen
            and all(len(s) > n and s[n] == segment for s in split)]


def prefix_groups(keys: Sequence[Sequence[str]], values: Sequence[set[str]] | None = None
                  ) -> list[tuple[list[str], list[int]]]:
    """Sample items of a table without facets, grouped into the entities they look like,
    with the labels that set each group apart, in the order the samples show them.

    Items go together when each of their keys begins with the same label (``ACCT`` of
    ``ACCT#76584123``; a key that begins with a value has none) and has as many segments. A
    group is split again by a label further in (``follower`` of ``u#12345#follower``) only
    when every such label recurs: a label seen once (``Music`` of ``Room:Music``) is a value.
    A segment that is also the value of one of the item's own attributes (``Liz`` of
    ``Liz#SHIPPED`` when the item's ``customer`` is ``Liz``) is a value too (``values``: each
    item's attribute values).
    """
    own = values or [set() for _ in keys]
    groups: dict[tuple, list[int]] = {}
    for position, key_values in enumerate(keys):
        shape: list = []
        for value in key_values:
            segments = _segments(value)
            label = label_of(segments[0]) if segments[0] not in own[position] else None
            shape += [label or "", len(segments)]
        groups.setdefault(tuple(shape), []).append(position)
    found = [([str(s) for s in shape[::2] if s], members) for shape, members in groups.items()]
    for key in range(max((len(v) for v in keys), default=0)):
        width = max((len(_segments(v[key])) for v in keys if len(v) > key), default=0)
        for segment in range(1, width):
            found = [part for group in found for part in _split(keys, group, key, segment, own)]
    return sorted(found, key=lambda group: group[1][0])


def _split(keys: Sequence[Sequence[str]], group: tuple[list[str], list[int]], key: int,
           segment: int, own: Sequence[set[str]]) -> list[tuple[list[str], list[int]]]:
    labels, members = group
    at = {}
    for member in members:
        segments = _segments(keys[member][key]) if len(keys[member]) > key else []
        at[member] = label_of(segments[segment]) if len(segments) > segment and (
            segments[segment] not in own[member]) else None
    counts = Counter(at.values())
    if None in counts or len(counts) < 2 or min(counts.values()) < 2:
        return [group]
    return [([*labels, str(label)], [m for m in members if at[m] == label]) for label in counts]


def sample_text(value: Any) -> str | None:
    """A sample attribute as text, for matching against key segments (scalars only)."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (kind, inner), = value.items()
    if kind in ("S", "N"):
        return str(inner)
    if kind == "BOOL":
        return "true" if inner else "false"
    return None
