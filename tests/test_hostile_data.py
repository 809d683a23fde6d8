"""Hostile and odd data: each finding, reproduced over HTTP.

Every test talks to the real backend on 127.0.0.1 and asserts on what the person sees and
what DynamoDB holds afterwards.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from examples.shop.definitions import Session
from tests.test_edit_validation import form_data

pytestmark = pytest.mark.django_db

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _url(name: str, key: dict[str, Any], **extra: str) -> str:
    return (reverse(f"dynadmin:{name}", kwargs={"table": "Application"}) + "?"
            + urlencode({"pk": key["PK"], "sk": key["SK"], **extra}))


def _put(table, item: dict[str, Any]) -> dict[str, Any]:
    data.put_item(table, item, condition=AttributeNotExists("PK"))
    return item


def _text(response) -> str:
    return unescape(response.content.decode())


# -- 1. a stored DateTime/TTL its field cannot read -----------------------------------------
def _broken_session(table, session_id: str, **attributes: Any) -> dict[str, Any]:
    item = Session.build_item({"user_id": "u1", "session_id": session_id,
                               "expires": NOW + dt.timedelta(days=1)})
    item.update(attributes)
    return _put(table, item)


@pytest.mark.parametrize("broken", [
    {"ttl": Decimal(int(NOW.timestamp()) * 1000)},  # milliseconds: past year 9999
    {"ttl": "soon"},  # a string
    {"ttl": "2030-01-01"},  # the seed's own broken TTL: ISO text, not epoch seconds
    {"created_at": "yesterday"},  # a DateTime that is not ISO 8601
    {"created_at": Decimal(17)},  # a DateTime holding a number
], ids=["ttl-milliseconds", "ttl-string", "ttl-iso-text", "datetime-text", "datetime-number"])
def test_the_edit_form_keeps_a_stored_value_its_field_cannot_read(broken, staff_client,
                                                                   shop_table):
    from dynadmin.models import AuditEntry

    item = _broken_session(shop_table, "broken", **broken)
    key = shop_table.key_of(item)
    (name, value), = broken.items()
    field = "expires" if name == "ttl" else name

    page = staff_client.get(_url("edit", key))

    assert page.status_code == 200, _text(page)[:2000]
    form = page.context["form"]
    assert "cannot read" in form.kept[field] and form.fields[field].disabled
    assert form.fields[field].stored_type == ("N" if isinstance(value, Decimal) else "S")
    assert form.fields[field].readonly_text == str(value)
    assert f'name="{field}"' not in page.content.decode()
    # Saved untouched, nothing is written; saved with another field changed, only that one.
    response = staff_client.post(_url("edit", key), form_data(page))
    assert response.status_code == 302, _text(response)[:2000]
    assert data.get_item(shop_table, key, consistent=True) == item
    assert not AuditEntry.objects.exists()
    fields = form_data(page) | {"ip_address": "192.0.2.7", field: "2031-01-01T00:00"}
    response = staff_client.post(_url("edit", key), fields)
    assert response.status_code == 302, _text(response)[:2000]
    assert data.get_item(shop_table, key, consistent=True) == item | {"ip_address": "192.0.2.7"}


# -- 2. lone surrogates ---------------------------------------------------------------------
SURROGATE = "\\ud800"  # as JSON spells it: after json.loads, a lone surrogate


@pytest.fixture
def user_and_order(shop_table):
    from examples.shop.definitions import Order, User

    user = _put(shop_table, User.build_item({"user_id": "u1", "email": "u1@example.com",
                                             "tier": "FREE", "preferences": {"a": "b"},
                                             "version": 1}))
    order = _put(shop_table, Order.build_item({
        "user_id": "u1", "order_id": "1", "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("1"), "notes": ["x"], "version": 1}))
    return user, order


SURROGATE_EDITS = [
    ("map-value", "user", "preferences", '{"a": "' + SURROGATE + '"}'),
    ("map-key", "user", "preferences", '{"' + SURROGATE + '": 1}'),
    ("list-member", "order", "shipping_address", '{"lines": ["' + SURROGATE + '"]}'),
    ("extra-value", "user", "__extra__", '{"x": {"S": "' + SURROGATE + '"}}'),
    ("extra-name", "order", "__extra__", '{"' + SURROGATE + '": {"S": "x"}}'),
    ("extra-set-member", "user", "__extra__", '{"x": {"SS": ["' + SURROGATE + '"]}}'),
    ("extra-untagged-name", "user", "__extra__", '{"' + SURROGATE + '": "plain"}'),
    ("raw-value", "user", "item", None),
    ("raw-name", "order", "item", None),
]


@pytest.mark.parametrize("label,target,field,text", SURROGATE_EDITS,
                         ids=[c[0] for c in SURROGATE_EDITS])
def test_a_lone_surrogate_is_refused_with_a_clear_message(label, target, field, text,
                                                          staff_client, user_and_order,
                                                          shop_table):
    item = user_and_order[0] if target == "user" else user_and_order[1]
    key = shop_table.key_of(item)
    raw = field == "item"
    page = staff_client.get(_url("edit", key, **({"raw": "1"} if raw else {})))
    fields = form_data(page)
    if raw:
        wire = fields["item"].rstrip().rstrip("}")
        extra = ('"note": {"S": "' + SURROGATE + '"}' if label == "raw-value"
                 else '"' + SURROGATE + '": {"S": "x"}')
        text = wire.rstrip().rstrip(",") + ", " + extra + "}"
    fields[field] = text

    response = staff_client.post(_url("edit", key), fields)

    assert response.status_code == 400, _text(response)[:2000]
    body = _text(response)
    assert "not valid Unicode" in body or "expected one type tag" in body
    assert data.get_item(shop_table, key, consistent=True) == item


@pytest.mark.parametrize("query", [
    {"pk": "\ud800"}, {"pk": "USER#u1", "sk_op": "begins_with", "sk": "\udfff"},
    {"pk": "USER#u1", "f_attr": "\ud800", "f_op": "eq", "f_value": "\udfff"},
], ids=["pk", "sk", "filter"])
def test_a_lone_surrogate_in_a_query_string_is_never_a_500(query, staff_client, shop_table):
    from urllib.parse import quote

    # A browser cannot send one; a hand-made address can, as surrogate-escaped UTF-8 bytes.
    encoded = "&".join(f"{k}={quote(v.encode('utf-8', 'surrogatepass'))}"
                       for k, v in query.items())
    response = staff_client.get(
        reverse("dynadmin:partition", kwargs={"table": "Application"}) + "?" + encoded)
    assert response.status_code < 500
    lookup = staff_client.get(reverse("dynadmin:lookup") + "?q=%ED%A0%80")
    assert lookup.status_code < 500


# -- 3. attribute names DynamoDB allows but a path would misread ----------------------------
ODD_NAMES = {"a.b": "dotted", "x[0]": "bracketed", "c]#:d": "punctuated", "#n1": "hash"}


@pytest.fixture
def odd_order_item(shop_table):
    from examples.shop.definitions import OrderItem

    item = OrderItem.build_item({"order_id": "9", "product_id": "p1", "quantity": 1,
                                 "unit_price": Decimal("2")})
    item.update(ODD_NAMES)
    return _put(shop_table, item)


def test_an_unversioned_item_with_dotted_and_bracketed_names_can_be_edited(
        staff_client, odd_order_item, shop_table):
    import json

    key = shop_table.key_of(odd_order_item)
    page = staff_client.get(_url("edit", key))
    fields = form_data(page)
    extras = json.loads(fields["__extra__"])
    extras["a.b"], extras["x[0]"] = {"S": "dotted, changed"}, {"S": "bracketed, changed"}
    fields |= {"__extra__": json.dumps(extras), "quantity": "3"}

    response = staff_client.post(_url("edit", key), fields)

    assert response.status_code == 302, _text(response)[:2000]
    stored = data.get_item(shop_table, key, consistent=True)
    assert stored["a.b"] == "dotted, changed" and stored["x[0]"] == "bracketed, changed"
    assert stored["quantity"] == 3 and stored["c]#:d"] == "punctuated"
    assert "a.b" not in stored.get("a", {})  # never written as a nested path


def test_an_unversioned_item_with_dotted_and_bracketed_names_can_be_deleted(
        staff_client, odd_order_item, shop_table):
    import re

    key = shop_table.key_of(odd_order_item)
    url = _url("delete", key)
    token = re.search(r'name="original" value="([^"]*)"',
                      staff_client.get(url).content.decode()).group(1)

    response = staff_client.post(url, {"original": unescape(token)})

    assert response.status_code == 302, _text(response)[:2000]
    assert data.get_item(shop_table, key, consistent=True) is None


def test_a_key_move_guarding_twelve_attributes_succeeds(staff_client, shop_table):
    """Each changed attribute of an unversioned item is guarded: twelve guards put #n1 and
    #n10.. #n12 side by side in one expression (renaming once broke #n10)."""
    import json

    from examples.shop.definitions import OrderItem

    item = _put(shop_table, OrderItem.build_item({
        "order_id": "9", "product_id": "p1", "quantity": 1, "unit_price": Decimal("2")}))
    key = shop_table.key_of(item)
    page = staff_client.get(_url("edit", key, raw="1"))
    fields = form_data(page)
    wire = json.loads(fields["item"])
    wire["SK"] = {"S": "ITEM#p2"}
    wire["product_id"] = {"S": "p2"}
    wire["GSI1PK"] = {"S": "PRODUCT#p2"}
    wire.update({f"new{i}": {"N": str(i)} for i in range(9)})  # 12 changed attributes
    fields["item"] = json.dumps(wire)

    response = staff_client.post(_url("edit", key), fields)

    assert response.status_code == 302, _text(response)[:2000]
    assert data.get_item(shop_table, key, consistent=True) is None
    moved = data.get_item(shop_table, {"PK": "ORDER#9", "SK": "ITEM#p2"}, consistent=True)
    assert moved["new8"] == 8 and moved["product_id"] == "p2"
    from dynadmin.models import AuditEntry

    entry = AuditEntry.objects.get()
    assert entry.action == "move" and entry.condition.count("attribute_not_exists") >= 10


