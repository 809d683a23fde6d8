"""One placeholder of a key template: how a field's value is spelled inside a key, and read back.

``{order_id}`` spells the value as its field does. After the name, a placeholder can say more:

- a field's own format (``{n:08d}``, ``{day:%Y%m%d}``), as before;
- padding at the start with a character, Python's ``[fill]>width`` (``{order_id:0>7}``:
  ``42`` → ``0000042``), which is what OneTable's ``${id:7:0}`` and ElectroDB's
  ``padding: {length: 7, char: "0"}`` write (JavaScript's ``padStart``, so ``-5`` becomes
  ``00-5``, not Python's ``-005`` of ``{n:04d}``);
- the key's casing last, ``:lower`` or ``:upper`` (``{email:lower}``, ``{id:0>7:upper}``), as
  ElectroDB lowercases keys unless told otherwise.

What is spelled must read back: the padding is taken off again (as much as leaves a text the
field itself would spell: ``0000`` is the number 0, ``00-5`` is -5), and a value the key
could not give back is refused when it is spelled (a text that begins with the padding
character, bytes whose base64 casing would change). A cased key reads back in that casing:
``{name:lower}`` reads ``alice`` from a key written for ``Alice`` (the item's own attribute
keeps the case) and does not read a key that holds capitals at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .fields import Field, FieldError

__all__ = ["CASINGS", "Placeholder"]

#: casing word → what it does to a key's text
CASINGS: dict[str, Callable[[str], str]] = {"lower": str.lower, "upper": str.upper}
_PADDING = re.compile(r"(?P<fill>.)?>(?P<width>[1-9]\d*)\Z", re.DOTALL)


@dataclass(frozen=True)
class Placeholder:
    name: str
    #: the field's own format (``08d``, ``%Y%m%d``), ``""`` when none
    spec: str = ""
    fill: str = ""
    width: int = 0
    casing: str = ""

    @classmethod
    def from_spec(cls, name: str, spec: str) -> Placeholder:
        """``{name:spec}`` read: ``[field format | [fill]>width][:lower | :upper]``."""
        casing = ""
        head, _, last = spec.rpartition(":")
        if last in CASINGS:
            spec, casing = head, last
        elif spec in CASINGS:
            spec, casing = "", spec
        padding = _PADDING.match(spec)
        if padding is None:
            return cls(name, spec, casing=casing)
        fill = padding["fill"] or " "
        if casing and CASINGS[casing](fill) != fill:
            raise ValueError(f"{{{name}:{spec}}}: the padding character {fill!r} would change "
                             f"its case in a key cased {casing}")
        return cls(name, "", fill, int(padding["width"]), casing)

    def _case(self, text: str) -> str:
        return CASINGS[self.casing](text) if self.casing else text

    @property
    def spells_text_as_typed(self) -> bool:
        """Whether the key holds the field's text as it is (cased at most): only then does
        the beginning of a value make the beginning of its key text (no padding, no format)."""
        return not (self.spec or self.width)

    def cased(self, text: str) -> str:
        """``text`` in the key's casing (``{email:lower}``)."""
        return self._case(text)

    # -- the three jobs ---------------------------------------------------------------------
    def pattern(self, field: Field) -> str:
        """The regular expression of this placeholder's text in a key."""
        inner = field.pattern_for(self.spec)
        if self.casing:
            inner = f"(?i:{inner})"  # the field's letters in either case; read() decides
        if self.width:
            inner = f"{re.escape(self.fill)}*(?:{inner})"
        return inner

    def spell(self, field: Field, value: Any) -> str:
        """The value's text in a key: the field's text, cased, padded. Refused (FieldError)
        when it would not read back as the field's text."""
        text = self._case(field.to_key_text(value, self.spec))
        if self.casing:
            field.uncase(text, self._case)  # a field whose text casing would spoil says so
        spelled = text.rjust(self.width, self.fill) if self.width else text
        if self.width or self.casing:
            back = self._unpad(field, spelled)
            if back is not None and back[0] == text:
                return spelled
            if self.width and text.startswith(self.fill):
                raise FieldError(
                    f"{field.label}: {text!r} begins with the padding character "
                    f"{self.fill!r}, so a key padded to {self.width} could not be read back")
            raise FieldError(f"{field.label}: {text!r} would not read back from {{{self.name}}}")
        return spelled

    def read(self, field: Field, text: str) -> Any:
        """The typed value a key's text holds; FieldError or ValueError when this
        placeholder could not have spelled it."""
        if not (self.width or self.casing):
            return field.from_key_text(text, self.spec)
        found = self._unpad(field, text)
        if found is None:
            raise FieldError(f"{field.label}: {text!r} is not how {{{self.name}}} is spelled")
        return found[1]

    # -- internals --------------------------------------------------------------------------
    def _unpad(self, field: Field, text: str) -> tuple[str, Any] | None:
        """The unpadded text and its value: the shortest text the field spells exactly so
        (``0007`` is 7, ``00.5`` is 0.5, never ``.5``), or None."""
        if self.casing and self._case(text) != text:
            return None  # a key holding capitals was not written by a lowercasing template
        if len(text) < self.width:
            return None
        leading = len(text) - len(text.lstrip(self.fill)) if self.width else 0
        if len(text) > self.width:
            leading = 0  # padding only ever fills up to the width
        for cut in range(min(leading, len(text) - 1), -1, -1):
            candidate = text[cut:]
            try:
                value = field.from_key_text(field.uncase(candidate, self._case), self.spec)
                if self._case(field.to_key_text(value, self.spec)) == candidate:
                    return candidate, value
            except (FieldError, ValueError, TypeError, ArithmeticError):
                continue
        return None
