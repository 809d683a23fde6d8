"""A few items the bulk dataset lacks, for the item page with its relations.

The dataset has sessions and the whale's orders but no User item, so no user's page shows
its related items. After the dataset is ensured, one session user (9 sessions, and never a
partition another measure reads: the whale's last page is measured, so not the whale) gets
its User item, a dozen orders and three invitations to its email. The items are functions
of the profile, written with plain unconditional puts, so writing them again changes
nothing; the dataset's marker and ``DATASET_VERSION`` stay as they are, so the million items
are never reloaded for them.

The example's UserAdmin relates a user to its Orders (``USER#<id>`` begins_with ``ORDER#``),
its Sessions (``SESSION#``) and, once declared, its Invitations (GSI1 ``INVITE#EMAIL#<email>``).

The archive of changes is created too, empty: the item page reads its History (one Query,
beside the relations' reads) as in a project with the archive on, and that call answers like
the others (a missing table would answer an error the raw side cannot replay).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dynadmin import data
from dynadmin.data.schema import ensure_table
from dynadmin.history.archive import archive
from examples.shop.definitions import Invitation, Order, User, shop

from . import dataset
from .profiles import Profile

#: the session user whose item page is measured: user number 7 (sessions 63 to 71)
RELATION_USER_NUMBER = 7
ORDERS = 12
INVITATIONS = 3
#: 7 digits, as the whale's, but far from them (1,000,000 + at most 100,000)
FIRST_ORDER_ID = 3_000_000
_CREATED = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
_EXPIRES = dt.datetime(2035, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class RelationUser:
    user_id: str
    email: str
    sessions: int

    @property
    def pk(self) -> str:
        return f"USER#{self.user_id}"

    @property
    def item_path(self) -> str:
        return f"/t/Application/item/?pk=USER%23{self.user_id}&sk=METADATA"

    def to_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "email": self.email, "sessions": self.sessions,
                "orders": ORDERS, "invitations": INVITATIONS}


def relation_user(profile: Profile) -> RelationUser:
    per_user = profile.sessions_per_user
    user_id = dataset.session_user_id(RELATION_USER_NUMBER * per_user, per_user)
    if user_id == dataset.WHALE_USER_ID:
        raise AssertionError("the relation user must not be the whale")
    return RelationUser(user_id, f"relations-{user_id}@example.com", per_user)


def extra_items(profile: Profile) -> list[dict[str, Any]]:
    user = relation_user(profile)
    items = [User.build_item({"user_id": user.user_id, "email": user.email,
                              "name": "Relations Bench", "tier": "PRO",
                              "created_at": _CREATED, "version": 1})]
    for index in range(ORDERS):
        values = dataset.order_values(index) | {
            "user_id": user.user_id, "order_id": str(FIRST_ORDER_ID + index),
            "total": Decimal(2500 + index) / 100}
        items.append(Order.build_item(values))
    for number in range(INVITATIONS):
        items.append(Invitation.build_item({
            "invite_id": f"bench-{user.user_id}-{number}", "email": user.email,
            "invited_by": "bench", "expires": _EXPIRES}))
    return items


def ensure_extras(profile: Profile) -> RelationUser:
    """Put the extra items (idempotent: the same items every time) and the empty archive."""
    data.load_items_unconditionally(shop, extra_items(profile))
    ensure_table(archive)
    return relation_user(profile)
