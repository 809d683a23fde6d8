"""Where DynamoDB is: AWS's own endpoint, or a local one (DynamoDB Local, moto, a tunnel)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from .client import get_client

__all__ = ["dynamodb_endpoint", "is_aws_endpoint", "is_local_endpoint"]

_AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")


def dynamodb_endpoint() -> str:
    """The URL the process's DynamoDB client sends requests to."""
    return str(get_client().meta.endpoint_url or "")


def is_local_endpoint(url: str) -> bool:
    """A loopback or ``localhost`` endpoint (DynamoDB Local, moto, a tunnel)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_aws_endpoint(url: str) -> bool:
    """One of AWS's own DynamoDB hosts (``dynamodb.eu-west-1.amazonaws.com``...)."""
    host = (urlsplit(url).hostname or "").lower()
    return not is_local_endpoint(url) and host.endswith(_AWS_HOST_SUFFIXES)
