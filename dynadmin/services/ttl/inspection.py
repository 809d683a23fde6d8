"""Inspecting a bounded sample: at most N pages of a partition, one Query each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

from ...data import call_log
from ...definitions import Entity, Table
from ..partitions.query import BadQuery, PartitionQuery
from ..url_keys import item_url, key_text
from .items import item_ttl_state
from .values import BROKEN_KINDS, KINDS, TTLState

if TYPE_CHECKING:
    from ...sites import AdminSite

BINS = (("expired", "Expired, awaiting deletion", "warn"), ("day", "Next 24 hours", "ok"),
        ("week", "1–7 days", "ok"), ("month", "1–4 weeks", "ok"),
        ("year", "1–12 months", "ok"), ("later", "Later", "ok"))
BROKEN_LABELS = {"millis": "Milliseconds, not seconds", "far_future": "After the year 3000",
                 "not_number": "Not a number", "ancient": "More than 5 years ago",
                 "missing": "Missing (required)"}
_BIN_LIMITS = (("day", dt.timedelta(days=1)), ("week", dt.timedelta(days=7)),
               ("month", dt.timedelta(days=28)), ("year", dt.timedelta(days=365)))

MAX_PAGES = 20
DEFAULT_PAGES = 5
DEFAULT_INSPECT_LIMIT = 100
#: The most broken items an inspection lists (all are counted).
MAX_LISTED = 500


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
    #: broken items counted but not listed: past MAX_LISTED
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
                self.broken.append(BrokenItem(state, key_text(table, item),
                                              item_url(table, dict(item)), table.classify(item)))
            else:
                self.unlisted += 1
        elif state.kind == "expired":
            self.bins["expired"] += 1
        elif state.kind == "ok" and state.moment is not None:
            ahead = state.moment - self.now
            self.bins[next((k for k, limit in _BIN_LIMITS if ahead <= limit), "later")] += 1



def estimate_for_form(params: Mapping[str, str]) -> str:
    """The estimate for the values a form shows (the defaults where they are not numbers)."""
    limit, pages = params.get("limit", ""), params.get("pages", "")
    return estimate(int(limit) if limit.isdigit() else DEFAULT_INSPECT_LIMIT,
                    int(pages) if pages.isdigit() else DEFAULT_PAGES)


def estimate(limit: int, pages: int) -> str:
    """The most an inspection can cost, said before it runs."""
    total = pages * limit
    return (f"up to {pages} page{'s' if pages != 1 else ''} × {limit} "
            f"item{'s' if limit != 1 else ''}: at most {total:,} item{'s' if total != 1 else ''} "
            f"in {pages} Query call{'s' if pages != 1 else ''} "
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
        raise BadQuery(gettext("pages must be a whole number from 1 to %(max_pages)s.")
                       % {"max_pages": MAX_PAGES})
    return query, int(raw)


def inspection_defaults(site: AdminSite, table: Table) -> dict[str, str]:
    """The form's starting point: the first entity whose TTL is required (its partition
    template as a hint, its sort key's fixed prefix as the begins_with)."""
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


def inspect(query: PartitionQuery, pages: int,
            may_view: Callable[[Mapping[str, Any]], bool] | None = None) -> Inspection:
    """Read at most ``pages`` pages of ``query`` (one Query each, never a scan) and classify
    every item's TTL. Stops at the partition's end.

    Items ``may_view`` refuses are neither listed nor counted: every total is of what the
    person may see (a count of the others would tell what their TTLs are)."""
    if not 1 <= pages <= MAX_PAGES:
        raise BadQuery(gettext("pages must be from 1 to %(max_pages)s.") % {"max_pages": MAX_PAGES})
    result = Inspection(query=query, pages_requested=pages, now=dt.datetime.now(dt.UTC))
    outer = call_log.current_log()
    # The request's log when there is one (so the footer lists these calls), else our own.
    with nullcontext(outer) if outer is not None else call_log.recording() as log:
        first = len(log.calls)
        start_key = None
        for _ in range(pages):
            page = query.read(start_key=start_key)
            result.pages_read += 1
            for item in page.items:
                if may_view is None or may_view(item):
                    result.add(query.table, item)
            start_key = page.last_evaluated_key
            if start_key is None:
                result.complete = True
                break
        consumed = [c.consumed_rcu for c in log.calls[first:] if c.consumed_rcu is not None]
    result.consumed_rcu = sum(consumed) if consumed else None
    return result
