"""Key templates: the single source of truth for how an entity's keys look.

One ``KeyTemplate`` such as ``ORDER#{placed_on}#{order_id}`` formats a key from attributes, parses
a key back into attributes, builds the ``begins_with`` prefix of a partly known sort key, and
lets the classifier tell which entity an item belongs to. Nothing else in dynadmin knows how a
key is spelled.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .fields import Field, FieldError, String
from .placeholders import Placeholder

if TYPE_CHECKING:
    from .entities import Entity
    from .tables import Index

__all__ = ["HIGHEST_CHARACTER", "Key", "KeyQuery", "KeyTemplate", "KeyTemplateError",
           "MissingKeyValue"]

#: DynamoDB orders strings by their UTF-8 bytes, and no character encodes higher than
#: U+10FFFF: a prefix followed by it is at least every key that begins with that prefix (a
#: key would have to hold U+10FFFF itself, right after the prefix, to sort above it).
HIGHEST_CHARACTER = "\U0010ffff"


class KeyTemplateError(ValueError):
    """A template that cannot format or parse the value it was given."""


class MissingKeyValue(KeyTemplateError):
    def __init__(self, template: str, name: str) -> None:
        super().__init__(f"{template}: needs a value for {{{name}}}")
        self.name = name


class KeyTemplate:
    """A key spelled as literal text around ``{field}`` or ``{field:spec}`` placeholders.

    A spec is the field's own format (``{n:08d}``, ``{day:%Y%m%d}``) or padding at the
    start (``{order_id:0>7}``), then optionally the key's casing (``{email:lower}``):
    see ``placeholders.py``.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        self.parts: list[str | Placeholder] = []
        for literal, name, spec, conversion in string.Formatter().parse(template):
            if literal:
                self.parts.append(literal)
            if name is not None:
                if not name.isidentifier() or conversion:
                    raise KeyTemplateError(f"{template!r}: bad placeholder {{{name}}}")
                try:
                    self.parts.append(Placeholder.from_spec(name, spec or ""))
                except ValueError as exc:
                    raise KeyTemplateError(f"{template!r}: {exc}") from None
        self.fields: dict[str, Field] = {}
        self.unknown_fields: tuple[str, ...] = ()
        self._regex: re.Pattern[str] | None = None
        self._spelling: list[tuple[str | Placeholder, str, re.Pattern[str] | None,
                                   Field | None]] | None = None

    def __repr__(self) -> str:
        return f"KeyTemplate({self.template!r})"

    def __str__(self) -> str:
        return self.template

    # -- shape ----------------------------------------------------------------------------
    @cached_property
    def variables(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parts if isinstance(p, Placeholder))

    @cached_property
    def placeholders(self) -> tuple[tuple[str, str], ...]:
        """Each placeholder's field name and the field's own format (``""`` when none)."""
        return tuple((p.name, p.spec) for p in self.parts if isinstance(p, Placeholder))

    @property
    def is_constant(self) -> bool:
        return not self.variables

    @property
    def is_bare(self) -> bool:
        """``{order_id}`` alone: the only shape that can fill a Number or Binary key attribute."""
        return len(self.parts) == 1 and isinstance(self.parts[0], Placeholder)

    @property
    def literal_length(self) -> int:
        """How much fixed text the template has: more text, more specific."""
        return sum(len(p) for p in self.parts if isinstance(p, str))

    def bind(self, fields: Mapping[str, Field]) -> None:
        """Attach the entity's fields; unknown names are kept for the system checks to report."""
        self.fields = {name: fields[name] for name in self.variables if name in fields}
        self.unknown_fields = tuple(n for n in self.variables if n not in fields)
        self._regex = None
        self._spelling = None

    def _field(self, name: str) -> Field:
        # An unknown placeholder still formats as text so that a broken definition can be
        # reported by a system check instead of failing at import time.
        return self.fields.get(name) or String(label=name)

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            pattern = []
            for part in self.parts:
                if isinstance(part, str):
                    pattern.append(re.escape(part))
                else:
                    inner = part.pattern(self._field(part.name))
                    pattern.append(f"(?P<{part.name}>{inner})")
            self._regex = re.compile("".join(pattern), re.DOTALL)
        return self._regex

    # -- the four jobs --------------------------------------------------------------------
    def format(self, values: Mapping[str, Any], key_type: str = "S") -> Any:
        """The key value for these attributes (text, or the bare value for N and B keys)."""
        if key_type != "S":
            if not self.is_bare:
                raise KeyTemplateError(f"{self.template}: a {key_type} key must be one bare field")
            name = self.variables[0]
            if values.get(name) is None:
                raise MissingKeyValue(self.template, name)
            return self._field(name).to_dynamo(values[name])
        out = []
        for part, following, pattern, field in self._spelled_parts():
            if isinstance(part, str):
                out.append(part)
                continue
            out.append(self._format_var(part, values, following, pattern, field))
        return "".join(out)

    def _spelled_parts(self) -> list[tuple[str | Placeholder, str, re.Pattern[str] | None,
                                           Field | None]]:
        """Each part with the literal text after it and, for a placeholder, its compiled
        pattern and its field: worked out once per template (after ``bind``), not once per
        key spelt."""
        if self._spelling is None:
            spelling: list[tuple[str | Placeholder, str, re.Pattern[str] | None,
                                 Field | None]] = []
            for i, part in enumerate(self.parts):
                if isinstance(part, str):
                    spelling.append((part, "", None, None))
                    continue
                field = self._field(part.name)
                spelling.append((part, self._literal_after(i),
                                 re.compile(part.pattern(field), re.DOTALL), field))
            self._spelling = spelling
        return self._spelling

    def parse(self, key: Any) -> dict[str, Any] | None:
        """The attributes a key value encodes, or None when this template did not make it."""
        if not isinstance(key, str):
            if self.is_bare and key is not None:
                name = self.variables[0]
                try:
                    return {name: self._field(name).to_python(key)}
                except FieldError:
                    return None
            return None
        match = self.regex.fullmatch(key)
        if match is None:
            return None
        values = {}
        placeholders = {p.name: p for p in self.parts if isinstance(p, Placeholder)}
        try:
            for name, text in match.groupdict().items():
                values[name] = placeholders[name].read(self._field(name), text)
        except (FieldError, ValueError):
            return None
        return values

    def prefix(self, values: Mapping[str, Any]) -> str:
        """The ``begins_with`` prefix for the leading placeholders that have values.

        ``ORDER#{placed_on}#{order_id}`` with nothing known gives ``ORDER#``; with
        ``placed_on`` known, ``ORDER#2024-01-15#``.
        """
        out = []
        for i, part in enumerate(self.parts):
            if isinstance(part, str):
                out.append(part)
            elif values.get(part.name) is None:
                break
            else:
                out.append(self._format_var(part, values, following=self._literal_after(i)))
        return "".join(out)

    def text_prefix(self, values: Mapping[str, Any], name: str, text: str) -> str:
        """The ``begins_with`` prefix of every key whose placeholder ``name`` begins with
        ``text``, the placeholders before it known from ``values``:
        ``USER#NAME#{name:lower}`` with ``Ali`` gives ``USER#NAME#ali``. Raises
        KeyTemplateError where the template cannot answer it (see ``text_prefix_problem``)."""
        problem = self.text_prefix_problem(name)
        if problem:
            raise KeyTemplateError(problem)
        out = []
        for i, part in enumerate(self.parts):
            if isinstance(part, str):
                out.append(part)
            elif part.name != name:
                out.append(self._format_var(part, values, following=self._literal_after(i)))
            else:
                following = self._literal_after(i)
                typed = part.cased(text)
                if following and following in typed:
                    raise KeyTemplateError(
                        f"{self._field(name).label}: {text!r} contains {following!r}, which "
                        f"ends it in {self.template}")
                out.append(typed)
                break
        return "".join(out)

    def text_prefix_problem(self, name: str) -> str:
        """Why the beginning of ``name``'s value cannot be the beginning of this template's
        keys ("" when it can)."""
        part = next((p for p in self.parts if isinstance(p, Placeholder) and p.name == name),
                    None)
        if part is None:
            return f"{self.template} has no placeholder {{{name}}}"
        if not part.spells_text_as_typed:
            return (f"{{{name}}} is padded or formatted in {self.template}: the beginning of "
                    f"a value is not the beginning of its key")
        return ""

    @property
    def literal_prefix(self) -> str:
        """The fixed text every key of this template begins with (``ORDER#``)."""
        first = self.parts[0] if self.parts else ""
        return first if isinstance(first, str) else ""

    @property
    def leading_variable(self) -> str | None:
        """The first placeholder: the one a range of sort keys can be asked on."""
        return next((p.name for p in self.parts if isinstance(p, Placeholder)), None)

    def range_bounds(self, low: Any, high: Any) -> tuple[str, str]:
        """Inclusive ``between`` bounds for keys whose leading placeholder is from ``low`` to
        ``high`` (both included), whatever follows it.

        ``ORDER#{placed_on}#{order_id}`` from 2024-01-01 to 2024-01-31 gives ``ORDER#2024-01-01``
        and ``ORDER#2024-01-31#`` + the highest character: ``ORDER#2024-01-31`` alone would
        drop ``ORDER#2024-01-31#456``, which sorts after it.
        """
        name = self.leading_variable
        if name is None:
            raise KeyTemplateError(f"{self.template}: no placeholder to ask a range on")
        index = next(i for i, p in enumerate(self.parts) if isinstance(p, Placeholder))
        var = self.parts[index]
        assert isinstance(var, Placeholder)
        head = "".join(p for p in self.parts[:index] if isinstance(p, str))
        following = self._literal_after(index)
        lower = head + self._format_var(var, {name: low}, following)
        upper = head + self._format_var(var, {name: high}, following)
        if index + 1 < len(self.parts):
            # More follows the placeholder (its separator, other fields): every key with
            # this value begins with ``upper + following``.
            upper += following + HIGHEST_CHARACTER
        return lower, upper

    def matches(self, key: Any) -> bool:
        return self.parse(key) is not None

    def example(self) -> str:
        """A key made of every field's example value (used to probe for ambiguity)."""
        key: str = self.format({name: self._field(name).example() for name in self.variables})
        return key

    # -- internals ------------------------------------------------------------------------
    def _literal_after(self, index: int) -> str:
        nxt = self.parts[index + 1] if index + 1 < len(self.parts) else ""
        return nxt if isinstance(nxt, str) else ""

    def _format_var(self, var: Placeholder, values: Mapping[str, Any], following: str,
                    pattern: re.Pattern[str] | None = None, field: Field | None = None
                    ) -> str:
        value = values.get(var.name)
        if value is None or value == "":
            raise MissingKeyValue(self.template, var.name)
        field = field or self._field(var.name)
        try:
            text = var.spell(field, value)
        except FieldError as exc:
            raise KeyTemplateError(str(exc)) from None
        # A value that contains the separator after it could not be parsed back unambiguously.
        if following and following in text:
            raise KeyTemplateError(
                f"{field.label}: {text!r} contains {following!r}, which separates it in "
                f"{self.template}"
            )
        pattern = pattern or re.compile(var.pattern(field), re.DOTALL)
        if not pattern.fullmatch(text):
            raise KeyTemplateError(f"{field.label}: {text!r} does not fit {self.template}")
        return text


