"""Write attempts refused before they reached a guarded write, recorded in the audit log:
for want of permission, or because DynamoDB failed a call the write needed first (reading
the item during an outage).

A refused write is a security event as much as an applied one is: who tried what, where.
Only POSTs count (a GET asks to see a form, it writes nothing); the key is the address's, or
the one in the signed item the form carried, when either can be read. A write that reached
``editing.writes`` is audited there, whatever its outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from ..data.serialization import loads_dynamodb_json
from ..editing import audit
from ..editing.originals import TamperedOriginal, unsign_item
from ..models import AuditEntry
from ..services.url_keys import BadKey, parse_item_key

if TYPE_CHECKING:
    from ..definitions import Table
    from ..sites import AdminSite

__all__ = ["record_refused_write"]

#: the URL names of write views, and the audit action each one attempts
_ACTIONS = {"edit": "update", "delete": "delete", "resolve": "update", "add": "create",
            "set_ttl": "ttl", "action": "action", "undo": "undo"}


def record_refused_write(site: AdminSite, request: HttpRequest, kwargs: Mapping[str, Any],
                         message: str, *, outcome: str = AuditEntry.Outcome.DENIED) -> None:
    match = request.resolver_match
    action = _ACTIONS.get(match.url_name if match else "")
    if request.method != "POST" or action is None:
        return
    table, entity = _where(site, kwargs)
    if table is None:
        return
    audit.record_refusal(user=request.user, table=table, key=_key(table, request, kwargs),
                         action=action, entity=entity, outcome=outcome,
                         detail=f"{request.method} {request.path}: {message}"[:2000])


def _where(site: AdminSite, kwargs: Mapping[str, Any]) -> tuple[Table | None, str]:
    if "entity" in kwargs:
        entity = site.get_entity(str(kwargs["entity"]))
        return (entity._meta.table, entity._meta.label) if entity else (None, "")
    return site.get_table(str(kwargs.get("table", ""))), ""


def _key(table: Table, request: HttpRequest, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    if "entry_id" in kwargs:  # an undo: the key of the entry it would reverse
        entry = AuditEntry.objects.filter(pk=kwargs["entry_id"], table=table.name).first()
        try:
            return loads_dynamodb_json(entry.key) if entry is not None else {}
        except ValueError:
            return {}
    try:
        return parse_item_key(table, request.GET)
    except BadKey:
        pass
    try:
        original = unsign_item(request.POST.get("original", ""))
    except TamperedOriginal:
        return {}
    return table.key_of(original) if original else {}
