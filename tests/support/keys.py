"""Key templates bound to fields as an entity binds them, and a hypothesis strategy for the
values of every key-capable field type (what the round-trip properties draw from)."""

import datetime as dt

from hypothesis import strategies as st

from dynadmin import fields
from dynadmin.definitions import KeyTemplate


def bind(template: str, **field_map) -> KeyTemplate:
    key = KeyTemplate(template)
    for name, fld in field_map.items():
        fld.name = name
    key.bind(field_map)
    return key


safe_text = st.text(min_size=1, max_size=30).filter(lambda s: "#" not in s)
emails = st.from_regex(r"[a-z0-9._%+-]{1,20}@[a-z0-9-]{1,20}\.[a-z]{2,6}", fullmatch=True)
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: d.is_zero() or (len("".join(map(str, d.as_tuple().digits)).strip("0")) <= 38
                              and -130 <= d.adjusted() <= 125))
aware_datetimes = st.datetimes(
    min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2999, 12, 31),
    timezones=st.just(dt.UTC))

KEY_CAPABLE = [
    ("string", fields.String(), safe_text, ""),
    ("email", fields.Email(), emails, ""),
    ("choice", fields.Choice("PENDING", "PAID", "SHIPPED"),
     st.sampled_from(["PENDING", "PAID", "SHIPPED"]), ""),
    ("number", fields.Number(), decimals, ""),
    ("integer", fields.Integer(), st.integers(-10**30, 10**30), ""),
    ("padded integer", fields.Integer(), st.integers(0, 10**12), "012d"),
    ("boolean", fields.Boolean(), st.booleans(), ""),
    ("binary", fields.Binary(), st.binary(min_size=1, max_size=64), ""),
    ("date", fields.Date(), st.dates(), ""),
    ("formatted date", fields.Date(), st.dates(min_value=dt.date(1000, 1, 1)), "%Y%m%d"),
    ("datetime", fields.DateTime(), aware_datetimes, ""),
    ("formatted datetime", fields.DateTime(), aware_datetimes.map(
        lambda d: d.replace(microsecond=0)), "%Y-%m-%dT%H:%M:%S"),
]
