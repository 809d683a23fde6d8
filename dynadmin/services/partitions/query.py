"""A partition plus a sort-key condition: ``PartitionQuery``, the one description of "these
items of this partition" that the partition page, its links and its cursors share.

It is parsed from the query string (``?pk=...&index=...&sk_op=...&sk=...``), typed as the
table declares its keys, and written back to it (``url()``), so every page is bookmarkable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import data
from ...data import SORT_OPERATORS, SortCondition
from ...data.conditions import (
    COMPARISONS,
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Condition,
    Contains,
    GreaterThan,
    LessThan,
    all_of,
)
from ...definitions import Index, Table
from ...limits import MAX_INDEXED_NAME_CHARACTERS, TTL_IGNORED_AFTER
from ...user_errors import UserInputError
from ..links import site_url
from ..url_keys import BadKey, key_param, parse_key_value
from .key_ranges import SortRange, sort_range_from_params

__all__ = [
    "AttributeFilter", "BadQuery", "DEFAULT_LIMIT", "FILTER_OPERATORS", "IndexChoice",
    "MAX_LIMIT", "PartitionQuery", "index_choices", "not_expired", "partition_url",
]

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
FILTER_OPERATORS = {
    "=": "equals", "<>": "differs from", "<": "less than", "<=": "at most",
    ">": "greater than", ">=": "at least", "begins_with": "begins with",
    "contains": "contains", "exists": "exists", "not_exists": "does not exist",
}
FILTER_TYPES = ("S", "N", "BOOL")


class BadQuery(UserInputError):
    """Query parameters that cannot make a Query: shown as a 400 with this message."""

    title = gettext_lazy("Cannot read this partition")


@dataclass(frozen=True)
class AttributeFilter:
    """A FilterExpression on one non-key attribute, applied to the page DynamoDB read."""

    attribute: str
    op: str
    value: Any = None
    value_type: str = "S"

    def condition(self) -> Condition:
        if self.op == "exists":
            return AttributeExists(self.attribute)
        if self.op == "not_exists":
            return AttributeNotExists(self.attribute)
        if self.op == "begins_with":
            return BeginsWith(self.attribute, self.value)
        if self.op == "contains":
            return Contains(self.attribute, self.value)
        return COMPARISONS[self.op](self.attribute, self.value)

    def describe(self) -> str:
        text = f"{self.attribute} {FILTER_OPERATORS[self.op]}"
        if self.op in ("exists", "not_exists"):
            return text
        # Text in quotes; a number or a boolean as a person writes it, never Decimal('5').
        value = self.value
        shown = (f"'{value}'" if isinstance(value, str)
                 else str(value).lower() if isinstance(value, bool) else str(value))
        return f"{text} {shown}"


@dataclass(frozen=True)
class PartitionQuery:
    """Everything that defines which items a partition page lists (not where it starts)."""

    table: Table
    index: Index
    pk: Any
    sort: SortCondition | None = None
    descending: bool = False
    limit: int = DEFAULT_LIMIT
    consistent: bool = False
    filter: AttributeFilter | None = None
    #: hide items whose TTL passed before this epoch second (fixed for a paging session, so
    #: that every page of it, and its cursors, ask the same question)
    hide_expired_at: int | None = None
    #: the sort condition as the person asked it, in an entity's fields (``sort`` is built
    #: from it); the address keeps these words rather than the bounds they make
    sort_range: SortRange | None = None

    # -- from and to URLs -----------------------------------------------------------------
    @classmethod
    def from_params(cls, table: Table, params: Mapping[str, str]) -> PartitionQuery:
        index_name = params.get("index") or None
        if not table.has_index(index_name):
            raise BadQuery(_("Table %(table)s has no index %(index_name)r.")
                           % {"table": table.name, "index_name": index_name})
        index = table.index(index_name)
        try:
            pk = parse_key_value(params.get("pk"), index.pk, index.pk_type)
            sort_range = sort_range_from_params(table.entities, index, params)
            sort = sort_range.condition() if sort_range else _sort_condition(index, params)
        except (BadKey, UserInputError) as exc:
            raise BadQuery(str(exc)) from None
        limit = _limit(params.get("limit"))
        consistent = params.get("consistent") == "1"
        if consistent and index.name and not index.local:
            raise BadQuery(_("Strongly consistent reads are only possible on the table itself "
                             "or a local index, not on a global index."))
        return cls(table=table, index=index, pk=pk, sort=sort,
                   descending=params.get("order") == "desc", limit=limit,
                   consistent=consistent, filter=_filter(index, params),
                   hide_expired_at=_hide_expired(table, params.get("hide_expired")),
                   sort_range=sort_range)

    def params(self) -> dict[str, str]:
        """The query string, in a stable order (so links are stable and shareable)."""
        out = {"pk": key_param(self.pk)}
        if self.index.name:
            out["index"] = self.index.name
        if self.sort_range is not None:
            out |= self.sort_range.params()
        elif self.sort is not None:
            out["sk_op"] = self.sort.op
            out["sk"] = key_param(self.sort.value)
            if self.sort.value2 is not None:
                out["sk2"] = key_param(self.sort.value2)
        if self.descending:
            out["order"] = "desc"
        if self.limit != DEFAULT_LIMIT:
            out["limit"] = str(self.limit)
        if self.consistent:
            out["consistent"] = "1"
        if self.filter is not None:
            out["f_attr"] = self.filter.attribute
            out["f_op"] = self.filter.op
            if self.filter.op not in ("exists", "not_exists"):
                out["f_value"] = str(self.filter.value).lower() if isinstance(
                    self.filter.value, bool) else str(self.filter.value)
                out["f_type"] = self.filter.value_type
        if self.hide_expired_at is not None:
            out["hide_expired"] = str(self.hide_expired_at)
        return out

    def url(self, cursor: str | None = None, **extra: str) -> str:
        params = self.params()
        if cursor:
            params["cursor"] = cursor
        params.update(extra)
        return site_url("partition", table=self.table.name) + "?" + (
            urlencode(params))

    @property
    def scope(self) -> str:
        """What a cursor is valid for: the same partition, conditions, order and filter.

        The page size is left out on purpose, so it can change mid-way through paging.
        """
        identity = self.params()
        identity.pop("limit", None)
        identity.pop("consistent", None)
        identity["table"] = self.table.name
        digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
        return digest[:32]

    @property
    def hidden_before(self) -> dt.datetime | None:
        """The moment before which expired items are hidden (None: shown)."""
        if self.hide_expired_at is None:
            return None
        return dt.datetime.fromtimestamp(self.hide_expired_at, tz=dt.UTC)

    @property
    def filter_description(self) -> str:
        parts = [self.filter.describe()] if self.filter else []
        if self.hidden_before is not None:
            parts.append(_("hiding items whose %(ttl)s passed before %(moment)s UTC (a TTL "
                           "more than five years older is never deleted, so stays shown)")
                         % {"ttl": self.table.ttl_attribute,
                            "moment": f"{self.hidden_before:%Y-%m-%d %H:%M:%S}"})
        return "; ".join(parts)

    # -- the DynamoDB call ----------------------------------------------------------------
    def filter_condition(self) -> Condition | None:
        """The FilterExpression: the attribute filter AND the hide-expired condition."""
        conditions = [self.filter.condition()] if self.filter else []
        if self.hide_expired_at is not None and self.table.ttl_attribute:
            conditions.append(not_expired(self.table.ttl_attribute, self.hide_expired_at))
        return all_of(conditions) if conditions else None

    def request(self, *, forward: bool, start_key: Mapping[str, Any] | None) -> dict[str, Any]:
        return data.query_request(
            self.index, self.pk, self.sort, forward=forward, limit=self.limit,
            start_key=start_key, consistent=self.consistent, filter=self.filter_condition())

    def run(self, request: Mapping[str, Any]) -> data.Page:
        """Send the request built by ``request()`` (built once: shown as code, then sent)."""
        return data.send_query(self.index, request, partition=self.pk)

    def read(self, *, start_key: Mapping[str, Any] | None = None,
             forward: bool | None = None) -> data.Page:
        """One page from ``start_key``, in the query's order unless ``forward`` says."""
        forward = not self.descending if forward is None else forward
        return self.run(self.request(forward=forward, start_key=start_key))


