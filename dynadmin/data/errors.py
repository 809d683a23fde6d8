"""What can go wrong when talking to DynamoDB, as types that one place turns into pages."""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccessDenied", "DataError", "InvalidCursor", "InvalidRequest", "NotSupported",
    "ScanRefused", "TableNotFound", "Throttled", "Unavailable", "WriteConflict",
    "TransactionConflict",
]


class DataError(Exception):
    """Base class. ``status`` is the HTTP status the page for it carries; ``advice`` is for
    the person reading it."""

    status = 500
    title = "DynamoDB error"
    advice = ""

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation


class ScanRefused(DataError):
    """dynadmin never scans: every list is a Query on a declared index."""

    status = 400
    title = "Scan refused"
    advice = "Query a partition or an index instead; declare a listing on a GSI if one is needed."


class InvalidCursor(DataError):
    status = 400
    title = "Invalid page link"
    advice = "The page link was altered or has expired. Start again from the first page."


class InvalidRequest(DataError):
    """DynamoDB's ValidationException: the request itself is wrong (a bad key type...)."""

    status = 400
    title = "DynamoDB rejected the request"


class TableNotFound(DataError):
    status = 404
    title = "Table or index not found"
    advice = "Check DYNADMIN_TABLE_NAMES and that the table exists in this account and region."


class AccessDenied(DataError):
    status = 403
    title = "Access denied by AWS"
    advice = "The credentials dynadmin runs with lack an IAM permission for this call."


class Throttled(DataError):
    status = 503
    title = "DynamoDB is throttling requests"
    advice = "Wait a few seconds and try again."


class Unavailable(DataError):
    status = 503
    title = "DynamoDB is unreachable"
    advice = "The endpoint did not answer in time. dynadmin will recover when it is back."


class NotSupported(DataError):
    """An operation the endpoint does not offer (DynamoDB Local has no tags or PITR)."""

    status = 501
    title = "Not supported by this endpoint"


class WriteConflict(DataError):
    """A conditional write whose condition failed; carries the item as DynamoDB holds it now
    (None when it no longer exists) so the person can be shown both versions."""

    status = 409
    title = "Someone else changed this item"

    def __init__(self, message: str, *, current: dict[str, Any] | None,
                 operation: str | None = None) -> None:
        super().__init__(message, operation=operation)
        self.current = current


class TransactionConflict(DataError):
    """A transaction that DynamoDB cancelled; ``reasons`` has one entry per action
    (``None`` where that action was fine) and ``items`` the current item where returned."""

    status = 409
    title = "The change could not be applied"

    def __init__(self, message: str, *, reasons: list[str | None],
                 items: list[dict[str, Any] | None], operation: str | None = None) -> None:
        super().__init__(message, operation=operation)
        self.reasons = reasons
        self.items = items
