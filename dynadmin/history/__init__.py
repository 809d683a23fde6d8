"""The archive of changes: every stream record of a table, kept for as long as the team
chooses, read newest first in one Query.

``archive`` declares the archive's own table; ``consumer`` writes stream records into it
exactly once (``python manage.py dynadmin_history follow``); ``lambda_handler`` does the same
for the records AWS Lambda's DynamoDB Streams event source mapping hands it, which then does
the reading, the checkpointing and the retries.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..data.errors import DataError, InvalidRequest
from ..data.parallel import in_parallel
from ..data.serialization import loads_dynamodb_json
from ..data.streams.reading import StreamRecord

__all__ = ["lambda_handler", "lambda_record"]


def lambda_record(raw: Mapping[str, Any]) -> tuple[str, StreamRecord]:
    """The source table and the typed record of one record of Lambda's event (its images
    are DynamoDB JSON, binary as base64); ValueError when it cannot be decoded."""
    arn = str(raw.get("eventSourceARN") or "")
    parts = arn.split(":", 5)
    resource = parts[5].split("/") if len(parts) == 6 else []
    if len(resource) < 2 or resource[0] != "table":
        raise ValueError(f"eventSourceARN {arn!r} does not name a DynamoDB table")
    change = raw.get("dynamodb")
    if not isinstance(change, Mapping):
        raise ValueError("the record has no 'dynamodb' change")
    sequence = change.get("SequenceNumber")
    if not isinstance(sequence, str) or not sequence.isdigit():
        raise ValueError(f"SequenceNumber {sequence!r} is not a sequence number")
    when = change.get("ApproximateCreationDateTime")
    if isinstance(when, bool) or not isinstance(when, (int, float, Decimal)):
        raise ValueError(f"record {sequence}: ApproximateCreationDateTime {when!r} is not "
                         "epoch seconds")
    identity = raw.get("userIdentity") or {}

    def image(name: str) -> dict[str, Any] | None:
        if name not in change:
            return None
        try:
            return loads_dynamodb_json(json.dumps(change[name]))
        except (TypeError, ValueError) as error:
            raise ValueError(f"record {sequence}: {name} is not DynamoDB JSON: {error}"
                             ) from None

    record = StreamRecord(
        event_id=str(raw.get("eventID") or ""), event_name=str(raw.get("eventName") or ""),
        when=dt.datetime.fromtimestamp(float(when), dt.UTC), sequence_number=sequence,
        shard_id="", keys=image("Keys") or {}, old_image=image("OldImage"),
        new_image=image("NewImage"), identity_type=identity.get("type") or identity.get("Type"),
        principal=identity.get("principalId") or identity.get("PrincipalId"))
    return resource[1], record


def lambda_handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda's entry point for a DynamoDB Streams event source mapping.

    Each record is archived exactly once (a redelivered or reordered batch writes nothing
    twice). A record that cannot be decoded is skipped, the rest of the batch archived, and
    its sequence number returned in ``batchItemFailures`` (the answer the mapping's
    ``ReportBatchItemFailures`` reads), so it is retried, then sent where the mapping's
    on-failure destination says, never lost without a word.
    """
    _ensure_settings()
    from .consumer import LAMBDA_STATUS, archive_record, change_hours

    failures: list[str] = []
    decoded: list[tuple[str, str, StreamRecord]] = []
    records = list(event.get("Records") or ())
    for raw in records:
        try:
            source, record = lambda_record(raw)
        except ValueError:
            failures.append(_identifier(raw))
            continue
        decoded.append((_identifier(raw), source, record))
    outcomes = in_parallel([functools.partial(archive_record, source, record)
                            for _, source, record in decoded])
    archived = already = 0
    stored: dict[str, list[StreamRecord]] = {}
    new: dict[str, int] = {}
    for (identifier, source, record), outcome in zip(decoded, outcomes, strict=True):
        if isinstance(outcome, InvalidRequest):
            # refused by DynamoDB as it stands: retrying the whole batch would not help,
            # reporting this record does
            failures.append(identifier)
        elif isinstance(outcome, DataError):
            raise outcome  # DynamoDB unavailable, throttled...: the batch is retried
        elif outcome:
            archived += 1
            new[source] = new.get(source, 0) + 1
            stored.setdefault(source, []).append(record)
        else:
            already += 1
            stored.setdefault(source, []).append(record)
    # The mapping moves on once this returns: the hours are marked before. The batch's
    # newest change is as far as this invocation knows the archive to be complete (the
    # mapping hands each shard's records in order).
    for source, records_stored in stored.items():
        LAMBDA_STATUS.mark_hours(source, change_hours(records_stored))
        newest = max((r.when for r in records_stored if r.when is not None), default=None)
        LAMBDA_STATUS.report(source, archived=new.get(source, 0),
                             archived_up_to=newest, newest_change_at=newest)
    return {"batchItemFailures": [{"itemIdentifier": f} for f in failures],
            "read": len(records), "archived": archived, "already_archived": already,
            "failed": len(failures)}


def _identifier(raw: Any) -> str:
    """What ``batchItemFailures`` names a record by: its sequence number."""
    change = raw.get("dynamodb") if isinstance(raw, Mapping) else None
    sequence = change.get("SequenceNumber") if isinstance(change, Mapping) else None
    return str(sequence or (raw.get("eventID") if isinstance(raw, Mapping) else "") or "")


def _ensure_settings() -> None:
    """Lambda runs no Django project: settings come from ``DJANGO_SETTINGS_MODULE`` when the
    function names one, else dynadmin's defaults (the AWS environment from boto3's chain)."""
    from django.conf import settings

    if settings.configured:
        return
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        import django

        django.setup()
    else:
        settings.configure()
