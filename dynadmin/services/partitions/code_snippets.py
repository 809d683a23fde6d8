"""The current query as code a developer can paste: a boto3 call and an AWS CLI command."""

from __future__ import annotations

import base64
import json
import pprint
import shlex
from collections.abc import Callable
from typing import Any

from ..own_templates import KeptTexts

__all__ = ["as_aws_cli", "as_boto3"]


#: the snippets made, by kind and the request's repr (a partition's pages are asked again and
#: again; ``pformat`` takes about 40 µs a request)
_kept = KeptTexts(512)


def _keep(kind: str, request: dict[str, Any], make: Callable[[dict[str, Any]], str]) -> str:
    """``make(request)``, made once per request spelt alike (a repr names every value and
    its type, so two requests with one repr make one text)."""
    key = (kind, repr(request))
    text = _kept.get(key)
    if text is None:
        text = make(request)
        _kept.keep(key, text)
    return text


def as_boto3(request: dict[str, Any]) -> str:
    return _keep("boto3", request, _boto3)


def _boto3(request: dict[str, Any]) -> str:
    body = pprint.pformat(request, indent=4, width=88, sort_dicts=False)
    return ('import boto3\n\nclient = boto3.client("dynamodb")\n'
            f"response = client.query(**{body})\n")


def _cli_json(value: Any) -> str:
    def default(obj: Any) -> Any:
        if isinstance(obj, bytes):
            return base64.b64encode(obj).decode("ascii")
        raise TypeError(type(obj).__name__)

    return json.dumps(value, default=default, ensure_ascii=False, separators=(",", ":"))


_CLI_OPTIONS = (
    ("TableName", "--table-name", str),
    ("IndexName", "--index-name", str),
    ("KeyConditionExpression", "--key-condition-expression", str),
    ("FilterExpression", "--filter-expression", str),
    ("ExpressionAttributeNames", "--expression-attribute-names", _cli_json),
    ("ExpressionAttributeValues", "--expression-attribute-values", _cli_json),
    ("ExclusiveStartKey", "--exclusive-start-key", _cli_json),
    ("Limit", "--limit", str),
)


def as_aws_cli(request: dict[str, Any]) -> str:
    """One page exactly as dynadmin read it (``--no-paginate``: one call, no auto-paging)."""
    return _keep("cli", request, _aws_cli)


def _aws_cli(request: dict[str, Any]) -> str:
    parts = ["aws dynamodb query"]
    for name, option, render in _CLI_OPTIONS:
        if name in request:
            parts.append(f"{option} {shlex.quote(render(request[name]))}")
    if request.get("ScanIndexForward") is False:
        parts.append("--no-scan-index-forward")
    if request.get("ConsistentRead"):
        parts.append("--consistent-read")
    parts += ["--return-consumed-capacity TOTAL", "--no-paginate"]
    return " \\\n    ".join(parts) + "\n"
