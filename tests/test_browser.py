"""Journeys in a real headless Chromium (Debian's), against the live server and DynamoDB Local.

Each journey is a test; screenshots of the key pages are saved under test-artifacts/.
Chromium must be at /usr/bin/chromium (`apt-get install -y chromium`); without it these tests
are skipped, unless DYNADMIN_REQUIRE_BROWSER=1 (CI sets it) turns the skip into a failure.
"""

from __future__ import annotations

import re

import pytest

from examples.shop import seed
from tests.support.browser import item_url_of_known_order, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_and_see_the_dashboard(page, site):
    page.goto(f"{site}/")
    assert "/login/" in page.url
    shot(page, "login")
    log_in(page, site)
    assert page.get_by_role("heading", name="Tables").is_visible()
    assert page.get_by_role("link", name="User", exact=True).is_visible()
    shot(page, "dashboard")


def test_find_a_user_by_email_from_the_global_box(page, site):
    log_in(page, site)
    page.keyboard.press("/")  # focuses the lookup box
    page.keyboard.type(seed.ALICE["email"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/t/Application/item/"))
    assert page.get_by_text(seed.ALICE["email"]).first.is_visible()
    assert page.get_by_role("heading", name="Orders").is_visible()
    shot(page, "user")


def test_page_through_the_whale_and_back(page, site):
    log_in(page, site)
    page.goto(f"{site}/t/Application/q/?pk=USER%23{seed.WHALE_USER_ID}"
              "&sk_op=begins_with&sk=ORDER%23&order=desc")
    first_page = page.locator("td.item-name a").all_inner_texts()
    assert len(first_page) == 50 and page.get_by_text("Items 1–50").is_visible()
    for expected in ("Items 51–100", "Items 101–150"):
        page.get_by_role("link", name="Next →").first.click()
        page.get_by_text(expected).wait_for()
    assert "cursor=" in page.url  # htmx pushed the shareable URL
    shot(page, "whale-page-3")
    for expected in ("Items 51–100", "Items 1–50"):
        page.get_by_role("link", name="← Previous").first.click()
        page.get_by_text(expected).wait_for()
    assert page.locator("td.item-name a").all_inner_texts() == first_page


def test_open_an_order_by_id_and_edit_it(page, site):
    log_in(page, site)
    page.get_by_label("Find a user, order or key").fill(f"ORD-{seed.KNOWN_ORDER_ID}")
    page.get_by_label("Find a user, order or key").press("Enter")
    page.wait_for_url(re.compile(r"/t/Application/item/"))
    shot(page, "order")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Status").select_option("CANCELLED")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved.").wait_for()
    assert page.get_by_text("CANCELLED", exact=True).first.is_visible()  # the Status field
    assert page.get_by_role("heading", name="History").is_visible()
    shot(page, "order-edited")


def test_meet_and_resolve_a_conflict_from_a_second_browser(browser, page, site):
    log_in(page, site)
    other = browser.new_context().new_page()
    log_in(other, site)
    order_url = item_url_of_known_order(site)
    edit_url = order_url.replace("/item/?", "/item/edit/?")
    page.goto(edit_url)
    other.goto(edit_url)
    other.get_by_label("Currency").select_option("GBP")
    other.get_by_role("button", name="Save", exact=True).click()
    other.get_by_text("Saved.").wait_for()
    page.get_by_label("Notes").fill('["call the customer"]')
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("heading", name=re.compile("^Someone else changed Order 456")).wait_for()
    assert page.get_by_text("changed by them").first.is_visible()
    shot(page, "conflict")
    page.get_by_role("button", name="Apply my changes on top of theirs").click()
    page.get_by_text("Saved.").wait_for()
    body = page.content()
    assert "GBP" in body and "call the customer" in body
    other.context.close()


def test_extend_a_sessions_ttl(page, site):
    log_in(page, site)
    alice = seed.ALICE["user_id"]
    page.goto(f"{site}/t/Application/item/?pk=USER%23{alice}&sk=SESSION%23ttl-too-old")
    assert page.get_by_text("more than five years").first.is_visible()
    page.get_by_role("button", name="7 days").click()
    page.wait_for_url(re.compile(r"/t/Application/item/"))
    page.get_by_text(re.compile(r"expires in (6|7) days")).first.wait_for()
    assert page.get_by_role("heading", name="History").is_visible()
    assert page.get_by_text("TTL change").first.is_visible()
    shot(page, "session-ttl-extended")


def test_read_the_health_page(page, site):
    log_in(page, site)
    page.get_by_role("link", name="Health").first.click()
    page.get_by_role("heading", name="Health of Application").wait_for()
    for heading in ("Indexes", "Drift from the definitions", "Design check",
                    "Production checklist"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_text("not supported by this endpoint").first.is_visible()
    shot(page, "health")


def test_log_out(page, site):
    log_in(page, site)
    page.get_by_role("button", name=re.compile("Log out")).click()
    page.wait_for_url(re.compile(r"/login/"))
    page.goto(f"{site}/")
    assert "/login/" in page.url


def test_keyboard_only_lookup_browse_and_edit(page, site):
    log_in(page, site)
    page.keyboard.press("/")
    page.keyboard.type(seed.ALICE["email"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/item/"))
    # Tab to the Edit button and open it with the keyboard alone.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Edit":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/item/edit/"))
    page.get_by_label("Name").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Alice Keyboard")
    page.keyboard.press("Enter")  # submits the form
    page.get_by_text("Saved.").wait_for()
    assert page.get_by_text("Alice Keyboard").first.is_visible()
    # Browse: Tab to "Next →" and follow it, then back, without a mouse.
    page.goto(f"{site}/t/Application/q/?pk=USER%23{seed.WHALE_USER_ID}&sk_op=begins_with"
              "&sk=ORDER%23")
    for label, expected in (("Next →", "Items 51–100"), ("← Previous", "Items 1–50")):
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == label:
                break
        page.keyboard.press("Enter")
        page.get_by_text(expected).wait_for()


def test_no_serious_accessibility_violations(browser, site, axe_script):
    # axe is injected as a script: the page's CSP (rightly) forbids that, so bypass it here.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    pages = {"login": "/login/"}
    log_in(page, site)
    order_url = item_url_of_known_order(site)
    pages |= {
        "dashboard": "/", "user": f"/lookup/?q={seed.ALICE['email']}",
        "partition": f"/t/Application/q/?pk=USER%23{seed.WHALE_USER_ID}",
        "order": order_url.removeprefix(site),
        "edit": order_url.removeprefix(site).replace("/item/?", "/item/edit/?"),
        "entity": "/e/Application.Order/",
    }
    problems = {}
    for name, path in pages.items():
        if name == "login":
            continue
        page.goto(site + path)
        page.add_script_tag(path=str(axe_script))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
        if serious:
            problems[name] = serious
    context.close()
    assert problems == {}

