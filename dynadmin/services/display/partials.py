"""The partials a page includes again and again, written in Python.

A partition page, an entity's list and the lookups include the same few templates around
their rows: the pager (twice), a group's table with its headings, the form that runs an
action on the rows it selects; an item page includes a value's template for each of its
fields, and again for each entry of a map or list. Rendered by the template engine (an
include, a context push, a dozen variable lookups, URL reversals and translations each)
they cost a list page more CPU than its rows' markup. Each is written here too, as the
rows themselves are (``markup.py``), and used through ``{% include_written %}``
(``templatetags/dynadmin_written.py``) while the page's template engine finds dynadmin's
own copy of the template: a project that overrides one gets its override, rendered as any
include. A writer returns None for a context it was not written for (the template renders
it), and ``DYNADMIN_CHECK_REUSED`` (on in the test settings) renders the template beside it
and raises when the two differ, so every page test proves a writer writes its template.

The texts are translated with the templates' own message ids and escaped as the template
engine escapes them: a ``{% translate %}`` and a ``{{ value }}`` escaped, a
``{% blocktranslate %}``'s own text not, its values escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template import Context
from django.template.base import render_value_in_context
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..links import site_url
from ..own_templates import escape, is_own_template
from .markup import calls_html
from .rows import Group
from .values import Shown

__all__ = ["WRITERS", "include", "writer_for", "written"]

#: A writer: the partial's markup for ``context``, or None to let the template render it.
Writer = Callable[[Context], "str | None"]


def writer_for(template_name: str, engine: Any) -> Writer | None:
    """The writer of ``template_name``, unless ``engine`` finds an override of it."""
    writer = WRITERS.get(template_name)
    if writer is None or not is_own_template(template_name, engine):
        return None
    return writer


def written(context: Context, template_name: str) -> str | None:
    """``template_name`` in ``context`` as written here; None when it is not (a project's
    override, no writer, a context the writer declines): its template renders it."""
    writer = writer_for(template_name, context.template.engine)
    return writer(context) if writer is not None else None


def include(context: Context, template_name: str) -> str:
    """What ``{% include template_name %}`` renders in ``context``: written here when it
    can be, else its template."""
    text = written(context, template_name)
    if text is None:
        text = context.template.engine.get_template(template_name).render(context)
    return text


# -- the writers ----------------------------------------------------------------------------
def results(context: Context) -> str | None:
    """``partials/results.html``: one page of a list: what was read, the pagers, the rows by
    entity, the downloads and the code. What the including page says comes with it:
    ``show_key``, ``narrowed``, ``nothing``, ``nothing_matches`` (``partition_results.html``,
    ``entity_results.html``)."""
    page, query = context.get("page"), context.get("query")
    if page is None or query is None or not context.autoescape:
        return None
    restricted, show_key = context.get("restricted"), context.get("show_key")
    if restricted:
        summary = ngettext("%(counter)s item shown", "%(counter)s items shown",
                           context.get("shown")) % {"counter": _value(context, "shown")}
        if page.filtered:
            summary += f' <span class="muted">({escape(query.filter_description)})</span>'
    elif page.filtered:
        summary = (ngettext("Read %(counter)s item, %(matched)s matched",
                            "Read %(counter)s items, %(matched)s matched", page.read_count)
                   % {"counter": _shown(context, page.read_count),
                      "matched": _value(context, "shown")}
                   + f' <span class="muted">({escape(query.filter_description)})</span>')
    elif page.items:
        summary = escape(page.position)
    else:
        summary = escape(_("No items on this page."))
    pager_html = include(context, "dynadmin/partials/pager.html")
    parts = ['<div class="toolbar">\n  <p class="summary">\n    \n      ', summary,
             '\n    \n    <span class="muted">', _key_summary(query, show_key),
             "</span>\n  </p>\n  ", pager_html, "\n</div>\n",
             include(context, "dynadmin/partials/read_more.html"), "\n"]
    if query.hide_expired_at is not None:
        parts.append('<p class="muted">' + _(
            "Expired items are hidden by a filter on the page read: DynamoDB still reads "
            "(and bills) them, so a page can show fewer items than its size. Items whose "
            "%(attribute)s is not a Number stay shown: DynamoDB never expires them.") % {
            "attribute": _shown(context,
                                getattr(context.get("table"), "ttl_attribute", ""))} + "</p>")
    parts.append("\n")
    if restricted:
        parts.append('<p class="muted">' + escape(
            _("Items you may not view are left out of this list, and never counted.")) + "</p>")
    parts.append("\n")
    parts.append(_groups(context, page, show_key))
    parts += ['\n<div class="toolbar">\n  ', pager_html, "\n  ", _downloads(context),
              "\n</div>\n", _code(context), "\n"]
    return "".join(parts)


def _value(context: Context, name: str) -> str:
    """``{{ name }}``: the context's value, localized and escaped as the engine shows it."""
    return _shown(context, context.get(name, ""))


