"""A local DynamoDB endpoint: its address, a free port, a boto3 client, whether it answers."""

from __future__ import annotations

import socket
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

HOST = "127.0.0.1"
REGION = "us-east-1"
# Any credentials work locally; fixed ones keep every client on the same data.
ACCESS_KEY = "local"
SECRET_KEY = "local"


def endpoint_for(port: int) -> str:
    return f"http://{HOST}:{port}"


def free_port() -> int:
    """A port that was free a moment ago (the OS picks it), for servers that tests start."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def client(endpoint: str, *, timeout: float = 10.0, retries: int = 2) -> Any:
    """A boto3 DynamoDB client for a local endpoint.

    It gets its own session and fixed credentials so that the developer's AWS settings
    (profiles, real keys) are never used against, or leaked to, a local server.
    """
    session = boto3.session.Session(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )
    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": retries, "mode": "standard"},
    )
    return session.client("dynamodb", endpoint_url=endpoint, config=config)


def is_listening(endpoint: str, timeout: float = 2.0) -> bool:
    """True if a DynamoDB API answers at ``endpoint`` (ListTables succeeds)."""
    return _answers(client(endpoint, timeout=timeout, retries=0))


def _answers(dynamodb: Any) -> bool:
    try:
        dynamodb.list_tables(Limit=1)
    except (BotoCoreError, ClientError):
        return False
    return True
