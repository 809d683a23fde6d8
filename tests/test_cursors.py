"""Cursors are signed, scoped to one query, and expire."""

from decimal import Decimal

import pytest
from django.core import signing

from dynadmin.data import InvalidCursor, decode_cursor, encode_cursor, key_from_json, key_to_json

KEY = {"PK": "USER#1", "SK": "ORDER#2024-01-15#456", "N": Decimal("1.5"), "B": b"\x00\xff"}


def test_round_trip():
    token = encode_cursor({"k": key_to_json(KEY)}, scope="q1")
    assert key_from_json(decode_cursor(token, scope="q1")["k"]) == KEY


def test_tampered_cursor_is_refused():
    token = encode_cursor({"k": key_to_json(KEY)}, scope="q1")
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    with pytest.raises(InvalidCursor):
        decode_cursor(tampered, scope="q1")


def test_a_cursor_of_another_query_is_refused():
    token = encode_cursor({"k": key_to_json(KEY)}, scope="q1")
    with pytest.raises(InvalidCursor, match="another query"):
        decode_cursor(token, scope="q2")


def test_a_stale_cursor_is_refused(settings):
    settings.DYNADMIN_CURSOR_MAX_AGE = -1
    token = encode_cursor({"k": key_to_json(KEY)}, scope="q1")
    with pytest.raises(InvalidCursor, match="expired"):
        decode_cursor(token, scope="q1")


def test_garbage_is_refused():
    for junk in ("", "x", "a:b:c", signing.dumps("x") + "!"):
        with pytest.raises(InvalidCursor):
            decode_cursor(junk, scope="q1")
