"""Journeys in Chromium for forms, conflicts, undo and the phone layout, at a
desktop's 1440×900 and a phone's 390×844."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from examples.shop import seed
from tests.support.browser import ROOT, item_url_of_known_order, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> dict[str, int]:
    return VIEWPORTS[request.param]


def new_page(browser, viewport, *, bypass_csp: bool = False):
    context = browser.new_context(viewport=viewport, bypass_csp=bypass_csp)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return tab


def overflow(tab) -> int:
    """How many pixels the page is wider than the window (0: nothing to scroll sideways)."""
    return tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def serious_violations(tab, script: Path) -> list[str]:
    tab.add_script_tag(path=str(script))
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_both_changed_the_status_and_the_person_chooses_per_field(browser, site, viewport,
                                                                 axe_script):
    me = new_page(browser, viewport, bypass_csp=True)
    other = new_page(browser, DESKTOP)
    log_in(me, site)
    log_in(other, site)
    edit_url = item_url_of_known_order(site).replace("/item/?", "/item/edit/?")
    me.goto(edit_url)
    other.goto(edit_url)
    current = me.get_by_label("Status").input_value()
    theirs, mine = [s for s in ("SHIPPED", "CANCELLED", "PAID") if s != current][:2]
    currency = "GBP" if me.get_by_label("Currency").input_value() != "GBP" else "USD"
    other.get_by_label("Status").select_option(theirs)
    other.get_by_role("button", name="Save", exact=True).click()
    other.get_by_text("Saved.").wait_for()
    me.get_by_label("Status").select_option(mine)
    me.get_by_label("Currency").select_option(currency)
    me.get_by_role("button", name="Save", exact=True).click()
    me.get_by_role("heading", name=re.compile(r"^Someone else changed Order ")).wait_for()
    # Who changed it, from the audit log; what each changed, by field label.
    assert me.get_by_text(re.compile(r"Last change: Update by admin at")).is_visible()
    assert me.get_by_role("heading", name="You both changed").is_visible()
    assert me.get_by_role("heading", name="Only you changed").is_visible()
    assert me.get_by_role("row", name=re.compile("^Status")).is_visible()
    assert not me.get_by_text("GSI2PK").count()
    assert me.get_by_role("radio", name="keep theirs").is_checked()
    assert overflow(me) <= 0
    assert serious_violations(me, axe_script) == []
    if viewport == DESKTOP:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        me.screenshot(path=str(SCREENSHOTS / "conflict.png"), full_page=True)
    me.get_by_role("radio", name="use mine").check()
    me.get_by_role("button", name="Apply my changes on top of theirs").click()
    me.wait_for_load_state()
    shot(me, "conflict-resolved")
    me.get_by_text("Saved.").wait_for()
    fields = me.locator("section", has=me.get_by_role("heading", name="Fields")).inner_text()
    assert mine in fields and currency in fields and theirs not in fields
    me.context.close()
    other.context.close()


def test_undo_an_edit_from_the_items_history(browser, site, viewport):
    tab = new_page(browser, viewport)
    log_in(tab, site)
    alice = seed.ALICE["user_id"]
    tab.goto(f"{site}/t/Application/item/edit/?pk=USER%23{alice}&sk=METADATA")
    before = tab.get_by_label("Name").input_value()
    tab.get_by_label("Name").fill("Alice Undone-Soon")
    tab.get_by_role("button", name="Save", exact=True).click()
    tab.get_by_text("Saved.").wait_for()
    assert tab.get_by_text("Alice Undone-Soon").first.is_visible()
    history = tab.locator("section", has=tab.get_by_role("heading", name="History"))
    undo_buttons = history.get_by_role("button", name="Undo").count()
    history.get_by_role("button", name="Undo").first.click()
    tab.get_by_text("Undid admin's update at").first.wait_for()
    assert "/undo/" not in tab.url and "/item/" in tab.url  # a GET page: reload is safe
    assert history.get_by_text("undone by admin at").first.is_visible()
    assert history.get_by_role("button", name="Undo").count() == undo_buttons - 1
    assert tab.get_by_text(before, exact=True).first.is_visible()
    assert not tab.get_by_text("Alice Undone-Soon", exact=True).count()
    assert history.get_by_text("Undo", exact=True).first.is_visible()  # itself audited
    assert overflow(tab) <= 0
    tab.context.close()


def test_the_edit_form_focuses_its_first_field(browser, site, viewport):
    """Focus starts past the key parts (changing one moves the item) and read-only fields."""
    tab = new_page(browser, viewport)
    log_in(tab, site)
    tab.goto(item_url_of_known_order(site).replace("/item/?", "/item/edit/?"))
    assert tab.evaluate("document.activeElement.id") == "id_status"
    assert tab.get_by_role("heading", name=re.compile(r"^Change Order ")).is_visible()
    assert tab.get_by_role("link", name="Cancel").is_visible()
    tab.context.close()


def test_saving_the_untouched_form_in_chromium_writes_nothing(browser, site):
    """What Chromium submits untouched (dates as the text shown, textareas in CRLF,
    selects) is what the form showed: nothing is written. Then a note added one per line,
    with "Save and continue editing", lands back on the form."""
    from dynadmin.models import AuditEntry

    tab = new_page(browser, DESKTOP)
    log_in(tab, site)
    edit_url = item_url_of_known_order(site).replace("/item/?", "/item/edit/?")
    tab.goto(edit_url)
    tab.get_by_role("button", name="Save", exact=True).click()
    tab.get_by_text("Nothing changed: nothing was written.").wait_for()
    assert not AuditEntry.objects.exists()

    tab.goto(edit_url)
    notes = tab.get_by_label("Notes")
    notes.fill((notes.input_value() + "\nCall before delivery").strip())
    tab.get_by_role("button", name="Save and continue editing").click()
    tab.get_by_text("Saved.").wait_for()
    assert "/item/edit/" in tab.url
    assert tab.get_by_label("Notes").input_value().endswith("Call before delivery")
    assert AuditEntry.objects.get().action == "update"
    tab.context.close()


def test_nothing_is_wider_than_a_phone(browser, site):
    tab = new_page(browser, PHONE)
    log_in(tab, site)
    order = item_url_of_known_order(site).removeprefix(site)
    pages = {
        "dashboard": "/",
        "partition": f"/t/Application/q/?pk=USER%23{seed.WHALE_USER_ID}"
                     "&sk_op=begins_with&sk=ORDER%23",
        "item": order,
        "ttl": "/t/Application/ttl/",
        "health": "/t/Application/health/",
        "recent actions": "/recent/",
        "edit": order.replace("/item/?", "/item/edit/?"),
    }
    too_wide = {}
    for name, path in pages.items():
        tab.goto(site + path)
        if overflow(tab) > 0:
            too_wide[name] = overflow(tab)
    assert too_wide == {}
    # A 50-row page stays a page, not a 15,000 px scroll.
    tab.goto(site + pages["partition"])
    assert tab.get_by_text("Items 1–50").first.is_visible()
    assert tab.evaluate("document.documentElement.scrollHeight") < 15_000
    tab.goto(site + order)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "phone.png"), full_page=False)
    shot(tab, "phone-item")
    tab.context.close()


def test_the_new_pages_have_no_serious_accessibility_violations(browser, site, viewport,
                                                                axe_script):
    tab = new_page(browser, viewport, bypass_csp=True)
    log_in(tab, site)
    order = item_url_of_known_order(site).removeprefix(site)
    problems = {}
    for name, path in {"recent actions": "/recent/", "item": order,
                       "delete": order.replace("/item/?", "/item/delete/?"),
                       "create": "/e/Application.User/add/"}.items():
        tab.goto(site + path)
        found = serious_violations(tab, axe_script)
        if found:
            problems[name] = found
    assert problems == {}
    tab.context.close()
