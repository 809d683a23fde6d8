"""The data layer: the only package that talks to DynamoDB.

Views and services import from here; nothing else imports boto3's DynamoDB client.
"""

from .calls import Call, CallLog, current_log, recording
from .client import get_client, install_scan_refusal, reset_client
from .cursors import decode_cursor, encode_cursor, key_from_json, key_to_json
from .errors import (
    AccessDenied,
    DataError,
    IndexNotFound,
    InvalidCursor,
    InvalidRequest,
    NotSupported,
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

__all__ = [
    "AccessDenied", "Call", "CallLog", "ConditionCheck", "DataError", "Delete", "IndexNotFound",
    "InvalidCursor", "InvalidRequest", "NotSupported", "Page", "Put", "ScanRefused",
    "SortCondition", "TableNotFound", "Throttled", "TransactionConflict", "Unavailable", "Update",
    "WriteConflict", "WriteInterrupted", "batch_get", "current_log", "decode_cursor",
    "delete_item", "describe",
    "encode_cursor", "get_client", "get_item", "install_scan_refusal", "key_from_json",
    "key_to_json", "list_tags", "load_items_unconditionally", "put_item", "query",
    "query_request", "recording",
    "reset_client", "transact_write", "update_item",
]
