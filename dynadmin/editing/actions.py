"""Running an admin action over selected items: each item written with its own guard."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .. import data, limits
from ..data import call_log
from ..data.cursors import key_from_json, key_to_json
from ..data.serialization import dumps_dynamodb_json
from ..definitions import Entity, KeyTemplateError, Table
from ..definitions.fields import FieldError
from ..models import AuditEntry
from ..services.url_keys import item_url, key_text
from ..user_errors import UserInputError
from . import audit, writes
from .validation import ItemInvalid

if TYPE_CHECKING:
    from ..options import EntityAdmin

__all__ = ["ActionOutcome", "Selection", "changed_item", "chosen_rows", "fingerprint",
           "run_action"]

_SALT = "dynadmin.selection"


def fingerprint(table: Table, item: dict[str, Any], entity: type[Entity] | None = None
                ) -> str:
    """What "unchanged since the page was read" is checked against: the Version field when
    the entity has one (cheap), else a digest of the whole item. ``entity``: the item's, when
    the caller knows it already (else the item is classified)."""
    entity = entity or table.classify(item)
    version = entity._meta.version_field if entity else None
    if version is not None:
        return f"v:{item.get(version.attribute)}"
    text = dumps_dynamodb_json(item, indent=None)
    return "h:" + hashlib.sha256(text.encode()).hexdigest()[:32]


class Selection:
    """The rows of one list that an action may be run on, signed once for the whole page.

    The rows chosen travel as one text field, ``rows``: the rows' numbers as the page shows
    them (1-based), ranges (``1-20``) or ``all``. One field whatever the number chosen: a
    1,000-row page sent as one field per row would exceed Django's
    DATA_UPLOAD_MAX_NUMBER_FIELDS, and no HTML control sends a set of choices as one field,
    so the page's script writes the ticked rows into it and, without the script, the person
    types them."""

    @staticmethod
    def sign(table: Table, items: list[dict[str, Any]], entity: type[Entity] | None = None
             ) -> str:
        """The rows' keys and fingerprints, signed (``entity``: every item's, when known)."""
        rows = [[key_to_json(table.key_of(item)), fingerprint(table, item, entity)]
                for item in items]
        return signing.dumps(rows, salt=_SALT, compress=True)

    @staticmethod
    def unsign(token: str, chosen: str) -> list[tuple[dict[str, Any], str]]:
        """The (key, fingerprint) of each chosen row, in page order; ValueError with what to
        do when the selection was altered or names a row the page does not have."""
        try:
            rows = signing.loads(token, salt=_SALT)
            return [(key_from_json(rows[n][0]), rows[n][1])
                    for n in chosen_rows(chosen, len(rows))]
        except (signing.BadSignature, TypeError, IndexError, KeyError):
            raise ValueError("The selection was altered or has expired. Reload the page "
                             "and select the rows again.") from None


def chosen_rows(text: str, count: int) -> list[int]:
    """``"1-3, 7"`` → ``[0, 1, 2, 6]`` (indexes into the page's ``count`` rows); ``all`` is
    every row. ValueError naming what cannot be read."""
    picked: set[int] = set()
    for part in text.replace(",", " ").split():
        if part.lower() == "all":
            picked.update(range(count))
            continue
        low, dash, high = part.replace("–", "-").partition("-")
        try:
            first, last = int(low), int(high) if dash else int(low)
        except ValueError:
            raise ValueError(f"{part!r} is not a row number: type the rows' numbers as "
                             "the list shows them (1-20, 35), or all.") from None
        if not 1 <= first <= last <= count:
            raise ValueError(f"{part!r} is not a row of this list: its rows are numbered "
                             f"1 to {count}.")
        picked.update(range(first - 1, last))
    return sorted(picked)


def changed_item(entity: type[Entity], original: dict[str, Any], changes: Mapping[str, Any]
                 ) -> dict[str, Any]:
    """``original`` with the typed values ``changes`` asks for (an action's, a bulk job's).

    Only what differs is written: a value handed back as read keeps its stored spelling, and
    one its field cannot read is never rewritten. Raises FieldError or KeyTemplateError."""
    parsed = entity.parse_item(original)
    return entity.rebuild_item(original, {
        name: value for name, value in changes.items()
        if name in parsed.errors or parsed.values.get(name) != value}, parsed=parsed)


@dataclass
class ActionOutcome:
    key_text: str
    url: str
    status: str  # "done", "unchanged", "conflict", "invalid", "refused", "skipped"
    message: str = ""

    @property
    def badge(self) -> str:
        """The badge's look: written, left alone, or refused."""
        return {"done": "ok", "unchanged": "muted", "skipped": "muted"}.get(self.status, "bad")


def run_action(request: HttpRequest, table: Table, admin: EntityAdmin, name: str,
               selected: list[tuple[dict[str, Any], str]]) -> list[ActionOutcome]:
    """Read the selected items again (one BatchGetItem per 100), refuse those changed since
    the page was read, and write the others, each with the usual guard."""
    method = admin.get_actions(request)[name]
    # The action's permission, asked again of each item (the admin's per-item hook). A
    # permission of the host's own (``has_publish_permission(request)``) is not per item, as
    # in Django: get_actions() has asked it already.
    may = {"change": admin.has_change_permission,
           "delete": admin.has_delete_permission}.get(
        getattr(method, "permission", "change"), lambda request, item: True)
    current: dict[str, dict[str, Any]] = {}
    for start in range(0, len(selected), limits.BATCH_GET_KEYS):
        chunk = [key for key, _ in selected[start:start + limits.BATCH_GET_KEYS]]
        for item in data.batch_get(table, chunk, consistent=True):
            current[dumps_dynamodb_json(table.key_of(item), indent=None)] = item
    outcomes = []
    log = call_log.current_log()
    stalled = False
    for key, seen in selected:
        outcome = ActionOutcome(key_text=key_text(table, key), url=item_url(table, key),
                                status="done")
        outcomes.append(outcome)
        if stalled:
            # One item's write found DynamoDB not answering: the others would only wait too.
            # Each is still an attempt the person made, so each is audited.
            outcome.status = "not saved"
            outcome.message = "not tried: DynamoDB did not answer for an earlier item"
            audit.record(user=request.user, table=table, key=key, action="action",
                         condition="", before=None, after=None, entity=admin.opts.label,
                         outcome=AuditEntry.Outcome.NOT_APPLIED,
                         detail=f"Action {name!r} {outcome.message}: nothing was written.")
            continue
        if log is not None:
            log.renew()  # each item's write gets the page's budget, not a share of it
        original = current.get(dumps_dynamodb_json(key, indent=None))
        if original is None:
            outcome.status, outcome.message = "conflict", "deleted since the page was read"
            continue
        if fingerprint(table, original) != seen:
            outcome.status = "conflict"
            outcome.message = "changed by someone else since the page was read; not written"
            continue
        if table.classify(original) is not admin.entity:
            outcome.status, outcome.message = "skipped", "not this action's entity"
            continue
        if not (admin.has_view_permission(request, original)
                and may(request, original)):
            outcome.status, outcome.message = "refused", "you may not change this item"
            continue
        parsed = admin.entity.parse_item(original)
        changes = method(request, dict(parsed.values))
        if not changes:
            outcome.status, outcome.message = "unchanged", "the action left it as it was"
            continue
        try:
            new_item = changed_item(admin.entity, original, changes)
            admin.save_item(request, new_item, original=original, action="action")
        except writes.NothingChanged:
            outcome.status, outcome.message = "unchanged", "already as the action wants it"
        except writes.EditConflict:
            outcome.status = "conflict"
            outcome.message = "changed by someone else since the page was read; not written"
        except writes.WriteInterrupted as exc:
            outcome.status = "not saved" if exc.outcome == "not_applied" else "unknown"
            outcome.message = exc.title
            stalled = True
        except writes.KeyTaken:
            outcome.status, outcome.message = "conflict", "its new key is taken; not written"
        except (ItemInvalid, FieldError, KeyTemplateError) as exc:
            outcome.status, outcome.message = "invalid", str(exc)
        except (PermissionDenied, UserInputError) as exc:
            # The admin's save_item refused this item; the others are still tried.
            outcome.status = "refused"
            outcome.message = str(exc) or "refused; not written"
    return outcomes
