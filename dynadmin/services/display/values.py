"""How one value reads on a page: numbers with separators, money with its currency, yes/no
badges, one date format with relative time, maps and lists as nested lists.

Everything here is decided in Python and handed to templates as a ``Shown`` tree, so no
template decides how a value looks, and no Python repr (``Decimal('12')``) reaches a page.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from ...data.serialization import dumps_plain_json
from ...definitions.fields import (
    TTL,
    Binary,
    Boolean,
    Date,
    DateTime,
    Field,
    Integer,
    List,
    Map,
    Null,
    Number,
    SetField,
    Version,
)
from ...numbers import exact, is_whole
from ..ttl import classify_ttl, relative_time
from . import markup

__all__ = ["Shown", "count_text", "date_text", "moment_text", "number_text", "show",
           "show_field", "datetime_text"]

#: nested maps and lists deeper than this are shown as compact JSON
MAX_DEPTH = 4
#: entries of one map or list shown before "… and N more"
MAX_ENTRIES = 50
EMPTY = "—"


@dataclass
class Shown:
    """One value as a page shows it. ``kind`` says which markup renders it: ``text``,
    ``number`` (right-aligned in tables), ``badge`` (``badge`` holds its colour), ``map`` or
    ``list`` (``entries``, with the raw JSON one click away), ``empty``."""

    text: str = EMPTY
    kind: str = "text"
    badge: str = ""
    entries: list[tuple[str, Shown]] = field(default_factory=list)
    #: compact JSON of a map or list, behind a "Raw JSON" disclosure
    raw: str = ""
    #: the exact stored value, where the text rounds it (a title attribute)
    exact: str = ""
    #: where the value leads (a related item), in a list
    url: str = ""

    def __str__(self) -> str:
        return self.text

    @property
    def css(self) -> str:
        """The table cell's class: numbers line up on the right."""
        return "num" if self.kind == "number" else ""

    @property
    def nested(self) -> bool:
        return self.kind in ("map", "list")

    @property
    def inline_html(self) -> SafeString:
        """The value on one line (a table cell, a diff), as markup."""
        return markup.inline_html(self)


# -- plain texts ------------------------------------------------------------------------
def number_text(value: Any, places: int | None = None) -> str:
    """``1,796,175,577,000`` or, with ``places=2``, ``167.49``: exact digits, ``,`` between
    thousands whatever the locale (a support person compares them across pages)."""
    if type(value) is int and places is None:
        return f"{value:,}"
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(number)
    # Most stored numbers are spelt as shown already (a count, an amount to its places):
    # nothing to quantize, so no exact context to enter (three numbers a row of a list).
    exponent = number.as_tuple().exponent
    if places is not None:
        if exponent == -places:
            return format(number, ",f")
    elif exponent >= 0 or number != number.to_integral_value():
        return format(number, ",f")
    with exact():
        try:
            if places is not None:
                number = number.quantize(Decimal(1).scaleb(-places))
            elif is_whole(number):
                number = number.quantize(Decimal(1))
        except InvalidOperation:  # wider than anything DynamoDB stores: every digit, as is
            pass
        return format(number, ",f")


def count_text(count: int | None, *, approximate: bool = True) -> str:
    """``≈ 29,035`` for DynamoDB's approximate counts; ``?`` when there is none."""
    if count is None:
        return "?"
    text = number_text(count)
    return f"≈ {text}" if approximate else text


def datetime_text(moment: dt.datetime) -> str:
    """The one date-time format: ``2026-11-19 17:47 UTC``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def moment_text(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """``2026-11-19 17:47 UTC · 10 days ago``."""
    now = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{datetime_text(moment)} · {relative_time(moment, now)}"


def date_text(day: dt.date, now: dt.datetime | None = None) -> str:
    """``2026-11-19 · 10 days ago`` (``today`` on the day itself)."""
    return _date_text(day, (now or dt.datetime.now(dt.UTC)).date(), get_language())


@functools.lru_cache(maxsize=1024)
def _date_text(day: dt.date, today: dt.date, language: str | None) -> str:
    """``date_text`` of ``day`` seen on ``today``, in ``language`` (the active one: what the
    text is kept for): a list's dates repeat from row to row and page to page."""
    days = (day - today).days
    if days == 0:
        when = _("today")
    elif days > 0:
        when = _("in %(n)s days") % {"n": number_text(days)} if days > 1 else _("tomorrow")
    else:
        when = (_("%(n)s days ago") % {"n": number_text(-days)} if days < -1
                else _("yesterday"))
    return f"{day.isoformat()} · {when}"


