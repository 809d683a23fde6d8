"""What DynamoDB would refuse, refused first, with a message a person can act on.

Checking before sending means a bad input writes nothing and never shows DynamoDB's own
ValidationException text; the same rules hold on every backend (moto is more lenient).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import limits
from ..data.serialization import dumps_plain_json, serialize
from ..definitions import Table
from ..definitions.fields import FieldError, check_number_range
from ..user_errors import UserInputError

__all__ = ["ItemInvalid", "MAX_ITEM_BYTES", "check_ttl", "item_size", "printable_name",
           "unencodable_text", "validate_item"]

# Kept under its old name for importers; the number lives in dynadmin.limits.
MAX_ITEM_BYTES = limits.MAX_ITEM_BYTES


class ItemInvalid(UserInputError):
    """One or more reasons DynamoDB would refuse the item."""

    title = gettext_lazy("DynamoDB would refuse this item")
    advice = gettext_lazy("Nothing was written.")

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _number_size(number: Decimal | int) -> int:
    digits = "".join(map(str, Decimal(number).as_tuple().digits)).strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def value_size(value: Any) -> int:
    """A value's size by DynamoDB's item-size rules (names are counted by the caller)."""
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, (int, Decimal)):
        return _number_size(value)
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, (set, frozenset)):
        return sum(value_size(v) for v in value)
    if isinstance(value, (list, tuple)):
        return 3 + sum(1 + value_size(v) for v in value)
    if isinstance(value, Mapping):
        return 3 + sum(1 + len(str(k).encode("utf-8")) + value_size(v) for k, v in value.items())
    return len(str(value).encode("utf-8"))


def item_size(item: Mapping[str, Any]) -> int:
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def _walk_numbers(name: str, value: Any, errors: list[str]) -> None:
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        try:
            check_number_range(name, Decimal(value))
        except FieldError as exc:
            errors.append(str(exc))
    elif isinstance(value, (set, frozenset, list, tuple)):
        for member in value:
            _walk_numbers(name, member, errors)
    elif isinstance(value, Mapping):
        for key, member in value.items():
            _walk_numbers(f"{name}.{key}", member, errors)


# An item is level 1, so an attribute's lists and maps may nest one level less than DynamoDB's.
MAX_NESTED_CONTAINERS = limits.MAX_NESTING_LEVELS - 1


def _nesting(value: Any) -> int:
    """How many lists/maps are nested in a value (sets and scalars: 0), up to one past the
    limit. Iterative: a pasted document may nest deeper than Python's recursion limit."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, Mapping):
            children: Any = current.values()
        elif isinstance(current, (list, tuple)):
            children = current
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_NESTED_CONTAINERS:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _has_empty_map_key(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(k == "" or _has_empty_map_key(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_empty_map_key(v) for v in value)
    return False


def _index_key_limits(table: Table) -> dict[str, int]:
    """Secondary index key attributes and their size limit (a sort key's is the smaller)."""
    sizes: dict[str, int] = {}
    for index in table.indexes.values():
        for attribute, sort_key in ((index.pk, False), (index.sk, True)):
            if attribute:
                limit = limits.key_bytes_limit(sort_key)
                sizes[attribute] = min(sizes.get(attribute, limit), limit)
    return sizes


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _has_unencodable_text(value: Any) -> bool:
    """Whether any text in a value (map keys and set members included) is not valid Unicode:
    a lone surrogate such as ``"\\ud800"``, which JSON's escapes can spell. Iterative, like
    ``_nesting``."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if not _encodable(current):
                return True
        elif isinstance(current, Mapping):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, (list, tuple, set, frozenset)):
            stack.extend(current)
    return False


def printable_name(name: str) -> str:
    """A name safe to show and encode, whatever it holds (lone surrogates escaped)."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def unencodable_text(item: Mapping[str, Any]) -> list[str]:
    """A message per attribute whose name or value holds text DynamoDB cannot store."""
    return [_("%(name)s: holds text that is not valid Unicode (a lone surrogate such as "
              "\\ud800); DynamoDB stores UTF-8 text only.") % {"name": printable_name(name)}
            for name, value in item.items()
            if not _encodable(name) or _has_unencodable_text(value)]


def validate_item(table: Table, item: Mapping[str, Any], *,
                  sent: Collection[str] | None = None) -> None:
    """Raise ItemInvalid with every reason DynamoDB would refuse ``item``.

    ``sent``: the attributes the write sends (an UpdateItem's SET), when it does not send
    the whole item: only their values are checked one by one (the others are as DynamoDB
    holds them, and stay so), the keys and the item's size as always."""
    values = item if sent is None else {name: item[name] for name in sent if name in item}
    # First, and alone: the checks below recurse into values and encode their text.
    too_deep = [f"{printable_name(name)}: lists and maps nested deeper than DynamoDB's "
                f"{limits.MAX_NESTING_LEVELS} levels." for name, value in values.items()
                if _nesting(value) > MAX_NESTED_CONTAINERS]
    if too_deep:
        raise ItemInvalid(too_deep)
    if unencodable := unencodable_text(values):
        raise ItemInvalid(unencodable)
    errors: list[str] = []
    for index, role in ((table.primary, "pk"), (table.primary, "sk")):
        attribute = index.pk if role == "pk" else index.sk
        if attribute is None:
            continue
        key_type = index.pk_type if role == "pk" else index.sk_type
        value = item.get(attribute)
        if value is None or value == "" or value == b"":
            errors.append(f"{attribute} (a key) cannot be empty.")
            continue
        expected = {"S": str, "N": (int, Decimal), "B": (bytes, bytearray)}[key_type]
        if isinstance(value, bool) or not isinstance(value, expected):
            errors.append(f"{attribute} is a key of type {key_type}; got {type(value).__name__}.")
        elif value_size(value) > limits.key_bytes_limit(role == "sk"):
            errors.append(f"{attribute} is longer than DynamoDB allows for a key "
                          f"({limits.key_bytes_limit(role == 'sk')} bytes).")
    # Index key attributes must have the index's type and size too, or DynamoDB refuses the
    # write (moto does not check the size).
    index_key_sizes = _index_key_limits(table)
    for attribute, key_type in table.key_attribute_types().items():
        value = item.get(attribute)
        if value is None or attribute in (table.primary.pk, table.primary.sk):
            continue
        expected = {"S": str, "N": (int, Decimal), "B": (bytes, bytearray)}[key_type]
        if isinstance(value, bool) or not isinstance(value, expected) or value in ("", b""):
            errors.append(f"{attribute} is an index key of type {key_type}; it cannot hold "
                          f"{dumps_plain_json(value, indent=None)}.")
        elif value_size(value) > (size_limit := index_key_sizes.get(
                attribute, limits.MAX_PARTITION_KEY_BYTES)):
            errors.append(f"{attribute} (an index key) is longer than DynamoDB allows for a "
                          f"key ({size_limit} bytes).")
    for name, value in values.items():
        if not name:
            errors.append("Attribute names cannot be empty.")
        elif len(name.encode("utf-8")) > limits.MAX_ATTRIBUTE_NAME_BYTES:
            errors.append("An attribute name is at most 64 KB.")
        _walk_numbers(name, value, errors)
        if isinstance(value, (set, frozenset)) and not value:
            errors.append(f"{name}: DynamoDB sets cannot be empty (remove the attribute).")
        if _has_empty_map_key(value):
            errors.append(f"{name}: a map key cannot be empty.")
        try:
            serialize(value)
        except (TypeError, ValueError) as exc:
            errors.append(f"{name}: {exc}")
    size = item_size(item)
    if size > limits.MAX_ITEM_BYTES:
        errors.append(f"The item would be {size:,} bytes; DynamoDB's limit is 400 KB "
                      f"({limits.MAX_ITEM_BYTES:,} bytes, attribute names included).")
    if errors:
        raise ItemInvalid(errors)


# TTL values dynadmin will write. DynamoDB never deletes items whose TTL is more than five
# years in the past, and a value in milliseconds reads as tens of thousands of years ahead.
TTL_MAX_PAST = limits.TTL_IGNORED_AFTER
TTL_MAX_FUTURE = dt.timedelta(days=100 * 365)


def check_ttl(label: str, moment: dt.datetime | None, now: dt.datetime | None = None) -> None:
    if moment is None:
        return
    now = now or dt.datetime.now(dt.UTC)
    if moment < now - TTL_MAX_PAST:
        raise FieldError(f"{label}: more than five years in the past; DynamoDB never deletes "
                         "such items. Clear the TTL instead, or pick a recent moment.")
    if moment > now + TTL_MAX_FUTURE:
        raise FieldError(f"{label}: more than 100 years ahead; is it in milliseconds instead "
                         "of seconds?")
