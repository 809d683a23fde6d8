"""Running the jobs' queue (the Tasks framework's database backend) inside a test.

``db_worker`` closes Django's database connections between tasks, which a test's
transaction cannot survive; this runs the due tasks the same way (oldest first, each claimed,
then marked done or failed) in the test's own connection. The worker itself runs as a real
process in tests/test_jobs_worker.py.
"""

from django_tasks_db.models import DBTaskResult


def run_queued(most: int = 10_000) -> int:
    """Run every task that is due, and those they queue, until none is due; how many ran."""
    for ran in range(most):
        result = DBTaskResult.objects.ready().first()
        if result is None:
            return ran
        result.claim("tests")
        try:
            result.task.call(*result.task_result.args, **result.task_result.kwargs)
        except BaseException as exc:
            result.set_failed(exc)
            raise
        result.set_successful(None)
    raise AssertionError(f"more than {most} tasks: a job queues work without end")
