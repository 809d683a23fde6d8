"""Lookups and listings: from what a person types to one bounded Query, never a scan.

A lookup fills a key template's partition key from typed values (``User by email`` formats
``USER#EMAIL#alice@example.com`` on GSI1) and reads one page of that partition. The global box
tries every single-field lookup whose ``accepts`` pattern (or field) takes the text, in
parallel, so finding a user by email costs a handful of small Queries and one round trip.
A text that is itself a partition key (``USER#abc``) needs no call at all: it opens the
partition page.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .. import data
from ..data import DataError, SortCondition
from ..definitions import Entity, Index, Key, ParsedItem, Table, parse_any
from ..definitions.fields import Boolean, Choice, Date, DateTime, Email, Field, FieldError, Number
from ..definitions.keys import KeyTemplate, KeyTemplateError
from ..limits import MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES
from ..options import EntityAdmin, Listing, Lookup
from .browse import partition_url
from .keys import item_url, key_text
from .presentation import cell_text, raw_text

__all__ = [
    "Attempt", "BoxHint", "FormField", "GlobalResult", "LookupForm", "LookupInputError",
    "LookupPlan", "LookupResult", "Match", "MatchGroup", "MatchRow", "RawKey",
    "ListingSuggestion", "box_hints", "find_listing", "find_lookup", "global_lookup",
    "group_matches", "listing_form", "listing_suggestions", "listing_url", "lookup_form",
    "plan_lookup", "run_lookup",
]

#: items one entity lookup reads (a page of the partition; the partition page has the rest)
LOOKUP_LIMIT = 25
#: items each lookup of the global box reads
GLOBAL_LIMIT = 10
#: at most this many lookups run for one text (the rest are reported as skipped)
MAX_GLOBAL_LOOKUPS = 12
MAX_WORKERS = 8
#: longer text cannot be a key or a lookup value worth a round trip
MAX_TEXT = 1024


class LookupInputError(ValueError):
    """A value a lookup or listing cannot use: shown to the person as a 400 with the form."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# -- one lookup ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LookupPlan:
    """The one Query a lookup makes, decided before anything is sent."""

    admin: EntityAdmin
    lookup: Lookup
    key: Key
    values: dict[str, Any]
    pk: Any
    sort: SortCondition | None

    @property
    def index(self) -> Index:
        return self.key.index

    @property
    def table(self) -> Table:
        return self.admin.opts.table

    @property
    def partition_url(self) -> str:
        return partition_url(
            self.table, self.pk, index=self.index.name,
            sk_op=self.sort.op if self.sort else None,
            sk=self.sort.value if self.sort else None)


@dataclass
class LookupResult:
    plan: LookupPlan
    #: the items of the lookup's entity on the page read (others sharing the partition are left)
    items: list[ParsedItem]
    #: DynamoDB had more to read: the partition page shows the rest
    more: bool
    read_count: int
    partition_url: str

    @property
    def lookup(self) -> Lookup:
        return self.plan.lookup

    @property
    def admin(self) -> EntityAdmin:
        return self.plan.admin

    @property
    def table(self) -> Table:
        return self.plan.table


def _field(admin: EntityAdmin, name: str) -> Field:
    fld = admin.opts.fields.get(name)
    if fld is None:  # a broken definition; system check E006 reports it
        raise LookupInputError(f"{name} is not a field of {admin.opts.verbose_name}.", name)
    return fld


def _clean(admin: EntityAdmin, names: tuple[str, ...], values: Mapping[str, str],
           lookup: Lookup | None = None) -> dict[str, Any]:
    """Typed values through the entity's fields, with a message a person can act on."""
    cleaned: dict[str, Any] = {}
    for name in names:
        fld = _field(admin, name)
        raw = values.get(name)
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            raise LookupInputError(f"{fld.label}: enter a value.", name)
        if len(text) > MAX_TEXT:
            raise LookupInputError(f"{fld.label}: at most {MAX_TEXT} characters.", name)
        if lookup is not None and len(names) == 1:
            # "ORD-456" in the Order by ID form means what it means in the global box.
            try:
                text = lookup.accept(text) or text
            except re.error:
                pass  # a broken pattern only disables the shortcut, never the lookup
        try:
            cleaned[name] = fld.to_python(text)
        except FieldError as exc:
            raise LookupInputError(str(exc), name) from None
    return cleaned