def _shown(context: Context, value: Any) -> str:
    """``value`` localized and escaped as the template engine shows it."""
    return str(render_value_in_context(value, context))


def _key_summary(query: Any, show_key: Any) -> str:
    """The index, partition, sort key condition and order a page read."""
    parts = []
    if show_key:
        parts.append(f"· {escape(query.index.label)} · {escape(query.index.pk)} = "
                     f'<span class="key">{escape(query.pk)}</span> ')
    sort = query.sort
    if query.sort_range:
        parts.append(f"· {escape(query.sort_range.describe())} ")
    elif show_key and sort:
        parts.append(f"· {escape(query.index.sk)} {escape(sort.op)} "
                     f'<span class="key">{escape(sort.value)}</span>')
        if sort.value2 is not None:
            parts.append(f' {escape(_("and"))} <span class="key">{escape(sort.value2)}</span>')
        parts.append(" ")
    if query.descending:
        parts.append(f"· {escape(_('newest first'))}")
    return "".join(parts)


def _groups(context: Context, page: Any, show_key: Any) -> str:
    """The rows by entity, a section each, or what an empty page says."""
    groups = context.get("groups") or []
    if not groups:
        if page.filtered:
            return "\n  \n"
        said = context.get("nothing_matches" if context.get("narrowed") else "nothing", "")
        return f'\n  <p class="empty">{escape(said)}</p>\n'
    parts = []
    for group in groups:
        label = escape(group.label)
        heading = (f'<h2>{label} <span class="badge muted">'
                   f"{_shown(context, len(group.rows))}</span></h2>"
                   if show_key else "")
        with context.push(group=group):
            rows = include(context, "dynadmin/partials/group_rows.html")
        parts.append(f'\n<section class="section" aria-label="{label}">\n  {heading}\n  '
                     f"{rows}\n</section>\n")
    return "".join(parts)


def _downloads(context: Context) -> str:
    urls = context.get("export_urls")
    if not urls:
        return ""
    return (f'<p class="actions">\n    {escape(_("Download this page:"))} '
            f'<a href="{escape(urls["json"])}" download>JSON</a> · '
            f'<a href="{escape(urls["csv"])}" download>CSV</a>\n  </p>')


def _code(context: Context) -> str:
    boto3_code = context.get("boto3_code")
    if not boto3_code:
        return ""
    copy = escape(_("Copy"))
    return ('<details class="code">\n'
            f'  <summary>{escape(_("Copy as code"))}</summary>\n'
            "  <h3>boto3</h3>\n"
            '  <div class="copy-row"><button type="button" class="button small" '
            f'data-copy-target="code-boto3">{copy}</button></div>\n'
            '  <pre class="json" id="code-boto3" tabindex="0" '
            f'aria-label="{escape(_("boto3 code"))}">{escape(boto3_code)}</pre>\n'
            "  <h3>AWS CLI</h3>\n"
            '  <div class="copy-row"><button type="button" class="button small" '
            f'data-copy-target="code-cli">{copy}</button></div>\n'
            '  <pre class="json" id="code-cli" tabindex="0" '
            f'aria-label="{escape(_("AWS CLI command"))}">{_value(context, "cli_code")}</pre>\n'
            "</details>")


def pager(context: Context) -> str | None:
    """``partials/pager.html``: Previous and Next, links (htmx swaps the results) or not."""
    page = context.get("page")
    if page is None or not hasattr(page, "prev_url") or not hasattr(page, "next_url"):
        return None
    return (f'<nav class="pager" aria-label="{escape(_("Pages"))}">\n'
            f"  {_page_link(page.prev_url, 'prev', _('← Previous'))}\n"
            f"  {_page_link(page.next_url, 'next', _('Next →'))}\n"
            "</nav>\n")


def _page_link(url: str | None, rel: str, label: str) -> str:
    if not url:
        return f'<span class="button" aria-disabled="true">{escape(label)}</span>'
    url = escape(str(url))
    return (f'<a class="button" rel="{rel}" href="{url}" hx-get="{url}" hx-target="#results" '
            f'hx-push-url="true">{escape(label)}</a>')


