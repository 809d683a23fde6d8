"""Bulk jobs over everything a list matches, on DynamoDB Local: every item written exactly
once with the guard of a single edit, items changed meanwhile listed as conflicts and never
overwritten, each write audited under the job, undone by a job of its own; a dry run writes
nothing.

The Tasks framework's database queue runs the work (``db_worker --batch`` in this process):
the reader first, so that editors can change items between the read and the writes."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dynadmin import data
from dynadmin.data.conditions import Equals
from dynadmin.jobs import chunks, engine
from dynadmin.jobs.changes import BadJob, creator_request
from dynadmin.models import AuditEntry, Job, JobChunk, JobItem
from dynadmin.sites import site
from examples.shop.definitions import Order

from . import fakes
from .conftest import BACKEND
from .support.jobs import order_key, run_queued, seed, stored
from .support.people import person

pytestmark = pytest.mark.django_db

MATCHED = 230


def new_job(user: Any, kind: str = "update", parameters: dict[str, Any] | None = None, *,
            dry_run: bool = False) -> Job:
    admin = site.get_entity_admin(Order)
    request = creator_request(user)
    source = engine.sources.from_listing(admin, {"status": "PENDING"}, request)
    return engine.create(site=site, admin=admin, request=request, kind=kind, source=source,
                         parameters={"set": {"status": "CANCELLED"}}
                         if parameters is None else parameters, dry_run=dry_run)


@pytest.fixture
def creator(django_user_model):
    return django_user_model.objects.create_superuser("lead", "lead@example.com", "pw")


@pytest.fixture
def small_pages(settings):
    settings.DYNADMIN_JOB_PAGE_SIZE = 40


@pytest.mark.usefixtures("small_pages")
@pytest.mark.skipif(BACKEND == "moto", reason="DynamoDB Local's guards are the reference")
def test_a_set_status_job_writes_every_match_once_and_lists_what_editors_changed(
        shop_table, creator):
    seed(shop_table, MATCHED, 20)
    job = new_job(creator)
    engine.start(job)
    # The reader runs first: it stores each page's keys and versions as a chunk.
    engine.plan(site, job.pk)
    job.refresh_from_db()
    assert job.planned and job.chunks.count() == -(-MATCHED // 40)
    # Editors change 25 of the matched orders before the job writes them.
    edited = set(range(0, MATCHED, 9))
    for number in edited:
        data.update_item(shop_table, order_key(number), set={"total": Decimal("2.00"),
                                                              "version": 2},
                         condition=Equals("version", 1))
    run_queued()

    job.refresh_from_db()
    counts = engine.counts(job)
    assert job.state == Job.State.DONE, job.message
    assert counts["read"] == MATCHED
    assert counts["written"] == MATCHED - len(edited)
    assert counts["conflicted"] == len(edited)
    assert counts["done"] == MATCHED
    for number in range(MATCHED):
        item = stored(shop_table, number)
        if number in edited:  # never overwritten
            assert (item["status"], item["version"], item["total"]) == (
                "PENDING", 2, Decimal("2.00"))
        else:  # written exactly once
            assert (item["status"], item["version"]) == ("CANCELLED", 2)
    shipped = stored(shop_table, MATCHED)
    assert (shipped["status"], shipped["version"]) == ("SHIPPED", 1)
    conflicts = set(JobItem.objects.filter(job=job, status="conflicted")
                    .values_list("key_text", flat=True))
    assert conflicts == {f"USER#u{n % 7} / ORDER#2024-01-15#{n:05d}" for n in edited}
    applied = AuditEntry.objects.filter(job=job, outcome=AuditEntry.Outcome.APPLIED)
    assert applied.count() == counts["written"]
    assert set(applied.values_list("username", flat=True)) == {"lead"}

    # Undo restores every item the job wrote, except those changed since.
    changed_since = 1
    data.update_item(shop_table, order_key(changed_since), set={"version": 3},
                     condition=Equals("version", 2))
    undoing = engine.undo_job(job, creator_request(creator))
    run_queued()
    undoing.refresh_from_db()
    undone = engine.counts(undoing)
    assert undoing.state == Job.State.DONE, undoing.message
    assert undone["written"] == counts["written"] - 1
    assert undone["conflicted"] == 1
    for number in range(MATCHED):
        item = stored(shop_table, number)
        if number in edited:
            assert item["version"] == 2
        elif number == changed_since:
            assert (item["status"], item["version"]) == ("CANCELLED", 3)
        else:
            assert (item["status"], item["version"]) == ("PENDING", 3)


class Killed(BaseException):
    """The worker's process ending where it stands (no ``except``, no ``finally`` after)."""


