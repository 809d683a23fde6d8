"""The task functions the Tasks framework's workers run: each finds the admin site (the
jobs run with the entity admins' hooks) and hands over to ``engine``.

Each takes only the job's id: the job's state lives in Django's database, so any worker on
any host may run any of them, in any order, more than once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
    engine.watch(site, job_id)


@contextmanager
def _as_creator(job_id: int) -> Iterator[None]:
    """The job's reads and writes fenced by its creator's scopes, as their pages are: a
    partition outside them is read as an empty one, without a call."""
    job = Job.objects.filter(pk=job_id).select_related("creator").first()
    creator = job.creator if job is not None else None
    if creator is None:
        yield
        return
    with data.fenced(site.fence(creator_request(creator, site.name))):
        yield