def rows_table(context: Context) -> str | None:
    """``partials/rows_table.html``: a group's table, its headings and its rows."""
    group = context.get("group")
    if not isinstance(group, Group):
        return None
    heads = [f'<th scope="col">{escape(_("Row"))}</th>' if group.actions else "",
             f'<th scope="col">{escape(_("Item"))}</th>']
    if group.shows_found_by:
        heads.append(f'<th scope="col">{escape(_("Found by"))}</th>')
    heads += [f'<th scope="col">{escape(str(column))}</th>' for column in group.columns]
    return (f'<div class="table-wrap" tabindex="0" role="region" '
            f'aria-label="{escape(_("Table (scrolls sideways)"))}">\n'
            '  <table class="data">\n'
            f"    <thead><tr>{''.join(heads)}</tr></thead>\n"
            "    <tbody>\n"
            f"    {group.rows_html}\n"
            "    </tbody>\n"
            "  </table>\n"
            "</div>\n")


def group_rows(context: Context) -> str | None:
    """``partials/group_rows.html``: a group's table and, when the person may run actions on
    its rows, the form around it that selects rows and runs one."""
    group, table, request = context.get("group"), context.get("table"), context.get("request")
    if not isinstance(group, Group) or table is None or request is None:
        return None
    table_html = include(context, "dynadmin/partials/rows_table.html")
    if not group.actions:
        return f"\n\n{table_html}\n\n"
    name = escape(group.entity_name)
    action_label = _("Action on the selected %(label)s rows") % {
        "label": escape(str(group.label).lower())}
    options = "".join(f'<option value="{escape(str(value))}">{escape(str(description))}</option>'
                      for value, description in group.actions)
    return (f'\n<form method="post" action="{escape(site_url("action", table=table.name))}" '
            f"data-selection-form>{_csrf_input(context)}"
            f'<input type="hidden" name="back" value="{escape(request.get_full_path())}">'
            f'<input type="hidden" name="selection" value="{escape(str(group.selection))}">\n'
            f"{table_html}\n"
            '\n<div class="actions">\n'
            f'  <label for="rows-{name}">{escape(_("Rows"))}</label>\n'
            f'  <input type="text" id="rows-{name}" name="rows" value="" size="12" '
            'autocomplete="off" spellcheck="false" '
            f'aria-describedby="rows-help-{name}" data-selection-rows>\n'
            f'  <span class="muted" id="rows-help-{name}">'
            f'{escape(_("their numbers as listed (1-20, 35), or all"))}</span>\n'
            f'  <label for="action-{name}">{action_label}</label>\n'
            f'  <select id="action-{name}" name="action" required><option value="" selected>'
            f'{escape(_("Choose an action"))}</option>{options}</select>\n'
            f'  <button type="submit" class="button">{escape(_("Run"))}</button>\n'
            "</div>\n"
            "</form>\n\n")


def value(context: Context) -> str | None:
    """``partials/value.html``: one value in full (the item page): a map or list as nested
    definition lists, each entry a value in full again, with the raw JSON one click away."""
    shown = context.get("value")
    if not isinstance(shown, Shown):
        return None
    if not shown.nested:
        exact = (f' <span class="muted exact" title="{escape(_("As stored"))}">'
                 f"({escape(shown.exact)})</span>" if shown.exact else "")
        return include(context, "dynadmin/partials/value_inline.html") + exact
    entries = []
    for label, child in shown.entries:
        css = f' class="{escape(child.css)}"' if child.css else ""
        with context.push(value=child):
            entries.append(f"<dt>{escape(label)}</dt><dd{css}>"
                           f'{include(context, "dynadmin/partials/value.html")}</dd>')
    raw = (f'<details class="raw-json"><summary>{escape(_("Raw JSON"))}</summary>'
           f'<pre class="json">{escape(shown.raw)}</pre></details>' if shown.raw else "")
    return f'<dl class="nested">{"".join(entries)}</dl>{raw}'


def value_inline(context: Context) -> str | None:
    """``partials/value_inline.html``: one value on one line (``markup.inline_html``)."""
    shown = context.get("value")
    return str(shown.inline_html) if isinstance(shown, Shown) else None