def not_expired(attribute: str, now: int) -> Condition:
    """Items without a TTL, with one DynamoDB ignores, or one still ahead: only what DynamoDB
    will actually delete is hidden.

    ``attribute_not_exists(ttl) OR ttl > :now`` alone would also hide a TTL stored as a
    String (a String never compares greater than a Number), yet DynamoDB never expires those;
    nor does it delete an item whose TTL is more than five years past (a creation date kept
    in the TTL attribute, say), so those stay shown too.
    """
    ignored_before = now - int(TTL_IGNORED_AFTER.total_seconds())
    return (AttributeNotExists(attribute) | ~AttributeType(attribute, "N")
            | GreaterThan(attribute, Decimal(now))
            | LessThan(attribute, Decimal(ignored_before)))


@dataclass(frozen=True)
class IndexChoice:
    """One option of a page's index menu."""

    value: str
    label: str
    selected: bool


def index_choices(table: Table, selected: str | None) -> list[IndexChoice]:
    """The table and its indexes, for a menu; ``selected`` is the index name ('' = table)."""
    choices = []
    for index in (table.primary, *table.indexes.values()):
        keys = f"{index.pk} / {index.sk}" if index.sk else index.pk
        choices.append(IndexChoice(value=index.name or "", label=f"{index.label} ({keys})",
                                   selected=(index.name or "") == (selected or "")))
    return choices


