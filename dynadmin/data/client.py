"""dynadmin's DynamoDB clients (one per connection), and the hook that refuses whole-table reads.

boto3 clients are thread-safe and expensive to build (endpoint resolution, credential chain),
so dynadmin builds one per connection per process, lazily (gunicorn workers build their own
after the fork), and never per request. A connection with nothing configured takes endpoint,
region and credentials from boto3's standard chain (``AWS_ENDPOINT_URL_DYNAMODB``,
``AWS_REGION``, profiles, instance roles); see ``connections.py`` for the others.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import DeferredRefreshableCredentials
from botocore.exceptions import NoRegionError
from django.utils.translation import gettext as _

from .. import conf
from . import fence
from .connections import (
    DEFAULT,
    LEAST_PRIVILEGE,
    SCOPED,
    SESSION_POLICY_MAX_CHARS,
    Connection,
    connection_name_for,
    connection_name_for_physical,
)
from .connections import connection as _connection_named
from .errors import DataError, ScanRefused
from .fast import adopt
from .iam import policy, policy_text
from .responses import parse_reads_lightly
from .sessions import new_session

if TYPE_CHECKING:
    from ..definitions.tables import Table

__all__ = [
    "cached_client", "client_config", "get_client", "get_client_for", "install_scan_refusal",
    "refuse_scans", "reset_client", "session_for", "uninstall_scan_refusal",
]

_lock = threading.Lock()
# Keyed by the connection's whole configuration, so that a changed setting (tests, a reload)
# gets a client of its own instead of a stale one.
_clients: dict[tuple[Any, ...], Any] = {}

# PartiQL statements can scan a whole table too (a SELECT without a key condition), and
# dynadmin issues none, so the refusal covers them as well.
REFUSED_OPERATIONS = ("Scan", "ExecuteStatement", "BatchExecuteStatement")


def get_client(connection: str = DEFAULT, *, writes: bool = False) -> Any:
    """The DynamoDB client of a connection (created on first use, then shared by threads).

    Reads and writes have a client each: a read is retried less (``READ_MAX_ATTEMPTS``), so a
    page gives up sooner when DynamoDB stalls, while a write keeps ``MAX_ATTEMPTS`` (its
    outcome is settled by a read when an answer is lost)."""
    return _client_of(_connection_named(connection), writes=writes)


def _client_of(conn: Connection, *, writes: bool) -> Any:
    return cached_client((conn, writes), lambda: _build_client(conn, writes=writes))


def cached_client(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """The client cached under ``key``, built once (by ``build``) and then shared by threads.

    Other AWS clients of a connection (DynamoDB Streams) are cached here too, so that
    ``reset_client`` forgets them all at once."""
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = build()
    return client


def get_client_for(table: Table | str, *, writes: bool = False) -> Any:
    """The client of the connection a table lives in (a definition, or a physical name as
    calls carry it). On a connection whose ``session_policy`` is ``"scoped"``, a person
    limited by scopes gets a client of their own: its role's session narrowed to the
    partitions their scopes allow (``data.fence.policy_keys``)."""
    name = (connection_name_for_physical(table) if isinstance(table, str)
            else connection_name_for(table))
    conn = _connection_named(name)
    if conn.session_policy == SCOPED and conn.role_arn:
        narrowed = _scoped_policy(conn)
        if narrowed is not None:
            return _scoped_client(conn, narrowed, writes=writes)
    # the connection is read from the settings once per call, not again by get_client
    return _client_of(conn, writes=writes)


#: clients of scoped people's sessions kept at once (one per distinct policy and side):
#: scopes computed per person could otherwise make a client per person, for ever
SCOPED_CLIENTS_KEPT = 64
_scoped_clients: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def _scoped_client(conn: Connection, policy_text_: str, *, writes: bool) -> Any:
    key = (conn, writes, policy_text_)
    with _lock:
        client = _scoped_clients.get(key)
        if client is not None:
            _scoped_clients.move_to_end(key)
            return client
    client = _build_client(conn, writes=writes, session_policy=policy_text_)
    with _lock:
        _scoped_clients[key] = client
        while len(_scoped_clients) > SCOPED_CLIENTS_KEPT:
            _scoped_clients.popitem(last=False)
    return client


def _scoped_policy(conn: Connection) -> str | None:
    """The session policy of the person served on this connection, or None when no scope
    limits them there (they get the connection's own least-privilege session)."""
    tables = _tables_of(conn)
    keys = fence.policy_keys(tables)
    if keys is None:
        return None
    leading, without = keys
    return _narrowed_policy(conn, tuple(t.name for t in tables),
                            tuple((name, tuple(values)) for name, values in leading.items()),
                            tuple(without))


@functools.lru_cache(maxsize=SCOPED_CLIENTS_KEPT)
def _narrowed_policy(conn: Connection, table_names: tuple[str, ...],
                     leading: tuple[tuple[str, tuple[str, ...]], ...],
                     without: tuple[str, ...]) -> str:
    tables = [t for t in _tables_of(conn) if t.name in table_names]
    region = conn.region or conf.get("REGION")
    document = policy(tables, region=region or "*", account=_account_of(conn),
                      leading_keys={name: list(values) for name, values in leading},
                      without_indexes=without)
    return _sized(conn, policy_text(document, compact=True))


def reset_client() -> None:
    """Forget every client (tests switch endpoints; a forked worker may want its own)."""
    with _lock:
        _clients.clear()
        _scoped_clients.clear()
    _narrowed_policy.cache_clear()


def client_config(*, writes: bool) -> Config:
    attempts = conf.get("MAX_ATTEMPTS") if writes else conf.get("READ_MAX_ATTEMPTS")
    return Config(
        connect_timeout=conf.get("CONNECT_TIMEOUT"),
        read_timeout=conf.get("READ_TIMEOUT"),
        # botocore's max_attempts counts retries after the first try (3 -> up to 4 calls).
        retries={"mode": "adaptive", "max_attempts": attempts},
        # Lookups fan out over a thread pool; give each thread a connection.
        max_pool_connections=conf.get("MAX_POOL_CONNECTIONS"),
    )


def session_for(conn: Connection) -> boto3.session.Session:
    """The boto3 session a connection signs with (its profile, region, assumed role)."""
    region = conn.region or conf.get("REGION")
    session = new_session(profile=conn.profile, region=region)
    if conn.role_arn:
        session = _assumed_role_session(conn, session, region)
    return session


def build_client(conn: Connection, service: str, **options: Any) -> Any:
    """A boto3 client of ``service`` for the connection; a connection without a region
    (none set anywhere boto3 looks) is a DataError saying where to set one, not a
    botocore traceback."""
    try:
        return session_for(conn).client(service, **options)
    except NoRegionError:
        raise DataError(
            f"No AWS region is set for the {conn.name!r} connection, so dynadmin cannot "
            "reach DynamoDB.", title=_("No AWS region"),
            advice=_("Set AWS_REGION (or AWS_DEFAULT_REGION), DYNADMIN_REGION, or the "
                     "connection's region in DYNADMIN_CONNECTIONS.")) from None


def _build_client(conn: Connection, *, writes: bool = False,
                  session_policy: str | None = None) -> Any:
    options = {"config": client_config(writes=writes), "endpoint_url": conn.endpoint_url}
    if session_policy is None:
        client = build_client(conn, "dynamodb", **options)
    else:
        region = conn.region or conf.get("REGION")
        session = _assumed_role_session(
            conn, new_session(profile=conn.profile, region=region),
            region, session_policy=session_policy)
        client = session.client("dynamodb", **options)
    refuse_scans(client)
    parse_reads_lightly(client)
    adopt(client)
    return client


def _assumed_role_session(conn: Connection, source: boto3.session.Session,
                          region: str | None, *, session_policy: str | None = None
                          ) -> boto3.session.Session:
    """A session signing with the role's temporary credentials, renewed before they expire.

    The credentials are fetched on the first call, not here: building a client never talks to
    AWS, and an STS failure surfaces inside the DynamoDB call, where errors become pages.
    """
    sts = source.client("sts", config=client_config(writes=False), region_name=region,
                        endpoint_url=conn.sts_endpoint_url)
    arguments = {"RoleArn": conn.role_arn, "RoleSessionName": conn.role_session_name}
    if conn.external_id:
        arguments["ExternalId"] = conn.external_id
    session_policy = session_policy or session_policy_for(conn, region)
    if session_policy:
        # Renewals send it again: every session of the role is narrowed the same way.
        arguments["Policy"] = session_policy

    def assume_role() -> dict[str, Any]:
        credentials = sts.assume_role(**arguments)["Credentials"]
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": credentials["Expiration"].isoformat(),
        }

    # botocore refreshes them (under its own lock) in the minutes before they expire.
    credentials = DeferredRefreshableCredentials(assume_role, method="sts-assume-role")
    core = botocore.session.Session()
    core._credentials = credentials  # the one way botocore takes ready-made refreshable ones
    return new_session(core=core, region=region)


