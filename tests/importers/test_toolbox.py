"""Importing DynamoDB-Toolbox v2 DTO exports: an EntityDTO's table, savedAs names and prefix
transformers become a table, stored attribute names and key templates."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from dynadmin.importers import ImportFormatError, import_design, render
from dynadmin.importers.checking import load_generated

FIXTURES = Path(__file__).parent / "fixtures"


def export() -> dict:
    return json.loads((FIXTURES / "toolbox_pokedex.json").read_text())


def generated(data, table: str | None = None):
    source = render(import_design("toolbox", data, table=table))
    module, problems = load_generated(source)
    return source, module, [p for p in problems if p.is_serious()]


def one_line(source: str) -> str:
    return source.replace("\n    #   ", " ").replace("\n#   ", " ")


def test_the_export_becomes_definitions_that_pass_the_checks():
    source, module, errors = generated(export())
    compile(source, "toolbox", "exec")
    assert errors == []
    assert {a.entity._meta.type_value for a in module.site.admins} == {"pokemon", "trainer"}
    table = module.pokedex
    # the table's own name, and the entity attribute every Toolbox item carries
    assert (table.name, table.type_attribute) == ("pokedex", "_et")
    assert table.index("byLevel").local
    assert table.key_types == {"lsi": "N"}


def test_prefix_transformers_and_saved_as_become_key_templates():
    _, module, _ = generated(export())
    pokemon = module.Pokemon._meta
    assert (pokemon.primary_key.pk.template, pokemon.primary_key.sk.template) == (
        "POKEMON#{pokemonId}", "CLASS#{pokeClass}")
    # a pipe of transformers is applied in order; an untransformed key is the value itself
    trainer = pokemon.keys["byTrainer"]
    assert (trainer.index_name, trainer.pk.template, trainer.sk.template) == (
        "byTrainer", "TRAINER#{trainerId}", "{captureDate}")
    assert pokemon.keys["byLevel"].sk.template == "{level}"
    assert pokemon.fields["captureDate"].attribute == "gsisk"
    # saved as a key attribute with a prefix: the value lives only in that key
    assert pokemon.fields["pokemonId"].key_only and pokemon.fields["trainerId"].key_only
    assert not pokemon.fields["captureDate"].key_only  # saved as gsisk as it is
    item = module.Pokemon.build_item({"pokemonId": "25", "pokeClass": "fire", "name": "Pika",
                                      "trainerId": "ash", "captureDate": "2024-01-01",
                                      "level": 5})
    assert (item["pk"], item["gsipk"], item["gsisk"]) == ("POKEMON#25", "TRAINER#ash",
                                                          "2024-01-01")
    assert not {"pokemonId", "pokeClass", "trainerId"} & set(item)
    assert pokemon.fields["pokeClass"].choices == ("fire", "water", "grass")
    # attributes are required unless the schema says "never"
    assert pokemon.fields["name"].required and not pokemon.fields["types"].required
    assert type(pokemon.fields["types"]).__name__ == "StringSet"
    # timestamps: created/modified as ISO strings under _ct/_md unless renamed
    assert pokemon.fields["created"].attribute == "_ct"
    assert module.Trainer._meta.fields["createdAt"].attribute == "created"
    assert "modified" not in module.Trainer._meta.fields


def test_a_key_computed_by_a_function_is_read_as_stored_and_says_so():
    source, module, _ = generated(export())
    trainer = module.Trainer._meta
    assert (trainer.primary_key.pk.template, trainer.primary_key.sk.template) == ("{pk}", "{sk}")
    assert ("# guess: trainer computes pk with a function (computeKey) the DTO does not "
            "carry") in one_line(source)


def test_what_cannot_be_said_is_a_comment():
    data = copy.deepcopy(export())
    attributes = data["entities"][0]["schema"]["attributes"]
    attributes["pokemonId"]["transform"] = {"transformerId": "pipe", "transformers": [
        {"transformerId": "prefix", "prefix": "POKEMON", "delimiter": "#"},
        {"transformerId": "custom"}]}
    attributes["name"]["sparkle"] = 1
    data["entities"][0]["glitter"] = True
    data["table"]["indexes"]["multi"] = {"type": "global",
                                         "partitionKeys": [{"name": "a", "type": "string"}]}
    source, module, errors = generated(data, table="Pokedex-prod")
    assert errors == []
    assert module.pokedex_prod.name == "Pokedex-prod"
    text = one_line(source)
    assert "# not expressible: pokemonId is transformed by 'custom' before it is saved" in text
    assert "# note: ignored on name: sparkle (not understood)." in text
    assert "# note: ignored in pokemon: glitter (not understood)." in text
    assert "# not expressible: index multi has several partition or sort key attributes" in text


def test_one_entity_dto_on_its_own():
    entity = export()["entities"][0]
    del entity["table"]["tableName"]
    source, module, errors = generated(entity)
    assert errors == []
    assert [a.entity._meta.type_value for a in module.site.admins] == ["pokemon"]
    assert "# guess: the TableDTO does not name its table" in one_line(source)


@pytest.mark.parametrize("name", ["electrodb_task_manager.json", "onetable_overview.json"])
def test_another_format_is_refused_naming_what_was_expected(name):
    data = json.loads((FIXTURES / name).read_text())
    with pytest.raises(ImportFormatError, match='expected DynamoDB-Toolbox EntityDTOs: an '
                                                'object with "entityName", "schema" and '
                                                '"table"'):
        import_design("toolbox", data)


def test_a_put_default_of_any_plain_value_becomes_the_field_default():
    _, module, errors = generated(export())
    assert errors == []
    assert module.Pokemon._meta.fields["level"].default == 1


def with_badge(attributes: dict) -> dict:
    """The export plus an entity that declares the table's keys under their own names, as
    ``schema({PK: string().key(), SK: string().key().default('BADGE')})`` exports them."""
    data = export()
    badge = copy.deepcopy(data["entities"][1])
    badge["entityName"] = "badge"
    badge["schema"]["attributes"] = attributes
    data["entities"].append(badge)
    return data


def test_keys_the_application_spells_whole_are_a_guess_and_key_defaults_are_used():
    source, module, errors = generated(with_badge({
        "pk": {"type": "string", "key": True, "required": "always"},
        "sk": {"type": "string", "key": True, "required": "always",
               "keyDefault": {"defaulterId": "value", "value": "BADGE"}},
        "title": {"type": "string", "putDefault": {"defaulterId": "custom"}}}))
    assert errors == []
    text = one_line(source)
    assert ("# guess: pk is written whole by the application (the DTO shows no prefix or "
            "suffix), so dynadmin reads and edits it as stored.") in text
    assert ("# guess: sk is written whole by the application (the DTO shows no prefix or "
            "suffix), so dynadmin reads and edits it as stored; a new item's starts as 'BADGE' "
            "(keyDefault).") in text
    assert module.Badge._meta.fields["sk"].default == "BADGE"
    assert ("# note: title gets its putDefault from a function the DTO does not carry; "
            "dynadmin leaves it empty.") in text
