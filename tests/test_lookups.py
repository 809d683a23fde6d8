"""Lookups and listings over HTTP, against a real backend: every lookup is a bounded Query."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from dynadmin import data
from dynadmin.access_patterns import Lookup
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.models import AuditEntry
from dynadmin.permissions import sync_permissions
from dynadmin.services.lookups import global_box as lookup_box
from dynadmin.sites import site
from examples.shop.definitions import Invitation, Order, OrderItem, User

pytestmark = pytest.mark.django_db

LOOKUP = reverse("dynadmin:lookup")
# The shop's single-field lookups that take an email address: User by email and Invitation
# by email (Email fields). User, Order and Product lookups by ID have an `accepts` pattern
# an email does not fit.
EMAIL_LOOKUPS = ("User by email", "Invitation by email")


def put(table, item):
    data.put_item(table, item, condition=AttributeNotExists("PK"))
    return item


def item_url(pk, sk):
    return reverse("dynadmin:item", kwargs={"table": "Application"}) + "?" + urlencode(
        {"pk": pk, "sk": sk})


def partition(**params):
    return reverse("dynadmin:partition", kwargs={"table": "Application"}) + "?" + urlencode(
        params)


def calls_of(response):
    header = response.get("X-Dynadmin-Calls", "")
    return header.split(",") if header else []


def add_user(table, user_id="0b5e55ed", email="alice@example.com", **extra):
    return put(table, User.build_item({"user_id": user_id, "email": email, "name": "Alice",
                                       **extra}))


def add_order(table, order_id="456", user_id="0b5e55ed", status="PENDING", day=15):
    return put(table, Order.build_item({
        "user_id": user_id, "order_id": order_id, "placed_on": f"2024-01-{day:02d}",
        "placed_at": dt.datetime(2024, 1, day, 9, tzinfo=dt.UTC), "status": status,
        "total": Decimal("12.50"),
    }))


def add_invitation(table, invite_id="inv1", email="alice@example.com"):
    return put(table, Invitation.build_item({
        "invite_id": invite_id, "email": email,
        "expires": dt.datetime.now(dt.UTC) + dt.timedelta(days=3)}))


class TestGlobalBox:
    def test_an_email_finds_the_user_in_one_step(self, staff_client, shop_table):
        add_user(shop_table)
        response = staff_client.get(LOOKUP, {"q": "alice@example.com"})
        assert response.status_code == 302
        assert response["Location"] == item_url("USER#0b5e55ed", "METADATA")
        calls = calls_of(response)
        assert set(calls) == {"Query"}
        assert len(calls) == len(EMAIL_LOOKUPS)

    def test_surrounding_spaces_are_ignored(self, staff_client, shop_table):
        add_user(shop_table)
        response = staff_client.get(LOOKUP, {"q": "  alice@example.com \n"})
        assert response["Location"] == item_url("USER#0b5e55ed", "METADATA")

    def test_a_differently_cased_email_finds_the_user_the_design_stores_lowercase(
            self, staff_client, shop_table):
        add_user(shop_table)  # USER#EMAIL#alice@example.com: the shop stores lowercase
        response = staff_client.get(LOOKUP, {"q": "Alice@Example.COM"})
        assert response.status_code == 302
        assert response["Location"] == item_url("USER#0b5e55ed", "METADATA")

    @pytest.mark.parametrize("text", ["456", "ORD-456"])
    def test_an_order_id_with_or_without_its_prefix(self, staff_client, shop_table, text):
        add_order(shop_table, "456")
        add_order(shop_table, "4567", day=16)  # a longer ID is a different order
        response = staff_client.get(LOOKUP, {"q": text})
        assert response.status_code == 302
        assert response["Location"] == item_url("USER#0b5e55ed", "ORDER#2024-01-15#456")
        assert set(calls_of(response)) == {"Query"}

    def test_a_user_id_fitting_its_pattern(self, staff_client, shop_table):
        add_user(shop_table)
        add_order(shop_table)  # shares the USER# partition; the exact sort key leaves it out
        response = staff_client.get(LOOKUP, {"q": "0b5e55ed"})
        assert response.status_code == 302
        assert response["Location"] == item_url("USER#0b5e55ed", "METADATA")

    @pytest.mark.parametrize(("text", "params"), [
        ("USER#abc", {"pk": "USER#abc"}),
        ("ORDER#STATUS#PENDING", {"pk": "ORDER#STATUS#PENDING", "index": "GSI2"}),
        ("USER#EMAIL#alice@example.com", {"pk": "USER#EMAIL#alice@example.com",
                                          "index": "GSI1"}),
    ])
    def test_a_raw_key_opens_its_partition_without_a_call(self, staff_client, shop_table,
                                                          text, params):
        response = staff_client.get(LOOKUP, {"q": text})
        assert response.status_code == 302
        assert response["Location"] == partition(**params)
        assert calls_of(response) == []

    def test_several_matches_are_listed_by_entity(self, staff_client, shop_table):
        add_user(shop_table)
        add_invitation(shop_table)
        response = staff_client.get(LOOKUP, {"q": "alice@example.com"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "2 matches" in html
        assert item_url("USER#0b5e55ed", "METADATA").replace("&", "&amp;") in html
        assert item_url("INVITE#inv1", "METADATA").replace("&", "&amp;") in html
        assert reverse("dynadmin:entity", args=["Application.User"]) in html
        assert reverse("dynadmin:entity", args=["Application.Invitation"]) in html
        assert html.index("User by email") < html.index("Invitation by email")

    def test_nothing_found_says_what_was_tried(self, staff_client, shop_table):
        response = staff_client.get(LOOKUP, {"q": "nobody@example.com"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "Nothing found for “nobody@example.com”" in html
        assert "Tried: " + ", ".join(EMAIL_LOOKUPS) + "." in html
        assert "match whole values" in html
        assert len(calls_of(response)) == len(EMAIL_LOOKUPS)

    def test_an_empty_box_explains_what_can_be_typed(self, staff_client, shop_table):
        response = staff_client.get(LOOKUP)
        html = response.content.decode()
        assert response.status_code == 200
        assert "What you can type" in html
        assert "User by email" in html and "ORDER#STATUS#{status}" in html
        assert 'hx-get="/lookup/"'.replace("/lookup/", LOOKUP) in html
        assert 'hx-target="#lookup-results"' in html and 'id="lookup-results"' in html
        assert calls_of(response) == []

    def test_htmx_gets_the_fragment_not_a_redirect(self, staff_client, shop_table):
        add_user(shop_table)
        response = staff_client.get(LOOKUP, {"q": "alice@example.com"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html and "<body" not in html
        assert "One match" in html
        assert item_url("USER#0b5e55ed", "METADATA").replace("&", "&amp;") in html
        assert "HX-Request" in response["Vary"]

    def test_htmx_gets_a_raw_key_as_a_link(self, staff_client, shop_table):
        response = staff_client.get(LOOKUP, {"q": "USER#abc"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert partition(pk="USER#abc") in response.content.decode()

    def test_a_failing_lookup_hides_no_other_result(self, staff_client, shop_table,
                                                    monkeypatch):
        add_user(shop_table)
        read_lookup_page = lookup_box.read_lookup_page

        def failing(plan, limit):
            if plan.lookup.label == "Invitation by email":
                raise data.Unavailable("DynamoDB is unreachable (test)")
            return read_lookup_page(plan, limit)

        monkeypatch.setattr(lookup_box, "read_lookup_page", failing)
        response = staff_client.get(LOOKUP, {"q": "alice@example.com"})
        html = response.content.decode()
        assert response.status_code == 200  # one match, but an incomplete answer: no redirect
        assert item_url("USER#0b5e55ed", "METADATA").replace("&", "&amp;") in html
        assert "Invitation by email could not run: DynamoDB is unreachable (test)" in html


class TestHostileInput:
    @pytest.mark.parametrize("text", [
        "<script>alert(1)</script>",
        "\"'><img src=x onerror=alert(1)>",
        "ünïcødé ✓ 🚀 山田@例え.jp",
        "a#b/c?d=e&f",
    ])
    def test_rendered_escaped(self, staff_client, shop_table, text):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = staff_client.get(LOOKUP, {"q": text}, **headers)
            html = response.content.decode()
            assert response.status_code == 200
            assert "<script>alert" not in html and "<img src=x" not in html
            assert "Nothing found" in html

    def test_very_long_text_is_a_400(self, staff_client, shop_table):
        response = staff_client.get(LOOKUP, {"q": "x" * 5000})
        assert response.status_code == 400
        assert "at most 1024" in response.content.decode()
        assert calls_of(response) == []

    def test_a_hostile_raw_key_is_only_a_link(self, staff_client, shop_table):
        response = staff_client.get(LOOKUP, {"q": "USER#<script>"})
        assert response.status_code == 302
        assert response["Location"] == partition(pk="USER#<script>")

    @pytest.mark.parametrize("value", ["<script>alert(1)</script>", "é" * 3000])
    def test_entity_lookup_escapes_bad_values(self, staff_client, shop_table, value):
        url = reverse("dynadmin:entity_lookup", args=["User", "by_email"])
        response = staff_client.get(url, {"email": value})
        html = response.content.decode()
        assert response.status_code == 400
        assert "<script>alert" not in html
        assert calls_of(response) == []

    def test_a_strange_but_valid_email_is_looked_up_and_escaped(self, staff_client,
                                                                 shop_table):
        url = reverse("dynadmin:entity_lookup", args=["User", "by_email"])
        response = staff_client.get(url, {"email": "a\"@b'.c<d>"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "a&quot;@b&#x27;.c&lt;d&gt;" in html and "<d>" not in html
        assert calls_of(response) == ["Query"]


class TestEntityHome:
    def test_shows_lookups_its_list_and_keys(self, staff_client, shop_table):
        response = staff_client.get(reverse("dynadmin:entity", args=["Application.Order"]))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Order by ID" in html
        assert reverse("dynadmin:entity_lookup", args=["Application.Order", "by_id"]) in html
        assert '<label for="lookup-by_id-order_id">' in html
        assert "Orders by status" in html
        assert '<a href="/e/Application.Order/?status=PENDING" aria-current="page">' in html
        assert "ORDER#STATUS#{status}" in html and "GSI2" in html
        assert calls_of(response) == ["Query"]  # the list's first page

    def test_the_cards_inputs_are_built_once_and_typed_values_still_come_back(
            self, staff_client, shop_table):
        from dynadmin.services.inputs import _kept_groups
        from dynadmin.services.lookups import forms

        home = reverse("dynadmin:entity", args=["Application.User"])

        def cards(response):
            html = response.content.decode()
            return re.search(r'<h2 id="lookups-heading">.*?</section>', html, re.S).group(0)

        _kept_groups.clear()
        forms._declared_value_field.cache_clear()
        built = cards(staff_client.get(home))
        assert cards(staff_client.get(home)) == built  # kept: the markup it was built with
        assert forms._declared_value_field.cache_info().hits >= 1
        assert 'type="email"' in built
        # A value sent comes back in its box (a bound form), beside what was wrong with it.
        url = reverse("dynadmin:entity_lookup", args=["Application.User", "by_email"])
        typed = staff_client.get(url, {"email": "nobody@example.com"}).content.decode()
        assert 'value="nobody@example.com"' in typed
        assert 'value="nobody@example.com"' not in cards(staff_client.get(home))

    def test_a_bare_entity_name_works_too(self, staff_client, shop_table):
        response = staff_client.get(reverse("dynadmin:entity", args=["User"]))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'type="email"' in html
        assert "Users by name" in html  # GSI2 groups the users: their list, by name

    def test_an_entity_without_an_index_grouping_its_items_has_no_list(self, staff_client,
                                                                       shop_table):
        html = staff_client.get(reverse("dynadmin:entity", args=["Session"])).content.decode()
        # Session has no index grouping its items: no listing, and never a scan.
        assert "A list needs a global secondary index" in html

    def test_suggests_the_index_that_would_serve_a_listing(self, staff_client, shop_table,
                                                            monkeypatch):
        monkeypatch.setattr(site.get_entity_admin(Order), "listings", ())
        html = staff_client.get(reverse("dynadmin:entity", args=["Order"])).content.decode()
        assert "A list is possible: Orders by status on GSI2" in html

    def test_an_unknown_entity_is_a_404(self, staff_client, shop_table):
        response = staff_client.get(reverse("dynadmin:entity", args=["Application.Nope"]))
        assert response.status_code == 404

    def test_the_dashboard_links_to_entity_homes(self, staff_client, shop_table):
        html = staff_client.get(reverse("dynadmin:dashboard")).content.decode()
        assert f'href="{reverse("dynadmin:entity", args=["Application.Order"])}"' in html


class TestEntityLookup:
    def test_one_match_opens_the_item(self, staff_client, shop_table):
        add_user(shop_table)
        url = reverse("dynadmin:entity_lookup", args=["Application.User", "by_email"])
        response = staff_client.get(url, {"email": "alice@example.com"})
        assert response.status_code == 302
        assert response["Location"] == item_url("USER#0b5e55ed", "METADATA")
        assert calls_of(response) == ["Query"]

    def test_a_differently_cased_email_finds_the_user_in_the_form_too(self, staff_client,
                                                                      shop_table):
        add_user(shop_table)
        url = reverse("dynadmin:entity_lookup", args=["User", "by_email"])
        response = staff_client.get(url, {"email": "ALICE@example.com"})
        assert response["Location"] == item_url("USER#0b5e55ed", "METADATA")
        assert calls_of(response) == ["Query"]

    def test_the_order_prefix_works_in_the_form_too(self, staff_client, shop_table):
        add_order(shop_table)
        url = reverse("dynadmin:entity_lookup", args=["Order", "by_id"])
        response = staff_client.get(url, {"order_id": "ORD-456"})
        assert response["Location"] == item_url("USER#0b5e55ed", "ORDER#2024-01-15#456")

    def test_many_matches_are_a_bounded_page_with_a_link_to_the_rest(self, staff_client,
                                                                     shop_table):
        data.load_items_unconditionally(shop_table, [
            OrderItem.build_item({"order_id": str(1000 + i), "product_id": "B0TOASTER",
                                  "quantity": 1, "unit_price": Decimal("9.99"),
                                  "product_name": "Toaster"})
            for i in range(30)])
        url = reverse("dynadmin:entity_lookup", args=["OrderItem", "by_product"])
        response = staff_client.get(url, {"product_id": "B0TOASTER"})
        html = response.content.decode()
        assert response.status_code == 200
        # one Query, Limit 25: each row is named "1 × Toaster", with the product name beside
        assert html.count(">1 × Toaster</a>") == 25
        assert "Page through all of them" in html
        rest = partition(pk="PRODUCT#B0TOASTER", index="GSI1", sk_op="begins_with",
                         sk="ORDER#")
        assert rest.replace("&", "&amp;") in html
        assert calls_of(response) == ["Query"]

    def test_nothing_found(self, staff_client, shop_table):
        url = reverse("dynadmin:entity_lookup", args=["User", "by_email"])
        response = staff_client.get(url, {"email": "nobody@example.com"})
        assert response.status_code == 200
        assert "Nothing found" in response.content.decode()

    def test_a_bad_email_is_a_400_with_the_form(self, staff_client, shop_table):
        url = reverse("dynadmin:entity_lookup", args=["User", "by_email"])
        response = staff_client.get(url, {"email": "not-an-email"})
        html = response.content.decode()
        assert response.status_code == 400
        assert "is not an email address" in html
        assert 'name="email" value="not-an-email"' in html
        assert 'aria-invalid="true"' in html
        assert calls_of(response) == []
        assert AuditEntry.objects.count() == 0

    def test_an_empty_value_is_a_400(self, staff_client, shop_table):
        url = reverse("dynadmin:entity_lookup", args=["User", "by_email"])
        response = staff_client.get(url, {"email": "  "})
        assert response.status_code == 400
        assert "enter a value" in response.content.decode()

    def test_without_values_it_shows_the_form(self, staff_client, shop_table):
        url = reverse("dynadmin:entity_lookup", args=["User", "by_email"])
        response = staff_client.get(url)
        assert response.status_code == 200
        assert 'name="email"' in response.content.decode()

    def test_an_unknown_lookup_is_a_404(self, staff_client, shop_table):
        url = reverse("dynadmin:entity_lookup", args=["User", "by_shoe_size"])
        assert staff_client.get(url, {"x": "1"}).status_code == 404


class TestListing:
    def test_orders_by_status_open_newest_first(self, staff_client, shop_table):
        url = reverse("dynadmin:listing", args=["Application.Order", "by_status"])
        response = staff_client.get(url, {"status": "PENDING"})
        assert response.status_code == 302
        assert response["Location"] == partition(pk="ORDER#STATUS#PENDING", index="GSI2",
                                                 order="desc")
        assert response["Location"].endswith(
            "/t/Application/q/?pk=ORDER%23STATUS%23PENDING&index=GSI2&order=desc")
        assert calls_of(response) == []

    def test_products_in_category_ascending(self, staff_client, shop_table):
        url = reverse("dynadmin:listing", args=["Product", "by_category"])
        response = staff_client.get(url, {"category": "books"})
        assert response["Location"] == partition(pk="PRODUCT#CATEGORY#books", index="GSI1")

    @pytest.mark.parametrize("status", ["LOST", "", "<script>x</script>"])
    def test_a_bad_choice_is_a_400(self, staff_client, shop_table, status):
        url = reverse("dynadmin:listing", args=["Order", "by_status"])
        response = staff_client.get(url, {"status": status})
        html = response.content.decode()
        assert response.status_code == 400
        assert "is not one of" in html or "enter a value" in html
        assert "<script>x" not in html

    def test_an_unknown_listing_is_a_404(self, staff_client, shop_table):
        url = reverse("dynadmin:listing", args=["User", "by_email"])
        assert staff_client.get(url, {"email": "a@b.co"}).status_code == 404


class TestPermissions:
    @pytest.fixture
    def user_viewer(self, client, django_user_model):
        sync_permissions()
        user = django_user_model.objects.create_user("support", password="x", is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_application_user"))
        client.force_login(user)
        return client

    def test_only_viewable_entities_are_looked_up(self, user_viewer, shop_table):
        add_user(shop_table)
        add_invitation(shop_table)
        response = user_viewer.get(LOOKUP, {"q": "alice@example.com"})
        # The invitation is not even looked for: only User by email runs.
        assert response.status_code == 302
        assert response["Location"] == item_url("USER#0b5e55ed", "METADATA")
        assert calls_of(response) == ["Query"]

    def test_no_matches_of_hidden_entities(self, user_viewer, shop_table):
        add_order(shop_table)
        response = user_viewer.get(LOOKUP, {"q": "456"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "Nothing found" in html and "Order by ID" not in html
        assert calls_of(response) == []

    def test_hidden_raw_keys_are_not_opened(self, user_viewer, shop_table):
        response = user_viewer.get(LOOKUP, {"q": "ORDER#STATUS#PENDING"})
        assert response.status_code == 200
        assert "Nothing found" in response.content.decode()

    def test_entity_pages_need_the_view_permission(self, user_viewer, shop_table):
        assert user_viewer.get(reverse("dynadmin:entity", args=["User"])).status_code == 200
        for url in (reverse("dynadmin:entity", args=["Order"]),
                    reverse("dynadmin:entity_lookup", args=["Order", "by_id"]) + "?order_id=4",
                    reverse("dynadmin:listing", args=["Order", "by_status"]) + "?status=PAID"):
            assert user_viewer.get(url).status_code == 403

    def test_anonymous_people_are_sent_to_login(self, client, shop_table):
        for url in (LOOKUP + "?q=x", reverse("dynadmin:entity", args=["User"])):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("dynadmin:login"))


class TestWhenDynamoDBIsDown:
    """A failed search is never "nothing found": support would tell a customer they have no
    account."""

    @pytest.fixture
    def unreachable(self, settings, shop_table):
        import socket

        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        working = settings.DYNADMIN_CONNECTIONS
        settings.DYNADMIN_CONNECTIONS = {"default": {"endpoint_url": f"http://127.0.0.1:{port}",
                                                     "region": "us-east-1"}}
        yield
        settings.DYNADMIN_CONNECTIONS = working  # so the fixture's table can be deleted

    def test_the_box_answers_503_could_not_search(self, staff_client, unreachable):
        response = staff_client.get(LOOKUP, {"q": "alice@example.com"})
        html = response.content.decode()
        assert response.status_code == 503
        assert "Could not search for “alice@example.com”" in html
        assert "Nothing found" not in html

    def test_as_you_type_the_fragment_says_so_too(self, staff_client, unreachable):
        response = staff_client.get(LOOKUP, {"q": "alice@example.com"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200  # htmx swaps only 2xx answers
        assert response["X-Dynadmin-Error-Status"] == "503"
        assert "Could not search" in response.content.decode()


class TestNormalisers:
    def test_a_lookup_without_a_normaliser_keeps_the_text_as_typed(self):
        assert Lookup("by_email").normalised("Alice@Example.com") == "Alice@Example.com"

    def test_a_named_or_custom_normaliser_spells_the_text_as_stored(self):
        assert Lookup("by_email", normalise="lower").normalised("A@B.C") == "a@b.c"
        assert Lookup("by_sku", normalise=lambda t: t.replace("-", "")).normalised(
            "B0-CX") == "B0CX"

    def test_an_unknown_normaliser_name_is_refused_when_declared(self):
        with pytest.raises(ValueError, match="lowercase"):
            Lookup("by_email", normalise="lowercase")
