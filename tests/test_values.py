"""services/values.py: how values read on a page (numbers, money, yes/no, dates, nesting)."""

import datetime as dt
from decimal import Decimal

import pytest

from dynadmin import fields
from dynadmin.services.display.values import (
    count_text,
    date_text,
    moment_text,
    number_text,
    show,
    show_field,
)
from examples.shop.definitions import Order

NOW = dt.datetime(2026, 11, 29, 17, 47, tzinfo=dt.UTC)


def test_numbers_have_thousands_separators_and_keep_every_digit():
    assert number_text(Decimal("1796175577000")) == "1,796,175,577,000"
    assert number_text(29035) == "29,035"
    assert number_text(Decimal("-1234.5")) == "-1,234.5"
    assert number_text(Decimal("0.000001")) == "0.000001"
    assert number_text(Decimal("12345678901234567890.123456789012345678")) == (
        "12,345,678,901,234,567,890.123456789012345678")


def test_places_round_for_display_only():
    assert number_text(Decimal("167.49"), 2) == "167.49"
    assert number_text(Decimal("5"), 2) == "5.00"
    assert number_text(Decimal("1234.005"), 2) == "1,234.00"  # banker's rounding, display only


def test_whole_numbers_spelt_with_a_fraction_or_an_exponent_read_as_whole():
    assert number_text(Decimal("12.00")) == "12"
    assert number_text(Decimal("1E+3")) == "1,000"
    assert number_text(Decimal("-0")) == "-0"
    assert number_text(Decimal("1E+125")) == f"{10**125:,}"
    assert number_text(Decimal("9.9E+125")).startswith("990,000,000")
    assert number_text(Decimal("1E-130"), 2) == "0.00"


@pytest.mark.parametrize("places", [None, 0, 2, 3])
def test_every_stored_number_reads_as_its_exact_rounding(places):
    """Most numbers are shown as they are spelt (no rounding to do); the others are
    quantized in a context wide enough for any stored number. Either way the text is what
    exact arithmetic gives, for 38-digit numbers at both ends of DynamoDB's range."""
    import random

    from dynadmin.numbers import exact, is_whole

    def rounded(number):
        with exact():
            if places is not None:
                number = number.quantize(Decimal(1).scaleb(-places))
            elif is_whole(number):
                number = number.quantize(Decimal(1))
            return format(number, ",f")

    draw = random.Random(places)
    for _ in range(3_000):
        digits = "".join(draw.choice("0123456789") for _ in range(draw.randint(1, 38)))
        exponent = draw.choice([0, 0, -1, -2, -3, 1, 2, draw.randint(-130, 87)])
        number = Decimal(f"{draw.choice(['', '-'])}{digits}E{exponent}")
        assert number_text(number, places) == rounded(number), number


def test_money_takes_its_currency_from_another_field():
    total = Order._meta.fields["total"]
    shown = show_field(total, Decimal("167.49"), {"currency": "USD"}, NOW)
    assert (shown.text, shown.kind, shown.css) == ("167.49 USD", "number", "num")
    assert show_field(total, Decimal("1500"), {}, NOW).text == "1,500.00"
    fixed = fields.Number(places=2, currency="EUR")
    assert show_field(fixed, Decimal("3.5"), {}, NOW).text == "3.50 EUR"


def test_a_rounded_money_value_keeps_the_exact_one_at_hand():
    total = Order._meta.fields["total"]
    shown = show_field(total, Decimal("10.125"), {"currency": "GBP"}, NOW)
    assert shown.text == "10.12 GBP" and shown.exact == "10.125"
    assert show_field(total, Decimal("10.10"), {}, NOW).exact == ""


def test_booleans_are_yes_no_badges():
    flag = fields.Boolean()
    assert (show_field(flag, True).text, show_field(flag, True).badge) == ("yes", "yes")
    assert (show_field(flag, False).text, show_field(flag, False).kind) == ("no", "badge")
    assert show_field(flag, None).kind == "empty"


def test_one_date_format_with_relative_time():
    moment = dt.datetime(2026, 11, 19, 17, 47, tzinfo=dt.UTC)
    assert moment_text(moment, NOW) == "2026-11-19 17:47 UTC · 10 days ago"
    assert show_field(fields.DateTime(), "2026-11-19T17:47:00+00:00", now=NOW).text == (
        "2026-11-19 17:47 UTC · 10 days ago")
    assert date_text(dt.date(2026, 11, 19), NOW) == "2026-11-19 · 10 days ago"
    assert date_text(dt.date(2026, 11, 29), NOW) == "2026-11-29 · today"


def test_counts_are_approximate():
    assert count_text(29035) == "≈ 29,035"
    assert count_text(None) == "?"
    assert count_text(7, approximate=False) == "7"


def test_maps_and_lists_are_nested_with_raw_json_at_the_top_only():
    shown = show({"city": "Paris", "lines": ["1 rue X", "Bât. B"], "zip": Decimal("75001"),
                  "geo": {"lat": Decimal("48.85")}})
    assert shown.kind == "map" and shown.nested
    entries = dict(shown.entries)
    assert entries["city"].text == "Paris"
    assert entries["zip"].text == "75,001" and entries["zip"].css == "num"
    assert entries["lines"].kind == "list"
    assert [s.text for _k, s in entries["lines"].entries] == ["1 rue X", "Bât. B"]
    assert entries["geo"].kind == "map" and entries["geo"].raw == ""
    assert '"zip": 75001' in shown.raw or '"zip":75001' in shown.raw


def test_sets_read_as_one_line_and_nothing_is_a_python_repr():
    assert show({"vip", "beta"}).text == "beta · vip"
    assert show({Decimal("1000"), Decimal("2")}).text == "2 · 1,000"
    for value in (Decimal("1796175577000"), {Decimal("1.5")}, [Decimal("3")], {"a": Decimal(1)},
                  b"\x00\xff", None, True):
        text = show(value).text + show(value).raw
        assert "Decimal(" not in text and "b'" not in text and "None" not in text


def test_a_value_that_breaks_its_field_is_shown_raw():
    shown = show_field(fields.Integer(), "not a number")
    assert shown.text == "not a number"


def test_long_maps_are_bounded():
    shown = show({f"k{i}": i for i in range(60)})
    assert len(shown.entries) == 51 and shown.entries[-1][1].text == "and 10 more"
