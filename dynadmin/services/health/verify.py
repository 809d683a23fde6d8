"""Verify a design against its data: read a bounded sample and report what does not fit.

The sample is a few Query pages (named partitions, the first page of each listing whose
partition a Choice spells), never a whole-table read: a person sees what it will cost before
it runs and what it did cost after, from the call log. Each item read is checked against its
definition: is it claimed by an entity, do its keys re-format from its own fields, does every
attribute's DynamoDB type fit its field, do its index keys follow their templates, is its TTL
one that DynamoDB acts on.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ...data import DataError, current_log, query, recording
from ...data.serialization import serialize
from ...definitions.fields import Choice
from ...definitions.keys import Key
from ...definitions.tables import Index, Table
from ...limits import MAX_PARTITION_KEY_BYTES
from ..ttl.values import classify_ttl

if TYPE_CHECKING:
    from ...definitions.entities import Entity
    from ...sites import AdminSite

__all__ = ["KINDS", "Finding", "SampleSource", "VerifyReport", "as_text", "check_item",
           "estimate_text", "plan_sample", "plan_verification", "run_verification",
           "verify_table"]

#: Items one page asks for: small enough that a page costs a few RCU, large enough to see
#: patterns. A page is also bounded by DynamoDB's 1 MB.
PAGE_ITEMS = 100
#: What one Query page can cost at most: 1 MB read eventually consistently (4 KB per 0.5 RCU).
MAX_RCU_PER_PAGE = 128
#: Listings whose partition is spelled by Choice fields are read once per combination; past
#: this many combinations the rest are left out (and said so).
MAX_LISTING_PARTITIONS = 20

#: What each finding's ``kind`` means, in the order the report lists them.
KINDS = {
    "unclassified": "Items no entity claims",
    "key": "Keys that do not re-format from the item's own fields",
    "type": "Attributes whose DynamoDB type disagrees with the field",
    "index_key": "Index keys that disagree with their templates",
    "ttl": "TTL values DynamoDB will not act on",
}


@dataclass(frozen=True)
class SampleSource:
    """One partition the sample reads: on the table or an index, up to ``pages`` pages."""

    label: str
    index: Index
    partition: Any
    pages: int

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "index": self.index.name, "partition": _text(self.partition),
                "pages": self.pages}


@dataclass(frozen=True)
class Finding:
    kind: str
    key: dict[str, str]
    entity: str
    message: str
    attribute: str = ""

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def key_text(self) -> str:
        return " · ".join(self.key.values())


@dataclass
class VerifyReport:
    table: str
    sources: list[SampleSource]
    #: what the sample could cost at most, said before it runs
    estimated_calls: int
    estimated_max_rcu: int
    findings: list[Finding] = field(default_factory=list)
    #: listings left out of the sample, and why
    skipped: list[str] = field(default_factory=list)
    items_read: int = 0
    calls: int = 0
    operations: list[str] = field(default_factory=list)
    consumed_rcu: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings and not self.errors

    def by_kind(self) -> dict[str, list[Finding]]:
        return {kind: [f for f in self.findings if f.kind == kind] for kind in KINDS}

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table, "ok": self.ok,
            "estimate": {"calls": self.estimated_calls, "max_rcu": self.estimated_max_rcu},
            "measured": {"calls": self.calls, "operations": self.operations,
                         "consumed_rcu": self.consumed_rcu},
            "items_read": self.items_read,
            "sources": [s.to_dict() for s in self.sources],
            "skipped": self.skipped, "errors": self.errors,
            "findings": [asdict(f) for f in self.findings],
            "counts": {kind: len(found) for kind, found in self.by_kind().items()},
        }


# -- the sample ---------------------------------------------------------------------------
def plan_sample(table: Table, site: AdminSite, *, partitions: Sequence[str] = (),
                listings: Sequence[str] | None = None, pages: int = 1
                ) -> tuple[list[SampleSource], list[str]]:
    """The partitions to read and the listings left out. ``listings`` None: every listing
    when no partition is named, none otherwise; else the listings with these names."""
    if pages < 1:
        raise ValueError("--pages must be at least 1")
    sources = [SampleSource(f"partition {p}", table.primary,
                            _typed_key(p, table.primary.pk_type), pages) for p in partitions]
    wanted = listings if listings is not None else ([] if partitions else None)
    skipped: list[str] = []
    found: set[str] = set()
    for entity in table.entities:
        admin = site.get_entity_admin(entity)
        if admin is None:
            continue
        for listing in admin.get_listings():
            name = f"{entity._meta.name}.{listing.name}"
            if wanted is not None and listing.name not in wanted and name not in wanted:
                continue
            found.add(listing.name)
            found.add(name)
            more, why = _listing_sources(entity, listing.resolve(entity), listing.label)
            sources.extend(more)
            if why:
                skipped.append(f"{name}: {why}")
    unknown = [n for n in (wanted or ()) if n not in found]
    if unknown:
        raise ValueError(f"no listing called {', '.join(unknown)} on table {table.name}")
    return sources, skipped


def _listing_sources(entity: type[Entity], key: Key, label: str
                     ) -> tuple[list[SampleSource], str]:
    """One source per partition value the listing's Choice fields spell (first page each)."""
    fields = entity._meta.fields
    variables = key.pk.variables
    free = [v for v in variables if not isinstance(fields.get(v), Choice)]
    if free:
        return [], (f"its partition needs a typed value ({', '.join(free)}); read a "
                    "partition of the table with --partition instead")
    combos = list(itertools.product(*(fields[v].choices for v in variables)))  # type: ignore[attr-defined]
    sources = []
    for combo in combos[:MAX_LISTING_PARTITIONS]:
        values = dict(zip(variables, combo, strict=True))
        partition = key.pk.format(values, key.index.pk_type)
        sources.append(SampleSource(f"{label} ({', '.join(combo) or 'all'})", key.index,
                                    partition, 1))
    left = len(combos) - MAX_LISTING_PARTITIONS
    return sources, (f"{left} more partitions not read" if left > 0 else "")


