"""Any value DynamoDB accepts, stored in place of a declared field: the edit form opens, and
saving it untouched writes nothing.

``DYNADMIN_FUZZ_EXAMPLES`` sets how many items are tried (a nightly run asks for more).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.models import AuditEntry
from examples.shop.definitions import Order, Product, Session, User
from tests.forms_as_shown import shown_fields

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("DYNADMIN_FUZZ_EXAMPLES", "40"))

# Numbers of up to 28 significant digits over a wide exponent range (the full 38 digits are
# the number helpers' own tests).
numbers = st.builds(lambda m, e: Decimal(f"{m}E{e}"),
                    st.integers(-(10 ** 28 - 1), 10 ** 28 - 1), st.integers(-100, 100))
texts = st.text(max_size=12)
scalars = st.one_of(texts, numbers, st.binary(max_size=8), st.booleans(), st.none())
sets = st.one_of(st.frozensets(st.text(min_size=1, max_size=8), min_size=1, max_size=4),
                 st.frozensets(numbers, min_size=1, max_size=4),
                 st.frozensets(st.binary(min_size=1, max_size=8), min_size=1, max_size=4))
values = st.recursive(
    st.one_of(scalars, sets),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(min_size=1, max_size=6), inner,
                                            max_size=3)),
    max_leaves=8)
# Names DynamoDB accepts that an expression must escape.
odd_names = st.sampled_from(["a.b", "x[0]", "#tag", "k:v", "with space"])

BASES = {
    Order: {"user_id": "fz", "placed_on": "2026-01-01",
            "placed_at": dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC), "status": "PAID",
            "total": Decimal("12.5"), "notes": ["a"], "version": 1},
    User: {"email": "fz@example.com", "name": "Fuzz", "tags": {"a"}, "version": 1},
    Product: {"name": "Fuzz", "category": "books", "price": Decimal("3"), "version": 1},
    Session: {"user_id": "fz", "expires": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)},
}
ID_FIELD = {Order: "order_id", User: "user_id", Product: "product_id", Session: "session_id"}
_ids = itertools.count()


def _stored_fields(entity: type) -> list[str]:
    """Declared fields with an attribute of their own that is not a key part of the primary
    key (those name the item, and are covered by the key tests)."""
    meta = entity._meta
    return [name for name, fld in meta.fields.items()
            if not fld.key_only and name not in meta.primary_key.variables]


cases = st.sampled_from(sorted(BASES, key=lambda e: e.__name__)).flatmap(
    lambda entity: st.tuples(st.just(entity), st.sampled_from(_stored_fields(entity)),
                             values, odd_names, values))


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                         HealthCheck.too_slow])
@given(case=cases)
def test_any_stored_value_survives_an_untouched_save(case, staff_client, shop_table):
    entity, field, value, odd_name, odd_value = case
    base = BASES[entity] | {ID_FIELD[entity]: f"fz{next(_ids)}"}
    item: dict[str, Any] = entity.build_item(base)
    item[entity._meta.fields[field].attribute] = value
    item[odd_name] = odd_value
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    key = shop_table.key_of(item)
    stored = data.get_item(shop_table, key, consistent=True)
    url = (reverse("dynadmin:edit", kwargs={"table": "Application"}) + "?"
           + urlencode({"pk": key["PK"], "sk": key["SK"]}))
    applied = AuditEntry.objects.filter(outcome="applied").count()

    page = staff_client.get(url)
    assert page.status_code == 200, unescape(page.content.decode())[:2000]
    response = staff_client.post(url, shown_fields(page))

    assert response.status_code == 302, unescape(response.content.decode())[:3000]
    assert data.get_item(shop_table, key, consistent=True) == stored
    assert AuditEntry.objects.filter(outcome="applied").count() == applied
