"""What every field shares: the three representations of a value, and the checks on them.

A field knows three representations of one value: the Python value a person edits, the value
DynamoDB stores, and, for key-capable fields, the text it takes inside a key template such as
``ORDER#{placed_on}#{order_id}``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from ...limits import NumberOutOfRange, check_number
from ...plain_json import dumps_plain_json

__all__ = ["Field", "FieldError", "check_number_range"]


class FieldError(ValueError):
    """A value that does not fit its field: the message is shown to a person as is."""


class Field:
    """Base class: one named, typed attribute of an entity.

    Every field takes these options:

    - ``required``: the create and edit forms refuse an empty value.
    - ``default``: the value the create form starts with.
    - ``attribute``: the attribute's name in DynamoDB, when it is not the field's Python name
      (``expires = fields.TTL(attribute="ttl")``).
    - ``label``: how pages name the field (default: its name in words, "Placed on");
      ``help_text`` is shown under its form input.
    - ``key_only=True``: the value lives only inside key templates (``org`` of
      ``ORG#{org}``): it is read back from the keys and never written as an attribute of
      its own (check ``dynadmin.E014`` refuses one that no key template holds).
    """

    dynamo_type: ClassVar[str] = "S"
    #: whether the value can be written into a key template and parsed back out of it
    key_capable: ClassVar[bool] = False
    #: the regular expression a value takes inside a key (only for key-capable fields)
    key_pattern: ClassVar[str] = ".+?"
    #: the HTML input that asks for a value: ``text``, ``email``, ``number``, ``date``,
    #: ``datetime-local``, ``select`` (a menu of ``input_choices``), ``checkbox`` or
    #: ``textarea``. Every form reads it here, and says in one place how it shows each type:
    #: ``services.inputs`` for the forms that find items, ``editing.inputs`` for edits.
    input_type: ClassVar[str] = "text"

    def __init__(
        self,
        *,
        required: bool = False,
        default: Any = None,
        attribute: str | None = None,
        label: str | None = None,
        help_text: str = "",
        key_only: bool = False,
    ) -> None:
        self.required = required
        #: stored only inside key templates (``ORG#{org}``), never as an attribute of its own
        self.key_only = key_only
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
        """Turn a Python value into what the data layer stores; validates on the way."""
        return self.to_python(value)

    @property
    def input_choices(self) -> tuple[str, ...]:
        """The values a ``select`` offers, as a person types them (none for other inputs)."""
        return ()

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

    def uncase(self, text: str, case: Callable[[str], str]) -> str:
        """The key text as this field spells it, from the text a cased key holds
        (``{status:lower}``): the same text when reading it back does not mind case."""
        return text




def check_number_range(label: str, value: Decimal) -> Decimal:
    """``value`` if DynamoDB can store it exactly (38 digits, its exponent range)."""
    try:
        return check_number(value)
    except NumberOutOfRange as exc:
        raise FieldError(f"{label}: {exc}") from None


def quoted(value: Any) -> str:
    """A value as a message names it: text in quotes, anything else as plain JSON, never a
    Python repr (``Decimal('1796787313000')``) that a person cannot read."""
    if isinstance(value, str):
        return repr(value)
    try:
        return compact_json(value)
    except (TypeError, ValueError):
        return type(value).__name__


def compact_json(value: Any) -> str:
    return dumps_plain_json(value, indent=None)
