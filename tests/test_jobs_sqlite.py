"""Jobs on a project's SQLite file with SQLite's default (deferred) transactions, while another
process writes to the same file: no transaction of a job's reader or workers reads before it
writes, since such a transaction cannot take the write lock another process holds meanwhile
and fails at once with "database is locked" (a write that comes first waits for the lock).

The other process is a second SQLite connection to the test database that takes the write
lock right after any read of the jobs' tables inside a transaction, and lets it go after
that transaction's next statement: a statement that then needs the write lock fails."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.files.storage import storages
from django.db import connection

from dynadmin.jobs import engine
from dynadmin.jobs.changes import creator_request
from dynadmin.models import Job
from dynadmin.sites import site
from examples.shop.definitions import Order

from .support.jobs import run_queued, seed, stored

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking")]

JOB_TABLES = ("dynadmin_job", "dynadmin_jobchunk", "dynadmin_jobitem")


class Interloper:
    """Another process's writer: it takes the write lock right after a read of the jobs'
    tables inside a transaction, and lets it go once that transaction has written (or
    ended). A transaction that has written already holds the lock: it is not taken then."""

    def __init__(self, path: str) -> None:
        self.other = sqlite3.connect(path, timeout=0, isolation_level=None)
        self.holding = False
        self.taken = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        head = sql.lstrip().split(None, 1)[0].upper()
        if self.holding and (head == "BEGIN" or not connection.in_atomic_block):
            self.release()  # the transaction that read has ended without writing
        if self.holding and head not in ("SELECT", "SAVEPOINT", "RELEASE"):
            try:
                return execute(sql, params, many, context)
            finally:
                self.release()
        result = execute(sql, params, many, context)
        if (not self.holding and connection.in_atomic_block and head == "SELECT"
                and any(f'"{name}"' in sql for name in JOB_TABLES)):
            try:
                self.other.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return result  # this transaction has written: it holds the lock
            self.holding = True
            self.taken += 1
        return result

    def release(self) -> None:
        if self.holding:
            self.other.execute("ROLLBACK")
            self.holding = False


@contextmanager
def deferred_and_contended() -> Iterator[Interloper]:
    """SQLite's own default transactions (the tests' settings begin them IMMEDIATE, as the
    ready-made project's do; a project of its own may not), and the interloper."""
    connection.ensure_connection()
    mode = connection.transaction_mode
    connection.transaction_mode = None
    interloper = Interloper(connection.settings_dict["NAME"])
    try:
        with connection.execute_wrapper(interloper):
            yield interloper
    finally:
        interloper.release()
        interloper.other.close()
        connection.transaction_mode = mode


def new_job(user: Any, kind: str, parameters: dict[str, Any]) -> Job:
    admin = site.get_entity_admin(Order)
    request = creator_request(user)
    return engine.create(site=site, admin=admin, request=request, kind=kind,
                         source=engine.sources.from_listing(admin, {"status": "PENDING"},
                                                            request),
                         parameters=parameters)


@pytest.fixture
def export_storage(tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    settings.DYNADMIN_EXPORT_STORAGE = "exports"
    return storages["exports"]


def test_a_job_finishes_on_sqlite_while_another_process_writes(
        shop_table, django_user_model, settings, export_storage):
    settings.DYNADMIN_JOB_PAGE_SIZE = 20
    seed(shop_table, pending=50)
    creator = django_user_model.objects.create_superuser("lead", "lead@example.com", "pw")
    export = new_job(creator, "export", {"format": "jsonl"})
    update = new_job(creator, "update", {"set": {"status": "CANCELLED"}})

    with deferred_and_contended():
        engine.start(export)
        run_queued()
        engine.start(update)
        run_queued()

    export.refresh_from_db()
    assert export.state == Job.State.DONE, export.message
    with export_storage.open(export.parameters["file_name"]) as file:
        assert len(file.read().splitlines()) == 50
    update.refresh_from_db()
    assert update.state == Job.State.DONE, update.message
    assert engine.counts(update)["written"] == 50
    assert all(stored(shop_table, n)["status"] == "CANCELLED" for n in range(50))
