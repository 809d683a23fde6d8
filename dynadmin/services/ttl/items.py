"""A TTL as one item's page shows it, and who may change it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from ... import conf, data
from ...codenames import EXTEND_TTL
from ...definitions import Entity, Table
from .values import EXTEND_DAYS, TTLState, classify_ttl

if TYPE_CHECKING:
    from ...sites import AdminSite


@dataclass(frozen=True)
class TTLTarget:
    """Where an item keeps its TTL, and the rules its entity sets."""

    entity: type[Entity] | None
    attribute: str | None
    policy: str

    @property
    def required(self) -> bool:
        return self.policy == "required"


#: ``entity`` not given: the item is classified here
UNCLASSIFIED_YET: Any = object()


def ttl_target(table: Table, item: Mapping[str, Any], entity: Any = UNCLASSIFIED_YET
               ) -> TTLTarget:
    """Which attribute holds this item's TTL, and its entity's policy for it (``entity``: the
    item's entity when the caller has classified it already, None for unclassified)."""
    if entity is UNCLASSIFIED_YET:
        entity = table.classify(item)
    if entity is None:
        return TTLTarget(None, table.ttl_attribute, "optional")
    ttl_field = entity._meta.ttl_field
    return TTLTarget(entity, ttl_field.attribute if ttl_field else table.ttl_attribute,
                   entity._meta.ttl_policy)


def item_ttl_state(table: Table, item: Mapping[str, Any], now: dt.datetime,
                   entity: Any = UNCLASSIFIED_YET) -> TTLState:
    """An item's TTL by its entity's TTL field (else the table's TTL attribute)."""
    target = ttl_target(table, item, entity)
    value = item.get(target.attribute) if target.attribute else None
    return classify_ttl(value, required=target.required, now=now)


def may_set_any_ttl(site: AdminSite, request: HttpRequest, table: Table) -> bool:
    """Checked before a request body is read: may this person change some TTL here?"""
    user = request.user
    if not (user.is_active and user.is_staff) or data.is_read_only(table):
        return False
    if user.is_superuser or user.has_perm(f"dynadmin.{EXTEND_TTL}"):
        return True
    return any(site.get_entity_admin(e).has_change_permission(request)
               for e in site.entities_of(table))


#: the TTL states an extension can start from: a real expiry, or one that has passed (an item
#: awaiting deletion is kept by extending it from now). Adding an expiry to an item that never
#: expires would shorten its life, which only change permission may do.
EXTENDABLE = ("ok", "expired")


def ttl_rights(site: AdminSite, request: HttpRequest, table: Table, item: Mapping[str, Any]
               ) -> str:
    """``"change"`` (set, shorten, clear: change permission on the item's entity), ``"extend"``
    (only later, up to the cap: the extend-TTL permission on an entity the person may view)
    or ``""``. Unclassified items have no entity permissions: superusers only."""
    if data.is_read_only(table):
        return ""
    admin = site.admin_of_item(table, dict(item))
    if admin is None:
        return "change" if request.user.is_superuser else ""
    if admin.has_change_permission(request, item):
        return "change"
    if (request.user.has_perm(f"dynadmin.{EXTEND_TTL}")
            and admin.has_view_permission(request, item)):
        return "extend"
    return ""


def may_set_ttl(site: AdminSite, request: HttpRequest, table: Table, item: Mapping[str, Any]
                ) -> bool:
    return bool(ttl_rights(site, request, table, item))


def extension_cap(now: dt.datetime) -> dt.datetime:
    """The latest expiry the extend permission may set (DYNADMIN_TTL_EXTEND_MAX_DAYS)."""
    return now + dt.timedelta(days=int(conf.get("TTL_EXTEND_MAX_DAYS")))


def extension_base(state: TTLState, now: dt.datetime) -> dt.datetime:
    """What an extension adds to: the expiry, or now for one that has passed."""
    return state.moment if state.kind == "ok" and state.moment else now


@dataclass
class ItemTTL:
    """The TTL block of an item page."""

    attribute: str
    state: TTLState
    policy: str
    default_lifetime: str
    may_change: bool
    #: what the "set to" field starts with (``YYYY-MM-DD HH:MM``, UTC)
    initial: str
    extend_days: tuple[int, ...] = EXTEND_DAYS
    #: set, shorten and clear (change permission); else only extend, up to ``extend_until``
    may_shorten: bool = True
    #: the latest expiry an extension may set (``YYYY-MM-DD HH:MM``, UTC), when only extending
    extend_until: str = ""
    #: the earliest (an extension moves the expiry later), when only extending
    extend_from: str = ""

    @property
    def may_clear(self) -> bool:
        return self.may_shorten and self.policy != "required" and self.state.kind != "none"

    @property
    def may_extend(self) -> bool:
        return self.policy != "none"

    @property
    def extend_label(self) -> str:
        """What the extend buttons add to: the expiry, or now once it has passed."""
        return _("Extend by") if self.state.kind == "ok" else _("Extend from now by")

    @property
    def set_label(self) -> str:
        return _("Set to (UTC)") if self.may_shorten else _("Extend to (UTC)")

    @property
    def set_button(self) -> str:
        return _("Set expiry") if self.may_shorten else _("Extend")


def item_ttl(site: AdminSite, table: Table, item: Mapping[str, Any], request: HttpRequest,
             now: dt.datetime | None = None) -> ItemTTL | None:
    """The TTL block for an item, or None when neither its entity nor the table has a TTL."""
    now = now or dt.datetime.now(dt.UTC)
    target = ttl_target(table, item)
    if target.attribute is None:
        return None
    state = item_ttl_state(table, item, now)
    if target.policy == "none" and state.kind == "none":
        return None
    lifetime = target.entity._meta.default_lifetime if target.entity else None
    if state.kind == "ok" and state.moment:
        start = state.moment
    elif state.meant and state.meant > now:
        start = state.meant
    else:
        start = now + (lifetime or dt.timedelta(days=1))
    rights = ttl_rights(site, request, table, item)
    block = ItemTTL(attribute=target.attribute, state=state, policy=target.policy,
                    default_lifetime=duration_text(lifetime), initial=start.strftime(
                        _LOCAL), may_change=bool(rights), may_shorten=rights == "change")
    if rights == "extend":
        _only_extend(block, now)
    return block


#: how the "set to" field spells a moment: as every page writes one, never the browser's
#: locale (a datetime-local input shows 12/09/2026, 04:43 AM in Chromium's en-US)
_LOCAL = "%Y-%m-%d %H:%M"


def _only_extend(block: ItemTTL, now: dt.datetime) -> None:
    """Offer only what the extend permission allows: later, up to the cap."""
    cap, base = extension_cap(now), extension_base(block.state, now)
    block.extend_days = tuple(d for d in block.extend_days
                              if base + dt.timedelta(days=d) <= cap)
    if block.state.kind not in EXTENDABLE or base >= cap:
        block.may_change = False
        return
    block.extend_until, block.extend_from = cap.strftime(_LOCAL), base.strftime(_LOCAL)
    block.initial = min(cap, base + dt.timedelta(days=1)).strftime(_LOCAL)


def duration_text(delta: dt.timedelta | None) -> str:
    if not delta:
        return "—"
    if delta.days and not delta.seconds:
        return f"{delta.days} day{'s' if delta.days != 1 else ''}"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"
