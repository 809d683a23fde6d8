"""Definitions that fit real designs over HTTP on DynamoDB Local with a
small helpdesk definition (``tests/helpdesk_urls.py``)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from tests.support.editing import form_data

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
          "subject": "Printer on fire", "status": "OPEN", "GSI1PK": "ORG#acme#STATUS#OPEN",
          "GSI1SK": "TICKET#T-1"}


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
    assert Order.parse_item(stored).values["user_id"] == "u1"

    rebuilt = Order.rebuild_item(stored, {"status": "SHIPPED"})

    assert "user_id" not in rebuilt
    assert rebuilt["PK"] == "USER#u1"


def test_a_key_only_field_is_typed_back_from_the_key_and_never_built_as_an_attribute():
    from tests.helpdesk_urls import Ticket

    item = Ticket.build_item({"org": "acme", "ticket_id": "T-1", "status": "OPEN"})
    assert "org" not in item and item["PK"] == "ORG#acme"
    parsed = Ticket.parse_item(item | {"org": "stray"})
    assert parsed.values["org"] == "acme"
    assert parsed.extra == {"org": "stray"}  # a stray attribute is kept, not mistaken


# -- a listing whose partition mixes a free field and a Choice -------------------------------
def _ticket(org: str, ticket_id: str, status: str) -> dict[str, Any]:
    from tests.helpdesk_urls import Ticket

    return Ticket.build_item({"org": org, "ticket_id": ticket_id, "status": status,
                              "subject": f"{org} {ticket_id}"})


def test_a_listing_of_a_typed_in_tenant_and_a_status_choice_passes_the_checks():
    from dynadmin.checks.definitions import check_definitions
    from tests.helpdesk_urls import desk

    assert [m.id for m in check_definitions(site=desk)] == []


def test_a_listing_with_only_free_fields_is_still_refused():
    from dynadmin import EntityAdmin, Listing
    from dynadmin.checks.definitions import check_definitions
    from dynadmin.sites import AdminSite
    from tests.helpdesk_urls import Ticket

    class ByOrg(EntityAdmin):
        listings = (Listing("keys", label="Tickets of an org"),)

    site = AdminSite(name="by-org")
    site.register(Ticket, ByOrg)
    assert [m.id for m in check_definitions(site=site)] == ["dynadmin.E009"]


def test_the_tenant_is_typed_in_then_the_status_tabs_switch_within_it(staff_client,
                                                                     helpdesk_table):
    for item in (_ticket("acme", "T-1", "OPEN"), _ticket("acme", "T-2", "CLOSED"),
                 _ticket("globex", "T-3", "OPEN")):
        _put(helpdesk_table, item)
    home = reverse("helpdesk:entity", args=["Helpdesk.Ticket"], current_app="helpdesk")
    listing = reverse("helpdesk:listing", args=["Helpdesk.Ticket", "by_status"],
                      current_app="helpdesk")

    asked = staff_client.get(home)  # no tenant yet: the form asks for it, nothing is read
    assert asked.status_code == 200
    assert 'name="org"' in _text(asked) and "X-Dynadmin-Calls" not in asked

    sent = staff_client.get(listing, {"org": "acme", "status": "OPEN"})
    assert sent.status_code == 302
    opened = staff_client.get(sent["Location"])
    html = _text(opened)
    assert opened.status_code == 200, html[:2000]
    assert "acme T-1" in html and "acme T-2" not in html and "globex T-3" not in html
    assert opened["X-Dynadmin-Calls"] == "Query"
    tabs = re.findall(r'<nav class="tabs"[^>]*>(.*?)</nav>', html, re.S)[0]
    closed = unescape(re.search(r'href="([^"]*)">CLOSED<', tabs).group(1))
    assert "org=acme" in closed

    switched = _text(staff_client.get(closed))
    assert "acme T-2" in switched and "acme T-1" not in switched


def _staff(django_user_model, name: str, *entities) -> Any:
    """A staff member who may view exactly ``entities`` of the helpdesk site."""
    from django.contrib.auth.models import Permission
    from django.test import Client

    from dynadmin.codenames import permission_codename
    from dynadmin.permissions import sync_permissions
    from tests.helpdesk_urls import desk

    sync_permissions(admin_site=desk)
    user = django_user_model.objects.create_user(name, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(
        codename__in=[permission_codename("view", e) for e in entities]))
    client = Client()
    client.force_login(user)
    return client


def test_an_org_s_page_opens_its_tickets_by_status_with_the_org_filled_in(
        django_user_model, helpdesk_table):
    from tests.helpdesk_urls import Org, Ticket

    org = _put(helpdesk_table, Org.build_item({"org": "acme", "name": "Acme Corp"}))
    for item in (_ticket("acme", "T-1", "OPEN"), _ticket("acme", "T-2", "CLOSED"),
                 _ticket("globex", "T-3", "CLOSED")):
        _put(helpdesk_table, item)
    both = _staff(django_user_model, "agent", Org, Ticket)

    page = both.get(_url("item", org))

    html = _text(page)
    assert page.status_code == 200, html[:2000]
    # the links cost no call (the Query is History's, of the archive)
    assert page["X-Dynadmin-Calls"] == "GetItem,Query"
    section = re.search(r'aria-label="Tickets by status">(.*?)</section>', html, re.S).group(1)
    links = dict((label, unescape(url)) for url, label in
                 re.findall(r'<a href="([^"]*)">(\w+)</a>', section))
    assert list(links) == ["OPEN", "PENDING", "CLOSED"]
    assert "org=acme" in links["CLOSED"] and "status=CLOSED" in links["CLOSED"]

    closed = _text(both.get(links["CLOSED"]))

    assert "acme T-2" in closed and "acme T-1" not in closed and "globex T-3" not in closed


def test_the_section_is_offered_only_to_those_who_may_view_tickets(django_user_model,
                                                                  helpdesk_table):
    from tests.helpdesk_urls import Org

    org = _put(helpdesk_table, Org.build_item({"org": "acme", "name": "Acme Corp"}))
    orgs_only = _staff(django_user_model, "sales", Org)
    listing = reverse("helpdesk:entity", args=["Helpdesk.Ticket"], current_app="helpdesk")

    page = orgs_only.get(_url("item", org))

    assert page.status_code == 200
    assert "Tickets by status" not in _text(page)
    refused = orgs_only.get(listing, {"listing": "by_status", "org": "acme", "status": "OPEN"})
    assert refused.status_code == 403


def test_a_relation_leaving_a_choice_unfilled_needs_a_listing_on_that_key():
    from dynadmin import EntityAdmin, Relation
    from dynadmin.checks.definitions import check_definitions
    from dynadmin.sites import AdminSite
    from tests.helpdesk_urls import Org, Ticket

    class NoListing(EntityAdmin):
        relations = (Relation("Tickets by status", Ticket, key="by_status"),)

    site = AdminSite(name="no-listing")
    site.register(Ticket)
    site.register(Org, NoListing)
    assert [m.id for m in check_definitions(site=site)] == ["dynadmin.E011"]


# -- partition keys without a literal prefix --------------------------------------------------
@pytest.fixture
def telemetry_table(helpdesk_table, settings):
    from tests.conftest import physical_table
    from tests.helpdesk_urls import telemetry

    desk_names = dict(settings.DYNADMIN_TABLE_NAMES)
    with physical_table(telemetry) as names:
        settings.DYNADMIN_TABLE_NAMES = desk_names | names
        yield telemetry
        settings.DYNADMIN_TABLE_NAMES = desk_names | names


def test_the_box_offers_a_bare_device_id_as_a_raw_key_of_the_telemetry_table(
        staff_client, telemetry_table):
    from tests.helpdesk_urls import Reading

    _put(telemetry_table, Reading.build_item({"device": "sensor-17",
                                              "taken_at": "2024-01-15T09:00", "celsius": 21}))
    box = reverse("helpdesk:lookup", current_app="helpdesk")

    response = staff_client.get(box, {"q": "sensor-17"})

    html = _text(response)
    assert response.status_code == 200, html[:2000]  # offered, not guessed: no redirect
    link = re.search(r'<a href="([^"]*)">Raw key of table Telemetry \(\{device\} on ',
                     html)
    assert link is not None, html[:3000]
    opened = staff_client.get(unescape(link.group(1)))
    assert opened.status_code == 200
    assert "AT#2024-01-15T09:00" in _text(opened)
    assert opened["X-Dynadmin-Calls"] == "Query"


def test_a_bare_key_in_another_case_opens_its_exact_partition_with_a_hint(staff_client,
                                                                         telemetry_table):
    from tests.helpdesk_urls import Reading

    _put(telemetry_table, Reading.build_item({"device": "sensor-17",
                                              "taken_at": "2024-01-15T09:00"}))
    box = reverse("helpdesk:lookup", current_app="helpdesk")
    html = _text(staff_client.get(box, {"q": "SENSOR-17"}))
    assert "upper and lower case included" in html
    link = re.search(r'<a href="([^"]*)">Raw key of table Telemetry', html)

    opened = staff_client.get(unescape(link.group(1)))

    page = _text(opened)
    assert "AT#2024-01-15T09:00" not in page  # matched exactly: SENSOR-17 holds nothing
    hint = re.search(r'another case holds items: <a href="([^"]*)"><span class="key">'
                     r'sensor-17</span>', page)
    assert hint is not None, page[:3000]
    assert "AT#2024-01-15T09:00" in _text(staff_client.get(unescape(hint.group(1))))


def test_no_other_case_is_probed_where_a_partition_has_items_or_a_literal_prefix(
        staff_client, telemetry_table):
    from tests.helpdesk_urls import Reading

    _put(telemetry_table, Reading.build_item({"device": "sensor-17",
                                              "taken_at": "2024-01-15T09:00"}))
    telemetry = reverse("helpdesk:partition", kwargs={"table": "Telemetry"},
                        current_app="helpdesk")
    full = staff_client.get(telemetry, {"pk": "sensor-17"})
    empty_ticket_org = staff_client.get(_url("partition", pk="ORG#ACME"))
    assert full["X-Dynadmin-Calls"] == "Query"
    assert empty_ticket_org["X-Dynadmin-Calls"] == "Query"