@pytest.mark.usefixtures("small_pages")
def test_a_worker_killed_before_recording_the_items_it_wrote_loses_and_doubles_nothing(
        shop_table, creator, monkeypatch):
    seed(shop_table, pending=60, shipped=0)
    job = new_job(creator)
    engine.start(job)
    engine.plan(site, job.pk)

    # The first worker writes the first page's 40 items and is killed before it records
    # their outcomes (it records those of the items read together at once).
    def killed(self, outcomes, entries=()):
        if outcomes:
            raise Killed

    def lease_runs_out():
        JobChunk.objects.filter(job=job).update(
            lease_until=timezone.now() - dt.timedelta(seconds=1))

    with monkeypatch.context() as patched:
        patched.setattr(chunks._Chunk, "record_all", killed)
        with pytest.raises(Killed):
            engine.work(site, job.pk)
        assert JobItem.objects.filter(job=job).count() == 0
        assert sum(stored(shop_table, n)["version"] == 2 for n in range(60)) == 40
        # The worker that takes the chunk over settles those 40 and is killed too before
        # recording them: what the first one read is still noted for the next.
        lease_runs_out()
        with pytest.raises(Killed):
            engine.work(site, job.pk)
    assert JobItem.objects.filter(job=job).count() == 0
    # Its lease runs out; another worker takes the chunk over and does the rest.
    lease_runs_out()
    run_queued()

    job.refresh_from_db()
    counts = engine.counts(job)
    assert job.state == Job.State.DONE, job.message
    assert (counts["written"], counts["conflicted"], counts["done"]) == (60, 0, 60)
    for number in range(60):  # written exactly once
        assert (stored(shop_table, number)["status"],
                stored(shop_table, number)["version"]) == ("CANCELLED", 2)
    applied = AuditEntry.objects.filter(job=job, outcome=AuditEntry.Outcome.APPLIED)
    assert applied.count() == 60
    # The killed worker's 40 writes are audited by the one that took over, from the items
    # as the killed one read them: what they were before, undoable like the others.
    taken_over = applied.filter(detail__startswith="Recorded by the worker that took")
    assert taken_over.count() == 40
    assert all('"PENDING"' in entry.before and '"CANCELLED"' in entry.after
               for entry in taken_over)
    assert {"status", "version"} <= set(taken_over[0].diff)
    undoing = engine.undo_job(job, creator_request(creator))
    run_queued()
    undoing.refresh_from_db()
    assert engine.counts(undoing)["written"] == 60, undoing.message
    assert {stored(shop_table, n)["status"] for n in range(60)} == {"PENDING"}


def test_a_dry_run_writes_nothing_and_says_what_it_would_write(shop_table, creator):
    seed(shop_table, pending=60, shipped=0)
    job = new_job(creator, dry_run=True)
    engine.start(job)
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert engine.counts(job)["would_write"] == 60
    assert all(stored(shop_table, n)["version"] == 1 for n in range(60))
    assert not AuditEntry.objects.exists()


def test_an_action_job_runs_the_entitys_action_on_every_match(shop_table, creator):
    seed(shop_table, pending=50, shipped=5)
    job = new_job(creator, "action", {"action": "mark_shipped"})
    engine.start(job)
    run_queued()
    job.refresh_from_db()
    assert engine.counts(job)["written"] == 50
    assert {stored(shop_table, n)["status"] for n in range(50)} == {"SHIPPED"}
    assert AuditEntry.objects.filter(job=job, action="action").count() == 50


def test_a_value_the_form_would_refuse_makes_no_job(shop_table, creator):
    with pytest.raises(BadJob, match="Status: Select a valid choice"):
        new_job(creator, parameters={"set": {"status": "LOST"}})
    with pytest.raises(BadJob, match="order_id"):
        new_job(creator, parameters={"set": {"order_id": "1"}})
    assert not Job.objects.exists()


