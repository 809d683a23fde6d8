"""Arithmetic on DynamoDB numbers, exactly.

DynamoDB stores numbers of up to 38 significant digits, from 1E-130 to 9.99…E+125. Python's
default decimal context holds 28 digits: there, quantizing a stored 38-digit total to two
places raises ``InvalidOperation`` and adding two stored numbers may round silently. Every
computation on a stored number runs inside ``exact()``. Pure: imports nothing from dynadmin,
so every layer may use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Context, Decimal, localcontext

from .limits import MAX_NUMBER_DIGITS, MAX_NUMBER_EXPONENT, MIN_NUMBER_EXPONENT

__all__ = ["EXACT_DIGITS", "exact", "is_whole"]

#: Every digit position a stored number can occupy, from 10**125 down to 10**-167 (38 digits
#: whose first is at 10**-130), plus one for a carry: the sum or difference of any two stored
#: numbers, or any of them quantized to a field's places, is exact in this many digits.
EXACT_DIGITS = MAX_NUMBER_EXPONENT - MIN_NUMBER_EXPONENT + MAX_NUMBER_DIGITS + 1

_EXACT = Context(prec=EXACT_DIGITS)


@contextmanager
def exact() -> Iterator[Context]:
    """A decimal context in which no operation on stored numbers rounds or overflows."""
    with localcontext(_EXACT) as context:
        yield context


def is_whole(number: Decimal) -> bool:
    """``number`` has no fraction (``1E+3`` and ``12.00`` are whole), without rounding it."""
    return number.is_finite() and number == number.to_integral_value()
