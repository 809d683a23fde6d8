"""Fields for DynamoDB's sets, lists and maps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from .base import Field, FieldError, compact_json
from .scalars import Binary, Number, String

__all__ = ["BinarySet", "List", "Map", "NumberSet", "SetField", "StringSet"]


class SetField(Field):
    """A DynamoDB set: never empty, members unique, all of ``member``'s type."""

    input_type = "textarea"
    member: ClassVar[type[Field]]

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, (list, tuple)):
            members = [self.member(label=self.label).to_python(v) for v in value]
            if len(set(members)) != len(members):
                raise FieldError(f"{self.label}: a set cannot hold the same member twice")
            value = members
        if not isinstance(value, (set, frozenset, list, tuple)):
            raise FieldError(f"{self.label}: expected a set")
        result = {self.member(label=self.label).to_python(v) for v in value}
        # DynamoDB forbids empty sets: an emptied set means "remove the attribute".
        return result or None

    def to_dynamo(self, value: Any) -> Any:
        members = self.to_python(value)
        if members is None:
            return None
        member = self.member(label=self.label)
        return {member.to_dynamo(v) for v in members}

    def display(self, value: Any) -> str:
        if not value:
            return "—"
        member = self.member(label=self.label)
        return ", ".join(sorted(member.display(v) for v in value))


class StringSet(SetField):
    """A set of text (DynamoDB ``SS``)."""

    dynamo_type = "SS"
    member = String


class NumberSet(SetField):
    """A set of exact decimals (DynamoDB ``NS``)."""

    dynamo_type = "NS"
    member = Number


class BinarySet(SetField):
    """A set of byte strings (DynamoDB ``BS``)."""

    dynamo_type = "BS"
    member = Binary


class List(Field):
    """A DynamoDB list. ``member`` (a scalar field such as ``String()``) declares what it
    holds; forms then edit it one value per line, even while it is empty. Without it a
    list whose members are all text, or all numbers, is edited the same way, and any other
    list as JSON."""

    input_type = "textarea"
    dynamo_type = "L"

    def __init__(self, *, member: Field | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if member is not None and isinstance(member, (SetField, List, Map)):
            raise TypeError("List(member=...) takes a scalar field such as String()")
        self.member = member

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, list):
            raise FieldError(f"{self.label}: expected a list")
        return value

    def display(self, value: Any) -> str:
        return "—" if value is None else compact_json(value)


class Map(Field):
    """A map. ``fields`` may declare its keys (``{"line1": String(label="Address line 1")}``)
    so pages name them in the reader's words; keys not declared are kept and shown as
    stored, and values are never checked against the declaration (a map is free-form)."""

    input_type = "textarea"
    dynamo_type = "M"

    def __init__(self, *, fields: Mapping[str, Field] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fields: dict[str, Field] = dict(fields or {})
        for key, sub in self.fields.items():
            sub.name = sub.name or key

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise FieldError(f"{self.label}: expected a map")
        return value

    def display(self, value: Any) -> str:
        return "—" if value is None else compact_json(value)
