"""The answers of the reads every page makes, parsed once.

DynamoDB answers in JSON whose items are already the wire form dynadmin works with
(``{"S": "..."}``, numbers as strings). botocore nevertheless walks every attribute value of
every item against the service model, one Python call per value and member, to build the
very same dictionaries: for a page of 50 items that walk costs more CPU than the rest of the
call. For the reads pages make (Query, GetItem, BatchGetItem), dynadmin's clients parse a
successful answer with ``json.loads`` instead and decode only what the model would change:
binary values (``B``, ``BS``, at any depth) from base64 to bytes. The result is equal to
botocore's (``tests/test_answers.py`` compares the two on every type against DynamoDB Local);
errors, and every other operation, go through botocore's parser unchanged. The fast path
(``fast.py``) decodes its answers, the writes' included, with the same ``decode_binary``.

This uses botocore's ``before-parse`` event: a handler may fill ``customized_response_dict``,
which botocore merges over what its parser returns; the parser is handed ``{}`` to parse.
"""

from __future__ import annotations

import base64
import json
from typing import Any

__all__ = ["LIGHTLY_PARSED", "decode_binary", "parse_reads_lightly"]

#: the reads whose answers hold items, and where the items are in each answer
LIGHTLY_PARSED = ("Query", "GetItem", "BatchGetItem")


def parse_reads_lightly(client: Any) -> None:
    """Make one DynamoDB client parse the answers of its item reads with ``json.loads``."""
    for operation in LIGHTLY_PARSED:
        client.meta.events.register(f"before-parse.dynamodb.{operation}", _parse,
                                    unique_id=f"dynadmin-parse-{operation}")


def _parse(operation_model: Any, response_dict: dict[str, Any],
           customized_response_dict: dict[str, Any], **kwargs: Any) -> None:
    if response_dict.get("status_code", 500) >= 300 or response_dict.get("body") is None:
        return  # errors keep botocore's parsing (and its modeled error fields)
    body = response_dict["body"]
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        return  # let botocore report a malformed answer the way it always does
    if not isinstance(answer, dict):
        return
    if b'"B":' in body or b'"BS":' in body:
        decode_binary(answer)
    customized_response_dict.update(answer)
    response_dict["body"] = b"{}"


def decode_binary(answer: dict[str, Any]) -> None:
    """Binary attribute values to bytes, where an answer holds items: ``Items``, ``Item`` and
    ``LastEvaluatedKey`` (Query, GetItem), ``Responses`` and ``UnprocessedKeys``
    (BatchGetItem), ``Attributes`` and ``ItemCollectionMetrics`` (the writes),
    ``UnprocessedItems`` (BatchWriteItem)."""
    for item in answer.get("Items") or ():
        _item(item)
    for name in ("Item", "LastEvaluatedKey", "Attributes"):
        if isinstance(answer.get(name), dict):
            _item(answer[name])
    for items in (answer.get("Responses") or {}).values():
        for item in items:
            _item(item)
    for request in (answer.get("UnprocessedKeys") or {}).values():
        for key in request.get("Keys") or ():
            _item(key)
    for requests in (answer.get("UnprocessedItems") or {}).values():
        for request in requests:
            for kind, field in (("PutRequest", "Item"), ("DeleteRequest", "Key")):
                if kind in request:
                    _item(request[kind][field])
    metrics = answer.get("ItemCollectionMetrics")
    # One write's metrics, or a list of them per table (BatchWriteItem, TransactWriteItems).
    for entry in ([metrics] if isinstance(metrics, dict) and "ItemCollectionKey" in metrics
                  else [m for ms in (metrics or {}).values() for m in ms]):
        _item(entry.get("ItemCollectionKey") or {})


def _item(item: dict[str, Any]) -> None:
    for value in item.values():
        _value(value)


def _value(value: dict[str, Any]) -> None:
    if "B" in value:
        value["B"] = base64.b64decode(value["B"])
    elif "BS" in value:
        value["BS"] = [base64.b64decode(member) for member in value["BS"]]
    elif "M" in value:
        _item(value["M"])
    elif "L" in value:
        for member in value["L"]:
            _value(member)
