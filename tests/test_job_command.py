"""``manage.py dynadmin_job``: the same jobs as the pages, run as a named person whose
permissions apply; list, show (text and JSON), pause, resume, cancel; a set job over an
entity's list from the command line, its dry run, and its own write limit kept."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError

from dynadmin import data
from dynadmin.models import Job
from dynadmin.permissions import ensure_groups

from .support.jobs import order_key, run_queued, seed

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("dynadmin_job", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "b@example.com", "pw")


def test_a_set_job_from_the_command_line_runs_and_shows_its_counts(shop_table, boss):
    seed(shop_table, pending=12, shipped=3)
    said = run("set", "--entity", "Application.Order", "--filter", "status=PENDING",
               "--set", "status=CANCELLED", "--as", "boss")
    job = Job.objects.get()
    assert f"Job {job.pk}: 12 items in 1 Query pages" in said
    assert job.state == Job.State.QUEUED and job.parameters["set"] == {"status": "CANCELLED"}
    assert job.creator == boss
    run_queued()
    assert all(data.get_item(shop_table, order_key(n))["status"] == "CANCELLED"
               for n in range(12))
    assert data.get_item(shop_table, order_key(12))["status"] == "SHIPPED"

    shown = run("show", str(job.pk), "--as", "boss")
    assert f"Job {job.pk}: update Application.Order by boss, done" in shown
    assert "items read: 12, done: 12 (12 written)" in shown
    report = json.loads(run("show", str(job.pk), "--json", "--as", "boss"))
    assert report["counts"]["written"] == 12 and report["state"] == "done"
    assert report["consumed_wcu"] > 0  # what each backend counts for a write differs

    assert f"{job.pk}\tdone\tupdate\tApplication.Order\tboss" in run("list", "--as", "boss")
    assert run("list", "--state", "running", "--as", "boss").strip() == "No jobs."


def test_a_dry_run_writes_nothing(shop_table, boss):
    seed(shop_table, pending=4)
    run("set", "--entity", "Application.Order", "--filter", "status=PENDING",
        "--set", "status=CANCELLED", "--dry-run", "--as", "boss")
    run_queued()
    job = Job.objects.get()
    assert job.dry_run and job.state == Job.State.DONE
    assert all(data.get_item(shop_table, order_key(n))["version"] == 1 for n in range(4))
    assert "4 would_write" in run("show", str(job.pk), "--as", "boss")


def test_pause_resume_and_cancel(shop_table, boss):
    seed(shop_table, pending=5)
    run("set", "--entity", "Application.Order", "--filter", "status=PENDING",
        "--set", "status=CANCELLED", "--as", "boss")
    job = Job.objects.get()
    assert run("pause", str(job.pk), "--as", "boss").strip() == f"Job {job.pk}: Paused."
    run_queued()  # a paused job writes nothing
    assert all(data.get_item(shop_table, order_key(n))["version"] == 1 for n in range(5))
    assert run("resume", str(job.pk), "--as", "boss").strip() == f"Job {job.pk}: Running."
    assert run("cancel", str(job.pk), "--as", "boss").strip() == f"Job {job.pk}: Cancelled."
    with pytest.raises(CommandError, match="is cancelled: it cannot be resumed"):
        run("resume", str(job.pk), "--as", "boss")


def test_bad_input_is_a_clear_message_and_makes_no_job(shop_table, boss):
    seed(shop_table, pending=2)
    for args, message in [
        (["--set", "status=NOPE"], "NOPE"),
        (["--set", "status"], "write FIELD=VALUE"),
        (["--set", "status=CANCELLED", "--filter", "status"], "write NAME=VALUE"),
    ]:
        with pytest.raises(CommandError, match=message):
            run("set", "--entity", "Application.Order", "--filter", "status=PENDING",
                *args, "--as", "boss")
    for limit in ("0", "-5", "nan", "inf", "fast"):
        with pytest.raises(CommandError, match="units per second above 0"):
            run("set", "--entity", "Application.Order", "--filter", "status=PENDING",
                "--set", "status=CANCELLED", "--max-wcu", limit, "--as", "boss")
    with pytest.raises(CommandError, match="No registered entity"):
        run("set", "--entity", "Application.Nope", "--set", "a=b", "--as", "boss")
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        run("list", "--as", "nobody")
    with pytest.raises(CommandError, match="No job 99"):
        run("show", "99", "--as", "boss")
    assert not Job.objects.exists()


def test_permissions_hold_as_on_the_pages(shop_table, boss, django_user_model):
    seed(shop_table, pending=3)
    run("set", "--entity", "Application.Order", "--filter", "status=PENDING",
        "--set", "status=CANCELLED", "--as", "boss")
    job = Job.objects.get()
    ensure_groups()
    support = django_user_model.objects.create_user("support", password="x", is_staff=True)
    support.groups.add(Group.objects.get(name="Support"))
    for args in (["list"], ["show", str(job.pk)], ["cancel", str(job.pk)]):
        with pytest.raises(CommandError, match="may not run jobs"):
            run(*args, "--as", "support")
    with pytest.raises(CommandError, match="may not run jobs"):
        run("set", "--entity", "Application.Order", "--filter", "status=PENDING",
            "--set", "status=PAID", "--as", "support")
    # the bulk permission without the entity's view permission
    blind = django_user_model.objects.create_user("blind", password="x", is_staff=True)
    blind.user_permissions.add(Permission.objects.get(codename="run_bulk_jobs"))
    with pytest.raises(CommandError, match="may not view"):
        run("show", str(job.pk), "--as", "blind")
    assert "No jobs." in run("list", "--as", "blind")
    job.refresh_from_db()
    assert Job.objects.count() == 1 and job.state == Job.State.QUEUED


@pytest.mark.slow
def test_max_wcu_keeps_the_measured_write_rate_within_a_tenth_of_it(shop_table, boss,
                                                                     settings):
    """The job's own record (WCU consumed over the time from its start to its end) keeps
    to ``--max-wcu 100`` within 10 %: 1,500 one-WCU orders in 15 chunks of 100."""
    seed(shop_table, pending=1500)
    run("set", "--entity", "Application.Order", "--filter", "status=PENDING",
        "--set", "status=CANCELLED", "--max-wcu", "100", "--as", "boss")
    run_queued()
    report = json.loads(run("show", str(Job.objects.get().pk), "--json", "--as", "boss"))
    assert report["counts"]["written"] == 1500 and report["max_wcu"] == 100
    assert 90 <= report["wcu_per_second"] <= 110, report


def test_a_delete_job_over_a_partition(shop_table, boss):
    seed(shop_table, pending=14)
    said = run("delete", "--entity", "Application.Order", "--pk", "USER#u0", "--as", "boss")
    job = Job.objects.get()
    assert job.kind == Job.Kind.DELETE and f"Job {job.pk}: 2 items" in said
    run_queued()
    assert data.get_item(shop_table, order_key(0)) is None
    assert data.get_item(shop_table, order_key(7)) is None
    assert data.get_item(shop_table, order_key(1)) is not None


def test_wait_prints_progress_then_the_counts_as_json(shop_table, boss, monkeypatch):
    from types import SimpleNamespace

    from dynadmin.management.commands import dynadmin_job

    # while the command waits between two looks at the job, the worker's share runs here
    monkeypatch.setattr(dynadmin_job, "time", SimpleNamespace(sleep=lambda _: run_queued()))
    seed(shop_table, pending=6)
    said = run("set", "--entity", "Application.Order", "--filter", "status=PENDING",
               "--set", "status=CANCELLED", "--wait", "--json", "--as", "boss")
    report = json.loads(said)
    assert report["state"] == "done" and report["counts"]["written"] == 6
    text = run("show", str(report["id"]), "--as", "boss")
    assert "done: 6 (6 written)" in text
