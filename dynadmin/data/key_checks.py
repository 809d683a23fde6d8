"""Primary keys, checked against the definition before DynamoDB sees them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..definitions.tables import Table
from .errors import InvalidRequest
from .serialization import serialize_item

__all__ = ["checked_key"]

_PYTHON_KEY_TYPES = {"S": (str,), "N": (int, Decimal), "B": (bytes,)}


def checked_key(table: Table, key: Mapping[str, Any]) -> dict[str, Any]:
    """The primary key in wire format, once it is known to be one.

    Backends differ in how they report a wrong key (moto accepts some that DynamoDB refuses),
    so the check happens here, with a message a person can act on.
    """
    index = table.primary
    expected = {index.pk: index.pk_type}
    if index.sk:
        expected[index.sk] = index.sk_type
    if set(key) != set(expected):
        raise InvalidRequest(
            f"A key of {table.name} has exactly {', '.join(expected)}; got {', '.join(key)}.")
    for attribute, key_type in expected.items():
        value = key[attribute]
        if isinstance(value, bool) or not isinstance(value, _PYTHON_KEY_TYPES[key_type]):
            raise InvalidRequest(f"{attribute} is a key of type {key_type}; got {value!r}.")
        if value == "" or value == b"":
            raise InvalidRequest(f"{attribute} is a key and cannot be empty.")
    return serialize_item(key)
