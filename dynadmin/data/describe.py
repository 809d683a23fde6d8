"""The Describe and List calls about a table (its settings, not its items)."""

from __future__ import annotations

from typing import Any

from ..definitions.tables import Table
from .calling import call

__all__ = ["DESCRIBE_OPERATIONS", "describe", "list_tags"]

DESCRIBE_OPERATIONS = ("DescribeTable", "DescribeTimeToLive", "DescribeContinuousBackups",
                       "DescribeContributorInsights")


def describe(operation: str, table: Table) -> dict[str, Any]:
    """One of the Describe calls for a table.

    Raises NotSupported when the endpoint does not offer it (DynamoDB Local lacks several):
    ``translate`` decides that, for every caller.
    """
    if operation not in DESCRIBE_OPERATIONS:
        raise ValueError(f"not a describe call: {operation}")
    return call(operation, table.table_name, TableName=table.table_name)


def list_tags(resource_arn: str, table_name: str) -> list[dict[str, str]]:
    response = call("ListTagsOfResource", table_name, ResourceArn=resource_arn)
    return response.get("Tags", [])
