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
#: Redis for the RQ leg (the port set aside for these tests)


DB_WORKER = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")


def worker(table: Any, command: tuple[str, ...] = DB_WORKER, **environ: str
           ) -> subprocess.Popen[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
                   "PYTHONUNBUFFERED": "1",
                   "DYNADMIN_TEST_DATABASE": str(connection.settings_dict["NAME"]),
                   "DYNADMIN_TABLE_NAMES": f"Application={table.table_name}",
                   "DYNADMIN_JOB_LEASE_SECONDS": "2", "DYNADMIN_JOB_PAGE_SIZE": "30",
                   **environ}
    return subprocess.Popen(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


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
    jobs = list(Job.objects.values("id", "state", "planned", "message"))
    chunks = list(JobChunk.objects.values_list("number", "state", "lease_owner", "lease_until"))
    return f"{jobs} {chunks} items={JobItem.objects.count()}"


def set_status_job(django_user_model: Any) -> Job:
    creator = django_user_model.objects.create_superuser("lead", "lead@example.com", "pw")
    admin = site.get_entity_admin(Order)
    request = creator_request(creator)
    return engine.create(
        site=site, admin=admin, request=request, kind="update",
        source=engine.sources.from_listing(admin, {"status": "PENDING"}, request),
        parameters={"set": {"status": "CANCELLED"}})


def assert_written_once(table: Any, job: Job, output: str) -> None:
    job.refresh_from_db()
    assert job.state == Job.State.DONE, (job.message, output)
    counts = engine.counts(job)
    assert counts["read"] == MATCHED
    assert counts["written"] == MATCHED, counts
    assert counts["done"] == MATCHED
    for number in range(MATCHED):
        item = stored(table, number)
        assert (item["status"], item["version"]) == ("CANCELLED", 2)


def test_a_worker_killed_mid_job_loses_nothing_and_doubles_nothing(
        shop_table, django_user_model, settings):
    settings.DYNADMIN_JOB_PAGE_SIZE = 30
    seed(shop_table, MATCHED)
    job = set_status_job(django_user_model)
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
    assert_written_once(shop_table, job, output)


@pytest.fixture
def redis_queue(settings):
    """The jobs' queue on Redis (django-tasks-rq), on this helper's port when it is free."""
    from examples.project.services import ServiceMissing, start_redis

    try:
        server = start_redis()  # a free port
    except ServiceMissing as exc:
        pytest.skip(str(exc))
    settings.RQ_QUEUES = {"default": {"URL": server.url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    try:
        yield server.url
    finally:
        server.stop()


@pytest.mark.shared_state
def test_two_rq_workers_one_killed_mid_job_write_every_item_once(
        shop_table, django_user_model, settings, redis_queue):
    settings.DYNADMIN_JOB_PAGE_SIZE = 30
    seed(shop_table, MATCHED)
    job = set_status_job(django_user_model)
    engine.start(job)
    command = ("rqworker", "default", "--job-class", "django_tasks_rq.Job",
               "--worker-class", "rq.worker.SimpleWorker", "--with-scheduler")
    first = worker(shop_table, command, DYNADMIN_TASKS_RQ_URL=redis_queue)
    second = worker(shop_table, command, DYNADMIN_TASKS_RQ_URL=redis_queue)
    output = ""
    try:
        wait_for(lambda: JobItem.objects.filter(job=job).count() >= 45, first)
        output = stop(first, signal.SIGKILL)
        wait_for(lambda: Job.objects.get(pk=job.pk).finished, second)
    except AssertionError as exc:
        if first.poll() is None:
            output = stop(first, signal.SIGKILL)
        raise AssertionError(f"{exc}\n{output}\n{stop(second, signal.SIGKILL)}") from None
    output += stop(second, signal.SIGKILL)
    assert_written_once(shop_table, job, output)
