"""DynamoDB's time to live as a person needs it: when an item goes, and which TTLs never work.

DynamoDB's rules decide what "broken" means here: a TTL is a Number of epoch seconds; any
other type is ignored; a value more than five years in the past is never acted on; and expired
items stay readable until a background process deletes them (usually within a few days). So
a TTL can look set and still never expire; this module names each such case, reads a chosen
partition page by page (Query only, bounded) to count them, and composes TTL changes that
``editing.writes.save`` then writes with its usual guard and audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .. import data
from ..data import calls
from ..data.serialization import dumps_plain_json, serialize
from ..definitions import Entity, Table
from ..definitions.fields import FieldError
from ..editing.validation import TTL_MAX_PAST, check_ttl
from ..permissions import EXTEND_TTL
from .browse import BadQuery, PartitionQuery
from .keys import item_url

__all__ = [
    "BROKEN_KINDS", "Bar", "EXTEND_DAYS", "Inspection", "ItemTTL", "MAX_PAGES", "TTLChange",
    "TTLRefused", "TTLState", "TableTTL", "admin_of", "apply_change", "bar_chart_svg",
    "classify_ttl", "estimate", "estimate_for_form", "inspect", "inspection_defaults",
    "inspection_query", "item_ttl", "item_ttl_state", "may_set_any_ttl", "may_set_ttl",
    "parse_change", "relative_time", "ttl_status",
]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: Read as seconds, a TTL after this is a unit mistake, not a plan.
YEAR_3000 = int((dt.datetime(3000, 1, 1, tzinfo=dt.UTC) - EPOCH).total_seconds())
MAX_PAGES = 20
DEFAULT_PAGES = 5
DEFAULT_INSPECT_LIMIT = 100
#: The most broken items an inspection lists (all are counted).
MAX_LISTED = 500
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


def _stamp(moment: dt.datetime) -> str:
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
            return _stamp(self.moment)
        return self.raw or "—"

    @property
    def text(self) -> str:
        """The value as a cell shows it: ``2026-11-24 10:00 UTC (expires in 3 days)``."""
        if self.kind in ("ok", "expired", "ancient") and self.moment is not None:
            return f"{_stamp(self.moment)} ({self.label})"
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
        return _by_moment(moment, now, raw=_stamp(moment))
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
                f"practically forever. Read as milliseconds it is {_stamp(meant)} "
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
    if moment is None or now - moment > TTL_MAX_PAST:
        when = _stamp(moment) if moment is not None else raw
        return TTLState("ancient", "more than five years ago", "bad",
                        f"{when} is more than five years in the past: DynamoDB never deletes "
                        "it.", moment=moment, raw=raw)
    return TTLState("expired", f"expired {relative_time(moment, now)} — awaiting deletion",
                    "warn", "DynamoDB deletes expired items in the background, typically "
                    "within a few days, and reads still return them.", moment=moment, raw=raw)


# -- one item -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Target:
    """Where an item keeps its TTL, and the rules its entity sets."""

    entity: type[Entity] | None
    attribute: str | None
    policy: str

    @property
    def required(self) -> bool:
        return self.policy == "required"


def _target(table: Table, item: Mapping[str, Any]) -> _Target:
    entity = table.classify(item)
    if entity is None:
        return _Target(None, table.ttl_attribute, "optional")
    ttl_field = entity._meta.ttl_field
    return _Target(entity, ttl_field.attribute if ttl_field else table.ttl_attribute,
                   entity._meta.ttl_policy)


def item_ttl_state(table: Table, item: Mapping[str, Any], now: dt.datetime) -> TTLState:
    """An item's TTL by its entity's TTL field (else the table's TTL attribute)."""
    target = _target(table, item)
    value = item.get(target.attribute) if target.attribute else None
    return classify_ttl(value, required=target.required, now=now)


def admin_of(entity: type[Entity] | None) -> Any:
    """The entity's EntityAdmin, or None (unclassified, or not registered)."""
    from ..sites import site

    return site.admin_for(entity) if entity is not None and site.is_registered(entity) else None


def may_set_any_ttl(request: HttpRequest, table: Table) -> bool:
    """Checked before a request body is read: may this person change some TTL here?"""
    from ..sites import site

    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser or user.has_perm(f"dynadmin.{EXTEND_TTL}"):
        return True
    return any(site.admin_for(e).has_change_permission(request) for e in site.entities_of(table))


def may_set_ttl(request: HttpRequest, table: Table, item: Mapping[str, Any]) -> bool:
    """Change permission on the item's entity, or the extend-TTL permission on an entity the
    person may view. Unclassified items have no entity permissions: superusers only."""
    admin = admin_of(table.classify(item))
    if admin is None:
        return bool(request.user.is_superuser)
    if admin.has_change_permission(request, item):
        return True
    return (request.user.has_perm(f"dynadmin.{EXTEND_TTL}")
            and admin.has_view_permission(request, item))


@dataclass
class ItemTTL:
    """The TTL block of an item page."""

    attribute: str
    state: TTLState
    policy: str
    default_lifetime: str
    may_change: bool
    #: what the "set to" field starts with (a datetime-local value, UTC)
    initial: str
    extend_days: tuple[int, ...] = EXTEND_DAYS

    @property
    def may_clear(self) -> bool:
        return self.policy != "required" and self.state.kind != "none"

    @property
    def may_extend(self) -> bool:
        return self.policy != "none"


def item_ttl(table: Table, item: Mapping[str, Any], request: HttpRequest,
             now: dt.datetime | None = None) -> ItemTTL | None:
    """The TTL block for an item, or None when neither its entity nor the table has a TTL."""
    now = now or dt.datetime.now(dt.UTC)
    target = _target(table, item)
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
    return ItemTTL(attribute=target.attribute, state=state, policy=target.policy,
                   default_lifetime=duration_text(lifetime), initial=start.strftime(
                       "%Y-%m-%dT%H:%M"), may_change=may_set_ttl(request, table, item))


def duration_text(delta: dt.timedelta | None) -> str:
    if not delta:
        return "—"
    if delta.days and not delta.seconds:
        return f"{delta.days} day{'s' if delta.days != 1 else ''}"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


# -- changing a TTL -----------------------------------------------------------------------
class TTLRefused(ValueError):
    """A TTL change that is not made: the message is shown as is, with a 400."""


@dataclass(frozen=True)
class TTLChange:
    op: str  # "extend", "set" or "clear"
    days: int = 0
    moment: dt.datetime | None = None

    def describe(self) -> str:
        if self.op == "extend":
            return f"extended by {self.days} day{'s' if self.days != 1 else ''}"
        return "set" if self.op == "set" else "cleared"


_DATETIME_LOCAL = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_change(post: Mapping[str, str]) -> TTLChange:
    """The change a TTL form asks for: ``extend=<days>``, ``op=set`` + ``expires_at``
    (datetime-local, UTC) or ``op=clear``."""
    if post.get("extend"):
        if post["extend"] not in {str(d) for d in EXTEND_DAYS}:
            raise TTLRefused(f"Extend by {', '.join(map(str, EXTEND_DAYS))} days only.")
        return TTLChange("extend", days=int(post["extend"]))
    op = post.get("op", "")
    if op == "clear":
        return TTLChange("clear")
    if op != "set":
        raise TTLRefused("Choose extend, set or clear.")
    text = (post.get("expires_at") or "").strip()
    for fmt in _DATETIME_LOCAL:
        try:
            moment = dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        return TTLChange("set", moment=moment)
    raise TTLRefused("Give the new expiry as a date and time (UTC), e.g. 2030-01-31T09:30.")


def apply_change(table: Table, original: Mapping[str, Any], change: TTLChange,
                 now: dt.datetime | None = None) -> dict[str, Any]:
    """The item with its TTL changed. An expired or broken TTL is extended from now."""
    now = now or dt.datetime.now(dt.UTC)
    target = _target(table, original)
    if target.attribute is None:
        raise TTLRefused("Neither this item's entity nor the table declares a TTL attribute.")
    name = target.entity._meta.verbose_name if target.entity else "unclassified"
    new_item = dict(original)
    if change.op == "clear":
        if target.required:
            raise TTLRefused(f"A TTL is required on {name} items: clearing it would keep the "
                             "item forever. Set a new expiry instead.")
        new_item.pop(target.attribute, None)
        return new_item
    if target.policy == "none":
        raise TTLRefused(f"{name} items do not expire (their TTL policy is none): a TTL "
                         "would make DynamoDB delete this one.")
    state = item_ttl_state(table, original, now)
    if change.op == "extend":
        base = state.moment if state.kind == "ok" and state.moment else now
        moment = base + dt.timedelta(days=change.days)
    else:
        moment = change.moment
    try:
        check_ttl("The new expiry", moment, now)
    except FieldError as exc:
        raise TTLRefused(str(exc)) from None
    new_item[target.attribute] = Decimal(int(moment.timestamp()))
    return new_item


# -- the table's setting ------------------------------------------------------------------
@dataclass
class EntityTTL:
    verbose_name: str
    policy: str
    default_lifetime: str
    attribute: str
    note: str = ""


@dataclass
class TableTTL:
    """DescribeTimeToLive against what the definitions expect, and each entity's policy."""

    table: Table
    status: str = ""
    attribute: str | None = None
    supported: bool = True
    problem: str = ""
    entities: list[EntityTTL] = field(default_factory=list)

    @property
    def expected(self) -> str | None:
        return self.table.ttl_attribute

    @property
    def matches(self) -> bool:
        return (self.status in ("ENABLED", "ENABLING") and self.expected is not None
                and self.attribute == self.expected)

    @property
    def status_text(self) -> str:
        if not self.supported:
            return "not supported by this endpoint"
        return self.status or "unknown"

    @property
    def badge(self) -> str:
        if not self.supported or self.problem:
            return "muted"
        if self.matches:
            return "ok" if self.status == "ENABLED" else "warn"
        return "muted" if self.expected is None and self.status == "DISABLED" else "bad"

    @property
    def summary(self) -> str:
        if not self.supported:
            return ("DescribeTimeToLive is not supported by this endpoint, so whether DynamoDB "
                    "expires items here is unknown.")
        if self.problem:
            return f"The TTL setting could not be read: {self.problem}."
        on = self.status in ("ENABLED", "ENABLING")
        if self.expected is None:
            return (f"TTL is {self.status.lower()} on {self.attribute}, but the definitions "
                    "declare no TTL attribute." if on else
                    "TTL is off, and the definitions declare no TTL attribute.")
        if self.matches:
            return (f"TTL is {self.status.lower()} on {self.attribute}, as the definitions "
                    "expect." + (" Enabling can take up to an hour." if self.status ==
                                 "ENABLING" else " DynamoDB deletes expired items in the "
                                 "background, typically within a few days."))
        if on:
            return (f"TTL is {self.status.lower()} on {self.attribute}, but the definitions "
                    f"keep expiry times in {self.expected}: DynamoDB never expires items by "
                    f"{self.expected}.")
        return (f"TTL is {self.status_text.lower()}: DynamoDB deletes nothing by "
                f"{self.expected}, so items whose TTL has passed stay until deleted by hand.")


def ttl_status(table: Table) -> TableTTL:
    """The table's TTL setting (one DescribeTimeToLive) and the entities' policies."""
    status = TableTTL(table=table)
    try:
        description = data.describe("DescribeTimeToLive", table).get(
            "TimeToLiveDescription", {})
    except data.NotSupported:
        status.supported = False
    except data.DataError as exc:
        status.problem = exc.title
    else:
        status.status = description.get("TimeToLiveStatus", "")
        status.attribute = description.get("AttributeName")
    from ..sites import site

    for entity in site.entities_of(table):
        meta = entity._meta
        ttl_field = meta.ttl_field
        attribute = ttl_field.attribute if ttl_field else (
            table.ttl_attribute if meta.ttl_policy != "none" else None)
        note = ""
        if attribute and table.ttl_attribute and attribute != table.ttl_attribute:
            note = (f"Kept in {attribute}, not in the table's TTL attribute "
                    f"{table.ttl_attribute}: DynamoDB never expires these items.")
        status.entities.append(EntityTTL(meta.verbose_name, meta.ttl_policy,
                                         duration_text(meta.default_lifetime),
                                         attribute or "—", note))
    return status


# -- inspecting a partition ---------------------------------------------------------------
BINS = (("expired", "Expired, awaiting deletion", "warn"), ("day", "Next 24 hours", "ok"),
        ("week", "1–7 days", "ok"), ("month", "1–4 weeks", "ok"),
        ("year", "1–12 months", "ok"), ("later", "Later", "ok"))
BROKEN_LABELS = {"millis": "Milliseconds, not seconds", "far_future": "After the year 3000",
                 "not_number": "Not a number", "ancient": "More than 5 years ago",
                 "missing": "Missing (required)"}
_BIN_LIMITS = (("day", dt.timedelta(days=1)), ("week", dt.timedelta(days=7)),
               ("month", dt.timedelta(days=28)), ("year", dt.timedelta(days=365)))


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    tone: str  # ok, warn, bad or muted


@dataclass
class BrokenItem:
    state: TTLState
    key_text: str
    url: str
    entity: type[Entity] | None

    @property
    def entity_name(self) -> str:
        return self.entity._meta.verbose_name if self.entity else "Unclassified"


@dataclass
class Inspection:
    """What reading up to ``pages_requested`` pages of one partition found."""

    query: PartitionQuery
    pages_requested: int
    now: dt.datetime
    pages_read: int = 0
    items_read: int = 0
    complete: bool = False
    consumed_rcu: float | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    bins: dict[str, int] = field(default_factory=lambda: {b[0]: 0 for b in BINS})
    broken: list[BrokenItem] = field(default_factory=list)
    #: broken items not listed: past MAX_LISTED, or of entities the person may not view
    unlisted: int = 0

    @property
    def broken_count(self) -> int:
        return sum(self.counts[k] for k in BROKEN_KINDS)

    @property
    def estimate(self) -> str:
        return estimate(self.query.limit, self.pages_requested)

    @property
    def bars(self) -> list[Bar]:
        bars = [Bar(label, self.bins[key], tone) for key, label, tone in BINS]
        bars += [Bar(BROKEN_LABELS[k], self.counts[k], "bad") for k in BROKEN_KINDS]
        return bars

    @property
    def kind_rows(self) -> list[tuple[str, int]]:
        labels = {"ok": "Expiring (in the future)", "expired": "Expired, awaiting deletion",
                  "none": "No TTL (not required)", **BROKEN_LABELS}
        return [(labels[k], self.counts[k]) for k in KINDS]

    def add(self, table: Table, item: Mapping[str, Any]) -> None:
        state = item_ttl_state(table, item, self.now)
        self.items_read += 1
        self.counts[state.kind] += 1
        if state.broken:
            if len(self.broken) < MAX_LISTED:
                key_text = " / ".join(dumps_plain_json(item[a], indent=None) if not isinstance(
                    item[a], str) else item[a] for a in table.primary.attributes if a in item)
                self.broken.append(BrokenItem(state, key_text, item_url(table, dict(item)),
                                              table.classify(item)))
            else:
                self.unlisted += 1
        elif state.kind == "expired":
            self.bins["expired"] += 1
        elif state.kind == "ok" and state.moment is not None:
            ahead = state.moment - self.now
            self.bins[next((k for k, limit in _BIN_LIMITS if ahead <= limit), "later")] += 1

    def withhold_unviewable(self, request: HttpRequest) -> None:
        """Broken items of entities the person may not view are counted, not listed."""
        listed = []
        for broken in self.broken:
            admin = admin_of(broken.entity)
            if admin is None or admin.has_view_permission(request):
                listed.append(broken)
        self.unlisted += len(self.broken) - len(listed)
        self.broken = listed


def estimate_for_form(params: Mapping[str, str]) -> str:
    """The estimate for the values a form shows (the defaults where they are not numbers)."""
    limit, pages = params.get("limit", ""), params.get("pages", "")
    return estimate(int(limit) if limit.isdigit() else DEFAULT_INSPECT_LIMIT,
                    int(pages) if pages.isdigit() else DEFAULT_PAGES)


def estimate(limit: int, pages: int) -> str:
    """The most an inspection can cost, said before it runs."""
    return (f"up to {pages} page{'s' if pages != 1 else ''} × {limit} items: at most "
            f"{pages * limit:,} items in {pages} Query call{'s' if pages != 1 else ''} "
            f"(each page reads at most 1 MB, so at most {pages * 128:,} RCU)")


def inspection_query(table: Table, params: Mapping[str, str]) -> tuple[PartitionQuery, int]:
    """The partition and number of pages an inspection form asks for (BadQuery if wrong)."""
    query_params = {"pk": params.get("pk", ""), "index": params.get("index", ""),
                    "limit": params.get("limit") or str(DEFAULT_INSPECT_LIMIT)}
    if params.get("sk"):
        query_params |= {"sk_op": "begins_with", "sk": params["sk"]}
    query = PartitionQuery.from_params(table, query_params)
    raw = params.get("pages") or str(DEFAULT_PAGES)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGES:
        raise BadQuery(f"pages must be a whole number from 1 to {MAX_PAGES}.")
    return query, int(raw)


def inspection_defaults(table: Table) -> dict[str, str]:
    """The form's starting point: the first entity whose TTL is required (its partition
    template as a hint, its sort key's fixed prefix as the begins_with)."""
    from ..sites import site

    entities = site.entities_of(table)
    chosen = next((e for e in entities if e._meta.ttl_policy == "required"),
                  next((e for e in entities if e._meta.ttl_policy != "none"), None))
    defaults = {"pk": "", "pk_hint": "", "sk": "", "index": "", "entity": "",
                "pages": str(DEFAULT_PAGES), "limit": str(DEFAULT_INSPECT_LIMIT)}
    if chosen is None:
        return defaults
    key = chosen._meta.primary_key
    defaults |= {"pk_hint": str(key.pk), "entity": chosen._meta.verbose_name,
                 "sk": key.sk.prefix({}) if key.sk is not None else ""}
    if key.pk.is_constant:
        defaults["pk"] = str(key.pk)
    return defaults


def inspect(query: PartitionQuery, pages: int) -> Inspection:
    """Read at most ``pages`` pages of ``query`` (one Query each, never a scan) and classify
    every item's TTL. Stops at the partition's end."""
    if not 1 <= pages <= MAX_PAGES:
        raise BadQuery(f"pages must be from 1 to {MAX_PAGES}.")
    result = Inspection(query=query, pages_requested=pages, now=dt.datetime.now(dt.UTC))
    outer = calls.current_log()
    # The request's log when there is one (so the footer lists these calls), else our own.
    with nullcontext(outer) if outer is not None else calls.recording() as log:
        first = len(log.calls)
        start_key = None
        for _ in range(pages):
            page = query.run(forward=not query.descending, start_key=start_key)
            result.pages_read += 1
            for item in page.items:
                result.add(query.table, item)
            start_key = page.last_evaluated_key
            if start_key is None:
                result.complete = True
                break
        consumed = [c.consumed_rcu for c in log.calls[first:] if c.consumed_rcu is not None]
    result.consumed_rcu = sum(consumed) if consumed else None
    return result


# -- the chart ----------------------------------------------------------------------------
_FILLS = {"ok": "#2f855a", "warn": "#b7791f", "bad": "#c53030", "muted": "#718096"}


def bar_chart_svg(bars: Sequence[Bar], *, title: str, chart_id: str = "ttl-chart"
                  ) -> SafeString:
    """A horizontal bar chart as inline SVG: no script, no style attribute, every text
    escaped; a <title> and <desc> (every value as text) make it readable without seeing it."""
    width, label_width, count_width, row, bar_height, top = 640, 200, 70, 26, 18, 6
    plot = width - label_width - count_width
    most = max((b.count for b in bars), default=0) or 1
    height = top * 2 + row * len(bars)
    rows = []
    for i, bar in enumerate(bars):
        y = top + i * row
        rows.append(format_html(
            '<g class="bar {tone}"><text x="{lx}" y="{ty}" text-anchor="end" fill="#1f2933">'
            '{label}</text><rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}">'
            "<title>{label}: {count}</title></rect>"
            '<text x="{cx}" y="{ty}" fill="#1f2933">{count}</text></g>',
            tone=bar.tone, lx=label_width - 8, ty=y + 14, label=bar.label, x=label_width, y=y,
            w=round(plot * bar.count / most), h=bar_height, fill=_FILLS.get(bar.tone, "#718096"),
            count=bar.count, cx=label_width + round(plot * bar.count / most) + 6))
    description = "; ".join(f"{b.label}: {b.count}" for b in bars)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" font-size="13" font-family="system-ui, sans-serif">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{rows}</svg>',
        id=chart_id, w=width, h=height, title=title, desc=description,
        rows=format_html_join("", "{}", ((r,) for r in rows)))
