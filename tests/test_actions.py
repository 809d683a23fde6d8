"""Admin actions on selected rows: each item written with its own guard."""

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists, Equals
from dynadmin.models import AuditEntry
from examples.shop.definitions import Order
from tests.support.partition_orders import order

pytestmark = pytest.mark.django_db


def page(client):
    url = reverse("dynadmin:partition", kwargs={"table": "Application"}) + "?" + urlencode(
        {"pk": "USER#u1"})
    return client.get(url).content.decode()


def tokens(html):
    """The numbers of the page's selectable rows (what the action's ``rows`` field names)."""
    return re.findall(r'<input type="checkbox" data-row="(\d+)"', html)


def selection(html):
    return unescape(re.search(r'name="selection" value="([^"]*)"', html).group(1))


def test_mark_shipped_writes_each_item_with_its_guard(staff_client, orders, shop_table):
    html = page(staff_client)
    assert "Mark shipped" in html
    selected = tokens(html)
    assert len(selected) == 4
    # Order 2 changes after the page was read: its write must be refused.
    key2 = shop_table.key_of(orders[1])
    data.update_item(shop_table, key2, set={"notes": ["rush"], "version": 2},
                     condition=Equals("version", 1))
    response = staff_client.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                                 {"action": "Order.mark_shipped", "rows": ",".join(selected),
                                  "selection": selection(html)})
    result = unescape(response.content.decode())
    assert response.status_code == 200
    assert result.count(">done<") == 2 and result.count(">conflict<") == 1
    assert result.count(">unchanged<") == 1  # the delivered order
    statuses = {i["order_id"]: data.get_item(shop_table, shop_table.key_of(i))["status"]
                for i in orders}
    assert statuses == {"1": "SHIPPED", "2": "PENDING", "3": "SHIPPED", "4": "DELIVERED"}
    assert data.get_item(shop_table, key2)["notes"] == ["rush"]
    assert AuditEntry.objects.filter(action="action").count() == 2


def test_no_action_controls_without_change_permission(client, django_user_model, orders):
    from django.contrib.auth.models import Group

    from dynadmin.permissions import ensure_groups

    ensure_groups()
    user = django_user_model.objects.create_user("support", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    client.force_login(user)
    assert tokens(page(client)) == []
    response = client.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                           {"action": "Order.mark_shipped", "rows": "1"})
    assert response.status_code == 403


def test_unknown_action_or_nothing_selected_is_a_400(staff_client, orders):
    url = reverse("dynadmin:action", kwargs={"table": "Application"})
    assert staff_client.post(url, {"action": "Order.explode", "rows": "1"}).status_code == 400
    assert staff_client.post(url, {"action": "Order.mark_shipped"}).status_code == 400
    assert staff_client.post(url, {"action": "Order.mark_shipped",
                                   "rows": "1", "selection": "tampered"}).status_code == 400
    token = selection(page(staff_client))
    assert staff_client.post(url, {"action": "Order.mark_shipped", "rows": "99",
                                   "selection": token}).status_code == 400


def test_each_row_of_an_action_gets_the_pages_budget_for_dynamodb(staff_client, shop_table,
                                                                 settings):
    """A page's budget for DynamoDB bounds a stalled request; an action over many rows is
    many independent writes, each given the whole budget, so a long but healthy run is never
    cut short half-way."""
    for n in range(40):
        data.put_item(shop_table, order(n), condition=AttributeNotExists("PK"))
    html = page(staff_client)
    settings.DYNADMIN_REQUEST_BUDGET = 0.3  # far less than 40 guarded writes take in all
    response = staff_client.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                                 {"action": "Order.mark_shipped", "rows": "all",
                                  "selection": selection(html)})
    assert unescape(response.content.decode()).count(">done<") == 40
    shipped = data.query(shop_table.primary, "USER#u1", consistent=True, limit=100).items
    assert {o["status"] for o in shipped} == {"SHIPPED"}


def published(shop_table):
    items = data.query(shop_table.primary, "USER#u1", consistent=True, limit=100).items
    return [i for i in items if i.get("notes") == ["published"]]


@pytest.fixture
def publish_action(monkeypatch):
    """Order's admin gains an action gated by a permission of the host's own, as in Django:
    ``@action(permission="publish")`` asks ``has_publish_permission(request)``."""
    from dynadmin import action
    from dynadmin.sites import site

    admin = site.get_entity_admin(Order)

    @action(description="Publish", permission="publish")
    def publish(request, values):
        return {"notes": ["published"]}

    monkeypatch.setattr(admin, "publish", publish, raising=False)
    monkeypatch.setattr(admin, "actions", (*admin.actions, "publish"))
    monkeypatch.setattr(admin, "has_publish_permission",
                        lambda request: request.user.username == "publisher", raising=False)
    return admin


def test_a_custom_action_permission_gates_the_action(client, django_user_model, orders,
                                                     shop_table, publish_action):
    url = reverse("dynadmin:action", kwargs={"table": "Application"})
    other = django_user_model.objects.create_superuser("other", password="x")
    client.force_login(other)
    html = page(client)
    assert "Mark shipped" in html and "Publish" not in html
    refused = client.post(url, {"action": "Order.publish", "rows": "1",
                                "selection": selection(html)})
    assert refused.status_code == 403
    assert published(shop_table) == []

    publisher = django_user_model.objects.create_superuser("publisher", password="x")
    client.force_login(publisher)
    html = page(client)
    assert "Publish" in html
    response = client.post(url, {"action": "Order.publish", "rows": "1",
                                 "selection": selection(html)})
    assert response.status_code == 200
    assert unescape(response.content.decode()).count(">done<") == 1
    assert len(published(shop_table)) == 1
