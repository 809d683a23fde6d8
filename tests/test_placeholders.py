"""Placeholders that pad with a character and case the key (OneTable's ``${id:7:0}``,
ElectroDB's ``padding`` and ``casing``): what they spell, what they read back, what they
refuse, and hypothesis round trips for every key-capable field."""

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dynadmin import Entity, EntityAdmin, Key, Table, fields
from dynadmin.definitions import KeyTemplateError
from tests.support.keys import KEY_CAPABLE, bind, safe_text


class TestPadding:
    def test_a_number_is_padded_at_the_start_as_javascript_pads_it(self):
        key = bind("ORDER#{n:0>7}", n=fields.Integer())
        assert key.format({"n": 42}) == "ORDER#0000042"
        # padStart pads the text, sign included; Python's {n:07d} would write -000005
        assert key.format({"n": -5}) == "ORDER#00000-5"

    def test_a_padded_number_reads_back_as_the_number(self):
        key = bind("ORDER#{n:0>7}", n=fields.Integer())
        assert key.parse("ORDER#0000042") == {"n": 42}
        assert key.parse("ORDER#00000-5") == {"n": -5}
        assert key.parse("ORDER#0000000") == {"n": 0}
        assert key.parse("ORDER#123456789") == {"n": 123456789}

    def test_a_decimal_keeps_its_leading_zero(self):
        key = bind("P#{price:0>6}", price=fields.Number())
        assert key.format({"price": Decimal("0.5")}) == "P#0000.5"
        assert key.parse("P#0000.5") == {"price": Decimal("0.5")}

    def test_any_character_pads_text(self):
        key = bind("CODE#{code:_>6}#{rest}", code=fields.String(), rest=fields.String())
        assert key.format({"code": "ab", "rest": "x"}) == "CODE#____ab#x"
        assert key.parse("CODE#____ab#x") == {"code": "ab", "rest": "x"}

    def test_a_key_shorter_than_the_width_was_not_made_by_the_template(self):
        key = bind("ORDER#{n:0>7}", n=fields.Integer())
        assert key.parse("ORDER#42") is None

    def test_a_text_beginning_with_the_padding_character_is_refused(self):
        key = bind("CODE#{code:0>6}", code=fields.String())
        with pytest.raises(KeyTemplateError, match="begins with the padding character '0'"):
            key.format({"code": "007"})
        # long enough never to be padded: nothing to take off again
        assert key.parse(key.format({"code": "0012345"})) == {"code": "0012345"}

    def test_padding_sorts_numbers_in_a_range(self):
        key = bind("ORDER#{n:0>5}#{id}", n=fields.Integer(), id=fields.String())
        assert key.range_bounds(7, 42) == ("ORDER#00007", "ORDER#00042#\U0010ffff")
        assert key.prefix({"n": 7}) == "ORDER#00007#"


class TestCasing:
    def test_a_lowercased_key_is_spelled_in_lowercase(self):
        key = bind("$app#user_{email:lower}", email=fields.Email())
        assert key.format({"email": "Alice@Example.com"}) == "$app#user_alice@example.com"

    def test_it_reads_back_in_its_own_casing_and_never_reads_capitals(self):
        key = bind("$app#user_{email:lower}", email=fields.Email())
        assert key.parse("$app#user_alice@example.com") == {"email": "alice@example.com"}
        assert key.parse("$app#user_Alice@example.com") is None

    def test_a_choice_reads_back_as_the_choice_it_declares(self):
        key = bind("status_{status:lower}", status=fields.Choice("OPEN", "CLOSED"))
        assert key.format({"status": "OPEN"}) == "status_open"
        assert key.parse("status_closed") == {"status": "CLOSED"}

    def test_upper_and_padding_together(self):
        key = bind("T#{code:0>5:upper}", code=fields.String())
        assert key.format({"code": "ab"}) == "T#000AB"
        assert key.parse("T#000AB") == {"code": "AB"}

    def test_the_field_s_own_format_stays_its_own(self):
        key = bind("DAY#{day:%Y%m%d:lower}", day=fields.Date())
        assert key.placeholders == (("day", "%Y%m%d"),)

    def test_binary_cannot_be_cased(self):
        key = bind("B#{blob:lower}", blob=fields.Binary())
        with pytest.raises(KeyTemplateError, match="base64"):
            key.format({"blob": b"\x00\xff"})

    def test_a_padding_character_the_casing_would_change_is_refused(self):
        with pytest.raises(KeyTemplateError, match="padding character 'x'"):
            bind("T#{code:x>5:upper}", code=fields.String())

    def test_a_binary_placeholder_cased_is_a_system_check_error(self):
        from dynadmin.checks import check_definitions
        from dynadmin.sites import AdminSite

        table = Table("Blobs", pk="pk", sk="sk")

        class Blob(Entity, table=table):
            keys = Key(pk="BLOB#{data:lower}", sk="META")
            data = fields.Binary()

        site = AdminSite(name="cased-binary")
        site.register(Blob, EntityAdmin)
        assert [m.id for m in check_definitions(site=site)] == ["dynadmin.E007"]


# -- property-based round trips ----------------------------------------------------------
CASED = [k for k in KEY_CAPABLE if not isinstance(k[1], fields.Binary)]


def _placeholder(spec: str, extra: str) -> str:
    spec = ":".join(s for s in (spec, extra) if s)
    return "{v:" + spec + "}" if spec else "{v}"


@pytest.mark.parametrize("casing", ["lower", "upper"])
@pytest.mark.parametrize(("label", "fld", "strategy", "spec"), CASED,
                         ids=[k[0] for k in CASED])
def test_a_cased_key_formats_parses_and_formats_the_same(label, fld, strategy, spec, casing):
    templates = [bind(f"p#{_placeholder(spec, casing)}#{{rest}}", v=fld, rest=fields.String()),
                 bind(f"p#{{rest}}#{_placeholder(spec, casing)}", v=fld, rest=fields.String())]

    @given(value=strategy, rest=safe_text)
    def check(value, rest):
        for template in templates:
            try:
                text = template.format({"v": value, "rest": rest})
            except KeyTemplateError:
                assume(False)
            parsed = template.parse(text)
            assert parsed is not None, text
            assert template.format(parsed) == text
            assert parsed["rest"] == rest

    check()


PADDED = [
    ("integer", fields.Integer(), st.integers(-10**12, 10**12)),
    ("number", fields.Number(), st.decimals(allow_nan=False, allow_infinity=False,
                                            min_value=-10**6, max_value=10**6, places=3)),
    ("string", fields.String(), safe_text),
]


@pytest.mark.parametrize(("label", "fld", "strategy"), PADDED, ids=[p[0] for p in PADDED])
def test_a_padded_value_reads_back_as_itself(label, fld, strategy):
    @given(value=strategy, rest=safe_text, fill=st.sampled_from(["0", "_", " ", "x"]),
           width=st.integers(1, 14), casing=st.sampled_from(["", "lower"]))
    def check(value, rest, fill, width, casing):
        spec = f"{fill}>{width}" + (f":{casing}" if casing else "")
        for shape in ("p#{v:%s}#{rest}", "p#{rest}#{v:%s}"):
            template = bind(shape % spec, v=fld, rest=fields.String())
            try:
                text = template.format({"v": value, "rest": rest})
            except KeyTemplateError:
                assume(False)  # a value holding its separator, or beginning with the fill
            parsed = template.parse(text)
            assert parsed is not None, text
            assert template.format(parsed) == text
            expected = value.lower() if casing and isinstance(value, str) else value
            assert parsed["v"] == expected, text

    check()
