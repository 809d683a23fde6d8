"""The wire codec: exact numbers, binary, sets, and the two JSON views of an item."""

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynadmin.data.serialization import (
    _wire_to_json,
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


_scalars = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=8), st.booleans(), st.none(),
    st.integers(-10**6, 10**6), st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.binary(max_size=6), st.frozensets(st.text(max_size=3), min_size=1, max_size=3),
    st.sets(st.integers(0, 99), min_size=1, max_size=3),
    st.sets(st.binary(min_size=1, max_size=3), min_size=1, max_size=3))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.tuples(inner, inner),
    st.dictionaries(st.text(max_size=4), inner, max_size=3)), max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=6), _values, max_size=6))
def test_dynamodb_json_in_one_walk_is_what_the_wire_form_says(item):
    # Written in one walk (binary as base64 on the way), as the wire form walked twice wrote it.
    wire = _wire_to_json(serialize_item(item))
    for indent in (None, 2):
        assert dumps_dynamodb_json(item, indent=indent) == json.dumps(
            wire, indent=indent, ensure_ascii=False, sort_keys=True)
