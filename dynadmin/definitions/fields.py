"""Typed attributes of an entity.

A field knows three representations of one value: the Python value a person edits, the value
DynamoDB stores (what boto3's TypeSerializer accepts), and, for key-capable fields, the text it
takes inside a key template such as ``ORDER#{placed_on}#{order_id}``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from boto3.dynamodb.types import Binary as DynamoBinary

__all__ = [
    "Field", "String", "Number", "Integer", "Boolean", "Null", "Binary", "StringSet",
    "NumberSet", "BinarySet", "List", "Map", "Date", "DateTime", "Email", "Choice", "TTL",
    "Version", "FieldError",
]

# DynamoDB numbers: up to 38 significant digits, magnitude between 1e-130 and 9.99...e125.
MAX_NUMBER_DIGITS = 38
MAX_EXPONENT = 125
MIN_EXPONENT = -130


class FieldError(ValueError):
    """A value that does not fit its field: the message is shown to a person as is."""


class Field:
    """Base class: one named, typed attribute of an entity."""

    dynamo_type: ClassVar[str] = "S"
    #: whether the value can be written into a key template and parsed back out of it
    key_capable: ClassVar[bool] = False
    #: the regular expression a value takes inside a key (only for key-capable fields)
    key_pattern: ClassVar[str] = ".+?"

    def __init__(
        self,
        *,
        required: bool = False,
        default: Any = None,
        attribute: str | None = None,
        label: str | None = None,
        help_text: str = "",
    ) -> None:
        self.required = required
        self.default = default
        self._attribute = attribute
        self._label = label
        self.help_text = help_text
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name or '?'}>"

    @property
    def attribute(self) -> str:
        """The attribute name in DynamoDB (defaults to the field's Python name)."""
        return self._attribute or self.name

    @property
    def label(self) -> str:
        return self._label or self.name.replace("_", " ").capitalize()

    # -- values ---------------------------------------------------------------------------
    def to_python(self, value: Any) -> Any:
        """Turn a stored (deserialized) value into the value a person sees and edits."""
        return value

    def to_dynamo(self, value: Any) -> Any:
        """Turn a Python value into what boto3's TypeSerializer stores; validates on the way."""
        return self.to_python(value)

    def display(self, value: Any) -> str:
        if value is None:
            return "—"
        return str(value)

    def example(self) -> Any:
        """A representative value, used by system checks to probe key templates."""
        return "x"

    # -- keys -----------------------------------------------------------------------------
    def to_key_text(self, value: Any, spec: str = "") -> str:
        if not self.key_capable:
            raise FieldError(f"{type(self).__name__} fields cannot be part of a key")
        value = self.to_python(value)
        return format(value, spec) if spec else str(value)

    def from_key_text(self, text: str, spec: str = "") -> Any:
        return self.to_python(text)

    def pattern_for(self, spec: str) -> str:
        return self.key_pattern


class String(Field):
    key_capable = True

    def __init__(self, *, max_length: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise FieldError(f"{self.label}: expected text, got {type(value).__name__}")
        if self.max_length is not None and len(value) > self.max_length:
            raise FieldError(f"{self.label}: at most {self.max_length} characters")
        return value


class Email(String):
    _email = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    key_pattern = r"[^@\s#]+@[^@\s#]+\.[^@\s#]+"

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value is not None and not self._email.match(value):
            raise FieldError(f"{self.label}: {value!r} is not an email address")
        return value

    def example(self) -> Any:
        return "alice@example.com"


class Choice(String):
    def __init__(self, *choices: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not choices:
            raise TypeError("Choice() needs at least one choice")
        self.choices = tuple(choices)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value is not None and value not in self.choices:
            raise FieldError(f"{self.label}: {value!r} is not one of {', '.join(self.choices)}")
        return value

    def pattern_for(self, spec: str) -> str:
        # Longest first, so that "SHIPPED_LATE" is not cut to "SHIPPED".
        return "|".join(re.escape(c) for c in sorted(self.choices, key=len, reverse=True))

    def example(self) -> Any:
        return self.choices[0]


def _check_number_range(label: str, value: Decimal) -> Decimal:
    if not value.is_finite():
        raise FieldError(f"{label}: DynamoDB numbers cannot be infinite or NaN")
    if value.is_zero():
        return value
    # Not value.normalize(): it rounds to the context's precision (28), hiding extra digits.
    digits = "".join(map(str, value.as_tuple().digits)).strip("0")
    if len(digits) > MAX_NUMBER_DIGITS:
        raise FieldError(
            f"{label}: {len(digits)} significant digits; DynamoDB keeps at most 38"
        )
    adjusted = value.adjusted()
    if adjusted > MAX_EXPONENT or adjusted < MIN_EXPONENT:
        raise FieldError(f"{label}: out of DynamoDB's range (1E-130 to 9.9E+125)")
    return value


class Number(Field):
    """An exact decimal: DynamoDB numbers are decimal strings on the wire, never floats."""

    dynamo_type = "N"
    key_capable = True
    key_pattern = r"-?\d+(?:\.\d+)?(?:E[+-]?\d+)?"

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            raise FieldError(f"{self.label}: expected a number, got a boolean")
        if isinstance(value, float):
            # str() gives the shortest round-tripping form: 0.1, not 0.1000000000000000055…
            value = str(value)
        try:
            number = Decimal(value) if not isinstance(value, Decimal) else value
        except (InvalidOperation, TypeError, ValueError):
            raise FieldError(f"{self.label}: {value!r} is not a number") from None
        return _check_number_range(self.label, number)

    def to_key_text(self, value: Any, spec: str = "") -> str:
        number = self.to_python(value)
        return format(number, spec) if spec else str(number)

    def from_key_text(self, text: str, spec: str = "") -> Any:
        return self.to_python(Decimal(text))

    def example(self) -> Any:
        return Decimal("12.5")


class Integer(Number):
    key_pattern = r"-?\d+"

    def to_python(self, value: Any) -> Any:
        number = super().to_python(value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise FieldError(f"{self.label}: {value!r} is not a whole number")
        return int(number)

    def to_dynamo(self, value: Any) -> Any:
        number = self.to_python(value)
        return None if number is None else Decimal(number)

    def from_key_text(self, text: str, spec: str = "") -> Any:
        return self.to_python(int(text))

    def example(self) -> Any:
        return 42


class Boolean(Field):
    dynamo_type = "BOOL"
    key_capable = True
    key_pattern = "true|false"

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false"}:
            return value.lower() == "true"
        raise FieldError(f"{self.label}: expected true or false")

    def to_key_text(self, value: Any, spec: str = "") -> str:
        return "true" if self.to_python(value) else "false"

    def display(self, value: Any) -> str:
        # As DynamoDB writes it, not as Python does.
        return "—" if value is None else ("true" if value else "false")

    def example(self) -> Any:
        return True


class Null(Field):
    """DynamoDB's NULL type. In Python, ``True`` means "present, holding NULL"; an absent
    attribute is simply not there (None), so presence survives a parse/build round trip."""

    dynamo_type = "NULL"

    def to_python(self, value: Any) -> Any:
        if value is None or value is True:
            return True
        if value is False:
            return None
        raise FieldError(f"{self.label}: a Null attribute only holds null")

    def display(self, value: Any) -> str:
        return "NULL" if value else "—"


class Binary(Field):
    """Raw bytes. In a key template they travel as URL-safe base64 with no padding."""

    dynamo_type = "B"
    key_capable = True
    key_pattern = r"[A-Za-z0-9_-]+"

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, DynamoBinary):
            return bytes(value.value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        raise FieldError(f"{self.label}: expected bytes")

    def to_key_text(self, value: Any, spec: str = "") -> str:
        data = self.to_python(value)
        if not data:
            raise FieldError(f"{self.label}: binary key values cannot be empty")
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    def from_key_text(self, text: str, spec: str = "") -> Any:
        try:
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise FieldError(f"{self.label}: {text!r} is not base64") from None

    def display(self, value: Any) -> str:
        if value is None:
            return "—"
        return base64.b64encode(self.to_python(value)).decode("ascii")

    def example(self) -> Any:
        return b"\x00\xffdynadmin"


class _Set(Field):
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


class StringSet(_Set):
    dynamo_type = "SS"
    member = String


class NumberSet(_Set):
    dynamo_type = "NS"
    member = Number


class BinarySet(_Set):
    dynamo_type = "BS"
    member = Binary


class List(Field):
    dynamo_type = "L"

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, list):
            raise FieldError(f"{self.label}: expected a list")
        return value

    def display(self, value: Any) -> str:
        return "—" if value is None else _compact_json(value)


class Map(Field):
    dynamo_type = "M"

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise FieldError(f"{self.label}: expected a map")
        return value

    def display(self, value: Any) -> str:
        return "—" if value is None else _compact_json(value)


def _compact_json(value: Any) -> str:
    from dynadmin.data.serialization import dumps_plain_json

    return dumps_plain_json(value, indent=None)


class Date(Field):
    """A calendar date, stored as an ISO string (``2024-01-15``), so that it sorts."""

    key_capable = True
    key_pattern = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: Any) -> Any:
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise FieldError(f"{self.label}: {value!r} is not a date (YYYY-MM-DD)") from None
        raise FieldError(f"{self.label}: expected a date")

    def to_dynamo(self, value: Any) -> Any:
        date = self.to_python(value)
        return None if date is None else date.isoformat()

    def to_key_text(self, value: Any, spec: str = "") -> str:
        date = self.to_python(value)
        return date.strftime(spec) if spec else date.isoformat()

    def from_key_text(self, text: str, spec: str = "") -> Any:
        if spec:
            return dt.datetime.strptime(text, spec).date()
        return self.to_python(text)

    def pattern_for(self, spec: str) -> str:
        return _strftime_pattern(spec) if spec else self.key_pattern

    def example(self) -> Any:
        return dt.date(2024, 1, 15)


class DateTime(Field):
    """An aware date-time stored as ISO 8601 in UTC (``2024-01-15T09:30:00+00:00``)."""

    key_capable = True
    key_pattern = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[+-]\d{2}:\d{2}|Z)?"

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                raise FieldError(f"{self.label}: {value!r} is not an ISO date-time") from None
        if not isinstance(value, dt.datetime):
            raise FieldError(f"{self.label}: expected a date-time")
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def to_dynamo(self, value: Any) -> Any:
        moment = self.to_python(value)
        return None if moment is None else moment.isoformat()

    def to_key_text(self, value: Any, spec: str = "") -> str:
        moment = self.to_python(value)
        return moment.strftime(spec) if spec else moment.isoformat()

    def from_key_text(self, text: str, spec: str = "") -> Any:
        if spec:
            return self.to_python(dt.datetime.strptime(text, spec))
        return self.to_python(text)

    def pattern_for(self, spec: str) -> str:
        return _strftime_pattern(spec) if spec else self.key_pattern

    def example(self) -> Any:
        return dt.datetime(2024, 1, 15, 9, 30, tzinfo=dt.UTC)


_STRFTIME_PATTERNS = {
    "Y": r"\d{4}", "m": r"\d{2}", "d": r"\d{2}", "H": r"\d{2}", "M": r"\d{2}", "S": r"\d{2}",
    "f": r"\d{6}", "j": r"\d{3}", "y": r"\d{2}", "z": r"[+-]\d{4}", "%": "%",
}


def _strftime_pattern(spec: str) -> str:
    out, i = [], 0
    while i < len(spec):
        if spec[i] == "%" and i + 1 < len(spec):
            code = spec[i + 1]
            if code not in _STRFTIME_PATTERNS:
                raise FieldError(f"unsupported date format code %{code} in a key template")
            out.append(_STRFTIME_PATTERNS[code])
            i += 2
        else:
            out.append(re.escape(spec[i]))
            i += 1
    return "".join(out)


class TTL(Field):
    """DynamoDB's time to live: a Number of epoch seconds, shown as an aware date-time."""

    dynamo_type = "N"

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            return value.astimezone(dt.UTC)
        if isinstance(value, bool):
            raise FieldError(f"{self.label}: a TTL is epoch seconds, not a boolean")
        try:
            seconds = Decimal(str(value)) if not isinstance(value, Decimal) else value
            return dt.datetime.fromtimestamp(int(seconds), tz=dt.UTC)
        except (InvalidOperation, ValueError, OverflowError, OSError):
            raise FieldError(f"{self.label}: {value!r} is not epoch seconds") from None

    def to_dynamo(self, value: Any) -> Any:
        moment = self.to_python(value)
        return None if moment is None else Decimal(int(moment.timestamp()))

    def display(self, value: Any) -> str:
        try:
            moment = self.to_python(value)
        except FieldError:
            return f"{value!r} (not a valid TTL)"
        return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")

    def example(self) -> Any:
        return dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


class Version(Integer):
    """An optimistic-locking counter: every write is conditional on the version read."""

    key_capable = False

    def example(self) -> Any:
        return 1
