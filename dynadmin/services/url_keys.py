"""Keys in URLs: they travel in the query string (they hold ``#`` and ``/``), typed as the
table declares them (S as text, N as a decimal, B as base64)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..data.serialization import dumps_plain_json
from ..definitions import Index, Table
from ..limits import key_bytes_limit
from ..user_errors import UserInputError
from .links import site_url

__all__ = ["BadKey", "item_url", "key_text", "key_param", "parse_key_value", "parse_item_key",
           "quoted"]



class BadKey(UserInputError):
    """A key from the browser that cannot be a key of this table: shown as a 400."""

    title = gettext_lazy("Not a key of this table")
    advice = gettext_lazy("Check the pk and sk values in the address.")


def parse_key_value(raw: str | None, attribute: str, key_type: str, *,
                    sort_key: bool = False) -> Any:
    """A key value from the URL, typed; ``sort_key`` for a sort key's smaller size limit."""
    if raw is None or raw == "":
        raise BadKey(_("%(attribute)s is required and cannot be empty.")
                     % {"attribute": attribute})
    if len(raw.encode("utf-8")) > key_bytes_limit(sort_key):
        message = (_("%(attribute)s is longer than DynamoDB allows for a sort key "
                     "(%(limit)s bytes).") if sort_key else
                   _("%(attribute)s is longer than DynamoDB allows for a partition key "
                     "(%(limit)s bytes)."))
        raise BadKey(message % {"attribute": attribute, "limit": key_bytes_limit(sort_key)})
    if key_type == "N":
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise BadKey(_("%(attribute)s is a Number key; %(raw)r is not a number.")
                         % {"attribute": attribute, "raw": raw}) from None
        if not value.is_finite():
            raise BadKey(_("%(attribute)s is a Number key; %(raw)r is not a finite number.")
                         % {"attribute": attribute, "raw": raw})
        return value
    if key_type == "B":
        try:
            value = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise BadKey(_("%(attribute)s is a Binary key; give it as base64.")
                         % {"attribute": attribute}) from None
        if not value:
            raise BadKey(_("%(attribute)s cannot be empty.") % {"attribute": attribute})
        return value
    return raw


def key_param(value: Any) -> str:
    """How a key value is written into a URL (the inverse of parse_key_value)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def parse_item_key(table: Table, params: Any) -> dict[str, Any]:
    """The primary key named by ``?pk=...&sk=...``."""
    index = table.primary
    key = {index.pk: parse_key_value(params.get("pk"), index.pk, index.pk_type)}
    if index.sk:
        key[index.sk] = parse_key_value(params.get("sk"), index.sk, index.sk_type,
                                        sort_key=True)
    return key


def key_text(table: Table, item: Mapping[str, Any]) -> str:
    """``USER#123 / ORDER#2024-01-15#456``: an item's primary key as a person reads it."""
    return " / ".join(
        item[a] if isinstance(item[a], str) else dumps_plain_json(item[a], indent=None)
        for a in table.primary.attributes if a in item)


def item_url(table: Table, item: dict[str, Any]) -> str:
    """The item page of an item (from its primary key attributes)."""
    return _url(table, table.primary, item, "item")


def edit_url(table: Table, item: dict[str, Any]) -> str:
    """The edit form of an item (from its primary key attributes)."""
    return _url(table, table.primary, item, "edit")


def _url(table: Table, index: Index, item: dict[str, Any], name: str) -> str:
    # What urlencode({"pk": ..., "sk": ...}) gives, spelled out: a list links every row.
    query = "pk=" + _kept_quoted(key_param(item[index.pk]))
    if index.sk and index.sk in item:
        # Not kept: a sort key is one row's own, and 64 kept ones would be replaced on
        # every page, holding on to the memory of the rows they came from.
        query += "&sk=" + quoted(key_param(item[index.sk]))
    return site_url(name, table=table.name) + "?" + query


@lru_cache(maxsize=64)
def _kept_quoted(text: str) -> str:
    # The rows of a partition page share their partition key: quoted once, not per row.
    return quoted(text)


_QUOTED_BYTE = {chr(b): f"%{b:02X}" for b in range(256)} | {" ": "+"}
_TO_QUOTE = re.compile(r"[^A-Za-z0-9_.~-]")


def quoted(text: str) -> str:
    """``urllib.parse.quote_plus(text, safe="")``, about three times faster (every row of a
    page links its key): the text's UTF-8 bytes, each but the unreserved ones as ``%XX``, a
    space as ``+``."""
    return _TO_QUOTE.sub(_quote_match, text.encode().decode("latin-1"))


def _quote_match(match: re.Match[str]) -> str:
    return _QUOTED_BYTE[match.group()]
