"""Extending, setting or clearing an item's TTL: composed here and written by the entity
admin's ``save_item`` (``editing.writes.save``, its usual guard and audit entry).

Editing owns it (not services.ttl) because composing a write needs editing's TTL checks, and
services never import editing: the layers flow editing -> services only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..definitions import Table
from ..definitions.fields import FieldError
from ..services.ttl import (
    EXTEND_DAYS,
    EXTENDABLE,
    extension_base,
    extension_cap,
    item_ttl_state,
    ttl_target,
)
from ..user_errors import UserInputError
from .validation import check_ttl


class TTLRefused(UserInputError):
    """A TTL change that is not made: the message is shown as is, with a 400."""

    title = gettext_lazy("TTL not changed")
    advice = gettext_lazy("Nothing was written.")


class TTLNotPermitted(PermissionDenied):
    """A change the extend-TTL permission does not cover (earlier, cleared, past the cap)."""


@dataclass(frozen=True)
class TTLChange:
    op: str  # "extend", "set" or "clear"
    days: int = 0
    moment: dt.datetime | None = None

    def describe(self) -> str:
        if self.op == "extend":
            return ngettext("extended by %(days)d day", "extended by %(days)d days",
                            self.days) % {"days": self.days}
        return _("set") if self.op == "set" else _("cleared")


#: a moment typed as every page writes one (``2030-01-31 09:30``), or with ISO's ``T``
_DATETIME_LOCAL = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_change(post: Mapping[str, str]) -> TTLChange:
    """The change a TTL form asks for: ``extend=<days>``, ``op=set`` + ``expires_at``
    (``YYYY-MM-DD HH:MM``, UTC) or ``op=clear``."""
    if post.get("extend"):
        if post["extend"] not in {str(d) for d in EXTEND_DAYS}:
            raise TTLRefused(_("Extend by %(days)s days only.")
                             % {"days": ", ".join(map(str, EXTEND_DAYS))})
        return TTLChange("extend", days=int(post["extend"]))
    op = post.get("op", "")
    if op == "clear":
        return TTLChange("clear")
    if op != "set":
        raise TTLRefused(_("Choose extend, set or clear."))
    text = (post.get("expires_at") or "").strip()
    for fmt in _DATETIME_LOCAL:
        try:
            moment = dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        return TTLChange("set", moment=moment)
    raise TTLRefused(_("Give the new expiry as a date and time (UTC), e.g. 2030-01-31 09:30."))


def apply_change(table: Table, original: Mapping[str, Any], change: TTLChange,
                 now: dt.datetime | None = None, *, extend_only: bool = False
                 ) -> dict[str, Any]:
    """The item with its TTL changed. An expired or broken TTL is extended from now.

    ``extend_only`` (the extend-TTL permission without change permission): the expiry may
    only move later, up to DYNADMIN_TTL_EXTEND_MAX_DAYS from now; TTLNotPermitted otherwise.
    """
    now = now or dt.datetime.now(dt.UTC)
    target = ttl_target(table, original)
    if target.attribute is None:
        raise TTLRefused(_("Neither this item's entity nor the table declares a TTL "
                          "attribute."))
    name = target.entity._meta.verbose_name if target.entity else _("unclassified")
    new_item = dict(original)
    if extend_only and change.op == "clear":
        raise TTLNotPermitted(_("Clearing a TTL needs permission to change the item."))
    if change.op == "clear":
        if target.required:
            raise TTLRefused(_("A TTL is required on %(things)s items: clearing it would keep the "
                               "item forever. Set a new expiry instead.") % {"things": name})
        new_item.pop(target.attribute, None)
        return new_item
    if target.policy == "none":
        raise TTLRefused(_("%(things)s items do not expire (their TTL policy is none): a TTL "
                           "would make DynamoDB delete this one.") % {"things": name})
    state = item_ttl_state(table, original, now)
    if change.op == "extend":
        base = state.moment if state.kind == "ok" and state.moment else now
        moment = base + dt.timedelta(days=change.days)
    else:
        moment = change.moment
    try:
        check_ttl(_("The new expiry"), moment, now)
    except FieldError as exc:
        raise TTLRefused(str(exc)) from None
    if extend_only:
        _check_extension(state, moment, now)
    new_item[target.attribute] = Decimal(int(moment.timestamp()))
    return new_item


def _check_extension(state: Any, moment: dt.datetime, now: dt.datetime) -> None:
    """An extension moves a real (or passed) expiry later, and no further than the cap."""
    if state.kind not in EXTENDABLE:
        raise TTLNotPermitted(_("This item does not expire now: giving it an expiry would "
                                "shorten its life, which needs permission to change it."))
    if moment <= extension_base(state, now):
        raise TTLNotPermitted(_("Extending moves the expiry later; an earlier one needs "
                                "permission to change the item."))
    cap = extension_cap(now)
    if moment > cap:
        raise TTLNotPermitted(_("Extending may move the expiry up to %(cap)s UTC at most; "
                                "later needs permission to change the item.")
                              % {"cap": cap.strftime("%Y-%m-%d %H:%M")})
