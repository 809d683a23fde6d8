"""A full export in Chromium: from the Pending orders' list, "Export all items this list
matches…", choose JSON Lines, type the preview's count back, start it, watch the job page
(polled by htmx) reach Done, and download the file through its link; the pages pass axe."""

from __future__ import annotations

import json
import re

import pytest

from dynadmin import data
from dynadmin.models import Job
from tests.support.browser import log_in, serious_violations
from tests.support.jobs import run_queued

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pending_ids() -> list[str]:
    from examples.shop.definitions import shop

    index = shop.index("GSI2")
    ids, start = [], None
    while True:
        page = data.query(index, "ORDER#STATUS#PENDING", limit=1000, start_key=start)
        ids += [item["order_id"] for item in page.items]
        start = page.last_evaluated_key
        if start is None:
            return sorted(ids)


def test_export_every_pending_order_from_the_list_and_download_it(
        browser, site, axe_script, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media")}}}
    settings.DYNADMIN_EXPORT_STORAGE = "exports"
    pending = _pending_ids()
    assert pending
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        log_in(tab, site)
        tab.goto(f"{site}/e/Application.Order/?status=PENDING")
        tab.get_by_role("link", name="Export all items this list matches…").click()
        tab.wait_for_url("**/jobs/export/**")
        assert serious_violations(tab, axe_script) == []
        tab.get_by_label("JSON Lines").check()
        tab.get_by_role("button", name="Preview the export").click()
        tab.wait_for_url(re.compile(r".*/jobs/\d+/$"))
        assert serious_violations(tab, axe_script) == []
        label = tab.locator("label[for=id_confirmation]").inner_text()
        expected = re.match(r"Type (.+) to start it", label).group(1)
        assert expected == str(len(pending))
        tab.get_by_label(label).fill(expected)
        tab.get_by_role("button", name="Start the job").click()
        tab.locator("[data-job-state=queued]").wait_for()
        run_queued()  # the worker's share, in this process
        # The page polls by itself: Done, and the link to the file, appear without a reload.
        tab.locator("[data-job-state=done]").wait_for()
        assert tab.locator("[data-count=written]").inner_text() == str(len(pending))
        assert tab.get_by_role("link", name="Download").is_visible()
        # Without the "queued" message: base.html's messages list (a <ul role="status">)
        # is a finding of its own.
        tab.reload()
        assert serious_violations(tab, axe_script) == []
        with tab.expect_download() as download:
            tab.get_by_role("link", name="Download").click()
        path = download.value.path()
        with open(path, encoding="utf-8") as file:
            ids = sorted(json.loads(line)["order_id"] for line in file)
        assert ids == pending
        assert download.value.suggested_filename.endswith(".jsonl")
    finally:
        context.close()
    assert Job.objects.get().state == Job.State.DONE
