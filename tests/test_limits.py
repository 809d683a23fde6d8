"""dynadmin.limits: DynamoDB's numbers, stated once, and the checks that read them."""

from decimal import Decimal

import pytest

from dynadmin import limits
from dynadmin.services.url_keys import BadKey, parse_key_value


def test_a_sort_key_is_allowed_half_of_a_partition_keys_bytes():
    assert limits.key_bytes_limit(sort_key=False) == limits.MAX_PARTITION_KEY_BYTES == 2048
    assert limits.key_bytes_limit(sort_key=True) == limits.MAX_SORT_KEY_BYTES == 1024


def test_a_sort_key_from_the_url_longer_than_1024_bytes_is_refused():
    assert parse_key_value("s" * 1024, "SK", "S", sort_key=True) == "s" * 1024
    with pytest.raises(BadKey, match=r"SK is longer than DynamoDB allows for a sort key \(1024"):
        parse_key_value("s" * 1025, "SK", "S", sort_key=True)
    # A partition key of the same length is fine: its limit is 2,048 bytes.
    assert parse_key_value("p" * 1025, "PK", "S") == "p" * 1025
    with pytest.raises(BadKey, match=r"partition key \(2048 bytes\)"):
        parse_key_value("p" * 2049, "PK", "S")


def test_bytes_not_characters_are_counted():
    with pytest.raises(BadKey):
        parse_key_value("é" * 513, "SK", "S", sort_key=True)  # 1,026 bytes in UTF-8


@pytest.mark.parametrize("text", ["1" * 38, "-9.9E+125", "1E-130", "0", "0.000"])
def test_numbers_dynamodb_stores(text):
    assert limits.check_number(Decimal(text)) == Decimal(text)


@pytest.mark.parametrize(("text", "why"), [
    ("1" * 39, "39 significant digits; DynamoDB keeps at most 38"),
    ("1E+126", "out of DynamoDB's range"),
    ("1E-131", "out of DynamoDB's range"),
    ("NaN", "infinite or NaN"),
    ("Infinity", "infinite or NaN"),
])
def test_numbers_dynamodb_refuses(text, why):
    with pytest.raises(limits.NumberOutOfRange, match=why):
        limits.check_number(Decimal(text))


def test_the_batch_and_transaction_sizes():
    assert (limits.BATCH_GET_KEYS, limits.BATCH_WRITE_ITEMS, limits.TRANSACTION_ACTIONS) == (
        100, 25, 100)
    assert limits.MAX_ITEM_BYTES == 400 * 1024
    assert limits.TTL_IGNORED_AFTER.days == 5 * 365
