"""No code path of dynadmin can scan; whether the rest of the process can is a setting.

dynadmin's own clients (every connection) always refuse Scan and PartiQL.
``DYNADMIN_REFUSE_SCAN_PROCESS_WIDE`` (True in the ready-made project) extends the refusal to
every DynamoDB client in the process; off, a host project's own boto3 code scans as usual.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import botocore.session
import pytest

from dynadmin import data
from dynadmin.data import ScanRefused
from dynadmin.data.client import (
    _create_client_with_refusal,
    install_scan_refusal,
    uninstall_scan_refusal,
)
from dynadmin.data.conditions import AttributeNotExists

ROOT = Path(__file__).resolve().parent.parent


def _plain_client(endpoint):  # noqa: ANN001, ANN202
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


def _process_wide_installed() -> bool:
    return botocore.session.Session.create_client is _create_client_with_refusal


@pytest.fixture
def process_wide_off():  # noqa: ANN201
    """The process-wide hook removed for one test (as in a host project), then put back."""
    was_installed = _process_wide_installed()
    uninstall_scan_refusal()
    data.reset_client()  # dynadmin's clients are rebuilt without the process-wide hook
    yield
    if was_installed:
        install_scan_refusal()
    data.reset_client()


def test_the_data_layer_offers_no_scan():
    offered = [name for name in dir(data) if "scan" in name.lower()]
    assert sorted(offered) == ["ScanRefused", "install_scan_refusal"]


def test_the_project_settings_refuse_process_wide(settings):
    assert settings.DYNADMIN_REFUSE_SCAN_PROCESS_WIDE is True
    assert _process_wide_installed(), "AppConfig.ready installed the hook"


def test_the_data_layer_client_refuses_scan(dynamodb_endpoint, shop_table):
    with pytest.raises(ScanRefused):
        data.get_client().scan(TableName=shop_table.table_name)


def test_every_dynadmin_client_refuses_even_without_the_process_wide_hook(
        process_wide_off, dynamodb_endpoint, shop_table, settings):
    settings.DYNADMIN_CONNECTIONS = {
        "default": {}, "other": {"endpoint_url": dynamodb_endpoint, "color": "blue"}}
    for client in (data.get_client(), data.get_client("other")):
        with pytest.raises(ScanRefused):
            client.scan(TableName=shop_table.table_name)
        with pytest.raises(ScanRefused):
            client.execute_statement(Statement=f'SELECT * FROM "{shop_table.table_name}"')


@pytest.mark.django_db
def test_without_the_process_wide_hook_other_clients_scan(process_wide_off, dynamodb_endpoint,
                                                         shop_table):
    item = {"PK": "USER#u1", "SK": "METADATA"}
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    response = _plain_client(dynamodb_endpoint).scan(TableName=shop_table.table_name)
    assert response["Items"] == [{"PK": {"S": "USER#u1"}, "SK": {"S": "METADATA"}}]


def test_with_the_process_wide_hook_any_client_refuses(dynamodb_endpoint, shop_table):
    install_scan_refusal()
    install_scan_refusal()  # idempotent
    with pytest.raises(ScanRefused):
        _plain_client(dynamodb_endpoint).scan(TableName=shop_table.table_name)
    resource_table = boto3.resource(
        "dynamodb", endpoint_url=dynamodb_endpoint, region_name="us-east-1",
        aws_access_key_id="local", aws_secret_access_key="local",
    ).Table(shop_table.table_name)
    with pytest.raises(ScanRefused):
        resource_table.scan()


def test_a_host_project_with_the_setting_off_keeps_its_own_scans(dynamodb_endpoint,
                                                                 shop_table, tmp_path):
    # A fresh process that starts Django the way a host project does, setting off.
    (tmp_path / "host_settings.py").write_text(
        "from tests.settings import *  # noqa\nDYNADMIN_REFUSE_SCAN_PROCESS_WIDE = False\n")
    script = (
        "import django, json, boto3\n"
        "django.setup()\n"
        "from dynadmin.data import get_client\n"
        f"plain = boto3.client('dynamodb', endpoint_url={dynamodb_endpoint!r},\n"
        "    region_name='us-east-1', aws_access_key_id='local', aws_secret_access_key='local')\n"
        f"count = plain.scan(TableName={shop_table.table_name!r})['Count']\n"
        "try:\n"
        f"    get_client().scan(TableName={shop_table.table_name!r})\n"
        "    ours = 'scanned'\n"
        "except Exception as exc:\n"
        "    ours = type(exc).__name__\n"
        "print(json.dumps({'host_count': count, 'dynadmin': ours}))\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "host_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"host_count": 0, "dynadmin": "ScanRefused"}


def test_partiql_select_is_refused_too(dynamodb_endpoint, shop_table):
    with pytest.raises(ScanRefused):
        data.get_client().execute_statement(Statement=f'SELECT * FROM "{shop_table.table_name}"')


def test_the_refusal_happens_before_any_request_is_sent(dynamodb_endpoint, shop_table):
    sent = []
    client = data.get_client()
    client.meta.events.register("before-send.dynamodb", lambda **kw: sent.append(kw),
                                unique_id="test-before-send")
    try:
        with pytest.raises(ScanRefused):
            client.scan(TableName=shop_table.table_name)
    finally:
        client.meta.events.unregister("before-send.dynamodb", unique_id="test-before-send")
    assert sent == []
