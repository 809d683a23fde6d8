"""Key templates: format, parse, prefix and classify, and round-trips under hypothesis."""

import datetime as dt
from decimal import Decimal
from urllib.parse import quote_plus

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dynadmin import Entity, Key, Table, fields
from dynadmin.definitions import KeyQuery, KeyTemplateError, MissingKeyValue
from dynadmin.services.url_keys import quoted
from tests.support.keys import KEY_CAPABLE, bind, safe_text


class TestFormatAndParse:
    def test_formats_literal_text_around_values(self):
        key = bind("ORDER#{placed_on}#{order_id}", placed_on=fields.Date(),
                   order_id=fields.String())
        assert key.format({"placed_on": dt.date(2024, 1, 15), "order_id": "456"}) == (
            "ORDER#2024-01-15#456")

    def test_parses_a_key_back_into_typed_values(self):
        key = bind("ORDER#{placed_on}#{order_id}", placed_on=fields.Date(),
                   order_id=fields.String())
        assert key.parse("ORDER#2024-01-15#456") == {
            "placed_on": dt.date(2024, 1, 15), "order_id": "456"}

    def test_a_key_of_another_shape_does_not_parse(self):
        key = bind("ORDER#{placed_on}#{order_id}", placed_on=fields.Date(),
                   order_id=fields.String())
        assert key.parse("METADATA") is None
        assert key.parse("ORDER#not-a-date#456") is None
        assert key.parse(None) is None

    def test_zero_padding_spec_keeps_numbers_sortable(self):
        key = bind("INVOICE#{number:08d}", number=fields.Integer())
        assert key.format({"number": 42}) == "INVOICE#00000042"
        assert key.parse("INVOICE#00000042") == {"number": 42}

    def test_date_format_spec(self):
        key = bind("DAY#{day:%Y%m%d}", day=fields.Date())
        assert key.format({"day": dt.date(2024, 3, 9)}) == "DAY#20240309"
        assert key.parse("DAY#20240309") == {"day": dt.date(2024, 3, 9)}

    def test_missing_value_is_named(self):
        key = bind("USER#{user_id}", user_id=fields.String())
        with pytest.raises(MissingKeyValue, match="user_id"):
            key.format({})

    def test_a_value_holding_its_separator_is_refused(self):
        key = bind("A#{a}#{b}", a=fields.String(), b=fields.String())
        with pytest.raises(KeyTemplateError, match="separates"):
            key.format({"a": "x#y", "b": "z"})

    def test_the_last_placeholder_may_hold_anything(self):
        key = bind("A#{a}", a=fields.String())
        assert key.parse(key.format({"a": "x#y/z"})) == {"a": "x#y/z"}

    def test_choice_prefers_the_longest_alternative(self):
        key = bind("S#{status}#{id}", status=fields.Choice("SHIPPED", "SHIPPED_LATE"),
                   id=fields.String())
        assert key.parse("S#SHIPPED_LATE#1") == {"status": "SHIPPED_LATE", "id": "1"}


class TestPrefix:
    key = bind("ORDER#{placed_on}#{order_id}", placed_on=fields.Date(), order_id=fields.String())

    def test_nothing_known_gives_the_leading_literal(self):
        assert self.key.prefix({}) == "ORDER#"

    def test_leading_values_extend_the_prefix(self):
        assert self.key.prefix({"placed_on": dt.date(2024, 1, 15)}) == "ORDER#2024-01-15#"

    def test_a_gap_stops_the_prefix(self):
        assert self.key.prefix({"order_id": "456"}) == "ORDER#"

    def test_everything_known_is_the_whole_key(self):
        values = {"placed_on": dt.date(2024, 1, 15), "order_id": "456"}
        assert self.key.prefix(values) == self.key.format(values)


