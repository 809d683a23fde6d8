"""The one place DynamoDB's and botocore's errors become dynadmin's types.

Everything a caller needs is decided here, from the response itself: a failed condition is a
``WriteConflict`` carrying the item DynamoDB holds now, a cancelled transaction a
``TransactionConflict`` with each action's reason, an operation the endpoint lacks
``NotSupported``. No caller digs into ``__cause__`` afterwards.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ParamValidationError,
    ReadTimeoutError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from .. import conf
from .endpoints import dynamodb_endpoint, is_local_endpoint
from .errors import (
    AccessDenied,
    DataError,
    IndexNotFound,
    InvalidRequest,
    NotSupported,
    StreamIteratorExpired,
    StreamNotFound,
    StreamTrimmed,
    TableNotFound,
    Throttled,
    TransactionConflict,
    Unavailable,
    WriteConflict,
    iam_action,
)
from .serialization import deserialize_item

__all__ = ["is_unsent", "translate"]

_ERRORS_BY_CODE: dict[str, type[DataError]] = {
    "ResourceNotFoundException": TableNotFound,
    "AccessDeniedException": AccessDenied,
    "UnrecognizedClientException": AccessDenied,
    "InvalidSignatureException": AccessDenied,
    "IncompleteSignatureException": AccessDenied,
    "MissingAuthenticationTokenException": AccessDenied,
    "InvalidClientTokenId": AccessDenied,
    "ExpiredToken": AccessDenied,
    "ExpiredTokenException": AccessDenied,
    "RequestExpired": AccessDenied,
    "ProvisionedThroughputExceededException": Throttled,
    "ThrottlingException": Throttled,
    "Throttling": Throttled,
    "RequestLimitExceeded": Throttled,
    "ValidationException": InvalidRequest,
    "SerializationException": InvalidRequest,
    "UnknownOperationException": NotSupported,
    "InternalServerError": Unavailable,
    "InternalFailure": Unavailable,
    "ServiceUnavailable": Unavailable,
    "ServiceUnavailableException": Unavailable,
}

# AWS refused *who* is asking (unknown, expired or badly signed credentials) rather than what.
_CREDENTIAL_CODES = frozenset(code for code, error in _ERRORS_BY_CODE.items()
                              if error is AccessDenied and code != "AccessDeniedException")

# How endpoints word a feature call they do not offer (DynamoDB Local, moto).
_UNSUPPORTED_WORDS = ("unknown operation", "not supported", "not implemented",
                      "unknownoperation")

# Calls that describe optional features. moto's server answers one it does not implement
# with a bare HTTP 500 page instead of an AWS error: on a local endpoint, for these calls
# only, that means "not supported" (against AWS, and for any other call, a 500 stays an error).
_FEATURE_CALLS = frozenset({"DescribeTable", "DescribeTimeToLive", "DescribeContinuousBackups",
                            "DescribeContributorInsights", "ListTagsOfResource"})


# DynamoDB Streams' own calls: a ResourceNotFoundException there is about the stream, not the
# table, and two codes exist only there.
_STREAM_CALLS = frozenset({"DescribeStream", "GetShardIterator", "GetRecords", "ListStreams"})

def _where(table: str | None, index: str | None) -> str:
    if not table:
        return ""
    return f" on index {index} of table {table}" if index else f" on table {table}"


def is_unsent(exc: BaseException) -> bool:
    """The request never reached DynamoDB (no connection could be made)."""
    return isinstance(exc, (EndpointConnectionError, ConnectTimeoutError))


def translate(exc: Exception, operation: str, *, table: str | None = None,
              index: str | None = None, attempts: int = 1) -> DataError:
    """DynamoDB's error (or botocore's) as a DataError saying what happened and what to do."""
    if isinstance(exc, DataError):
        return exc
    context = {"operation": operation, "table": table, "index": index}
    if isinstance(exc, ClientError):
        return _client_error(exc, operation, context)
    where = _where(table, index)
    if is_unsent(exc):
        endpoint = getattr(exc, "kwargs", {}).get("endpoint_url", "")
        return Unavailable(
            f"dynadmin could not connect to DynamoDB ({operation}{where}): "
            f"the connection was refused or timed out. Nothing was sent.",
            detail=f"endpoint {endpoint}", **context)
    if isinstance(exc, ReadTimeoutError):
        tries = f", {attempts} attempts" if attempts > 1 else ""
        return Unavailable(
            f"DynamoDB did not answer {operation}{where} within "
            f"{float(conf.get('READ_TIMEOUT')):g} s (dynadmin's read timeout{tries}).",
            **context, title="DynamoDB did not answer in time")
    if isinstance(exc, (BotoConnectionError, HTTPClientError)):
        return Unavailable(
            f"The connection to DynamoDB broke during {operation}{where} before an answer "
            f"came back.", detail=str(exc), **context)
    if isinstance(exc, ParamValidationError):
        return InvalidRequest(f"{operation}: {exc}", **context)
    if isinstance(exc, BotoCoreError):
        return DataError(f"{operation}: {exc}", **context)
    raise exc


def _client_error(exc: ClientError, operation: str, context: dict[str, Any]) -> DataError:
    table, index = context["table"], context["index"]
    where = _where(table, index)
    code = str(exc.response.get("Error", {}).get("Code", ""))
    message = exc.response.get("Error", {}).get("Message", "") or code
    lowered = message.lower()
    if code == "ConditionalCheckFailedException":
        # ReturnValuesOnConditionCheckFailure=ALL_OLD: the item as it is now, without a read.
        old = exc.response.get("Item")
        return WriteConflict(f"{operation}: the item changed since it was read",
                             current=deserialize_item(old) if old else None,
                             operation=operation)
    if code == "TransactionCanceledException":
        return _transaction_conflict(exc, operation)
    if operation in _STREAM_CALLS and code in _STREAM_CODES:
        return _stream_error(code, message, operation, context)
    if _is_unsupported(exc, code, lowered, operation):
        return NotSupported(message, **context)
    # DynamoDB (and DynamoDB Local) call a missing index a ValidationException ("The table
    # does not have the specified index"); moto a ResourceNotFoundException ("Invalid index").
    if index and ((code == "ValidationException" and "specified index" in lowered)
                  or (code == "ResourceNotFoundException" and "index" in lowered)):
        return IndexNotFound(
            f"The definitions declare the index {index}, but the table {table} has no such "
            f"index ({operation}: {message}).", **context)
    error_type = _ERRORS_BY_CODE.get(code, DataError)
    if error_type is TableNotFound:
        return TableNotFound(
            f"DynamoDB has no table {table} in this account and region, or it is not "
            f"active ({operation}: {message}).", **context)
    if error_type is AccessDenied:
        return _access_denied(code, message, operation, context)
    if error_type is Throttled:
        return Throttled(f"DynamoDB throttled {operation}{where} ({code}): {message}", **context)
    if error_type is Unavailable:
        return Unavailable(f"DynamoDB answered {operation}{where} with an internal error "
                           f"({code}): {message}", **context, title="DynamoDB failed to answer")
    return error_type(f"DynamoDB refused {operation}{where} ({code}): {message}", **context)


def _is_unsupported(exc: ClientError, code: str, lowered: str, operation: str) -> bool:
    if code == "UnknownOperationException":
        return True
    if code == "ValidationException" and "not supported" in lowered:
        return True
    if operation in _FEATURE_CALLS and any(word in lowered for word in _UNSUPPORTED_WORDS):
        return True
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if operation in _FEATURE_CALLS and code.isdigit() and (status == 500 or code == "500"):
        return is_local_endpoint(dynamodb_endpoint())
    return False


def _transaction_conflict(exc: ClientError, operation: str) -> TransactionConflict:
    reasons = exc.response.get("CancellationReasons", [])
    codes = [r.get("Code") if r.get("Code") not in (None, "None") else None for r in reasons]
    return TransactionConflict(
        "The transaction was cancelled: " + "; ".join(code for code in codes if code),
        reasons=codes,
        items=[deserialize_item(r["Item"]) if r.get("Item") else None for r in reasons],
        operation=operation)


def _access_denied(code: str, message: str, operation: str,
                   context: dict[str, Any]) -> AccessDenied:
    where = _where(context["table"], context["index"])
    if code in _CREDENTIAL_CODES:
        return AccessDenied(
            f"AWS refused the credentials dynadmin runs with ({code}) when calling "
            f"{operation}{where}: {message}", **context,
            title="AWS refused the credentials",
            advice="The access key is unknown, badly signed or expired: renew the "
                   "credentials dynadmin runs with (environment, AWS_PROFILE, role), "
                   "check the region, then reload this page.")
    action = iam_action(operation)
    return AccessDenied(
        f"AWS refused the permission {action}{where}: {message}", **context,
        advice=f"Grant the IAM action {action} on the table"
               + (" and its indexes (…/index/*)" if context["index"] else "")
               + " to the role or user dynadmin runs as, then reload this page.")


_STREAM_CODES = frozenset({"TrimmedDataAccessException", "ExpiredIteratorException",
                           "ResourceNotFoundException"})


def _stream_error(code: str, message: str, operation: str, context: dict[str, Any]
                  ) -> DataError:
    table = context["table"]
    if code == "TrimmedDataAccessException":
        return StreamTrimmed(
            f"The stream of {table} no longer keeps the records {operation} asked for: they "
            f"are older than the stream keeps ({code}: {message}). Reading from the oldest "
            f"record it keeps works.", **context)
    if code == "ExpiredIteratorException":
        return StreamIteratorExpired(
            f"The position in the stream of {table} that {operation} read from expired "
            f"(shard iterators last 15 minutes; {code}: {message}). Reading again takes a "
            f"fresh one.", **context)
    return StreamNotFound(
        f"The stream of {table} no longer exists: it was disabled or replaced by a new "
        f"stream ({operation}, {code}: {message}).", **context)
