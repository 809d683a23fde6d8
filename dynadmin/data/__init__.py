"""The data layer: the only package that talks to DynamoDB.

Views and services import from here; nothing else imports boto3's DynamoDB client.
"""

from .calls import Call, CallLog, current_log, recording
from .client import get_client, get_client_for, install_scan_refusal, reset_client
from .connections import Connection, connection_for, connection_problems
from .cursors import decode_cursor, encode_cursor, key_from_json, key_to_json
from .errors import (
    AccessDenied,
    DataError,
    IndexNotFound,
    InvalidCursor,
    InvalidRequest,
    NotSupported,
    ReadOnly,
    ScanRefused,
    TableNotFound,
    Throttled,
    TransactionConflict,
    Unavailable,
    WriteConflict,
    WriteInterrupted,
)
from .operations import (
    ConditionCheck,
    Delete,
    Page,
    Put,
    SortCondition,
    Update,
    batch_get,
    delete_item,
    describe,
    get_item,
    list_tags,
    load_items_unconditionally,
    put_item,
    query,
    query_request,
    transact_write,
    update_item,
)
from .read_only import ensure_writable, is_read_only

__all__ = [
    "AccessDenied", "batch_get", "Call", "CallLog", "ConditionCheck", "Connection",
    "connection_for", "connection_problems", "current_log", "DataError", "decode_cursor", "Delete",
    "delete_item", "describe", "encode_cursor", "ensure_writable", "get_client", "get_client_for",
    "get_item", "IndexNotFound", "install_scan_refusal", "InvalidCursor", "InvalidRequest",
    "is_read_only", "key_from_json", "key_to_json", "list_tags", "load_items_unconditionally",
    "NotSupported", "Page", "Put", "put_item", "query", "query_request", "ReadOnly", "recording",
    "reset_client", "ScanRefused", "SortCondition", "TableNotFound", "Throttled", "transact_write",
    "TransactionConflict", "Unavailable", "Update", "update_item", "WriteConflict",
    "WriteInterrupted",
]
