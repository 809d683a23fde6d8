"""Definitions that fit real designs (issue 13, section 2), over HTTP on DynamoDB Local with a
small helpdesk definition (``tests/helpdesk_urls.py``)."""

from __future__ import annotations

from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from tests.test_edit_validation import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def helpdesk_table(dynamodb_endpoint, settings):
    from tests.conftest import physical_table
    from tests.helpdesk_urls import helpdesk

    settings.ROOT_URLCONF = "tests.helpdesk_urls"
    with physical_table(helpdesk) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        yield helpdesk


def _put(table, item: dict[str, Any]) -> dict[str, Any]:
    data.put_item(table, item, condition=AttributeNotExists("PK"))
    return item


def _url(name: str, key: dict[str, Any] | None = None, **extra: str) -> str:
    query = {"pk": key["PK"], "sk": key["SK"]} if key else {}
    return (reverse(f"helpdesk:{name}", kwargs={"table": "Helpdesk"}, current_app="helpdesk")
            + "?" + urlencode(query | extra))


def _text(response) -> str:
    return unescape(response.content.decode())


# -- fields that live only in a key ---------------------------------------------------------
TICKET = {"PK": "ORG#acme", "SK": "TICKET#T-1", "type": "ticket", "ticket_id": "T-1",
          "subject": "Printer on fire"}


def test_editing_a_ticket_never_writes_its_key_only_org_as_an_attribute(staff_client,
                                                                      helpdesk_table):
    from dynadmin.models import AuditEntry

    _put(helpdesk_table, dict(TICKET))
    key = {"PK": "ORG#acme", "SK": "TICKET#T-1"}
    page = staff_client.get(_url("edit", key))
    assert page.status_code == 200, _text(page)[:2000]
    fields = form_data(page)
    assert fields["org"] == "acme"  # read back from the partition key
    fields["subject"] = "Printer fixed"

    response = staff_client.post(_url("edit", key), fields)

    assert response.status_code == 302, _text(response)[:2000]
    stored = data.get_item(helpdesk_table, key, consistent=True)
    assert stored == TICKET | {"subject": "Printer fixed"}  # no new "org" attribute
    entry = AuditEntry.objects.get()
    assert set(entry.diff) == {"subject"}


def test_a_value_read_from_a_key_is_not_added_as_an_attribute_by_a_save():
    from examples.shop.definitions import Order

    stored = Order.build_item({"user_id": "u1", "order_id": "9", "placed_on": "2024-01-15",
                               "status": "PENDING", "total": "10",
                               "placed_at": "2024-01-15T10:00:00+00:00"})
    del stored["user_id"]  # a design that keeps the user only in the keys
    values = Order.parse_item(stored).values | {"status": "SHIPPED"}
    assert values["user_id"] == "u1"

    rebuilt = Order.rebuild_item(stored, values)

    assert "user_id" not in rebuilt
    assert rebuilt["PK"] == "USER#u1"


def test_a_key_only_field_is_typed_back_from_the_key_and_never_built_as_an_attribute():
    from tests.helpdesk_urls import Ticket

    item = Ticket.build_item({"org": "acme", "ticket_id": "T-1"})
    assert "org" not in item and item["PK"] == "ORG#acme"
    parsed = Ticket.parse_item(item | {"org": "stray"})
    assert parsed.values["org"] == "acme"
    assert parsed.extra == {"org": "stray"}  # a stray attribute is kept, not mistaken
