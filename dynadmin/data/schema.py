"""Creating a table from its definition (for seeding, tests and benchmarks), and tearing it down.

The admin itself never creates or deletes tables; these exist so that the example, the tests
and the benchmark build exactly the table the definitions describe.
"""

from __future__ import annotations

import time
from typing import Any

from ..definitions.tables import Table
from .calling import call
from .errors import DataError, NotSupported, TableNotFound

__all__ = ["create_table", "delete_table", "ensure_table", "table_exists"]


def create_table_request(table: Table) -> dict[str, Any]:
    """The CreateTable request for a definition: on-demand, streams on, every declared index."""
    types = table.key_attribute_types()
    request: dict[str, Any] = {
        "TableName": table.table_name,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t}
                                 for a, t in types.items()],
        "KeySchema": _key_schema(table.primary.pk, table.primary.sk),
        "BillingMode": table.billing_mode,
    }
    if table.billing_mode == "PROVISIONED":
        request["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    gsis, lsis = [], []
    for index in table.indexes.values():
        spec = {"IndexName": index.name, "KeySchema": _key_schema(index.pk, index.sk),
                "Projection": {"ProjectionType": "ALL"}}
        if index.local:
            lsis.append(spec)
        else:
            if table.billing_mode == "PROVISIONED":
                spec["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            gsis.append(spec)
    if gsis:
        request["GlobalSecondaryIndexes"] = gsis
    if lsis:
        request["LocalSecondaryIndexes"] = lsis
    if table.stream_view_type:
        request["StreamSpecification"] = {"StreamEnabled": True,
                                          "StreamViewType": table.stream_view_type}
    return request


def _key_schema(pk: str, sk: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": pk, "KeyType": "HASH"}]
    if sk:
        schema.append({"AttributeName": sk, "KeyType": "RANGE"})
    return schema


def table_exists(table: Table) -> bool:
    try:
        call("DescribeTable", table.table_name, TableName=table.table_name)
    except TableNotFound:
        return False
    return True


def create_table(table: Table, *, timeout: float = 60) -> None:
    """Create the table, wait until it is ACTIVE, and enable TTL when the table declares it."""
    call("CreateTable", table.table_name, **create_table_request(table))
    _wait_active(table, timeout)
    if table.ttl_attribute:
        try:
            call("UpdateTimeToLive", table.table_name, TableName=table.table_name,
                  TimeToLiveSpecification={"Enabled": True,
                                           "AttributeName": table.ttl_attribute})
        except NotSupported:
            pass


def ensure_table(table: Table) -> bool:
    """Create the table unless it exists; True when it was created."""
    if table_exists(table):
        return False
    create_table(table)
    return True


def delete_table(table: Table) -> None:
    try:
        call("DeleteTable", table.table_name, TableName=table.table_name)
    except TableNotFound:
        pass


def _wait_active(table: Table, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        description = call("DescribeTable", table.table_name, TableName=table.table_name)
        status = description["Table"]["TableStatus"]
        indexes = description["Table"].get("GlobalSecondaryIndexes", [])
        if status == "ACTIVE" and all(i.get("IndexStatus") == "ACTIVE" for i in indexes):
            return
        if time.monotonic() > deadline:
            raise DataError(f"{table.table_name} is still {status} after {timeout:.0f} s")
        time.sleep(0.2)
