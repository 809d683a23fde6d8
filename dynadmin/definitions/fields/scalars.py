"""Fields for DynamoDB's scalar types: String, Number, Boolean, Null, Binary."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ...limits import MAX_NUMBER_DIGITS
from ...numbers import is_whole
from .base import Field, FieldError, check_number_range, quoted

__all__ = ["Binary", "Boolean", "Integer", "Null", "Number", "String"]


class String(Field):
    """Text (DynamoDB ``S``); ``max_length`` limits what a form accepts."""

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




class Number(Field):
    """An exact decimal: DynamoDB numbers are decimal strings on the wire, never floats.

    Display options (the stored value is never rounded): ``places`` digits after the point,
    and a currency, fixed (``currency="EUR"``) or read from another field of the same item
    (``currency_field="currency"``): ``Number(places=2, currency_field="currency")`` reads
    ``167.49 USD``.
    """

    input_type = "number"
    dynamo_type = "N"
    key_capable = True
    key_pattern = r"-?\d+(?:\.\d+)?(?:E[+-]?\d+)?"

    def __init__(self, *, places: int | None = None, currency: str | None = None,
                 currency_field: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if places is not None and not 0 <= places <= 20:
            raise TypeError("Number(places=...) takes 0 to 20 digits")
        self.places = places
        self.currency = currency
        self.currency_field = currency_field

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
            raise FieldError(f"{self.label}: {quoted(value)} is not a number") from None
        return check_number_range(self.label, number)

    def to_key_text(self, value: Any, spec: str = "") -> str:
        number = self.to_python(value)
        return format(number, spec) if spec else str(number)

    def from_key_text(self, text: str, spec: str = "") -> Any:
        return self.to_python(Decimal(text))

    def example(self) -> Any:
        return Decimal("12.5")


#: whole numbers below this in magnitude have at most ``MAX_NUMBER_DIGITS`` digits
_WHOLE_BOUND = 10 ** MAX_NUMBER_DIGITS


class Integer(Number):
    """A whole number (DynamoDB ``N``): a ``Number`` that refuses a fraction."""

    key_pattern = r"-?\d+"

    def to_python(self, value: Any) -> Any:
        if type(value) is Decimal and value.is_finite():
            # What a read gives (every whole number of every row of a list): a whole number
            # with no more digits than DynamoDB keeps needs no further check.
            whole = int(value)
            if whole == value and -_WHOLE_BOUND < whole < _WHOLE_BOUND:
                return whole
        number = super().to_python(value)
        if number is None:
            return None
        if not is_whole(number):
            # the text as typed, quoted; never a Decimal's repr
            shown = repr(value) if isinstance(value, str) else str(number)
            raise FieldError(f"{self.label}: {shown} is not a whole number")
        return int(number)

    def to_dynamo(self, value: Any) -> Any:
        number = self.to_python(value)
        return None if number is None else Decimal(number)

    def from_key_text(self, text: str, spec: str = "") -> Any:
        return self.to_python(int(text))

    def example(self) -> Any:
        return 42


class Boolean(Field):
    """DynamoDB's ``BOOL``, shown as a yes/no badge; in a key, ``true`` or ``false``."""

    input_type = "select"
    input_choices = ("true", "false")
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

    input_type = "checkbox"
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

    input_type = "textarea"
    dynamo_type = "B"
    key_capable = True
    key_pattern = r"[A-Za-z0-9_-]+"

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        # boto3's Binary wrapper (from code that reads with boto3 directly) converts the same way.
        if isinstance(value, (bytes, bytearray, memoryview)) or hasattr(value, "__bytes__"):
            return bytes(value)
        raise FieldError(f"{self.label}: expected bytes")

    def to_key_text(self, value: Any, spec: str = "") -> str:
        data = self.to_python(value)
        if not data:
            raise FieldError(f"{self.label}: binary key values cannot be empty")
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    def uncase(self, text: str, case: Callable[[str], str]) -> str:
        raise FieldError(f"{self.label}: binary key text is base64, which a cased key "
                         "would change")

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


