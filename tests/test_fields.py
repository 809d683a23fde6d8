"""Fields: every DynamoDB type, exact numbers, and clear messages for values that don't fit."""

import datetime as dt
from decimal import Decimal

import pytest

from dynadmin.definitions import fields
from dynadmin.definitions.fields import FieldError


def named(fld, name="value"):
    fld.name = name
    return fld


class TestNumber:
    def test_keeps_38_digits_exactly(self):
        value = "1234567890.1234567890123456789012345678"
        assert str(named(fields.Number()).to_dynamo(value)) == value

    def test_refuses_a_39th_digit(self):
        with pytest.raises(FieldError, match="38"):
            named(fields.Number()).to_dynamo("1" * 39)

    def test_refuses_out_of_range_and_nan(self):
        for bad in ("1E+126", "1E-131", "NaN", "Infinity"):
            with pytest.raises(FieldError):
                named(fields.Number()).to_dynamo(bad)

    def test_floats_become_their_shortest_decimal(self):
        assert named(fields.Number()).to_dynamo(0.1) == Decimal("0.1")

    def test_integer_refuses_fractions(self):
        with pytest.raises(FieldError, match="whole"):
            named(fields.Integer()).to_python("1.5")

    @pytest.mark.parametrize("stored", [
        "0", "-0", "7", "-7", "12.00", "1E+3", "1" * 38, "-" + "9" * 38, "1" * 38 + "00",
        "1E+37", "1E+38", "9.9E+125", "1E-130", "0.5", "-1.5E-3", "NaN", "Infinity"])
    def test_integer_reads_every_stored_number_as_a_number_does_then_checks_it_whole(
            self, stored):
        # A read's whole numbers take a short way (no digit count): whatever it answers,
        # the long way answers the same.
        value = Decimal(stored)
        integer = named(fields.Integer())
        try:
            number = named(fields.Number()).to_python(value)
        except FieldError as exc:
            with pytest.raises(FieldError, match=str(exc).split(": ", 1)[1]):
                integer.to_python(value)
            return
        if number == number.to_integral_value():
            assert integer.to_python(value) == int(number)
            assert type(integer.to_python(value)) is int
        else:
            with pytest.raises(FieldError, match="whole"):
                integer.to_python(value)


class TestSets:
    def test_an_emptied_set_means_remove_the_attribute(self):
        assert named(fields.StringSet()).to_dynamo(set()) is None

    def test_duplicate_members_are_refused(self):
        with pytest.raises(FieldError, match="twice"):
            named(fields.StringSet()).to_python(["a", "a"])

    def test_number_sets_hold_decimals(self):
        assert named(fields.NumberSet()).to_dynamo(["1.5", 2]) == {Decimal("1.5"), Decimal(2)}


class TestTTL:
    def test_epoch_seconds_become_an_aware_datetime_and_back(self):
        ttl = named(fields.TTL())
        moment = ttl.to_python(Decimal(1700000000))
        assert moment == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
        assert ttl.to_dynamo(moment) == Decimal(1700000000)

    def test_a_string_is_not_a_ttl(self):
        with pytest.raises(FieldError, match="epoch seconds"):
            named(fields.TTL()).to_python("tomorrow")


def test_dates_and_datetimes_store_as_iso_text():
    assert named(fields.Date()).to_dynamo(dt.date(2024, 1, 15)) == "2024-01-15"
    naive = dt.datetime(2024, 1, 15, 9, 30)
    assert named(fields.DateTime()).to_dynamo(naive) == "2024-01-15T09:30:00+00:00"


def test_email_and_choice_validate():
    with pytest.raises(FieldError, match="email"):
        named(fields.Email()).to_python("not-an-email")
    with pytest.raises(FieldError, match="one of"):
        named(fields.Choice("A", "B")).to_python("C")


def test_binary_null_boolean_list_map():
    assert named(fields.Binary()).to_python(bytearray(b"\x00\x01")) == b"\x00\x01"
    assert named(fields.Null()).to_python(None) is True  # present, holding NULL
    with pytest.raises(FieldError):
        named(fields.Null()).to_python(1)
    assert named(fields.Boolean()).to_python("true") is True
    with pytest.raises(FieldError):
        named(fields.List()).to_python({"a": 1})
    with pytest.raises(FieldError):
        named(fields.Map()).to_python([1])
