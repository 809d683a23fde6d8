"""DescribeTable's answer, typed once (``services/tables/status.py``): the dashboard and the
health report say the same thing about a table, whatever state it is in."""

import re
from html import unescape

from django.urls import reverse

from dynadmin.services.tables.status import read_table_status, status_from


def _card(staff_client) -> str:
    html = unescape(staff_client.get(reverse("dynadmin:dashboard")).content.decode())
    return re.search(r'id="table-application".*?</dl>', html, re.DOTALL).group(0)


def _health(staff_client) -> str:
    url = reverse("dynadmin:health", kwargs={"table": "Application"})
    return unescape(staff_client.get(url).content.decode())


def test_the_dashboard_and_the_health_page_show_one_status(staff_client, shop_table):
    status, indexes = read_table_status(shop_table)
    assert status.status == "ACTIVE" and status.billing_mode == "PAY_PER_REQUEST"
    card, health = _card(staff_client), _health(staff_client)
    assert 'data-status="ACTIVE"' in card and "ACTIVE" in health
    live = [index.name for index in indexes if index.live]
    assert live and all(name in card and name in health for name in live)


def test_a_missing_table_reads_not_found_on_the_dashboard_as_on_its_health_page(
        staff_client, shop_table, settings):
    settings.DYNADMIN_TABLE_NAMES = {"Application": "nope-not-here"}
    card = _card(staff_client)
    assert 'data-status="NOT FOUND"' in card
    assert "NOT FOUND" in _health(staff_client)


def test_no_answer_is_a_status_that_says_so():
    status = status_from(None, None)
    assert (status.status, status.error, status.ok) == ("UNAVAILABLE", "not read", False)


def test_an_on_demand_table_reports_no_provisioned_units():
    status = status_from({"TableStatus": "ACTIVE",
                          "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                          "ProvisionedThroughput": {"ReadCapacityUnits": 0,
                                                    "WriteCapacityUnits": 0}}, None)
    assert status.ok and status.read_capacity is None and status.write_capacity is None
