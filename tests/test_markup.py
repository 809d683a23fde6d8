"""The rows every list repeats, written in Python (services/markup.py): each cell carries its
column's label, which a phone shows beside the value once the row is a card."""

from __future__ import annotations

import itertools
import re

import pytest
from django.template import engines
from django.utils import translation

from dynadmin.data.call_log import Call
from dynadmin.services.display.markup import calls_html, rows_html
from dynadmin.services.display.rows import Group, Row
from dynadmin.services.display.values import Shown


def _group(**options) -> Group:
    row = Row(url="/t/App/item/?pk=ORDER%231", key_text="ORDER#1 / LINE#2", item={},
              name="2 × Kettle", selection_number="0",
              cells=[Shown(text="2", kind="number"), Shown(text="19.99", kind="number")])
    return Group(label="Line item", entity_name="LineItem",
                 columns=['Quantity', 'Unit price <"net">'], rows=[row], **options)


def test_each_cell_carries_its_columns_label_escaped_and_the_name_none():
    html = rows_html(_group())
    cells = re.findall(r"<td([^>]*)>", html)
    assert cells == [' class="item-name row-name"',
                     ' data-label="Quantity" class="num"',
                     ' data-label="Unit price &lt;&quot;net&quot;&gt;" class="num"']


def test_the_select_box_and_the_found_by_column_are_labelled_for_a_card():
    html = rows_html(_group(actions=[("ship", "Mark shipped")], shows_found_by=True))
    cells = re.findall(r"<td([^>]*)>", html)
    assert cells[:3] == [' class="row-select"', ' class="item-name row-name"',
                         ' data-label="Found by"']
    assert 'aria-label="Select 2 × Kettle"' in html


#: the footer's calls as the template engine wrote them, the reference for ``calls_html``
_CALL_TEMPLATE = (
    '{% load i18n %}{% for call in calls %}<span class="call"><span class="op">'
    "{{ call.operation }}</span>{% if call.table %} {{ call.table }}{% if call.index %}/"
    "{{ call.index }}{% endif %}{% endif %} ({{ call.latency_ms|floatformat:1 }} ms"
    "{% if details %}{% if call.consumed_rcu is not None %}, "
    '{{ call.consumed_rcu|floatformat:"-1" }} RCU{% endif %}'
    "{% if call.consumed_wcu is not None %}, "
    '{{ call.consumed_wcu|floatformat:"-1" }} WCU{% endif %}'
    "{% if call.count is not None %}, {% blocktranslate trimmed count counter=call.count %}"
    "{{ counter }} item{% plural %}{{ counter }} items{% endblocktranslate %}{% endif %}"
    "{% endif %})</span>{% if not forloop.last %} · {% endif %}{% endfor %}")


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_footers_calls_read_as_the_template_engine_wrote_them(language) -> None:
    """Every page's footer lists its calls; written in Python, each reads as before:
    rounded half up, in the locale's spelling, a whole capacity without decimals, the
    item count in the plural it needs, every name escaped."""
    reference = engines["django"].from_string(_CALL_TEMPLATE)
    values = [0.0, 0.04, 0.05, 0.25, 1.0, 1.35, 2.45, 12.3456, 98765.45, 1e-7]
    with translation.override(language):
        for latency, rcu, wcu, count, table, index, details in itertools.product(
                values, [None, *values], [None, 0.5, 1.0], [None, 0, 1, 1234],
                ["shop", "", "a<b&c"], [None, "GSI1"], [True, False]):
            calls = [Call(operation="Query", table=table, index=index, latency_ms=latency,
                          consumed_rcu=rcu, consumed_wcu=wcu, count=count),
                     Call(operation="GetItem", table="t", latency_ms=1.25)]
            assert calls_html(calls, details) == reference.render(
                {"calls": calls, "details": details})
    with translation.override("de"):
        assert "(1234,6 ms" in calls_html([Call("Query", "t", latency_ms=1234.56)], False)
