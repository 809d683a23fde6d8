"""Handing a job's work to the Tasks framework.

The task functions (``dynadmin.jobs.tasks``) find the admin site themselves, so they sit
above it; the pages and the engine below name them by path, as Django names its backends,
and import them only when work is queued (which is also when the Tasks framework must be
installed: ``pip install dynadmin[jobs]``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.module_loading import import_string

__all__ = ["enqueue"]

TASKS = {
    "plan": "dynadmin.jobs.tasks.plan_job",
    "work": "dynadmin.jobs.tasks.work_on_job",
    "watch": "dynadmin.jobs.tasks.watch_job",
}


def enqueue(name: str, job_id: int, *, after: float | None = None) -> None:
    """Queue the task ``name`` for the job (``after`` seconds from now at the earliest)."""
    task = import_string(TASKS[name])
    if after:
        if not task.get_backend().supports_defer:
            # A backend that runs work at once (immediate) has no worker to lose: nothing
            # to look after later.
            return
        task = task.using(run_after=timezone.now() + dt.timedelta(seconds=after))
    task.enqueue(job_id)
