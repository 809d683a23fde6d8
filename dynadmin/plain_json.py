"""Plain JSON of DynamoDB values: what an application would see, with every digit kept.

Numbers are exact decimals (``json.dumps`` would round-trip them through a float), binary is
base64, sets are sorted lists. Pure: imports only ``dynadmin.numbers``, so every layer may use
it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .numbers import is_whole

__all__ = ["dumps_plain_json", "to_plain"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def to_plain(value: Any) -> Any:
    """A JSON-ready version of a Python item: what an application would see, types dropped."""
    if isinstance(value, Decimal):
        return int(value) if is_whole(value) else _ExactNumber(value)
    if isinstance(value, bytes):
        return _b64(value)
    if isinstance(value, (set, frozenset)):
        return sorted((to_plain(v) for v in value), key=_sort_key)
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def _sort_key(value: Any) -> Any:
    return (0, float(value)) if isinstance(value, (int, _ExactNumber)) else (1, str(value))


class _ExactNumber(float):
    """A float that prints as its exact decimal text, so plain JSON loses no digits."""

    def __new__(cls, value: Decimal) -> _ExactNumber:
        obj = super().__new__(cls, value)
        obj.text = str(value)
        return obj

    def __repr__(self) -> str:
        return self.text


def dumps_plain_json(value: Any, indent: int | None = 2) -> str:
    """Plain JSON of an item or value; ``indent=None`` gives one compact line."""
    return _dump(to_plain(value), indent or 0, 0)


def _dump(value: Any, indent: int, level: int) -> str:
    """A tiny JSON writer: numbers keep every digit (json.dumps would round-trip via float)."""
    pad, inner = " " * indent * level, " " * indent * (level + 1)
    nl, sep = ("\n", ",\n") if indent else ("", ", ")
    if isinstance(value, _ExactNumber):
        return value.text
    if isinstance(value, dict):
        if not value:
            return "{}"
        rows = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, indent, level + 1)}"
                for k, v in sorted(value.items())]
        return "{" + nl + sep.join(rows) + nl + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        rows = [f"{inner}{_dump(v, indent, level + 1)}" for v in value]
        return "[" + nl + sep.join(rows) + nl + pad + "]"
    return json.dumps(value, ensure_ascii=False)
