"""Which AWS environment each table lives in: named connections from settings.

A deployment may show tables from several accounts or regions (staging next to production).
Each table definition names a connection (``Table(..., connection="prod")``, default
``"default"``); ``DYNADMIN_TABLE_CONNECTIONS`` lets the deployment override that choice, as
``DYNADMIN_TABLE_NAMES`` does for physical names. ``DYNADMIN_CONNECTIONS`` describes each one::

    DYNADMIN_CONNECTIONS = {
        "default": {},  # boto3's standard chain: AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB...
        "prod": {"region": "eu-west-1", "role_arn": "arn:aws:iam::123456789012:role/admin",
                 "read_only": True, "environment": "production", "color": "red"},
    }

Without the setting there is one ``default`` connection on boto3's standard chain, exactly
as dynadmin behaved before connections existed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from .. import conf

if TYPE_CHECKING:
    from ..definitions.tables import Table

__all__ = [
    "COLORS", "DEFAULT", "LEAST_PRIVILEGE", "SCOPED", "SESSION_POLICY_MAX_CHARS", "Connection",
    "connection", "connection_for", "connection_name_for", "connection_name_for_physical",
    "connection_problems", "connections",
]

DEFAULT = "default"
LEAST_PRIVILEGE = "least_privilege"
#: ``least_privilege``, narrowed further for a person limited by scopes to the partitions
#: their scopes allow (``dynamodb:LeadingKeys``): a session of their own
SCOPED = "scoped"
# STS refuses a session policy longer than this (its plaintext, as sent).
SESSION_POLICY_MAX_CHARS = 2048
# The site's Content-Security-Policy forbids inline styles, so a colour is a CSS class from
# this fixed palette, never a value copied into the page.
COLORS = ("red", "orange", "amber", "green", "blue", "purple", "grey")


@dataclass(frozen=True)
class Connection:
    """One AWS environment: where its DynamoDB is, how to sign in, how the UI labels it.

    ``endpoint_url``/``region``/``profile`` None means boto3's standard chain decides.
    ``role_arn`` is assumed through STS (``external_id`` when the role demands one);
    ``sts_endpoint_url`` points STS elsewhere (a VPC endpoint, or a local server in tests).
    ``session_policy`` narrows the assumed role's session to a policy document (kept as
    its compact JSON), or to ``"least_privilege"``: the policy of ``dynadmin_iam_policy``
    for this connection's tables, so the session can do nothing dynadmin does not need; or
    ``"scoped"``: that, and for a person limited by scopes a session of their own, narrowed
    to the partitions their scopes allow, so that even a fault in dynadmin cannot read
    another tenant's partition.
    """

    name: str
    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    role_session_name: str = "dynadmin"
    sts_endpoint_url: str | None = None
    session_policy: str | None = None
    read_only: bool = False
    environment: str = ""  # what the UI calls it ("production"); the name when not given
    color: str = "grey"

    def __post_init__(self) -> None:
        if not self.environment:
            object.__setattr__(self, "environment", self.name)


_OPTIONS = frozenset(f.name for f in fields(Connection)) - {"name"}


def _raw_connections() -> dict[str, Any]:
    configured = conf.get("CONNECTIONS")
    if not configured:
        return {DEFAULT: {}}
    return dict(configured)


def _parse(name: str, options: Any) -> tuple[Connection | None, list[str]]:
    where = f"DYNADMIN_CONNECTIONS[{name!r}]"
    if not isinstance(options, Mapping):
        return None, [f"{where} is a dict of options, not {type(options).__name__}."]
    problems = []
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        problems.append(f"{where} has unknown option(s) {', '.join(unknown)}; "
                        f"known: {', '.join(sorted(_OPTIONS))}.")
    values = {k: v for k, v in options.items() if k in _OPTIONS}
    color = values.get("color", "grey")
    if color not in COLORS:
        problems.append(f"{where}['color'] is {color!r}; use one of {', '.join(COLORS)} "
                        "(the Content-Security-Policy allows no inline styles).")
    if values.get("external_id") and not values.get("role_arn"):
        problems.append(f"{where} has an external_id but no role_arn to assume.")
    if "read_only" in values and not isinstance(values["read_only"], bool):
        problems.append(f"{where}['read_only'] is True or False, not {values['read_only']!r}.")
    if values.get("session_policy") is not None:
        values["session_policy"], problem = _session_policy(values["session_policy"])
        if problem:
            problems.append(f"{where}['session_policy'] {problem}")
        elif not values.get("role_arn"):
            problems.append(f"{where} has a session_policy but no role_arn to assume.")
    if problems:
        return None, problems
    return Connection(name=name, **values), []


def _session_policy(given: Any) -> tuple[str | None, str]:
    """The policy as sent to STS (compact JSON, or the word ``least_privilege``), and what
    is wrong with it ("" when nothing)."""
    if given in (LEAST_PRIVILEGE, SCOPED):
        return given, ""
    if isinstance(given, str):
        try:
            given = json.loads(given)
        except ValueError:
            return None, (f"is neither {LEAST_PRIVILEGE!r}, {SCOPED!r} nor a JSON policy "
                          "document.")
    if not isinstance(given, Mapping) or "Statement" not in given:
        return None, "is a policy document: a dict with a \"Statement\" list."
    text = json.dumps(given, separators=(",", ":"))
    if len(text) > SESSION_POLICY_MAX_CHARS:
        return None, (f"is {len(text):,} characters long; STS takes at most "
                      f"{SESSION_POLICY_MAX_CHARS:,}.")
    return text, ""


def connection_problems(tables: Iterable[Table] = ()) -> list[str]:
    """Everything wrong with the connection settings, and with the connections ``tables``
    name, for system checks (never raises)."""
    problems: list[str] = []
    raw = conf.get("CONNECTIONS")
    if raw and not isinstance(raw, Mapping):
        return ["DYNADMIN_CONNECTIONS is a dict of connection name -> options."]
    for name, options in _raw_connections().items():
        problems += _parse(name, options)[1]
    known = set(_raw_connections())
    overrides = conf.get("TABLE_CONNECTIONS") or {}
    for table_name, name in overrides.items():
        if name not in known:
            problems.append(f"DYNADMIN_TABLE_CONNECTIONS maps table {table_name} to connection "
                            f"{name!r}, which DYNADMIN_CONNECTIONS does not define "
                            f"(defined: {', '.join(sorted(known))}).")
    for table in tables:
        name = connection_name_for(table)
        if name not in known and table.name not in overrides:
            problems.append(f"Table {table.name} uses connection {name!r}, which "
                            f"DYNADMIN_CONNECTIONS does not define (defined: "
                            f"{', '.join(sorted(known))}).")
    return problems


def connections() -> dict[str, Connection]:
    """Every configured connection by name; ImproperlyConfigured when one is wrong."""
    return {name: connection(name) for name in _raw_connections()}


#: Each connection's options as last parsed, with what they gave: every call and every write
#: check asks for its table's connection, and the options rarely change (tests).
_parsed: dict[str, tuple[Any, Connection | None, list[str]]] = {}


def connection(name: str = DEFAULT) -> Connection:
    """The connection called ``name``; ImproperlyConfigured when it is not defined or wrong."""
    configured = _raw_connections()
    if name not in configured:
        raise ImproperlyConfigured(
            f"No connection {name!r} in DYNADMIN_CONNECTIONS (defined: "
            f"{', '.join(sorted(configured))}). Define it, or point the table at another "
            "connection (Table(connection=...) or DYNADMIN_TABLE_CONNECTIONS).")
    options = configured[name]
    known = _parsed.get(name)
    if known is not None and known[0] == options:
        found, problems = known[1], known[2]
    else:
        found, problems = _parse(name, options)
        _parsed[name] = (dict(options) if isinstance(options, Mapping) else options, found,
                         problems)
    if problems:
        raise ImproperlyConfigured(" ".join(problems))
    return found  # type: ignore[return-value]


def connection_name_for(table: Table) -> str:
    """The connection a table's calls go through: the deployment's override, else the
    definition's own choice."""
    overrides = conf.get("TABLE_CONNECTIONS") or {}
    return overrides.get(table.name, table.connection)


def connection_for(table: Table) -> Connection:
    """The connection a table lives in (what the UI shows: environment, colour, read-only)."""
    return connection(connection_name_for(table))


def connection_name_for_physical(physical: str) -> str:
    """The connection of the table(s) a call names by physical name.

    Calls carry physical names (``TransactWriteItems`` joins several with commas, which table
    names cannot contain); a name no definition claims goes through the default connection.
    """
    from ..definitions.tables import defined_tables

    wanted = set(physical.split(","))
    names = {connection_name_for(t) for t in defined_tables() if t.table_name in wanted}
    if len(names) > 1:
        # One name claimed by tables on two connections, or one transaction across two
        # environments: either way a single call cannot go to both.
        raise ImproperlyConfigured(
            f"One call to {physical} would need several connections ({', '.join(sorted(names))}): "
            "a call, and a transaction, goes to one AWS environment. Give each table its own "
            "physical name (DYNADMIN_TABLE_NAMES), and keep transactions within one connection.")
    return names.pop() if names else DEFAULT