def session_policy_for(conn: Connection, region: str | None = None) -> str | None:
    """The session policy a connection's role is assumed with, as sent to STS: its own
    document, or for ``"least_privilege"`` the policy of the tables that use it (in its
    region, in the role's account); None for none."""
    if conn.session_policy not in (LEAST_PRIVILEGE, SCOPED):
        return conn.session_policy
    text = policy_text(policy(_tables_of(conn), region=region or "*",
                              account=_account_of(conn)), compact=True)
    return _sized(conn, text)


def _tables_of(conn: Connection) -> list[Table]:
    from ..definitions.tables import defined_tables

    return sorted((t for t in defined_tables() if connection_name_for(t) == conn.name),
                  key=lambda t: t.name)


def _account_of(conn: Connection) -> str:
    account = (conn.role_arn or "").split(":")[4:5] or ["*"]
    return account[0] or "*"


def _sized(conn: Connection, text: str) -> str:
    if len(text) > SESSION_POLICY_MAX_CHARS:
        raise DataError(
            f"The least-privilege session policy of the {conn.name!r} connection is "
            f"{len(text):,} characters long; STS takes at most {SESSION_POLICY_MAX_CHARS:,}.",
            title=_("Session policy too long"),
            advice=_("Give the connection a shorter policy document of your own, or attach "
                     "the output of manage.py dynadmin_iam_policy to the role instead."))
    return text


