"""The example shop's dataset generator: pure Python, so no DynamoDB is needed here.

Docs, demos and other tests rely on its well-known records (alice, the whale, order 456, the
broken TTLs) and on every item fitting the definitions, so those are pinned down here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from examples.shop import seed
from examples.shop.definitions import CATEGORIES, ORDER_STATUSES, shop

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
SMALL = {"users": 60, "orders": 400, "seed": 7, "now": NOW}
BROKEN = {(pk, sk) for pk, sk, _ in seed.BROKEN_TTL_KEYS}
ALICE_PK = f"USER#{seed.ALICE['user_id']}"
WHALE_PK = f"USER#{seed.WHALE_USER_ID}"


@pytest.fixture(scope="module")
def small() -> list[dict[str, Any]]:
    return list(seed.generate(**SMALL))


@pytest.fixture(scope="module")
def default() -> list[dict[str, Any]]:
    """The dataset ``seed_shop`` loads by default (generation takes a second or two)."""
    return list(seed.generate(now=NOW))


def of_type(items: list[dict[str, Any]], type_value: str) -> list[dict[str, Any]]:
    return [i for i in items if i.get("type") == type_value]


def key(item: dict[str, Any]) -> tuple[str, str]:
    return item["PK"], item["SK"]


# -- determinism ----------------------------------------------------------------------------
def test_same_seed_gives_identical_items(small: list[dict[str, Any]]) -> None:
    assert list(seed.generate(**SMALL)) == small


def test_another_seed_gives_other_items(small: list[dict[str, Any]]) -> None:
    other = list(seed.generate(**{**SMALL, "seed": 8}))
    assert {key(i) for i in other} != {key(i) for i in small}


def test_a_naive_now_is_taken_as_utc(small: list[dict[str, Any]]) -> None:
    naive = list(seed.generate(**{**SMALL, "now": NOW.replace(tzinfo=None)}))
    assert naive == small


def test_too_small_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="users"):
        list(seed.generate(users=2, orders=100))
    with pytest.raises(ValueError, match="orders"):
        list(seed.generate(users=10, orders=3))


# -- every item fits the definitions --------------------------------------------------------
def test_every_item_classifies_to_its_entity_and_round_trips(small: list[dict[str, Any]]) -> None:
    seen = Counter()
    for item in small:
        entity = shop.classify(item)
        assert entity is not None, item
        assert entity._meta.type_value == item["type"]
        seen[entity._meta.name] += 1
        parsed = entity.parse_item(item)
        assert parsed.extra == {}, (key(item), parsed.extra)
        if key(item) not in BROKEN:
            assert parsed.errors == {}, (key(item), parsed.errors)
        # The keys are exactly what the key templates make of the parsed values.
        values = parsed.values
        assert entity.key(values) == {"PK": item["PK"], "SK": item["SK"]}
        gsi = {a: v for a, v in item.items() if a.startswith("GSI")}
        assert entity.index_key_attributes(values) == gsi
    assert set(seen) == {"Product", "User", "Order", "OrderItem", "Session", "Invitation"}


def test_keys_are_unique(default: list[dict[str, Any]]) -> None:
    keys = Counter(key(i) for i in default)
    assert [k for k, n in keys.items() if n > 1] == []


def test_emails_are_unique_and_shaped_like_first_last_n(default: list[dict[str, Any]]) -> None:
    emails = [u["email"] for u in of_type(default, "user")]
    assert len(set(emails)) == len(emails)
    others = [e for e in emails if e not in (seed.ALICE["email"], seed.WHALE_EMAIL)]
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d+@example\.com", e) for e in others), others[:5]


def test_no_floats_anywhere(default: list[dict[str, Any]]) -> None:
    def floats(value: Any) -> bool:
        if isinstance(value, float):
            return True
        if isinstance(value, dict):
            return any(floats(v) for v in value.values())
        if isinstance(value, (list, set, frozenset, tuple)):
            return any(floats(v) for v in value)
        return False

    assert [key(i) for i in default if floats(i)] == []


# -- the shape of the default dataset -------------------------------------------------------
def test_default_sizes(default: list[dict[str, Any]]) -> None:
    counts = seed.entity_counts(default)
    assert counts["User"] == seed.DEFAULT_USERS
    assert counts["Order"] == seed.DEFAULT_ORDERS
    assert counts["Product"] == seed.PRODUCT_COUNT
    assert 2900 <= counts["Session"] <= 3100
    assert 290 <= counts["Invitation"] <= 310
    assert counts.get("unclassified", 0) == 0


def test_the_whale_has_thousands_of_orders(default: list[dict[str, Any]]) -> None:
    orders = Counter(o["PK"] for o in of_type(default, "order"))
    assert orders[WHALE_PK] >= 5000
    assert orders[WHALE_PK] == seed.expected_whale_orders(seed.DEFAULT_ORDERS)
    # The whale stands out: nobody else comes close.
    runner_up = orders.most_common(2)[1][1]
    assert runner_up * 10 < orders[WHALE_PK]


def test_orders_are_spread_unevenly(default: list[dict[str, Any]]) -> None:
    per_user = Counter(o["PK"] for o in of_type(default, "order"))
    per_user.pop(WHALE_PK)
    assert len(per_user) < seed.DEFAULT_USERS - 1  # some customers never ordered
    assert max(per_user.values()) >= 5 * (sum(per_user.values()) / len(per_user))


def test_ids_are_not_sequential(default: list[dict[str, Any]]) -> None:
    user_ids = [u["user_id"] for u in of_type(default, "user")]
    assert all(re.fullmatch(r"[0-9a-f]{8}", u) for u in user_ids)
    numbers = [int(u, 16) for u in user_ids]
    steps = {b - a for a, b in zip(numbers, numbers[1:], strict=False)}
    assert len(steps) > len(numbers) // 2
    order_ids = [o["order_id"] for o in of_type(default, "order")]
    assert len(set(order_ids)) == len(order_ids)
    assert all(re.fullmatch(r"\d{6}", o) for o in order_ids if o != seed.KNOWN_ORDER_ID)
    assert order_ids[5:15] != sorted(order_ids[5:15])


def test_orders_are_consistent(default: list[dict[str, Any]]) -> None:
    lines: dict[str, list[dict[str, Any]]] = {}
    for line in of_type(default, "order_item"):
        lines.setdefault(line["order_id"], []).append(line)
    orders = of_type(default, "order")
    statuses = Counter(o["status"] for o in orders)
    assert set(statuses) == set(ORDER_STATUSES)
    assert statuses["PENDING"] > len(orders) // 10
    earliest = NOW - dt.timedelta(days=3 * 365 + 1)
    for order in orders:
        placed = dt.datetime.fromisoformat(order["placed_at"])
        assert earliest <= placed < NOW
        assert order["placed_on"] == placed.date().isoformat()
        assert order["version"] == 1
        assert isinstance(order["total"], Decimal) and order["total"] > 0
        if order["order_id"] in lines:
            own = lines[order["order_id"]]
            assert order["item_count"] == len(own)
            assert order["total"] == sum(li["unit_price"] * li["quantity"] for li in own)
    # Line items exist for a subset only (see the module docstring), but for a real one.
    assert len(orders) * seed.LINE_ITEM_SHARE / 2 < len(lines) < len(orders) // 2
    assert any("shipping_address" in o for o in orders)


def test_the_whale_s_recent_orders_have_line_items(default: list[dict[str, Any]]) -> None:
    with_lines = {li["order_id"] for li in of_type(default, "order_item")}
    whale = sorted((o for o in of_type(default, "order") if o["PK"] == WHALE_PK),
                   key=lambda o: o["placed_at"], reverse=True)
    recent = whale[:seed.WHALE_ORDERS_WITH_LINES]
    assert all(o["order_id"] in with_lines for o in recent)


def test_products_show_off_the_unusual_types(default: list[dict[str, Any]]) -> None:
    products = of_type(default, "product")
    assert {p["category"] for p in products} == set(CATEGORIES)
    assert any(p["in_stock"] is False for p in products)
    assert any(isinstance(p.get("weights_kg"), set) for p in products)
    assert any(isinstance(p.get("thumbnail"), bytes) for p in products)
    assert any("discontinued" in p and p["discontinued"] is None for p in products)
    assert all(p["price"].as_tuple().exponent == -2 for p in products)


# -- the well-known demo records ------------------------------------------------------------
@pytest.mark.parametrize("dataset", ["small", "default"])
def test_alice_and_order_456(dataset: str, request: pytest.FixtureRequest) -> None:
    items = request.getfixturevalue(dataset)
    users = {u["email"]: u for u in of_type(items, "user")}
    alice = users[seed.ALICE["email"]]
    assert alice["user_id"] == seed.ALICE["user_id"]
    assert alice["name"] == seed.ALICE["name"]
    orders = [o for o in of_type(items, "order") if o["PK"] == ALICE_PK]
    assert len(orders) == seed.ALICE_ORDER_COUNT
    known = [o for o in orders if o["order_id"] == seed.KNOWN_ORDER_ID]
    assert len(known) == 1
    assert known[0]["GSI1PK"] == f"ORDER#{seed.KNOWN_ORDER_ID}"
    lines = [li for li in of_type(items, "order_item") if li["order_id"] == seed.KNOWN_ORDER_ID]
    assert lines and len(lines) == known[0]["item_count"]
    assert WHALE_PK in {u["PK"] for u in of_type(items, "user")}


# -- TTLs -----------------------------------------------------------------------------------
def test_ttls_straddle_now(default: list[dict[str, Any]]) -> None:
    now = int(NOW.timestamp())
    ttls = [i["ttl"] for i in default
            if i.get("type") in ("session", "invitation") and key(i) not in BROKEN]
    assert all(isinstance(t, Decimal) for t in ttls)
    expired = [t for t in ttls if t <= now]
    assert 0.1 * len(ttls) < len(expired) < 0.4 * len(ttls)
    assert all(now - 2 * 86400 < t < now + 31 * 86400 for t in ttls)


def test_broken_ttls_are_there_and_really_broken(small: list[dict[str, Any]]) -> None:
    by_key = {key(i): i for i in small}
    assert len(seed.BROKEN_TTL_KEYS) >= 4
    now = int(NOW.timestamp())
    for pk, sk, reason in seed.BROKEN_TTL_KEYS:
        item = by_key[(pk, sk)]
        assert reason
        entity = shop.classify(item)
        assert entity is not None and entity._meta.ttl_policy == "required"
        ttl = item.get("ttl")
        parsed = entity.parse_item(item)
        if ttl is None:
            assert "ttl" not in item
        elif isinstance(ttl, str):
            assert "expires" in parsed.errors
        elif ttl > now * 100:  # milliseconds
            assert "expires" in parsed.errors
        else:  # older than DynamoDB's five-year window
            assert ttl < now - 5 * 365 * 86400
    kinds = {type(by_key[(pk, sk)].get("ttl")) for pk, sk, _ in seed.BROKEN_TTL_KEYS}
    assert kinds == {Decimal, str, type(None)}
