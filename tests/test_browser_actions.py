"""An action over every row of a 1,000-row page in Chromium, with JavaScript and without:
the rows chosen travel as one field either way, so the page never exceeds Django's
DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from dynadmin import data
from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _thousand_pending_orders(user_id: str) -> None:
    from examples.shop.definitions import Order, shop

    data.load_items_unconditionally(shop, [Order.build_item({
        "user_id": user_id, "order_id": f"{n:04d}", "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("1"), "version": 1}) for n in range(1000)])


def _statuses(user_id: str) -> set[str]:
    from examples.shop.definitions import shop

    items = data.query(shop.primary, f"USER#{user_id}", consistent=True, limit=1000).items
    assert len(items) == 1000
    return {item["status"] for item in items}


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_mark_every_row_of_a_1000_row_page_shipped(browser, site, settings,
                                                   javascript):
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000  # Django's default, left alone
    user_id = f"bulk{int(javascript)}"
    _thousand_pending_orders(user_id)
    context = browser.new_context(viewport={"width": 1440, "height": 900},
                                  java_script_enabled=javascript)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        log_in(tab, site)
        tab.goto(f"{site}/t/Application/q/?pk=USER%23{user_id}&limit=1000")
        boxes = tab.locator("form[data-selection-form] input[data-row]")
        assert boxes.count() == 1000
        rows = tab.get_by_label("Rows", exact=True)
        if javascript:
            assert boxes.first.is_visible()
            boxes.nth(0).check()
            boxes.nth(1).check()
            boxes.nth(4).check()
            assert rows.input_value() == "1-2, 5"  # the ticked rows, written as one field
            boxes.evaluate_all("boxes => boxes.forEach(b => { if (!b.checked) b.click(); })")
            assert rows.input_value() == "1-1000"
        else:
            assert not boxes.first.is_visible()  # nothing to tick without the script
            assert tab.locator("td.row-select").first.inner_text().strip() == "1"
            rows.fill("all")
        tab.get_by_label(re.compile("^Action on the selected")).select_option(label="Mark shipped")
        # 1,000 guarded writes, each audited: a bound on the wait, not a timed assertion.
        tab.get_by_role("button", name="Run").first.click(timeout=300_000)
        tab.get_by_role("heading", name="Mark shipped").wait_for(timeout=300_000)
        assert tab.locator("table.data .badge.ok").count() == 1000
    finally:
        context.close()
    assert _statuses(user_id) == {"SHIPPED"}
