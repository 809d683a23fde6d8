"""The data layer: the only package that talks to DynamoDB.

Views and services import from here; nothing else imports boto3 or botocore. Conditions
(guards, filters, key conditions) are built from ``dynadmin.data.conditions``.
"""

from .call_log import Call, CallLog, current_log, recording
from .client import get_client, get_client_for, install_scan_refusal, reset_client
from .connections import Connection, connection_for, connection_problems
from .cursors import decode_cursor, encode_cursor, key_from_json, key_to_json
from .describe import describe, list_tags
from .errors import (
    AccessDenied,
    DataError,
    IndexNotFound,
    InvalidCursor,
    InvalidRequest,
    NotSupported,
    ReadOnly,
    ScanRefused,
    StreamIteratorExpired,
    StreamNotFound,
    StreamTrimmed,
    TableNotFound,
    Throttled,
    TransactionConflict,
    Unavailable,
    WriteConflict,
    WriteInterrupted,
)
from .fence import OutsideScope, fenced
from .read_only import ensure_writable, is_read_only
from .reads import (
    SORT_OPERATORS,
    Page,
    SortCondition,
    batch_get,
    get_item,
    query,
    query_request,
    send_query,
)
from .streams.reading import StreamInfo, StreamRead, StreamRecord, read_stream, stream_info
from .writes import (
    ConditionCheck,
    Delete,
    Put,
    Update,
    delete_item,
    load_items_unconditionally,
    put_item,
    transact_write,
    update_item,
)

__all__ = [
    "AccessDenied", "Call", "CallLog", "ConditionCheck", "Connection", "DataError",
    "Delete", "IndexNotFound", "InvalidCursor", "InvalidRequest", "NotSupported", "Page",
    "OutsideScope", "Put", "ReadOnly", "SORT_OPERATORS", "ScanRefused", "SortCondition",
    "StreamInfo",
    "StreamIteratorExpired", "StreamNotFound", "StreamRead", "StreamRecord",
    "StreamTrimmed", "TableNotFound", "Throttled", "TransactionConflict",
    "Unavailable", "Update", "WriteConflict", "WriteInterrupted", "batch_get",
    "connection_for", "connection_problems", "current_log", "decode_cursor", "delete_item",
    "describe", "encode_cursor", "fenced", "ensure_writable", "get_client", "get_client_for",
    "get_item", "install_scan_refusal", "is_read_only", "key_from_json", "key_to_json",
    "list_tags", "load_items_unconditionally", "put_item", "query", "query_request",
    "read_stream", "recording", "send_query", "stream_info",
    "reset_client", "transact_write", "update_item",
]
