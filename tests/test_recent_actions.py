"""Recent actions you can work from: filters by person, entity, action and outcome; paging
over the whole log; each entry links its item and folds out its diff."""

import json

import pytest
from django.urls import reverse

from dynadmin.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = reverse("dynadmin:recent_actions")


def entry(n, *, username="bob", entity="Application.Order", action="update",
          outcome="applied"):
    return AuditEntry.objects.create(
        username=username, table="Application", table_name="t", entity=entity,
        key=json.dumps({"PK": {"S": "USER#u1"}, "SK": {"S": f"ORDER#2024-01-15#{n}"}}),
        key_text=f"USER#u1 / ORDER#2024-01-15#{n}", action=action, outcome=outcome,
        diff={"status": {"before": '"PENDING"', "after": '"SHIPPED"'}}, consumed_wcu=1.0)


def keys_on(response):
    return [e.key_text for e in response.context["entries"]]


def test_paging_reaches_past_the_first_hundred(staff_client, shop_table):
    for n in range(120):
        entry(n)
    first = staff_client.get(URL)
    assert len(keys_on(first)) == 50 and "Entries 1–50 of 120" in first.content.decode()
    third = staff_client.get(URL + "?page=3")
    assert keys_on(third) == [f"USER#u1 / ORDER#2024-01-15#{n}" for n in range(19, -1, -1)]


def test_filters_by_person_entity_action_and_outcome(staff_client, shop_table):
    entry(1, username="bob")
    entry(2, username="carol")
    entry(3, username="carol", entity="Application.User", action="create")
    entry(4, username="carol", outcome="conflict")
    assert keys_on(staff_client.get(URL + "?person=bob")) == ["USER#u1 / ORDER#2024-01-15#1"]
    carol_orders = staff_client.get(URL + "?person=carol&entity=Application.Order"
                                          "&outcome=applied")
    assert keys_on(carol_orders) == ["USER#u1 / ORDER#2024-01-15#2"]
    assert keys_on(staff_client.get(URL + "?action=create")) == ["USER#u1 / ORDER#2024-01-15#3"]
    # Paging keeps the filters.
    for n in range(60):
        entry(100 + n, username="dave")
    html = staff_client.get(URL + "?person=dave").content.decode()
    assert "?person=dave&amp;page=2" in html


def test_entries_link_their_item_show_their_changes_and_capacity(staff_client,
                                                                 shop_table):
    entry(7)
    html = staff_client.get(URL).content.decode()
    assert "/t/Application/item/?pk=USER%23u1&amp;sk=ORDER%232024-01-15%237" in html
    assert "<strong>Status</strong>: PENDING → SHIPPED" in html
    assert "1.0 WCU" in html and 'class="badge ok"' in html
