"""Read-only tables: every write function refuses before sending anything; reads still work.

Against the session's DynamoDB Local: what the table holds afterwards is read back from it.
"""

from __future__ import annotations

import pytest

from dynadmin import data
from dynadmin.data import Delete, Put, ReadOnly, Update
from dynadmin.data.conditions import AttributeExists, AttributeNotExists
from dynadmin.definitions import Table
from examples.shop.definitions import User

from .conftest import physical_table

pytestmark = pytest.mark.django_db

archive = Table("ReadOnlyArchive", read_only=True)
EXISTING = User.build_item({"user_id": "u001", "email": "first@example.com"})
NEW = User.build_item({"user_id": "u002", "email": "second@example.com"})
ABSENT = AttributeNotExists("PK")
PRESENT = AttributeExists("PK")


def _key(item):  # noqa: ANN001, ANN202
    return {"PK": item["PK"], "SK": item["SK"]}


@pytest.fixture
def frozen(shop_table, settings):  # noqa: ANN001, ANN201
    """The shop table holding one user, then listed in DYNADMIN_READ_ONLY_TABLES."""
    data.put_item(shop_table, EXISTING, condition=ABSENT)
    settings.DYNADMIN_READ_ONLY_TABLES = [shop_table.name]
    return shop_table


WRITES = {
    "put_item": lambda t: data.put_item(t, NEW, condition=ABSENT),
    "update_item": lambda t: data.update_item(t, _key(EXISTING), condition=PRESENT,
                                              set={"email": "changed@example.com"}),
    "delete_item": lambda t: data.delete_item(t, _key(EXISTING), condition=PRESENT),
    "transact_write": lambda t: data.transact_write([
        Put(t, NEW, ABSENT), Delete(t, _key(EXISTING), PRESENT)]),
    "load_items_unconditionally": lambda t: data.load_items_unconditionally(t, [NEW]),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_is_refused_and_nothing_is_sent(frozen, write):  # noqa: ANN001
    with data.recording() as log, pytest.raises(ReadOnly) as refused:
        write(frozen)
    assert log.operations == []
    assert refused.value.status == 403
    assert refused.value.title == "This table is read-only"
    # DynamoDB holds what it held, and reads go on working.
    assert data.get_item(frozen, _key(EXISTING), consistent=True) == EXISTING
    assert data.get_item(frozen, _key(NEW), consistent=True) is None
    page = data.query(frozen.primary, EXISTING["PK"])
    assert page.items == [EXISTING]


def test_the_refusal_names_the_table_the_environment_and_the_setting(frozen, settings):
    settings.DYNADMIN_CONNECTIONS = {"default": {"environment": "production", "color": "red"}}
    with pytest.raises(ReadOnly) as refused:
        WRITES["put_item"](frozen)
    assert refused.value.message == (
        f"dynadmin does not write to table Application ({frozen.table_name}) in the production "
        "environment: it is read-only. Nothing was sent to DynamoDB.")
    assert refused.value.advice == (
        "It is marked read-only by the setting DYNADMIN_READ_ONLY_TABLES, which lists "
        "Application. Change that configuration to allow writes.")


def test_a_read_only_connection_makes_its_tables_read_only(shop_table, settings):
    assert not data.is_read_only(shop_table)
    settings.DYNADMIN_CONNECTIONS = {"default": {"read_only": True}}
    assert data.is_read_only(shop_table)
    with pytest.raises(ReadOnly, match="in the default environment") as refused:
        WRITES["put_item"](shop_table)
    assert "DYNADMIN_CONNECTIONS['default']['read_only']" in refused.value.advice
    assert data.get_item(shop_table, _key(NEW), consistent=True) is None


def test_a_definition_can_be_read_only_and_its_table_still_created(dynamodb_endpoint, settings):
    # schema.create_table is for tests and seeding: it is not a write dynadmin guards.
    with physical_table(archive) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        assert data.is_read_only(archive)
        with pytest.raises(ReadOnly) as refused:
            data.put_item(archive, NEW, condition=ABSENT)
        assert "its definition (Table('ReadOnlyArchive', read_only=True))" in (
            refused.value.advice)
        assert data.get_item(archive, _key(NEW), consistent=True) is None


def test_a_transaction_touching_one_read_only_table_writes_nowhere(shop_table, settings):
    with physical_table(archive) as names:
        settings.DYNADMIN_TABLE_NAMES = {**settings.DYNADMIN_TABLE_NAMES, **names}
        with data.recording() as log, pytest.raises(ReadOnly, match="ReadOnlyArchive"):
            data.transact_write([Put(shop_table, NEW, ABSENT), Put(archive, NEW, ABSENT),
                                 Update(shop_table, _key(NEW), PRESENT, set={"n": 1})])
        assert log.operations == []
        assert data.get_item(shop_table, _key(NEW), consistent=True) is None
