"""DynamoDB's wire format, both ways, with no float ever in between.

Numbers are ``Decimal`` (exact, 38 digits), binary is ``bytes``, sets are Python sets. This is
a small hand-written codec rather than boto3's TypeSerializer so that binary comes back as
plain bytes and the hot path (every row of every page) stays cheap.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary

from ..plain_json import dumps_plain_json, to_plain

__all__ = [
    "deserialize", "deserialize_item", "dumps_dynamodb_json", "dumps_plain_json", "same_value",
    "serialize", "serialize_item", "stored_type", "to_plain", "loads_dynamodb_json",
]


def serialize(value: Any) -> dict[str, Any]:
    """A Python value as a DynamoDB attribute value (``{"S": "x"}``)."""
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, Decimal)):
        return {"N": _number_text(value)}
    if isinstance(value, float):
        return {"N": _number_text(Decimal(str(value)))}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"B": bytes(value)}
    if isinstance(value, Binary):
        return {"B": bytes(value.value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, (set, frozenset)):
        return _serialize_set(value)
    if isinstance(value, (list, tuple)):
        return {"L": [serialize(v) for v in value]}
    if isinstance(value, Mapping):
        return {"M": {str(k): serialize(v) for k, v in value.items()}}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")


def stored_type(value: Any) -> str:
    """The DynamoDB type letters of a value (``S``, ``NS``, ``M``)."""
    return next(iter(serialize(value)))


#: Python types each stored as one DynamoDB type, whose ``==`` is DynamoDB's equality
_PLAIN = frozenset({str, Decimal, int, bool})


def same_value(a: Any, b: Any) -> bool:
    """Equal as DynamoDB holds them: of the same type (true is not 1, "1" is not 1, a list
    is not a set) and equal, numbers by value (1.50 is 1.5). Python's ``==`` alone says
    ``True == Decimal(1)``."""
    if a is b:
        return True
    if type(a) is type(b) and type(a) in _PLAIN:
        return bool(a == b)  # of one stored type: text, a number, a boolean
    try:
        kind = stored_type(a)
        if kind != stored_type(b):
            return False
    except (TypeError, ValueError):
        return False
    if kind == "L":
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if kind == "M":
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if kind == "B":
        return serialize(a) == serialize(b)
    return bool(a == b)


def _number_text(number: int | Decimal) -> str:
    if isinstance(number, Decimal) and not number.is_finite():
        raise ValueError("DynamoDB numbers cannot be infinite or NaN")
    return str(number)


def _serialize_set(members: set[Any] | frozenset[Any]) -> dict[str, Any]:
    if not members:
        raise ValueError("DynamoDB sets cannot be empty: remove the attribute instead")
    if all(isinstance(m, str) for m in members):
        return {"SS": sorted(members)}
    if all(isinstance(m, (int, Decimal, float)) and not isinstance(m, bool) for m in members):
        return {"NS": sorted(serialize(m)["N"] for m in members)}
    if all(isinstance(m, (bytes, bytearray, Binary)) for m in members):
        return {"BS": sorted(serialize(m)["B"] for m in members)}
    raise TypeError("a DynamoDB set holds only strings, only numbers or only binary values")


def deserialize(value: Mapping[str, Any]) -> Any:
    """A DynamoDB attribute value as a Python value."""
    (kind, data), = value.items()
    if kind == "S":
        return data
    if kind == "N":
        return Decimal(data)
    if kind == "BOOL":
        return data
    if kind == "M":
        return {k: deserialize(v) for k, v in data.items()}
    if kind == "L":
        return [deserialize(v) for v in data]
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(data)
    if kind == "SS":
        return set(data)
    if kind == "NS":
        return {Decimal(n) for n in data}
    if kind == "BS":
        return {bytes(b) for b in data}
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def serialize_item(item: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: serialize(value) for name, value in item.items()}


def deserialize_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {name: deserialize(value) for name, value in item.items()}


# -- display ------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _wire_to_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return _b64(value)
    if isinstance(value, dict):
        return {k: _wire_to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire_to_json(v) for v in value]
    return value


def _json_ready(value: Any) -> Any:
    """``serialize(value)`` with binary as base64 text, in one walk: every audit entry and
    job row encodes whole items, and walking each twice (serialize, then look for bytes) was
    half of it. Only a binary value or set is walked again. Text and numbers, most of any
    item, are answered first."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is Decimal and value.is_finite():
        return {"N": str(value)}
    if isinstance(value, (list, tuple)):
        return {"L": [_json_ready(v) for v in value]}
    if isinstance(value, Mapping):
        return {"M": {str(k): _json_ready(v) for k, v in value.items()}}
    wire = serialize(value)
    return _wire_to_json(wire) if "B" in wire or "BS" in wire else wire


