"""Write a ``Design`` as a readable ``dynadmin.py`` definitions module.

The output is meant to be read and edited by a person: one table, then each entity with its
keys, fields and admin; every guess the importer made is a ``# guess:`` comment right above
the line it concerns.
"""

from __future__ import annotations

import string
import textwrap

from .design import Design, EntitySpec, FieldSpec, KeySpec, TableSpec, identifier
from .internal_items import internal_imports, internal_registration

__all__ = ["render"]

WIDTH = 99
#: fields a listing can offer as a menu (a partition picked from a list of values)
MENU_KINDS = {"Choice", "Boolean"}


def render(design: Design) -> str:
    lines = [f'"""dynadmin definitions imported from {_docstring_safe(design.source)}.',
             "",
             "Written by `manage.py dynadmin_import`. Lines marked `# guess:` are what the model",
             "did not say; check them against your data before relying on them.",
             '"""', "", "import dynadmin",
             "from dynadmin import Entity, EntityAdmin, Key, Listing, Lookup, Table, fields",
             *internal_imports(design.tables), ""]
    lines += _comments(design.notes, "")
    variables: dict[str, str] = {}
    for table in design.tables:
        variables[table.name] = identifier(table.name.lower(), set(variables.values()))
        lines += ["", *_table(table, variables[table.name])]
    for entity in design.entities:
        lines += ["", "", *_entity(entity, variables[entity.table])]
        lines += ["", "", *_admin(entity)]
    for table in design.tables:
        notes, code = internal_registration(table, variables[table.name])
        lines += ["", "", *_comments(notes, ""), *code] if code else []
    return "\n".join(lines).rstrip() + "\n"


def _docstring_safe(text: str) -> str:
    # a backslash would start an escape, perhaps an invalid one; the escapes _printable
    # writes afterwards are valid ones, and stand for the very characters they replace
    return _printable(text.replace("\\", "/").replace('"""', "'''"))


def _printable(text: str) -> str:
    """Text from the model file made safe for a comment or a docstring.

    Names in a model file can hold anything: a NUL stops Python from compiling the module, a
    line break would end the comment and make the rest of the name code, and a lone surrogate
    cannot be written as UTF-8. Every character that is not printable is written as its
    Python escape (``\\x00``, ``\\u2028``), which the reader can still recognise."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _comments(notes: list[str], indent: str) -> list[str]:
    out = []
    for note in map(_printable, notes):
        out += textwrap.wrap(note, WIDTH - len(indent) - 2, initial_indent=f"{indent}# ",
                             subsequent_indent=f"{indent}#   ", break_long_words=False,
                             break_on_hyphens=False)
    return out


def _call(head: str, arguments: list[str], indent: str, tail: str = ")",
          is_tuple: bool = False) -> list[str]:
    """``head(arg, arg)`` on one line when it fits, else one argument a line."""
    comma = "," if is_tuple and len(arguments) == 1 else ""
    one = f"{indent}{head}{', '.join(arguments)}{comma}{tail}"
    if len(one) <= WIDTH:
        return [one]
    inner = indent + "    "
    return [f"{indent}{head}", *[f"{inner}{a}," for a in arguments], f"{indent}{tail}"]


def _table(table: TableSpec, variable: str) -> list[str]:
    arguments = [repr(table.name), f"pk={table.pk!r}", f"sk={table.sk!r}"]
    if table.indexes:
        arguments.append(_mapping("indexes", table.indexes))
    if table.local_indexes:
        arguments.append(f"local_indexes={table.local_indexes!r}")
    if table.key_types:
        arguments.append(f"key_types={table.key_types!r}")
    if table.ttl_attribute:
        arguments.append(f"ttl_attribute={table.ttl_attribute!r}")
    if table.type_attribute:
        arguments.append(f"type_attribute={table.type_attribute!r}")
    return [*_comments(table.notes, ""), *_call(f"{variable} = Table(", arguments, "")]


def _mapping(name: str, mapping: dict) -> str:
    one = f"{name}={mapping!r}"
    if len(one) <= WIDTH - 8:
        return one
    items = "".join(f"        {k!r}: {v!r},\n" for k, v in mapping.items())
    return f"{name}={{\n{items}    }}"


def _entity(entity: EntitySpec, table_variable: str) -> list[str]:
    options = [f"table={table_variable}"]
    if entity.type_value:
        options.append(f"type_value={entity.type_value!r}")
    lines = [*_comments(entity.notes, ""),
             *_call(f"class {entity.name}(Entity, ", options, "", "):")]
    lines += [f'    """{entity.name}, as the model describes it."""', ""]
    for key in entity.keys:
        lines += _key(key)
    if entity.keys:
        lines.append("")
    for spec in entity.fields.values():
        lines += _field(spec)
    return lines


def _key(key: KeySpec) -> list[str]:
    arguments = [repr(key.index)] if key.index else []
    arguments.append(f"pk={key.pk!r}")
    if key.sk is not None:
        arguments.append(f"sk={key.sk!r}")
    return [*_comments(key.notes, "    "), *_call(f"{key.name} = Key(", arguments, "    ")]


def _field(spec: FieldSpec) -> list[str]:
    arguments = [repr(c) for c in spec.choices]
    if spec.key_only:
        arguments.append("key_only=True")
    elif spec.attribute and spec.attribute != spec.name:
        arguments.append(f"attribute={spec.attribute!r}")
    if spec.required:
        arguments.append("required=True")
    if spec.default is not None:
        arguments.append(f"default={spec.default!r}")
    return [*_comments(spec.notes, "    "),
            *_call(f"{spec.name} = fields.{spec.kind}(", arguments, "    ")]


def _variables(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _admin(entity: EntitySpec) -> list[str]:
    lookups, listings, labels = [], [], set()
    for key in entity.keys:
        names = _variables(key.pk)
        kinds = {entity.fields[n].kind for n in names if n in entity.fields}
        if not names or kinds <= MENU_KINDS:
            label = f"{entity.name} by {', '.join(names)}" if names else f"Every {entity.name}"
            order = [n for n in _variables(key.sk or "") if n not in names]
            label += f", by {', '.join(order)}" if order else ""
            label += f" ({key.index})" if label in labels and key.index else ""
            labels.add(label)
            listings.append(f"Listing({key.name!r}, label={label!r})")
        elif key.index:
            label = f"{entity.name} by {', '.join(names)}"
            lookups.append(f"Lookup({key.name!r}, label={label!r})")
    keyed = {n for key in entity.keys for n in _variables(key.pk) + _variables(key.sk or "")}
    shown = [n for n in entity.fields if n in keyed][:2]
    shown += [n for n, f in entity.fields.items()
              if n not in keyed and f.kind not in ("Map", "List")][:4 - len(shown)]
    lines = ["@dynadmin.register(" + entity.name + ")",
             f"class {entity.name}Admin(EntityAdmin):"]
    if shown:
        lines += _call("list_display = (", [repr(n) for n in shown], "    ", is_tuple=True)
    if lookups:
        lines += _call("lookups = (", lookups, "    ", is_tuple=True)
    if listings:
        lines += _call("listings = (", listings, "    ", is_tuple=True)
    if len(lines) == 2:
        lines.append("    pass")
    return lines
