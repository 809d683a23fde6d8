"""Journeys in Chromium through every kind of table a support person reads, at a phone's
390×844 and a desktop's 1440×900. On a phone a row is a card: its name first, then each
cell beside its column's label, with nothing scrolled or clipped out of view. On a desktop
the tables stay tables. At every width, a change's fields and values keep their words whole."""

from __future__ import annotations

import re

import pytest

from dynadmin.history.consumer import follow_once
from examples.shop.definitions import shop
from tests.support.browser import ROOT, item_url_of_known_order, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
TABLET = {"width": 768, "height": 1024}  # still tables, with less room than a desktop's
SCREENSHOTS = ROOT / "docs" / "screenshots"

# Where a column's cell of a table's first body row is, and whether anything hides it: the
# window's edge, or an ancestor that clips or scrolls its overflow. The column is found by
# its heading, which stays in the markup (for screen readers) when a phone hides it.
CELL = """(table, [header, row]) => {
  const headings = [...table.tHead.rows[0].cells].map(c => c.textContent.trim());
  const column = headings.indexOf(header);
  if (column < 0) return {missing: headings};
  const tr = table.tBodies[0].rows[row];
  const cell = tr.cells[column];
  const box = cell.getBoundingClientRect();
  let clippedBy = null;
  for (let a = cell.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX === "visible") continue;
    const r = a.getBoundingClientRect();
    if (box.left < r.left - 0.5 || box.right > r.right + 0.5) {
      clippedBy = a.tagName.toLowerCase() + "." + a.className;
      break;
    }
  }
  const name = tr.querySelector(".row-name, th[scope=row]") || tr.cells[0];
  const shown = [...tr.cells].filter(c => c.getBoundingClientRect().height > 0);
  return {
    left: box.left, right: box.right, width: box.width, window: window.innerWidth,
    scrolledTo: window.scrollX, clippedBy,
    spills: cell.scrollWidth > cell.clientWidth + 1,
    label: getComputedStyle(cell, "::before").content, text: cell.innerText,
    isName: cell === name,
    nameFirst: shown.every(c => name.getBoundingClientRect().top <= c.getBoundingClientRect().top),
    table: getComputedStyle(table).display,
    headingShown: table.tHead.rows[0].cells[column].getBoundingClientRect().width > 1,
  };
}"""


def new_page(browser, size):
    tab = browser.new_context(viewport=SIZES.get(size, TABLET)).new_page()
    tab.set_default_timeout(15_000)
    return tab


def check_columns(table, size: str, first: str, *named: str, row: int = 0) -> None:
    """On a phone: the first column and each named one are in view, each labelled with its
    heading, the row's name on top. On a desktop: a table with its headings."""
    table.wait_for()
    for header in (first, *named):
        cell = table.evaluate(CELL, [header, row])
        assert "missing" not in cell, f"no column {header!r} in {cell}"
        where = f"{header!r} of {cell}"
        assert cell["width"] > 0, where
        if size == "phone":
            assert 0 <= cell["left"] and cell["right"] <= cell["window"], where
            assert cell["scrolledTo"] == 0 and cell["clippedBy"] is None, where
            assert not cell["spills"], where
            assert cell["nameFirst"], where
            if not cell["isName"]:  # labelled, or a button that says what it does
                assert cell["label"] == f'"{header}"' or header in cell["text"], where
        else:
            assert cell["table"] == "table" and cell["headingShown"], where
            assert cell["label"] in ("none", "normal"), where
    page = table.page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def change_status(page, site: str) -> str:
    """Edit Order 456's status: an audit entry with an Undo, and a change in the stream,
    archived (as the consumer beside the server does), shown on the item's page."""
    page.goto(item_url_of_known_order(site).replace("/item/?", "/item/edit/?"))
    status = page.get_by_label("Status")
    new = next(s for s in ("SHIPPED", "CANCELLED", "PAID") if s != status.input_value())
    status.select_option(new)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved.").wait_for()
    follow_once(shop)
    page.reload()
    return new


