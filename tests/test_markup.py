"""The rows every list repeats, written in Python (services/markup.py): each cell carries its
column's label, which a phone shows beside the value once the row is a card."""

from __future__ import annotations

import re

from dynadmin.services.display.markup import rows_html
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
