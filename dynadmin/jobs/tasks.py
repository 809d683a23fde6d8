"""The task functions the Tasks framework's workers run: each finds the admin site (the
jobs run with the entity admins' hooks) and hands over to ``engine``.

Each takes only the job's id: the job's state lives in Django's database, so any worker on
any host may run any of them, in any order, more than once. Each closes the database
connections that are broken or past their age before and after it runs, as Django does around
a request: a worker that runs its tasks in one long-lived process (``db_worker``, RQ's
``SimpleWorker``) recovers from a database that restarted. (Not a task run at once inside
its caller's transaction: closing would end it.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import close_old_connections, connections

from .. import data
from ..models import Job
from ..sites import site
from . import engine
from .changes import creator_request
from .compat import task

__all__ = ["plan_job", "watch_job", "work_on_job"]


@task()
def plan_job(job_id: int) -> None:
    """Read the job's source into chunks."""
    with _as_creator(job_id):
        engine.plan(site, job_id)


@task()
def work_on_job(job_id: int) -> None:
    """Take one chunk of the job and write its items."""
    with _as_creator(job_id):
        engine.work(site, job_id)


@task()
def watch_job(job_id: int) -> None:
    """Queue again what a killed worker left, until the job ends."""
    with _connections_checked():
        engine.watch(site, job_id)


@contextmanager
def _as_creator(job_id: int) -> Iterator[None]:
    """The job's reads and writes fenced by its creator's scopes, as their pages are: a
    partition outside them is read as an empty one, without a call."""
    with _connections_checked():
        job = Job.objects.filter(pk=job_id).select_related("creator").first()
        creator = job.creator if job is not None else None
        if creator is None:
            yield
            return
        with data.fenced(site.fence(creator_request(creator, site.name))):
            yield


@contextmanager
def _connections_checked() -> Iterator[None]:
    """Broken or aged connections closed before and after the task (see the module)."""
    _close_old_connections()
    try:
        yield
    finally:
        _close_old_connections()


def _close_old_connections() -> None:
    if not any(connection.in_atomic_block for connection in connections.all(
            initialized_only=True)):
        close_old_connections()
