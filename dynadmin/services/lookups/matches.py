"""Matches of the global box, grouped by entity with the entity's columns: the same groups
and rows every list shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from ..display.names import parsed_name
from ..display.rows import Group, Row, cell
from ..display.values import Shown
from ..links import site_url
from ..url_keys import key_text

if TYPE_CHECKING:
    from .global_box import Match


def group_matches(matches: list[Match], request: HttpRequest | None = None) -> list[Group]:
    """Matches grouped by entity, with the entity's list_display columns; items the person
    may not view (the per-item permission, as browse applies it) are left out."""
    groups: dict[str, Group] = {}
    for match in matches:
        item = match.parsed.item
        if request is not None and not match.admin.has_view_permission(request, item):
            continue
        meta = match.admin.opts
        columns = [c for c in match.admin.get_list_display(request) if c in meta.fields]
        group = groups.get(meta.label)
        if group is None:
            group = groups[meta.label] = Group(
                label=meta.verbose_name, entity_name=meta.name,
                columns=[meta.fields[c].label for c in columns],
                entity_url=site_url("entity", entity=meta.label), shows_found_by=True)
        group.rows.append(Row(
            url=match.url, key_text=key_text(meta.table, item), item=item,
            name=parsed_name(match.admin.site, meta.table, match.parsed),
            found_by=match.lookup_label,
            cells=[cell(meta.fields[c], match.parsed.values[c], match.parsed.values)
                   if c in match.parsed.values else Shown(kind="empty") for c in columns]))
    return list(groups.values())
