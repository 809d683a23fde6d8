"""Orders for jobs to work on, and the jobs' queue (the Tasks framework's database
backend) run inside a test.

``db_worker`` closes Django's database connections between tasks, which a test's
transaction cannot survive; this runs the due tasks the same way (oldest first, each claimed,
then marked done or failed) in the test's own connection. The worker itself runs as a real
process in tests/test_jobs_worker.py.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

import boto3
from django_tasks_db.models import DBTaskResult

from dynadmin import data
from examples.shop.definitions import Order


def seed(table: Any, pending: int, shipped: int = 0) -> None:
    """``pending`` PENDING orders (the Order list's first tab), numbered from 0, then
    ``shipped`` SHIPPED ones; all version 1, spread over seven users."""
    resource = boto3.resource("dynamodb").Table(table.table_name)
    with resource.batch_writer() as batch:
        for number in range(pending + shipped):
            batch.put_item(Item=Order.build_item({
                "user_id": f"u{number % 7}", "order_id": f"{number:05d}",
                "placed_on": "2024-01-15",
                "placed_at": dt.datetime(2024, 1, 15, tzinfo=dt.UTC)
                + dt.timedelta(minutes=number),
                "status": "PENDING" if number < pending else "SHIPPED",
                "total": Decimal("1.00"), "version": 1}))


def order_key(number: int) -> dict[str, str]:
    return {"PK": f"USER#u{number % 7}", "SK": f"ORDER#2024-01-15#{number:05d}"}


def stored(table: Any, number: int) -> dict[str, Any]:
    """The order ``number`` as it is now (read consistently)."""
    item = data.get_item(table, order_key(number), consistent=True)
    assert item is not None
    return item


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
