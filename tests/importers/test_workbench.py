"""Importing NoSQL Workbench models: real models published by AWS become definitions that
pass dynadmin's checks, and their sample items, loaded into DynamoDB Local, are each
classified to the facet they came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import override_settings

from dynadmin.importers import ImportFormatError, import_design, render
from dynadmin.importers.checking import load_generated
from tests.conftest import physical_table

FIXTURES = Path(__file__).parent / "fixtures"
MODELS = ["workbench_recurring_payments.json", "workbench_game_player_profiles.json",
          "workbench_connected_vehicles.json"]
#: published models whose tables hold sample items but no facets
WITHOUT_FACETS = ["workbench_chat_system.json", "workbench_complaint_management.json",
                  "workbench_session_management.json", "workbench_social_network.json"]


def model(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def generated(name: str):
    return generated_from(model(name))


def generated_from(data: dict):
    source = render(import_design("workbench", data))
    module, problems = load_generated(source)
    return source, module, problems


@pytest.mark.parametrize("name", MODELS)
def test_each_published_model_becomes_definitions_that_pass_the_checks(name):
    source, module, problems = generated(name)
    compile(source, name, "exec")
    assert [p for p in problems if p.is_serious()] == []
    facets = {f["FacetName"] for t in model(name)["DataModel"] for f in t["TableFacets"]}
    # one entity per facet, or per shape of key a facet shows (VehicleMeta)
    names = {a.entity._meta.name for a in module.site.admins}
    assert {next(f for f in facets if n.startswith(f)) for n in names} == facets


def test_templates_come_from_the_sample_items_and_the_aliases():
    _, module, _ = generated("workbench_recurring_payments.json")
    subscription = module.Subscription._meta
    assert subscription.primary_key.pk.template == "ACC#{AccountId}"
    assert subscription.primary_key.sk.template == "SUB#{SubId}#SKU#{SKU}"
    # SKU is an attribute of every sample item; SubId is only the alias's name for a segment
    assert subscription.fields["SKU"].attribute == "SKU"
    reminders = subscription.keys["by_gsi_1"]
    assert (reminders.index_name, reminders.pk.template) == ("GSI-1", "{NextReminderDate}")
    assert type(module.Receipts._meta.fields["TTL"]).__name__ == "TTL"
    assert module.reoccuringpayments.ttl_attribute == "TTL"


def test_every_guess_is_a_comment_next_to_it():
    source, _, _ = generated("workbench_recurring_payments.json")
    assert "# guess: {SubId} is SK's segment 2 (e.g. '123')" in source
    assert "# guess: AccountId lives only in PK" in source
    assert "# note: GSI-1 projects INCLUDE (SK, PK, SKU, Email, NextPaymentDate)" in source
    assert "# guess: TTL (a number named like a TTL) is the TTL attribute." in source


def test_a_segment_no_sample_item_stores_is_key_only_and_never_written():
    _, module, _ = generated("workbench_recurring_payments.json")
    fields = module.Subscription._meta.fields
    assert fields["AccountId"].key_only and fields["SubId"].key_only
    assert not fields["SKU"].key_only  # an attribute of every sample item
    item = module.Subscription.build_item({"AccountId": "76584123", "SubId": "123",
                                           "SKU": "NFLX"})
    assert (item["PK"], item["SK"]) == ("ACC#76584123", "SUB#123#SKU#NFLX")
    assert "AccountId" not in item and "SubId" not in item


def test_without_sample_items_an_alias_segment_is_not_assumed_key_only():
    data = model("workbench_recurring_payments.json")
    facet = data["DataModel"][0]["TableFacets"][0]
    facet["TableData"] = []
    facet["KeyAttributeAlias"] = {"PartitionKeyAlias": "ACC#AccountId",
                                  "SortKeyAlias": "SUB#SubId"}
    source, module, problems = generated_from(data)
    assert [p for p in problems if p.is_serious()] == []
    assert not module.Subscription._meta.fields["AccountId"].key_only
    assert "no sample item shows whether it is stored as well" in source.replace("\n    #   ", " ")


def test_an_attribute_naming_each_facet_becomes_the_type_attribute():
    _, module, _ = generated("workbench_game_player_profiles.json")
    assert module.game_player_profiles.type_attribute == "Type"
    assert module.Items._meta.type_value == "Item"
    # the partition's value repeated in the sort key is the same placeholder
    assert module.Metadata._meta.primary_key.sk.template == "#METADATA#{playerID}"


def test_a_gsi_without_sort_key_and_numeric_keys():
    data = model("workbench_recurring_payments.json")
    table = data["DataModel"][0]
    table["GlobalSecondaryIndexes"].append({
        "IndexName": "ByAmount", "Projection": {"ProjectionType": "KEYS_ONLY"},
        "KeyAttributes": {"PartitionKey": {"AttributeName": "Amount", "AttributeType": "N"}}})
    facet = table["TableFacets"][0]
    facet["TableData"][0]["Amount"] = {"N": "1299"}
    module, problems = load_generated(render(import_design("workbench", data)))
    assert [p for p in problems if p.is_serious()] == []
    key = module.Subscription._meta.keys["by_byamount"]
    assert (key.pk.template, key.sk) == ("{Amount}", None)
    assert type(module.Subscription._meta.fields["Amount"]).__name__ == "Integer"
    assert module.reoccuringpayments.index("ByAmount").pk_type == "N"


def test_unknown_keys_are_ignored_with_a_note():
    data = model("workbench_recurring_payments.json")
    data["Colour"] = "blue"
    data["DataModel"][0]["TableFacets"][0]["Whatever"] = 1
    source = render(import_design("workbench", data))
    assert "# note: ignored in the model: Colour (not understood)." in source
    assert "# note: ignored in facet Subscription: Whatever (not understood)." in source


@pytest.mark.parametrize("data", [{"models": {}}, [], "text"])
def test_a_file_of_another_format_is_refused_naming_what_was_expected(data):
    with pytest.raises(ImportFormatError, match="expected a NoSQL Workbench model"):
        import_design("workbench", data)


@pytest.mark.parametrize("name", MODELS)
def test_sample_items_in_dynamodb_local_are_classified_to_their_facet(name, dynamodb_endpoint):
    _, module, _ = generated(name)
    (table,) = module.site.tables.values()
    expected = {}
    for facet in model(name)["DataModel"][0]["TableFacets"]:
        for sample in facet["TableData"]:
            item = loadable(sample)
            expected[(item[table.pk], item[table.sk])] = facet["FacetName"]
    found = classified_after_loading(table, [loadable(s) for t in model(name)["DataModel"]
                                             for f in t["TableFacets"] for s in f["TableData"]])
    # a facet showing several shapes of key becomes one entity per shape (VehicleMeta)
    assert set(found) == set(expected)
    assert {k: v for k, v in found.items() if not v or not v.startswith(expected[k])} == {}


def classified_after_loading(table, items: list[dict]) -> dict:
    """Each item's key → the entity it is classified as, once loaded into DynamoDB Local and
    read back by querying each partition."""
    from dynadmin.data import load_items_unconditionally, query

    found = {}
    with physical_table(table) as names, override_settings(DYNADMIN_TABLE_NAMES=names):
        load_items_unconditionally(table, items)
        for partition in sorted({item[table.pk] for item in items}):
            for item in query(table.primary, partition, limit=100, consistent=True).items:
                entity = table.classify(item)
                found[(item[table.pk], item[table.sk])] = entity and entity._meta.name
    return found


def loadable(sample: dict) -> dict:
    """A sample item as DynamoDB takes it. Some published samples nest plain JSON inside a
    map ({"M": {"is_enabled": true}}), which Workbench shows but DynamoDB refuses: those
    attributes are left out (keys are always well-formed)."""
    from dynadmin.data.serialization import deserialize

    item = {}
    for name, value in sample.items():
        try:
            item[name] = deserialize(value)
        except (AttributeError, ValueError, TypeError):
            continue
    return item


@pytest.mark.parametrize("name", WITHOUT_FACETS)
def test_a_table_without_facets_gets_an_entity_per_kind_of_key(name):
    source, module, problems = generated(name)
    assert [p for p in problems if p.is_serious()] == []
    assert "# guess: the table has no facets; this entity is the" in source
    (table,) = module.site.tables.values()
    # every sample item belongs to exactly the entity made for its kind of key
    for sample in model(name)["DataModel"][0]["TableData"]:
        item = loadable(sample)
        assert table.classify(item) is not None, item


def test_items_are_grouped_by_the_labels_their_keys_begin_with():
    _, module, _ = generated("workbench_chat_system.json")
    user, room = module.User._meta, module.RoomMeta._meta
    assert (user.primary_key.pk.template, room.primary_key.pk.template) == (
        "User:{PK_1}", "Room:{PK_1}")
    # a key every item of the group spells alike is literal; a label seen once is a value
    assert room.primary_key.sk.template == "meta"
    _, module, _ = generated("workbench_social_network.json")
    templates = {a.entity.__name__: (a.entity._meta.primary_key.pk.template,
                                     a.entity._meta.primary_key.sk.template)
                 for a in module.site.admins}
    # a label further in splits a group only when it recurs (follower, following)
    assert templates["UFollower"] == ("u#{PK_1}#follower", "u#{SK_1}")
    assert templates["UFollowing"] == ("u#{PK_1}#following", "u#{SK_1}")
    assert templates["UInfo"] == ("u#{PK_1}", '"info"')
    assert len(templates) == 8


def test_a_model_schema_block_is_read_as_the_onetable_schema_it_is():
    schema = json.loads((FIXTURES / "onetable_overview.json").read_text())
    data = {"ModelName": "With schema", "ModelSchema": schema, "DataModel": [{
        "TableName": "Overview",
        "KeyAttributes": {"PartitionKey": {"AttributeName": "pk", "AttributeType": "S"},
                          "SortKey": {"AttributeName": "sk", "AttributeType": "S"}},
        "TableData": [{"pk": {"S": "account#a1"}, "sk": {"S": "account#"}}]}]}
    source, module, problems = generated_from(data)
    assert [p for p in problems if p.is_serious()] == []
    # OneTable's own templates, not guesses from the sample item
    assert module.Account._meta.primary_key.pk.template == "account#{id}"
    mine = {a.entity._meta.type_value for a in module.site.admins if not a.internal}
    assert mine == set(schema["models"])
    assert {a.entity._meta.type_value for a in module.site.admins if a.internal} == {
        "_Schema", "_Migration", "_Unique"}  # OneTable's own items, as a OneTable import has
    assert module.overview.type_attribute == "_type"
    assert "come from the model's ModelSchema" in source.replace("\n#   ", " ")


def test_a_model_schema_of_no_table_here_is_ignored_with_a_note():
    data = model("workbench_recurring_payments.json")
    data["ModelSchema"] = {"indexes": {"primary": {"hash": "elsewhere"}}, "models": {}}
    source, module, problems = generated_from(data)
    assert [p for p in problems if p.is_serious()] == []
    assert "note: ignored the model's ModelSchema" in source
    assert hasattr(module, "Subscription")


@pytest.mark.parametrize("name", WITHOUT_FACETS)
def test_items_of_a_table_without_facets_are_classified_from_dynamodb_local(
        name, dynamodb_endpoint):
    _, module, _ = generated(name)
    (table,) = module.site.tables.values()
    items = [loadable(s) for s in model(name)["DataModel"][0]["TableData"]]
    expected = {(i[table.pk], i[table.sk]): table.classify(i)._meta.name for i in items}
    found = classified_after_loading(table, items)
    assert found == expected
    # each entity the import made holds some of the samples
    assert set(found.values()) == {a.entity._meta.name for a in module.site.admins}


def hospital(schema_inside: bool = True) -> dict:
    """OneTable's Workbench export: the table's ModelSchema inside its DataModel entry, and
    sample items carrying OneTable's type field (``type``)."""
    data = model("workbench_hospital_onetable.json")
    if not schema_inside:
        del data["DataModel"][0]["ModelSchema"]
    return data