def partition_url(table: Table, pk: Any, *, index: str | None = None,
                  sk_op: str | None = None, sk: Any = None, sk2: Any = None,
                  descending: bool = False, limit: int | None = None) -> str:
    """A link to a partition page (used by lookups, listings and relations): the address of
    the ``PartitionQuery`` those arguments describe, spelled by ``PartitionQuery.params``."""
    return PartitionQuery(
        table=table, index=table.index(index), pk=pk,
        sort=SortCondition(sk_op, sk, sk2) if sk_op else None, descending=descending,
        limit=limit or DEFAULT_LIMIT).url()


def _limit(raw: str | None) -> int:
    if not raw:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise BadQuery(_("limit must be a whole number from 1 to %(max_limit)s.")
                       % {"max_limit": MAX_LIMIT}) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadQuery(_("limit must be from 1 to %(max_limit)s.") % {"max_limit": MAX_LIMIT})
    return limit


def _sort_condition(index: Index, params: Mapping[str, str]) -> SortCondition | None:
    op = params.get("sk_op") or ""
    if not op:
        return None
    if op not in SORT_OPERATORS:
        raise BadQuery(_("Unknown sort key condition %(op)r; use one of %(operators)s.")
                       % {"op": op, "operators": ", ".join(SORT_OPERATORS)})
    if index.sk is None:
        raise BadQuery(_("%(index)s has no sort key to put a condition on.")
                       % {"index": index.label})
    if op == "begins_with" and index.sk_type == "N":
        raise BadQuery(_("begins_with does not apply to a Number sort key."))
    value = parse_key_value(params.get("sk"), index.sk, index.sk_type, sort_key=True)
    value2 = None
    if op == "between":
        value2 = parse_key_value(params.get("sk2"), _("%(attribute)s (upper bound)")
                                                    % {"attribute": index.sk}, index.sk_type,
                                 sort_key=True)
        if value2 < value:
            raise BadQuery(_("For between, the second value must not be smaller than the first."))
    return SortCondition(op, value, value2)


def _hide_expired(table: Table, raw: str | None) -> int | None:
    """``hide_expired=<epoch seconds>`` (what the page's checkbox sends), or ``1``/``on`` for
    "now", which then travels on as the epoch in every link of the paging session."""
    if not raw:
        return None
    if not table.ttl_attribute:
        raise BadQuery(_("Table %(table)s declares no TTL attribute: nothing expires.")
                       % {"table": table.name})
    if raw in ("1", "on", "true"):
        return int(time.time())
    if not raw.isdigit() or not 10**9 <= int(raw) < 10**11:
        raise BadQuery(_("hide_expired is 1 or a moment in epoch seconds."))
    return int(raw)


def _filter(index: Index, params: Mapping[str, str]) -> AttributeFilter | None:
    attribute = (params.get("f_attr") or "").strip()
    if not attribute:
        return None
    if len(attribute) > MAX_INDEXED_NAME_CHARACTERS:
        raise BadQuery(_("An attribute name is at most %(limit)s characters.")
                       % {"limit": MAX_INDEXED_NAME_CHARACTERS})
    key_attributes = {index.pk, index.sk, index.table.primary.pk, index.table.primary.sk}
    if attribute in key_attributes:
        raise BadQuery(_("%(attribute)s is a key attribute: use the key conditions, not a filter.")
                       % {"attribute": attribute})
    op = params.get("f_op") or "="
    if op not in FILTER_OPERATORS:
        raise BadQuery(_("Unknown filter operator %(op)r.") % {"op": op})
    if op in ("exists", "not_exists"):
        return AttributeFilter(attribute, op)
    value_type = params.get("f_type") or "S"
    if value_type not in FILTER_TYPES:
        raise BadQuery(_("Unknown filter value type %(value_type)r.") % {"value_type": value_type})
    raw = params.get("f_value", "")
    if value_type == "N":
        try:
            value: Any = Decimal(raw)
        except InvalidOperation:
            raise BadQuery(_("%(raw)r is not a number.") % {"raw": raw}) from None
        if not value.is_finite():
            raise BadQuery(_("%(raw)r is not a finite number.") % {"raw": raw})
    elif value_type == "BOOL":
        if raw.lower() not in ("true", "false"):
            raise BadQuery(_("A boolean filter value is true or false."))
        value = raw.lower() == "true"
    else:
        if raw == "" and op not in ("=", "<>"):
            raise BadQuery(_("The filter needs a value."))
        value = raw
    return AttributeFilter(attribute, op, value, value_type)
