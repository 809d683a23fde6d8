"""The keys one request may reach: checked before a request is built, so a key outside a
person's scope costs no call and answers as a missing item or an empty partition.

The data layer knows no people: the site hands it a ``KeyFence`` for the request it serves
(``dynadmin.scopes``), held in a ``contextvars`` variable as the call log is, and every read
and write asks it about the key it is about to send.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from .errors import DataError

if TYPE_CHECKING:
    from ..definitions.tables import Index, Table

__all__ = ["KeyFence", "OutsideScope", "allows_key", "allows_partition", "fenced",
           "policy_keys"]


class KeyFence(Protocol):
    def allows_partition(self, index: Index, partition: Any) -> bool:
        """May this partition value of ``index`` be read?"""

    def allows_key(self, table: Table, key: Mapping[str, Any]) -> bool:
        """May the item at this primary key be read or written?"""

    def allows_write(self, table: Table, key: Mapping[str, Any],
                     attributes: Mapping[str, Any]) -> bool:
        """May these attributes (a whole item, or those an update sets) be written at
        this primary key?"""


class OutsideScope(DataError):
    """A write to a key outside the person's scope: refused before anything is sent, in the
    same words whether or not an item is there."""

    status = 403


_current: contextvars.ContextVar[KeyFence | None] = contextvars.ContextVar(
    "dynadmin_key_fence", default=None)


@contextmanager
def fenced(fence: KeyFence | None) -> Iterator[None]:
    """Every read and write inside the block asks ``fence`` first (None: no fence)."""
    token = _current.set(fence)
    try:
        yield
    finally:
        _current.reset(token)


def policy_keys(tables: list[Table]) -> tuple[dict[str, list[str]], list[str]] | None:
    """What an IAM session policy for the person served may allow of ``tables``: the
    ``dynamodb:LeadingKeys`` values by table (or ``"<table>.<index>"``) and the global
    indexes to leave out; None when no fence limits them (a fence that cannot say it)."""
    fence = _current.get()
    keys_for = getattr(fence, "policy_keys", None)
    return keys_for(tables) if keys_for is not None else None


def allows_partition(index: Index, partition: Any) -> bool:
    fence = _current.get()
    return fence is None or fence.allows_partition(index, partition)


def allows_key(table: Table, key: Mapping[str, Any]) -> bool:
    fence = _current.get()
    return fence is None or fence.allows_key(table, key)


def ensure_inside(table: Table, key: Mapping[str, Any],
                  attributes: Mapping[str, Any] | None = None) -> None:
    """Raise OutsideScope for a write the fence refuses (its key, or a value it writes);
    nothing is sent."""
    fence = _current.get()
    if fence is not None and not fence.allows_write(table, key, attributes or {}):
        raise OutsideScope(
            "This key is outside the part of the table you may reach. Nothing was sent to "
            "DynamoDB.", table=table.table_name,
            advice="Ask an administrator to widen your scope if you need to write here.")