# -- one value, typed by its field ------------------------------------------------------
#: the fields whose values are shown from their typed form (the others show what is stored)
_TYPED_FOR_DISPLAY = (Version, Number, Boolean, DateTime, Date, Binary, SetField, Map, List)


def show_field(fld: Field, value: Any, values: Mapping[str, Any] | None = None,
               now: dt.datetime | None = None, *, typed: bool = False) -> Shown:
    """``value`` of ``fld`` as a page shows it. ``values`` (the item's other typed values)
    supply a money field's currency. ``typed``: ``value`` is already what the field's
    ``to_python`` made of it (a parsed item's value), so it is not typed again."""
    if value is None and not isinstance(fld, Null):
        return Shown(kind="empty")
    try:
        return _show_field(fld, value, values or {}, now, typed)
    except Exception:  # noqa: BLE001 - a value that breaks its field is shown raw, never a 500
        return show(value, now)


def _show_field(fld: Field, value: Any, values: Mapping[str, Any], now: dt.datetime | None,
                typed: bool) -> Shown:
    way, typed_for_display = _way_of(type(fld))
    python = fld.to_python(value) if typed_for_display and not typed else value
    return way(fld, value, python, values, now)


#: how a value of a field shows: (field, stored value, typed value, the item's values, now)
_Way = Callable[[Any, Any, Any, Mapping[str, Any], "dt.datetime | None"], Shown]


@functools.cache
def _way_of(kind: type[Field]) -> tuple[_Way, bool]:
    """How a field of class ``kind`` shows its values, and whether from their typed form:
    decided once per class (the first of these its class is, in this order), not by a dozen
    ``isinstance`` per cell of every list."""
    typed = issubclass(kind, _TYPED_FOR_DISPLAY)
    for base, way in _WAYS:
        if issubclass(kind, base):
            return way, typed and base is not TTL and base is not Null
    return _as_displayed, typed


def _as_ttl(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
            now: dt.datetime | None) -> Shown:
    return Shown(text=classify_ttl(value, required=False,
                                   now=now or dt.datetime.now(dt.UTC)).text)


def _as_null(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
             now: dt.datetime | None) -> Shown:
    return Shown(text="null", kind="badge", badge="muted") if value else Shown(kind="empty")


def _as_version(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
                now: dt.datetime | None) -> Shown:
    return Shown(text=str(python), kind="number")


def _as_number(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
               now: dt.datetime | None) -> Shown:
    return _number(fld, python, values)


def _as_yes_no(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
               now: dt.datetime | None) -> Shown:
    return _yes_no(python)


def _as_moment(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
               now: dt.datetime | None) -> Shown:
    return Shown(text=moment_text(python, now))


def _as_date(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
             now: dt.datetime | None) -> Shown:
    return Shown(text=date_text(python, now))


def _as_binary(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
               now: dt.datetime | None) -> Shown:
    return _binary(python)


def _as_set(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
            now: dt.datetime | None) -> Shown:
    return _set(python or set(), now)


def _as_map(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
            now: dt.datetime | None) -> Shown:
    if fld.fields and isinstance(python, dict):
        return _declared_map(fld, python, now)
    return show(python, now)


def _as_nested(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
               now: dt.datetime | None) -> Shown:
    return show(python, now)


def _as_displayed(fld: Any, value: Any, python: Any, values: Mapping[str, Any],
                  now: dt.datetime | None) -> Shown:
    return Shown(text=fld.display(value))


#: the first of these a field is decides how its values show (subclasses before their bases:
#: a Version is an Integer, shown without separators)
_WAYS: tuple[tuple[type, _Way], ...] = (
    (TTL, _as_ttl), (Null, _as_null), (Version, _as_version), (Number, _as_number),
    (Boolean, _as_yes_no), (DateTime, _as_moment), (Date, _as_date), (Binary, _as_binary),
    (SetField, _as_set), (Map, _as_map), (List, _as_nested))