# -- 4. CSV export: the header row is data too ---------------------------------------------
FORMULA_NAMES = ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"]


def test_csv_export_neutralises_formula_attribute_names(staff_client, shop_table):
    import csv
    import io

    item = {"PK": "RAW#csv", "SK": "x"} | {name: "=1+1" for name in FORMULA_NAMES}
    _put(shop_table, item)
    url = reverse("dynadmin:partition", kwargs={"table": "Application"})

    response = staff_client.get(url, {"pk": "RAW#csv", "format": "csv"})

    assert response.status_code == 200
    header, row = list(csv.reader(io.StringIO(response.content.decode())))
    assert header[:2] == ["PK", "SK"]
    assert sorted(header[2:]) == sorted("'" + name for name in FORMULA_NAMES)
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in header + row)


def test_to_csv_header_cells_are_neutralised_like_values():
    from dynadmin.services.partitions.export import to_csv

    text = to_csv([{"PK": "a", "=HYPERLINK(\"x\")": "ok"}], ("PK",))
    assert text.splitlines()[0] == "PK,\"'=HYPERLINK(\"\"x\"\")\""


# -- 5. an action over every row of a 1,000-row page ---------------------------------------
def test_an_action_over_all_rows_of_a_1000_row_page(staff_client, shop_table, settings):
    import re

    from examples.shop.definitions import Order

    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000  # Django's default, left alone
    data.load_items_unconditionally(shop_table, [Order.build_item({
        "user_id": "bulk", "order_id": f"{n:04d}", "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("1"), "version": 1}) for n in range(1000)])
    page = staff_client.get(reverse("dynadmin:partition", kwargs={"table": "Application"}),
                            {"pk": "USER#bulk", "limit": "1000"})
    html = page.content.decode()
    assert len(re.findall(r'<input type="checkbox" data-row="\d+"', html)) == 1000
    assert 'name="item"' not in html, "a row's checkbox is not a form field"
    form = html[html.index("data-selection-form"):html.index("</form>",
                                                            html.index("data-selection-form"))]
    # What a browser sends, with or without JavaScript: a handful of fields, whatever the rows.
    assert sorted(set(re.findall(r'name="([^"]+)"', form))) == [
        "action", "back", "csrfmiddlewaretoken", "rows", "selection"]
    assert len(re.findall(r'name="', form)) == 5
    assert 'name="rows"' in html and "data-selection-form" in html
    selection = unescape(re.search(r'name="selection" value="([^"]*)"', html).group(1))
    url = reverse("dynadmin:action", kwargs={"table": "Application"})
    fields = {"action": "Order.mark_shipped", "selection": selection, "back": "/"}

    # What the page's script writes for 1,000 ticked rows, what a person types without it,
    # and every row by its number: one field each time.
    for rows in ("1-1000", "all", ", ".join(map(str, range(1, 1001)))):
        data.load_items_unconditionally(shop_table, [dict(o, status="PENDING") for o in (
            data.query(shop_table.primary, "USER#bulk", consistent=True, limit=1000).items)])
        html = staff_client.get(reverse("dynadmin:partition", kwargs={"table": "Application"}),
                                {"pk": "USER#bulk", "limit": "1000"}).content.decode()
        selection = unescape(re.search(r'name="selection" value="([^"]*)"', html).group(1))
        response = staff_client.post(url, fields | {"selection": selection, "rows": rows})

        assert response.status_code == 200, _text(response)[:2000]
        orders = data.query(shop_table.primary, "USER#bulk", consistent=True, limit=1000).items
        assert len(orders) == 1000 and {o["status"] for o in orders} == {"SHIPPED"}


@pytest.mark.parametrize("rows", ["-1", "0", "abc", "1,,x", "1000", "1-2", "2-1"])
def test_a_forged_row_list_is_refused(rows, staff_client, shop_table):
    import re

    from examples.shop.definitions import Order

    order = _put(shop_table, Order.build_item({
        "user_id": "u1", "order_id": "1", "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("1"), "version": 1}))
    html = staff_client.get(reverse("dynadmin:partition", kwargs={"table": "Application"}),
                            {"pk": "USER#u1"}).content.decode()
    selection = unescape(re.search(r'name="selection" value="([^"]*)"', html).group(1))
    response = staff_client.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                                 {"action": "Order.mark_shipped", "selection": selection,
                                  "rows": rows})
    assert response.status_code == 400
    assert data.get_item(shop_table, shop_table.key_of(order), consistent=True) == order


# -- 6. oversized bodies are refused before they are read ----------------------------------
class _UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.parametrize("view,content_type", [
    ("edit", "multipart/form-data; boundary=BoUnDaRy"),  # the binary upload
    ("edit", "application/x-www-form-urlencoded"),  # the raw item JSON
    ("delete", "application/x-www-form-urlencoded"),
    ("action", "multipart/form-data; boundary=BoUnDaRy"),
])
def test_a_50_mb_request_is_refused_with_413_before_its_body_is_read(view, content_type,
                                                                      staff_client,
                                                                      shop_table):
    key = {"PK": "USER#u1", "SK": "METADATA"}
    url = (reverse("dynadmin:action", kwargs={"table": "Application"}) if view == "action"
           else _url(view, key))

    response = staff_client.generic("POST", url, b"", content_type,
                                    CONTENT_LENGTH=str(50 * 1024 * 1024),
                                    **{"wsgi.input": _UnreadableBody()})

    assert response.status_code == 413
    text = _text(response)
    assert "Request too large" in text and "52,428,800 bytes" in text
    assert data.get_item(shop_table, key, consistent=True) is None


def test_a_large_but_valid_edit_is_still_read(staff_client, shop_table):
    """A 400 KB binary attribute as base64 beside its signed original fits under the cap."""
    import os

    from examples.shop.definitions import Product

    item = _put(shop_table, Product.build_item({
        "product_id": "p1", "name": "Lamp", "category": "books", "price": Decimal("1"),
        "thumbnail": os.urandom(390_000), "version": 1}))
    key = shop_table.key_of(item)
    fields = form_data(staff_client.get(_url("edit", key, raw="1")))
    fields["item"] = fields["item"].replace('"Lamp"', '"Lamp 2"')
    response = staff_client.post(_url("edit", key), fields)
    assert response.status_code == 302, _text(response)[:2000]
    assert data.get_item(shop_table, key, consistent=True)["name"] == "Lamp 2"


# -- 7. an edit that changes no key field never moves the item -----------------------------
@pytest.fixture
def blog_table(dynamodb_endpoint, settings):
    from tests.conftest import physical_table
    from tests.hostile_urls import blog

    settings.ROOT_URLCONF = "tests.hostile_urls"
    with physical_table(blog) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        yield blog


ZONELESS = {"PK": "POST#1", "SK": "COMMENT#2024-01-15T09:30:00", "type": "comment",
            "post_id": "1", "created_at": "2024-01-15T09:30:00", "body": "first!"}


def _blog_url(name: str, key: dict[str, Any], **extra: str) -> str:
    return (reverse(f"comments:{name}", kwargs={"table": "Blog"}, current_app="comments")
            + "?" + urlencode({"pk": key["PK"], "sk": key["SK"], **extra}))


def test_editing_an_unrelated_field_keeps_a_zone_less_sort_key(staff_client, blog_table):
    from dynadmin.models import AuditEntry

    _put(blog_table, dict(ZONELESS))
    key = {"PK": "POST#1", "SK": "COMMENT#2024-01-15T09:30:00"}
    page = staff_client.get(_blog_url("edit", key))
    assert page.status_code == 200, _text(page)[:2000]
    fields = form_data(page) | {"body": "edited"}

    response = staff_client.post(_blog_url("edit", key), fields)

    assert response.status_code == 302, _text(response)[:2000]
    stored = data.get_item(blog_table, key, consistent=True)
    assert stored == ZONELESS | {"body": "edited"}  # same key, same date-time spelling
    rebuilt = {"PK": "POST#1", "SK": "COMMENT#2024-01-15T09:30:00+00:00"}
    assert data.get_item(blog_table, rebuilt, consistent=True) is None
    assert AuditEntry.objects.get().action == "update"


def test_a_key_field_spelt_otherwise_than_its_field_writes_is_kept(staff_client, blog_table):
    """A zone-less date-time would be written back with "+00:00": a save would then move the
    item without the person asking. It is shown read-only; moving it is a raw edit."""
    _put(blog_table, dict(ZONELESS))
    key = {"PK": "POST#1", "SK": "COMMENT#2024-01-15T09:30:00"}
    page = staff_client.get(_blog_url("edit", key))
    assert "+00:00" in page.context["form"].kept["created_at"]
    fields = form_data(page) | {"created_at": "2024-01-16T10:00"}

    response = staff_client.post(_blog_url("edit", key), fields)

    assert response.status_code == 302, _text(response)[:2000]
    assert data.get_item(blog_table, key, consistent=True) == ZONELESS


def test_a_date_time_placeholder_without_a_format_is_warned_about():
    from dynadmin.checks.definitions import check_definitions
    from tests.hostile_urls import comments

    warnings = [m for m in check_definitions(site=comments) if m.id == "dynadmin.W002"]
    assert len(warnings) == 1
    assert "{created_at}" in warnings[0].msg and "%Y-%m-%dT%H:%M:%S" in warnings[0].hint
