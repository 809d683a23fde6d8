"""Orders of user u1, all placed on one day and told apart by number: the rows the action
tests select on the partition page (the ``orders`` fixture in ``tests/conftest.py`` writes
four of them)."""

import datetime as dt
from decimal import Decimal

from examples.shop.definitions import Order


def order(n, status="PENDING"):
    return Order.build_item({
        "user_id": "u1", "order_id": str(n), "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, tzinfo=dt.UTC), "status": status,
        "total": Decimal("1.00"), "version": 1})