def test_a_model_schema_inside_a_table_is_read_as_the_onetable_schema_it_is():
    source, module, problems = generated_from(hospital())
    assert [p for p in problems if p.is_serious()] == []
    assert "(not understood)" not in source
    assert "come from table data's ModelSchema" in source.replace("\n#   ", " ")
    mine = {a.entity._meta.type_value for a in module.site.admins if not a.internal}
    assert mine == set(hospital()["DataModel"][0]["ModelSchema"]["models"])
    appointment = module.Appointment._meta
    assert (appointment.primary_key.pk.template, appointment.primary_key.sk.template) == (
        "patient#{patientId}", "appointment#{date}#{id}")
    assert module.data.type_attribute == "type"


def test_without_facets_an_item_type_attribute_tells_the_entities_apart():
    data = hospital(schema_inside=False)
    for row in data["DataModel"][0]["TableData"]:
        # keys that say nothing of the kind of item: only the type attribute does
        row["PK"], row["SK"] = {"S": "HOSPITAL#1"}, {"S": row["id"]["S"]}
    source, module, problems = generated_from(data)
    assert [p for p in problems if p.is_serious()] == []
    (table,) = module.site.tables.values()
    assert table.type_attribute == "type"
    types = {row["type"]["S"] for row in data["DataModel"][0]["TableData"]}
    assert {a.entity._meta.type_value for a in module.site.admins} == types
    assert {a.entity.__name__ for a in module.site.admins} == {t.capitalize() for t in types}
    for row in data["DataModel"][0]["TableData"]:
        assert table.classify(loadable(row))._meta.type_value == row["type"]["S"]


