"""The least-privilege IAM policy for what dynadmin does to its tables.

Every action below is one dynadmin's code calls (this package is the only code that talks
to AWS, and ``tests/test_iam_policy.py`` fails when a call is added here without its
action), on the exact ARNs of the tables it is given and of their declared indexes:

- items: ``GetItem``, ``BatchGetItem``, ``Query`` (tables, and ``Query`` on each declared
  index); writes ``PutItem``, ``UpdateItem``, ``DeleteItem`` (``TransactWriteItems`` is
  authorised by IAM as these per item, so it has no action of its own). ``BatchWriteItem``
  serves only seeding and benchmarks, ``ConditionCheckItem`` nothing yet: neither is granted;
- the table's settings, read by the dashboard and the health page: ``DescribeTable``,
  ``DescribeTimeToLive``, ``DescribeContinuousBackups``, ``DescribeContributorInsights``,
  ``ListTagsOfResource``;
- the archive's consumer reads each table's stream (``DescribeStream``,
  ``GetShardIterator``, ``GetRecords``; the stream's ARN comes from ``DescribeTable``, so
  ``ListStreams`` is never called);
- the health page's metrics: ``cloudwatch:GetMetricData``, which IAM grants on ``*`` only.

Never ``Scan``, nor PartiQL: dynadmin refuses them before sending.

``leading_keys`` narrows a table's item actions to partition key values (or prefixes such as
``ORG#acme#*``) with ``dynamodb:LeadingKeys``: DynamoDB itself then refuses any other
partition, whatever dynadmin's code does. A local index shares its table's partition key,
so the same values hold there; a global index keyed otherwise gets values of its own under
``"<table>.<index>"``, or none: IAM cannot tell its partitions apart then, and dynadmin's
own checks (dropping rows after reading) are all that holds.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from ..definitions.tables import Table
from .read_only import is_read_only

__all__ = ["DESCRIBE_ACTIONS", "ITEM_READ_ACTIONS", "ITEM_WRITE_ACTIONS", "METRICS_ACTIONS",
           "STREAM_ACTIONS", "policy", "policy_text"]

ITEM_READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
ITEM_WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
INDEX_ACTIONS = ("dynamodb:Query",)
DESCRIBE_ACTIONS = ("dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive",
                    "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeContributorInsights",
                    "dynamodb:ListTagsOfResource")
STREAM_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords")
METRICS_ACTIONS = ("cloudwatch:GetMetricData",)


def policy(site_or_tables: Any, *, read_only: bool = False,
           leading_keys: Mapping[str, Sequence[str]] | None = None, region: str = "*",
           account: str = "*", partition: str = "aws", streams: bool = True,
           metrics: bool = True, without_indexes: Collection[str] = ()) -> dict[str, Any]:
    """The policy document (a dict, as ``json.dumps`` writes it) for ``site_or_tables``: an
    ``AdminSite`` (its registered tables) or table definitions.

    ``read_only`` leaves out every write, as does a table that is read-only by its
    definition, its connection or ``DYNADMIN_READ_ONLY_TABLES``. ``leading_keys`` maps a
    table's logical name (or ``"<table>.<index>"`` for a global index) to the partition key
    values its requests may name. ``streams``/``metrics`` False leave out what only the
    archive's consumer and the health page's metrics need. ``without_indexes`` names
    global indexes (``"<table>.<index>"``) to leave out: those a scoped policy cannot narrow.
    """
    tables = _tables(site_or_tables)
    leading = {name: list(values) for name, values in (leading_keys or {}).items()}
    _check_leading_keys(tables, leading)

    def arn(table: Table, *suffix: str) -> str:
        return "/".join((f"arn:{partition}:dynamodb:{region}:{account}:table",
                         table.table_name, *suffix))

    statements: list[dict[str, Any]] = []

    def grant(sid: str, actions: Sequence[str], resources: list[str],
              values: list[str] | None = None) -> None:
        if not resources:
            return
        statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": list(actions),
                                     "Resource": resources}
        if values is not None:
            statement["Condition"] = {
                "ForAllValues:StringLike": {"dynamodb:LeadingKeys": values},
                # ForAllValues holds for a request naming no partition at all: refuse those.
                "Null": {"dynamodb:LeadingKeys": "false"},
            }
        statements.append(statement)

    free = [t for t in tables if t.name not in leading]
    grant("ReadItems", ITEM_READ_ACTIONS, [arn(t) for t in free])
    if not read_only:
        grant("WriteItems", ITEM_WRITE_ACTIONS, [arn(t) for t in free if not is_read_only(t)])
    unscoped_indexes = []
    for table in tables:
        values = leading.get(table.name)
        for index in table.indexes.values():
            if index.is_table:
                continue
            if f"{table.name}.{index.name}" in without_indexes:
                continue
            own = leading.get(f"{table.name}.{index.name}")
            if own is None and values is not None and index.local:
                own = values
            if own is None:
                unscoped_indexes.append(arn(table, "index", str(index.name)))
            else:
                grant(_sid("QueryIndex", table.name, str(index.name)), INDEX_ACTIONS,
                      [arn(table, "index", str(index.name))], own)
        if values is not None:
            grant(_sid("ReadItems", table.name), ITEM_READ_ACTIONS, [arn(table)], values)
            if not read_only and not is_read_only(table):
                grant(_sid("WriteItems", table.name), ITEM_WRITE_ACTIONS, [arn(table)], values)
    grant("QueryIndexes", INDEX_ACTIONS, unscoped_indexes)
    grant("DescribeTables", DESCRIBE_ACTIONS, [arn(t) for t in tables])
    if streams:
        grant("ReadStreams", STREAM_ACTIONS,
              [arn(t, "stream", "*") for t in tables if t.stream_view_type])
    if metrics:
        grant("ReadMetrics", METRICS_ACTIONS, ["*"])
    return {"Version": "2012-10-17", "Statement": _ordered(statements)}


def policy_text(document: Mapping[str, Any], *, compact: bool = False) -> str:
    """The document as JSON: indented to read, or compact as STS counts a session policy."""
    if compact:
        return json.dumps(document, separators=(",", ":"))
    return json.dumps(document, indent=2)


def _tables(site_or_tables: Any) -> list[Table]:
    tables = getattr(site_or_tables, "tables", site_or_tables)
    if isinstance(tables, Mapping):
        tables = tables.values()
    found = list(tables)
    if not all(isinstance(t, Table) for t in found):
        raise TypeError("policy() takes an AdminSite or Table definitions")
    return found


def _check_leading_keys(tables: Iterable[Table], leading: Mapping[str, list[str]]) -> None:
    known = {t.name for t in tables}
    known |= {f"{t.name}.{i.name}" for t in tables for i in t.indexes.values()
              if not i.is_table and not i.local}
    unknown = sorted(set(leading) - known)
    if unknown:
        raise ValueError(f"leading_keys names {', '.join(unknown)}, which is no table nor "
                         f"global index given (known: {', '.join(sorted(known))})")
    empty = sorted(name for name, values in leading.items() if not values)
    if empty:
        raise ValueError(f"leading_keys gives no value for {', '.join(empty)}: a scope that "
                         "reaches no partition leaves the table out instead")


def _sid(*words: str) -> str:
    # A statement's Sid is letters and digits only.
    return "".join("".join(c for c in word if c.isalnum()) for word in words)


def _ordered(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Sids stay unique even when two names differ only by punctuation.
    seen: dict[str, int] = {}
    for statement in statements:
        sid = statement["Sid"]
        seen[sid] = seen.get(sid, 0) + 1
        if seen[sid] > 1:
            statement["Sid"] = f"{sid}{seen[sid]}"
    return statements