# -- Scan refusal -------------------------------------------------------------------------
def _refuse(model: Any = None, **kwargs: Any) -> None:
    name = getattr(model, "name", None) or REFUSED_OPERATIONS[0]
    raise ScanRefused(
        f"{name} refused: dynadmin never reads a whole table. "
        "Every list is a Query on a declared index.",
        operation=name,
    )


def refuse_scans(client: Any) -> None:
    """Make one client refuse Scan and PartiQL before anything is sent (every dynadmin client
    does, whatever the process-wide setting)."""
    for operation in REFUSED_OPERATIONS:
        client.meta.events.register(f"before-call.dynamodb.{operation}", _refuse,
                                    unique_id=f"dynadmin-refuse-{operation}")


_original_create_client = botocore.session.Session.create_client


def _create_client_with_refusal(self: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
    client = _original_create_client(self, *args, **kwargs)
    refuse_scans(client)
    return client


def install_scan_refusal() -> None:
    """Refuse Scan on every DynamoDB client the process creates from now on, dynadmin's or not.

    Called at start-up when ``DYNADMIN_REFUSE_SCAN_PROCESS_WIDE`` is True (the ready-made
    project), so that no code in the process can add a scan by accident. An app embedded in
    a host project leaves the host's own clients alone. Installing twice is harmless.
    """
    botocore.session.Session.create_client = _create_client_with_refusal  # type: ignore[method-assign]


def uninstall_scan_refusal() -> None:
    """Undo ``install_scan_refusal`` for clients created from now on (dynadmin's own clients
    keep refusing)."""
    if botocore.session.Session.create_client is not _create_client_with_refusal:
        return  # not installed, or someone patched it since: leave theirs in place
    botocore.session.Session.create_client = _original_create_client  # type: ignore[method-assign]
