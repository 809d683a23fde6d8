"""The audit log: one entry per write tried, with the condition used, the outcome and a
diff of what the person wrote (never what someone else changed meanwhile)."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError

from ..data import call_log
from ..data.serialization import dumps_dynamodb_json, dumps_plain_json
from ..definitions import Table
from ..models import UNCLASSIFIED, AuditEntry
from ..services import url_keys
from ..services.changes.audit_entries import visible_page

__all__ = ["collecting", "diff", "history", "key_text", "last_change", "other_entity",
           "record", "record_refusal", "save_collected", "under_job"]

logger = logging.getLogger("dynadmin.audit")

#: the bulk job whose writes are being made (its id), so that each of its items' entries is
#: filed under it whichever hook (an admin's save_item, an action) made the write
_job: contextvars.ContextVar[int | None] = contextvars.ContextVar("dynadmin_audit_job",
                                                                   default=None)


@contextmanager
def under_job(job_id: int) -> Iterator[None]:
    """Every entry recorded inside the block belongs to the job ``job_id``."""
    token = _job.set(job_id)
    try:
        yield
    finally:
        _job.reset(token)


#: the entries recorded inside a ``collecting`` block, made but not saved yet
_collected: contextvars.ContextVar[list[AuditEntry] | None] = contextvars.ContextVar(
    "dynadmin_audit_collected", default=None)


@contextmanager
def collecting() -> Iterator[list[AuditEntry]]:
    """Entries recorded inside the block are made but not saved: the caller saves them
    (``save_collected``), all at once. A bulk job saves a page's entries with its items'
    outcomes in one transaction, rather than one commit per write; only writes that can be
    told apart without their entry (a worker killed before saving them) may be recorded
    so (see ``jobs.chunks``)."""
    entries: list[AuditEntry] = []
    token = _collected.set(entries)
    try:
        yield entries
    finally:
        _collected.reset(token)


def save_collected(entries: list[AuditEntry]) -> None:
    """Save what a ``collecting`` block made, in one INSERT (inside the caller's
    transaction). DatabaseError when Django's database refuses them: the caller logs them
    (``log_unsaved``) once it knows they are lost."""
    if entries:
        AuditEntry.objects.bulk_create(entries)


def log_unsaved(entries: list[AuditEntry]) -> None:
    """Entries Django's database refused after their writes were made: logged loudly, with
    everything needed to make them again, as ``record`` logs one."""
    for entry in entries:
        logger.error("audit entry NOT recorded: %s %s %s key=%s condition=%s after=%s",
                     entry.action, entry.table, entry.entity, entry.key, entry.condition,
                     entry.after)


def key_text(table: Table, key: Mapping[str, Any]) -> str:
    """``USER#123 / ORDER#2024-01-15#456``: how an item's history is found again."""
    return url_keys.key_text(table, key)[:1024]


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """Per changed attribute, its value before and after as exact plain JSON (None = absent)."""
    before, after = before or {}, after or {}
    changes = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if (name in before) != (name in after) or old != new:
            changes[name] = {
                "before": dumps_plain_json(old, indent=None) if name in before else None,
                "after": dumps_plain_json(new, indent=None) if name in after else None,
            }
    return changes


def _consumed_wcu() -> float | None:
    log = call_log.current_log()
    if log is None or not log.calls:
        return None
    return log.calls[-1].consumed_wcu


