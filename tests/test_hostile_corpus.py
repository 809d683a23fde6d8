"""The hostile-input corpus, second part: query parameters of every
page, item shapes in the raw editor and in "Other attributes", odd attribute names, lone
surrogates and oversized bodies.

Acceptance, for every case: a clear 4xx (never a 500, never DynamoDB's own error text),
DynamoDB unchanged (the seeded partitions read with Query before and after; never Scan) and
nothing in the audit log. The cases share one table per module: none of them may write, and
each one checks that it did not. ``tests/test_edit_validation.py`` holds the first part.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.test import override_settings
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.models import AuditEntry
from examples.shop.definitions import Invitation, Order, OrderItem, Product, Session, User
from tests.test_edit_validation import form_data

pytestmark = pytest.mark.django_db

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
SEEDS: dict[str, tuple[type, dict[str, Any]]] = {
    "user": (User, {"user_id": "u1", "email": "u1@example.com", "name": "Ada", "tier": "FREE",
                    "tags": {"seed"}, "preferences": {"theme": "dark"}, "version": 1}),
    "order": (Order, {"user_id": "u1", "order_id": "456", "placed_on": "2024-01-15",
                      "placed_at": dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC),
                      "status": "PENDING", "total": Decimal("99.95"), "notes": ["x"],
                      "version": 1}),
    "orderitem": (OrderItem, {"order_id": "456", "product_id": "p1", "quantity": 2,
                              "unit_price": Decimal("9.99")}),
    "product": (Product, {"product_id": "p1", "name": "Lamp", "category": "books",
                          "price": Decimal("12.50"), "thumbnail": b"\x89PNG", "version": 1}),
    "session": (Session, {"user_id": "u1", "session_id": "s1",
                          "expires": NOW + dt.timedelta(days=1)}),
    "invitation": (Invitation, {"invite_id": "i1", "email": "invitee@example.com",
                                "expires": NOW + dt.timedelta(days=7)}),
}
#: Unclassified items of odd shape: names a path would misread, formula-like names.
ODD = {"PK": "RAW#odd", "SK": "x", "a.b": "1", "x[0]": "2", "=cmd|' /C calc'!A0": "3",
       "#n1": "4", ":v": "5"}
PARTITIONS = ("USER#u1", "ORDER#456", "PRODUCT#p1", "INVITE#i1", "RAW#odd")


@pytest.fixture(scope="module")
def table(dynamodb_endpoint):
    """One table for the module, seeded once: no case may write to it."""
    from examples.shop.definitions import shop
    from tests.conftest import physical_table

    with physical_table(shop) as names, override_settings(DYNADMIN_TABLE_NAMES=names):
        for entity, values in SEEDS.values():
            data.put_item(shop, entity.build_item(values), condition=AttributeNotExists("PK"))
        data.put_item(shop, ODD, condition=AttributeNotExists("PK"))
        yield shop


def snapshot(table) -> dict[str, list[dict[str, Any]]]:
    return {pk: data.query(table.primary, pk, consistent=True, limit=100).items
            for pk in PARTITIONS}


def key_of(seed: str) -> dict[str, Any]:
    entity, values = SEEDS[seed]
    return entity.key(values)


def _url(view: str, **kwargs: str) -> str:
    return reverse(f"dynadmin:{view}", kwargs=kwargs or None)


T = {"table": "Application"}


@dataclass(frozen=True)
class Case:
    id: str
    #: "get": a bare GET of ``url``; "edit" / "raw": GET the seed's edit form, change
    #: ``data``, POST; "post": a bare POST of ``data`` to ``url``
    kind: str
    url: str = ""
    seed: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    status: tuple[int, ...] = (400,)
    expect: tuple[str, ...] = ()
    #: rewrite the raw editor's DynamoDB JSON
    change: Callable[[dict[str, Any]], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


CASES: list[Case] = []


def case(*args: Any, **kwargs: Any) -> None:
    CASES.append(Case(*args, **kwargs))


# -- query parameters ----------------------------------------------------------------------
def qs(params: dict[str, str]) -> str:
    """A query string; values are UTF-8 (surrogates escaped as a hand-made address would)."""
    return "&".join(f"{k}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}"
                    for k, v in params.items())


PARTITION = _url("partition", **T)
BAD_PARTITION_PARAMS: dict[str, dict[str, str]] = {
    "index-unknown": {"pk": "x", "index": "GSI9"},
    "index-path": {"pk": "x", "index": "../GSI1"},
    "index-surrogate": {"pk": "x", "index": "\ud800"},
    "pk-too-long": {"pk": "P" * 2049},
    "pk-multibyte-too-long": {"pk": "é" * 1025},
    "sk-op-unknown": {"pk": "USER#u1", "sk_op": "contains", "sk": "x"},
    "sk-op-injection": {"pk": "USER#u1", "sk_op": "= :v OR PK", "sk": "x"},
    "sk-op-without-sk": {"pk": "USER#u1", "sk_op": "begins_with"},
    "between-without-sk2": {"pk": "USER#u1", "sk_op": "between", "sk": "A"},
    "between-reversed": {"pk": "USER#u1", "sk_op": "between", "sk": "Z", "sk2": "A"},
    "sk-too-long": {"pk": "USER#u1", "sk_op": "=", "sk": "S" * 1025},
    "limit-zero": {"pk": "USER#u1", "limit": "0"},
    "limit-negative": {"pk": "USER#u1", "limit": "-5"},
    "limit-text": {"pk": "USER#u1", "limit": "ten"},
    "limit-over-1000": {"pk": "USER#u1", "limit": "1001"},
    "limit-huge": {"pk": "USER#u1", "limit": "9" * 40},
    "limit-fraction": {"pk": "USER#u1", "limit": "1.5"},
    "limit-exponent": {"pk": "USER#u1", "limit": "1e3"},
    "cursor-garbage": {"pk": "USER#u1", "cursor": "garbage"},
    "cursor-json": {"pk": "USER#u1", "cursor": '{"PK": {"S": "x"}}'},
    "cursor-surrogate": {"pk": "USER#u1", "cursor": "\ud800"},
    "cursor-long": {"pk": "USER#u1", "cursor": "A" * 5000},
    "consistent-on-gsi": {"pk": "x", "index": "GSI1", "consistent": "1"},
    "filter-op-unknown": {"pk": "USER#u1", "f_attr": "name", "f_op": "regex", "f_value": "x"},
    "filter-on-key": {"pk": "USER#u1", "f_attr": "PK", "f_op": "eq", "f_value": "x"},
    "filter-type-unknown": {"pk": "USER#u1", "f_attr": "n", "f_op": "eq", "f_value": "1",
                            "f_type": "Q"},
    "filter-number-not-a-number": {"pk": "USER#u1", "f_attr": "n", "f_op": "eq",
                                   "f_value": "abc", "f_type": "N"},
    "filter-number-nan": {"pk": "USER#u1", "f_attr": "n", "f_op": "eq", "f_value": "NaN",
                          "f_type": "N"},
    "filter-number-out-of-range": {"pk": "USER#u1", "f_attr": "n", "f_op": "gt",
                                   "f_value": "1E+200", "f_type": "N"},
    "filter-attr-too-long": {"pk": "USER#u1", "f_attr": "a" * 70000, "f_op": "exists"},
    "hide-expired-garbage": {"pk": "USER#u1", "hide_expired": "soon"},
}
for label, params in BAD_PARTITION_PARAMS.items():
    case(f"partition-{label}", "get", PARTITION + "?" + qs(params))
    # The same parameters on an export of the page: refused before anything is read.
    if "format" not in params:
        case(f"export-csv-{label}", "get", PARTITION + "?" + qs(params | {"format": "csv"}))

# Typed key parameters on an index whose key is a Number or Binary do not exist in the shop;
# the item page and the edit/delete forms take the table's S keys.
BAD_KEYS: dict[str, dict[str, str]] = {
    "no-pk": {"sk": "METADATA"},
    "no-sk": {"pk": "USER#u1"},
    "empty-pk": {"pk": "", "sk": "METADATA"},
    "empty-sk": {"pk": "USER#u1", "sk": ""},
    "pk-too-long": {"pk": "U" * 2049, "sk": "METADATA"},
    "sk-too-long": {"pk": "USER#u1", "sk": "M" * 1025},
}
for page in ("item", "edit", "delete"):
    for label, params in BAD_KEYS.items():
        case(f"{page}-{label}", "get", _url(page, **T) + "?" + qs(params))
for page in ("item", "edit", "delete", "partition", "ttl", "health"):
    case(f"{page}-unknown-table", "get",
         _url(page, table="Nope") + "?" + qs({"pk": "x", "sk": "y"}), status=(404,))
    case(f"{page}-table-surrogate", "get",
         _url(page, table="x") .replace("/x/", "/%ED%A0%80/") + "?pk=x&sk=y", status=(404,))
for page in ("item", "edit", "delete"):
    case(f"{page}-missing-item", "get", _url(page, **T) + "?" + qs(
        {"pk": "USER#ghost", "sk": "METADATA"}), status=(404,))

TTL = _url("ttl", **T)
for label, params in {
    "pages-zero": {"pk": "USER#u1", "pages": "0"},
    "pages-text": {"pk": "USER#u1", "pages": "many"},
    "pages-huge": {"pk": "USER#u1", "pages": "100000"},
    "pages-negative": {"pk": "USER#u1", "pages": "-1"},
    "limit-zero": {"pk": "USER#u1", "limit": "0"},
    "limit-text": {"pk": "USER#u1", "limit": "x"},
    "limit-over-1000": {"pk": "USER#u1", "limit": "5000"},
    "index-unknown": {"pk": "USER#u1", "index": "GSI7"},
    "pk-too-long": {"pk": "P" * 2049},
    "sk-too-long": {"pk": "USER#u1", "sk": "S" * 1025},
}.items():
    case(f"ttl-{label}", "get", TTL + "?" + qs(params))

for entity, name, params in (
        ("Application.User", "by_email", {"email": "not an email"}),
        ("Application.User", "by_email", {"email": "a#b@example.com"}),
        ("Application.User", "by_email", {"email": "é" * 1100 + "@example.com"}),
        ("Application.User", "keys", {"user_id": "u" * 2100}),
        ("Application.Invitation", "by_email", {"email": "@"}),
        ("Application.Order", "by_id", {"order_id": "o" * 2100}),
        ("Application.Product", "keys", {"product_id": "p" * 2100}),
):
    case(f"lookup-{entity.split('.')[1]}-{name}-{len(case.__name__) + len(CASES)}", "get",
         _url("entity_lookup", entity=entity, name=name) + "?" + qs(params))
for entity, name in (("Application.User", "nope"), ("Application.Nope", "by_email")):
    case(f"lookup-unknown-{entity}-{name}", "get",
         _url("entity_lookup", entity=entity, name=name) + "?email=x", status=(404,))
for entity, name, params in (
        ("Application.Order", "by_status", {"status": "LOST"}),
        ("Application.Order", "by_status", {"status": ""}),
        ("Application.Order", "by_status", {"status": "\ud800"}),
        ("Application.Product", "by_category", {"category": "cars"}),
        ("Application.Product", "by_category", {"category": "x" * 3000}),
):
    case(f"listing-{name}-{len(CASES)}", "get",
         _url("listing", entity=entity, name=name) + "?" + qs(params))
for entity, name in (("Application.Order", "nope"), ("Application.Nope", "by_status")):
    case(f"listing-unknown-{entity}-{name}", "get",
         _url("listing", entity=entity, name=name), status=(404,))

# -- item shapes: the raw editor and "Other attributes" ------------------------------------
S = "\\ud800"  # a lone surrogate, as JSON spells it
SHAPES: dict[str, tuple[Any, str]] = {
    "S-a-number": ({"S": 1}, "not a valid S value"),
    "S-a-list": ({"S": ["a"]}, "not a valid S value"),
    "S-null": ({"S": None}, "not a valid S value"),
    "S-surrogate": ({"S": S}, "not valid Unicode"),
    "N-empty": ({"N": ""}, "not a valid N value"),
    "N-hex": ({"N": "0x10"}, "not a valid N value"),
    "N-infinity": ({"N": "Infinity"}, "infinite or NaN"),
    "N-tiny": ({"N": "1E-131"}, "out of DynamoDB's range"),
    "B-a-number": ({"B": 5}, "not a valid B value"),
    "B-bad-padding": ({"B": "abc"}, "not a valid B value"),
    "BOOL-a-string": ({"BOOL": "yes"}, "not a valid BOOL value"),
    "BOOL-a-number": ({"BOOL": 1}, "not a valid BOOL value"),
    "NULL-false": ({"NULL": False}, 'NULL is written {"NULL": true}'),
    "NULL-a-string": ({"NULL": "true"}, "not a valid NULL value"),
    "L-an-object": ({"L": {}}, "not a valid L value"),
    "L-surrogate": ({"L": [{"S": S}]}, "not valid Unicode"),
    "M-a-string": ({"M": "x"}, "not a valid M value"),
    "M-surrogate-key": ({"M": {S: {"N": "1"}}}, "not valid Unicode"),
    "M-untagged-member": ({"M": {"a": 1}}, "expected one type tag"),
    "SS-empty": ({"SS": []}, "DynamoDB sets cannot be empty"),
    "SS-numbers": ({"SS": [1, 2]}, "a SS set holds only S values"),
    "SS-surrogate": ({"SS": [S]}, "not valid Unicode"),
    "SS-twice": ({"SS": ["a", "a"]}, "a set cannot hold the same member twice"),
    "NS-empty": ({"NS": []}, "DynamoDB sets cannot be empty"),
    "NS-twice": ({"NS": ["1", "1.0"]}, "a set cannot hold the same member twice"),
    "NS-NaN": ({"NS": ["NaN"]}, "infinite or NaN"),
    "BS-empty": ({"BS": []}, "DynamoDB sets cannot be empty"),
    "untagged-string": ("plain", "expected one type tag"),
    "untagged-null": (None, "expected one type tag"),
    "empty-tag": ({}, "expected one type tag"),
    "lowercase-tag": ({"s": "x"}, "unknown DynamoDB type 's'"),
    "deep-33": (json.loads('{"M": {"a": ' * 33 + '{"N": "1"}' + "}}" * 33), "32 levels"),
    "over-400-KB": ({"S": "x" * 410_000}, "DynamoDB's limit is 400 KB"),
}
NAMES: dict[str, str] = {"surrogate-name": S, "empty-name": ""}
RAW_SEEDS = ("user", "order", "orderitem", "invitation")
EXTRA_SEEDS = ("user", "product", "session")


def _with_attribute(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda wire: wire.__setitem__(name, value)


for label, (value, message) in SHAPES.items():
    for seed in RAW_SEEDS:
        case(f"raw-{seed}-{label}", "raw", seed=seed, expect=(message,),
             change=_with_attribute("hostile", value))
    for seed in EXTRA_SEEDS:
        case(f"extra-{seed}-{label}", "edit", seed=seed, expect=(message,),
             data={"__extra__": json.dumps({"hostile": value}).replace("\\\\ud800", S)})
for label, name in NAMES.items():
    for seed in RAW_SEEDS:
        case(f"raw-{seed}-{label}", "raw", seed=seed, change=_with_attribute(
            name if name != S else "\ud800", {"S": "x"}))
    for seed in EXTRA_SEEDS:
        case(f"extra-{seed}-{label}", "edit", seed=seed,
             data={"__extra__": '{"' + name + '": {"S": "x"}}'})
# Keys the raw editor would change into something DynamoDB refuses.
for label, change in {
    "PK-surrogate": _with_attribute("PK", {"S": S}),
    "SK-a-set": _with_attribute("SK", {"SS": ["a"]}),
    "SK-bool": _with_attribute("SK", {"BOOL": True}),
    "PK-map": _with_attribute("PK", {"M": {}}),
    "GSI1SK-too-long": _with_attribute("GSI1SK", {"S": "x" * 1025}),
    "GSI1PK-binary": _with_attribute("GSI1PK", {"B": "AAAA"}),
}.items():
    for seed in RAW_SEEDS:
        case(f"raw-{seed}-{label}", "raw", seed=seed, change=change)
# Lone surrogates in every JSON form field (a list of text is edited one value per line,
# where "\ud800" is only text).
for seed, name in (("user", "preferences"), ("order", "shipping_address")):
    for label, text in {"value": '"' + S + '"', "key": '"' + S + '": 1',
                        "nested": '"a": ["' + S + '"]'}.items():
        wrapped = "{" + ('"a": ' + text if label == "value" else text) + "}"
        case(f"edit-{seed}-{name}-surrogate-{label}", "edit", seed=seed, data={name: wrapped},
             expect=("not valid Unicode",))
# Bodies over the limit: refused before they are read.
for page in ("edit", "delete", "resolve", "set_ttl", "action"):
    url = _url(page, **T) + ("?" + qs({"pk": "USER#u1", "sk": "METADATA"})
                             if page in ("edit", "delete") else "")
    for label, length in (("3-MB", 3 * 1024 * 1024), ("50-MB", 50 * 1024 * 1024),
                          ("2-GB", 2 * 1024 ** 3)):
        case(f"{page}-body-{label}", "post", url, status=(413,), expect=("Request too large",),
             extra={"CONTENT_LENGTH": str(length)})
case("add-body-50-MB", "post", _url("add", entity="Application.User"), status=(413,),
     extra={"CONTENT_LENGTH": str(50 * 1024 * 1024)})

IDS = [c.id for c in CASES]
assert len(IDS) == len(set(IDS)), sorted({i for i in IDS if IDS.count(i) > 1})


def test_the_corpus_is_large_enough():
    from tests.test_edit_validation import CASES as FIRST_PART

    assert len(CASES) >= 310 and len(CASES) + len(FIRST_PART) >= 500


class _UnreadableBody:
    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def _request(client, c: Case):
    if c.kind == "get":
        return client.get(c.url)
    if c.kind == "post":
        return client.generic("POST", c.url, b"", "application/x-www-form-urlencoded",
                              **c.extra | {"wsgi.input": _UnreadableBody()})
    key = key_of(c.seed)
    url = _url("edit", **T) + "?" + urlencode({"pk": key["PK"], "sk": key["SK"]})
    page = client.get(url + ("&raw=1" if c.kind == "raw" else ""))
    assert page.status_code == 200, unescape(page.content.decode())[:2000]
    fields = form_data(page)
    if c.change is not None:
        wire = json.loads(fields["item"])
        c.change(wire)
        fields["item"] = json.dumps(wire).replace("\\\\ud800", S)
    fields.update(c.data)
    return client.post(url, fields)


@pytest.mark.parametrize("c", [pytest.param(c, id=c.id) for c in CASES])
def test_a_hostile_input_is_refused_and_writes_nothing(c: Case, table, client,
                                                       django_user_model):
    user = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(user)
    before = snapshot(table)
    response = _request(client, c)
    after = snapshot(table)
    text = unescape(response.content.decode(errors="replace"))
    assert response.status_code in c.status, (response.status_code, text[:3000])
    for message in c.expect:
        assert message in text, f"{message!r} missing from the {response.status_code} page"
    assert "Traceback" not in text and "ValidationException" not in text
    assert after == before
    assert AuditEntry.objects.count() == 0
