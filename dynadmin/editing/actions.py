"""Running an admin action over selected items: each item written with its own guard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from ..definitions import KeyTemplateError, Table
from ..definitions.fields import FieldError
from ..options import EntityAdmin
from ..services.keys import item_url
from ..services.presentation import raw_text
from . import writes
from .validation import ItemInvalid

__all__ = ["ActionOutcome", "run_action"]


@dataclass
class ActionOutcome:
    key_text: str
    url: str
    status: str  # "done", "unchanged", "conflict", "invalid", "skipped"
    message: str = ""


def run_action(request: HttpRequest, table: Table, admin: EntityAdmin, name: str,
               originals: list[dict[str, Any]]) -> list[ActionOutcome]:
    method = admin.get_actions(request)[name]
    outcomes = []
    for original in originals:
        key_text = " / ".join(raw_text(original[a]) for a in table.primary.attributes)
        outcome = ActionOutcome(key_text=key_text, url=item_url(table, original), status="done")
        outcomes.append(outcome)
        if table.classify(original) is not admin.entity:
            outcome.status, outcome.message = "skipped", "not this action's entity"
            continue
        parsed = admin.entity.parse_item(original)
        changes = method(request, dict(parsed.values))
        if not changes:
            outcome.status, outcome.message = "unchanged", "the action left it as it was"
            continue
        try:
            new_item = admin.entity.build_item(parsed.values | changes)
            new_item.update({k: v for k, v in parsed.extra.items() if k not in new_item})
            writes.save(table, original, new_item, user=request.user,
                        entity_label=admin.opts.label, action="action")
        except writes.NothingChanged:
            outcome.status, outcome.message = "unchanged", "already as the action wants it"
        except writes.EditConflict:
            outcome.status = "conflict"
            outcome.message = "changed by someone else since the page was read; not written"
        except writes.WriteInterrupted as exc:
            outcome.status = "not saved" if exc.outcome == "not_applied" else "unknown"
            outcome.message = exc.title
        except writes.KeyTaken:
            outcome.status, outcome.message = "conflict", "its new key is taken; not written"
        except (ItemInvalid, FieldError, KeyTemplateError) as exc:
            outcome.status, outcome.message = "invalid", str(exc)
    return outcomes
