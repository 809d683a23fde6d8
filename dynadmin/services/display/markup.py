"""The markup of the partials every list repeats per row and per cell, written in Python.

A list page shows up to a thousand rows of a handful of cells each. Rendered by Django's
template engine, one include per cell and a dozen lookups per row, they cost more CPU than
the Query that read them; written here, a row is one format string. Django's own admin does
the same for its change list (``admin_list.items_for_result`` builds each cell with
``format_html``). The table around the rows (``partials/rows_table.html``) stays a template
a project can override; the texts are translated with the same message ids the templates
used.

Every text is escaped here, once (``html.escape``, what ``django.utils.html.escape`` calls).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ...data.call_log import Call
    from ..changes.diffs import AttributeChange
    from ..changes.item_changes import HistoryRow
    from ..ttl import TTLState
    from .rows import Group, Row
    from .values import Shown

__all__ = ["calls_html", "change_row_html", "diff_html", "inline_html", "rows_html",
           "ttl_badge_html"]


def inline_html(value: Shown) -> SafeString:
    """One value on one line (a table cell, a diff): a badge, a muted dash, or its text,
    linked when it leads to a related item."""
    return mark_safe(_inline(value))  # noqa: S308 - every text in it is escaped


def _inline(value: Shown) -> str:
    text = escape(value.text)
    if value.kind == "badge":
        text = f'<span class="badge {escape(value.badge)}">{text}</span>'
    elif value.kind == "empty":
        text = f'<span class="muted">{text}</span>'
    if value.url:
        return f'<a href="{escape(value.url)}">{text}</a>'
    return text


def diff_html(attributes: Sequence[AttributeChange]) -> SafeString:
    """One change, attribute by attribute (an item's History, the table's Activity): each
    attribute's label, then its value before → after, typed ("—" where it was absent)."""
    if not attributes:
        return mark_safe(  # noqa: S308 - the text is escaped
            f'<span class="muted">{escape(_("No attribute changed."))}</span>')
    parts = ['<dl class="fields diff">']
    for attribute in attributes:
        before = _inline(attribute.before) if attribute.before is not None else "—"
        after = _inline(attribute.after) if attribute.after is not None else "—"
        parts.append(f"<dt>{escape(str(attribute.label))}</dt>"
                     f'<dd data-change="{escape(attribute.kind)}">{before} → {after}</dd>')
    parts.append("</dl>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped


def change_row_html(row: HistoryRow, csrf_input: str) -> SafeString:
    """One archived change of an item's History as its ``<tr>``: when, who (and the job that
    made it), what, the change attribute by attribute with what the audit entry adds, and
    Undo where this person may (``csrf_input``: the form's hidden token, already markup).
    The History of one item shows a handful; its page, fifty."""
    change, entry = row.change, row.entry
    assert change is not None
    who, what, changes = escape(_("Who")), escape(_("What")), escape(_("Changes"))
    by_job = ""
    if entry is not None and getattr(entry, "job_url", ""):
        by_job = (f' <a class="muted" href="{escape(entry.job_url)}" '
                  f'data-by-job="{escape(str(entry.job_id))}">'
                  f'{escape(_("by job #%(id)s") % {"id": entry.job_id})}</a>')
    action = (f' <span class="muted">· {escape(str(entry.get_action_display()))}</span>'
              if entry is not None else "")
    extra = f'<p class="muted">{escape(change.incomplete)}</p>' if change.incomplete else ""
    undo = ""
    if entry is not None:
        if entry.condition:
            extra += (f'<details class="technical"><summary>{escape(_("Technical details"))}'
                      f'</summary><p class="muted mono">{escape(_("Condition:"))} '
                      f"{escape(entry.condition)}</p></details>")
        undone = getattr(getattr(entry, "changes", None), "undone", "")
        if undone:
            extra += f'<p class="muted">{escape(str(undone))}</p>'
        if getattr(entry, "undo_url", ""):
            undo = (f'<form method="post" action="{escape(entry.undo_url)}">{csrf_input}'
                    f'<button type="submit" class="button small">{escape(_("Undo"))}</button>'
                    "</form>")
    return mark_safe(  # noqa: S308 - every text in it is escaped
        f'<tr data-event="{escape(change.event)}" data-origin="{escape(change.origin)}">'
        f'<td class="nowrap row-name">{escape(str(row.when_text))}</td>'
        f'<td data-label="{who}"><span class="badge {escape(change.origin_badge)}">'
        f"{escape(str(change.origin_label))}</span>{by_job}</td>"
        f'<td data-label="{what}"><span class="mono">{escape(change.event)}</span> '
        f'<span class="muted">{escape(str(change.event_label))}</span>{action}</td>'
        f'<td data-label="{changes}">{change.diff_html}{extra}</td>'
        f"<td>{undo}</td></tr>")


def ttl_badge_html(state: TTLState) -> str:
    """A TTL state as a badge: the label, the explanation as its title and for screen
    readers."""
    explanation = escape(state.explanation)
    label = escape(_("TTL: %(label)s") % {"label": state.label})
    return (f'<span class="badge {escape(state.badge)}" title="{explanation}" '
            f'data-ttl="{escape(state.kind)}">{label}<span class="visually-hidden">. '
            f"{explanation}</span></span>")


def rows_html(group: Group) -> SafeString:
    """The ``<tr>`` of every row of ``group``: the item's name linking to it with its key in
    a muted line below and a TTL badge when it deserves one, a select box when actions are
    offered, the "found by" column of the global box, then the typed cells.

    Each cell but the name carries its column's heading (``data-label``): on a phone the
    stylesheet turns a row into a card, the name on top and every cell as "label: value",
    where a table's headings would scroll away from the cells they name."""
    select = _("Select %(key)s") if group.actions else ""
    found_by = escape(_("Found by")) if group.shows_found_by else ""
    labels = [escape(column) for column in group.columns]
    return mark_safe("".join(  # noqa: S308 - every text in it is escaped
        _row_html(row, select, found_by, labels) for row in group.rows))


def _row_html(row: Row, select: str, found_by: str, labels: list[str]) -> str:
    parts = ["<tr>"]
    name = row.name or row.key_text
    if select:
        label = escape(select % {"key": name})
        # Not a form field: the page's script writes the ticked rows into the one ``rows``
        # field, and shows the box; without the script the number is typed there.
        number = escape(row.selection_number)
        parts.append(f'<td class="row-select"><label><input type="checkbox" data-row="{number}" '
                     f'aria-label="{label}" hidden> <span class="row-number">{number}</span>'
                     '</label></td>')
    parts.append(f'<td class="item-name row-name"><a href="{escape(row.url)}">{escape(name)}</a>')
    if row.ttl:
        parts.append(" " + ttl_badge_html(row.ttl))
    if row.name and row.name != row.key_text:
        parts.append(f'<span class="key-line key">{escape(row.key_text)}</span>')
    parts.append("</td>")
    if found_by:
        parts.append(f'<td data-label="{found_by}">{escape(row.found_by)}</td>')
    for cell, label in zip(row.cells, labels, strict=True):
        css = ' class="num"' if cell.kind == "number" else ""
        title = f' title="{escape(cell.exact)}"' if cell.exact else ""
        parts.append(f'<td data-label="{label}"{css}{title}>{_inline(cell)}</td>')
    parts.append("</tr>")
    return "".join(parts)


def calls_html(calls: Sequence[Call], details: bool) -> SafeString:
    """The DynamoDB calls a page made, as its footer lists them (``includes/cost.html``):
    each call's operation, table and index, latency and, to whoever may see them
    (``details``), its capacity and item count. Every page shows them: a few calls cost the
    template engine 0.1 ms each (``floatformat``, a plural), a format string a hundredth."""
    return mark_safe(" · ".join(  # noqa: S308 - every text in it is escaped
        _call_html(call, details) for call in calls))


def _call_html(call: Call, details: bool) -> str:
    where = ""
    if call.table:
        where = f" {escape(call.table)}" + (f"/{escape(call.index)}" if call.index else "")
    parts = [f"{_places(call.latency_ms, 1)} ms"]
    if details:
        if call.consumed_rcu is not None:
            parts.append(f"{_places(call.consumed_rcu, 1, trim=True)} RCU")
        if call.consumed_wcu is not None:
            parts.append(f"{_places(call.consumed_wcu, 1, trim=True)} WCU")
        if call.count is not None:
            parts.append(escape(ngettext("%(counter)s item", "%(counter)s items",
                                         call.count) % {"counter": call.count}))
    return (f'<span class="call"><span class="op">{escape(call.operation)}</span>{where} '
            f'({", ".join(parts)})</span>')


def _places(value: float, places: int, *, trim: bool = False) -> str:
    """``value`` rounded half up to ``places`` decimals in the active locale's spelling, as
    ``floatformat:places`` writes it (``trim``: as ``floatformat:"-places"``, a whole
    number without them)."""
    number = Decimal(repr(float(value)))
    if trim and number == number.to_integral_value():
        return escape(number_format(int(number), 0))
    return escape(number_format(number.quantize(Decimal(1).scaleb(-places),
                                                rounding=ROUND_HALF_UP), places))