def test_a_key_segment_that_is_the_type_value_stays_literal_text():
    _, module, problems = generated_from(hospital(schema_inside=False))
    assert [p for p in problems if p.is_serious()] == []
    patient = module.Patient._meta
    # patient#p11 matched the item's type ("patient"): the type value, never a field
    assert (patient.primary_key.pk.template, patient.primary_key.sk.template) == (
        "patient#{id}", "patient#")


def test_a_key_segment_holding_an_attributes_value_does_not_name_an_entity():
    source, module, problems = generated("workbench_shopping_cart.json")
    assert [p for p in problems if p.is_serious()] == []
    # Liz#... and Chad#... are customers, Active and Shipped statuses: one kind of cart item
    (entity,) = [a.entity for a in module.site.admins]
    assert (entity._meta.primary_key.pk.template, entity._meta.primary_key.sk.template) == (
        "{customer}", "{status}#{sku}")
    assert "Liz" not in entity.__name__ and "Shipped" not in entity.__name__


def test_a_template_fitted_to_a_single_sample_item_is_a_guess():
    source, _, _ = generated("workbench_recurring_payments.json")
    text = source.replace("\n    #   ", " ")
    assert ("# guess: SK's template is fitted to a single sample item ('SUB#123#SKU#999'); "
            "other items may spell it otherwise.") in text


