"""``dynadmin_verify``: a bounded sample of a deliberately broken table, checked against the
example's definitions on DynamoDB Local. Each kind of problem is found, the exit status says
so, and the sample is read with Query pages only, as many as asked for."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from dynadmin import data
from dynadmin.services.health.verify import check_item
from examples.shop.definitions import Order, Session, User

pytestmark = pytest.mark.django_db

NOW = dt.datetime.now(dt.UTC)


def order(user_id: str, order_id: str, **overrides: Any) -> dict[str, Any]:
    item = Order.build_item({
        "user_id": user_id, "order_id": order_id, "placed_on": dt.date(2024, 1, 15),
        "placed_at": dt.datetime(2024, 1, 15, 10, 0, tzinfo=dt.UTC), "status": "PAID",
        "total": Decimal("12.50"), "currency": "EUR"})
    item.update(overrides)
    return item


def session(user_id: str, session_id: str, ttl: Any) -> dict[str, Any]:
    item = Session.build_item({"user_id": user_id, "session_id": session_id,
                               "expires": NOW + dt.timedelta(days=1)})
    item["ttl"] = ttl
    return item


def user(user_id: str) -> dict[str, Any]:
    return User.build_item({"user_id": user_id, "email": f"{user_id}@example.com"})


@pytest.fixture
def broken(shop_table):
    """USER#bad holds one item of each kind of problem; USER#good holds only sound items."""
    data.load_items_unconditionally(shop_table, [
        user("bad"),
        # the sort key says the 16th, the item's own placed_on the 15th
        order("bad", "o-key", SK="ORDER#2024-01-16#o-key"),
        # a Number field stored as a String
        order("bad", "o-type", total="12.50"),
        # written by a tool that drops the zone: the template spells +00:00
        order("bad", "o-zone", placed_at="2024-01-15T10:00:00",
              GSI2SK="ORDER#2024-01-15T10:00:00"),
        # milliseconds where DynamoDB reads seconds
        session("bad", "s-millis", Decimal(int(NOW.timestamp() * 1000))),
        # no entity claims it: no type attribute, no template fits WISHLIST#
        {"PK": "USER#bad", "SK": "WISHLIST#1", "note": "left over from v1"},
        user("good"),
        order("good", "o-good"),
        session("good", "s-good", Decimal(int(NOW.timestamp()) + 3600)),
    ])
    return shop_table


def verify(*args: str) -> tuple[dict[str, Any], CommandError | None]:
    out = StringIO()
    try:
        call_command("dynadmin_verify", "--table", "Application", "--json", *args, stdout=out)
    except CommandError as exc:
        return json.loads(out.getvalue()), exc
    return json.loads(out.getvalue()), None


def findings(report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["kind"] == kind]


class TestBrokenPartition:
    def test_each_kind_of_problem_is_found_and_the_exit_status_is_1(self, broken):
        report, error = verify("--partition", "USER#bad")
        assert error is not None and error.returncode == 1
        assert report["ok"] is False and report["items_read"] == 6

        [unclassified] = findings(report, "unclassified")
        assert unclassified["key"] == {"PK": "USER#bad", "SK": "WISHLIST#1"}

        [key] = findings(report, "key")
        assert key["key"]["SK"] == "ORDER#2024-01-16#o-key" and key["attribute"] == "SK"
        assert "ORDER#2024-01-15#o-key" in key["message"]

        [typed] = findings(report, "type")
        assert typed["key"]["SK"].endswith("#o-type") and typed["attribute"] == "total"
        assert "stored as S, the field is N" in typed["message"]

        [index] = findings(report, "index_key")
        assert index["key"]["SK"].endswith("#o-zone") and index["attribute"] == "GSI2SK"
        assert "ORDER#2024-01-15T10:00:00+00:00" in index["message"]

        [ttl] = findings(report, "ttl")
        assert ttl["key"]["SK"] == "SESSION#s-millis" and ttl["attribute"] == "ttl"
        assert "milliseconds" in ttl["message"]
        assert report["counts"] == {"unclassified": 1, "key": 1, "type": 1, "index_key": 1,
                                    "ttl": 1}

    def test_the_text_report_states_the_cost_before_and_after(self, broken):
        out = StringIO()
        with pytest.raises(CommandError) as raised:
            call_command("dynadmin_verify", "--table", "Application", "--partition",
                         "USER#bad", "--pages", "3", stdout=out)
        assert raised.value.returncode == 1
        text = out.getvalue()
        first, *rest = text.splitlines()
        assert "at most 3 Query call(s)" in first and "never a whole-table read" in first
        assert text.count("Sample of") == 1, "the estimate is said once"
        assert "Read 6 item(s) in 1 call(s) (Query)" in text
        assert "Items no entity claims (1):" in text and "5 finding(s)." in text


