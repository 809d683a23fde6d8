"""Named access patterns an admin offers: lookups (fill the fields, get the items) and
listings (a paged list through an index whose partition groups the items).

Plain data, like ``Relation``: services read them, ``EntityAdmin`` declares them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .definitions import Entity, Key

__all__ = ["NORMALISERS", "Listing", "Lookup"]

#: normalisers a lookup can name, for the spellings designs store (``normalise="lower"``)
NORMALISERS: dict[str, Callable[[str], str]] = {
    "lower": str.lower, "upper": str.upper, "casefold": str.casefold}


@dataclass(frozen=True)
class Lookup:
    """A named access pattern: fill the fields, get the items (``User by email`` on GSI1).

    ``fields`` are what a person types; they must determine the key's partition key.
    ``accepts`` is a regular expression for the global lookup box: the lookup runs when the
    text fully matches it, with group 1 (if the pattern has a group) as the value, so that
    ``ORD-456`` and ``456`` both find order 456. Without it, the box tries the lookup whenever
    the field accepts the text. ``example`` is what the box's help shows a person (``ORD-456``)
    in place of the pattern, which no support person should have to read.
    ``normalise`` is how the design spells what it stores (``"lower"``, ``"upper"``,
    ``"casefold"`` or a function of the text): applied to each typed value before the key is
    built, so ``Alice@Example.com`` finds ``USER#EMAIL#alice@example.com``.
    ``prefix=True``: the last field is typed as the beginning of its value ("ali" finds
    Alice and Alistair), answered by one Query with ``begins_with`` on the key's sort key,
    bounded by its Limit and paged like any partition. It needs a key whose sort key holds
    that field as text after what the other fields determine (``USERS`` /
    ``NAME#{name:lower}``): check ``E015`` refuses any other, so it is never a Scan.
    """

    key: str
    label: str = ""
    fields: tuple[str, ...] = ()
    accepts: str = ""
    example: str = ""
    normalise: Callable[[str], str] | str | None = None
    prefix: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.normalise, str) and self.normalise not in NORMALISERS:
            raise ValueError(f"Lookup({self.key!r}): normalise={self.normalise!r} is not one "
                             f"of {', '.join(NORMALISERS)} (or pass a function)")

    def normalised(self, text: str) -> str:
        """``text`` as the design stores it."""
        if self.normalise is None:
            return text
        if isinstance(self.normalise, str):
            return NORMALISERS[self.normalise](text)
        return self.normalise(text)

    def resolve(self, entity: type[Entity]) -> Key:
        return entity._meta.keys[self.key]

    @property
    def name(self) -> str:
        """How URLs name the lookup (its key's name)."""
        return self.key

    @property
    def prefix_field(self) -> str | None:
        """The field typed as the beginning of its value (None: every value is exact)."""
        return self.fields[-1] if self.prefix and self.fields else None

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