def test_entities_that_cannot_be_told_apart_come_with_the_attribute_that_would(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    err = StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("dynadmin_import", "--format", "workbench",
                     str(FIXTURES / "workbench_flights_fares.json"), stdout=StringIO(),
                     stderr=err)
    lines = err.getvalue().splitlines()
    assert any(line.startswith("dynadmin.E004") for line in lines)
    hint = next(line for line in lines if line.startswith("hint: "))
    assert hint.startswith("hint: table Flights: no attribute holds one value per entity, but "
                           "recordType differs between 3 of the 3 entities (Flight: FLIGHT, "
                           "FLIGHT-CODESHARE; ")
    assert "Table(type_attribute='recordType')" in hint


def mapped_model(sort_key_map=None, partition_key_map=None, gsi_sort_key_map=None,
                 sort_keys=("ORDER#o1",)) -> dict:
    """A small model whose key attributes may carry a MapFunction, as some exports write.

    Its sample items hold no OrderId attribute, so the samples alone cannot tell that the
    sort key's segment is the OrderId the model declares."""
    def key(name, mapped):
        return {"AttributeName": name, "AttributeType": "S",
                **({"MapFunction": mapped} if mapped is not None else {})}

    items = [{"PK": {"S": "CUST#c1"}, "SK": {"S": sk}, "CustomerId": {"S": "c1"},
              "OrderDate": {"S": "2024-01-0" + str(n + 1)}, "Status": {"S": "open"},
              "GSI1PK": {"S": "STATUS#open"}, "GSI1SK": {"S": f"2024-01-0{n + 1}#o{n + 1}"}}
             for n, sk in enumerate(sort_keys)]
    return {"ModelName": "Orders", "DataModel": [{
        "TableName": "Orders",
        "KeyAttributes": {"PartitionKey": key("PK", partition_key_map),
                          "SortKey": key("SK", sort_key_map)},
        "NonKeyAttributes": [{"AttributeName": a, "AttributeType": "S"}
                             for a in ("CustomerId", "OrderDate", "Status", "GSI1PK", "GSI1SK")],
        "GlobalSecondaryIndexes": [{
            "IndexName": "GSI1", "Projection": {"ProjectionType": "ALL"},
            "KeyAttributes": {"PartitionKey": key("GSI1PK", None),
                              "SortKey": key("GSI1SK", gsi_sort_key_map)}}],
        "TableFacets": [{"FacetName": "Order", "KeyAttributeAlias": {
            "PartitionKeyAlias": "CustomerId", "SortKeyAlias": "SK"},
            "NonKeyAttributes": ["CustomerId", "OrderId", "OrderDate", "Status"],
            "TableData": items}]}]}


def test_a_map_function_template_is_the_keys_template_over_the_samples():
    source, module, problems = generated_from(mapped_model(
        sort_key_map="ORDER#${OrderId}", partition_key_map="CUST#{CustomerId}"))
    assert [p for p in problems if p.is_serious()] == []
    key = module.Order._meta.primary_key
    assert (key.pk.template, key.sk.template) == ("CUST#{CustomerId}", "ORDER#{OrderId}")
    text = source.replace("\n    #   ", " ")
    assert ("# note: SK's template is the model's MapFunction ('ORDER#{OrderId}'), not "
            "inferred from the sample items.") in text
    assert "does not fit" not in text  # every sample fits it
    item = module.Order.build_item({"CustomerId": "c9", "OrderId": "o9"})
    assert (item["PK"], item["SK"]) == ("CUST#c9", "ORDER#o9")


def test_a_sample_the_map_function_does_not_parse_is_a_guess_naming_it():
    source, module, problems = generated_from(mapped_model(
        sort_key_map="ORDER#${OrderId}", sort_keys=("ORDER#o1", "ORDER#o2", "INVOICE-7")))
    assert [p for p in problems if p.is_serious()] == []
    assert module.Order._meta.primary_key.sk.template == "ORDER#{OrderId}"
    text = source.replace("\n    #   ", " ")
    assert ("# guess: sample item SK 'INVOICE-7' does not fit the MapFunction "
            "'ORDER#{OrderId}'; check which of the two your items follow.") in text


def test_a_gsi_key_map_function_is_that_index_keys_template():
    source, module, problems = generated_from(mapped_model(
        gsi_sort_key_map="${OrderDate}#${OrderId}"))
    assert [p for p in problems if p.is_serious()] == []
    key = module.Order._meta.keys["by_gsi1"]
    assert (key.index_name, key.sk.template) == ("GSI1", "{OrderDate}#{OrderId}")
    assert "# note: GSI1SK's template is the model's MapFunction" in source


@pytest.mark.parametrize("mapped", [
    {"Type": "concat", "Args": ["ORDER#", {"Attribute": "OrderId"}]},
    "ORDER#${Nowhere}",
    "ORDER#\u2028${OrderId",
])
def test_a_map_function_not_understood_is_said_and_the_samples_used(mapped):
    source, module, problems = generated_from(mapped_model(sort_key_map=mapped))
    compile(source, "dynadmin_imported", "exec")
    assert [p for p in problems if p.is_serious()] == []
    # the template is what the samples show, as without a MapFunction
    plain = generated_from(mapped_model())[1].Order._meta.primary_key.sk.template
    assert module.Order._meta.primary_key.sk.template == plain
    text = " ".join(line[1:].strip() for line in source.splitlines() if line.startswith("#"))
    assert "note: SK's MapFunction " in text and "was not understood" in text
    if isinstance(mapped, dict):
        assert '\'{"Type": "concat", "Args": ["ORDER#", {"Attribute": "OrderId"}]}\'' in text
    else:
        assert "\u2028" not in source and repr(mapped) in text
