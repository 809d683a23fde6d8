"""CloudWatch metrics of a table, read only when dynadmin talks to AWS itself.

DynamoDB Local and moto have no CloudWatch, and a custom endpoint (``AWS_ENDPOINT_URL_DYNAMODB``
pointing at a laptop or a container) means the table is not in AWS: asking CloudWatch there
would either fail slowly or describe some other table. So metrics are read only when the
DynamoDB client's endpoint is one of AWS's own hosts; every other endpoint is "local".

Like the DynamoDB client, the CloudWatch client is built once per process, lazily, with
timeouts and adaptive retries, and every call is timed into the request's call log.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from typing import Any

from botocore.config import Config

from .. import conf
from . import call_log
from .client import get_client
from .endpoints import dynamodb_endpoint, is_aws_endpoint, is_local_endpoint
from .errors import DataError
from .sessions import new_session
from .translate import translate

__all__ = [
    "THROTTLE_OPERATIONS", "dynamodb_endpoint", "get_cloudwatch_client", "is_aws_endpoint",
    "is_local_endpoint", "metrics_available", "reset_cloudwatch_client", "table_metrics",
]

_lock = threading.Lock()
_client: Any = None

# ThrottledRequests is only published per operation; the chart sums the operations an
# admin's users and the applications it looks after use (whole-table reads are not among them).
THROTTLE_OPERATIONS = ("GetItem", "Query", "BatchGetItem", "TransactGetItems",
                       "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                       "TransactWriteItems")
LATENCY_OPERATIONS = ("Query", "GetItem")


def metrics_available() -> bool:
    """Whether CloudWatch describes the tables dynadmin reads (the endpoint is AWS's)."""
    configured = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB", "")
    if configured and not is_aws_endpoint(configured):
        return False
    return is_aws_endpoint(dynamodb_endpoint())


# -- the client ---------------------------------------------------------------------------
def get_cloudwatch_client() -> Any:
    """The process's CloudWatch client, in the DynamoDB client's region (created on first use).

    Refuses to build one against a local endpoint, so no code path can reach CloudWatch
    while dynadmin talks to DynamoDB Local or moto.
    """
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                if not metrics_available():
                    raise DataError("CloudWatch metrics are only available against AWS.",
                                    operation="GetMetricData")
                _client = _build_client()
    return _client


def reset_cloudwatch_client() -> None:
    """Forget the client (tests switch endpoints; a forked worker may want its own)."""
    global _client
    with _lock:
        _client = None


def cloudwatch_client_built() -> bool:
    """Whether a CloudWatch client exists in this process (tests prove none was made)."""
    return _client is not None


def _build_client() -> Any:
    config = Config(
        connect_timeout=conf.get("CONNECT_TIMEOUT"),
        read_timeout=conf.get("READ_TIMEOUT"),
        retries={"mode": "adaptive", "max_attempts": conf.get("MAX_ATTEMPTS")},
    )
    region = get_client().meta.region_name
    return new_session(region=region).client("cloudwatch", config=config)


# -- GetMetricData ----------------------------------------------------------------------
def _metric(query_id: str, name: str, table_name: str, stat: str, period: int,
            operation: str | None = None, *, returned: bool = True) -> dict[str, Any]:
    dimensions = [{"Name": "TableName", "Value": table_name}]
    if operation:
        dimensions.append({"Name": "Operation", "Value": operation})
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": "AWS/DynamoDB", "MetricName": name,
                       "Dimensions": dimensions},
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": returned,
    }


def metric_queries(table_name: str, period: int) -> list[dict[str, Any]]:
    """The GetMetricData queries: consumed RCU/WCU and throttles (sums), latency (average)."""
    queries = [
        _metric("read", "ConsumedReadCapacityUnits", table_name, "Sum", period),
        _metric("write", "ConsumedWriteCapacityUnits", table_name, "Sum", period),
    ]
    parts = []
    for n, operation in enumerate(THROTTLE_OPERATIONS):
        parts.append(f"thr{n}")
        queries.append(_metric(f"thr{n}", "ThrottledRequests", table_name, "Sum", period,
                               operation, returned=False))
    queries.append({"Id": "throttled", "Expression": f"SUM([{','.join(parts)}])",
                    "Label": "ThrottledRequests", "ReturnData": True})
    for operation in LATENCY_OPERATIONS:
        queries.append(_metric(f"latency{operation}", "SuccessfulRequestLatency", table_name,
                               "Average", period, operation))
    return queries


def table_metrics(table_name: str, *, start: dt.datetime, end: dt.datetime, period: int = 300
                  ) -> dict[str, list[tuple[dt.datetime, float]]]:
    """One GetMetricData call: each series by id (``read``, ``write``, ``throttled``,
    ``latencyQuery``, ``latencyGetItem``) as (timestamp, value) pairs, oldest first."""
    client = get_cloudwatch_client()
    entry = call_log.Call(operation="GetMetricData", table=table_name)
    started = time.perf_counter()
    try:
        response = client.get_metric_data(
            MetricDataQueries=metric_queries(table_name, period),
            StartTime=start, EndTime=end, ScanBy="TimestampAscending",
        )
    except Exception as exc:  # noqa: BLE001 - every failure becomes a typed DataError
        entry.latency_ms = (time.perf_counter() - started) * 1000
        error = translate(exc, "GetMetricData")
        entry.error = type(error).__name__
        call_log.record(entry)
        raise error from exc
    entry.latency_ms = (time.perf_counter() - started) * 1000
    call_log.record(entry)
    series: dict[str, list[tuple[dt.datetime, float]]] = {}
    for result in response.get("MetricDataResults", []):
        points = sorted(zip(result.get("Timestamps", []), result.get("Values", []),
                            strict=False))
        series[result["Id"]] = [(moment, float(value)) for moment, value in points]
    return series
