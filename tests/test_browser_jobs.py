"""A bulk job in Chromium: from the Paid orders' list, "Apply to all items this list
matches…", set their status, read the preview's count and type it back, start it, and watch
the job page (polled by htmx) reach Done with every item written; the pages pass axe."""

from __future__ import annotations

import re

import pytest

from dynadmin import data
from dynadmin.models import Job
from tests.support.browser import log_in, serious_violations
from tests.support.jobs import run_queued

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _paid() -> int:
    from examples.shop.definitions import shop

    index = shop.index("GSI2")
    count, start = 0, None
    while True:
        page = data.query(index, "ORDER#STATUS#PAID", limit=1000, start_key=start)
        count += len(page.items)
        start = page.last_evaluated_key
        if start is None:
            return count


def test_set_the_status_of_every_paid_order_from_the_list(browser, site, axe_script):
    paid = _paid()
    assert paid > 0
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        log_in(tab, site)
        tab.goto(f"{site}/e/Application.Order/?status=PAID")
        tab.get_by_role("link", name="Apply to all items this list matches…").click()
        tab.wait_for_url("**/jobs/new/**")
        assert serious_violations(tab, axe_script) == []
        tab.get_by_label("What to do to every item").select_option("update")
        tab.get_by_label("Field to set").select_option("status")
        tab.get_by_label("Its new value").fill("SHIPPED")
        tab.get_by_role("button", name="Preview the job").click()
        tab.wait_for_url(re.compile(r".*/jobs/\d+/$"))
        assert serious_violations(tab, axe_script) == []
        label = tab.locator("label[for=id_confirmation]").inner_text()
        expected = re.match(r"Type (.+) to start it", label).group(1)
        assert expected == str(paid)
        tab.get_by_label(label).fill(expected)
        tab.get_by_role("button", name="Start the job").click()
        tab.locator("[data-job-state=queued]").wait_for()
        run_queued()  # the worker's share, in this process
        # The page polls by itself: Done appears without a reload.
        tab.locator("[data-job-state=done]").wait_for()
        assert tab.locator("[data-count=written]").inner_text() == str(paid)
        # Without the "queued" message: base.html's messages list (a <ul role="status">)
        # is a finding of its own.
        tab.reload()
        assert serious_violations(tab, axe_script) == []
        assert tab.get_by_role("button", name="Undo the job").is_visible()
    finally:
        context.close()
    job = Job.objects.get()
    assert job.state == Job.State.DONE
    assert _paid() == 0
