"""Items a data-access library keeps for itself inside an application's table.

dynamodb-onetable writes three kinds beside the application's own items, each as an item of
one of its built-in models (source: ``src/Schema.js`` and ``src/Model.js``):

- ``_Schema``: the stored schema, ``_schema`` / ``_schema:<name>`` (``saveSchema()`` writes
  ``_schema:Current``), with ``format``, ``version``, ``name`` and the schema's maps;
- ``_Migration``: one per migration applied, ``_migration`` / ``_migration:<version>``;
- ``_Unique``: one per value of a ``unique`` field, ``_unique#<scope><Model>#<attr>#<value>``
  / ``_unique#``, so that a transaction can refuse a duplicate.

Declared as entities (``onetable_internal_entities(table)``), they are claimed like any
other item: never "unclaimed" for ``dynadmin_verify``, never unclassified rows on a
partition page, named "OneTable ... (internal)". An admin registered for them with
``internal = True`` keeps them read-only and off the dashboard.
"""

from __future__ import annotations

import types
from typing import Any

from . import fields
from .entities import Entity
from .keys import Key
from .tables import Table

__all__ = ["onetable_internal_entities"]


def _entity(name: str, table: Table, type_value: str, verbose_name: str, label: str,
            body: dict[str, Any]) -> type[Entity]:
    options = {"table": table, "type_value": type_value, "verbose_name": verbose_name,
               "label": label}
    body = {"__module__": __name__, **body}
    return types.new_class(name, (Entity,), options, lambda namespace: namespace.update(body))


def onetable_internal_entities(table: Table) -> tuple[type[Entity], ...]:
    """OneTable's own items in ``table`` (a table without a sort key keeps the partition key
    alone, as OneTable does), as entities of that table."""

    def key(pk: str, sk: str) -> Key:
        return Key(pk=pk, sk=sk) if table.sk else Key(pk=pk)

    schema = _entity("OneTableSchema", table, "_Schema", "OneTable schema (internal)",
                     "OneTable schema {name}", {
                         "keys": key("_schema", "_schema:{name}"),
                         "name": fields.String(), "version": fields.String(),
                         "format": fields.String()})
    migration = _entity("OneTableMigration", table, "_Migration",
                        "OneTable migration (internal)", "OneTable migration {version}", {
                            "keys": key("_migration", "_migration:{version}"),
                            "version": fields.String(), "description": fields.String(),
                            "path": fields.String()})
    unique = _entity("OneTableUnique", table, "_Unique", "OneTable unique value (internal)",
                     "OneTable unique value {value}", {
                         "keys": key("_unique#{value}", "_unique#"),
                         "value": fields.String(key_only=True)})
    return schema, migration, unique
