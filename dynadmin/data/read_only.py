"""Tables dynadmin must not write to, and the guard every write function calls first.

A table is read-only when its definition says so (``Table(read_only=True)``), when its
connection does (``DYNADMIN_CONNECTIONS[...]["read_only"]``, e.g. all of production), or when
the deployment lists it in ``DYNADMIN_READ_ONLY_TABLES`` (logical names). The guard runs in
the data layer, before any request is built, so no page, action or command can get round it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import conf
from .connections import connection_for, connection_name_for
from .errors import ReadOnly

if TYPE_CHECKING:
    from ..definitions.tables import Table

__all__ = ["ensure_writable", "is_read_only", "read_only_reasons"]


def read_only_reasons(table: Table) -> list[str]:
    """Where the configuration makes a table read-only (empty when it is writable)."""
    reasons = []
    if table.read_only:
        reasons.append(f"its definition (Table({table.name!r}, read_only=True))")
    if table.name in (conf.get("READ_ONLY_TABLES") or ()):
        reasons.append(f"the setting DYNADMIN_READ_ONLY_TABLES, which lists {table.name}")
    if connection_for(table).read_only:
        name = connection_name_for(table)
        reasons.append(f"its connection (DYNADMIN_CONNECTIONS[{name!r}]['read_only'])")
    return reasons


def is_read_only(table: Table) -> bool:
    """True when dynadmin must not write to the table (the UI hides its write actions)."""
    return bool(read_only_reasons(table))


def ensure_writable(*tables: Table) -> None:
    """Raise ReadOnly unless every table may be written to; called before anything is sent."""
    for table in tables:
        reasons = read_only_reasons(table)
        if reasons:
            environment = connection_for(table).environment
            raise ReadOnly(
                f"dynadmin does not write to table {table.name} ({table.table_name}) in the "
                f"{environment} environment: it is read-only. Nothing was sent to DynamoDB.",
                table=table.table_name,
                advice="It is marked read-only by " + " and by ".join(reasons)
                       + ". Change that configuration to allow writes.")
