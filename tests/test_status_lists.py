"""Messages and error lists announce themselves from a wrapper, never by a role on the list
(a ``<ul role="status">`` is no longer a list, and axe reports its items as "listitem", a
serious finding); and "Apply to all" is offered only where a Tasks framework can run jobs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.browser import PASSWORD, item_url_of_known_order, log_in, serious_violations

from .support.jobs import seed

ROOT = Path(__file__).resolve().parent.parent


def test_no_template_gives_a_list_a_role():
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}"
             for path in (ROOT / "templates").rglob("*.html")
             for match in re.finditer(r"<(ul|ol)\b[^>]*\brole=\"[^\"]*\"", path.read_text())]
    assert found == []


@pytest.mark.django_db
def test_apply_to_all_is_not_offered_without_a_tasks_framework(shop_table, staff_client,
                                                               monkeypatch):
    seed(shop_table, pending=3)
    assert "Apply to all" in staff_client.get("/e/Application.Order/?status=PENDING"
                                              ).content.decode()
    # neither Django 6's framework nor the backport could be imported (decided when
    # dynadmin.jobs.compat was imported: a failed import is never remembered by Python)
    from dynadmin.jobs import compat

    monkeypatch.setattr(compat, "_AVAILABLE", False)
    page = staff_client.get("/e/Application.Order/?status=PENDING").content.decode()
    assert "Apply to all" not in page and "data-bulk-job" not in page


def test_a_message_and_an_error_list_pass_axe(browser, site, axe_script):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        tab.goto(f"{site}/")
        tab.get_by_label("Username").fill("admin")
        tab.get_by_label("Password").fill(PASSWORD + "-wrong")
        tab.get_by_role("button", name="Log in").click()
        alert = tab.get_by_role("alert")
        alert.wait_for()
        assert alert.get_by_role("listitem").count() == 1
        assert serious_violations(tab, axe_script) == []

        log_in(tab, site)
        tab.goto(item_url_of_known_order(site).replace("/item/?", "/item/edit/?"))
        tab.get_by_role("button", name="Save", exact=True).click()
        status = tab.get_by_role("status").filter(has_text="Nothing changed")
        status.wait_for()
        assert status.get_by_role("listitem").count() == 1
        assert serious_violations(tab, axe_script) == []
    finally:
        context.close()

