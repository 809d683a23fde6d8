"""The one DynamoDB client of the process, and the hook that refuses whole-table reads.

boto3 clients are thread-safe and expensive to build (endpoint resolution, credential chain),
so dynadmin builds one per process, lazily, and never per request. The endpoint, region and
credentials come from boto3's standard chain (``AWS_ENDPOINT_URL_DYNAMODB``, ``AWS_REGION``,
profiles, instance roles): production needs no dynadmin-specific setting.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from .errors import ScanRefused

__all__ = ["get_client", "install_scan_refusal", "reset_client"]

_lock = threading.Lock()
_client: Any = None

# PartiQL statements can scan a whole table too (a SELECT without a key condition), and
# dynadmin issues none, so the refusal covers them as well.
REFUSED_OPERATIONS = ("Scan", "ExecuteStatement", "BatchExecuteStatement")


def _setting(name: str, default: Any) -> Any:
    from django.conf import settings

    return getattr(settings, name, default)


def get_client() -> Any:
    """The process's DynamoDB client (created on first use)."""
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = _build_client()
    return _client


def reset_client() -> None:
    """Forget the client (tests switch endpoints; a forked worker may want its own)."""
    global _client
    with _lock:
        _client = None


def _build_client() -> Any:
    install_scan_refusal()
    config = Config(
        connect_timeout=_setting("DYNADMIN_CONNECT_TIMEOUT", 2),
        read_timeout=_setting("DYNADMIN_READ_TIMEOUT", 5),
        # botocore's max_attempts counts retries after the first try (3 -> up to 4 calls).
        retries={"mode": "adaptive", "max_attempts": _setting("DYNADMIN_MAX_ATTEMPTS", 3)},
        # Lookups fan out over a thread pool; give each thread a connection.
        max_pool_connections=_setting("DYNADMIN_MAX_POOL_CONNECTIONS", 20),
    )
    session = boto3.session.Session(region_name=_setting("DYNADMIN_REGION", None))
    return session.client("dynamodb", config=config)


# -- Scan refusal -------------------------------------------------------------------------
def _refuse(model: Any = None, **kwargs: Any) -> None:
    name = getattr(model, "name", None) or REFUSED_OPERATIONS[0]
    raise ScanRefused(
        f"{name} refused: dynadmin never reads a whole table. "
        "Every list is a Query on a declared index.",
        operation=name,
    )


def _register_refusal(events: Any) -> None:
    for operation in REFUSED_OPERATIONS:
        events.register(f"before-call.dynamodb.{operation}", _refuse,
                        unique_id=f"dynadmin-refuse-{operation}")


_installed = False
_original_create_client = botocore.session.Session.create_client


def _create_client_with_refusal(self: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
    client = _original_create_client(self, *args, **kwargs)
    _register_refusal(client.meta.events)
    return client


def install_scan_refusal() -> None:
    """Refuse Scan on every DynamoDB client the process creates from now on.

    Registered at start-up (AppConfig.ready), it covers clients built by any code, not only
    dynadmin's data layer, so that no later change can add a scan by accident.
    """
    global _installed
    if _installed:
        return
    botocore.session.Session.create_client = _create_client_with_refusal  # type: ignore[method-assign]
    _installed = True
