"""dynadmin.data.conditions: one condition object, rendered for DynamoDB and for people."""

from decimal import Decimal

import pytest

from dynadmin.data.conditions import (
    And,
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Between,
    Contains,
    Equals,
    GreaterThan,
    Not,
    NotEquals,
    Or,
    Placeholders,
    all_of,
    render_text,
)


def rendered(condition):
    placeholders = Placeholders()
    expression = placeholders.render(condition)
    return expression, placeholders.names, placeholders.values


def resolve(expression, names, values):
    """The expression with every placeholder replaced, by tokens (never by substring)."""
    import re

    def swap(match):
        token = match.group(0)
        if token in names:
            return names[token]
        return repr(values[token])

    return re.sub(r"[#:][a-z]\d+", swap, expression)


def test_a_guard_is_sent_with_placeholders_and_audited_as_text():
    guard = Equals("version", 3) & AttributeExists("PK")
    expression, names, values = rendered(guard)
    assert expression == "#n0 = :v0 AND attribute_exists(#n1)"
    assert names == {"#n0": "version", "#n1": "PK"}
    assert values == {":v0": {"N": "3"}}
    assert render_text(guard) == "version = 3 AND attribute_exists(PK)"


def test_the_same_attribute_gets_one_placeholder():
    expression, names, _ = rendered(AttributeNotExists("ttl") | GreaterThan("ttl", 5))
    assert expression == "attribute_not_exists(#n0) OR #n0 > :v0"
    assert names == {"#n0": "ttl"}


def test_twelve_names_never_collide():
    # #n1 is a prefix of #n10 and #n11: a renderer that renamed by text would corrupt them.
    attributes = [f"attr{i}" for i in range(12)]
    condition = all_of(Equals(name, i) for i, name in enumerate(attributes))
    expression, names, values = rendered(condition)
    assert sorted(names.values()) == sorted(attributes)
    assert len(values) == 12
    assert resolve(expression, names, values) == " AND ".join(
        f"{name} = {{'N': '{i}'}}" for i, name in enumerate(attributes))
    # Every value placeholder appears exactly once, as a whole token.
    for placeholder in values:
        assert expression.split().count(placeholder) == 1


def test_several_expressions_of_one_request_share_the_placeholders():
    placeholders = Placeholders()
    key = placeholders.render(Equals("PK", "USER#1") & BeginsWith("SK", "ORDER#"))
    filter_ = placeholders.render(Equals("PK", "x") | Contains("tags", "red"))
    assert key == "#n0 = :v0 AND begins_with(#n1, :v1)"
    assert filter_ == "#n0 = :v2 OR contains(#n2, :v3)"
    assert placeholders.apply({}) == {
        "ExpressionAttributeNames": {"#n0": "PK", "#n1": "SK", "#n2": "tags"},
        "ExpressionAttributeValues": {":v0": {"S": "USER#1"}, ":v1": {"S": "ORDER#"},
                                      ":v2": {"S": "x"}, ":v3": {"S": "red"}},
    }


@pytest.mark.parametrize("name", ["a.b", "items[0]", "x.y[1].z"])
def test_dots_and_brackets_are_plain_names_never_paths(name):
    expression, names, _ = rendered(Equals(name, "v"))
    assert expression == "#n0 = :v0"
    assert names == {"#n0": name}
    assert render_text(Equals(name, "v")) == f'{name} = "v"'


def test_combinations_are_bracketed_and_flattened():
    condition = (AttributeNotExists("ttl") | ~AttributeType("ttl", "N")
                 | GreaterThan("ttl", Decimal(1700000000)))
    assert isinstance(condition, Or) and len(condition.parts) == 3
    assert render_text(condition) == (
        'attribute_not_exists(ttl) OR (NOT attribute_type(ttl, "N")) OR ttl > 1700000000')
    nested = And(Equals("a", 1), Or(Equals("b", 2), NotEquals("c", 3)))
    assert render_text(nested) == "a = 1 AND (b = 2 OR c <> 3)"
    assert render_text(Not(nested)) == "NOT (a = 1 AND (b = 2 OR c <> 3))"


def test_between_and_text_values_are_exact():
    condition = Between("SK", "A", "M")
    assert rendered(condition)[0] == "#n0 BETWEEN :v0 AND :v1"
    assert render_text(condition) == 'SK BETWEEN "A" AND "M"'
    assert render_text(Equals("price", Decimal("0.100000000000000000000000000000000001"))) == (
        "price = 0.100000000000000000000000000000000001")


def test_raw_text_is_never_a_condition():
    with pytest.raises(TypeError):
        Placeholders().render("attribute_exists(PK)")
    with pytest.raises(TypeError):
        And(Equals("a", 1), "b = 2")
