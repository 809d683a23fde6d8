"""Importing ElectroDB entity schemas: the project's own published examples (dumped to JSON as
the fixtures' README says) become definitions that spell keys exactly as ElectroDB does."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from dynadmin.importers import ImportFormatError, import_design, render
from dynadmin.importers.checking import load_generated

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMAS = ["electrodb_task_manager.json", "electrodb_library.json",
           "electrodb_attributes_as_indexes.json"]


def schema(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def generated(data, table: str | None = "App"):
    source = render(import_design("electrodb", data, table=table))
    module, problems = load_generated(source)
    return source, module, [p for p in problems if p.is_serious()]


def one_line(source: str) -> str:
    return source.replace("\n    #   ", " ").replace("\n#   ", " ")


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_published_example_becomes_definitions_that_pass_the_checks(name):
    data = schema(name)
    source, module, errors = generated(data)
    compile(source, name, "exec")
    assert errors == []
    entities = [data] if "model" in data else list(data.values())
    assert {a.entity._meta.type_value for a in module.site.admins} == {
        e["model"]["entity"] for e in entities}
    assert module.app.type_attribute == "__edb_e__"


def test_composite_keys_are_spelled_as_electrodb_spells_them():
    _, module, _ = generated(schema("electrodb_task_manager.json"))
    task = module.Task._meta
    # partition: $service#label_value; sort: $entity_version#label_value; all lowercased
    assert (task.primary_key.pk.template, task.primary_key.sk.template) == (
        "$task-manager#taskname_{taskName:lower}",
        "$task_1#project_{project:lower}#employee_{employee:lower}")
    assert task.primary_key.format({"taskName": "Ship It", "project": "Apollo",
                                    "employee": "Ada"}) == {
        "pk": "$task-manager#taskname_ship it", "sk": "$task_1#project_apollo#employee_ada"}
    # an index in a collection puts the collection before the entity
    assigned = task.keys["by_assigned"]
    assert (assigned.index_name, assigned.sk.template) == (
        "gsi3pk-gsi3sk-index", "$assignments#task_1#project_{project:lower}#status_{status}")
    assert task.fields["status"].choices == ("open", "in-progress", "closed")
    assert task.fields["taskName"].required
    assert type(task.fields["points"]).__name__ == "Number"
    # the version attribute ElectroDB checks, with the model's version for new items
    version = task.fields["electrodb_version"]
    assert (version.attribute, version.default) == ("__edb_v__", "1")
    # a partition that is only a Choice (status) is a listing; a free one is a lookup
    admin = module.site._registry[module.Task]
    assert [listing.key for listing in admin.listings] == ["by_statuses"]
    assert [lookup.key for lookup in admin.lookups] == ["by_project", "by_assigned"]


def test_an_empty_sort_composite_is_the_entity_alone():
    _, module, _ = generated(schema("electrodb_library.json"))
    member = module.Member._meta
    assert member.primary_key.sk.template == "$member_1"
    assert module.Book._meta.primary_key.sk.template == "$detail#book_1#bookid_{bookId:lower}"


def test_lowercased_values_are_lowercase_placeholders_but_numbers_and_lowercase_choices_not():
    source, module, _ = generated(schema("electrodb_task_manager.json"))
    assert "not expressible" not in source
    task = module.Task._meta
    # status is a choice of lowercase values: casing never changes it
    assert task.keys["by_statuses"].pk.template.endswith("status_{status}")


def test_templates_labels_renames_padding_and_casing():
    data = schema("electrodb_attributes_as_indexes.json")
    data["attributes"].update({
        "count": {"type": "number", "padding": {"length": 6, "char": "0"}},
        "code": {"type": "string", "padding": {"length": 4, "char": "-"}, "label": "c"},
        "tags": {"type": "set", "items": "number"},
        "displayName": {"type": "string", "field": "dn", "hidden": True, "sparkle": 1},
    })
    data["indexes"]["byCount"] = {
        "index": "gsi1", "collection": ["a", "b"],
        "pk": {"field": "gsi1pk", "composite": ["code"], "casing": "upper"},
        "sk": {"field": "gsi1sk", "composite": ["count"], "casing": "none"},
    }
    source, module, errors = generated(data)
    assert errors == []
    meta = module.YourEntityName._meta
    # a template is spelled as written, but still lowercased (casing defaults to lower)
    assert meta.primary_key.pk.template == "prefix_{accountId:lower}_postfix"
    key = meta.keys["by_byCount"]
    # padding with any character, then the key's casing; a number is padded as text
    assert (key.pk.template, key.sk.template) == (
        "$YOUR_SERVICE_NAME#C_{code:->4:upper}", "$a#b#your_entity_name_1#count_{count:0>6}")
    assert key.format({"code": "ab", "count": -5}) == {
        "gsi1pk": "$YOUR_SERVICE_NAME#C_--AB", "gsi1sk": "$a#b#your_entity_name_1#count_0000-5"}
    assert type(meta.fields["count"]).__name__ == "Number"
    assert type(meta.fields["tags"]).__name__ == "NumberSet"
    assert meta.fields["displayName"].attribute == "dn"
    text = one_line(source)
    assert "not expressible" not in text
    assert "# note: displayName is hidden (ElectroDB leaves it out of results)." in text
    assert "# note: ignored on displayName: sparkle (not understood)." in text


def test_a_number_cast_key_is_a_number_key():
    data = schema("electrodb_attributes_as_indexes.json")
    data["attributes"]["n"] = {"type": "number"}
    data["indexes"]["numbers"] = {"index": "gsi9", "pk": {"field": "g9", "composite": ["n"],
                                                          "cast": "number"}}
    _, module, errors = generated(data)
    assert errors == []
    assert module.YourEntityName._meta.keys["by_numbers"].pk.template == "{n}"
    assert module.app.key_types == {"g9": "N"}


def test_a_service_as_a_list_and_a_missing_table_name():
    data = schema("electrodb_task_manager.json")
    source, module, errors = generated(list(data.values()), table=None)
    assert errors == []
    assert "# guess: ElectroDB schemas do not name their table" in one_line(source)
    assert module.electrodb.name == "ElectroDB"


def test_unknown_keys_are_noted():
    data = copy.deepcopy(schema("electrodb_attributes_as_indexes.json"))
    data["sparkle"] = True
    data["indexes"]["your_access_pattern_name"]["glitter"] = 1
    source, _, errors = generated(data)
    assert errors == []
    assert "# note: ignored in your_entity_name: sparkle (not understood)." in source
    assert "# note: ignored on index your_access_pattern_name: glitter" in source


@pytest.mark.parametrize("name", ["onetable_overview.json", "workbench_recurring_payments.json"])
def test_another_format_is_refused_naming_what_was_expected(name):
    with pytest.raises(ImportFormatError, match='expected ElectroDB entity schemas: an object '
                                                'with "model", "attributes" and "indexes", or '
                                                "a service's map of such objects; found an "
                                                "object with"):
        import_design("electrodb", schema(name))


def test_an_attribute_default_becomes_the_field_default():
    _, module, errors = generated(schema("electrodb_task_manager.json"))
    assert errors == []
    assert module.Task._meta.fields["status"].default == "open"


def test_a_default_that_is_none_of_the_choices_is_left_out_with_a_note():
    data = schema("electrodb_task_manager.json")
    data["task"]["attributes"]["status"]["default"] = "archived"
    source, module, errors = generated(data)
    assert errors == []
    assert module.Task._meta.fields["status"].default is None
    assert "# note: status defaults to 'archived' in ElectroDB, which its field cannot hold" \
        in one_line(source)