def _key_value(template: KeyTemplate, values: Mapping[str, Any], key_type: str,
               limit: int, what: str) -> Any:
    try:
        value = template.format(values, key_type)
    except KeyTemplateError as exc:
        raise LookupInputError(str(exc), getattr(exc, "name", None)) from None
    if isinstance(value, str) and len(value.encode("utf-8")) > limit:
        raise LookupInputError(f"That value makes a {what} longer than DynamoDB allows.")
    return value


def plan_lookup(admin: EntityAdmin, lookup: Lookup, values: Mapping[str, str]) -> LookupPlan:
    """Validate the typed values and decide the Query (raises LookupInputError)."""
    key = admin.opts.keys.get(lookup.key)
    if key is None:
        raise LookupInputError(f"{admin.opts.verbose_name} has no key {lookup.key!r}.")
    cleaned = _clean(admin, lookup.fields, values, lookup)
    index = key.index
    pk = _key_value(key.pk, cleaned, index.pk_type, MAX_PARTITION_KEY_BYTES, "partition key")
    sort = None
    if key.sk is not None and index.sk is not None:
        if all(cleaned.get(v) is not None for v in key.sk.variables):
            # The whole key is known (USER#x / METADATA): an exact Query, as cheap as GetItem.
            sort = SortCondition("=", _key_value(key.sk, cleaned, index.sk_type,
                                                 MAX_SORT_KEY_BYTES, "sort key"))
        elif index.sk_type == "S":
            # The known leading part (at least the literal, e.g. "ORDER#") keeps other
            # entities sharing the partition out of the page.
            try:
                prefix = key.sk.prefix(cleaned)
            except KeyTemplateError as exc:
                raise LookupInputError(str(exc)) from None
            if prefix:
                sort = SortCondition("begins_with", prefix)
    return LookupPlan(admin=admin, lookup=lookup, key=key, values=cleaned, pk=pk, sort=sort)


def _fetch(plan: LookupPlan, limit: int) -> data.Page:
    return data.query(plan.index, plan.pk, plan.sort, limit=limit)


def _result(plan: LookupPlan, page: data.Page) -> LookupResult:
    parsed = [parse_any(plan.table, item) for item in page.items]
    return LookupResult(
        plan=plan, items=[p for p in parsed if p.entity is plan.admin.entity],
        more=page.last_evaluated_key is not None, read_count=page.scanned_count,
        partition_url=plan.partition_url)


def run_lookup(admin: EntityAdmin, lookup: Lookup, values: Mapping[str, str], *,
               limit: int = LOOKUP_LIMIT) -> LookupResult:
    """One bounded Query for the typed values; the items of the lookup's entity."""
    plan = plan_lookup(admin, lookup, values)
    return _result(plan, _fetch(plan, limit))


def find_lookup(admin: EntityAdmin, name: str, request: HttpRequest | None = None
                ) -> Lookup | None:
    return next((lk for lk in admin.get_lookups(request) if lk.name == name), None)


# -- listings -----------------------------------------------------------------------------
def find_listing(admin: EntityAdmin, name: str, request: HttpRequest | None = None
                 ) -> Listing | None:
    return next((ls for ls in admin.get_listings(request)
                 if ls.name == name and ls.key in admin.opts.keys), None)


def listing_url(admin: EntityAdmin, listing: Listing, values: Mapping[str, str]) -> str:
    """The partition page a listing opens for the chosen values (raises LookupInputError)."""
    key = admin.opts.keys.get(listing.key)
    if key is None:
        raise LookupInputError(f"{admin.opts.verbose_name} has no key {listing.key!r}.")
    cleaned = _clean(admin, key.pk.variables, values)
    index = key.index
    pk = _key_value(key.pk, cleaned, index.pk_type, MAX_PARTITION_KEY_BYTES, "partition key")
    return partition_url(admin.opts.table, pk, index=index.name,
                         descending=listing.descending)


