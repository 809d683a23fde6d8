"""No code path can scan: the refusal hook covers every DynamoDB client in the process."""

import boto3
import pytest

from dynadmin import data
from dynadmin.data import ScanRefused


def test_the_data_layer_offers_no_scan():
    offered = [name for name in dir(data) if "scan" in name.lower()]
    assert sorted(offered) == ["ScanRefused", "install_scan_refusal"]


def test_the_data_layer_client_refuses_scan(dynamodb_endpoint, shop_table):
    with pytest.raises(ScanRefused):
        data.get_client().scan(TableName=shop_table.table_name)


def test_any_client_created_in_the_process_refuses_scan(dynamodb_endpoint, shop_table):
    client = boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    with pytest.raises(ScanRefused):
        client.scan(TableName=shop_table.table_name)
    resource_table = boto3.resource(
        "dynamodb", endpoint_url=dynamodb_endpoint, region_name="us-east-1",
        aws_access_key_id="local", aws_secret_access_key="local",
    ).Table(shop_table.table_name)
    with pytest.raises(ScanRefused):
        resource_table.scan()


def test_partiql_select_is_refused_too(dynamodb_endpoint, shop_table):
    with pytest.raises(ScanRefused):
        data.get_client().execute_statement(Statement=f'SELECT * FROM "{shop_table.table_name}"')


def test_the_refusal_happens_before_any_request_is_sent(dynamodb_endpoint, shop_table):
    sent = []
    client = data.get_client()
    client.meta.events.register("before-send.dynamodb", lambda **kw: sent.append(kw))
    try:
        with pytest.raises(ScanRefused):
            client.scan(TableName=shop_table.table_name)
    finally:
        client.meta.events.unregister("before-send.dynamodb", lambda **kw: None)
    assert sent == []
