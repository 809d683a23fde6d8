"""dynadmin.numbers: arithmetic on any two numbers DynamoDB stores is exact inside exact()."""

from __future__ import annotations

from decimal import Decimal, Inexact, Rounded, getcontext, localcontext

from dynadmin.numbers import exact, is_whole

LARGEST = Decimal("9" * 38 + "E+87")
SMALLEST_WIDE = Decimal("1." + "1" * 37 + "E-130")


def test_the_sum_of_the_widest_apart_stored_numbers_keeps_every_digit():
    with exact() as context:
        context.traps[Inexact] = context.traps[Rounded] = True
        total = LARGEST + SMALLEST_WIDE
        assert total - SMALLEST_WIDE == LARGEST


def test_a_38_digit_number_quantizes_to_twenty_places():
    with exact():
        assert LARGEST.quantize(Decimal("1E-20")) == LARGEST
        assert Decimal("1" * 38 + "00").quantize(Decimal(1)) == Decimal("1" * 38 + "00")


def test_the_callers_context_is_restored():
    with localcontext() as outer:
        outer.prec = 7
        with exact():
            pass
        assert getcontext().prec == 7


def test_whole_numbers_are_told_apart_without_rounding():
    assert is_whole(Decimal("1E+125")) and is_whole(Decimal("12.00"))
    assert not is_whole(Decimal("1" * 37 + ".5")) and not is_whole(Decimal("1E-130"))
    assert not is_whole(Decimal("NaN"))
