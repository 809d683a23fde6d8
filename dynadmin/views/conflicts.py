"""When a guarded write finds the item changed: the three-way page (nothing was written)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ..data.serialization import loads_dynamodb_json
from ..definitions import Table
from ..editing import audit, writes
from ..editing.conflicts import BOTH, ONLY_MINE, ONLY_THEIRS, Difference, differences
from ..editing.guards import ABSENT
from ..editing.originals import sign_item, sign_names
from ..services.display.names import item_name
from ..services.display.rows import raw_text
from ..services.url_keys import item_url, key_text
from .errors import error_response

if TYPE_CHECKING:
    from ..options import EntityAdmin
    from ..sites import AdminSite

__all__ = ["CHOICE_FIELD", "conflict_response", "saved_note"]

#: the radio group of the n-th field both people changed: "theirs" (checked) or "mine"
CHOICE_FIELD = "choice-%d"


def saved_note(result: writes.WriteResult) -> str:
    """Said after a success whose answer was lost and confirmed by reading the item back."""
    return (_(" (despite a hiccup: %(how)s)") % {"how": result.recovered}
            if result.recovered else "")


def _text(value: Any) -> str:
    return "—" if value is ABSENT else raw_text(value)


def _row(difference: Difference, number: int | None = None) -> dict[str, Any]:
    return {"label": difference.label, "attribute": difference.attribute,
            "original": _text(difference.original), "theirs": _text(difference.theirs),
            "mine": _text(difference.mine),
            "choice_name": CHOICE_FIELD % number if number is not None else "",
            "choice_id": f"choice-{number}" if number is not None else ""}


def changed_by(table: Table, original: dict[str, Any], theirs: dict[str, Any] | None
               ) -> dict[str, Any]:
    """Who made the change the person ran into, from the audit log where dynadmin made it:
    the latest applied entry at the key, if it left the item as it is now."""
    entry = audit.last_change(table, table.key_of(original))
    if entry is not None:
        after = loads_dynamodb_json(entry.after) if entry.after else None
        if after == theirs:
            return {"who": entry.username, "when": entry.created_at,
                    "action": entry.get_action_display()}
    return {"who": "", "when": None, "action": ""}


def conflict_response(request: HttpRequest, site: AdminSite, table: Table,
                      admin: EntityAdmin | None, conflict: writes.EditConflict
                      ) -> TemplateResponse:
    """The fields that differ, by label: what only I changed (applied on top of theirs), what
    we both changed (a choice per field, theirs kept unless I choose mine) and what only
    they changed (kept). Nothing has been written."""
    if conflict.theirs is not None and not site.may_view_change(
            request, table, table.key_of(conflict.original), (conflict.theirs,)):
        # The item became something this person may not view (another entity): its values
        # stay hidden, as its own page would hide them.
        return error_response(request, 409, _("The item changed meanwhile"), _(
            "Someone else changed this item since you read it, into an item you may not "
            "view. Nothing was written."))
    found = differences(table, conflict.original, conflict.theirs, conflict.mine)
    both = [d for d in found if d.changed_by == BOTH]
    return TemplateResponse(request, site.template_names(
        "conflict.html", table, admin.entity if admin else None), {
        "table": table, "admin": admin,
        "item_key": key_text(table, conflict.original),
        "changed_by": changed_by(table, conflict.original, conflict.theirs),
        "only_mine": [_row(d) for d in found if d.changed_by == ONLY_MINE],
        "both": [_row(d, n) for n, d in enumerate(both)],
        "only_theirs": [_row(d) for d in found if d.changed_by == ONLY_THEIRS],
        "deleted": conflict.theirs is None, "deleting": conflict.mine is None,
        "original_token": sign_item(conflict.original),
        "theirs_token": sign_item(conflict.theirs),
        "mine_token": sign_item(conflict.mine),
        "choices_token": sign_names([d.attribute for d in both]),
        "item_link": item_url(table, conflict.theirs or conflict.original),
        "item_name": item_name(site, table, conflict.theirs or conflict.original),
    }, status=409)
