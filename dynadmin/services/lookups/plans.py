"""One lookup: the typed values a person enters become one bounded Query on the lookup's
index, ``begins_with`` the sort key's known prefix; never a scan."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import data
from ...access_patterns import Lookup
from ...data import SortCondition
from ...definitions import Index, Key, ParsedItem, Table, parse_any
from ...definitions.fields import Field, FieldError
from ...definitions.keys import KeyTemplate, KeyTemplateError
from ...limits import MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES
from ...user_errors import UserInputError
from ..partitions.query import PartitionQuery

if TYPE_CHECKING:
    from ...options import EntityAdmin

#: items one entity lookup reads (a page of the partition; the partition page has the rest)
LOOKUP_LIMIT = 25
#: longer text cannot be a key or a lookup value worth a round trip
MAX_TEXT = 1024

class LookupInputError(UserInputError):
    """A value a lookup or listing cannot use: shown to the person as a 400 with the form."""

    title = gettext_lazy("Cannot look this up")

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- one lookup ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LookupPlan:
    """The one Query a lookup makes, decided before anything is sent."""

    admin: EntityAdmin
    lookup: Lookup
    key: Key
    values: dict[str, Any]
    #: the partition (and sort-key prefix) the values determine: what is read, and the link
    #: to the partition page that lists the rest
    partition: PartitionQuery

    @property
    def index(self) -> Index:
        return self.key.index

    @property
    def table(self) -> Table:
        return self.admin.opts.table

    @property
    def partition_url(self) -> str:
        return self.partition.url()


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


def field_of(admin: EntityAdmin, name: str) -> Field:
    fld = admin.opts.fields.get(name)
    if fld is None:  # a broken definition; system check E006 reports it
        raise LookupInputError(_("%(name)s is not a field of %(thing)s.")
                               % {"name": name, "thing": admin.opts.verbose_name}, name)
    return fld


def clean_values(admin: EntityAdmin, names: tuple[str, ...], values: Mapping[str, str],
           lookup: Lookup | None = None) -> dict[str, Any]:
    """Typed values through the entity's fields, with a message a person can act on."""
    cleaned: dict[str, Any] = {}
    for name in names:
        fld = field_of(admin, name)
        raw = values.get(name)
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            raise LookupInputError(_("%(label)s: enter a value.") % {"label": fld.label}, name)
        if len(text) > MAX_TEXT:
            raise LookupInputError(_("%(label)s: at most %(max)s characters.")
                                   % {"label": fld.label, "max": MAX_TEXT}, name)
        if lookup is not None and len(names) == 1:
            # "ORD-456" in the Order by ID form means what it means in the global box.
            try:
                text = lookup.accept(text) or text
            except re.error:
                pass  # a broken pattern only disables the shortcut, never the lookup
        if lookup is not None:
            text = lookup.normalised(text)
        if lookup is not None and name == lookup.prefix_field:
            # The beginning of a value ("ali") is no value of its field: kept as typed.
            cleaned[name] = text
            continue
        try:
            cleaned[name] = fld.to_python(text)
        except FieldError as exc:
            raise LookupInputError(str(exc), name) from None
    return cleaned


def key_value(template: KeyTemplate, values: Mapping[str, Any], key_type: str,
               limit: int, what: str) -> Any:
    try:
        value = template.format(values, key_type)
    except KeyTemplateError as exc:
        raise LookupInputError(str(exc), getattr(exc, "name", None)) from None
    _fits(value, limit, what)
    return value


def _fits(value: Any, limit: int, what: str) -> None:
    if isinstance(value, str) and len(value.encode("utf-8")) > limit:
        raise LookupInputError(_("That value makes a %(what)s longer than DynamoDB allows.")
                               % {"what": what})


def plan_lookup(admin: EntityAdmin, lookup: Lookup, values: Mapping[str, str]) -> LookupPlan:
    """Validate the typed values and decide the Query (raises LookupInputError)."""
    key = admin.opts.keys.get(lookup.key)
    if key is None:
        raise LookupInputError(_("%(thing)s has no key %(key)r.")
                               % {"thing": admin.opts.verbose_name, "key": lookup.key})
    cleaned = clean_values(admin, lookup.fields, values, lookup)
    index = key.index
    if lookup.prefix_field is not None:
        pk = key_value(key.pk, cleaned, index.pk_type, MAX_PARTITION_KEY_BYTES,
                       _("partition key"))
        sort = _text_prefix(key, lookup.prefix_field, cleaned)
    else:
        try:
            query = key.query_for(cleaned)
        except KeyTemplateError as exc:
            raise LookupInputError(str(exc), getattr(exc, "name", None)) from None
        pk = query.pk
        _fits(pk, MAX_PARTITION_KEY_BYTES, _("partition key"))
        sort = None
        if query.sk_op is not None:
            if query.sk_op == "=":
                _fits(query.sk, MAX_SORT_KEY_BYTES, _("sort key"))
            sort = SortCondition(query.sk_op, query.sk)
    partition = PartitionQuery(table=admin.opts.table, index=index, pk=pk, sort=sort)
    return LookupPlan(admin=admin, lookup=lookup, key=key, values=cleaned, partition=partition)


def _text_prefix(key: Key, name: str, cleaned: Mapping[str, Any]) -> SortCondition:
    """``begins_with`` the sort key up to the typed beginning of ``name`` (check E015 made
    sure the key can answer it; a value that cannot be spelled is the person's to fix)."""
    if key.sk is None or key.index.sk_type != "S":
        raise LookupInputError(_("This lookup cannot match the beginning of a value."))
    try:
        prefix = key.sk.text_prefix(cleaned, name, cleaned[name])
    except KeyTemplateError as exc:
        raise LookupInputError(str(exc), name) from None
    if len(prefix.encode("utf-8")) > MAX_SORT_KEY_BYTES:
        raise LookupInputError(_("That value makes a sort key longer than DynamoDB allows."),
                               name)
    return SortCondition("begins_with", prefix)


def read_lookup_page(plan: LookupPlan, limit: int) -> data.Page:
    """The one Query the plan decided, at most ``limit`` items."""
    return replace(plan.partition, limit=limit).read()


def lookup_result(plan: LookupPlan, page: data.Page) -> LookupResult:
    parsed = [parse_any(plan.table, item) for item in page.items]
    return LookupResult(
        plan=plan, items=[p for p in parsed if p.entity is plan.admin.entity],
        more=page.last_evaluated_key is not None, read_count=page.scanned_count,
        partition_url=plan.partition_url)


def run_lookup(admin: EntityAdmin, lookup: Lookup, values: Mapping[str, str], *,
               limit: int = LOOKUP_LIMIT) -> LookupResult:
    """One bounded Query for the typed values; the items of the lookup's entity."""
    plan = plan_lookup(admin, lookup, values)
    return lookup_result(plan, read_lookup_page(plan, limit))


def find_lookup(admin: EntityAdmin, name: str, request: HttpRequest | None = None
                ) -> Lookup | None:
    return next((lk for lk in admin.get_lookups(request) if lk.name == name), None)