@dataclass(frozen=True)
class ListingSuggestion:
    """A key whose partition groups an entity's items, so a listing could page through it."""

    key: Key
    label: str

    @property
    def code(self) -> str:
        return f'Listing("{self.key.name}", label="{self.label}")'


def listing_suggestions(admin: EntityAdmin) -> list[ListingSuggestion]:
    """Keys whose partition key is made of constants and Choice fields only: a person can
    pick every value from a menu, and each partition groups many items."""
    suggestions = []
    used = {listing.key for listing in admin.get_listings()}
    for key in admin.opts.keys.values():
        if key.name in used:
            continue
        variables = key.pk.variables
        if not all(isinstance(admin.opts.fields.get(v), Choice) for v in variables):
            continue
        if key.index.pk_type != "S" and variables:
            continue
        what = f" by {', '.join(variables)}" if variables else ""
        suggestions.append(ListingSuggestion(
            key=key, label=f"{_plural(admin.opts.verbose_name)}{what}"))
    return suggestions


def _plural(name: str) -> str:
    return name if name.endswith("s") else f"{name}s"


# -- forms for the entity home -------------------------------------------------------------
@dataclass
class FormField:
    name: str
    label: str
    input_type: str
    id: str
    choices: tuple[str, ...] = ()
    value: str = ""
    help_text: str = ""
    error: str = ""


@dataclass
class LookupForm:
    kind: str  # "lookup" or "listing"
    name: str
    label: str
    action: str
    key: Key
    fields: list[FormField]
    error: str = ""

    @property
    def where(self) -> str:
        return self.key.index_name or "table"


def _input_type(fld: Field) -> str:
    if isinstance(fld, (Choice, Boolean)):
        return "select"
    if isinstance(fld, Email):
        return "email"
    if isinstance(fld, Number):
        return "number"
    if isinstance(fld, DateTime):
        return "datetime-local"
    if isinstance(fld, Date):
        return "date"
    return "text"


def _form_fields(admin: EntityAdmin, prefix: str, names: tuple[str, ...],
                 values: Mapping[str, str], error: LookupInputError | None) -> list[FormField]:
    out = []
    for name in names:
        fld = admin.opts.fields.get(name) or Field(label=name)
        choices: tuple[str, ...] = ()
        if isinstance(fld, Choice):
            choices = fld.choices
        elif isinstance(fld, Boolean):
            choices = ("true", "false")
        raw = values.get(name, "")
        out.append(FormField(
            name=name, label=fld.label, input_type=_input_type(fld), choices=choices,
            id=f"{prefix}-{name}", value=raw if isinstance(raw, str) else "",
            help_text=fld.help_text,
            error=error.message if error is not None and error.field == name else ""))
    return out


def lookup_form(admin: EntityAdmin, lookup: Lookup, values: Mapping[str, str] | None = None,
                error: LookupInputError | None = None) -> LookupForm:
    key = admin.opts.keys[lookup.key]
    action = reverse("dynadmin:entity_lookup", kwargs={"entity": admin.opts.label,
                                                       "name": lookup.name})
    fields = _form_fields(admin, f"lookup-{lookup.name}", lookup.fields, values or {}, error)
    return LookupForm(kind="lookup", name=lookup.name, label=lookup.label, action=action,
                      key=key, fields=fields,
                      error=error.message if error is not None and error.field is None else "")


def listing_form(admin: EntityAdmin, listing: Listing, values: Mapping[str, str] | None = None,
                 error: LookupInputError | None = None) -> LookupForm:
    key = admin.opts.keys[listing.key]
    action = reverse("dynadmin:listing", kwargs={"entity": admin.opts.label,
                                                 "name": listing.name})
    fields = _form_fields(admin, f"listing-{listing.name}", key.pk.variables, values or {},
                          error)
    return LookupForm(kind="listing", name=listing.name, label=listing.label, action=action,
                      key=key, fields=fields,
                      error=error.message if error is not None and error.field is None else "")


