"""Making one DynamoDB call: timed, logged with its consumed capacity, errors translated.

botocore retries a failed request by itself; each attempt is noted, so that a failure can
say whether any request of the call may have reached DynamoDB (``DataError.maybe_applied``).
"""

from __future__ import annotations

import contextvars
import time
import weakref
from collections.abc import Mapping
from typing import Any

from . import calls
from .client import get_client_for
from .errors import ScanRefused
from .translate import is_unsent, translate

__all__ = ["call", "capacity"]

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
        log.append("unsent" if is_unsent(caught_exception) else "lost")
    elif response is not None:
        status = getattr(response[0], "status_code", 200)
        log.append("lost" if status >= 500 else "answered")
    return None  # never decides on retries itself


def _track_attempts(client: Any) -> None:
    if client not in _tracked_clients:
        client.meta.events.register("needs-retry.dynamodb", _note_attempt,
                                    unique_id="dynadmin-note-attempt")
        _tracked_clients.add(client)


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
    client = get_client_for(table)
    _track_attempts(client)
    method = getattr(client, _snake(operation))
    started = time.perf_counter()
    entry = calls.Call(operation=operation, table=table, index=index)
    attempts: list[str] = []
    token = _attempts.set(attempts)
    try:
        response = method(**params)
    except ScanRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes a typed DataError
        entry.latency_ms = (time.perf_counter() - started) * 1000
        error = translate(exc, operation, table=table, index=index,
                          attempts=max(len(attempts), 1))
        # An earlier attempt (retried by botocore) may have been applied: a failed condition
        # may then have failed on this call's own result.
        error.maybe_applied = "lost" in attempts
        entry.error = type(error).__name__
        calls.record(entry)
        raise error from exc
    finally:
        _attempts.reset(token)
    entry.latency_ms = (time.perf_counter() - started) * 1000
    rcu, wcu = capacity(response)
    if writes and rcu and not wcu:
        rcu, wcu = None, rcu
    entry.consumed_rcu, entry.consumed_wcu = rcu, wcu
    entry.count = response.get("Count")
    entry.scanned_count = response.get("ScannedCount")
    calls.record(entry)
    return response


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