def dumps_dynamodb_json(item: Mapping[str, Any], indent: int | None = 2) -> str:
    """DynamoDB JSON, as the AWS CLI prints it: exact types, binary as base64."""
    return json.dumps({name: _json_ready(value) for name, value in item.items()},
                      indent=indent, ensure_ascii=False, sort_keys=True)


def loads_dynamodb_json(text: str) -> dict[str, Any]:
    """Parse DynamoDB JSON (an object of attribute values) into a Python item.

    Raises ValueError with a readable message on anything that is not valid DynamoDB JSON.
    """
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(raw, dict):
        raise ValueError("DynamoDB JSON for an item is an object of attributes")
    item: dict[str, Any] = {}
    for name, value in raw.items():
        # Most attributes are strings: taken as they are, checked exactly as below.
        if type(value) is dict and len(value) == 1 and type(value.get("S")) is str:
            item[name] = value["S"]
        else:
            item[name] = _from_json_value(name, value)
    return item


# What each type tag's value must be in DynamoDB JSON (as the AWS CLI writes it).
_JSON_SHAPES: dict[str, tuple[type, ...]] = {
    "S": (str,), "N": (str, int, float), "B": (str,), "BOOL": (bool,), "NULL": (bool,),
    "L": (list,), "M": (dict,), "SS": (list,), "NS": (list,), "BS": (list,),
}
_MEMBER_SHAPES: dict[str, tuple[type, ...]] = {"SS": (str,), "NS": (str, int, float),
                                               "BS": (str,)}


def _from_json_value(path: str, value: Any) -> Any:
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError(f"{path}: expected one type tag such as {{\"S\": \"text\"}}")
    (kind, data), = value.items()
    if kind not in _JSON_SHAPES:
        raise ValueError(f"{path}: unknown DynamoDB type {kind!r}")
    # bool is an int in Python: {"N": true} must not pass as the number 1.
    if not isinstance(data, _JSON_SHAPES[kind]) or (isinstance(data, bool) and kind == "N"):
        raise ValueError(f"{path}: {data!r} is not a valid {kind} value")
    if kind == "NULL" and data is not True:
        raise ValueError(f"{path}: NULL is written {{\"NULL\": true}}")
    members = _MEMBER_SHAPES.get(kind)
    if members and not all(isinstance(m, members) and not isinstance(m, bool) for m in data):
        raise ValueError(f"{path}: a {kind} set holds only {kind[0]} values")
    try:
        if kind == "B":
            return base64.b64decode(data, validate=True)
        if kind == "BS":
            return _unique_set(path, [base64.b64decode(d, validate=True) for d in data])
        if kind == "L":
            return [_from_json_value(f"{path}[{i}]", v) for i, v in enumerate(data)]
        if kind == "M":
            return {k: _from_json_value(f"{path}.{k}", v) for k, v in data.items()}
        if kind == "SS":
            return _unique_set(path, list(data))
        if kind == "NS":
            return _unique_set(path, [Decimal(str(n)) for n in data])
        if kind == "N":
            number = Decimal(str(data))
            if not number.is_finite():
                raise ValueError(f"{path}: DynamoDB numbers cannot be infinite or NaN")
            return number
        return deserialize({kind: data})
    except (TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        if isinstance(exc, ValueError) and str(exc).startswith(path):
            raise
        raise ValueError(f"{path}: {data!r} is not a valid {kind} value") from None


def _unique_set(path: str, members: list[Any]) -> set[Any]:
    result = set(members)
    if len(result) != len(members):
        raise ValueError(f"{path}: a set cannot hold the same member twice")
    if not result:
        raise ValueError(f"{path}: DynamoDB sets cannot be empty")
    return result