# -- the global box -------------------------------------------------------------------------
@dataclass(frozen=True)
class RawKey:
    """Text that is a partition key as written: it opens that partition, no call needed."""

    table: Table
    index: Index
    pk: str
    template: KeyTemplate
    entity: type[Entity]

    @property
    def url(self) -> str:
        return partition_url(self.table, self.pk, index=self.index.name)


@dataclass
class Attempt:
    """A lookup the box ran, for "nothing found; tried: ..." and the call's outcome."""

    label: str
    entity: str
    value: str
    found: int = 0
    more: bool = False
    error: str = ""
    partition_url: str = ""


@dataclass
class Match:
    parsed: ParsedItem
    admin: EntityAdmin
    lookup_label: str
    url: str

    @property
    def entity(self) -> type[Entity]:
        return self.admin.entity


@dataclass
class GlobalResult:
    text: str
    raw_key: RawKey | None = None
    tried: list[Attempt] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    #: lookups that applied but were not run, beyond MAX_GLOBAL_LOOKUPS
    skipped: list[str] = field(default_factory=list)

    @property
    def redirect(self) -> str | None:
        """Where the box goes straight away: a raw key's partition, or the only match."""
        if self.raw_key is not None:
            return self.raw_key.url
        if len(self.matches) == 1 and not any(a.more or a.error for a in self.tried):
            return self.matches[0].url
        return None

    @property
    def errors(self) -> list[Attempt]:
        return [a for a in self.tried if a.error]


def _viewable(request: HttpRequest) -> list[EntityAdmin]:
    from ..sites import site

    return [admin for admin in site.admins if admin.has_view_permission(request)]


def _raw_key(text: str, admins: list[EntityAdmin]) -> RawKey | None:
    if len(text.encode("utf-8")) > MAX_PARTITION_KEY_BYTES:
        return None
    candidates = []
    for order, admin in enumerate(admins):
        for key in admin.opts.keys.values():
            template = key.pk
            index = key.index
            # A template without literal text ({id}) would claim every text as a key.
            if template.literal_length == 0 or index.pk_type != "S":
                continue
            if template.parse(text) is None:
                continue
            # The most literal text is the most specific (ORDER#STATUS#{s} over ORDER#{id});
            # on a tie the table's own key wins over an index's.
            candidates.append(((template.literal_length, key.is_primary, -order),
                               RawKey(table=admin.opts.table, index=index, pk=text,
                                      template=template, entity=admin.entity)))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])[1]


def _applicable(text: str, admins: list[EntityAdmin], request: HttpRequest
                ) -> tuple[list[LookupPlan], list[Attempt]]:
    plans: list[LookupPlan] = []
    broken: list[Attempt] = []
    for admin in admins:
        for lookup in admin.get_lookups(request):
            if len(lookup.fields) != 1:
                continue
            if lookup.accepts:
                try:
                    if lookup.accept(text) is None:
                        continue
                except re.error as exc:
                    broken.append(Attempt(lookup.label, admin.opts.verbose_name, text,
                                          error=f"its accepts pattern is invalid: {exc}"))
                    continue
            try:
                plans.append(plan_lookup(admin, lookup, {lookup.fields[0]: text}))
            except LookupInputError:
                continue  # the text is not a value of this field: the lookup does not apply
    return plans, broken


