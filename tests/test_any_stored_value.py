"""Any value DynamoDB accepts, stored by the application where dynadmin expects a field or
beside the declared ones: every page that shows the item answers, and saving its edit form
unchanged writes nothing.

The values are generated in DynamoDB's own wire format and stored with boto3's low-level
client, so dynadmin's codec decides nothing about what is stored: every type (S N B BOOL NULL
SS NS BS L M), numbers over the whole range (38 significant digits, exponents -130..+125)
and spelled many ways, empty and large strings, binary and sets, nesting to DynamoDB's
limit, attribute names holding ``.``, ``[``, ``#`` and ``:``. Each example puts one item of
the example shop (``examples/shop``) at its entity's keys, opens every page that shows it,
then puts the plain item back.

``DYNADMIN_FUZZ_EXAMPLES`` sets the examples per test (``make fuzz`` runs many more).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from botocore.exceptions import ClientError
from django.urls import reverse
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from dynadmin.data.serialization import serialize_item
from dynadmin.limits import (
    MAX_ITEM_BYTES,
    MAX_NUMBER_DIGITS,
    MAX_NUMBER_EXPONENT,
    MIN_NUMBER_EXPONENT,
)
from dynadmin.models import AuditEntry
from examples.shop.definitions import Invitation, Order, OrderItem, Product, Session, User

from .conftest import BACKEND
from .forms_as_shown import shown_fields

pytestmark = [
    pytest.mark.django_db,
    # Like the browser journeys, it runs once, on DynamoDB Local: which values exist is
    # DynamoDB's rule, and one leg of a slow generative test is enough.
    pytest.mark.skipif(BACKEND == "moto", reason="runs on DynamoDB Local only"),
]

EXAMPLES = int(os.environ.get("DYNADMIN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, suppress_health_check=[
    # The table and the logged-in client are set up once per test; every example puts back
    # what it changed, so the examples share them safely.
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
    HealthCheck.large_base_example])

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
SEEDS: dict[str, tuple[Any, dict[str, Any]]] = {
    "User": (User, {"user_id": "u1", "email": "u1@example.com", "name": "Ada", "tier": "FREE",
                    "tags": {"seed"}, "preferences": {"theme": "dark"}, "version": 1}),
    "Order": (Order, {"user_id": "u1", "order_id": "456", "placed_on": "2024-01-15",
                      "placed_at": dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC),
                      "status": "PENDING", "total": Decimal("99.95"), "currency": "EUR",
                      "item_count": 2, "notes": ["x"], "version": 1}),
    "OrderItem": (OrderItem, {"order_id": "456", "product_id": "p1", "quantity": 2,
                              "unit_price": Decimal("9.99"), "product_name": "Lamp"}),
    "Product": (Product, {"product_id": "p1", "name": "Lamp", "category": "books",
                          "price": Decimal("12.50"), "weights_kg": {Decimal("1.5")},
                          "thumbnail": b"\x89PNG", "version": 1}),
    "Session": (Session, {"user_id": "u1", "session_id": "s1", "ip_address": "192.0.2.1",
                          "expires": NOW + dt.timedelta(days=1)}),
    "Invitation": (Invitation, {"invite_id": "i1", "email": "invitee@example.com",
                                "expires": NOW + dt.timedelta(days=7)}),
}
PLAIN = {name: entity.build_item(values) for name, (entity, values) in SEEDS.items()}
#: what DynamoDB refuses to hold anything but a String in: the table's and indexes' keys
KEY_ATTRIBUTES = frozenset({"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"})


# -- any attribute value, as DynamoDB's wire format ------------------------------------------
def _number_text(negative: bool, coefficient: int, exponent: int, spelling: str) -> str:
    number = Decimal(f"{'-' if negative else ''}{coefficient}E{exponent}")
    if spelling == "plain":
        return format(number, "f")
    if spelling == "lower":
        return str(number).lower()
    return str(number)


@st.composite
def number_texts(draw: st.DrawFn) -> str:
    """Any number DynamoDB stores: up to 38 significant digits, its first digit's exponent
    from -130 to +125, spelled plainly or in scientific notation."""
    width = draw(st.sampled_from([1, 2, 5, 15, 28, 29, 37, MAX_NUMBER_DIGITS]))
    coefficient = draw(st.integers(10 ** (width - 1), 10 ** width - 1))
    # exponent of the last digit such that the first one sits between -130 and +125
    exponent = draw(st.one_of(
        st.integers(-2, 3),
        st.integers(MIN_NUMBER_EXPONENT - width + 1, MAX_NUMBER_EXPONENT - width + 1),
        st.sampled_from([MIN_NUMBER_EXPONENT - width + 1, MAX_NUMBER_EXPONENT - width + 1])))
    return _number_text(draw(st.booleans()), coefficient, exponent,
                        draw(st.sampled_from(["plain", "scientific", "lower"])))


numbers = st.one_of(st.just("0"), st.sampled_from(["-0", "1" * 38 + "00", "1796787313000",
                                                   "9" * 29]), number_texts())
_characters = st.characters(blacklist_categories=["Cs"])  # DynamoDB holds UTF-8 only
texts = st.one_of(st.text(_characters, max_size=40),
                  st.sampled_from(["", " ", "null", "true", "2024-01-15", "ORDER#", "<b>x</b>",
                                   "=cmd|' /C calc'!A0", "{}", "[1]", "\u202e", "a\x00b"]))
#: strings and binary near the item limit (an example whose item would exceed it is dropped)
LARGE_SIZES = st.sampled_from([1024, 64 * 1024, 200 * 1024, MAX_ITEM_BYTES - 4096])
large_texts = st.builds(lambda size, char: char * (size // len(char.encode())), LARGE_SIZES,
                        st.sampled_from(["x", "é", "😀"]))
binaries = st.one_of(st.binary(max_size=40),
                     st.builds(lambda size: os.urandom(size), LARGE_SIZES))
names = st.one_of(
    st.text(st.one_of(_characters, st.sampled_from(".[]#:")), min_size=1, max_size=20),
    st.sampled_from(["a.b", "x[0]", "#n", ":v", "a.b[0].c", "#", ":", ".", "[", "]",
                     "=SUM(A1)", "type", "version"]))

scalars = st.one_of(
    texts.map(lambda s: {"S": s}),
    numbers.map(lambda n: {"N": n}),
    st.binary(max_size=40).map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.sets(texts, min_size=1, max_size=5).map(lambda s: {"SS": sorted(s)}),
    st.lists(numbers, min_size=1, max_size=5, unique_by=Decimal).map(lambda n: {"NS": n}),
    st.sets(st.binary(max_size=20), min_size=1, max_size=4).map(lambda b: {"BS": sorted(b)}),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda values: {"L": values}),
        st.dictionaries(names, children, max_size=4).map(lambda values: {"M": values})),
    max_leaves=12)


@st.composite
def deep_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Maps and lists nested as deep as DynamoDB allows: 31 around a scalar, 32 levels."""
    value = draw(scalars)
    for kind in draw(st.lists(st.sampled_from("LM"), min_size=1, max_size=31)):
        value = {"L": [value]} if kind == "L" else {"M": {draw(names): value}}
    return value


