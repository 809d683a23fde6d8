"""The DynamoDB Streams client of a connection, built like its DynamoDB client.

Streams is a service of its own (``streams.dynamodb.<region>.amazonaws.com``), with its own
endpoint setting, ``AWS_ENDPOINT_URL_DYNAMODB_STREAMS``. DynamoDB Local and moto serve it on
the DynamoDB endpoint itself, so a connection pointed at a local (or any non-AWS) DynamoDB
reads its stream there (a connection's own local ``endpoint_url`` first, then that
variable, then the process's DynamoDB endpoint when it is not AWS's); against AWS, boto3's
standard chain finds the Streams endpoint of the region.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import TYPE_CHECKING, Any

from ..client import build_client, cached_client, client_config, get_client
from ..connections import connection, connection_name_for
from ..endpoints import is_aws_endpoint
from ..responses import _item as decode_binary_values

if TYPE_CHECKING:
    from ...definitions.tables import Table

__all__ = ["STREAMS_ENDPOINT_VARIABLE", "get_streams_client", "streams_endpoint"]

STREAMS_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_DYNAMODB_STREAMS"


def streams_endpoint(connection_name: str) -> str | None:
    """Where a connection's Streams calls go; None: boto3's standard chain (AWS's own)."""
    conn = connection(connection_name)
    if conn.endpoint_url and not is_aws_endpoint(conn.endpoint_url):
        return conn.endpoint_url
    configured = os.environ.get(STREAMS_ENDPOINT_VARIABLE)
    if configured:
        return configured
    dynamodb = str(get_client(connection_name).meta.endpoint_url or "")
    return None if not dynamodb or is_aws_endpoint(dynamodb) else dynamodb


def get_streams_client(table: Table) -> Any:
    """The Streams client of the connection a table lives in (built once, then shared).

    Reads only, so it is retried like the DynamoDB read client, with the same timeouts."""
    name = connection_name_for(table)
    conn = connection(name)
    endpoint = streams_endpoint(name)
    def build() -> Any:
        client = build_client(conn, "dynamodbstreams", config=client_config(writes=False),
                              endpoint_url=endpoint)
        client.meta.events.register("before-parse.dynamodb-streams.GetRecords",
                                    _parse_records, unique_id="dynadmin-parse-GetRecords")
        return client

    return cached_client(("dynamodbstreams", conn, endpoint), build)


def _parse_records(operation_model: Any, response_dict: dict[str, Any],
                   customized_response_dict: dict[str, Any], **kwargs: Any) -> None:
    """GetRecords' answer parsed with ``json.loads``, as the DynamoDB client parses its
    reads (``data.responses``): botocore's model walk costs more than the rest of the call
    for a thousand records, and the consumer reads millions. What the model would change is
    changed here: binary values to bytes, the record's time to an aware datetime. Errors keep
    botocore's parser."""
    body = response_dict.get("body")
    if response_dict.get("status_code", 500) >= 300 or not body:
        return
    try:
        answer = json.loads(body)
    except ValueError:
        return  # botocore reports a malformed answer the way it always does
    if not isinstance(answer, dict):
        return
    binary = b'"B":' in body or b'"BS":' in body
    for record in answer.get("Records") or ():
        change = record.get("dynamodb") or {}
        when = change.get("ApproximateCreationDateTime")
        if isinstance(when, (int, float)) and not isinstance(when, bool):
            change["ApproximateCreationDateTime"] = dt.datetime.fromtimestamp(when, dt.UTC)
        if binary:
            for name in ("Keys", "NewImage", "OldImage"):
                if isinstance(change.get(name), dict):
                    decode_binary_values(change[name])
    customized_response_dict.update(answer)
    response_dict["body"] = b"{}"
