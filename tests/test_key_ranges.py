"""Sort-key ranges in an entity's words: inclusive bounds and begins_with prefixes, from the
key template alone (no DynamoDB: the HTTP journeys in test_entity_list.py prove them there)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dynadmin.definitions import KeyTemplate
from dynadmin.definitions.fields import Date, String
from dynadmin.definitions.keys import HIGHEST_CHARACTER
from dynadmin.services.partitions.key_ranges import SortRange, key_hints, range_key
from examples.shop.definitions import Order, Session, User, shop


def _order_sk() -> KeyTemplate:
    template = KeyTemplate("ORDER#{placed_on}#{order_id}")
    template.bind({"placed_on": Date(), "order_id": String()})
    return template


def _utf8(text: str) -> bytes:
    # DynamoDB compares String keys by their UTF-8 bytes.
    return text.encode("utf-8")


def test_the_last_day_of_a_date_range_is_included():
    lower, upper = _order_sk().range_bounds(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert lower == "ORDER#2024-01-01"
    assert upper == "ORDER#2024-01-31#" + HIGHEST_CHARACTER
    stored = "ORDER#2024-01-31#456"
    assert _utf8(lower) <= _utf8(stored) <= _utf8(upper)
    assert not _utf8("ORDER#2024-02-01#1") <= _utf8(upper)
    assert not _utf8(lower) <= _utf8("ORDER#2023-12-31#999")


def test_a_placeholder_at_the_end_has_an_exact_upper_bound():
    template = KeyTemplate("USER#{user_id}")
    template.bind({"user_id": String()})
    assert template.range_bounds("a", "c") == ("USER#a", "USER#c")


def test_the_literal_prefix_is_what_begins_with_needs():
    assert _order_sk().literal_prefix == "ORDER#"
    assert KeyTemplate("{order_id}").literal_prefix == ""
    assert _order_sk().leading_variable == "placed_on"


@given(low=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
       days=st.integers(min_value=0, max_value=400),
       inside=st.integers(min_value=0, max_value=400),
       order_id=st.from_regex(r"[0-9A-Za-z\-]{1,12}", fullmatch=True))
def test_every_key_of_a_day_in_the_range_is_inside_and_no_other(low, days, inside, order_id):
    template = _order_sk()
    high = low + dt.timedelta(days=days)
    lower, upper = template.range_bounds(low, high)
    day = low + dt.timedelta(days=min(inside, days))
    key = template.format({"placed_on": day, "order_id": order_id})
    assert _utf8(lower) <= _utf8(key) <= _utf8(upper)
    after = template.format({"placed_on": high + dt.timedelta(days=1), "order_id": order_id})
    before = template.format({"placed_on": low - dt.timedelta(days=1), "order_id": order_id})
    assert _utf8(after) > _utf8(upper)
    assert _utf8(before) < _utf8(lower)


@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
       seconds=st.integers(min_value=0, max_value=86399))
def test_a_date_time_key_asked_by_days_covers_the_whole_last_day(day, seconds):
    key = range_key(Order, shop.index("GSI2"))
    assert key is not None and key.sk is not None
    found = SortRange(entity=Order, key=key, field=Order._meta.fields["placed_at"],
                      low=day, high=day)
    condition = found.condition()
    moment = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC) + dt.timedelta(
        seconds=seconds)
    stored = key.sk.format({"placed_at": moment})
    assert condition.op == "between"
    assert _utf8(condition.value) <= _utf8(stored) <= _utf8(condition.value2)


def test_an_open_range_is_a_single_comparison():
    key = range_key(Order, shop.primary)
    field = Order._meta.fields["placed_on"]
    since = SortRange(entity=Order, key=key, field=field, low=dt.date(2024, 3, 1))
    until = SortRange(entity=Order, key=key, field=field, high=dt.date(2024, 3, 31))
    assert (since.condition().op, since.condition().value) == (">=", "ORDER#2024-03-01")
    assert until.condition().op == "<="
    assert until.condition().value == "ORDER#2024-03-31#" + HIGHEST_CHARACTER


def test_a_users_partition_offers_the_sort_keys_of_its_entities():
    hints = key_hints(shop.entities, shop.primary, "USER#a11cebee")
    by_entity = {h.entity_name: h for h in hints}
    assert by_entity["Order"].template == "ORDER#{placed_on}#{order_id}"
    assert by_entity["Order"].prefix == "ORDER#"
    assert by_entity["Order"].form.placeholder == "YYYY-MM-DD"
    assert by_entity["Session"].prefix == "SESSION#"
    assert "User" not in by_entity  # METADATA has nothing to ask a range on
    assert key_hints(shop.entities, shop.primary, "PRODUCT#B000000001") == []


def test_entities_without_a_sort_placeholder_on_an_index_have_no_range_key():
    assert range_key(Session, shop.index("GSI2")) is None


def test_users_by_name_range_over_their_names():
    assert range_key(User, shop.index("GSI2")).name == "by_name"

