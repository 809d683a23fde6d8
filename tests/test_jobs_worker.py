"""A job on real ``db_worker`` processes: one killed (SIGKILL, mid-chunk) and another started,
the job finishes with every matched item written exactly once (its version one higher, never
two) and its outcome counts adding up to the items matched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from dynadmin.jobs import engine
from dynadmin.jobs.changes import creator_request
from dynadmin.models import Job, JobChunk, JobItem
from dynadmin.sites import site
from examples.shop.definitions import Order

from .conftest import BACKEND
from .support.jobs import seed, stored

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(BACKEND == "moto", reason="DynamoDB Local's guards are the "
                                 "reference; the moto leg runs the in-process job tests")]

ROOT = Path(__file__).resolve().parent.parent
MATCHED = 300


def worker(table: Any) -> subprocess.Popen[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
                   "PYTHONUNBUFFERED": "1",
                   "DYNADMIN_TEST_DATABASE": str(connection.settings_dict["NAME"]),
                   "DYNADMIN_TABLE_NAMES": f"Application={table.table_name}",
                   "DYNADMIN_JOB_LEASE_SECONDS": "2", "DYNADMIN_JOB_PAGE_SIZE": "30"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.1"], cwd=ROOT, env=environment, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)


def stop(process: subprocess.Popen[str], how: int = signal.SIGTERM) -> str:
    os.killpg(process.pid, how)
    output, _ = process.communicate(timeout=60)  # a guard against a hang, not a timing
    return output


def wait_for(condition: Any, process: subprocess.Popen[str]) -> None:
    for _ in range(1200):  # a guard against a hang, not a timing
        if condition():
            return
        assert process.poll() is None, process.communicate()[0]
        time.sleep(0.05)
    raise AssertionError(f"the worker made no progress: {progress()}")


def progress() -> str:
    from django_tasks_db.models import DBTaskResult

    jobs = list(Job.objects.values("id", "state", "planned", "message"))
    chunks = list(JobChunk.objects.values_list("number", "state", "lease_owner", "lease_until"))
    tasks = list(DBTaskResult.objects.values_list("task_path", "status", "run_after"))
    return f"{jobs} {chunks} {tasks} items={JobItem.objects.count()}"


def test_a_worker_killed_mid_job_loses_nothing_and_doubles_nothing(
        shop_table, django_user_model, settings):
    settings.DYNADMIN_JOB_PAGE_SIZE = 30
    seed(shop_table, MATCHED)
    creator = django_user_model.objects.create_superuser("lead", "lead@example.com", "pw")
    admin = site.get_entity_admin(Order)
    request = creator_request(creator)
    job = engine.create(
        site=site, admin=admin, request=request, kind="update",
        source=engine.sources.from_listing(admin, {"status": "PENDING"}, request),
        parameters={"set": {"status": "CANCELLED"}})
    engine.start(job)
    first = worker(shop_table)
    try:
        wait_for(lambda: JobItem.objects.filter(job=job).count() >= 45, first)
    finally:
        stop(first, signal.SIGKILL)
    assert not Job.objects.get(pk=job.pk).finished
    second = worker(shop_table)
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).finished, second)
    finally:
        output = stop(second)

    job.refresh_from_db()
    assert job.state == Job.State.DONE, (job.message, output)
    counts = engine.counts(job)
    assert counts["read"] == MATCHED
    assert counts["written"] == MATCHED, counts
    assert counts["done"] == MATCHED
    for number in range(MATCHED):
        item = stored(shop_table, number)
        assert (item["status"], item["version"]) == ("CANCELLED", 2)
