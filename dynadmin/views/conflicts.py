"""When a guarded write finds the item changed: the three-way page (nothing was written)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from ..definitions import Table
from ..editing import writes
from ..editing.originals import sign_item
from ..services.key_params import item_url
from ..services.names import item_name
from ..services.presentation import raw_text

if TYPE_CHECKING:
    from ..options import EntityAdmin
    from ..sites import AdminSite

__all__ = ["conflict_response", "saved_note"]

_MISSING = object()


def saved_note(result: writes.WriteResult) -> str:
    """Said after a success whose answer was lost and confirmed by reading the item back."""
    return (_(" (despite a hiccup: %(how)s)") % {"how": result.recovered}
            if result.recovered else "")


def conflict_response(request: HttpRequest, site: AdminSite, table: Table,
                      admin: EntityAdmin | None, conflict: writes.EditConflict
                      ) -> TemplateResponse:
    """Per attribute: what you read, what is there now, what you wanted. Nothing written."""
    rows: list[dict[str, Any]] = []
    original, theirs, mine = conflict.original, conflict.theirs or {}, conflict.mine or {}
    for name in conflict.attributes():
        values = [raw_text(v[name]) if name in v else "—" for v in (original, theirs, mine)]
        rows.append({
            "name": name, "original": values[0], "theirs": values[1], "mine": values[2],
            "they_changed": original.get(name, _MISSING) != theirs.get(name, _MISSING),
            "i_changed": conflict.mine is not None and
            original.get(name, _MISSING) != mine.get(name, _MISSING),
        })
    return TemplateResponse(request, site.template_names(
        "conflict.html", table, admin.entity if admin else None), {
        "table": table, "admin": admin, "rows": rows, "deleted": conflict.theirs is None,
        "deleting": conflict.mine is None,
        "original_token": sign_item(conflict.original),
        "theirs_token": sign_item(conflict.theirs),
        "mine_token": sign_item(conflict.mine),
        "item_link": item_url(table, conflict.theirs or conflict.original),
        "item_name": item_name(site, table, conflict.theirs or conflict.original),
    }, status=409)
