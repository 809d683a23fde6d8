"""Fields with a meaning beyond their DynamoDB type: Email, Choice, Date, DateTime, TTL,
Version, WriteMarker."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .base import Field, FieldError, quoted
from .scalars import Integer, String

__all__ = ["TTL", "Choice", "Date", "DateTime", "Email", "Version", "WriteMarker"]


class Email(String):
    """An email address: text that a form refuses unless it looks like one."""

    input_type = "email"
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
    """One of ``choices``, stored as written. ``labels`` name them in the reader's words where
    the stored spelling is a code (``{"PAID": "Paid"}``); a choice without one reads as stored."""

    input_type = "select"

    def __init__(self, *choices: str, labels: Mapping[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not choices:
            raise TypeError("Choice() needs at least one choice")
        self.choices = tuple(choices)
        self.labels = dict(labels or {})

    @property
    def input_choices(self) -> tuple[str, ...]:
        return self.choices

    def choice_label(self, value: str) -> str:
        return self.labels.get(value, value)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value is not None and value not in self.choices:
            raise FieldError(f"{self.label}: {value!r} is not one of {', '.join(self.choices)}")
        return value

    def uncase(self, text: str, case: Callable[[str], str]) -> str:
        return next((c for c in self.choices if case(c) == text), text)

    def pattern_for(self, spec: str) -> str:
        # Longest first, so that "SHIPPED_LATE" is not cut to "SHIPPED".
        return "|".join(re.escape(c) for c in sorted(self.choices, key=len, reverse=True))

    def example(self) -> Any:
        return self.choices[0]


class Date(Field):
    """A calendar date, stored as an ISO string (``2024-01-15``), so that it sorts."""

    input_type = "date"
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
        date: dt.date = self.to_python(value)
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

    input_type = "datetime-local"
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
        moment: dt.datetime = self.to_python(value)
        return moment.strftime(spec) if spec else moment.isoformat()

    def from_key_text(self, text: str, spec: str = "") -> Any:
        if spec:
            return self.to_python(dt.datetime.strptime(text, spec))
        return self.to_python(text)

    def uncase(self, text: str, case: Callable[[str], str]) -> str:
        # ISO 8601's letters (T, Z) are capitals; strptime reads a format in either case
        return text.upper()

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

    input_type = "datetime-local"
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
            raise FieldError(f"{self.label}: {quoted(value)} is not epoch seconds") from None

    def to_dynamo(self, value: Any) -> Any:
        moment = self.to_python(value)
        return None if moment is None else Decimal(int(moment.timestamp()))

    def display(self, value: Any) -> str:
        try:
            moment = self.to_python(value)
        except FieldError:
            return f"{quoted(value)} (not a valid TTL)"
        return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")

    def example(self) -> Any:
        return dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


class Version(Integer):
    """An optimistic-locking counter: every write is conditional on the version read."""

    key_capable = False

    def example(self) -> Any:
        return 1


class WriteMarker(String):
    """A token dynadmin writes afresh with every write it makes to an item, so that the
    change each write made can be told from every other change, exactly, when the entity has
    no ``Version`` field (a write's audit entry holds the token; the change whose new image
    carries it and whose old image does not is that write's).

    Opt-in (``written_by = fields.WriteMarker()``), one per entity, never in a key. No form
    shows it and a raw edit may not change it: dynadmin alone sets it. Another writer that
    copies an item copies its token too, but then the old image holds it already, so such a
    change is never credited to dynadmin."""

    key_capable = False

    def __init__(self, *, attribute: str | None = None, label: str | None = None,
                 help_text: str = "") -> None:
        super().__init__(attribute=attribute, label=label, help_text=help_text)

    @staticmethod
    def fresh() -> str:
        """A token no other write has: 128 random bits, as 32 hex digits."""
        return uuid.uuid4().hex

    def example(self) -> Any:
        return "0" * 32