def item_keys(context: Context) -> str | None:
    """``partials/item_keys.html``: an item page's technical details (its keys, and the
    attribute and stored type of each field)."""
    item = context.get("item")
    if getattr(item, "key_rows", None) is None or not context.autoescape:
        return None
    keys = "".join(f'\n      <dt>{escape(row.label)} <span class="type">'
                   f'{escape(row.dynamo_type)}</span></dt><dd class="key">'
                   f"{escape(row.display)}</dd>\n    " for row in item.key_rows)
    stored = ""
    if item.stored_rows or item.extra_rows:
        each = ["".join(f'<dt>{escape(row.label)}</dt><dd><span class="key">'
                        f'{escape(row.attribute)}</span> <span class="type">'
                        f"{escape(row.dynamo_type)}</span></dd>" for row in rows)
                for rows in (item.stored_rows, item.extra_rows)]
        # a {% translate %} of a quoted text is not escaped (Django marks it safe)
        types = _("The attribute's name in DynamoDB and its type: S text, N number, B binary, "
                  "BOOL yes/no, NULL, SS/NS/BS sets, L list, M map.")
        stored = (f'\n  <h3>{escape(_("How each field is stored"))}</h3>\n'
                  f'  <p class="helptext">{types}</p>\n'
                  f'  <dl class="fields stored-types">\n    {each[0]}\n    {each[1]}\n'
                  "  </dl>\n  ")
    return ('<details class="section keys-block">\n'
            f'  <summary><span class="summary-title" id="keys-heading">'
            f'{escape(_("Technical details"))}</span> <span class="key muted">'
            f"{escape(item.primary_key_text)}</span></summary>\n"
            f'  <h3>{escape(_("Keys"))}</h3>\n  <dl class="fields">\n    {keys}\n'
            f"  </dl>\n  {stored}\n</details>")


def item_fields(context: Context) -> str | None:
    """``partials/item_fields.html``: an item page's fields, each value in full (a value
    that is another item's key links to it)."""
    item = context.get("item")
    if getattr(item, "field_rows", None) is None or not context.autoescape:
        return None
    if not item.field_rows:
        return ""
    invalid = escape(_("invalid"))
    rows = []
    for row in item.field_rows:
        if row.url:
            shown = f'<a href="{escape(row.url)}">{escape(row.display)}</a>'
        else:
            with context.push(value=row.value):
                shown = include(context, "dynadmin/partials/value.html")
        error = (f' <span class="badge bad" title="{escape(row.error)}">{invalid}</span> '
                 f'<span class="muted">{escape(row.error)}</span>' if row.error else "")
        rows.append(f"\n      <dt>{escape(row.label)}</dt>\n      <dd>{shown}{error}</dd>\n    ")
    return ('\n<section class="section" aria-labelledby="fields-heading">\n'
            f'  <h2 id="fields-heading">{escape(_("Fields"))}</h2>\n'
            f'  <dl class="fields">\n    {"".join(rows)}\n  </dl>\n</section>\n')


def cost(context: Context) -> str | None:
    """``includes/cost.html``: the DynamoDB calls the page made, in every page's footer
    (``markup.calls_html``), their details only to whoever sees every item."""
    if not context.autoescape:
        return None
    calls = context.get("dynamodb_calls")
    if calls:
        counter = len(calls)
        said = ngettext("This page made %(counter)s DynamoDB call:",
                        "This page made %(counter)s DynamoDB calls:", counter)
        said %= {"counter": render_value_in_context(counter, context)}
        details = bool(context.get("dynamodb_call_details"))
        return f'\n<p class="cost">{said}\n{calls_html(calls, details)}</p>\n\n'
    if calls is not None:
        return f'\n<p class="cost">{escape(_("This page made no DynamoDB calls."))}</p>\n\n'
    return "\n"


def _csrf_input(context: Context) -> str:
    """What ``{% csrf_token %}`` renders."""
    token = context.get("csrf_token")
    if not token or str(token) == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


#: the partials written here, by template name
WRITERS: dict[str, Writer] = {
    "dynadmin/partials/results.html": results,
    "dynadmin/partials/pager.html": pager,
    "dynadmin/partials/rows_table.html": rows_table,
    "dynadmin/partials/group_rows.html": group_rows,
    "dynadmin/partials/value.html": value,
    "dynadmin/partials/value_inline.html": value_inline,
    "dynadmin/includes/cost.html": cost,
    "dynadmin/partials/item_keys.html": item_keys,
    "dynadmin/partials/item_fields.html": item_fields,
}
