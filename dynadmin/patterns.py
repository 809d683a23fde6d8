"""Named access patterns an admin offers: lookups (fill the fields, get the items) and
listings (a paged list through an index whose partition groups the items).

Plain data, like ``Relation``: services read them, ``EntityAdmin`` declares them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .definitions import Entity, Key

__all__ = ["Listing", "Lookup"]


@dataclass(frozen=True)
class Lookup:
    """A named access pattern: fill the fields, get the items (``User by email`` on GSI1).

    ``fields`` are what a person types; they must determine the key's partition key.
    ``accepts`` is a regular expression for the global lookup box: the lookup runs when the
    text fully matches it, with group 1 (if the pattern has a group) as the value, so that
    ``ORD-456`` and ``456`` both find order 456. Without it, the box tries the lookup whenever
    the field accepts the text. ``example`` is what the box's help shows a person (``ORD-456``)
    in place of the pattern, which no support person should have to read.
    """

    key: str
    label: str = ""
    fields: tuple[str, ...] = ()
    accepts: str = ""
    example: str = ""

    def resolve(self, entity: type[Entity]) -> Key:
        return entity._meta.keys[self.key]

    @property
    def name(self) -> str:
        """How URLs name the lookup (its key's name)."""
        return self.key

    def accept(self, text: str) -> str | None:
        """The value ``text`` stands for when it fits ``accepts``; None when it does not."""
        if not self.accepts:
            return None
        pattern = re.compile(self.accepts)
        match = pattern.fullmatch(text)
        if match is None:
            return None
        return match.group(1) if pattern.groups else match.group(0)


@dataclass(frozen=True)
class Listing:
    """A named, paged list of an entity through one of its keys (orders by status on GSI2).

    A person picks the partition key's values (a Choice field is a menu) and the partition
    page opens; ``descending`` puts the newest first when the sort key is a date.
    """

    key: str
    label: str = ""
    descending: bool = True

    def resolve(self, entity: type[Entity]) -> Key:
        return entity._meta.keys[self.key]

    @property
    def name(self) -> str:
        """How URLs name the listing (its key's name)."""
        return self.key
