"""The schema dynamodb-onetable stores in its own table, read with one GetItem.

OneTable's ``Table.saveSchema()`` writes the schema as an item of its ``_Schema`` model:
partition key ``_schema``, sort key ``_schema:<name>`` (``_schema:Current`` is the one
``readSchema()`` reads), with ``format``, ``version``, ``name``, and ``indexes``, ``models``,
``params``, ``queries`` (and ``process``) as maps. The key attribute names are the table's own,
so they come from DescribeTable. Never a whole-table read: one DescribeTable, one GetItem.
"""

from __future__ import annotations

import json
from typing import Any

from ..data import DataError, TableNotFound, describe, get_item
from ..data.connections import connection_name_for
from ..definitions import Table
from ..definitions.tables import defined_tables
from ..plain_json import to_plain
from .design import ImportFormatError

__all__ = ["SCHEMA_KEY", "StoredSchemaError", "schema_key", "stored_onetable_schema"]

SCHEMA_KEY = "_schema"
CURRENT = f"{SCHEMA_KEY}:Current"
#: attributes of the schema item that are the schema itself (the rest is OneTable's
#: bookkeeping: its keys, its type field, the schema's name, timestamps)
SCHEMA_PARTS = ("format", "version", "indexes", "models", "params", "queries", "process")
#: parts OneTable writes as maps; a tool that wrote them as JSON text is read as well
MAPS = ("indexes", "models", "params", "queries", "process")


class StoredSchemaError(ImportFormatError):
    """The table is missing, holds no stored schema, or holds one that cannot be read."""


def _probe(physical: str, pk: str = "PK", sk: str | None = None,
           key_types: dict[str, str] | None = None) -> Table:
    """A definition for a table known only by its name (or by a logical name that
    DYNADMIN_TABLE_NAMES maps), on the connection that a project's definition of the same
    physical table uses (the default one otherwise)."""
    table = Table(physical, pk=pk, sk=sk, key_types=key_types)
    table.connection = next((connection_name_for(t) for t in defined_tables()
                             if t is not table and t.table_name == table.table_name), "default")
    return table


def described_table(physical: str) -> Table:
    """The table's primary key as DynamoDB describes it (names and types)."""
    try:
        answer = describe("DescribeTable", _probe(physical))
    except TableNotFound:
        raise StoredSchemaError(
            f"table {physical!r} does not exist at this endpoint (DescribeTable found no such "
            "table); check the name, the region and AWS_ENDPOINT_URL_DYNAMODB.") from None
    except DataError as exc:
        raise StoredSchemaError(f"cannot describe table {physical!r}: {exc.title}: "
                                f"{exc.message}") from None
    description = answer.get("Table", {})
    types = {d["AttributeName"]: d["AttributeType"]
             for d in description.get("AttributeDefinitions", [])}
    roles = {k["KeyType"]: k["AttributeName"] for k in description.get("KeySchema", [])}
    return _probe(physical, pk=roles["HASH"], sk=roles.get("RANGE"),
                  key_types={a: types.get(a, "S") for a in roles.values()})


def schema_key(table: Table) -> dict[str, str]:
    """Where ``readSchema()`` looks: ``_schema`` / ``_schema:Current``, in the table's own key
    attribute names (a table without a sort key has the partition key alone)."""
    primary = table.primary
    key = {primary.pk: SCHEMA_KEY}
    if primary.sk:
        key[primary.sk] = CURRENT
    return key


def stored_onetable_schema(physical: str) -> dict[str, Any]:
    """The OneTable schema stored in table ``physical``, as the JSON a schema file holds."""
    table = described_table(physical)
    key = schema_key(table)
    spelled = ", ".join(f"{a} = {v!r}" for a, v in key.items())
    if any(t != "S" for t in (table.primary.pk_type, table.primary.sk_type)[:len(key)]):
        raise StoredSchemaError(
            f"table {physical!r} has a non-string key, so it cannot hold OneTable's stored "
            f"schema ({spelled}); import the schema file instead.")
    try:
        item = get_item(table, key, consistent=True)
    except DataError as exc:
        raise StoredSchemaError(f"cannot read the stored schema of {physical!r}: {exc.title}: "
                                f"{exc.message}") from None
    if item is None:
        raise StoredSchemaError(
            f"table {physical!r} holds no stored OneTable schema: GetItem of {spelled} found "
            "nothing. OneTable stores one with table.saveSchema(); otherwise import the "
            "schema file (dynadmin_import --format onetable FILE).")
    return _schema_of(item, physical)


def _schema_of(item: dict[str, Any], physical: str) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    for part in SCHEMA_PARTS:
        if part not in item:
            continue
        value = to_plain(item[part])
        if part in MAPS and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise StoredSchemaError(
                    f"the schema stored in {physical!r} is unreadable: its {part!r} is text "
                    "that is not JSON.") from None
            except RecursionError:
                raise StoredSchemaError(
                    f"the schema stored in {physical!r} is unreadable: its {part!r} nests "
                    "arrays or objects too deeply to read.") from None
        schema[part] = value
    missing = [p for p in ("indexes", "models") if not isinstance(schema.get(p), dict)]
    if missing:
        raise StoredSchemaError(
            f"the schema stored in {physical!r} is unreadable: it has no {' or '.join(missing)} "
            f"map (attributes found: {', '.join(sorted(item))}).")
    return schema
