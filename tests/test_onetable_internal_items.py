"""OneTable's own items (its stored schema, migrations, unique-value markers) in a table whose
definitions were imported from a OneTable schema: claimed, named as OneTable's, never
written, off the dashboard, and never "unclaimed" for dynadmin_verify. Over HTTP on
DynamoDB Local."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.urls import reverse

from dynadmin import data
from dynadmin.editing.originals import sign_item
from dynadmin.services.health.verify import check_item, verify_table
from tests.generated_sites import generated_site, mount

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "importers" / "fixtures"

#: as OneTable writes them (src/Schema.js, src/Model.js): keys, the model in ``_type``
SCHEMA = {"pk": "_schema", "sk": "_schema:Current", "_type": "_Schema", "name": "Current",
          "version": "0.0.1", "format": "onetable:1.1.0", "indexes": {"primary": {
              "hash": "pk", "sort": "sk"}}, "models": {}, "params": {"typeField": "_type"},
          "queries": {}}
MIGRATION = {"pk": "_migration", "sk": "_migration:0.0.2", "_type": "_Migration",
             "version": "0.0.2", "description": "Add invoices", "path": "0.0.2.js",
             "date": "2024-01-15T10:00:00.000Z"}
UNIQUE = {"pk": "_unique#Account#name#acme", "sk": "_unique#", "_type": "_Unique"}
ACCOUNT = {"pk": "account#01HQ", "sk": "account#", "_type": "Account", "id": "01HQ",
           "name": "acme", "gs1pk": "account#", "gs1sk": "account#acme01HQ"}


@pytest.fixture
def onetable_site(dynamodb_endpoint, settings, tmp_path):
    from tests.conftest import physical_table

    target = tmp_path / "onetable_app.py"
    call_command("dynadmin_import", "--format", "onetable",
                 str(FIXTURES / "onetable_overview.json"), "--table", "App",
                 "--output", str(target), stderr=StringIO())
    module, site = generated_site(target, "onetable")
    mount(settings, site, "onetable")
    with physical_table(module.app) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        data.load_items_unconditionally(module.app, [SCHEMA, MIGRATION, UNIQUE, ACCOUNT])
        yield module, site


def _url(name: str, **query: str) -> str:
    kwargs = {} if name == "dashboard" else {"table": "App"}
    base = reverse(f"onetable:{name}", kwargs=kwargs, current_app="onetable")
    return f"{base}?{urlencode(query)}" if query else base


def test_each_internal_item_is_claimed_and_verify_finds_nothing_unclaimed(onetable_site):
    module, site = onetable_site
    now = dt.datetime.now(dt.UTC)
    assert [module.app.classify(i).__name__ for i in (SCHEMA, MIGRATION, UNIQUE)] == [
        "OneTableSchema", "OneTableMigration", "OneTableUnique"]
    assert [check_item(module.app, i, now=now) for i in (SCHEMA, MIGRATION, UNIQUE)] == [
        [], [], []]

    report = verify_table(module.app, site, partitions=[
        "_schema", "_migration", "_unique#Account#name#acme"], listings=[])

    assert report.items_read == 3
    assert report.findings == []


def test_a_partition_page_names_them_as_onetable_s_not_unclassified(staff_client,
                                                                   onetable_site):
    page = staff_client.get(_url("partition", pk="_unique#Account#name#acme"))
    html = unescape(page.content.decode())
    assert page.status_code == 200, html[:2000]
    assert "OneTable unique value (internal)" in html
    assert "OneTable unique value Account#name#acme" in html
    assert "Unclassified" not in html

    schema = unescape(staff_client.get(_url("partition", pk="_schema")).content.decode())
    assert "OneTable schema (internal)" in schema and "Unclassified" not in schema


def test_they_are_read_only_even_for_a_superuser(staff_client, onetable_site):
    module, _ = onetable_site
    key = {"pk": "_schema", "sk": "_schema:Current"}
    page = staff_client.get(_url("item", **key))
    html = unescape(page.content.decode())
    assert page.status_code == 200, html[:2000]
    assert "OneTable schema Current" in html
    assert _url("edit", **key) not in html and _url("delete", **key) not in html

    assert staff_client.get(_url("edit", **key)).status_code == 403
    assert staff_client.get(_url("delete", **key)).status_code == 403
    # a delete form as if one had been offered: the item it names decides, and refuses
    stored = data.get_item(module.app, key, consistent=True)
    refused = staff_client.post(_url("delete", **key), {"original": sign_item(stored)})

    assert refused.status_code == 403
    assert data.get_item(module.app, key, consistent=True)["version"] == "0.0.1"


def test_the_dashboard_lists_the_application_s_entities_not_onetable_s(staff_client,
                                                                      onetable_site):
    html = unescape(staff_client.get(_url("dashboard")).content.decode())
    entities = re.findall(r'<td[^>]*><a href="[^"]*/e/([^/"]+)/">', html)
    assert "App.Account" in entities
    assert not [e for e in entities if "OneTable" in e]
