"""A design read from another tool's model file, before it is written out as Python.

Each importer fills these plain records; ``render`` writes them as a ``dynadmin.py``
definitions module. Every guess an importer makes travels as a note next to the thing it
concerns, so the generated module says where the model file was silent.
"""

from __future__ import annotations

import keyword
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..limits import MAX_NESTING_LEVELS

__all__ = ["Design", "EntitySpec", "FieldSpec", "ImportFormatError", "KeySpec", "TableSpec",
           "class_name", "identifier", "plain_default", "refuse_unreadable_names"]


class ImportFormatError(ValueError):
    """The file is not the format it was said to be (the message names what was expected)."""


#: names an Entity subclass cannot use for a field or key: they are its own machinery
RESERVED = {"keys", "objects", "build_item", "rebuild_item", "parse_item", "key",
            "index_key_attributes", "values_from_key",
            # names the generated module imports: a field named ``fields`` would hide the
            # module from the rest of its class body
            "fields", "dynadmin", "Entity", "EntityAdmin", "Key", "Listing", "Lookup", "Table"}


#: names the generated module's classes cannot take: what it imports, and the constants
CLASS_RESERVED = {"Entity", "EntityAdmin", "Key", "Listing", "Lookup", "Table", "None", "True",
                  "False"}


def identifier(name: str, taken: set[str] | None = None) -> str:
    """A Python name for an attribute name (``GSI-1`` → ``GSI_1``), unique among ``taken``.

    Any text can come in (quotes, newlines, NUL, ``x²``): what comes out is always a valid
    identifier. Python reads identifiers in NFKC form (``ﬁeld`` is ``field``), so the name is
    normalised first: two names that Python would read as one are made unique here."""
    text = re.sub(r"\W+", "_", unicodedata.normalize("NFKC", name))
    # \w holds characters no identifier may hold (``²``, a lone combining mark at the start)
    text = "".join(c if ("_" + c).isidentifier() else "_" for c in text).strip("_") or "value"
    if not text.isidentifier():
        text = f"f_{text}"
    if keyword.iskeyword(text) or text in RESERVED or text.startswith("_"):
        text = f"{text}_"
    base, n = text, 2
    while taken is not None and text in taken:
        text, n = f"{base}_{n}", n + 1
    return text


def class_name(name: str, taken: set[str] | None = None) -> str:
    """``account offers`` / ``account_offers`` → ``AccountOffers``, unique among ``taken``
    (which it joins, with the name of its admin class)."""
    words = re.split(r"[^0-9A-Za-z]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words if w) or "Item"
    text = f"E{text}" if text[0].isdigit() else text
    if text in CLASS_RESERVED:
        text += "_"
    while taken is not None and (text in taken or f"{text}Admin" in taken):
        text += "_"
    if taken is not None:
        taken |= {text, f"{text}Admin"}
    return text


@dataclass
class FieldSpec:
    name: str
    kind: str  # a class of dynadmin.fields: "String", "Integer", "Choice", "TTL"...
    attribute: str = ""  # when the stored name is not ``name``
    choices: tuple[str, ...] = ()
    required: bool = False
    #: what a new item holds until someone types another value (a format's own constant;
    #: plain JSON, written with repr)
    default: Any = None
    #: stored only inside key templates, never as an attribute (the format shows it so)
    key_only: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class KeySpec:
    name: str  # the class attribute: ``keys`` for the table's own key, ``by_gsi1``...
    index: str | None
    pk: str
    sk: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class EntitySpec:
    name: str
    table: str  # the TableSpec's name
    type_value: str = ""
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    keys: list[KeySpec] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_field(self, spec: FieldSpec) -> FieldSpec:
        return self.fields.setdefault(spec.name, spec)


@dataclass
class TableSpec:
    name: str
    pk: str
    sk: str | None
    indexes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    local_indexes: dict[str, str] = field(default_factory=dict)
    key_types: dict[str, str] = field(default_factory=dict)
    ttl_attribute: str | None = None
    type_attribute: str | None = None
    notes: list[str] = field(default_factory=list)
    #: a library that keeps items of its own in the table ("onetable"): see internal_items.py
    internal_items: str = ""


@dataclass
class Design:
    source: str  # "NoSQL Workbench model 'Credit Card Offers'"
    tables: list[TableSpec] = field(default_factory=list)
    entities: list[EntitySpec] = field(default_factory=list)
    #: about the file as a whole: keys ignored, parts not imported
    notes: list[str] = field(default_factory=list)
    #: what would fix a problem the checks may report (told beside them, not only in notes)
    hints: list[str] = field(default_factory=list)

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)


#: control characters, lone surrogates, line and paragraph separators: no tool writes them in a
#: name on purpose, and a name holding one cannot be shown, typed or searched for
UNREADABLE = {"Cc", "Cs", "Zl", "Zp"}


def refuse_unreadable_names(design: Design) -> None:
    """Raise ImportFormatError naming the first table, index, attribute or entity name that
    holds a character no name can hold."""
    names: list[tuple[str, str | None]] = []
    for table in design.tables:
        names += [("table", table.name), ("key attribute", table.pk), ("key attribute", table.sk),
                  ("TTL attribute", table.ttl_attribute), ("type attribute",
                                                           table.type_attribute)]
        names += [("index", n) for n in [*table.indexes, *table.local_indexes]]
        names += [("key attribute", a) for pair in table.indexes.values() for a in pair]
        names += [("key attribute", a) for a in table.local_indexes.values()]
    for entity in design.entities:
        names.append(("entity", entity.type_value))
        names += [("attribute", f.attribute or f.name) for f in entity.fields.values()]
    for what, name in names:
        bad = next((c for c in name or "" if unicodedata.category(c) in UNREADABLE), None)
        if bad is not None:
            raise ImportFormatError(f"the {what} name {name!r} holds {bad!r}, a character no "
                                    "name can hold; correct it in the model file.")


#: a default nested deeper than DynamoDB nests maps and lists is no value it stores
DEFAULT_DEPTH = MAX_NESTING_LEVELS


def plain_default(value: Any) -> bool:
    """Whether a format's default can be written into the module as a value: plain JSON
    (text, numbers, booleans, maps and lists) no deeper than DynamoDB stores."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > DEFAULT_DEPTH:
            return False
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return False
            stack += [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, depth + 1) for v in item]
        elif not isinstance(item, (str, int, float, bool)) or (
                isinstance(item, float) and not math.isfinite(item)):
            return False  # JSON's NaN and Infinity are no value Python writes as a literal
    return True
