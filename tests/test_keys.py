"""Key templates: format, parse, prefix and classify, and round-trips under hypothesis."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given

from dynadmin import Entity, Key, Table, fields
from dynadmin.definitions import KeyTemplateError, MissingKeyValue
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
