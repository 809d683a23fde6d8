"""Entities: building items from definitions, typing them back, and classifying them."""

import datetime as dt
from decimal import Decimal

import pytest

from dynadmin.definitions import parse_any
from dynadmin.definitions.fields import FieldError
from examples.shop.definitions import Order, Product, Session, User, shop

ORDER = {
    "user_id": "u1", "order_id": "456", "placed_on": "2024-01-15",
    "placed_at": dt.datetime(2024, 1, 15, 9, 30, tzinfo=dt.UTC),
    "status": "PENDING", "total": Decimal("299.99"),
}


def test_build_item_fills_keys_index_keys_and_type():
    item = Order.build_item(ORDER)
    assert item["PK"] == "USER#u1"
    assert item["SK"] == "ORDER#2024-01-15#456"
    assert (item["GSI1PK"], item["GSI1SK"]) == ("ORDER#456", "USER#u1")
    assert (item["GSI2PK"], item["GSI2SK"]) == (
        "ORDER#STATUS#PENDING", "ORDER#2024-01-15T09:30:00+00:00")
    assert item["type"] == "order"
    assert item["total"] == Decimal("299.99")


def test_missing_required_field_is_refused_with_its_name():
    with pytest.raises(FieldError, match="Total"):
        Order.build_item({k: v for k, v in ORDER.items() if k != "total"})


def test_an_index_key_without_its_values_leaves_the_item_out_of_that_index():
    item = User.build_item({"user_id": "u1", "email": "a@example.com"})
    assert "GSI1PK" in item and "GSI2PK" not in item


def test_parse_item_types_values_and_keeps_undeclared_attributes():
    item = Order.build_item(ORDER) | {"legacy_flag": "yes"}
    parsed = Order.parse_item(item)
    assert parsed.values["placed_on"] == dt.date(2024, 1, 15)
    assert parsed.values["total"] == Decimal("299.99")
    assert parsed.extra == {"legacy_flag": "yes"}
    assert not parsed.errors


def test_a_value_that_does_not_fit_is_kept_raw_with_a_note():
    item = Order.build_item(ORDER) | {"status": "LOST"}
    parsed = Order.parse_item(item)
    assert parsed.values["status"] == "LOST"
    assert "not one of" in parsed.errors["status"]


def test_values_missing_from_attributes_come_from_the_keys():
    parsed = Order.parse_item({"PK": "USER#u9", "SK": "ORDER#2023-05-01#77"})
    assert parsed.values["user_id"] == "u9"
    assert parsed.values["order_id"] == "77"


class TestClassify:
    def test_by_type_attribute(self):
        assert shop.classify({"PK": "X", "SK": "Y", "type": "product"}) is Product

    def test_by_keys_when_the_type_attribute_is_missing(self):
        assert shop.classify({"PK": "USER#1", "SK": "METADATA"}) is User
        assert shop.classify({"PK": "USER#1", "SK": "ORDER#2024-01-15#9"}) is Order
        assert shop.classify({"PK": "USER#1", "SK": "SESSION#abc"}) is Session

    def test_an_item_no_entity_claims_is_unclassified_not_an_error(self):
        parsed = parse_any(shop, {"PK": "SOMETHING#1", "SK": "ELSE", "x": 1})
        assert parsed.entity is None
        assert parsed.entity_name == "unclassified"
        assert parsed.extra["x"] == 1
