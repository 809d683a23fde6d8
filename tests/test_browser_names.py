"""Journeys in Chromium: items have names, values read like
values; at a desktop's 1440×900 and a phone's 390×844, with axe on the pages seen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from examples.shop import seed
from tests.test_browser import (  # noqa: F401 - fixtures
    ROOT,
    _item_url_of_known_order,
    axe_script,
    browser,
    log_in,
    shop_names,
    site,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
DOCS = ROOT / "docs" / "screenshots"
ALICE_NAME = f"{seed.ALICE['name']} · {seed.ALICE['email']}"


@pytest.fixture(params=list(SIZES))
def viewer(request, browser, site):  # noqa: F811 - the imported fixtures
    """A signed-in person at one of the two sizes; axe may be injected (CSP bypassed)."""
    context = browser.new_context(viewport=SIZES[request.param], bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, site)
    yield request.param, page
    context.close()


def fits_the_viewport(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def serious_axe_violations(page, script: Path) -> list[str]:
    page.add_script_tag(path=str(script))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_a_customer_is_known_by_name(viewer, site, axe_script):  # noqa: F811
    size, page = viewer
    page.get_by_label("Find a user, order or key").fill(seed.ALICE["email"])
    page.get_by_label("Find a user, order or key").press("Enter")
    page.wait_for_url(re.compile(r"/t/Application/item/"))
    assert page.get_by_role("heading", level=1).inner_text() == ALICE_NAME
    crumbs = page.get_by_role("navigation", name="Breadcrumbs")
    assert crumbs.inner_text().split()[0] == "Dashboard"
    assert crumbs.get_by_role("link", name="Users").get_attribute("href").endswith(
        "/e/Application.User/")
    assert crumbs.get_by_text(ALICE_NAME).is_visible()
    # keys are folded away; the orders are rows named by the order
    keys = page.locator("details.keys-block")
    assert keys.get_attribute("open") is None
    assert not page.get_by_text("METADATA", exact=True).is_visible()
    orders = page.locator("section[aria-label='Orders'] td.item-name a").all_inner_texts()
    assert orders and all(re.fullmatch(r"Order \d+ · \d{4}-\d{2}-\d{2}", o) for o in orders)
    # values: a yes/no badge, the preferences as a definition list with the JSON behind a click
    assert page.locator(".badge.yes, .badge.no").first.is_visible()
    preferences = page.locator("dl.nested").first
    assert preferences.is_visible() and preferences.locator("dt").count() >= 2
    assert not page.locator("details.raw-json pre").first.is_visible()
    assert fits_the_viewport(page)
    assert serious_axe_violations(page, axe_script) == []


def test_an_order_shows_money_its_customer_and_its_products(viewer, site, axe_script):  # noqa: F811
    size, page = viewer
    page.goto(_item_url_of_known_order(site))
    heading = page.get_by_role("heading", level=1).inner_text()
    assert re.fullmatch(rf"Order {seed.KNOWN_ORDER_ID} · \d{{4}}-\d{{2}}-\d{{2}}", heading)
    total = page.locator("dl.fields dd").filter(has_text=re.compile(r"^[\d,]+\.\d\d [A-Z]{3}$"))
    assert total.count() == 1 and total.is_visible()
    customer = page.locator("section[aria-label='Customer'] a").first
    assert customer.inner_text() == ALICE_NAME
    lines = page.locator("section[aria-label='Line items'] tbody tr")
    assert lines.count() >= 1
    first_line = lines.first
    assert re.fullmatch(r"\d+ × .+", first_line.locator("td.item-name a").inner_text())
    price = first_line.locator("td.num").last
    assert re.fullmatch(r"[\d,]+\.\d\d [A-Z]{3}", price.inner_text())  # with its currency
    # right-aligned in a desktop's table; a phone's card reads "Unit price: 12.99 GBP" from the left
    alignment = {"desktop": "right", "phone": "left"}[size]
    assert price.evaluate("e => getComputedStyle(e).textAlign") == alignment
    assert "Decimal(" not in page.content()
    assert fits_the_viewport(page)
    if size == "desktop":
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / "item.png"), full_page=True)
    assert serious_axe_violations(page, axe_script) == []
    # line items link to their product
    first_line.locator("td a").filter(has_text=re.compile(r"^B0")).first.click()
    page.wait_for_url(re.compile(r"PRODUCT"))
    assert page.get_by_role("heading", level=1).inner_text() != ""
    assert "PRODUCT#" not in page.get_by_role("heading", level=1).inner_text()


def test_the_lookup_help_shows_examples_not_patterns(viewer, site):  # noqa: F811
    size, page = viewer
    page.goto(f"{site}/lookup/")
    help_text = page.get_by_role("region", name="What you can type").inner_text()
    assert "e.g. ORD-456" in help_text
    assert "(?:" not in help_text and "\\d" not in help_text
    assert fits_the_viewport(page)