def test_items_the_creator_may_not_change_are_refused_one_by_one(
        shop_table, client, django_user_model):
    """The creator's permission is asked again of every item: lost midway, refused."""
    seed(shop_table, pending=10, shipped=0)
    person(client, django_user_model, "view_application_order",
           "change_application_order", name="bulk")
    user = django_user_model.objects.get(username="bulk")
    from django.contrib.auth.models import Permission
    user.user_permissions.add(Permission.objects.get(codename="run_bulk_jobs"))
    user = django_user_model.objects.get(pk=user.pk)
    job = new_job(user)
    engine.start(job)
    user.user_permissions.remove(Permission.objects.get(codename="change_application_order"))
    run_queued()
    job.refresh_from_db()
    assert engine.counts(job)["refused"] == 10
    assert all(stored(shop_table, n)["version"] == 1 for n in range(10))


@pytest.fixture
def throttling(shop_table, dynamodb_endpoint):
    """A proxy in front of DynamoDB Local that answers some calls as a throttled table."""
    saved = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    with fakes.DroppingProxy(dynamodb_endpoint) as proxy:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = proxy.endpoint
        data.reset_client()
        try:
            yield proxy
        finally:
            os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = saved or dynamodb_endpoint
            data.reset_client()


# botocore's adaptive retries slow the client itself after throttling (about half a minute
# here, whatever the items): a run at scale.
@pytest.mark.usefixtures("small_pages")
def test_a_throttled_table_slows_a_job_and_never_fails_it(shop_table, creator, throttling):
    seed(shop_table, 20)
    job = new_job(creator)
    throttled = "ProvisionedThroughputExceededException"
    throttling.answer_error("Query", throttled, times=3)
    throttling.answer_error("BatchGetItem", throttled, times=3)
    throttling.answer_error("UpdateItem", throttled, times=5)
    engine.start(job)
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    counts = engine.counts(job)
    assert counts["written"] == 20 and counts["failed"] == 0
    assert {action for operation, action in throttling.handled} >= {fakes.ANSWER_ERROR}
    assert all(stored(shop_table, n)["version"] == 2 for n in range(20))
    applied = AuditEntry.objects.filter(job=job, outcome=AuditEntry.Outcome.APPLIED)
    assert applied.count() == 20


@pytest.mark.usefixtures("small_pages")
def test_the_reader_reads_the_next_page_while_it_stores_the_one_before(
        shop_table, creator, monkeypatch):
    """A page's chunk is stored (an export's page written) while DynamoDB reads the next:
    the reader no longer waits for the one, then the other."""
    import threading

    seed(shop_table, pending=100, shipped=0)
    job = new_job(creator)
    engine.start(job)
    first_storing, second_read = threading.Event(), threading.Event()
    overlapped: list[bool] = []
    read_page, store_page = engine.sources.read_page, engine._store_page

    def reading(query, entity, start_key):
        if start_key is not None and not second_read.is_set():
            first_storing.wait(2)  # the second page: read while the first is stored
            try:
                return read_page(query, entity, start_key)
            finally:
                second_read.set()
        return read_page(query, entity, start_key)

    def storing(ctx, page, start_key, number, **options):
        if number == 0:
            first_storing.set()
            overlapped.append(second_read.wait(2))
        return store_page(ctx, page, start_key, number, **options)

    monkeypatch.setattr(engine.sources, "read_page", reading)
    monkeypatch.setattr(engine, "_store_page", storing)
    engine.plan(site, job.pk)
    assert overlapped == [True]
    assert JobChunk.objects.filter(job=job).count() == 3
    run_queued()
    job.refresh_from_db()
    assert engine.counts(job)["written"] == 100, job.message


@pytest.mark.usefixtures("small_pages")
def test_a_worker_that_caught_up_with_the_reader_takes_its_next_page_at_once(
        shop_table, creator, monkeypatch):
    """A worker with nothing to take while the reader still reads looks for the next page
    every half second: it slept for a whole lease (a minute), the job stalled meanwhile."""
    seed(shop_table, pending=100, shipped=0)
    job = new_job(creator)
    engine.start(job)
    engine.plan(site, job.pk)
    # As if the reader had stored the first page only and were reading the rest.
    later = list(JobChunk.objects.filter(job=job, number__gt=0).values())
    JobChunk.objects.filter(job=job, number__gt=0).delete()
    Job.objects.filter(pk=job.pk).update(planned=False, planner_lease=chunks.lease_until())
    naps: list[float] = []
    sleep = engine.time.sleep

    def napping(seconds):
        naps.append(seconds)
        if later:  # the reader stores its pages and is done
            JobChunk.objects.bulk_create([JobChunk(**row) for row in later])
            Job.objects.filter(pk=job.pk).update(planned=True, planner_lease=None)
            later.clear()
        sleep(min(seconds, 0.01))

    monkeypatch.setattr(engine.time, "sleep", napping)
    engine.work(site, job.pk)
    monkeypatch.undo()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert engine.counts(job)["written"] == 100
    assert naps and max(naps) <= engine.WAIT_STEP


