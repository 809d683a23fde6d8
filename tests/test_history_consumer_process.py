"""The follow command as a real process: killed mid-batch (SIGKILL, nothing to clean up)
and started again, or run twice at once, every change of the stream is archived exactly
once, compared with the stream read in full."""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from dynadmin import data
from dynadmin.history.archive import HOUR, Checkpoint, archive

from .conftest import BACKEND
from .support.history import archived_in_hours, stream_records

pytestmark = [
    pytest.mark.django_db, pytest.mark.usefixtures("history"),
    pytest.mark.skipif(BACKEND == "moto", reason="moto undoes a cancelled transaction by "
                       "restoring the tables as they were when it began, erasing what other "
                       "requests wrote meanwhile: two writers at once lose changes there"),
]

ROOT = Path(__file__).resolve().parent.parent
#: Changes written: three GetRecords batches (a thousand records each), so that a kill after
#: the first checkpoint comes with most of the stream still to archive.
CHANGES = 2_500


def write_many(endpoint: str, table: Any, count: int) -> None:
    resource = boto3.resource("dynamodb", endpoint_url=endpoint).Table(table.table_name)
    with resource.batch_writer() as batch:
        for number in range(count):
            batch.put_item(Item={"PK": f"USER#u{number % 50}", "SK": f"ORDER#{number:06d}",
                                 "type": "Order", "n": number})


def command(table: Any, *arguments: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
                   "PYTHONUNBUFFERED": "1",
                   "DYNADMIN_TABLE_NAMES": (f"Application={table.table_name},"
                                            f"History={archive.table_name}")}
    return subprocess.Popen(
        [sys.executable, "manage.py", "dynadmin_history", "follow", *arguments],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)


def finished(process: subprocess.Popen[str]) -> str:
    output, _ = process.communicate(timeout=300)  # a guard against a hang, not a timing
    assert process.returncode == 0, output
    return output


def checkpointed(table: Any) -> int:
    """The sequence number the table's checkpoints are at (0: none yet)."""
    partition = Checkpoint.key({"source_table": table.table_name, "shard_id": "-"})[archive.pk]
    items = data.query(archive.primary, partition, consistent=True).items
    return max((int(item["sequence"]) for item in items), default=0)


def stream_sequences(table: Any) -> list[int]:
    return [int(r.sequence_number) for r in stream_records(table)]


def assert_exactly_once(table: Any) -> None:
    records = stream_records(table)
    stream = [int(r.sequence_number) for r in records]
    archived = archived_in_hours(table, {r.when.astimezone(dt.UTC).strftime(HOUR)
                                          for r in records})
    assert len(stream) == CHANGES
    twice = [s for s, n in collections.Counter(archived).items() if n > 1]
    assert twice == []
    assert sorted(archived) == sorted(stream)


def test_a_consumer_killed_mid_batch_resumes_and_archives_each_change_once(
        shop_table, dynamodb_endpoint) -> None:
    write_many(dynamodb_endpoint, shop_table, CHANGES)
    newest = max(stream_sequences(shop_table))
    following = command(shop_table, "--interval", "0.05")
    try:
        # until its first checkpoint: it is archiving (a guard against a hang, not a timing)
        for _ in range(3000):
            if checkpointed(shop_table) or following.poll() is not None:
                break
            time.sleep(0.02)
        following.send_signal(signal.SIGKILL)
        following.wait(timeout=60)
    finally:
        if following.poll() is None:
            following.kill()
    assert following.returncode == -signal.SIGKILL
    killed_at = checkpointed(shop_table)
    assert 0 < killed_at < newest  # killed with the stream partly archived

    output = finished(command(shop_table, "--once"))

    assert "Application:" in output and checkpointed(shop_table) == newest
    assert_exactly_once(shop_table)


def test_two_consumers_at_once_archive_each_change_once(shop_table, dynamodb_endpoint) -> None:
    write_many(dynamodb_endpoint, shop_table, CHANGES)

    processes = [command(shop_table, "--once") for _ in range(2)]
    outputs = [finished(process) for process in processes]

    archived = 0
    for output in outputs:
        line = next(line for line in output.splitlines() if line.startswith("Application:"))
        archived += int(line.split(" records read, ")[1].split(" archived")[0])
    assert archived == CHANGES  # between them, each change stored by one of the two
    assert_exactly_once(shop_table)