class TestCleanSample:
    def test_a_clean_partition_exits_0(self, broken):
        report, error = verify("--partition", "USER#good")
        assert error is None
        assert report["ok"] is True and report["findings"] == []
        assert report["items_read"] == 3

    def test_listings_read_one_query_per_choice_partition(self, broken):
        report, error = verify("--listing", "by_status")
        assert report["measured"]["operations"] == ["Query"]
        assert report["measured"]["calls"] == report["estimate"]["calls"] == 5
        assert {s["index"] for s in report["sources"]} == {"GSI2"}
        # the four orders are all PAID: read through ORDER#STATUS#PAID, checked the same way
        assert report["items_read"] == 4
        assert error is not None and error.returncode == 1
        assert sorted(f["kind"] for f in report["findings"]) == ["index_key", "key", "type"]

    def test_unknown_listing_is_a_clear_error(self, broken):
        with pytest.raises(CommandError, match="no listing called nope"):
            call_command("dynadmin_verify", "--table", "Application", "--listing", "nope",
                         stdout=StringIO())


class TestBoundedCost:
    def test_pages_bound_the_queries_and_nothing_scans(self, shop_table):
        data.load_items_unconditionally(
            shop_table, [order("many", f"o{n:03}") for n in range(250)])
        report, error = verify("--partition", "USER#many", "--pages", "2")
        assert error is None
        assert report["measured"]["operations"] == ["Query"]
        assert report["measured"]["calls"] == 2 and report["items_read"] == 200
        assert report["estimate"] == {"calls": 2, "max_rcu": 256}
        assert report["measured"]["consumed_rcu"] > 0


def test_a_zone_less_date_time_in_a_key_is_reported_without_reading(shop_table):
    item = order("u", "o1", GSI2SK="ORDER#2024-01-15T10:00:00")
    [finding] = check_item(shop_table, item, now=NOW)
    assert finding.kind == "index_key" and finding.entity == "Order"


class TestHealthPage:
    def url(self, partition: str) -> str:
        return reverse("dynadmin:health", kwargs={"table": "Application"}) + "?" + urlencode(
            {"verify": partition})

    def test_a_typed_partition_is_verified_on_the_health_page(self, staff_client, broken):
        response = staff_client.get(self.url("USER#bad"))
        assert response.status_code == 200
        page = response.content.decode()
        for label in ("Items no entity claims", "Keys that do not re-format",
                      "Attributes whose DynamoDB type disagrees", "Index keys that disagree",
                      "TTL values DynamoDB will not act on"):
            assert label in page
        assert "USER#bad · WISHLIST#1" in page and "Read 6 item(s) in 1 Query call(s)" in page
        assert "Scan" not in response["X-Dynadmin-Calls"]

    def test_a_clean_partition_reads_no_findings(self, staff_client, broken):
        page = staff_client.get(self.url("USER#good")).content.decode()
        assert "no findings" in page and "Read 3 item(s)" in page

    def test_an_oversized_partition_is_refused_with_a_message(self, staff_client, broken):
        response = staff_client.get(self.url("P" * 2049))
        assert response.status_code == 400
        assert "a partition key is 1 to 2048 bytes" in response.content.decode()

    def test_only_items_the_person_may_view_are_checked(self, client, django_user_model,
                                                         broken):
        user = django_user_model.objects.create_user("support", password="x", is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_application_session"))
        client.force_login(user)
        page = client.get(self.url("USER#bad")).content.decode()
        # the session and the unclassified item (viewing one of the table's entities is
        # enough for items no entity claims); neither the orders nor the user
        assert "Read 2 item(s)" in page
        assert "SESSION#s-millis" in page and "WISHLIST#1" in page
        assert "o-type" not in page and "o-zone" not in page and "o-key" not in page
