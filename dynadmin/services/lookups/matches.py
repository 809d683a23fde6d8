"""Matches of the global box, grouped by entity with the entity's columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import HttpRequest

from ..key_params import key_text
from ..presentation import cell_text

if TYPE_CHECKING:
    from .box import Match
    pass

# -- presenting matches ---------------------------------------------------------------------
@dataclass
class MatchRow:
    url: str
    key_text: str
    found_by: str
    cells: list[str]


@dataclass
class MatchGroup:
    label: str
    entity_label: str
    columns: list[str]
    rows: list[MatchRow] = field(default_factory=list)


def group_matches(matches: list[Match], request: HttpRequest | None = None
                  ) -> list[MatchGroup]:
    """Matches grouped by entity, with the entity's list_display columns; items the person
    may not view (the per-item permission, as browse applies it) are left out."""
    groups: dict[str, MatchGroup] = {}
    for match in matches:
        if request is not None and not match.admin.has_view_permission(
                request, match.parsed.item):
            continue
        meta = match.admin.opts
        columns = match.admin.get_list_display(request)
        group = groups.get(meta.label)
        if group is None:
            group = groups[meta.label] = MatchGroup(
                label=meta.verbose_name, entity_label=meta.label,
                columns=[meta.fields[c].label for c in columns if c in meta.fields])
        item = match.parsed.item
        group.rows.append(MatchRow(
            url=match.url, found_by=match.lookup_label,
            key_text=key_text(meta.table, item),
            cells=[cell_text(meta.fields[c], match.parsed.values[c])
                   if c in match.parsed.values else "—"
                   for c in columns if c in meta.fields]))
    return list(groups.values())