@dataclass(frozen=True)
class KeyQuery:
    """Where some values lead on one key: its partition, and the sort-key condition they
    determine (``sk_op`` "=" the whole sort key, "begins_with" its known beginning, or None
    for the whole partition)."""

    pk: Any
    sk_op: str | None = None
    sk: Any = None


class Key:
    """A partition key template and an optional sort key template, on the table or an index.

    ``Key(pk="USER#{user_id}", sk="METADATA")`` is the item's own key;
    ``Key("GSI1", pk="USER#EMAIL#{email}", sk="USER#{user_id}")`` is how it is laid out in GSI1.
    """

    def __init__(self, index: str | None = None, *, pk: str, sk: str | None = None) -> None:
        self.index_name = index
        self.pk = KeyTemplate(pk)
        self.sk = KeyTemplate(sk) if sk is not None else None
        self.name = ""
        self.entity: type[Entity] | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        where = self.index_name or "table"
        return f"<Key {self.name or '?'} on {where}: {self.pk} / {self.sk}>"

    @property
    def is_primary(self) -> bool:
        return self.index_name is None

    @property
    def templates(self) -> tuple[KeyTemplate, ...]:
        return (self.pk, self.sk) if self.sk is not None else (self.pk,)

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for t in self.templates for v in t.variables))

    def bind(self, entity: type[Entity], fields: Mapping[str, Field]) -> None:
        self.entity = entity
        for template in self.templates:
            template.bind(fields)

    @property
    def index(self) -> Index:
        assert self.entity is not None, "Key is not bound to an entity"
        return self.entity._meta.table.index(self.index_name)

    def format(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The key attributes, e.g. ``{"GSI1PK": "ORDER#456", "GSI1SK": "USER#123"}``."""
        index = self.index
        key = {index.pk: self.pk.format(values, index.pk_type)}
        if self.sk is not None and index.sk is not None:
            key[index.sk] = self.sk.format(values, index.sk_type)
        return key

    def parse(self, item: Mapping[str, Any]) -> dict[str, Any] | None:
        """The attributes this key's templates encode in the item, or None if it doesn't fit."""
        index = self.index
        values = self.pk.parse(item.get(index.pk))
        if values is None:
            return None
        if self.sk is not None and index.sk is not None:
            sk_values = self.sk.parse(item.get(index.sk))
            if sk_values is None:
                return None
            values.update(sk_values)
        return values

    def query_for(self, values: Mapping[str, Any]) -> KeyQuery:
        """The partition ``values`` determine, narrowed to the exact sort key when they give
        all of it, else to ``begins_with`` the sort key's known beginning (a String sort key
        only; the literal ``ORDER#`` at least keeps other entities of the partition out).

        Raises KeyTemplateError (MissingKeyValue naming the field) when the partition key
        cannot be formatted or a given value cannot be spelled in the key.
        """
        index = self.index
        pk = self.pk.format(values, index.pk_type)
        if self.sk is None or index.sk is None:
            return KeyQuery(pk)
        known = {name: value for name, value in values.items() if value not in (None, "")}
        if all(name in known for name in self.sk.variables):
            return KeyQuery(pk, "=", self.sk.format(known, index.sk_type))
        if index.sk_type == "S":
            prefix = self.sk.prefix(known)
            if prefix:
                return KeyQuery(pk, "begins_with", prefix)
        return KeyQuery(pk)
