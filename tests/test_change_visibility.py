"""A change shows the item before and after it: it is shown only to whoever may view the
entity of every image it holds, wherever it is shown. An Order turned into a User keeps the
Order's values in its audit entry (History, Recent actions, Undo) and in the item a conflict
finds, hidden from a person who may view Users but not Orders."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import boto3
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from dynadmin import data
from dynadmin.data.serialization import dumps_dynamodb_json
from dynadmin.models import AuditEntry
from dynadmin.services.url_keys import item_url
from examples.shop.definitions import User, shop
from tests.test_edit import edit_url, form_data

pytestmark = pytest.mark.django_db

KEY = {"PK": "USER#leak0001", "SK": "ORDER#2026-01-01#leak1"}
USER_KEY = {"PK": "USER#leak0001", "SK": "METADATA"}
SECRET = "OLD-ORDER-SECRET-4242"
RECENT = reverse("dynadmin:recent_actions")


def application(endpoint: str, shop) -> Any:  # noqa: ANN001
    """The table as the application sees it: plain boto3, nothing of dynadmin's."""
    return boto3.resource("dynamodb", endpoint_url=endpoint).Table(shop.table_name)


def person(django_user_model, name: str, *codenames: str) -> Client:  # noqa: ANN001
    user = django_user_model.objects.create_user(name, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:  # noqa: ANN001
    return unescape(response.content.decode())


@pytest.fixture
def order_made_user(staff_client, shop_table, dynamodb_endpoint) -> AuditEntry:
    """An Order holding a card number, turned into a User (moved to a User's key) through
    dynadmin's raw editor by someone who may do both."""
    application(dynamodb_endpoint, shop_table).put_item(Item={
        **KEY, "type": "order", "user_id": "leak0001", "order_id": "leak1",
        "placed_on": "2026-01-01", "status": "PAID", "total": Decimal("12.00"),
        "card_last4": SECRET, "version": Decimal(1)})
    url = edit_url(KEY) + "&raw=1"
    token = unescape(re.search(r'name="original" value="([^"]*)"',
                               staff_client.get(url).content.decode()).group(1))
    user = data.get_item(shop_table, KEY) | User.build_item({
        "user_id": "leak0001", "email": "l@example.com", "name": "Lee", "version": 1}) | {
        "card_last4": "NEW-VALUE"}
    response = staff_client.post(url, {"original": token, "raw": "1",
                                       "item": dumps_dynamodb_json(user)})
    assert response.status_code == 302, re.findall(r"(?s)</textarea>.{0,600}", text(response))
    entry = AuditEntry.objects.get(outcome="applied")
    assert SECRET in entry.before and entry.entity == "Application.User"
    return entry


def test_the_audit_entry_is_hidden_from_who_may_not_view_the_order(
        django_user_model, order_made_user) -> None:
    users_only = person(django_user_model, "uma", "view_application_user",
                        "change_application_user", "add_application_user",
                        "delete_application_user")
    recent = users_only.get(RECENT)
    assert recent.status_code == 200
    assert SECRET not in text(recent) and "leak0001" not in text(recent)
    user_page = users_only.get(item_url(shop, USER_KEY))
    assert user_page.status_code == 200 and "Lee" in text(user_page)
    assert SECRET not in text(user_page)  # its History
    old_place = users_only.get(item_url(shop, KEY))
    assert old_place.status_code == 404 and SECRET not in text(old_place)
    undo = reverse("dynadmin:undo", kwargs={"table": "Application",
                                            "entry_id": order_made_user.pk})
    assert users_only.post(undo).status_code == 404
    assert data.get_item(shop, USER_KEY) is not None

    both = person(django_user_model, "ola", "view_application_user",
                  "view_application_order")
    assert SECRET in text(both.get(RECENT))
    assert SECRET in text(both.get(item_url(shop, USER_KEY)))


def test_a_conflict_with_an_item_turned_into_another_entity_shows_none_of_its_values(
        django_user_model, shop_table, dynamodb_endpoint) -> None:
    key = {"PK": "USER#c1", "SK": "METADATA"}
    table = application(dynamodb_endpoint, shop_table)
    table.put_item(Item={**key, "type": "user", "user_id": "c1", "email": "c1@example.com",
                         "name": "Cleo", "version": Decimal(1)})
    users_only = person(django_user_model, "uma", "view_application_user",
                        "change_application_user")
    form = form_data(users_only.get(edit_url(key)))
    table.update_item(Key=key, UpdateExpression="SET #t = :t, card_last4 = :c, version = :v",
                      ExpressionAttributeNames={"#t": "type"},
                      ExpressionAttributeValues={":t": "order", ":c": SECRET, ":v": 2})
    response = users_only.post(edit_url(key), form | {"name": "Cleo B."})
    assert response.status_code == 409
    html = text(response)
    assert SECRET not in html and "may not view" in html and "Nothing was written" in html
    assert data.get_item(shop_table, key)["card_last4"] == SECRET