def record(*, user: Any, table: Table, key: Mapping[str, Any], action: str, condition: str,
           before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
           entity: str = "", outcome: str = AuditEntry.Outcome.APPLIED,
           detail: str = "", written: Mapping[str, Any] | None = None) -> AuditEntry | None:
    """Record a write. Returns None when Django's database refused the entry: the write to
    DynamoDB has already happened, so that must not turn into an error page; it is logged
    loudly instead, with everything needed to reconstruct the entry.

    ``written`` is the item the person meant to write: the diff is taken against it, so an
    attribute another writer changed meanwhile (and the guard allowed) is not listed under
    this person's name; ``after`` is the item as it is afterwards."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    changes = diff(before, written if written is not None else after)
    try:
        return _create(user, authenticated, table, key, action, condition, before, after,
                       entity, outcome, detail, changes)
    except DatabaseError:
        logger.exception("audit entry NOT recorded: %s %s %s key=%s condition=%s after=%s",
                         action, table.name, entity, dumps_dynamodb_json(dict(key), indent=None),
                         condition, dumps_dynamodb_json(dict(after), indent=None)
                         if after is not None else "")
        return None


def other_entity(table: Table, entity: str, key: Mapping[str, Any],
                 *images: Mapping[str, Any] | None) -> str:
    """Which other entity than ``entity`` an entry is about: that of its key (where the key
    names one) or of an image. Several others, or an unclassified image: UNCLASSIFIED, which
    only superusers see."""
    others = set()
    by_key = table.classify(key) if key else None
    if by_key is not None:
        others.add(by_key._meta.label)
    for image in images:
        # Only an item is classified: every write passes whole items, never a part of one.
        if image and all(name in image for name in table.primary.attributes):
            found = table.classify(image)
            others.add(found._meta.label if found is not None else UNCLASSIFIED)
    others.discard(entity)
    if not others:
        return ""
    return others.pop() if len(others) == 1 else UNCLASSIFIED


def _create(user: Any, authenticated: bool, table: Table, key: Mapping[str, Any],
            action: str, condition: str, before: Mapping[str, Any] | None,
            after: Mapping[str, Any] | None, entity: str, outcome: str,
            detail: str, changes: dict[str, Any]) -> AuditEntry:
    entry = AuditEntry(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "(system)",
        table=table.name, table_name=table.table_name, entity=entity,
        key=dumps_dynamodb_json(dict(key), indent=None), key_text=key_text(table, key),
        action=action, outcome=outcome, condition=condition,
        before=dumps_dynamodb_json(dict(before), indent=None) if before is not None else "",
        after=dumps_dynamodb_json(dict(after), indent=None) if after is not None else "",
        diff=changes, consumed_wcu=_consumed_wcu(), detail=detail,
        other_entity=other_entity(table, entity, key, before, after), job_id=_job.get(),
    )
    collected = _collected.get()
    if collected is None:
        entry.save(force_insert=True)
    else:
        collected.append(entry)
    return entry


def record_refusal(*, user: Any, table: Table, key: Mapping[str, Any], action: str,
                   detail: str, entity: str = "",
                   outcome: str = AuditEntry.Outcome.DENIED) -> AuditEntry | None:
    """A write refused before it was sent (no permission, or DynamoDB failed a call it
    needed first): who, where and what they tried."""
    return record(user=user, table=table, key=key, action=action, condition="", before=None,
                  after=None, entity=entity, outcome=outcome, detail=detail)


def history(table: Table, key: Mapping[str, Any], limit: int = 50,
            entities: Collection[str] | None = None,
            may_see: Callable[[AuditEntry], bool] | None = None, *,
            since: dt.datetime | None = None, until: dt.datetime | None = None
            ) -> list[AuditEntry]:
    """The key's ``limit`` newest entries (made after ``since`` and until ``until``, when
    given); only those a person who may view ``entities`` (labels) may see, when given, and
    that ``may_see`` keeps (filtered before the limit is applied, see ``visible_page``)."""
    text = key_text(table, key)
    entries = AuditEntry.objects.filter(table=table.name, key_text=text).visible_to(entities)
    if since is not None:
        entries = entries.filter(created_at__gt=since)
    if until is not None:
        entries = entries.filter(created_at__lte=until)
    # Entries carry the username they were made by: the user row is never read.
    if may_see is None:
        return list(entries[:limit])
    return visible_page(entries, may_see, size=limit).entries


def last_change(table: Table, key: Mapping[str, Any]) -> AuditEntry | None:
    """The latest write dynadmin applied at this key: who changed the item last, and when
    (None when the change was made outside dynadmin)."""
    return (AuditEntry.objects.filter(table=table.name, key_text=key_text(table, key),
                                      outcome=AuditEntry.Outcome.APPLIED).first())
