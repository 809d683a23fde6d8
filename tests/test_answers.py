"""The reads' answers, parsed with json.loads (data/answers.py), equal botocore's own parse.

Against the real backend: items holding every DynamoDB type (binary and binary sets at every
depth, an attribute named like a type), read with Query, GetItem and BatchGetItem through
dynadmin's client and through a plain boto3 client, compared whole.
"""

from __future__ import annotations

import os

import boto3
import pytest

from dynadmin.data import get_client_for
from dynadmin.data.responses import LIGHTLY_PARSED

pytestmark = pytest.mark.django_db

EVERY_TYPE = {
    "PK": {"S": "ANSWERS#1"},
    "SK": {"S": "ITEM#1"},
    "text": {"S": "\"B\": not a binary, a text holding quotes ✓"},
    "empty": {"S": ""},
    "number": {"N": "12.5"},
    "big": {"N": "123456789012345678901234567890123456"},
    "yes": {"BOOL": True},
    "nothing": {"NULL": True},
    "blob": {"B": b"\x00\x01binary\xff"},
    "blobs": {"BS": [b"a", b"\x00\xff"]},
    "texts": {"SS": ["x", "y"]},
    "numbers": {"NS": ["1", "2.5"]},
    "B": {"S": "an attribute named B"},
    "BS": {"M": {"B": {"B": b"nested binary under a key named B"}}},
    "map": {"M": {"inner": {"B": b"\x10"}, "list": {"L": [{"B": b"\x11"}, {"BS": [b"\x12"]},
                                                        {"M": {"deep": {"B": b"\x13"}}}]}}},
    "list": {"L": [{"S": "a"}, {"N": "1"}, {"NULL": True}, {"L": [{"B": b"\x14"}]}]},
}


def _plain_client() -> object:
    return boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"],
                        region_name="us-east-1", aws_access_key_id="local",
                        aws_secret_access_key="local")


def _without_metadata(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def test_reads_parse_to_what_botocore_gives(shop_table) -> None:
    name = shop_table.table_name
    plain, ours = _plain_client(), get_client_for(shop_table)
    plain.put_item(TableName=name, Item=EVERY_TYPE)
    plain.put_item(TableName=name, Item={"PK": {"S": "ANSWERS#1"}, "SK": {"S": "ITEM#2"},
                                         "blob": {"B": b"second"}})
    key = {"PK": EVERY_TYPE["PK"], "SK": EVERY_TYPE["SK"]}
    requests = {
        "Query": {"TableName": name, "KeyConditionExpression": "PK = :p",
                  "ExpressionAttributeValues": {":p": EVERY_TYPE["PK"]}, "Limit": 1},
        "GetItem": {"TableName": name, "Key": key},
        "BatchGetItem": {"RequestItems": {name: {"Keys": [key]}}},
    }
    assert set(requests) == set(LIGHTLY_PARSED)
    for operation, request in requests.items():
        method = operation[0].lower() + "".join(
            c if c.islower() else "_" + c.lower() for c in operation[1:])
        expected = getattr(plain, method)(**request)
        got = getattr(ours, method)(**request)
        assert _without_metadata(got) == _without_metadata(expected), operation
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    # The binary values are bytes, as botocore makes them, at every depth.
    item = ours.get_item(TableName=name, Key=key)["Item"]
    assert item["blob"] == {"B": b"\x00\x01binary\xff"}
    assert item["BS"]["M"]["B"] == {"B": b"nested binary under a key named B"}
    assert item["map"]["M"]["list"]["L"][2]["M"]["deep"] == {"B": b"\x13"}
    # A Query that stopped at its Limit carries a LastEvaluatedKey, parsed like the items.
    page = ours.query(**requests["Query"])
    assert page["LastEvaluatedKey"] == key


def test_errors_keep_botocores_parsing(shop_table) -> None:
    """An error answer is parsed by botocore: its code and message reach dynadmin as before."""
    ours = get_client_for(shop_table)
    with pytest.raises(ours.exceptions.ResourceNotFoundException):
        ours.get_item(TableName=shop_table.table_name + "-missing",
                      Key={"PK": {"S": "x"}, "SK": {"S": "y"}})
