"""Journeys through entity list pages in Chromium, at a desktop size and a phone's: the
Orders list, switching to SHIPPED, paging, an inclusive date range; the dashboard as a
starting point. Screenshots for the README go to docs/screenshots/."""

from __future__ import annotations

import pytest

from dynadmin import data
from examples.shop import seed
from tests.support.browser import ROOT, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
DOCS = ROOT / "docs" / "screenshots"


def _known_order() -> dict:
    from examples.shop.definitions import shop

    return data.query(shop.index("GSI1"), f"ORDER#{seed.KNOWN_ORDER_ID}").items[0]


def _fits(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", SIZES)
def test_the_orders_list_switches_status_and_pages(page, site, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    log_in(page, site)
    page.get_by_role("link", name="Orders by status").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Orders by status")
    tabs = page.get_by_role("navigation", name="Orders by status")
    assert tabs.get_by_role("link", name="PENDING").get_attribute("aria-current") == "page"
    assert page.get_by_text("newest first").first.is_visible()
    if size == "desktop":
        page.screenshot(path=str(DOCS / "entity-list.png"))
    assert _fits(page)

    tabs.get_by_role("link", name="SHIPPED").click()
    page.wait_for_url("**status=SHIPPED**")
    shipped = page.get_by_role("navigation", name="Orders by status")
    assert shipped.get_by_role("link", name="SHIPPED").get_attribute("aria-current") == "page"
    assert page.get_by_text("Items 1–").first.is_visible()

    shipped.get_by_role("link", name="PENDING").click()  # the busiest status: pages of it
    page.wait_for_url("**status=PENDING**")
    assert page.get_by_text("Items 1–50").first.is_visible()
    page.get_by_role("link", name="Next →").first.click()
    page.get_by_text("Items 51–").first.wait_for()
    page.get_by_role("link", name="← Previous").first.click()
    page.get_by_text("Items 1–50").first.wait_for()
    assert _fits(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_date_range_includes_its_last_day(page, site, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    order = _known_order()
    day = order["placed_at"][:10]
    log_in(page, site)
    page.goto(f"{site}/e/Application.Order/?status={order['status']}")
    page.get_by_text("Dates and filters").click()
    page.get_by_label("from").fill(day)
    page.get_by_label("to").fill(day)  # a single day: found only if the last day counts
    page.get_by_role("button", name="Apply").click()
    page.get_by_text(f"from {day} to {day} (both included)").wait_for()
    assert page.locator(f"a[href*='%23{seed.KNOWN_ORDER_ID}']").count() >= 1
    assert _fits(page)


def test_choosing_a_filter_field_brings_the_widget_of_its_type(page, site):  # noqa: F811
    """The Field menu asks the page for the chosen field's widgets (htmx swaps them in):
    a number box for a Number, a menu of its choices for a Choice, and the filter applies."""
    order = _known_order()
    log_in(page, site)
    page.goto(f"{site}/e/Application.Order/?status={order['status']}")
    page.get_by_text("Dates and filters").click()
    page.get_by_label("Field").select_option(label="Total")
    page.locator("#l-f-value[type=number]").wait_for()
    page.get_by_label("Field").select_option(label="Currency")
    page.locator("select#l-f-value").wait_for()
    page.locator("select#l-f-value").select_option(order["currency"])
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(f"**f_value={order['currency']}**")
    assert page.locator(f"a[href*='%23{seed.KNOWN_ORDER_ID}']").count() >= 1


def test_a_field_chosen_the_moment_the_filter_swaps_in_still_brings_its_widget(page, site):  # noqa: F811
    """Swapped-in controls answer at once: a Field menu changed straight after htmx put it
    in the page (within htmx's default 20 ms settle) still asks for its widgets. Seen as a
    Currency choice that did nothing when made right after choosing Total."""
    order = _known_order()
    log_in(page, site)
    page.goto(f"{site}/e/Application.Order/?status={order['status']}")
    page.get_by_text("Dates and filters").click()
    page.evaluate("""() => document.body.addEventListener('htmx:afterSwap', () => {
        window.swaps = (window.swaps || 0) + 1;
        if (window.swaps > 1) return;
        setTimeout(() => {
            const menu = document.getElementById('l-f-attr');
            menu.value = 'currency';
            menu.dispatchEvent(new Event('change', {bubbles: true}));
        }, 0);
    })""")
    page.get_by_label("Field").select_option(label="Total")
    page.wait_for_function("() => window.swaps >= 2", timeout=5000)
    assert page.locator("select#l-f-value").count() == 1


@pytest.mark.parametrize("size", SIZES)
def test_the_dashboard_is_a_starting_point(page, site, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    log_in(page, site)
    assert page.get_by_role("heading", name="Where to start").is_visible()
    assert page.get_by_role("link", name="Order 456").is_visible()
    if size == "desktop":
        page.screenshot(path=str(DOCS / "dashboard.png"))
    assert _fits(page)
    page.get_by_role("link", name="Order 456").click()
    page.wait_for_url("**/item/**")


def test_list_pages_have_no_serious_accessibility_violations(browser, site,
                                                             axe_script):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    log_in(tab, site)
    problems = {}
    for path in ("/", "/e/Application.Order/?status=SHIPPED", "/e/Application.Session/",
                 f"/t/Application/q/?pk=USER%23{seed.ALICE['user_id']}"):
        tab.goto(site + path)
        tab.add_script_tag(path=str(axe_script))
        result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [f"{v['id']}: {v['help']}" for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
        if serious:
            problems[path] = serious
    context.close()
    assert problems == {}
