"""The audit log in Chromium: a job's row says what it wrote, opens its entries, each naming
the job; both pages pass axe."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model

from dynadmin.models import AuditEntry, Job, JobItem
from tests.support.browser import log_in, serious_violations


def test_the_audit_logs_job_row_and_its_entries_pass_axe(browser, site, axe_script):
    admin = get_user_model().objects.get(username="admin")
    job = Job.objects.create(creator=admin, username="admin", kind=Job.Kind.UPDATE,
                             table="Application", entity="Application.Order",
                             parameters={"set": {"status": "CANCELLED"}},
                             state=Job.State.DONE)
    for n in range(3):
        key = {"PK": {"S": "USER#u1"}, "SK": {"S": f"ORDER#2024-01-15#9{n}"}}
        AuditEntry.objects.create(
            user=admin, username="admin", table="Application", table_name="t",
            entity="Application.Order", key=json.dumps(key),
            key_text=f"USER#u1 / ORDER#2024-01-15#9{n}", action="update", job=job,
            diff={"status": {"before": '"PENDING"', "after": '"CANCELLED"'}})
        JobItem.objects.create(job=job, key=json.dumps(key), key_text=f"k{n}",
                               key_digest=str(n), status=JobItem.Status.WRITTEN)
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        log_in(tab, site)
        tab.goto(f"{site}/recent/")
        row = tab.locator(f"[data-job-row='{job.pk}']")
        assert "3 written" in row.inner_text()
        assert serious_violations(tab, axe_script) == []
        row.get_by_role("link", name="Its entries").click()
        tab.locator(f"[data-job-entries='{job.pk}']").wait_for()
        assert tab.get_by_role("link", name=f"by job #{job.pk}").count() == 3
        assert serious_violations(tab, axe_script) == []
    finally:
        context.close()
