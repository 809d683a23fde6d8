"""The job pages over HTTP: from an entity's list to a preview that counts the items and
needs the count typed back, the job page's progress, Pause/Resume/Cancel, the items' CSV and
Undo; and a Support user without the bulk permission sees no "apply to all" and gets 403 on
every job URL."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group

from dynadmin import data
from dynadmin.models import Job, JobItem
from dynadmin.permissions import ensure_groups

from .support.jobs import order_key, run_queued, seed

pytestmark = pytest.mark.django_db

LIST = "/e/Application.Order/"
NEW = "/e/Application.Order/jobs/new/"


def new_job(client, **post) -> Job:
    response = client.post(NEW + "?status=PENDING", {
        "what": "update", "field": "status", "value": "CANCELLED", **post})
    assert response.status_code == 302, response.content.decode()[:3000]
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_a_job_from_the_list_previews_confirms_runs_and_undoes(shop_table, staff_client):
    seed(shop_table, pending=35, shipped=3)
    page = staff_client.get(LIST).content.decode()
    assert "Apply to all items this list matches" in page
    assert 'href="/e/Application.Order/jobs/new/?status=PENDING"' in page

    form = staff_client.get(NEW + "?status=PENDING")
    assert form.status_code == 200 and "Set a field to a value" in form.content.decode()
    job = new_job(staff_client)
    preview = staff_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "35 items in 1 Query pages" in preview
    assert "Type 35 to start it" in preview

    wrong = staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": "38"})
    assert wrong.status_code == 400 and "Type 35, the number of items" in wrong.content.decode()
    job.refresh_from_db()
    assert job.state == Job.State.PREVIEW

    started = staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": "35"})
    assert started.status_code == 302
    run_queued()
    page = staff_client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-job-state="done"' in page
    assert '<dd data-count="written">35</dd>' in page
    assert "hx-get" not in page  # a finished job is not polled
    assert all(data.get_item(shop_table, order_key(n))["status"] == "CANCELLED"
               for n in range(35))

    rows = list(csv.reader(io.StringIO(b"".join(
        staff_client.get(f"/jobs/{job.pk}/items.csv").streaming_content).decode())))
    assert rows[0] == ["key", "outcome", "message", "recorded_at"]
    assert len(rows) == 36 and {row[1] for row in rows[1:]} == {"written"}

    undone = staff_client.post(f"/jobs/{job.pk}/undo/")
    undoing = Job.objects.get(undoes=job)
    assert undone["Location"] == f"/jobs/{undoing.pk}/"
    run_queued()
    assert all(data.get_item(shop_table, order_key(n))["status"] == "PENDING"
               for n in range(35))
    listed = staff_client.get("/jobs/").content.decode()
    assert f"/jobs/{job.pk}/" in listed and f"/jobs/{undoing.pk}/" in listed


def test_a_running_job_is_polled_and_can_be_paused_resumed_and_cancelled(
        shop_table, staff_client):
    seed(shop_table, pending=12, shipped=0)
    job = new_job(staff_client)
    staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": "12"})
    page = staff_client.get(f"/jobs/{job.pk}/").content.decode()
    assert re.search(r'data-follow hx-get="/jobs/\d+/progress/" hx-trigger="every 2s', page)
    staff_client.post(f"/jobs/{job.pk}/pause/")
    job.refresh_from_db()
    assert job.state == Job.State.PAUSED
    run_queued()  # a paused job writes nothing
    assert all(data.get_item(shop_table, order_key(n))["version"] == 1 for n in range(12))
    staff_client.post(f"/jobs/{job.pk}/resume/")
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert all(data.get_item(shop_table, order_key(n))["version"] == 2 for n in range(12))

    other = Job.objects.create(kind="update", table="Application", entity="Application.Order",
                               source=job.source, parameters=job.parameters,
                               creator=job.creator, username="admin")
    staff_client.post(f"/jobs/{other.pk}/cancel/")
    other.refresh_from_db()
    assert other.state == Job.State.CANCELLED


def test_a_dry_run_from_the_page_writes_nothing(shop_table, staff_client):
    seed(shop_table, pending=8, shipped=0)
    job = new_job(staff_client, dry_run="on")
    assert "A dry run: nothing will be written." in staff_client.get(
        f"/jobs/{job.pk}/").content.decode()
    staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": "8"})
    run_queued()
    page = staff_client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<dd data-count="would_write">8</dd>' in page
    assert all(data.get_item(shop_table, order_key(n))["version"] == 1 for n in range(8))


def test_support_sees_no_apply_to_all_and_gets_403_on_every_job_url(
        shop_table, client, django_user_model, staff_client):
    seed(shop_table, pending=5, shipped=0)
    job = new_job(staff_client)
    ensure_groups()
    user = django_user_model.objects.create_user("support", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    client.force_login(user)
    assert "Apply to all" not in client.get(LIST).content.decode()
    for url in ("/jobs/", NEW + "?status=PENDING", f"/jobs/{job.pk}/",
                f"/jobs/{job.pk}/progress/", f"/jobs/{job.pk}/items.csv"):
        assert client.get(url).status_code == 403, url
    for operation in ("start", "pause", "resume", "cancel", "undo"):
        assert client.post(f"/jobs/{job.pk}/{operation}/",
                           {"confirmation": "5"}).status_code == 403, operation
    assert client.post(NEW + "?status=PENDING", {"what": "delete"}).status_code == 403
    job.refresh_from_db()
    assert job.state == Job.State.PREVIEW and Job.objects.count() == 1


def test_admins_may_run_jobs(shop_table, client, django_user_model):
    seed(shop_table, pending=3, shipped=0)
    ensure_groups()
    user = django_user_model.objects.create_user("boss", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Admin"))
    client.force_login(user)
    assert "Apply to all items this list matches" in client.get(LIST).content.decode()


def test_a_read_only_table_refuses_writing_jobs_and_offers_none(
        shop_table, staff_client, settings):
    seed(shop_table, pending=4, shipped=0)
    settings.DYNADMIN_READ_ONLY_TABLES = ("Application",)
    assert "Apply to all" not in staff_client.get(LIST).content.decode()
    refused = staff_client.post(NEW + "?status=PENDING", {
        "what": "update", "field": "status", "value": "CANCELLED"})
    assert refused.status_code == 400
    assert not Job.objects.exists()
    assert all(data.get_item(shop_table, order_key(n))["version"] == 1 for n in range(4))


def test_a_job_over_a_partition_keeps_to_its_sort_key_condition_and_entity(
        shop_table, staff_client):
    """User u0's orders of 2024-01-15 from order 00014 on: the partition also holds other
    orders (before the bound), which the job never touches."""
    seed(shop_table, pending=35, shipped=0)
    url = (NEW + "?pk=USER%23u0&sk_op=%3E%3D&sk=ORDER%232024-01-15%2300014")
    response = staff_client.post(url, {"what": "delete"})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.get()
    matched = [n for n in range(35) if n % 7 == 0 and n >= 14]  # 14, 21, 28
    assert f"Type {len(matched)} to start it" in staff_client.get(
        f"/jobs/{job.pk}/").content.decode()
    staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": str(len(matched))})
    run_queued()
    for n in range(35):
        assert (data.get_item(shop_table, order_key(n), consistent=True) is None) == (
            n in matched), n
    # Undoing the deletes puts them back (created again, never over another item).
    staff_client.post(f"/jobs/{job.pk}/undo/")
    run_queued()
    assert all(data.get_item(shop_table, order_key(n), consistent=True) is not None
               for n in range(35))


def test_the_items_csv_never_hands_a_spreadsheet_a_formula(shop_table, staff_client):
    job = Job.objects.create(kind="update", table="Application", entity="Application.Order",
                             creator=staff_client.user, username="admin", state="done")
    JobItem.objects.create(job=job, key='{"PK": {"S": "x"}}', key_digest="x",
                           key_text='=HYPERLINK("http://example.com")', status="failed",
                           message="-2+3")
    body = b"".join(staff_client.get(f"/jobs/{job.pk}/items.csv").streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[1][:3] == ["'=HYPERLINK(\"http://example.com\")", "failed", "'-2+3"]


def test_only_its_creator_starts_a_previewed_job(shop_table, staff_client, client,
                                                 django_user_model):
    """A job runs with its creator's permissions: a colleague who may run jobs too cannot set
    someone else's preview going (it would write as them)."""
    seed(shop_table, pending=3, shipped=0)
    job = new_job(staff_client)
    ensure_groups()
    colleague = django_user_model.objects.create_user("colleague", password="x",
                                                      is_staff=True)
    colleague.groups.add(Group.objects.get(name="Admin"))
    client.force_login(colleague)
    assert client.post(f"/jobs/{job.pk}/start/", {"confirmation": "3"}).status_code == 403
    job.refresh_from_db()
    assert job.state == Job.State.PREVIEW
