"""Making one DynamoDB call: timed, logged with its consumed capacity, errors translated.

botocore retries a failed request by itself; each attempt is noted, so that a failure can
say whether any request of the call may have reached DynamoDB (``DataError.maybe_applied``).
A request's budget for DynamoDB (``CallLog.deadline``) is checked before every attempt,
retries included: once spent, nothing more is sent and the page says so.

The hot operations of dynadmin's own clients skip boto3's request pipeline (``fast.py``);
they emit the same per-attempt events, so the notes and the budget above hold for them too.
"""

from __future__ import annotations

import contextvars
import time
import weakref
from collections.abc import Mapping
from typing import Any

from . import call_log
from .client import get_client_for
from .errors import ScanRefused, Unavailable
from .fast import route_for
from .translate import is_unsent, translate

__all__ = ["call", "call_client", "capacity"]

# Per attempt: "answered" (DynamoDB answered and, if it refused, refused before doing
# anything), "unsent" (no connection: nothing reached DynamoDB), or "lost" (sent, but the
# answer never came back, or was an internal error: it may have been applied).
_attempts: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "dynadmin_attempts", default=None)
_tracked_clients: weakref.WeakSet[Any] = weakref.WeakSet()


def _note_attempt(response: Any = None, caught_exception: Any = None, **kwargs: Any) -> None:
    log = _attempts.get()
    if log is None:
        return None
    if caught_exception is not None:
        # A spent budget stops an attempt in before-send, before anything is sent.
        unsent = isinstance(caught_exception, _BudgetSpent) or is_unsent(caught_exception)
        log.append("unsent" if unsent else "lost")
    elif response is not None:
        status = getattr(response[0], "status_code", 200)
        log.append("lost" if status >= 500 else "answered")
    return None  # never decides on retries itself


class _BudgetSpent(Exception):  # noqa: N818 - a signal between two of our own handlers
    """Raised before an attempt once the request's budget is spent; botocore does not retry
    an exception it does not know, so it ends the call."""


def _check_budget(**kwargs: Any) -> None:
    log = call_log.current_log()
    if log is not None and log.remaining() == 0:
        raise _BudgetSpent


def _track_attempts(client: Any) -> None:
    if client not in _tracked_clients:
        # botocore names events by service: "dynamodb", "dynamodb-streams".
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"needs-retry.{service}", _note_attempt,
                                    unique_id="dynadmin-note-attempt")
        client.meta.events.register(f"before-send.{service}", _check_budget,
                                    unique_id="dynadmin-check-budget")
        _tracked_clients.add(client)


def _out_of_time(operation: str, table: str, index: str | None) -> Unavailable:
    log = call_log.current_log()
    budget = log.budget if log is not None else None
    where = f" on {table}" + (f" ({index})" if index else "")
    return Unavailable(
        f"dynadmin stopped waiting: this page's {budget:g} s for DynamoDB ran out before "
        f"{operation}{where} could be answered. Nothing more was sent.",
        operation=operation, table=table, index=index,
        title="DynamoDB did not answer in time")


def capacity(response: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """The (read, write) capacity units a response says it consumed."""
    consumed = response.get("ConsumedCapacity")
    if not consumed:
        return None, None
    entries = consumed if isinstance(consumed, list) else [consumed]
    rcu = sum(e.get("ReadCapacityUnits", 0) or 0 for e in entries)
    wcu = sum(e.get("WriteCapacityUnits", 0) or 0 for e in entries)
    total = sum(e.get("CapacityUnits", 0) or 0 for e in entries)
    # Some endpoints report only CapacityUnits: attribute it to the kind of call made.
    return (rcu or None, wcu or None) if (rcu or wcu) else (total or None, None)


def call(operation: str, table: str, index: str | None = None, *,
         writes: bool = False, **params: Any) -> dict[str, Any]:
    """Make one call: time it, log it, translate its errors."""
    return call_client(get_client_for(table, writes=writes), operation, table, index,
                       writes=writes, **params)


def call_client(client: Any, operation: str, table: str, index: str | None = None, *,
                writes: bool = False, **params: Any) -> dict[str, Any]:
    """``call`` through a given client (DynamoDB Streams has its own): the same budget,
    attempt notes, call log and error translation."""
    _track_attempts(client)
    route = route_for(client, operation)
    started = time.perf_counter()
    entry = call_log.Call(operation=operation, table=table, index=index)
    attempts: list[str] = []
    token = _attempts.set(attempts)
    try:
        _check_budget()
        response = (route.send(operation, params) if route is not None
                    else getattr(client, _snake(operation))(**params))
    except ScanRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes a typed DataError
        entry.latency_ms = (time.perf_counter() - started) * 1000
        error = (_out_of_time(operation, table, index) if isinstance(exc, _BudgetSpent)
                 else translate(exc, operation, table=table, index=index,
                                attempts=max(len(attempts), 1)))
        # An earlier attempt (retried by botocore) may have been applied: a failed condition
        # may then have failed on this call's own result.
        error.maybe_applied = "lost" in attempts
        entry.error = type(error).__name__
        call_log.record(entry)
        raise error from exc
    finally:
        _attempts.reset(token)
    entry.latency_ms = (time.perf_counter() - started) * 1000
    rcu, wcu = capacity(response)
    if writes and rcu and not wcu:
        rcu, wcu = None, rcu
    entry.consumed_rcu, entry.consumed_wcu = rcu, wcu
    # GetRecords has no Count: the records it returned are what it read.
    entry.count = response.get("Count", len(response["Records"]) if "Records" in response
                               else None)
    entry.scanned_count = response.get("ScannedCount")
    call_log.record(entry)
    return response


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
