"""One TTL value, classified by DynamoDB's rules: ok, expired, or which kind of broken."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ...data.serialization import dumps_plain_json, serialize
from ...limits import TTL_IGNORED_AFTER

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: Read as seconds, a TTL after this is a unit mistake, not a plan.
YEAR_3000 = int((dt.datetime(3000, 1, 1, tzinfo=dt.UTC) - EPOCH).total_seconds())
EXTEND_DAYS = (1, 7, 30)
BROKEN_KINDS = ("millis", "far_future", "not_number", "ancient", "missing")
KINDS = ("ok", "expired", *BROKEN_KINDS, "none")
_TYPE_NAMES = {"S": "a String", "B": "a Binary", "BOOL": "a Boolean", "NULL": "a Null",
               "SS": "a String Set", "NS": "a Number Set", "BS": "a Binary Set", "L": "a List",
               "M": "a Map"}


# -- one value ----------------------------------------------------------------------------
def relative_time(moment: dt.datetime, now: dt.datetime) -> str:
    """``in 3 days`` or ``2 hours ago``: the largest whole unit, rounded down."""
    seconds = int((moment - now).total_seconds())
    past = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("year", 365 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            amount = f"{count} {unit}{'s' if count != 1 else ''}"
            break
    else:
        amount = "less than a minute"
    return f"{amount} ago" if past else f"in {amount}"


def _moment_text(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class TTLState:
    """What one TTL value means: ``kind`` is one of KINDS; ``badge`` is ok/warn/bad/muted."""

    kind: str
    label: str
    badge: str
    explanation: str
    moment: dt.datetime | None = None
    #: for "millis": the moment the value probably meant
    meant: dt.datetime | None = None
    raw: str = ""

    @property
    def broken(self) -> bool:
        """DynamoDB will never (or practically never) delete the item by this TTL."""
        return self.kind in BROKEN_KINDS

    @property
    def flagged(self) -> bool:
        """Worth a badge next to the item wherever it is listed."""
        return self.broken or self.kind == "expired"

    @property
    def value_text(self) -> str:
        """The stored value alone: its moment when it has a sane one, else as stored."""
        if self.kind in ("ok", "expired", "ancient") and self.moment is not None:
            return _moment_text(self.moment)
        return self.raw or "—"

    @property
    def text(self) -> str:
        """The value as a cell shows it: ``2026-11-24 10:00 UTC (expires in 3 days)``."""
        if self.kind in ("ok", "expired", "ancient") and self.moment is not None:
            return f"{_moment_text(self.moment)} ({self.label})"
        if self.kind == "none":
            return "—"
        if self.kind == "missing":
            return "— (missing)"
        return f"{self.raw} ({self.label})"


def classify_ttl(value: Any, *, required: bool, now: dt.datetime) -> TTLState:
    """The state of a TTL value as read (None = absent), by DynamoDB's rules."""
    if value is None:
        if required:
            return TTLState("missing", "missing", "bad", "This entity's TTL is required but the "
                            "item has none: it never expires.")
        return TTLState("none", "no TTL", "muted", "The item does not expire.")
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return _by_moment(moment, now, raw=_moment_text(moment))
    raw = _raw_text(value)
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return TTLState("not_number", "not a number", "bad",
                        f"Stored as {_type_name(value)} ({raw}), not a Number of epoch seconds. "
                        "DynamoDB ignores it: the item never expires.", raw=raw)
    seconds = int(value)
    if seconds >= YEAR_3000:
        if seconds // 1000 < YEAR_3000:
            meant = EPOCH + dt.timedelta(seconds=seconds // 1000)
            return TTLState(
                "millis", "milliseconds instead of seconds", "bad",
                f"Read as seconds, {raw} is after the year 3000, so DynamoDB keeps the item "
                f"practically forever. Read as milliseconds it is {_moment_text(meant)} "
                f"({relative_time(meant, now)}): probably what was meant.",
                meant=meant, raw=raw)
        return TTLState("far_future", "after the year 3000", "bad",
                        f"{raw} is after the year 3000 even read as milliseconds: DynamoDB "
                        "keeps the item practically forever.", raw=raw)
    try:
        moment = EPOCH + dt.timedelta(seconds=seconds)
    except OverflowError:
        moment = None
    return _by_moment(moment, now, raw=raw)


def _raw_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return dumps_plain_json(value, indent=None)
    except (TypeError, ValueError):
        return repr(value)


def _type_name(value: Any) -> str:
    try:
        kind = next(iter(serialize(value)))
    except (TypeError, ValueError, StopIteration):
        kind = "?"
    return _TYPE_NAMES.get(kind, "another type")


def _by_moment(moment: dt.datetime | None, now: dt.datetime, *, raw: str) -> TTLState:
    if moment is not None and moment > now:
        return TTLState("ok", f"expires {relative_time(moment, now)}", "ok",
                        "DynamoDB deletes the item in the background some time after this "
                        "moment (typically within a few days).", moment=moment, raw=raw)
    if moment is None or now - moment > TTL_IGNORED_AFTER:
        when = _moment_text(moment) if moment is not None else raw
        return TTLState("ancient", "more than five years ago", "bad",
                        f"{when} is more than five years in the past: DynamoDB never deletes "
                        "it.", moment=moment, raw=raw)
    return TTLState("expired", f"expired {relative_time(moment, now)} — awaiting deletion",
                    "warn", "DynamoDB deletes expired items in the background, typically "
                    "within a few days, and reads still return them.", moment=moment, raw=raw)
