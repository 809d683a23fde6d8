"""The audit log shows a bulk job as one row that opens its items: the row says what the job
did and its outcomes, links the job, and ``?job=N`` lists its entries, paged; the rows of a
page cost the same queries whatever their number of jobs; a person who may not view the
job's entity sees neither the row nor its entries; an item's History names the job."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dynadmin import data
from dynadmin.models import AuditEntry, Job
from dynadmin.services.url_keys import item_url

from .support.jobs import order_key, run_queued, seed

pytestmark = pytest.mark.django_db

RECENT = reverse("dynadmin:recent_actions")
NEW = "/e/Application.Order/jobs/new/"


def run_job(client, count: int, value: str = "CANCELLED", status: str = "PENDING") -> Job:
    response = client.post(f"{NEW}?status={status}", {
        "what": "update", "field": "status", "value": value})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.latest("id")
    started = client.post(f"/jobs/{job.pk}/start/", {"confirmation": str(count)})
    assert started.status_code == 302
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    return job


def other_write(n: int) -> AuditEntry:
    return AuditEntry.objects.create(
        username="bob", table="Application", table_name="t", entity="Application.Order",
        key=json.dumps({"PK": {"S": "USER#u1"}, "SK": {"S": f"ORDER#2024-01-15#x{n}"}}),
        key_text=f"USER#u1 / ORDER#2024-01-15#x{n}", action="update",
        diff={"status": {"before": '"PENDING"', "after": '"PAID"'}})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_job_is_one_row_that_opens_its_entries(shop_table, staff_client):
    seed(shop_table, pending=60, shipped=0)
    other_write(1)
    job = run_job(staff_client, 60)
    other_write(2)
    assert AuditEntry.objects.filter(job=job).count() == 60

    page = staff_client.get(RECENT)
    shown = page.context["entries"]
    assert len(shown) == 3  # the two other writes and the job, in the log's order
    assert [e.job_id for e in shown] == [None, job.pk, None]
    body = text(page)
    assert f'data-job-row="{job.pk}"' in body
    assert (f"Job #{job.pk}</a>: set status = CANCELLED on 60 Orders by admin "
            "— 60 written") in body
    assert f'href="/jobs/{job.pk}/"' in body
    assert f'href="{RECENT}?job={job.pk}"' in body
    assert "Entries 1–3 of 3" in body

    opened = staff_client.get(f"{RECENT}?job={job.pk}")
    assert len(opened.context["entries"]) == 50
    assert {e.job_id for e in opened.context["entries"]} == {job.pk}
    assert "Entries 1–50 of 60" in text(opened)
    assert f'name="job" value="{job.pk}"' in text(opened)  # the filters keep to the job
    second = staff_client.get(f"{RECENT}?job={job.pk}&page=2")
    assert len(second.context["entries"]) == 10
    assert f"?job={job.pk}&amp;page=1" in text(second)


def test_the_job_rows_cost_the_same_queries_whatever_their_number(shop_table, staff_client):
    seed(shop_table, pending=4, shipped=4)
    run_job(staff_client, 4)
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(RECENT).status_code == 200
    run_job(staff_client, 4, value="CANCELLED", status="SHIPPED")
    run_job(staff_client, 8, value="SHIPPED", status="CANCELLED")
    with CaptureQueriesContext(connection) as three:
        page = staff_client.get(RECENT)
    assert sum(1 for e in page.context["entries"] if e.job_id) == 3
    assert len(three) == len(one)


def test_who_may_not_view_the_entity_sees_neither_the_job_nor_its_entries(
        shop_table, staff_client, django_user_model):
    seed(shop_table, pending=5, shipped=0)
    job = run_job(staff_client, 5)
    user = django_user_model.objects.create_user("uma", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename="view_application_user"))
    users_only = Client()
    users_only.force_login(user)
    assert users_only.get(RECENT).context["entries"] == []
    opened = users_only.get(f"{RECENT}?job={job.pk}")
    assert opened.context["entries"] == [] and f"job #{job.pk}" not in text(opened)

    # who may view orders but not run jobs sees the row, and it opens the entries (the
    # job's own page would answer 403)
    user.user_permissions.add(*Permission.objects.filter(codename="view_application_order"))
    viewer = Client()
    viewer.force_login(user)
    body = text(viewer.get(RECENT))
    assert f'data-job-row="{job.pk}"' in body and f'href="/jobs/{job.pk}/"' not in body
    assert len(viewer.get(f"{RECENT}?job={job.pk}").context["entries"]) == 5


def test_an_items_history_names_the_job_that_wrote_it(shop_table, staff_client):
    seed(shop_table, pending=3, shipped=0)
    job = run_job(staff_client, 3)
    body = text(staff_client.get(item_url(shop_table, order_key(1))))
    assert f'data-by-job="{job.pk}"' in body and f"by job #{job.pk}" in body
    assert f'href="/jobs/{job.pk}/"' in body
    assert data.get_item(shop_table, order_key(1))["status"] == "CANCELLED"


def test_where_an_admin_decides_per_item_the_jobs_entries_are_judged_one_by_one(
        shop_table, staff_client, monkeypatch):
    from dynadmin.sites import AdminSite

    seed(shop_table, pending=5, shipped=0)
    job = run_job(staff_client, 5)
    other_write(1)
    monkeypatch.setattr(AdminSite, "decides_view_per_item", lambda self, request=None: True)
    # order 00001's entry is withheld from this person, and the other write's
    monkeypatch.setattr(AdminSite, "may_view_entry", lambda self, request, entry: not (
        entry.key_text.endswith("#00001") or entry.job_id is None))
    listed = staff_client.get(RECENT).context["entries"]
    assert [e.job_id for e in listed] == [job.pk]  # the job's row, judged by its entity
    opened = staff_client.get(f"{RECENT}?job={job.pk}").context["entries"]
    assert len(opened) == 4 and not any(e.key_text.endswith("#00001") for e in opened)
