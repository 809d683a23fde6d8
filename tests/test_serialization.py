"""The wire codec: exact numbers, binary, sets, and the two JSON views of an item."""

import json
from decimal import Decimal

import pytest

from dynadmin.data.serialization import (
    deserialize_item,
    dumps_dynamodb_json,
    dumps_plain_json,
    loads_dynamodb_json,
    serialize_item,
)

ITEM = {
    "s": "text ✓", "n": Decimal("0.12345678901234567890123456789012345678"), "i": Decimal(7),
    "b": b"\x00\xff", "t": True, "z": None, "ss": {"a", "b"}, "ns": {Decimal("1.5")},
    "bs": {b"x"}, "l": [Decimal(1), "two", {"three": [None]}], "m": {"k": {"deep": b"\x01"}},
}


def test_round_trips_every_type_exactly():
    assert deserialize_item(serialize_item(ITEM)) == ITEM


def test_empty_sets_are_refused():
    with pytest.raises(ValueError, match="empty"):
        serialize_item({"s": set()})


def test_dynamodb_json_round_trips():
    assert loads_dynamodb_json(dumps_dynamodb_json(ITEM)) == ITEM


def test_plain_json_keeps_every_digit():
    text = dumps_plain_json(ITEM)
    assert "0.12345678901234567890123456789012345678" in text
    assert json.loads(text)["i"] == 7


@pytest.mark.parametrize("bad", [
    "not json", "[]", '{"a": "plain"}', '{"a": {"X": 1}}', '{"a": {"N": "abc"}}',
    '{"a": {"SS": ["x", "x"]}}', '{"a": {"SS": []}}', '{"a": {"B": "***"}}',
    '{"a": {"S": 1}}', '{"a": {"BOOL": "yes"}}', '{"a": {"NULL": false}}', '{"a": {"N": true}}',
    '{"a": {"N": "Infinity"}}', '{"a": {"SS": [1, 2]}}', '{"a": {"NS": ["x"]}}',
    '{"a": {"L": {"S": "x"}}}', '{"a": {"M": []}}',
])
def test_bad_dynamodb_json_is_a_clear_value_error(bad):
    with pytest.raises(ValueError):
        loads_dynamodb_json(bad)