def test_a_worker_renews_its_lease_saves_what_it_consumed_and_audits_once_a_while_not_per_item(
        shop_table, creator):
    """Over an entity with a Version, a page's audit entries are saved in one INSERT with
    its items' outcomes: a commit per write was half a job's time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seed(shop_table, pending=60, shipped=0)
    job = new_job(creator)
    engine.start(job)
    with CaptureQueriesContext(connection) as queries:
        run_queued()
    job.refresh_from_db()
    assert engine.counts(job)["written"] == 60
    statements = [q["sql"] for q in queries.captured_queries]
    renewals = [s for s in statements if s.startswith("UPDATE") and "jobchunk" in s
                and "lease_until" in s and "state" not in s]
    savings = [s for s in statements if s.startswith("UPDATE") and "consumed_wcu" in s]
    chunks = job.chunks.count()
    # one renewal as each chunk starts (the lease is a minute; the chunks take less)
    assert len(renewals) <= chunks
    # what was consumed is saved when the lease is renewed and when the chunk ends
    assert len(savings) <= 2 * chunks + 1
    assert job.consumed_wcu > 0
    audited = [s for s in statements if s.startswith('INSERT INTO "dynadmin_auditentry"')]
    # 60 items, one page a chunk: one bulk INSERT a page (SQLite's takes it in two)
    assert 0 < len(audited) <= 2 * chunks
    assert AuditEntry.objects.filter(job=job, outcome=AuditEntry.Outcome.APPLIED).count() == 60
    assert not JobChunk.objects.filter(job=job).exclude(writing={}).exists()


@pytest.mark.django_db(transaction=True)
def test_a_task_closes_a_broken_database_connection_before_it_runs(shop_table, creator):
    # RQ's SimpleWorker (and db_worker) run every task in one long-lived process: a connection
    # broken by a database restart would fail every task after it, as Django's request cycle
    # would fail every page without close_old_connections.
    from django.db import connection

    from dynadmin.jobs import tasks

    job = new_job(creator)
    connection.ensure_connection()
    connection.errors_occurred = True
    closed = []
    real_close = connection.close
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection, "is_usable", lambda: False)
        patch.setattr(connection, "close", lambda: closed.append(1) or real_close())
        tasks.watch_job.call(job.pk)
    assert closed  # closed (and opened again by the task's first query)
    assert Job.objects.filter(pk=job.pk).exists()


@pytest.mark.usefixtures("small_pages")
def test_no_task_of_a_job_runs_past_its_time_a_fresh_one_goes_on(shop_table, creator,
                                                                  settings, monkeypatch):
    # A queue may stop a task that runs too long (RQ: after 180 s by default), in the middle
    # of a chunk. Past DYNADMIN_JOB_TASK_SECONDS the reader (after a page) and a worker
    # (after a chunk) queue a fresh task and end: here at once, so each does one.
    settings.DYNADMIN_JOB_TASK_SECONDS = 0
    seed(shop_table, MATCHED)
    ran: list[int] = []  # chunks each worker task ran
    pages: list[int] = []  # chunks stored by each reader task
    real_work, real_plan, real_change = engine.work, engine.plan, engine.KINDS["update"]

    def work(site_, job_id):
        ran.append(0)
        real_work(site_, job_id)

    def plan(site_, job_id):
        before = JobChunk.objects.filter(job_id=job_id).count()
        real_plan(site_, job_id)
        pages.append(JobChunk.objects.filter(job_id=job_id).count() - before)

    def change(ctx, chunk):
        ran[-1] += 1
        return real_change(ctx, chunk)

    monkeypatch.setattr(engine, "work", work)
    monkeypatch.setattr(engine, "plan", plan)
    monkeypatch.setitem(engine.KINDS, "update", change)
    job = new_job(creator)
    engine.start(job)
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert max(pages) == 1 and sum(pages) == JobChunk.objects.filter(job=job).count() >= 6
    assert max(ran) == 1 and sum(ran) == 6  # 230 orders, 40 a page
    assert all(stored(shop_table, n)["version"] == 2 for n in range(MATCHED))
    assert engine.counts(job)["written"] == MATCHED
