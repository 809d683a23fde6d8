"""What can go wrong when talking to DynamoDB, as types that one place turns into pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

__all__ = [
    "AccessDenied", "DataError", "IndexNotFound", "InvalidCursor", "InvalidRequest",
    "NotSupported", "ReadOnly", "ScanRefused", "StreamIteratorExpired", "StreamNotFound",
    "StreamTrimmed", "TableNotFound", "Throttled", "Unavailable", "WriteConflict",
    "TransactionConflict", "WriteInterrupted", "iam_action",
]


class DataError(Exception):
    """Base class. ``status`` is the HTTP status the page for it carries; ``message`` says what
    happened and ``advice`` what to do, for the person reading it.

    ``table`` (physical name) and ``index`` say where the failing call went, when known.
    ``detail`` holds what only an operator should see (the endpoint's address, botocore's own
    words): pages show it to superusers only.
    ``maybe_applied`` is True when a request of the failing call may have reached DynamoDB
    without its answer coming back (a read timeout, a connection dropped after sending, an
    internal error): for a write, nothing then says whether it was applied.

    ``status`` defaults to 503: an error no subclass names (a DynamoDB error code dynadmin
    does not know yet, a botocore failure) is DynamoDB's side or the way to it, never a bug
    in dynadmin, which is what a 500 would say.
    """

    status = 503
    title = _lazy("DynamoDB error")
    advice = _lazy("Try again in a moment. If it keeps happening, the message above says what "
                   "DynamoDB objected to.")
    maybe_applied = False

    def __init__(self, message: str, *, operation: str | None = None, table: str | None = None,
                 index: str | None = None, title: str | None = None,
                 advice: str | None = None, detail: str = "") -> None:
        super().__init__(f"{message} [{detail}]" if detail else message)
        self.message = message
        self.detail = detail
        self.operation = operation
        self.table = table
        self.index = index
        # Translated now, in the language of the request that met the error: pages, logs and
        # joins downstream then handle plain strings, never lazy ones.
        self.title = str(title if title is not None else self.title)
        self.advice = str(advice if advice is not None else self.advice)

    @property
    def iam_action(self) -> str | None:
        """The IAM action of the failing call (``dynamodb:Query``), when known."""
        return iam_action(self.operation) if self.operation else None


# Calls dynadmin makes to other services than DynamoDB (the health page's metrics).
_OTHER_SERVICES = {"GetMetricData": "cloudwatch", "GetMetricStatistics": "cloudwatch",
                   "ListMetrics": "cloudwatch"}


def iam_action(operation: str) -> str:
    """``dynamodb:Query``: the IAM action an API call needs."""
    return f"{_OTHER_SERVICES.get(operation, 'dynamodb')}:{operation}"


class ScanRefused(DataError):
    """dynadmin never scans: every list is a Query on a declared index."""

    status = 400
    title = _lazy("Scan refused")
    advice = _lazy("Query a partition or an index instead; declare a listing on a GSI if one is "
                   "needed.")


class ReadOnly(DataError):
    """A write to a table that settings or its definition mark read-only; nothing was sent."""

    status = 403
    title = _lazy("This table is read-only")
    advice = _lazy("The table is marked read-only in dynadmin's configuration.")


class InvalidCursor(DataError):
    status = 400
    title = _lazy("Invalid page link")
    advice = _lazy("The page link was altered or has expired. Start again from the first page.")


class InvalidRequest(DataError):
    """DynamoDB's ValidationException: the request itself is wrong (a bad key type...)."""

    status = 400
    title = _lazy("DynamoDB rejected the request")
    advice = _lazy("Check the values in the address or the form (key types, sizes). If they look "
                   "right, the definitions may not match the table: its health page shows drift.")


class TableNotFound(DataError):
    """ResourceNotFoundException: the table (as DYNADMIN_TABLE_NAMES names it) is missing."""

    status = 404
    title = _lazy("Table not found")
    advice = _lazy("Check DYNADMIN_TABLE_NAMES and that the table exists in this account and "
                   "region (and is not being deleted or re-created).")


class IndexNotFound(TableNotFound):
    """The definitions declare an index that the live table does not have."""

    title = _lazy("Index not found")
    advice = _lazy("Check the definitions against the table: the table's health page shows the "
                   "drift between what the definitions declare and what DynamoDB has.")


class AccessDenied(DataError):
    """AWS refused the call: a missing IAM permission, or unknown/expired credentials."""

    status = 403
    title = _lazy("AWS refused the permission")
    advice = _lazy("The credentials dynadmin runs with lack an IAM permission for this call.")


class Throttled(DataError):
    status = 503
    title = _lazy("DynamoDB is throttling requests")
    advice = _lazy("Try again in a few seconds. If it keeps happening, the table or index has too "
                   "little capacity for its traffic: raise it, or switch the table to on-demand.")


