"""The global box: raw keys open their partition with no call; otherwise every single-field
lookup whose ``accepts`` pattern (or field) takes the text runs, in parallel and bounded, and
the box says what it understands."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from ... import data
from ...data import DataError
from ...data.parallel import in_parallel
from ...definitions import Entity, Index, ParsedItem, Table
from ...definitions.fields import Field, Number, String
from ...definitions.keys import KeyTemplate
from ...limits import MAX_PARTITION_KEY_BYTES
from ..display.rows import raw_text
from ..partitions.query import partition_url
from ..url_keys import item_url
from .plans import (
    MAX_TEXT,
    LookupInputError,
    LookupPlan,
    lookup_result,
    plan_lookup,
    read_lookup_page,
)

if TYPE_CHECKING:
    from ...access_patterns import Lookup
    from ...options import EntityAdmin
    from ...sites import AdminSite

#: items each lookup of the global box reads
GLOBAL_LIMIT = 10
#: at most this many lookups run for one text (the rest are reported as skipped)
MAX_GLOBAL_LOOKUPS = 12

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
    #: partitions the text could be the raw key of, on keys with no literal text
    #: (``{device}``): offered as choices ("raw key of table Telemetry"), never opened alone
    bare_keys: list[RawKey] = field(default_factory=list)

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

    @property
    def could_not_search(self) -> bool:
        """Nothing found, but a lookup failed: "no such customer" would be a false answer."""
        return bool(self.errors) and not self.matches and self.raw_key is None


def viewable_admins(site: AdminSite, request: HttpRequest) -> list[EntityAdmin]:
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


def _bare_keys(text: str, admins: list[EntityAdmin]) -> list[RawKey]:
    """Partition keys without literal text (``{device}``) that the text fits: any text fits
    one, so the person says which table it belongs to instead of the box guessing."""
    if len(text.encode("utf-8")) > MAX_PARTITION_KEY_BYTES:
        return []
    found: dict[tuple[str, str | None], RawKey] = {}
    for admin in admins:
        for key in admin.opts.keys.values():
            template, index = key.pk, key.index
            if template.literal_length or index.pk_type != "S" or template.parse(text) is None:
                continue
            found.setdefault((admin.opts.table.name, index.name), RawKey(
                table=admin.opts.table, index=index, pk=text, template=template,
                entity=admin.entity))
    return list(found.values())


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


def global_lookup(site: AdminSite, text: str, request: HttpRequest, *, limit: int = GLOBAL_LIMIT
                  ) -> GlobalResult:
    """What the box text finds: a raw key, or the matches of every lookup that takes it.

    Raises LookupInputError for text no lookup could ever take (too long).
    """
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise LookupInputError(
            _("That is %(length)s characters; a lookup takes at most %(max)s.")
            % {"length": len(text), "max": MAX_TEXT})
    result = GlobalResult(text=text)
    if not text:
        return result
    admins = viewable_admins(site, request)
    result.raw_key = _raw_key(text, admins)
    if result.raw_key is not None:
        return result
    result.bare_keys = _bare_keys(text, admins)
    plans, broken = _applicable(text, admins, request)
    result.skipped = [p.lookup.label for p in plans[MAX_GLOBAL_LOOKUPS:]]
    plans = plans[:MAX_GLOBAL_LOOKUPS]
    outcomes = _run_parallel(plans, limit)
    seen: set[tuple[str, tuple[Any, ...]]] = set()
    for plan, outcome in zip(plans, outcomes, strict=True):
        attempt = Attempt(_attempt_label(plan), plan.admin.opts.verbose_name,
                          ", ".join(raw_text(v) for v in plan.values.values()),
                          partition_url=plan.partition_url)
        result.tried.append(attempt)
        if isinstance(outcome, DataError):
            attempt.error = outcome.message
            continue
        found = lookup_result(plan, outcome)
        # Items the person may not view are neither counted nor gone to: a count of them,
        # or a redirect to the only one, would tell that the text matched a hidden item.
        visible = [parsed for parsed in found.items
                   if plan.admin.has_view_permission(request, parsed.item)]
        attempt.found, attempt.more = len(visible), found.more
        table = plan.table
        for parsed in visible:
            identity = (table.name, tuple(parsed.item.get(a) for a in table.primary.attributes))
            if identity in seen:
                continue
            seen.add(identity)
            result.matches.append(Match(parsed=parsed, admin=plan.admin,
                                        lookup_label=attempt.label,
                                        url=item_url(table, parsed.item)))
    result.tried.extend(broken)
    return result


def _attempt_label(plan: LookupPlan) -> str:
    """The lookup as the results name it: "Users by name, starting with “ali”"."""
    name = plan.lookup.prefix_field
    if name is None:
        return plan.lookup.label
    return _("%(lookup)s, starting with “%(text)s”") % {
        "lookup": plan.lookup.label, "text": plan.values[name]}


def _run_parallel(plans: list[LookupPlan], limit: int) -> list[data.Page | DataError]:
    """Each plan's page, or the DataError it raised (one failure hides no other result)."""
    return in_parallel([partial(read_lookup_page, plan, limit) for plan in plans])


# -- what the box understands ----------------------------------------------------------------
@dataclass
class BoxHint:
    entity: str
    entity_label: str
    lookups: list[tuple[str, str]]  # (label, what it takes)
    keys: list[str]  # partition key templates that open as raw keys
    #: a lookup matches the beginning of a value (a name), not only a whole one
    takes_beginnings: bool = False


def box_hints(site: AdminSite, request: HttpRequest) -> list[BoxHint]:
    """Per entity the person may view: which lookups the box runs and on what text, as an
    example a person can copy (``ORD-456``), never the ``accepts`` pattern itself."""
    hints = []
    for admin in viewable_admins(site, request):
        lookups = []
        for lookup in admin.get_lookups(request):
            if len(lookup.fields) != 1:
                continue
            fld = admin.opts.fields.get(lookup.fields[0])
            label = fld.label if fld else lookup.fields[0]
            example = _example(lookup, fld)
            if lookup.prefix:
                takes = _("the start of a %(field)s, e.g. %(example)s") % {
                    "field": label.lower(), "example": example} if example else _(
                    "the start of a %(field)s") % {"field": label.lower()}
            else:
                takes = (_("e.g. %(example)s") % {"example": example} if example
                         else _("an exact %(field)s") % {"field": label.lower()})
            lookups.append((lookup.label, takes))
        keys = list(dict.fromkeys(
            key.pk.template for key in admin.opts.keys.values()
            if key.pk.literal_length and key.index.pk_type == "S"))
        hints.append(BoxHint(entity=admin.opts.verbose_name, entity_label=admin.opts.label,
                             lookups=lookups, keys=keys,
                             takes_beginnings=any(lk.prefix for lk in admin.get_lookups(request)
                                                  if len(lk.fields) == 1)))
    return hints


def _example(lookup: Lookup, fld: Field | None) -> str:
    """The lookup's own example, else its field's when the lookup would take it (a generic
    field's placeholder example, such as a String's, is no help and is left out)."""
    if lookup.example:
        return lookup.example
    if fld is None or type(fld).example is Field.example or type(fld) in (String, Number):
        return ""
    try:
        text = fld.to_key_text(fld.example()) if fld.key_capable else str(fld.example())
        if lookup.accepts and lookup.accept(text) is None:
            return ""
    except (ValueError, re.error):
        return ""
    return text
