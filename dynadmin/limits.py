"""DynamoDB's hard limits, each stated once. Every check in dynadmin reads its number here.

Plain constants and pure checks: this module imports nothing from dynadmin, so every layer
(definitions included) may use it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

__all__ = [
    "BATCH_GET_KEYS", "BATCH_WRITE_ITEMS", "MAX_ATTRIBUTE_NAME_BYTES",
    "MAX_INDEXED_NAME_CHARACTERS", "MAX_ITEM_BYTES", "MAX_NESTING_LEVELS", "MAX_NUMBER_DIGITS",
    "MAX_NUMBER_EXPONENT", "MAX_REQUEST_BYTES", "MIN_NUMBER_EXPONENT", "MAX_PARTITION_KEY_BYTES",
    "MAX_SORT_KEY_BYTES", "NumberOutOfRange", "QUERY_PAGE_BYTES", "STREAM_RECORDS_PER_CALL",
    "STREAM_SHARDS_PER_DESCRIBE", "TRANSACTION_ACTIONS",
    "TTL_IGNORED_AFTER", "check_number", "key_bytes_limit",
]

#: A partition key value, in bytes (UTF-8 for a String).
MAX_PARTITION_KEY_BYTES = 2048
#: A sort key value, in bytes: half of a partition key's.
MAX_SORT_KEY_BYTES = 1024
#: A whole item, attribute names included.
MAX_ITEM_BYTES = 400 * 1024
#: An attribute name, in UTF-8 bytes: less than 64 KB.
MAX_ATTRIBUTE_NAME_BYTES = 64 * 1024 - 1
#: The names DynamoDB keeps short: an index's key attributes and its projected attributes.
MAX_INDEXED_NAME_CHARACTERS = 255
#: Lists and maps nest this many levels deep at most, the item itself being the first.
MAX_NESTING_LEVELS = 32
#: A request body dynadmin reads at all. Not DynamoDB's, but derived from its item limit:
#: the largest form (a 400 KB item as base64, beside its signed original and an upload)
#: stays well under it, so anything larger is refused before a byte of it is read.
MAX_REQUEST_BYTES = 2 * 1024 * 1024 + 512 * 1024
#: Keys one BatchGetItem may ask for.
BATCH_GET_KEYS = 100
#: Put or delete requests in one BatchWriteItem.
BATCH_WRITE_ITEMS = 25
#: Actions in one TransactWriteItems.
TRANSACTION_ACTIONS = 100
#: What one Query page reads at most, before any filter: 1 MB.
QUERY_PAGE_BYTES = 1024 * 1024
#: Records one DynamoDB Streams GetRecords returns at most (and 1 MB).
STREAM_RECORDS_PER_CALL = 1000
#: Shards one DescribeStream lists at most.
STREAM_SHARDS_PER_DESCRIBE = 100
#: Numbers: up to 38 significant digits, magnitude between 1E-130 and 9.99...E+125.
MAX_NUMBER_DIGITS = 38
MAX_NUMBER_EXPONENT = 125
MIN_NUMBER_EXPONENT = -130
#: DynamoDB's TTL process never deletes an item whose TTL is more than five years past.
TTL_IGNORED_AFTER = dt.timedelta(days=5 * 365)


def key_bytes_limit(sort_key: bool) -> int:
    """The size limit of a key value: a sort key's, or a partition key's."""
    return MAX_SORT_KEY_BYTES if sort_key else MAX_PARTITION_KEY_BYTES


class NumberOutOfRange(ValueError):
    """A number DynamoDB cannot store; the message says why, without naming the value."""


def check_number(value: Decimal) -> Decimal:
    """``value`` if DynamoDB can store it exactly, else NumberOutOfRange."""
    if not value.is_finite():
        raise NumberOutOfRange("DynamoDB numbers cannot be infinite or NaN")
    if value.is_zero():
        return value
    digits = value.as_tuple().digits
    if len(digits) > MAX_NUMBER_DIGITS:  # then count only the significant ones
        # Not value.normalize(): it rounds to the context's precision (28), hiding digits.
        significant = len("".join(map(str, digits)).strip("0"))
        if significant > MAX_NUMBER_DIGITS:
            raise NumberOutOfRange(f"{significant} significant digits; DynamoDB keeps at "
                                   f"most {MAX_NUMBER_DIGITS}")
    if not MIN_NUMBER_EXPONENT <= value.adjusted() <= MAX_NUMBER_EXPONENT:
        raise NumberOutOfRange("out of DynamoDB's range (1E-130 to 9.9E+125)")
    return value