def _typed_key(text: str, key_type: str) -> Any:
    try:
        size = len(text.encode())
    except UnicodeEncodeError:
        raise ValueError("a partition key must be valid text") from None
    if not text or size > MAX_PARTITION_KEY_BYTES:
        raise ValueError(f"a partition key is 1 to {MAX_PARTITION_KEY_BYTES} bytes")
    if key_type == "N":
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(
                f"partition {text!r}: this table's partition key is a Number") from None
    if key_type == "B":
        return text.encode()
    return text


def plan_verification(table: Table, site: AdminSite, *, partitions: Sequence[str] = (),
                      listings: Sequence[str] | None = None, pages: int = 1) -> VerifyReport:
    """The report before anything is read: its sample and what that can cost at most."""
    sources, skipped = plan_sample(table, site, partitions=partitions, listings=listings,
                                   pages=pages)
    calls = sum(s.pages for s in sources)
    return VerifyReport(table.name, sources, calls, calls * MAX_RCU_PER_PAGE, skipped=skipped)


def run_verification(table: Table, report: VerifyReport, *, now: dt.datetime | None = None,
                     may_view: Callable[[dict[str, Any]], bool] | None = None) -> VerifyReport:
    """Read the planned sample (Query only) and check every item read; the measured cost
    comes from the call log. Items ``may_view`` refuses are neither checked nor counted."""
    now = now or dt.datetime.now(dt.UTC)
    seen: set[tuple[str, ...]] = set()
    # Inside a page, its own log (and budget) counts these calls, so the footer shows them too.
    outer = current_log()
    with nullcontext(outer) if outer is not None else recording() as log:
        first = len(log.calls)
        for source in report.sources:
            try:
                items = list(_read(source))
            except DataError as exc:
                report.errors.append(f"{source.label}: {exc}")
                continue
            for item in items:
                identity = tuple(_text(v) for v in table.key_of(item).values())
                if identity in seen:  # the same item through a partition and a listing
                    continue
                if may_view is not None and not may_view(item):
                    continue
                seen.add(identity)
                report.items_read += 1
                report.findings.extend(check_item(table, item, now=now))
    made = log.calls[first:]
    report.calls = len(made)
    report.operations = sorted({c.operation for c in made})
    report.consumed_rcu = sum(c.consumed_rcu or 0 for c in made)
    return report


def verify_table(table: Table, site: AdminSite, *, partitions: Sequence[str] = (),
                 listings: Sequence[str] | None = None, pages: int = 1,
                 now: dt.datetime | None = None,
                 may_view: Callable[[dict[str, Any]], bool] | None = None) -> VerifyReport:
    """Plan and run: the whole report."""
    report = plan_verification(table, site, partitions=partitions, listings=listings,
                               pages=pages)
    return run_verification(table, report, now=now, may_view=may_view)


def _read(source: SampleSource) -> Iterable[dict[str, Any]]:
    start = None
    for _ in range(source.pages):
        page = query(source.index, source.partition, limit=PAGE_ITEMS, start_key=start)
        yield from page.items
        start = page.last_evaluated_key
        if start is None:
            return


