"""Raw keys match exactly, case included. When a partition key with no literal text
(``{device}``) holds nothing, the same text in another case may: a probe of at most two
one-item Queries says so, rather than letting "nothing here" read as "no such device"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .query import PartitionQuery, partition_url

__all__ = ["OtherCase", "other_case_partitions"]


@dataclass(frozen=True)
class OtherCase:
    pk: str
    url: str


def _bare(query: PartitionQuery) -> bool:
    """Whether the partition key is one a template without literal text spells."""
    return any(key.index_name == query.index.name and key.pk.literal_length == 0
               and key.pk.matches(query.pk)
               for entity in query.table.entities for key in entity._meta.keys.values())


def other_case_partitions(query: PartitionQuery,
                          may_view: Callable[[dict[str, Any]], bool] = lambda item: True
                          ) -> list[OtherCase]:
    """The partitions the same text in lower or upper case holds items in, judged by the
    one item each probe reads: an item ``may_view`` withholds does not count (naming its
    partition would tell it is there)."""
    pk = query.pk
    if not isinstance(pk, str) or not _bare(query):
        return []
    found = []
    for variant in dict.fromkeys((pk.lower(), pk.upper())):
        if variant == pk:
            continue
        probe = replace(query, pk=variant, sort=None, sort_range=None, filter=None,
                        hide_expired_at=None, limit=1)
        if any(may_view(item) for item in probe.read().items):
            found.append(OtherCase(pk=variant, url=partition_url(
                query.table, variant, index=query.index.name)))
    return found