def _number(fld: Number, number: Any, values: Mapping[str, Any]) -> Shown:
    """A typed number: grouped digits, the field's places, its currency."""
    whole = number_text(number)
    if isinstance(fld, Integer):
        return Shown(text=whole, kind="number")
    places = getattr(fld, "places", None)
    currency = getattr(fld, "currency", None) or ""
    currency_field = getattr(fld, "currency_field", None)
    if currency_field and values.get(currency_field):
        currency = str(values[currency_field])
    text = number_text(number, places) if places is not None else whole
    exact = str(number) if whole != text else ""
    return Shown(text=f"{text} {currency}" if currency else text, kind="number", exact=exact)


def _declared_map(fld: Map, value: dict[str, Any], now: dt.datetime | None) -> Shown:
    """A map whose keys are declared: its declared keys first, in their order and by their
    labels ("Address line 1", not ``line1``), typed by their fields; the others as stored."""
    declared = [(sub.label, show_field(sub, value[key], value, now))
                for key, sub in fld.fields.items() if key in value]
    others = [(str(key), show(v, now, 1)) for key, v in value.items() if key not in fld.fields]
    return _nested("map", (declared + others)[:MAX_ENTRIES], value, 0)


def _yes_no(value: Any) -> Shown:
    if value is None:
        return Shown(kind="empty")
    return Shown(text=_("yes"), kind="badge", badge="yes") if value else Shown(
        text=_("no"), kind="badge", badge="no")


def _binary(data: bytes) -> Shown:
    size = ngettext("%(n)s byte", "%(n)s bytes", len(data)) % {"n": number_text(len(data))}
    return Shown(text=f"{base64.b64encode(data[:48]).decode('ascii')}"
                      f"{'…' if len(data) > 48 else ''} ({size})")


# -- a value without a field (other attributes, inside maps and lists) ------------------
def show(value: Any, now: dt.datetime | None = None, depth: int = 0) -> Shown:
    """An untyped stored value, typed by what DynamoDB holds."""
    if value is None:
        return Shown(text="null", kind="badge", badge="muted")
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, (Decimal, int)):
        return Shown(text=number_text(value), kind="number")
    if isinstance(value, (bytes, bytearray)):
        return _binary(bytes(value))
    if isinstance(value, str):
        return Shown(text=value) if value else Shown(text=_("(empty text)"), kind="empty")
    if isinstance(value, (set, frozenset)):
        return _set(value, now)
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return Shown(text=_compact(value))
        entries = [(str(k), show(v, now, depth + 1)) for k, v in list(value.items())[:MAX_ENTRIES]]
        return _nested("map", entries, value, depth)
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            return Shown(text=_compact(value))
        return _listing([show(v, now, depth + 1) for v in value[:MAX_ENTRIES]], value, depth)
    return Shown(text=_compact(value))


def _set(members: Any, now: dt.datetime | None) -> Shown:
    """A set reads as its sorted members on one line ("beta · vip"): it has no order and no
    nesting to show. " · " and not ", " because numbers carry commas."""
    if not members:
        return Shown(text=_("(empty)"), kind="empty")
    return Shown(text=" · ".join(show(m, now, 1).text for m in sorted(members)))


def _listing(shown: list[Shown], value: Any, depth: int = 0) -> Shown:
    if not shown:
        return Shown(text=_("(empty)"), kind="empty")
    return _nested("list", [(str(i + 1), s) for i, s in enumerate(shown)], value, depth)


def _nested(kind: str, entries: list[tuple[str, Shown]], value: Any, depth: int) -> Shown:
    """A map or list; only the outermost carries the raw JSON (one disclosure per value)."""
    if not entries:
        return Shown(text=_("(empty)"), kind="empty")
    more = len(value) - len(entries)
    if more > 0:
        entries.append(("…", Shown(text=_("and %(n)s more") % {"n": number_text(more)},
                                   kind="empty")))
    text = ", ".join(s.text for _k, s in entries[:5]) if kind == "list" else ", ".join(
        f"{k}: {s.text}" for k, s in entries[:5])
    return Shown(text=text, kind=kind, entries=entries,
                 raw=_compact(value) if depth == 0 else "")


def _compact(value: Any) -> str:
    try:
        return dumps_plain_json(value, indent=None)
    except (TypeError, ValueError):
        return str(value)