def global_lookup(text: str, request: HttpRequest, *, limit: int = GLOBAL_LIMIT
                  ) -> GlobalResult:
    """What the box text finds: a raw key, or the matches of every lookup that takes it.

    Raises LookupInputError for text no lookup could ever take (too long).
    """
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise LookupInputError(
            f"That is {len(text)} characters; a lookup takes at most {MAX_TEXT}.")
    result = GlobalResult(text=text)
    if not text:
        return result
    admins = _viewable(request)
    result.raw_key = _raw_key(text, admins)
    if result.raw_key is not None:
        return result
    plans, broken = _applicable(text, admins, request)
    result.skipped = [p.lookup.label for p in plans[MAX_GLOBAL_LOOKUPS:]]
    plans = plans[:MAX_GLOBAL_LOOKUPS]
    outcomes = _run_parallel(plans, limit)
    seen: set[tuple[str, tuple[Any, ...]]] = set()
    for plan, outcome in zip(plans, outcomes, strict=True):
        attempt = Attempt(plan.lookup.label, plan.admin.opts.verbose_name,
                          ", ".join(raw_text(v) for v in plan.values.values()),
                          partition_url=plan.partition_url)
        result.tried.append(attempt)
        if isinstance(outcome, DataError):
            attempt.error = outcome.message
            continue
        found = _result(plan, outcome)
        attempt.found, attempt.more = len(found.items), found.more
        table = plan.table
        for parsed in found.items:
            identity = (table.name, tuple(parsed.item.get(a) for a in table.primary.attributes))
            if identity in seen:
                continue
            seen.add(identity)
            result.matches.append(Match(parsed=parsed, admin=plan.admin,
                                        lookup_label=plan.lookup.label,
                                        url=item_url(table, parsed.item)))
    result.tried.extend(broken)
    return result


def _run_parallel(plans: list[LookupPlan], limit: int) -> list[data.Page | DataError]:
    """Each plan's page, or the DataError it raised (one failure hides no other result)."""
    if not plans:
        return []
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(plans))) as pool:
        # Each task runs in a copy of this context, so the request's call log records it.
        futures = [pool.submit(contextvars.copy_context().run, _fetch, plan, limit)
                   for plan in plans]
        outcomes: list[data.Page | DataError] = []
        for future in futures:
            try:
                outcomes.append(future.result())
            except DataError as exc:
                outcomes.append(exc)
    return outcomes


# -- presenting matches ---------------------------------------------------------------------
@dataclass
class MatchRow:
    url: str
    key_text: str
    found_by: str
    cells: list[str]


@dataclass
class MatchGroup:
    label: str
    entity_label: str
    columns: list[str]
    rows: list[MatchRow] = field(default_factory=list)


def group_matches(matches: list[Match], request: HttpRequest | None = None
                  ) -> list[MatchGroup]:
    """Matches grouped by entity, with the entity's list_display columns."""
    groups: dict[str, MatchGroup] = {}
    for match in matches:
        meta = match.admin.opts
        columns = match.admin.get_list_display(request)
        group = groups.get(meta.label)
        if group is None:
            group = groups[meta.label] = MatchGroup(
                label=meta.verbose_name, entity_label=meta.label,
                columns=[meta.fields[c].label for c in columns if c in meta.fields])
        item = match.parsed.item
        group.rows.append(MatchRow(
            url=match.url, found_by=match.lookup_label,
            key_text=key_text(meta.table, item),
            cells=[cell_text(meta.fields[c], match.parsed.values[c])
                   if c in match.parsed.values else "—"
                   for c in columns if c in meta.fields]))
    return list(groups.values())


# -- what the box understands ----------------------------------------------------------------
@dataclass
class BoxHint:
    entity: str
    entity_label: str
    lookups: list[tuple[str, str]]  # (label, what it takes)
    keys: list[str]  # partition key templates that open as raw keys


def box_hints(request: HttpRequest) -> list[BoxHint]:
    """Per entity the person may view: which lookups the box runs and on what text."""
    hints = []
    for admin in _viewable(request):
        lookups = []
        for lookup in admin.get_lookups(request):
            if len(lookup.fields) != 1:
                continue
            fld = admin.opts.fields.get(lookup.fields[0])
            label = fld.label if fld else lookup.fields[0]
            takes = (f"text matching {lookup.accepts}" if lookup.accepts
                     else f"an exact {label.lower()}")
            lookups.append((lookup.label, takes))
        keys = list(dict.fromkeys(
            key.pk.template for key in admin.opts.keys.values()
            if key.pk.literal_length and key.index.pk_type == "S"))
        hints.append(BoxHint(entity=admin.opts.verbose_name, entity_label=admin.opts.label,
                             lookups=lookups, keys=keys))
    return hints
