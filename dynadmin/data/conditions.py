"""Conditions on items, as dynadmin's own small objects, and the one renderer that spells them.

Writes are guarded by a condition, Query pages narrowed by a key condition and a filter. The
same object is rendered twice by the same walk: once as the expression sent to DynamoDB
(every attribute name and value behind a placeholder) and once as the text the audit log and
the pages show (``attribute_exists(PK) AND version = 3``). Because both come from one walk
over one object, what is recorded can never drift from what was sent.

An attribute name is always a plain top-level name: ``a.b`` or ``tags[0]`` name an attribute
spelled that way, never a nested path (DynamoDB allows both characters in a name, and a name
behind a placeholder is never parsed as a path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from .serialization import dumps_plain_json, serialize

__all__ = [
    "And", "AttributeExists", "AttributeNotExists", "AttributeType", "BeginsWith", "Between",
    "COMPARISONS", "Condition", "Contains", "Equals", "GreaterThan", "GreaterThanOrEqual",
    "LessThan", "LessThanOrEqual", "Not", "NotEquals", "Or", "Placeholders", "all_of",
    "render_text",
]


class Condition:
    """A condition on one item. Combine with ``&``, ``|`` and ``~``."""

    def __and__(self, other: Condition) -> Condition:
        return And(self, other)

    def __or__(self, other: Condition) -> Condition:
        return Or(self, other)

    def __invert__(self) -> Condition:
        return Not(self)

    def spell(self, name: Callable[[str], str], value: Callable[[Any], str]) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return render_text(self)


# -- leaves -------------------------------------------------------------------------------
@dataclass(frozen=True)
class AttributeExists(Condition):
    attribute: str

    def spell(self, name: Callable[[str], str], value: Callable[[Any], str]) -> str:
        return f"attribute_exists({name(self.attribute)})"


@dataclass(frozen=True)
class AttributeNotExists(Condition):
    attribute: str

    def spell(self, name: Callable[[str], str], value: Callable[[Any], str]) -> str:
        return f"attribute_not_exists({name(self.attribute)})"


@dataclass(frozen=True)
class AttributeType(Condition):
    """The attribute holds a value of this DynamoDB type (``S``, ``N``, ``M``...)."""

    attribute: str
    dynamo_type: str

    def spell(self, name: Callable[[str], str], value: Callable[[Any], str]) -> str:
        return f"attribute_type({name(self.attribute)}, {value(self.dynamo_type)})"


@dataclass(frozen=True)
class _Comparison(Condition):
    attribute: str
    value: Any
    operator: ClassVar[str] = ""

    def spell(self, name: Callable[[str], str], value: Callable[[Any], str]) -> str:
        return f"{name(self.attribute)} {self.operator} {value(self.value)}"


class Equals(_Comparison):
    operator = "="


class NotEquals(_Comparison):
    operator = "<>"


class LessThan(_Comparison):
    operator = "<"


class LessThanOrEqual(_Comparison):
    operator = "<="


class GreaterThan(_Comparison):
    operator = ">"


class GreaterThanOrEqual(_Comparison):
    operator = ">="


#: The comparison for each of DynamoDB's comparison operators.
COMPARISONS: dict[str, type[_Comparison]] = {
    cls.operator: cls for cls in (Equals, NotEquals, LessThan, LessThanOrEqual, GreaterThan,
                                  GreaterThanOrEqual)
}


@dataclass(frozen=True)
class BeginsWith(Condition):
    attribute: str
    prefix: Any

    def spell(self, name: Callable[[str], str], value: Callable[[Any], str]) -> str:
        return f"begins_with({name(self.attribute)}, {value(self.prefix)})"


@dataclass(frozen=True)
class Contains(Condition):
    attribute: str
    operand: Any

    def spell(self, name: Callable[[str], str], value: Callable[[Any], str]) -> str:
        return f"contains({name(self.attribute)}, {value(self.operand)})"


@dataclass(frozen=True)
class Between(Condition):
    """``low <= attribute <= high`` (both ends included, as DynamoDB's BETWEEN)."""

    attribute: str
    low: Any
    high: Any

    def spell(self, name: Callable[[str], str], value: Callable[[Any], str]) -> str:
        return f"{name(self.attribute)} BETWEEN {value(self.low)} AND {value(self.high)}"


# -- combinations -------------------------------------------------------------------------
class _Junction(Condition):
    keyword: ClassVar[str] = ""

    def __init__(self, *parts: Condition) -> None:
        if not parts:
            raise ValueError(f"{self.keyword} needs at least one condition")
        flat: list[Condition] = []
        for part in parts:
            if not isinstance(part, Condition):
                raise TypeError(f"not a condition: {part!r}")
            # a AND (b AND c) is a AND b AND c: flattened, so the text has no needless brackets
            flat.extend(part.parts if type(part) is type(self) else (part,))
        self.parts: tuple[Condition, ...] = tuple(flat)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.parts == self.parts  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.parts))

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self.parts!r}"

    def spell(self, name: Callable[[str], str], value: Callable[[Any], str]) -> str:
        return f" {self.keyword} ".join(_operand(p, name, value) for p in self.parts)


class And(_Junction):
    keyword = "AND"


class Or(_Junction):
    keyword = "OR"


@dataclass(frozen=True, eq=True)
class Not(Condition):
    condition: Condition

    def spell(self, name: Callable[[str], str], value: Callable[[Any], str]) -> str:
        return f"NOT {_operand(self.condition, name, value)}"


def _operand(condition: Condition, name: Callable[[str], str],
             value: Callable[[Any], str]) -> str:
    text = condition.spell(name, value)
    # Brackets around every combination inside another: precedence never has to be recalled.
    return f"({text})" if isinstance(condition, (_Junction, Not)) else text


def all_of(conditions: Iterable[Condition]) -> Condition:
    """The conditions joined by AND (a single one as itself)."""
    parts = list(conditions)
    return parts[0] if len(parts) == 1 else And(*parts)


# -- the renderer -------------------------------------------------------------------------
class Placeholders:
    """The names and values of one request's expressions, each behind a placeholder.

    Placeholders are numbered as they are handed out and the expression is written with them
    directly: nothing is ever renamed by text substitution, so ``#n1`` can never be mistaken
    for the start of ``#n10``. One instance serves every expression of a request (key
    condition, filter, update and condition expressions share the maps).
    """

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self._by_name: dict[str, str] = {}

    def name(self, attribute: str) -> str:
        if not isinstance(attribute, str) or not attribute:
            raise ValueError(f"an attribute name is a non-empty string, not {attribute!r}")
        placeholder = self._by_name.get(attribute)
        if placeholder is None:
            placeholder = f"#n{len(self.names)}"
            self.names[placeholder] = attribute
            self._by_name[attribute] = placeholder
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = serialize(value)
        return placeholder

    def render(self, condition: Condition) -> str:
        """The condition as an expression of this request's placeholders."""
        if not isinstance(condition, Condition):
            raise TypeError("a condition is a dynadmin.data.conditions object, never raw text; "
                            f"got {type(condition).__name__}")
        return condition.spell(self.name, self.value)

    def apply(self, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` with ExpressionAttributeNames/Values added (when there are any)."""
        if self.names:
            params["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            params["ExpressionAttributeValues"] = dict(self.values)
        return params


def _plain_value(value: Any) -> str:
    return dumps_plain_json(value, indent=None)


def render_text(condition: Condition) -> str:
    """The condition as a person reads it: names as they are, values as exact plain JSON."""
    return condition.spell(str, _plain_value)