@pytest.mark.parametrize("size", SIZES)
def test_an_orders_tables_show_what_matters(browser, site, size, archive_table):
    page = new_page(browser, size)
    log_in(page, site)
    change_status(page, site)
    lines = page.locator("section[aria-label='Line items'] table")
    check_columns(lines, size, "Item", "Quantity", "Unit price")
    history = page.locator("#item-history table")
    check_columns(history, size, "When", "Who", "What", "Changes", "Undo")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_orders_list_shows_status_and_total_and_keeps_its_selection(browser, site,
                                                                       size):
    page = new_page(browser, size)
    log_in(page, site)
    page.goto(f"{site}/e/Application.Order/?status=PAID")
    table = page.locator("#results table").first
    check_columns(table, size, "Item", "Status", "Total")
    if size == "phone":  # the README's: the tabs, then the first orders as cards
        page.locator("nav.tabs").evaluate("e => e.scrollIntoView()")
        page.screenshot(path=str(SCREENSHOTS / "phone-list.png"))
    # The select box sits beside the row's name, and the action runs on what it ticked.
    first = table.locator("tbody tr").first
    name = first.locator("td.item-name a").inner_text()
    first.get_by_role("checkbox").check()
    page.get_by_label(re.compile("^Action on the selected")).select_option(label="Mark shipped")
    page.get_by_role("button", name="Run").click()
    result = page.locator("table.data")
    result.wait_for()
    check_columns(result, size, "Item", "Result")
    assert result.locator("tbody tr").count() == 1
    assert name.split(" · ")[0].removeprefix("Order ") in result.inner_text()
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_recent_actions_and_activity_show_outcome_undo_and_changes(browser, site,
                                                                   size, archived):
    from examples.shop.definitions import shop

    page = new_page(browser, size)
    log_in(page, site)
    change_status(page, site)
    archived(shop)  # the consumer beside the server
    page.goto(f"{site}/recent/")
    actions = page.locator("table.audit")
    check_columns(actions, size, "When", "Item", "Outcome", "Undo")
    assert actions.locator("tbody tr").first.get_by_role("button", name="Undo").is_visible()
    alice = item_url_of_known_order(site).split("pk=")[1].split("&")[0]
    page.goto(f"{site}/t/Application/activity/?pk={alice}")
    activity = page.locator("#activity-results table")
    check_columns(activity, size, "When", "Item", "Changes", "Made")
    assert activity.locator('tr[data-origin="dynadmin"]').count() >= 1
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_conflict_page_keeps_each_field_beside_its_choices(browser, site, size):
    me, other = new_page(browser, size), new_page(browser, "desktop")
    log_in(me, site)
    log_in(other, site)
    edit_url = item_url_of_known_order(site).replace("/item/?", "/item/edit/?")
    me.goto(edit_url)
    other.goto(edit_url)
    current = me.get_by_label("Status").input_value()
    theirs, mine = [s for s in ("SHIPPED", "CANCELLED", "PAID") if s != current][:2]
    other.get_by_label("Status").select_option(theirs)
    other.get_by_role("button", name="Save", exact=True).click()
    other.get_by_text("Saved.").wait_for()
    me.get_by_label("Status").select_option(mine)
    me.get_by_role("button", name="Save", exact=True).click()
    both = me.locator("section[aria-labelledby='both-heading'] table")
    check_columns(both, size, "Field", "Theirs (now)", "Yours", "Keep")
    row = both.locator("tbody tr", has=me.get_by_role("rowheader", name="Status"))
    box = row.bounding_box()
    for part in (row.get_by_role("rowheader"), row.get_by_role("radio", name="use mine")):
        inner = part.bounding_box()
        assert box["y"] <= inner["y"] and inner["y"] + inner["height"] <= box["y"] + box["height"]
        assert inner["x"] + inner["width"] <= SIZES[size]["width"]
    row.get_by_role("radio", name="use mine").check()
    me.get_by_role("button", name="Apply my changes on top of theirs").click()
    me.get_by_text("Saved.").wait_for()
    me.context.close()
    other.context.close()


# The words of each text in an element that a line break cuts in two.
SPLIT_WORDS = """element => {
  const split = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) {
        split.push(match[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize("size", ["phone", "tablet", "desktop"])
def test_a_changes_fields_and_values_keep_their_words_whole(browser, site, size,
                                                             archive_table):
    page = new_page(browser, size)
    log_in(page, site)
    change_status(page, site)
    diff = page.locator("#item-history tbody tr").first.locator("dl.diff")
    diff.wait_for()
    assert diff.locator("dt").filter(has_text="Status").count() == 1
    assert diff.evaluate(SPLIT_WORDS) == []
    page.context.close()