# -- one item -----------------------------------------------------------------------------
def check_item(table: Table, item: Mapping[str, Any], *, now: dt.datetime) -> list[Finding]:
    """What in one item does not fit its definition."""
    key = {a: _text(v) for a, v in table.key_of(item).items()}
    entity = table.classify(item)
    if entity is None:
        return [Finding("unclassified", key, "", "No entity's type value or key templates "
                        "claim this item.")]
    meta = entity._meta
    name = meta.name
    parsed = entity.parse_item(item)
    findings = _type_findings(entity, item, parsed.errors, key)
    broken = set(parsed.errors)
    for entity_key in meta.keys.values():
        kind = "key" if entity_key.is_primary else "index_key"
        findings.extend(_key_findings(kind, entity_key, item, parsed.values, broken, key, name))
    ttl = meta.ttl_field
    if ttl is not None:
        state = classify_ttl(item.get(ttl.attribute), required=meta.ttl_policy == "required",
                             now=now)
        if state.broken:
            findings.append(Finding("ttl", key, name, f"{state.label}: {state.explanation}",
                                    ttl.attribute))
    return findings


def _type_findings(entity: type[Entity], item: Mapping[str, Any], errors: Mapping[str, str],
                   key: dict[str, str]) -> list[Finding]:
    """An attribute stored under another DynamoDB type than its field's (a Number as S reads
    back leniently, yet sorts, compares and sums as text), else a value its field refuses.
    The TTL field is left to the TTL check, which says what DynamoDB will do with it."""
    meta = entity._meta
    ttl = meta.ttl_field
    findings = []
    for name, fld in meta.fields.items():
        if fld.key_only or fld is ttl or fld.attribute not in item:
            continue
        stored = _wire_type(item[fld.attribute])
        if stored != fld.dynamo_type:
            findings.append(Finding("type", key, meta.name, f"{fld.label}: stored as {stored}, "
                                    f"the field is {fld.dynamo_type}", fld.attribute))
        elif name in errors:
            findings.append(Finding("type", key, meta.name, errors[name], fld.attribute))
    return findings


def _wire_type(value: Any) -> str:
    try:
        return next(iter(serialize(value)))
    except (TypeError, ValueError, StopIteration):
        return "?"


def _key_findings(kind: str, entity_key: Key, item: Mapping[str, Any],
                  values: Mapping[str, Any], broken: set[str], key: dict[str, str],
                  entity: str) -> list[Finding]:
    variables = entity_key.variables
    if broken.intersection(variables):
        return []  # the type finding already says why this key cannot be rebuilt
    index = entity_key.index
    where = "the table's key" if index.is_table else index.name
    if any(values.get(v) is None for v in variables):
        if not index.is_table:
            return []  # a sparse index: the item simply is not in it
        missing = [v for v in variables if values.get(v) is None]
        return [Finding(kind, key, entity, f"{where} needs {', '.join(missing)}, which the "
                        "item does not hold")]
    try:
        expected = entity_key.format(values)
    except ValueError as exc:
        return [Finding(kind, key, entity, f"{where} cannot be formatted: {exc}")]
    findings = []
    for attribute, spelled in expected.items():
        stored = item.get(attribute)
        if stored is None:
            findings.append(Finding(kind, key, entity, f"{attribute} is missing; its template "
                                    f"gives {_text(spelled)!r}", attribute))
        elif stored != spelled:
            findings.append(Finding(
                kind, key, entity, f"{attribute} is {_text(stored)!r} but the item's own "
                f"fields format it as {_text(spelled)!r}", attribute))
    return findings


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


# -- text ---------------------------------------------------------------------------------
def estimate_text(report: VerifyReport) -> str:
    return (f"Sample of {report.table}: {len(report.sources)} partition(s), at most "
            f"{report.estimated_calls} Query call(s) and {report.estimated_max_rcu} RCU "
            "(Queries only, never a whole-table read).")


def as_text(report: VerifyReport) -> str:
    """What the read found; the estimate (``estimate_text``) is said once, before it."""
    lines = [f"  skipped {s}" for s in report.skipped]
    lines.append(f"Read {report.items_read} item(s) in {report.calls} call(s) "
                 f"({', '.join(report.operations) or 'none'}), {report.consumed_rcu:g} RCU.")
    lines += [f"  error: {e}" for e in report.errors]
    for kind, found in report.by_kind().items():
        if not found:
            continue
        lines.append(f"{KINDS[kind]} ({len(found)}):")
        for f in found:
            where = " ".join(f"{a}={v}" for a, v in f.key.items())
            lines.append(f"  {where} {f.entity + ': ' if f.entity else ''}{f.message}")
    lines.append("No findings." if report.ok else f"{len(report.findings)} finding(s).")
    return "\n".join(lines)