class Unavailable(DataError):
    """DynamoDB could not be reached, or did not answer in time."""

    status = 503
    title = _lazy("DynamoDB is unreachable")
    advice = _lazy("Check that DynamoDB (the endpoint, the network, the VPC endpoint) is reachable "
                   "from this server, then reload this page: dynadmin reconnects by itself as soon "
                   "as DynamoDB answers again.")


class NotSupported(DataError):
    """An operation the endpoint does not offer (DynamoDB Local has no tags or PITR)."""

    status = 501
    title = _lazy("Not supported by this endpoint")
    advice = _lazy("This endpoint (DynamoDB Local or moto) lacks the feature; AWS offers it.")


class StreamTrimmed(DataError):
    """TrimmedDataAccessException: the stream records asked for are older than the stream
    keeps (24 hours on AWS). Reading from the oldest record it still keeps works."""

    title = _lazy("Those stream records are no longer kept")
    advice = _lazy("A stream keeps changes for 24 hours. Read again from the start (reload "
                   "the section without its position): reading from the oldest record the "
                   "stream still keeps works.")


class StreamIteratorExpired(DataError):
    """ExpiredIteratorException: a shard iterator lives 15 minutes; the position it held
    can be asked for again."""

    title = _lazy("The stream position expired")
    advice = _lazy("The place in the stream dynadmin was reading from is only valid for 15 "
                   "minutes. Read again (reload this page): a fresh position is taken.")


class StreamNotFound(DataError):
    """ResourceNotFoundException from DynamoDB Streams: the stream named by the table's
    description no longer exists (disabled, or disabled and enabled again as a new one)."""

    status = 404
    title = _lazy("The table's stream is gone")
    advice = _lazy("The stream was disabled or replaced by a new one (a new stream ARN). Reload "
                   "this page in a minute: dynadmin reads the table's current stream once the "
                   "table's description is refreshed. Its health page shows whether a stream "
                   "is enabled now.")


class WriteConflict(DataError):
    """A conditional write whose condition failed; carries the item as DynamoDB holds it now
    (None when it no longer exists) so the person can be shown both versions."""

    status = 409
    title = _lazy("Someone else changed this item")

    def __init__(self, message: str, *, current: dict[str, Any] | None,
                 operation: str | None = None) -> None:
        super().__init__(message, operation=operation)
        self.current = current


class TransactionConflict(DataError):
    """A transaction that DynamoDB cancelled; ``reasons`` has one entry per action
    (``None`` where that action was fine) and ``items`` the current item where returned."""

    status = 409
    title = _lazy("The change could not be applied")

    def __init__(self, message: str, *, reasons: list[str | None],
                 items: list[dict[str, Any] | None], operation: str | None = None) -> None:
        super().__init__(message, operation=operation)
        self.reasons = reasons
        self.items = items


class WriteInterrupted(DataError):
    """A write whose request failed on the way (DynamoDB unreachable, no answer, throttled...)
    and that dynadmin could not confirm as applied.

    ``outcome`` is ``"not_applied"`` (nothing was written: the request never reached DynamoDB,
    or a consistent read shows the item as it was) or ``"unknown"`` (the read-back failed too,
    or found the item in a third state; the audit log holds an entry marked "unknown").
    ``cause`` is the error the write met; ``keys`` are the primary keys to open to check.
    """

    def __init__(self, message: str, *, outcome: str, cause: DataError | None = None,
                 keys: list[dict[str, Any]] | None = None, table_definition: Any = None,
                 operation: str | None = None) -> None:
        if outcome not in ("not_applied", "unknown"):
            raise ValueError(f"outcome is not_applied or unknown, not {outcome!r}")
        super().__init__(message, operation=operation or (cause.operation if cause else None),
                         table=cause.table if cause else None)
        self.outcome = outcome
        self.cause = cause
        self.keys = list(keys or [])
        self.table_definition = table_definition
        if outcome == "not_applied":
            self.title = _("Your change was NOT saved")
            if isinstance(cause, Unavailable):
                self.advice = _("Go back to the form (the browser's Back button keeps what you "
                                "typed) and save again once DynamoDB answers: dynadmin "
                                "reconnects by itself.")
            elif isinstance(cause, Throttled):
                self.advice = _("Go back to the form (the browser's Back button keeps what you "
                                "typed) and save again in a few seconds.")
            else:
                self.advice = " ".join(part for part in (
                    _("Go back to the form (the browser's Back button keeps what you typed) "
                      "and save again once this is solved."),
                    cause.advice if cause else "") if part)
            # The page carries the status of what went wrong (403 for a refused permission...).
            self.status = cause.status if cause and cause.status in (400, 403, 404, 503) else 503
        else:
            self.title = _("Your change may or may not have been saved")
            self.advice = _("DynamoDB did not answer, so dynadmin cannot tell whether the write "
                           "was applied. Open the item to check: its History shows an entry "
                           "marked 'unknown' for this change. Redo the change only if the "
                           "item does not show it.")
            self.status = 503
