"""Importing dynamodb-onetable schemas: the project's own published schemas (dumped to JSON
as the README says) become definitions that pass dynadmin's checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from dynadmin.importers import ImportFormatError, import_design, render
from dynadmin.importers.checking import load_generated

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMAS = ["onetable_overview.json", "onetable_sensedeep.json",
           "onetable_local_indexes.json", "onetable_spec_example.json"]


def schema(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def generated(data: dict, table: str | None = "App"):
    source = render(import_design("onetable", data, table=table))
    module, problems = load_generated(source)
    return source, module, [p for p in problems if p.is_serious()]


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_published_schema_becomes_definitions_that_pass_the_checks(name):
    source, module, errors = generated(schema(name))
    compile(source, name, "exec")
    assert errors == []
    mine = {a.entity._meta.type_value for a in module.site.admins if not a.internal}
    assert mine == set(schema(name)["models"])
    # OneTable's own items in the table, declared so that they are claimed, never written
    assert {a.entity._meta.type_value for a in module.site.admins if a.internal} == {
        "_Schema", "_Migration", "_Unique"}
    assert module.app.type_attribute == "_type"


def test_value_templates_become_key_templates():
    _, module, _ = generated(schema("onetable_overview.json"))
    user = module.User._meta
    assert (user.primary_key.pk.template, user.primary_key.sk.template) == (
        "account#{accountId}", "user#{email}")
    assert (user.keys["by_gs1"].index_name, user.keys["by_gs1"].sk.template) == (
        "gs1", "user#{name}#{id}")
    assert user.fields["role"].choices == ("admin", "user")
    assert user.fields["name"].required
    # a constant index partition is a listing: every user, by name
    assert [listing.key for listing in module.site._registry[module.User].listings] == [
        "by_gs1"]
    # params.timestamps: OneTable writes created and updated (ISO strings: isoDates)
    assert type(user.fields["created"]).__name__ == "DateTime"


def test_the_type_field_in_a_template_is_the_model_name_and_local_indexes_are_keys():
    _, module, _ = generated(schema("onetable_local_indexes.json"))
    user = module.User._meta
    assert user.primary_key.pk.template == "User#"
    assert user.keys["by_ls1"].sk.template == "User#{name}"
    assert module.app.index("ls1").local


def test_what_the_template_language_cannot_say_is_a_comment():
    data = schema("onetable_overview.json")
    invoice = data["models"]["Invoice"]
    invoice["sk"]["value"] = "invoice#${count:8}#${product:12:_}"
    invoice["expires"] = {"type": "number", "ttl": True}
    invoice["secret"] = {"type": "string", "hidden": True, "sparkle": 1}
    invoice["packed"] = {"type": "string", "map": "data.packed"}
    source, module, errors = generated(data)
    assert errors == []
    key = module.Invoice._meta.primary_key.sk
    # ${name:size:pad} pads at the start with pad, "0" by default, numbers and text alike
    assert key.template == "invoice#{count:0>8}#{product:_>12}"
    assert key.format({"count": 42, "product": "pen"}) == "invoice#00000042#_________pen"
    assert key.parse("invoice#00000042#_________pen") == {"count": 42, "product": "pen"}
    assert "pads" not in source
    assert type(module.Invoice._meta.fields["expires"]).__name__ == "TTL"
    assert module.app.ttl_attribute == "expires"
    assert "# note: secret is hidden (OneTable leaves it out of results)." in source
    assert "# note: ignored on secret: sparkle (not understood)." in source
    assert "packed" not in module.Invoice._meta.fields
    assert "not expressible: OneTable packs packed into 'data.packed'" in source


def test_adjacent_placeholders_are_flagged_as_a_guess():
    source, _, _ = generated(schema("onetable_overview.json"))
    assert "# guess: 'account#${name}${id}' has nothing between two placeholders" in source


def test_a_custom_type_field_and_a_missing_table_name():
    data = copy.deepcopy(schema("onetable_spec_example.json"))
    data["params"]["typeField"] = "kind"
    data["models"]["Post"]["mood"] = {}
    source, module, errors = generated(data, table=None)
    assert errors == []
    assert module.onetable.type_attribute == "kind"
    assert "# guess: a OneTable schema does not name its table; pass --table" in source
    # a field without a type is text, and says so
    assert "# guess: mood has no type; taken as text." in source


def test_a_template_variable_that_is_no_field_is_key_only_but_fields_stay_stored():
    data = copy.deepcopy(schema("onetable_overview.json"))
    data["models"]["Invoice"]["sk"]["value"] = "invoice#${region}#${id}"
    source, module, errors = generated(data)
    assert errors == []
    fields = module.Invoice._meta.fields
    # OneTable writes only a model's fields: ${region} fills the key and is stored nowhere
    assert fields["region"].key_only
    assert "OneTable never stores it: key-only" in source.replace("\n    #   ", " ")
    # a declared field used in a key is also an attribute of the item
    assert not fields["id"].key_only


def test_unknown_top_level_keys_are_noted():
    data = schema("onetable_local_indexes.json")
    data["sparkle"] = True
    source, _, _ = generated(data)
    assert "# note: ignored in the schema: sparkle (not understood)." in source


@pytest.mark.parametrize("name", ["workbench_recurring_payments.json"])
def test_a_workbench_model_is_refused_naming_what_was_expected(name):
    data = json.loads((FIXTURES / name).read_text())
    with pytest.raises(ImportFormatError, match='expected a OneTable schema: a JSON object '
                                                'with "indexes" \\(holding "primary"\\) and '
                                                '"models"; found an object with DataModel'):
        import_design("onetable", data)


def test_defaults_become_field_defaults_the_create_form_starts_with():
    _, module, errors = generated(schema("onetable_overview.json"))
    assert errors == []
    fields = module.User._meta.fields
    assert (fields["role"].default, fields["status"].default) == ("user", "active")
    assert fields["balance"].default == 0 and fields["address"].default == {}
    assert module.Account._meta.fields["balance"].default == 0


def test_what_onetable_enforces_and_dynadmin_does_not_is_a_note_beside_the_field():
    source, _, _ = generated(schema("onetable_overview.json"))
    text = source.replace("\n    #   ", " ")
    assert ("# note: OneTable generates id (ulid) when it creates an item; dynadmin does not: "
            "type a ULID in when you create one here.") in text
    assert "# note: OneTable encrypts email (crypt); dynadmin shows and writes the stored " \
           "ciphertext" in text
    assert "# note: name is unique in OneTable, which keeps a _unique item per value" in text
    assert ("# note: OneTable validates id against '/^[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$/'; "
            "dynadmin does not check it.") in text


def test_a_nested_schema_keeps_its_sub_fields():
    data = schema("onetable_overview.json")
    address = data["models"]["User"]["address"]
    address["schema"]["geo"] = {"type": "object", "required": True,
                                "schema": {"lat": {"type": "number"}}}
    data["models"]["User"]["lines"] = {"type": "array", "items": {
        "type": "object", "schema": {"sku": {"type": "string", "required": True}}}}
    source, module, errors = generated(data)
    assert errors == []
    text = source.replace("\n    #   ", " ")
    assert ("# note: address holds declared fields: street (string), city (string), zip "
            "(string), geo (object, required) {lat (number)}; dynadmin edits the whole value "
            "as JSON and does not check them.") in text
    assert "# note: each item of lines holds declared fields: sku (string, required);" in text
    assert type(module.User._meta.fields["address"]).__name__ == "Map"


def nested(depth: int) -> list:
    value: list = ["deep"]
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("name, default", [("balance", float("inf")), ("balance", "x"),
                                           ("balance", True), ("role", "guest"),
                                           ("address", {"a": nested(40)})])
def test_a_default_the_field_cannot_hold_is_left_out_with_a_note(name, default):
    data = schema("onetable_overview.json")
    data["models"]["User"][name]["default"] = default
    source, module, errors = generated(data)
    assert errors == []
    assert module.User._meta.fields[name].default is None
    assert f"# note: {name} " in source


def test_a_default_computed_by_a_function_is_a_note_not_a_value():
    data = schema("onetable_overview.json")
    # what the README's dump writes for `default: () => new Date().toISOString()`
    data["models"]["User"]["role"] = {"type": "string", "default": "default"}
    source, module, errors = generated(data)
    assert errors == []
    assert module.User._meta.fields["role"].default is None
    assert ("# note: OneTable computes role's default with a function the JSON does not "
            "carry; dynadmin leaves it empty.") in source.replace("\n    #   ", " ")