#: sets and lists of many members (an item holds at most 400 KB of them)
MANY = st.sampled_from([100, 2000])
large_sets = st.one_of(
    MANY.map(lambda n: {"SS": [f"member {i}" for i in range(n)]}),
    MANY.map(lambda n: {"NS": [f"{i}.5E{i % 200 - 100}" for i in range(n)]}),
    MANY.map(lambda n: {"BS": [i.to_bytes(3, "big") for i in range(n)]}),
    MANY.map(lambda n: {"L": [{"N": str(i)} for i in range(n)]}),
    MANY.map(lambda n: {"M": {f"k{i}": {"BOOL": True} for i in range(n)}}))

values = st.one_of(
    scalars, documents, deep_documents(), large_sets,
    large_texts.map(lambda s: {"S": s}), binaries.map(lambda b: {"B": b}),
    st.sets(large_texts, min_size=1, max_size=2).map(lambda s: {"SS": sorted(s)}))


@st.composite
def stored_items(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """One shop item in wire format, declared attributes replaced and others added."""
    entity = draw(st.sampled_from(sorted(SEEDS)))
    item = serialize_item(PLAIN[entity])
    declared = sorted(({fld.attribute for fld in SEEDS[entity][0]._meta.fields.values()}
                       | {"type"}) - KEY_ATTRIBUTES)
    for name in draw(st.lists(st.sampled_from(declared), max_size=3, unique=True)):
        item[name] = draw(values)
    for name, value in draw(st.dictionaries(names, values, max_size=3)).items():
        if name not in KEY_ATTRIBUTES:
            item[name] = value
    return entity, item


# -- the application's writes and the pages -------------------------------------------------
@dataclass(frozen=True)
class Application:
    """The shop's physical table as the application writes it: boto3's low-level client."""

    client: Any
    table_name: str


@pytest.fixture
def shop(shop_table, dynamodb_endpoint) -> Application:
    """The shop table holding one plain item of each entity."""
    application = Application(boto3.client("dynamodb", endpoint_url=dynamodb_endpoint),
                              shop_table.table_name)
    for item in PLAIN.values():
        application.client.put_item(TableName=application.table_name,
                                    Item=serialize_item(item))
    return application


def _store(shop: Application, item: dict[str, Any]) -> None:
    try:
        shop.client.put_item(TableName=shop.table_name, Item=item)
    except ClientError as exc:
        if "Item size has exceeded" in str(exc) or "Item size to update" in str(exc):
            reject()  # the value would not fit beside the item's other attributes
        raise


def _restore(shop: Application, entity: str, audited: int = 0) -> None:
    """Back to one plain item of each entity: the item put back, and whatever an applied
    write after audit entry ``audited`` made elsewhere (a move) deleted."""
    for entry in AuditEntry.objects.filter(id__gt=audited, outcome=AuditEntry.Outcome.APPLIED):
        for written in (entry.key, entry.after):
            if written:
                key = _key(json.loads(written))
                if key != _key(serialize_item(PLAIN[entity])):
                    shop.client.delete_item(TableName=shop.table_name, Key=key)
    shop.client.put_item(TableName=shop.table_name, Item=serialize_item(PLAIN[entity]))


def _last_audit_entry() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _stored(shop: Application, key: dict[str, Any]) -> dict[str, Any] | None:
    return shop.client.get_item(TableName=shop.table_name, Key=key,
                                ConsistentRead=True).get("Item")


def _url(name: str, key: dict[str, Any] | None = None, **params: str) -> str:
    query = {"pk": key["PK"]["S"], "sk": key["SK"]["S"]} if key else {}
    return (reverse(f"dynadmin:{name}", kwargs={"table": "Application"}) + "?"
            + urlencode(query | params))


def _entity_url(name: str, entity: str, part: str = "", **params: str) -> str:
    kwargs = {"entity": f"Application.{entity}"} | ({"name": part} if part else {})
    return reverse(f"dynadmin:{name}", kwargs=kwargs) + "?" + urlencode(params)


def pages(entity: str, item: dict[str, Any]) -> list[tuple[str, bool]]:
    """Every page that shows the item: (address, follow redirects)."""
    values = SEEDS[entity][1]
    key = _key(item)
    pk = key["PK"]["S"]
    found = [
        (_url("item", key), False),
        (_url("partition", pk=pk), False),
        (_url("partition", pk=pk, format="csv"), False),
        (_url("partition", pk=pk, format="json"), False),
        (_url("item_changes", key), False),
        (_url("activity", pk=pk), False),
        (_url("ttl", pk=pk), False),
        (_url("delete", key), False),
        (_url("edit", key), False),
        (_url("edit", key, raw="1"), False),
        (_entity_url("entity", entity), False),
        (reverse("dynadmin:lookup") + "?" + urlencode({"q": pk.partition("#")[2]}), True),
        (reverse("dynadmin:recent_actions"), False),
    ]
    # Relations: the plain items around it show it in their related sections.
    for other in PLAIN.values():
        if other["PK"] == pk or other.get("GSI1PK") in (pk, item.get("GSI1PK", {}).get("S")):
            found.append((_url("item", serialize_item(other)), False))
    if entity == "Order":
        found.append((_entity_url("entity", entity, status=values["status"]), False))
        found.append((_entity_url("listing", entity, "by_status", status=values["status"]),
                      True))
        found.append((_entity_url("entity_lookup", entity, "by_id",
                                  order_id=values["order_id"]), True))
        found.append((_url("item", serialize_item(PLAIN["OrderItem"])), False))
    if entity == "Product":
        found.append((_entity_url("entity", entity, category=values["category"]), False))
        found.append((_entity_url("entity_lookup", entity, "keys",
                                  product_id=values["product_id"]), True))
        found.append((_url("item", serialize_item(PLAIN["OrderItem"])), False))
    if entity == "OrderItem":
        found.append((_entity_url("entity_lookup", entity, "by_product",
                                  product_id=values["product_id"]), True))
        found.append((_url("item", serialize_item(PLAIN["Product"])), False))
        found.append((_url("item", serialize_item(PLAIN["Order"])), False))
    if entity in ("User", "Invitation"):
        found.append((_entity_url("entity_lookup", entity, "by_email",
                                  email=values["email"]), True))
    if entity == "User":
        found.append((_entity_url("entity_lookup", entity, "keys", user_id=values["user_id"]),
                      True))
    return found


def _assert_answers(response: Any, address: str) -> None:
    body = response.content
    assert response.status_code < 500, (address, body[:3000])
    assert b"Traceback" not in body, (address, body[:3000])


def _key(item: dict[str, Any]) -> dict[str, Any]:
    return {"PK": item["PK"], "SK": item["SK"]}


@FUZZ
@given(example=stored_items())
def test_every_page_that_shows_an_item_answers_whatever_it_holds(example, shop, staff_client,
                                                                 shop_table, archived):
    entity, item = example
    _store(shop, item)
    archived(shop_table)  # Activity shows it from the archive of changes
    try:
        for address, follow in pages(entity, item):
            _assert_answers(staff_client.get(address, follow=follow), address)
    finally:
        _restore(shop, entity)


# -- saving the edit form as served ---------------------------------------------------------
@FUZZ
@given(example=stored_items())
def test_saving_the_edit_form_unchanged_writes_nothing(example, shop, staff_client):
    entity, item = example
    _store(shop, item)
    key = _key(item)
    before = _stored(shop, key)
    audited = _last_audit_entry()
    try:
        page = staff_client.get(_url("edit", key))
        _assert_answers(page, "edit")
        if page.status_code != 200:
            return
        fields = shown_fields(page)
        assert "csrfmiddlewaretoken" in fields

        response = staff_client.post(_url("edit", key), fields)

        _assert_answers(response, "edit (POST)")
        assert _stored(shop, key) == before
        assert not AuditEntry.objects.filter(
            id__gt=audited, outcome=AuditEntry.Outcome.APPLIED).exists()
    finally:
        _restore(shop, entity, audited)
