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


def _limit_numbers() -> dict[int, str]:
    return {value: name for name in limits.__all__
            if isinstance(value := getattr(limits, name), int) and abs(value) > 1}


def _compared_literals(path) -> list[str]:
    """Each comparison of a length or size with a number that is one of DynamoDB's limits."""
    import ast

    found = []
    numbers = _limit_numbers()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Compare):
            continue
        for side in (node.left, *node.comparators):
            if (isinstance(side, ast.Constant) and type(side.value) is int
                    and side.value in numbers):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)} "
                             f"(limits.{numbers[side.value]})")
    return found


def test_every_check_of_a_dynamodb_limit_reads_its_number_from_limits():
    from pathlib import Path

    package = Path(limits.__file__).parent
    found = [hit for path in sorted(package.rglob("*.py"))
             if path.name != "limits.py" and "migrations" not in path.parts
             for hit in _compared_literals(path)]
    assert found == []


def test_names_and_nesting_have_their_limits_stated():
    assert limits.MAX_ATTRIBUTE_NAME_BYTES == 65535  # less than 64 KB
    assert limits.MAX_INDEXED_NAME_CHARACTERS == 255
    assert limits.MAX_NESTING_LEVELS == 32
