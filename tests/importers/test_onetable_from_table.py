"""``dynadmin_import --format onetable --from-table TABLE``: the schema OneTable stores in a
live table (DynamoDB Local), read with one GetItem, imported like a schema file.

The table and its ``_schema`` item are written here with plain boto3, as OneTable's
``Table.saveSchema()`` writes them: partition key ``_schema``, sort key ``_schema:Current``,
the schema's parts as maps, and OneTable's type field naming the ``_Schema`` model.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer
from django.core.management import CommandError, call_command

from dynadmin.importers.checking import load_generated

FIXTURES = Path(__file__).parent / "fixtures"


def _client(endpoint: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture
def onetable_table(dynamodb_endpoint: str) -> Iterator[tuple[Any, str]]:
    """A table shaped like OneTable's overview sample: keys ``pk``/``sk``, index ``gs1``."""
    client = _client(dynamodb_endpoint)
    name = f"onetable-{uuid.uuid4().hex[:10]}"
    attributes = ("pk", "sk", "gs1pk", "gs1sk")
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "gs1", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "gs1pk", "KeyType": "HASH"},
                          {"AttributeName": "gs1sk", "KeyType": "RANGE"}]}])
    try:
        yield client, name
    finally:
        client.delete_table(TableName=name)


def _saved_schema(schema: dict[str, Any], key: dict[str, str]) -> dict[str, Any]:
    """The item ``saveSchema()`` writes: the schema's parts, its name, its model's type."""
    item = {**key, "_type": "_Schema", "name": "Current", "queries": {}, **schema}
    serializer = TypeSerializer()
    return {k: serializer.serialize(v) for k, v in item.items()}


def _overview() -> dict[str, Any]:
    return json.loads((FIXTURES / "onetable_overview.json").read_text(), parse_float=Decimal)


def test_the_schema_stored_in_the_table_imports_into_a_module_that_passes_check(
        onetable_table, tmp_path):
    client, name = onetable_table
    client.put_item(TableName=name, Item=_saved_schema(
        _overview(), {"pk": "_schema", "sk": "_schema:Current"}))
    target = tmp_path / "dynadmin.py"
    err = StringIO()

    call_command("dynadmin_import", "--format", "onetable", "--from-table", name,
                 "--table", "App", "--output", str(target), stderr=err)

    source = target.read_text()
    assert f"imported from the OneTable schema stored in table {name}" in source
    module, problems = load_generated(source)
    assert [p.id for p in problems if p.is_serious()] == []
    user = module.User._meta
    assert (user.primary_key.pk.template, user.primary_key.sk.template) == (
        "account#{accountId}", "user#{email}")
    assert module.app.index("gs1").pk == "gs1pk"
    assert f"Wrote {target}." in err.getvalue()


def test_the_table_is_named_after_itself_unless_told(onetable_table):
    client, name = onetable_table
    client.put_item(TableName=name, Item=_saved_schema(
        _overview(), {"pk": "_schema", "sk": "_schema:Current"}))
    out = StringIO()

    call_command("dynadmin_import", "--format", "onetable", "--from-table", name,
                 stdout=out, stderr=StringIO())

    module, _ = load_generated(out.getvalue())
    assert module.User._meta.table.name == name


def test_a_missing_table_is_a_clear_error(dynamodb_endpoint):
    with pytest.raises(CommandError, match="table 'no-such-table' does not exist at this "
                                           "endpoint"):
        call_command("dynadmin_import", "--format", "onetable", "--from-table", "no-such-table")


def test_a_table_without_a_stored_schema_says_where_it_looked(onetable_table):
    _, name = onetable_table
    with pytest.raises(CommandError, match=f"table '{name}' holds no stored OneTable schema: "
                                           "GetItem of pk = '_schema', sk = '_schema:Current' "
                                           "found nothing"):
        call_command("dynadmin_import", "--format", "onetable", "--from-table", name)


def test_an_unreadable_stored_schema_is_a_clear_error(onetable_table):
    client, name = onetable_table
    broken = _overview()
    broken["models"] = "{not json"
    client.put_item(TableName=name, Item=_saved_schema(
        broken, {"pk": "_schema", "sk": "_schema:Current"}))
    with pytest.raises(CommandError, match="is unreadable: its 'models' is text that is not "
                                           "JSON"):
        call_command("dynadmin_import", "--format", "onetable", "--from-table", name)

    del broken["models"]
    client.put_item(TableName=name, Item=_saved_schema(
        broken, {"pk": "_schema", "sk": "_schema:Current"}))
    with pytest.raises(CommandError, match="is unreadable: it has no models map"):
        call_command("dynadmin_import", "--format", "onetable", "--from-table", name)


def test_from_table_is_for_onetable_and_excludes_a_file(onetable_table):
    _, name = onetable_table
    with pytest.raises(CommandError, match="use it with --format onetable"):
        call_command("dynadmin_import", "--format", "workbench", "--from-table", name)
    with pytest.raises(CommandError, match="not both"):
        call_command("dynadmin_import", "--format", "onetable", "schema.json",
                     "--from-table", name)
