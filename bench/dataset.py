"""The benchmark's dataset: one whale's orders (the big partition) and many cheap sessions.

Everything is a pure function of an index, so that any item, and in particular the key of
the n-th order in key order, can be computed without reading the table: the page-2,000
cursor is built from ``order_key(99_949)`` instead of walking 1,999 pages first.

Orders are built through the example's ``Order`` definition, so they carry the GSI1 key
(``ORDER#<id>``, for the lookup measure) and the GSI2 key like real ones. Sessions have no
index keys, so DynamoDB Local writes them about twice as fast: they make up the bulk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from examples.shop.definitions import ORDER_STATUSES, Order, Session

from .profiles import Profile

#: bump when the generated items change: a stored dataset of another version is reloaded
DATASET_VERSION = 1
WHALE_USER_ID = "0b5e55ed"
WHALE_PK = f"USER#{WHALE_USER_ID}"
#: 7 digits: the "Order by ID" lookup takes it, "User by ID" (8 hex digits) does not, so the
#: global box runs exactly one Query for it
FIRST_ORDER_ID = 1_000_000
#: where the marker and the load progress live (unclassified items, outside any entity)
BENCH_PK = "BENCH#DATASET"
MARKER_SK = "MARKER"
PROGRESS_SK = "PROGRESS"
#: items per unit of work (one thread writes one chunk; progress is recorded per chunk)
CHUNK_SIZE = 5_000

_ORDERS_START = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
_ORDER_SPACING = dt.timedelta(minutes=7)
_SESSION_CREATED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
#: far enough ahead that DynamoDB Local's TTL never removes a session of a kept dataset
_SESSION_EXPIRES = dt.datetime(2035, 1, 1, tzinfo=dt.UTC)
_CITIES = ("London", "Berlin", "Paris", "Madrid", "Dublin", "Amsterdam", "Boston")


# -- orders of the whale (the big partition) ---------------------------------------------
def order_id(index: int) -> str:
    return str(FIRST_ORDER_ID + index)


def order_values(index: int) -> dict[str, Any]:
    """Order number ``index`` (0-based). Placed 7 minutes apart, so key order = index order."""
    placed = _ORDERS_START + index * _ORDER_SPACING
    return {
        "user_id": WHALE_USER_ID,
        "order_id": order_id(index),
        "placed_on": placed.date(),
        "placed_at": placed,
        "status": ORDER_STATUSES[index % len(ORDER_STATUSES)],
        "total": Decimal(1999 + index % 50_000) / 100,
        "currency": "EUR",
        "item_count": 1 + index % 3,
        "shipping_address": {
            "name": "Megacorp Purchasing",
            "line1": f"{1 + index % 240} High Street",
            "city": _CITIES[index % len(_CITIES)],
            "postcode": f"{10000 + index % 89999}",
        },
        "version": 1,
    }


def order_item(index: int) -> dict[str, Any]:
    return Order.build_item(order_values(index))


def order_key(index: int) -> dict[str, Any]:
    """The primary key of order ``index``: what DynamoDB returns as LastEvaluatedKey."""
    return Order.key(order_values(index))


# -- sessions (the bulk) -------------------------------------------------------------------
def session_user_id(index: int, per_user: int) -> str:
    """8 hex digits, spread over the key space (a multiplicative hash of the user number)."""
    return f"{(index // per_user + 1) * 2654435761 % 2**32:08x}"


def session_item(index: int, per_user: int) -> dict[str, Any]:
    return Session.build_item({
        "user_id": session_user_id(index, per_user),
        "session_id": f"S{index:09d}",
        "created_at": _SESSION_CREATED,
        "ip_address": f"192.0.2.{index % 250 + 1}",
        "expires": _SESSION_EXPIRES,
    })


# -- chunks --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Chunk:
    """A run of consecutive items of one kind: the unit a loader thread writes."""

    number: int
    kind: str  # "orders" or "sessions"
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


def chunks(profile: Profile) -> list[Chunk]:
    """The whole dataset in order: the whale's orders first, then the sessions."""
    out: list[Chunk] = []
    for kind, total in (("orders", profile.whale_orders), ("sessions", profile.sessions)):
        for start in range(0, total, CHUNK_SIZE):
            out.append(Chunk(len(out), kind, start, min(start + CHUNK_SIZE, total)))
    return out


def chunk_items(chunk: Chunk, profile: Profile) -> Iterator[dict[str, Any]]:
    for index in range(chunk.start, chunk.stop):
        if chunk.kind == "orders":
            yield order_item(index)
        else:
            yield session_item(index, profile.sessions_per_user)


def description(profile: Profile) -> dict[str, Any]:
    """What a complete load holds: stored in the marker and compared on the next run."""
    return {
        "version": DATASET_VERSION,
        "whale_user_id": WHALE_USER_ID,
        "whale_orders": profile.whale_orders,
        "sessions": profile.sessions,
        "sessions_per_user": profile.sessions_per_user,
        "total_items": profile.total_items,
    }