class TestQueryFor:
    """The values a lookup or a relation knows become one Query: the exact sort key when
    they give all of it, else ``begins_with`` its known beginning."""

    table = Table("QueryFor", indexes={"GSI1": ("GSI1PK", "GSI1SK")})

    class Order(Entity, table=table):
        keys = Key(pk="USER#{user_id}", sk="ORDER#{placed_on}#{order_id}")
        by_status = Key("GSI1", pk="STATUS#{status}", sk="{placed_on}#{order_id}")
        user_id = fields.String()
        placed_on = fields.Date()
        order_id = fields.String()
        status = fields.Choice("PAID", "SHIPPED")

    key = Order._meta.primary_key
    day = dt.date(2024, 1, 15)

    def test_every_value_gives_the_exact_sort_key(self):
        query = self.key.query_for({"user_id": "7", "placed_on": self.day, "order_id": "456"})
        assert query == KeyQuery("USER#7", "=", "ORDER#2024-01-15#456")

    def test_leading_values_give_begins_with_their_prefix(self):
        query = self.key.query_for({"user_id": "7", "placed_on": self.day})
        assert query == KeyQuery("USER#7", "begins_with", "ORDER#2024-01-15#")

    def test_no_sort_key_value_still_keeps_to_the_literal(self):
        assert self.key.query_for({"user_id": "7"}) == KeyQuery("USER#7", "begins_with",
                                                                "ORDER#")

    def test_an_empty_value_counts_as_unknown(self):
        query = self.key.query_for({"user_id": "7", "placed_on": self.day, "order_id": ""})
        assert query == KeyQuery("USER#7", "begins_with", "ORDER#2024-01-15#")

    def test_a_gap_stops_the_prefix(self):
        query = self.key.query_for({"user_id": "7", "order_id": "456"})
        assert query == KeyQuery("USER#7", "begins_with", "ORDER#")

    def test_nothing_narrows_a_sort_key_that_begins_with_a_placeholder(self):
        key = self.Order._meta.keys["by_status"]
        assert key.query_for({"status": "PAID"}) == KeyQuery("STATUS#PAID")

    def test_the_partition_key_must_be_known(self):
        with pytest.raises(MissingKeyValue, match="user_id"):
            self.key.query_for({"placed_on": self.day})

    def test_a_value_that_cannot_be_spelled_is_refused(self):
        with pytest.raises(KeyTemplateError, match="not a date"):
            self.key.query_for({"user_id": "7", "placed_on": "soon"})

    def test_a_number_sort_key_is_exact_or_nothing(self):
        table = Table("QueryForNumbers", key_types={"SK": "N"})

        class Reading(Entity, table=table):
            keys = Key(pk="SENSOR#{sensor}", sk="{at}")
            sensor = fields.String()
            at = fields.Integer()

        key = Reading._meta.primary_key
        assert key.query_for({"sensor": "a", "at": 5}) == KeyQuery("SENSOR#a", "=", Decimal(5))
        assert key.query_for({"sensor": "a"}) == KeyQuery("SENSOR#a")

    def test_a_table_without_sort_key_is_the_partition_alone(self):
        table = Table("QueryForNoSort", sk=None)

        class Setting(Entity, table=table):
            keys = Key(pk="SETTING#{name}")
            name = fields.String()

        assert Setting._meta.primary_key.query_for({"name": "x"}) == KeyQuery("SETTING#x")


class TestNumberAndBinaryKeyAttributes:
    def test_a_number_key_takes_the_bare_value(self):
        table = Table("Numbers", pk="id", sk=None, key_types={"id": "N"})

        class Thing(Entity, table=table):
            keys = Key(pk="{id}")
            id = fields.Integer()

        assert Thing.key({"id": 7}) == {"id": Decimal(7)}
        assert Thing.values_from_key({"id": Decimal(7)}) == {"id": 7}


# -- property-based round trips ----------------------------------------------------------
def test_every_key_capable_field_type_is_covered():
    covered = {type(f) for _, f, _, _ in KEY_CAPABLE}
    key_capable = {cls for cls in vars(fields).values()
                   if isinstance(cls, type) and issubclass(cls, fields.Field)
                   and cls.key_capable}
    assert key_capable <= covered


@pytest.mark.parametrize(("label", "fld", "strategy", "spec"), KEY_CAPABLE,
                         ids=[k[0] for k in KEY_CAPABLE])
def test_round_trip_in_the_middle_and_at_the_end(label, fld, strategy, spec):
    placeholder = "{v:" + spec + "}" if spec else "{v}"
    middle = bind(f"P#{placeholder}#{{rest}}", v=fld, rest=fields.String())
    end = bind(f"P#{{rest}}#{placeholder}", v=fld, rest=fields.String())

    @given(value=strategy, rest=safe_text)
    def check(value, rest):
        for template in (middle, end):
            values = {"v": value, "rest": rest}
            try:
                text = template.format(values)
            except KeyTemplateError:
                # Only a value that contains its own separator may be refused.
                assume(False)
            assert template.parse(text) == values, text
            assert template.prefix({}) == "P#"

    check()


@given(st.text())
def test_a_key_is_quoted_in_links_as_quote_plus_would(text):
    # Every row of a page links its key: quoted by dynadmin's faster spelling of the same.
    assert quoted(text) == quote_plus(text, safe="")


def test_quoting_keeps_only_unreserved_characters():
    assert quoted("ORDER#2024-01-15#456") == "ORDER%232024-01-15%23456"
    assert quoted("a b+c/é~_.-") == "a+b%2Bc%2F%C3%A9~_.-"
    assert quoted("") == ""
