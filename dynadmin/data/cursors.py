"""Opaque, signed pagination cursors.

A cursor carries DynamoDB's LastEvaluatedKey (and whatever the page needs to move both ways)
through the browser. It is signed with ``django.core.signing`` and scoped to one query, so a
tampered cursor, one from another query, or a stale one is refused with a 400 instead of
reaching DynamoDB.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from django.core import signing

from .. import conf
from .errors import InvalidCursor
from .serialization import deserialize_item, serialize_item

__all__ = ["decode_cursor", "encode_cursor", "key_from_json", "key_to_json"]

_SALT = "dynadmin.cursor"


def key_to_json(key: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB key as JSON-safe DynamoDB JSON (binary as base64)."""
    out: dict[str, Any] = {}
    for name, value in serialize_item(key).items():
        (kind, data), = value.items()
        out[name] = {kind: base64.b64encode(data).decode() if kind == "B" else data}
    return out


def key_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    wire = {}
    for name, value in data.items():
        (kind, raw), = value.items()
        if kind not in ("S", "N", "B"):
            raise InvalidCursor("a page link holds a key of an impossible type")
        wire[name] = {kind: base64.b64decode(raw) if kind == "B" else raw}
    return deserialize_item(wire)


def encode_cursor(payload: Mapping[str, Any], *, scope: str) -> str:
    """Sign ``payload`` (JSON-safe) for use by the query identified by ``scope`` only."""
    return signing.dumps(dict(payload), salt=f"{_SALT}:{scope}", compress=True)


def decode_cursor(token: str, *, scope: str) -> dict[str, Any]:
    max_age = conf.get("CURSOR_MAX_AGE")
    try:
        payload = signing.loads(token, salt=f"{_SALT}:{scope}", max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidCursor(
            "This page link has expired. Start again from the first page.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidCursor(
            "This page link is not valid for this query (it was altered, or belongs to "
            "another query). Start again from the first page."
        ) from None
    if not isinstance(payload, dict):
        raise InvalidCursor("This page link is not valid.")
    return payload
